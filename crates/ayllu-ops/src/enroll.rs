//! A phone joins its health post's hub with a one-time code.

use ayllu_model::Problem;
use ayllu_store::Store;
use ayllu_sync::http::{ClientError, Enrollment, HubClient};
use ayllu_sync::tls::{self, Trust};
use serde::Serialize;

use crate::{OpsError, settings};

/// What a person typed to enroll, checked: the hub's address and the code.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    /// The code's secret part, the only part the hub is sent.
    code: String,
    trust: Trust,
}

/// Who this device is, as the hub registers it: its Automerge actor, its key (the hub
/// registers the public half; the enrollment is signed with the secret one) and a name
/// staff will see.
#[derive(Clone)]
pub struct Applicant {
    actor: automerge::ActorId,
    key: ed25519_dalek::SigningKey,
    name: String,
}

/// What the hub accepted, and the new key this device enrolled with if its own was
/// refused as a revoked device's ([`Request::finish`] keeps it).
#[derive(Debug, Clone)]
pub struct Accepted {
    enrollment: Enrollment,
    new_key: Option<ed25519_dalek::SigningKey>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    pub hub: String,
    pub hub_id: String,
    pub device: serde_json::Value,
}

impl Request {
    /// The hub's address and the code as typed. An `https://` hub is trusted by the
    /// fingerprint in the code; an `http://` one only with `insecure_http` asked for by name.
    pub fn parse(url: &str, code: &str, insecure_http: bool) -> Result<Request, OpsError> {
        let url = url.trim().trim_end_matches('/').to_string();
        let https = url.starts_with("https://");
        if !(https || url.starts_with("http://")) || url.len() > 200 {
            return Err(OpsError::field("hub_url", Problem::HubAddress));
        }
        if code.len() > 60 {
            return Err(OpsError::field("code", Problem::EnrollmentCode));
        }
        let (code, pin) =
            tls::split_typed_code(code).ok_or_else(|| OpsError::field("code", Problem::EnrollmentCode))?;
        let trust = match (https, pin, insecure_http) {
            (true, Some(pin), _) => pin,
            (true, None, _) => return Err(OpsError::field("code", Problem::CodeWithoutFingerprint)),
            (false, _, true) => Trust::InsecureHttp,
            (false, _, false) => return Err(OpsError::field("hub_url", Problem::PlainHttp)),
        };
        Ok(Request { url, code, trust })
    }

    /// Plain HTTP, asked for: the caller warns about it.
    pub fn is_insecure(&self) -> bool {
        self.trust == Trust::InsecureHttp
    }

    /// Exchanges the code for this device's token. A network call: the caller holds no
    /// store meanwhile (blocking; off any async runtime).
    pub fn send(&self, applicant: &Applicant) -> Result<Accepted, OpsError> {
        let client = HubClient::new(&self.url, self.trust.clone(), None);
        let with = |key: &ed25519_dalek::SigningKey| {
            client
                .enroll_as(&self.code, &applicant.actor, key, &applicant.name)
                .map_err(refusal)
        };
        match with(&applicant.key) {
            // Staff took this phone's access away once, and its key with it (no hub takes a
            // revoked key again): it enrolls with a new key, kept only if the hub takes it.
            Err(OpsError::Enrollment(Refusal::KeyRevoked)) => {
                let fresh = ayllu_store::new_signing_key()?;
                Ok(Accepted {
                    enrollment: with(&fresh)?,
                    new_key: Some(fresh),
                })
            }
            other => Ok(Accepted {
                enrollment: other?,
                new_key: None,
            }),
        }
    }

    /// Keeps what the hub gave: token, hub id and key, the communities this phone serves,
    /// and the key it enrolled with if that is a new one.
    pub fn finish(&self, store: &mut Store, accepted: Accepted) -> Result<Enrolled, OpsError> {
        if let Some(key) = &accepted.new_key {
            store.replace_signing_key(key)?;
        }
        let enrollment = accepted.enrollment;
        enrollment.save(store, &self.url)?;
        Ok(Enrolled {
            hub: self.url.clone(),
            hub_id: enrollment.hub_id,
            device: enrollment.device,
        })
    }
}

/// Why a hub refused an enrollment, as a person can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This phone is enrolled already (its actor or its key is a live device's).
    AlreadyEnrolled,
    /// Its key was a revoked device's (a new one is made and tried once).
    KeyRevoked,
    /// The hub could not check this phone's signature (it met another machine, or the
    /// phone's key is not the one it says).
    Signature,
}

fn refusal(e: ClientError) -> OpsError {
    let refused = match &e {
        ClientError::Refused {
            status: 401, code, ..
        } if code == "bad_signature" => Refusal::Signature,
        ClientError::Refused { status: 401, .. } => return OpsError::CodeRefused(e),
        ClientError::Refused {
            status: 409, code, ..
        } => match code.as_str() {
            "key_revoked" => Refusal::KeyRevoked,
            "key_taken" | "actor_taken" => Refusal::AlreadyEnrolled,
            _ => return OpsError::Hub(e),
        },
        _ => return OpsError::Hub(e),
    };
    OpsError::Enrollment(refused)
}

impl Applicant {
    /// This device; `name` (when given) is how staff will see it, else its promotor's name.
    pub fn of(store: &Store, name: Option<&str>) -> Result<Applicant, OpsError> {
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => n.to_string(),
            None => settings::promotor(store)?.unwrap_or_else(|| "Ayllu".into()),
        };
        Ok(Applicant {
            actor: store.actor().clone(),
            key: store.signing_key().clone(),
            name,
        })
    }
}

/// The whole enrollment at once, for a caller that may hold its store meanwhile.
pub fn enroll(
    store: &mut Store,
    url: &str,
    code: &str,
    insecure_http: bool,
    name: Option<&str>,
) -> Result<Enrolled, OpsError> {
    let request = Request::parse(url, code, insecure_http)?;
    let accepted = request.send(&Applicant::of(store, name)?)?;
    request.finish(store, accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_and_code_are_checked_before_any_network_call() {
        let hub = tls::Fingerprint::of(b"hub");
        let typed = tls::typed_code("ABCD-EFGH-JKMN", &hub).to_lowercase();
        let r = Request::parse(" https://192.168.1.20:8470/ ", &format!(" {typed} "), false).unwrap();
        assert_eq!(r.url, "https://192.168.1.20:8470");
        assert_eq!(r.code, "ABCDEFGHJKMN");
        assert_eq!(r.trust, Trust::Short(hub.short()));
        let plain = Request::parse("http://192.168.1.20:8470", "abcd-efgh-jkmn", true).unwrap();
        assert!(plain.is_insecure());
        for (url, code, insecure, field, problem) in [
            (
                "192.168.1.20:8470",
                typed.as_str(),
                false,
                "hub_url",
                Problem::HubAddress,
            ),
            ("ftp://hub", &typed, false, "hub_url", Problem::HubAddress),
            ("https://hub", "   ", false, "code", Problem::EnrollmentCode),
            (
                "https://hub",
                &"X".repeat(61),
                false,
                "code",
                Problem::EnrollmentCode,
            ),
            // An HTTPS hub is only trusted by the fingerprint the code carries.
            (
                "https://hub",
                "ABCD-EFGH-JKMN",
                false,
                "code",
                Problem::CodeWithoutFingerprint,
            ),
            // Plain HTTP must be asked for by name.
            ("http://hub", &typed, false, "hub_url", Problem::PlainHttp),
        ] {
            let e = Request::parse(url, code, insecure).unwrap_err();
            assert_eq!(e.field_name(), Some(field), "{url} {code}");
            assert!(matches!(&e, OpsError::Invalid(f) if f.problem == problem), "{e}");
        }
    }
}
