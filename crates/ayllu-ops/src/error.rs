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
            OpsError::Admin(e) => (
                format!("Error del servidor del puesto de salud: {e}"),
                format!("Hub error: {e}"),
            ),
            OpsError::Sync(e) => (
                format!("La sincronización falló: {e}"),
                format!("The sync failed: {e}"),
            ),
        }
    }
}

/// A failure to talk to the hub, in words a promotora can act on: Spanish whatever the
/// hub said (its own message is English, for staff), and "puesto de salud", never "hub".
fn hub_words(e: &ClientError) -> (String, String) {
    let (es, en): (&str, &str) = match e {
        ClientError::Cut { .. } => (
            "La conexión con el puesto de salud se cortó antes de recibir su respuesta. Puede que allá ya tengan lo enviado; aquí no se perdió nada: la próxima sincronización lo confirma.",
            "The link to the health post was cut before its answer arrived. It may already hold what was sent; nothing was lost here: the next sync confirms it.",
        ),
        ClientError::Unreachable { url, .. } => {
            return (
                format!("No se puede conectar con el puesto de salud ({url}). ¿Hay señal? ¿Está encendido?"),
                format!("Cannot reach the health post ({url}). Is there signal? Is it on?"),
            );
        }
        ClientError::Refused { status: 401, .. } => (
            "El puesto de salud ya no reconoce este celular (401). Pida un nuevo código de registro.",
            "The health post no longer recognises this device (401). Ask for a new enrollment code.",
        ),
        ClientError::Refused { code, status, .. } => match code.as_str() {
            "out_of_scope" => (
                "Este celular envió hogares de comunidades que no tiene asignadas; el puesto de salud no los recibió.",
                "This device sent households of communities not assigned to it; the health post did not take them.",
            ),
            "too_many_requests" => (
                "El puesto de salud está atendiendo a muchos celulares; se volverá a intentar en un momento.",
                "The health post is busy with many devices; it will try again shortly.",
            ),
            "timeout" => (
                "La conexión se cortó mientras se enviaban los datos; se volverá a intentar.",
                "The link dropped while sending; it will try again.",
            ),
            "too_large" => (
                "Lo enviado es demasiado grande para una sola vez; avise al personal del puesto de salud.",
                "What was sent is too large for one exchange; tell the health post's staff.",
            ),
            "internal" => (
                "El puesto de salud tuvo un error interno; avise al personal.",
                "The health post had an internal error; tell its staff.",
            ),
            _ => {
                return (
                    format!("El puesto de salud no aceptó la sincronización ({status})."),
                    format!("The health post refused the sync ({status})."),
                );
            }
        },
        _ => (
            "La respuesta del puesto de salud no se entendió; se volverá a intentar.",
            "The health post's answer was not understood; it will try again.",
        ),
    };
    (es.to_string(), en.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What the hub says is English, for staff; what a promotora reads is Spanish and
    /// speaks of the health post.
    #[test]
    fn every_hub_refusal_reads_in_spanish_without_the_word_hub() {
        let refused = |status: u16, code: &str| {
            OpsError::Hub(ClientError::Refused {
                status,
                code: code.into(),
                message: "the device may not send households of this community".into(),
            })
        };
        let cases = [
            refused(401, "unauthorized"),
            refused(403, "out_of_scope"),
            refused(429, "too_many_requests"),
            refused(408, "timeout"),
            refused(413, "too_large"),
            refused(500, "internal"),
            refused(400, "bad_request"),
            OpsError::Hub(ClientError::Unreachable {
                url: "http://192.168.1.20:8470".into(),
                reason: "connection refused".into(),
            }),
            OpsError::Hub(ClientError::Protocol("garbage".into())),
        ];
        for e in cases {
            let (es, _) = e.words();
            assert!(!es.to_lowercase().contains("hub"), "{es}");
            assert!(!es.contains("the device"), "{es}");
            assert!(
                es.contains("puesto de salud") || es.contains("conexión") || es.contains("celular"),
                "{es}"
            );
        }
    }
}
