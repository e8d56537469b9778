//! Who may ask the hub for what (the server enforces it on every request), and the
//! access log's form.
//!
//! | request                     | promotor | staff | committee |
//! |-----------------------------|----------|-------|-----------|
//! | `POST /v1/sync`             | yes      | yes   | no        |
//! | `GET  /v1/report`           | no       | yes (every cell) | yes (small cells hidden) |
//! | `GET  /v1/households`       | no       | yes   | no        |
//! | `GET  /v1/devices`          | no       | yes   | no        |
//! | `POST /v1/devices/revoke`   | no       | yes   | no        |
//! | `POST /v1/codes`            | no       | yes   | no        |
//! | `GET  /v1/access-log`       | no       | yes   | no        |
//!
//! A refusal is 403 `role` and is logged like everything else a device asks.

use ayllu_store::AccessRow;

use crate::admin::{self, Role};

/// The requests of the table above, and who may make them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Sync,
    Report,
    Households,
    Devices,
    Revoke,
    NewCode,
    AccessLog,
    /// An enrollment: made with a one-time code, not by an enrolled device.
    Enroll,
}

impl Action {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Action::Sync => matches!(role, Role::Promotor | Role::Staff),
            Action::Report => matches!(role, Role::Staff | Role::Committee),
            Action::Households | Action::Devices | Action::Revoke | Action::NewCode | Action::AccessLog => {
                role == Role::Staff
            }
            // No enrolled device asks for it: a code does.
            Action::Enroll => false,
        }
    }

    /// The request as the access log names it.
    pub fn name(self) -> &'static str {
        match self {
            Action::Sync => "POST /v1/sync",
            Action::Report => "GET /v1/report",
            Action::Households => "GET /v1/households",
            Action::Devices => "GET /v1/devices",
            Action::Revoke => "POST /v1/devices/revoke",
            Action::NewCode => "POST /v1/codes",
            Action::AccessLog => "GET /v1/access-log",
            Action::Enroll => "POST /v1/enroll",
        }
    }
}

/// A line of the access log: who (`None`: no valid token) asked for what, and the answer.
pub fn access_row(
    device: Option<&admin::DeviceInfo>,
    action: Action,
    status: u16,
    detail: &str,
) -> AccessRow {
    AccessRow {
        at: chrono::Utc::now().to_rfc3339(),
        device_id: device.map(|d| d.device_id.clone()),
        role: device.and_then(|d| d.role).map(|r| r.as_str().to_string()),
        action: action.name().to_string(),
        status,
        detail: detail.to_string(),
    }
}

/// The access log as CSV (fields quoted: details hold commas).
pub fn access_log_csv(rows: &[AccessRow]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("at,device_id,role,action,status,detail\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            quote(&r.at),
            quote(r.device_id.as_deref().unwrap_or("")),
            quote(r.role.as_deref().unwrap_or("")),
            quote(&r.action),
            r.status,
            quote(&r.detail)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_allowed_exactly_its_requests() {
        use Action::*;
        let all = [Sync, Report, Households, Devices, Revoke, NewCode, AccessLog];
        let allowed = |role| all.into_iter().filter(|a| a.allows(role)).collect::<Vec<_>>();
        assert_eq!(allowed(Role::Promotor), [Sync]);
        assert_eq!(allowed(Role::Committee), [Report]);
        assert_eq!(allowed(Role::Staff), all);
    }
}
