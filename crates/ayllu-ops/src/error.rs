//! What an operation can refuse or fail with, in words for both faces.

use std::path::PathBuf;

use ayllu_hub::AdminError;
use ayllu_model::{FieldError, Lang, Problem};
use ayllu_store::StoreError;
use ayllu_sync::http::ClientError;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Input refused, naming its field; nothing was changed.
    #[error("{}", .0.message(Lang::En))]
    Invalid(FieldError),
    /// Rows of a spreadsheet refused; nothing was imported.
    #[error("{} rows rejected: nothing was imported", .0.len())]
    RowsRejected(Vec<ayllu_import::Rejected>),
    #[error("no Ayllu store in {} (run `ayllu --data {} init`)", .0.display(), .0.display())]
    NoStore(PathBuf),
    #[error("this device is not enrolled with a hub")]
    NotEnrolled,
    /// The enrollment code was refused by the hub (wrong, used or expired).
    #[error("the enrollment code was refused: {0}")]
    CodeRefused(ClientError),
    #[error(transparent)]
    Hub(ClientError),
    #[error("the bundle {file} cannot be read, nothing was changed: {reason}")]
    Bundle { file: String, reason: String },
    #[error("no enrolled device {0}")]
    UnknownDevice(String),
    /// Facility mode is off: there is no hub to enroll phones with.
    #[error("facility mode is off")]
    HubOff,
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Report(#[from] ayllu_report::ReportError),
    #[error(transparent)]
    Sync(#[from] ayllu_sync::SyncError),
    #[error(transparent)]
    Admin(AdminError),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl OpsError {
    pub(crate) fn field(field: &str, problem: Problem) -> OpsError {
        OpsError::Invalid(FieldError::new(field, problem))
    }

    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> OpsError + '_ {
        move |source| OpsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The field a person should look at, when there is one.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            OpsError::Invalid(e) => Some(&e.field),
            OpsError::CodeRefused(_) => Some("code"),
            OpsError::Hub(_) => Some("hub_url"),
            _ => None,
        }
    }

    /// A stable code the UI and scripts can match on.
    pub fn code(&self) -> &'static str {
        match self {
            OpsError::Invalid(e) => e.problem.code(),
            OpsError::RowsRejected(_) => "rows_rejected",
            OpsError::NoStore(_) => "no_store",
            OpsError::NotEnrolled => "not_enrolled",
            OpsError::CodeRefused(_) => "enroll_refused",
            OpsError::Hub(_) => "hub",
            OpsError::Bundle { .. } => "bundle_unreadable",
            OpsError::UnknownDevice(_) => "unknown_device",
            OpsError::HubOff => "hub_off",
            OpsError::Report(_) => "export_failed",
            OpsError::Io { .. } => "io",
            OpsError::Store(_) | OpsError::Admin(_) | OpsError::Sync(_) => "internal",
        }
    }

    /// What went wrong, in Spanish and English, for a person to act on. A refused field's
    /// words do not repeat the field's name (the UI shows them beside it).
    pub fn words(&self) -> (String, String) {
        match self {
            OpsError::Invalid(e) => (
                e.problem.message(Lang::Es).to_string(),
                e.problem.message(Lang::En).to_string(),
            ),
            OpsError::RowsRejected(rows) => (
                format!("{} filas rechazadas: no se importó nada", rows.len()),
                format!("{} rows rejected: nothing was imported", rows.len()),
            ),
            OpsError::NoStore(p) => (
                format!(
                    "No hay datos de Ayllu en {} (ejecute `ayllu --data {} init`)",
                    p.display(),
                    p.display()
                ),
                self.to_string(),
            ),
            OpsError::NotEnrolled => (
                "Este equipo aún no está registrado con el puesto de salud: pida un código de registro."
                    .into(),
                "This device is not enrolled with the health post yet: ask for an enrollment code.".into(),
            ),
            OpsError::CodeRefused(_) => (
                "El código no es válido, ya se usó o venció. Pida uno nuevo en el puesto de salud.".into(),
                "The code is not valid, was already used or has expired. Ask the health post for a new one."
                    .into(),
            ),
            OpsError::Hub(e) => hub_words(e),
            OpsError::Bundle { file, reason } => (
                format!("El paquete {file} no se puede leer, no se cambió nada: {reason}"),
                self.to_string(),
            ),
            OpsError::UnknownDevice(d) => (
                format!("No hay un equipo registrado con el número {d}"),
                self.to_string(),
            ),
            OpsError::HubOff => (
                "Primero active el modo puesto de salud.".into(),
                "Switch facility mode on first.".into(),
            ),
            OpsError::Report(e) => (format!("No se pudo guardar: {e}"), format!("Could not save: {e}")),
            OpsError::Io { path, source } => (
                format!("No se pudo leer o escribir {}: {source}", path.display()),
                self.to_string(),
            ),
            OpsError::Store(e) => (
                format!("Error interno del almacenamiento: {e}"),
                format!("Internal storage error: {e}"),
            ),
            OpsError::Admin(e) => (format!("Error del hub: {e}"), format!("Hub error: {e}")),
            OpsError::Sync(e) => (
                format!("La sincronización falló: {e}"),
                format!("The sync failed: {e}"),
            ),
        }
    }
}

/// A failure to talk to the hub, in words a promotor can act on.
fn hub_words(e: &ClientError) -> (String, String) {
    match e {
        ClientError::Unreachable { url, .. } => (
            format!("No se puede conectar con el hub en {url}. ¿Hay señal? ¿Está encendido?"),
            format!("Cannot reach the hub at {url}. Is there signal? Is it on?"),
        ),
        ClientError::Refused { status: 401, .. } => (
            "El hub ya no reconoce este equipo (401). Pida un nuevo código de registro.".into(),
            "The hub no longer recognises this device (401). Ask for a new enrollment code.".into(),
        ),
        ClientError::Refused { message, status, .. } => (
            format!("El hub rechazó la sincronización ({status}): {message}"),
            format!("The hub refused the sync ({status}): {message}"),
        ),
        other => (
            format!("La sincronización falló: {other}"),
            format!("The sync failed: {other}"),
        ),
    }
}

impl From<FieldError> for OpsError {
    fn from(e: FieldError) -> OpsError {
        OpsError::Invalid(e)
    }
}

impl From<StoreError> for OpsError {
    fn from(e: StoreError) -> OpsError {
        match e {
            StoreError::Invalid(f) => OpsError::Invalid(f),
            StoreError::NotFound(id) => {
                OpsError::Invalid(FieldError::new("household", Problem::NotFound).with_detail(id.to_string()))
            }
            other => OpsError::Store(other),
        }
    }
}

impl From<AdminError> for OpsError {
    fn from(e: AdminError) -> OpsError {
        match e {
            AdminError::Store(s) => s.into(),
            // The one rule for code validity lives in `ayllu_hub::admin`; both faces get it here.
            AdminError::Validity => OpsError::field("days", Problem::CodeDaysOutOfRange),
            AdminError::NoCommunity => OpsError::field("community", Problem::Required),
            AdminError::UnknownDevice(d) => OpsError::UnknownDevice(d),
            other => OpsError::Admin(other),
        }
    }
}

impl From<ClientError> for OpsError {
    fn from(e: ClientError) -> OpsError {
        OpsError::Hub(e)
    }
}
