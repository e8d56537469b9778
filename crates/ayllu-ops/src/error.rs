//! What an operation can refuse or fail with, and its words (a catalogue message) for
//! both faces.

use std::path::PathBuf;

use ayllu_hub::AdminError;
use ayllu_model::{FieldError, Problem};
use ayllu_store::StoreError;
use ayllu_sync::http::ClientError;
use ayllu_words::Message;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Input refused, naming its field; nothing was changed.
    #[error("{}", .0)]
    Invalid(FieldError),
    /// Rows of a spreadsheet refused; nothing was imported.
    #[error("{} rows rejected: nothing was imported", .0.len())]
    RowsRejected(Vec<ayllu_import::Rejected>),
    #[error("no Ayllu store in {} (run `ayllu --data {} init`)", .0.display(), .0.display())]
    NoStore(PathBuf),
    #[error("this device is not enrolled with a hub")]
    NotEnrolled,
    /// Enrolled before hubs had certificates: nothing to pin, so nothing is sent.
    #[error("this device was enrolled before the hub served HTTPS: enroll it again")]
    ReEnroll,
    /// The enrollment code was refused by the hub (wrong, used or expired).
    #[error("the enrollment code was refused: {0}")]
    CodeRefused(ClientError),
    /// The hub refused this device's enrollment for what the device is (see the refusal).
    #[error("the enrollment was refused: {0:?}")]
    Enrollment(crate::enroll::Refusal),
    #[error(transparent)]
    Hub(ClientError),
    #[error("the bundle {file} cannot be read, nothing was changed: {reason}")]
    Bundle { file: String, reason: String },
    #[error("no enrolled device {0}")]
    UnknownDevice(String),
    /// The lock refused: a wrong PIN or passphrase, too soon after wrong ones, or a lock
    /// file that is not one.
    #[error("{0}")]
    Lock(ayllu_lock::LockError),
    /// The device's keystore could not be reached (it holds the key a sealed lock needs).
    #[error("{0}")]
    Keystore(ayllu_lock::KeystoreError),
    /// The folder has no lock to open (nothing to unlock yet).
    #[error("this data folder has no lock")]
    NotLocked,
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
            OpsError::Lock(ayllu_lock::LockError::Wrong { .. } | ayllu_lock::LockError::TooSoon { .. }) => {
                Some("pin")
            }
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
            OpsError::ReEnroll => "re_enroll",
            OpsError::CodeRefused(_) => "enroll_refused",
            OpsError::Enrollment(crate::enroll::Refusal::AlreadyEnrolled) => "already_enrolled",
            OpsError::Enrollment(crate::enroll::Refusal::KeyRevoked) => "key_revoked",
            OpsError::Enrollment(crate::enroll::Refusal::Signature) => "enroll_signature",
            OpsError::Hub(ClientError::WrongCertificate { .. }) => "wrong_certificate",
            OpsError::Hub(ClientError::PlainHttpRefused { .. }) => "plain_http",
            OpsError::Hub(_) => "hub",
            OpsError::Bundle { .. } => "bundle_unreadable",
            OpsError::UnknownDevice(_) => "unknown_device",
            OpsError::HubOff => "hub_off",
            OpsError::Lock(ayllu_lock::LockError::Wrong { .. }) => "wrong_secret",
            OpsError::Lock(ayllu_lock::LockError::TooSoon { .. }) => "wait",
            OpsError::Lock(ayllu_lock::LockError::Corrupt(_)) => "lock_corrupt",
            OpsError::Lock(ayllu_lock::LockError::OtherDevice) => "other_device",
            OpsError::Keystore(_) => "keystore",
            OpsError::NotLocked => "not_locked",
            OpsError::Report(_) => "export_failed",
            OpsError::Io { .. } => "io",
            OpsError::Store(_) | OpsError::Admin(_) | OpsError::Sync(_) => "internal",
        }
    }

    /// What went wrong, in words a person can act on (rendered in their language). A
    /// refused field's words do not repeat the field's name (the UI shows them beside it).
    pub fn words(&self) -> Message {
        match self {
            OpsError::Invalid(e) => e.problem.words(),
            OpsError::RowsRejected(rows) => Message::new("ops-rows_rejected").with("n", rows.len()),
            OpsError::NoStore(p) => Message::new("ops-no_store").with("path", p.display().to_string()),
            OpsError::NotEnrolled => Message::new("ops-not_enrolled"),
            OpsError::ReEnroll => Message::new("hub-re_enroll"),
            OpsError::CodeRefused(_) => Message::new("ops-code_refused"),
            OpsError::Enrollment(crate::enroll::Refusal::AlreadyEnrolled) => {
                Message::new("ops-already_enrolled")
            }
            OpsError::Enrollment(crate::enroll::Refusal::KeyRevoked) => Message::new("ops-key_revoked"),
            OpsError::Enrollment(crate::enroll::Refusal::Signature) => Message::new("ops-enroll_signature"),
            OpsError::Hub(e) => hub_words(e),
            OpsError::Bundle { file, reason } => Message::new("ops-bundle_unreadable")
                .with("file", file.as_str())
                .with("reason", reason.as_str()),
            OpsError::UnknownDevice(d) => Message::new("ops-unknown_device").with("device", d.as_str()),
            OpsError::HubOff => Message::new("ops-hub_off"),
            OpsError::Lock(ayllu_lock::LockError::Wrong { failures, wait }) => Message::new("lock-wrong")
                .with("n", *failures)
                .with("secs", wait.num_seconds()),
            OpsError::Lock(ayllu_lock::LockError::TooSoon { wait }) => {
                Message::new("lock-too_soon").with("secs", wait.num_seconds().max(1))
            }
            OpsError::Lock(ayllu_lock::LockError::Corrupt(why)) => {
                Message::new("lock-corrupt").with("reason", *why)
            }
            OpsError::NotLocked => Message::new("lock-none"),
            OpsError::Lock(ayllu_lock::LockError::OtherDevice) => Message::new("lock-other_device"),
            OpsError::Keystore(e) => Message::new("lock-keystore").with("reason", e.0.as_str()),
            OpsError::Report(e) => Message::new("ops-export_failed").with("reason", e.to_string()),
            OpsError::Io { path, source } => Message::new("ops-io")
                .with("path", path.display().to_string())
                .with("reason", source.to_string()),
            OpsError::Store(e) => Message::new("ops-store").with("reason", e.to_string()),
            OpsError::Admin(e) => Message::new("ops-admin").with("reason", e.to_string()),
            OpsError::Sync(e) => Message::new("ops-sync").with("reason", e.to_string()),
        }
    }
}

/// A failure to talk to the hub, in words a promotora can act on: in her language whatever
/// the hub said (its own message is English, for staff), and "puesto de salud", never "hub".
fn hub_words(e: &ClientError) -> Message {
    match e {
        ClientError::Cut { .. } => Message::new("hub-cut"),
        ClientError::Unreachable { url, .. } => Message::new("hub-unreachable").with("url", url.as_str()),
        ClientError::Refused { status: 401, .. } => Message::new("hub-unauthorized"),
        ClientError::WrongCertificate { url, .. } => {
            Message::new("hub-wrong_certificate").with("url", url.as_str())
        }
        ClientError::PlainHttpRefused { url } => Message::new("hub-plain_http").with("url", url.as_str()),
        ClientError::Refused { code, status, .. } => match code.as_str() {
            "out_of_scope" | "too_many_requests" | "timeout" | "too_large" | "internal" => {
                Message::new(format!("hub-{code}"))
            }
            _ => Message::new("hub-refused").with("status", *status),
        },
        _ => Message::new("hub-not_understood"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use ayllu_model::Lang;

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
            OpsError::Hub(ClientError::WrongCertificate {
                url: "https://192.168.1.20:8470".into(),
                seen: "ab".repeat(32),
            }),
            OpsError::Hub(ClientError::PlainHttpRefused {
                url: "http://192.168.1.20:8470".into(),
            }),
            OpsError::ReEnroll,
        ];
        for e in cases {
            let es = e.words().render(Lang::ES);
            assert!(!es.to_lowercase().contains("hub"), "{es}");
            assert!(!es.contains("the device"), "{es}");
            assert!(
                es.contains("puesto de salud") || es.contains("conexión") || es.contains("celular"),
                "{es}"
            );
        }
    }
}
