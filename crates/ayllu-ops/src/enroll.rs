//! A phone joins its health post's hub with a one-time code.

use ayllu_model::Problem;
use ayllu_store::Store;
use ayllu_sync::http::{ClientError, Enrollment, HubClient};
use serde::Serialize;

use crate::{OpsError, settings};

/// What a person typed to enroll, checked: the hub's address and the code.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    code: String,
}

/// Who this device is, as the hub registers it: its Automerge actor, its public key and
/// a name staff will see.
#[derive(Debug, Clone)]
pub struct Applicant {
    actor: String,
    public_key: String,
    name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    pub hub: String,
    pub hub_id: String,
    pub device: serde_json::Value,
}

impl Request {
    pub fn parse(url: &str, code: &str) -> Result<Request, OpsError> {
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 200 {
            return Err(OpsError::field("hub_url", Problem::HubAddress));
        }
        let code = code.trim().to_uppercase();
        if code.is_empty() || code.len() > 40 {
            return Err(OpsError::field("code", Problem::EnrollmentCode));
        }
        Ok(Request { url, code })
    }

    /// Exchanges the code for this device's token. A network call: the caller holds no
    /// store meanwhile (blocking; off any async runtime).
    pub fn send(&self, applicant: &Applicant) -> Result<Enrollment, OpsError> {
        HubClient::new(&self.url, None)
            .enroll_as(
                &self.code,
                &applicant.actor,
                &applicant.public_key,
                &applicant.name,
            )
            .map_err(|e| match e {
                ClientError::Refused { status: 401, .. } => OpsError::CodeRefused(e),
                other => OpsError::Hub(other),
            })
    }

    /// Keeps what the hub gave: token, hub id and key, the communities this phone serves.
    pub fn finish(&self, store: &Store, enrollment: Enrollment) -> Result<Enrolled, OpsError> {
        enrollment.save(store, &self.url)?;
        Ok(Enrolled {
            hub: self.url.clone(),
            hub_id: enrollment.hub_id,
            device: enrollment.device,
        })
    }
}

impl Applicant {
    /// This device; `name` (when given) is how staff will see it, else its promotor's name.
    pub fn of(store: &Store, name: Option<&str>) -> Result<Applicant, OpsError> {
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => n.to_string(),
            None => settings::promotor(store)?.unwrap_or_else(|| "Ayllu".into()),
        };
        Ok(Applicant {
            actor: store.actor().to_hex_string(),
            public_key: store.public_key_hex(),
            name,
        })
    }
}

/// The whole enrollment at once, for a caller that may hold its store meanwhile.
pub fn enroll(store: &Store, url: &str, code: &str, name: Option<&str>) -> Result<Enrolled, OpsError> {
    let request = Request::parse(url, code)?;
    let enrollment = request.send(&Applicant::of(store, name)?)?;
    request.finish(store, enrollment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_and_code_are_checked_before_any_network_call() {
        let r = Request::parse(" http://192.168.1.20:8470/ ", " abcd-efgh ").unwrap();
        assert_eq!(r.url, "http://192.168.1.20:8470");
        assert_eq!(r.code, "ABCD-EFGH");
        for (url, code, field) in [
            ("192.168.1.20:8470", "ABCD", "hub_url"),
            ("ftp://hub", "ABCD", "hub_url"),
            ("http://hub", "   ", "code"),
            ("http://hub", &"X".repeat(41), "code"),
        ] {
            let e = Request::parse(url, code).unwrap_err();
            assert_eq!(e.field_name(), Some(field), "{url} {code}");
        }
    }
}
