//! Enrolling proves the key. A phone's enrollment (`POST /v1/enroll`) names the one-time
//! code, the Automerge actor it writes under, its ed25519 public key and a name for staff,
//! and is signed with that key over the hub it meant (the certificate met in the TLS
//! handshake). The hub registers the key only if the signature verifies: a phone cannot
//! register a key whose secret it does not hold (another phone's, copied from a bundle),
//! and an enrollment signed for one code or one hub is worth nothing at another.
//!
//! Sans-IO: the phone's HTTP client signs ([`Application::sign`]), the hub's rules read
//! and check ([`Application::parse`], [`Application::verify`]); both use [`statement`].

use automerge::ActorId;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::tls::{self, Fingerprint};

/// The longest enrollment body the hub reads.
pub const MAX_BODY: usize = 4 * 1024;
/// The longest name a device may give itself (what staff see in the list).
pub const MAX_NAME: usize = 120;
/// The longest actor id (bytes): Automerge's are 16; ours never more than 32.
const MAX_ACTOR_BYTES: usize = 32;

/// Which hub the phone meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubSeen {
    /// The certificate met in the TLS handshake (the one the code's fingerprint named).
    Certificate(Fingerprint),
    /// Plain HTTP, asked for by name: no certificate, so nothing binds the enrollment to a
    /// machine (anyone on the network can read and change it anyway).
    PlainHttp,
}

/// Why an enrollment is refused before any code is looked at (nothing is spent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("enrollment request: {0}")]
    Malformed(String),
    #[error("the device's Automerge actor id is missing or malformed")]
    BadActor,
    #[error("the device's public key is missing or malformed (64 hex digits)")]
    BadKey,
    /// The signature does not verify for this code, actor, key, name and hub: the phone
    /// does not hold the key's secret, or signed for another code or another hub.
    #[error("the enrollment's signature does not verify: the device does not prove it holds its key")]
    BadSignature,
}

/// An enrollment as sent: the JSON body of `POST /v1/enroll`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The one-time code (its secret part; a whole typed code is cut to it).
    pub code: String,
    /// The Automerge actor (hex) the device writes under.
    pub actor: String,
    /// The device's ed25519 public key (hex), for the bundles it writes.
    pub public_key: String,
    #[serde(default)]
    pub name: String,
    /// ed25519 signature (hex, 128 digits) over [`statement`] by `public_key`'s secret.
    pub signature: String,
}

/// An application whose signature verified: the fields in their checked forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The code's secret part, normalised ([`secret_of`]).
    pub code: String,
    pub actor: ActorId,
    pub public_key: [u8; 32],
    pub name: String,
}

/// The secret part of a code as typed: letters and digits only, upper case; a whole typed
/// code (secret, then the short fingerprint of the hub's certificate) is cut to the secret.
pub fn secret_of(code: &str) -> String {
    let mut clean = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if clean.len() == tls::SECRET_LEN + tls::SHORT_LEN {
        clean.truncate(tls::SECRET_LEN);
    }
    clean
}

/// What is signed: every field of the enrollment, each with its length, and the hub.
/// A domain tag first, so a signature made for anything else (a bundle) never passes.
pub fn statement(code: &str, actor: &ActorId, public_key: &[u8; 32], name: &str, hub: HubSeen) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + name.len());
    out.extend_from_slice(b"ayllu enrollment v1\0");
    let mut field = |bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    field(secret_of(code).as_bytes());
    field(actor.to_bytes());
    field(public_key);
    field(name.as_bytes());
    match hub {
        HubSeen::Certificate(fingerprint) => {
            field(b"certificate");
            field(fingerprint.as_bytes());
        }
        HubSeen::PlainHttp => field(b"plain http"),
    }
    out
}

/// An ed25519 public key from 64 hex digits, if it is one (and not one of the weak keys
/// of small order, for which a signature proves nothing).
pub fn parse_public_key(hex_key: &str) -> Option<[u8; 32]> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
    let key = VerifyingKey::from_bytes(&bytes).ok()?;
    (!key.is_weak()).then_some(bytes)
}

/// An actor id as a device may register it: hex of 1 to 32 bytes.
pub fn parse_actor(hex_actor: &str) -> Option<ActorId> {
    let actor = ActorId::try_from(hex_actor.trim()).ok()?;
    let n = actor.to_bytes().len();
    (1..=MAX_ACTOR_BYTES).contains(&n).then_some(actor)
}

impl Application {
    /// The enrollment this device sends to the hub it met as `hub`, signed with its key.
    pub fn sign(code: &str, actor: &ActorId, key: &SigningKey, name: &str, hub: HubSeen) -> Application {
        let public_key = key.verifying_key().to_bytes();
        let code = secret_of(code);
        let signature = key.sign(&statement(&code, actor, &public_key, name, hub));
        Application {
            code,
            actor: actor.to_hex_string(),
            public_key: hex::encode(public_key),
            name: name.to_string(),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// A body as received (at most [`MAX_BODY`] bytes: the caller reads no more), its
    /// fields no longer than they can be.
    pub fn parse(body: &[u8]) -> Result<Application, Refused> {
        if body.len() > MAX_BODY {
            return Err(Refused::Malformed(format!("over {MAX_BODY} bytes")));
        }
        let app: Application = serde_json::from_slice(body).map_err(|e| Refused::Malformed(e.to_string()))?;
        if app.actor.len() > 2 * MAX_ACTOR_BYTES
            || app.public_key.len() > 64
            || app.name.len() > MAX_NAME
            || app.code.len() > 64
            || app.signature.len() > 128
        {
            return Err(Refused::Malformed("field too long".into()));
        }
        Ok(app)
    }

    /// Checks every field and the signature, for the hub the request reached as `hub`.
    pub fn verify(&self, hub: HubSeen) -> Result<Verified, Refused> {
        let actor = parse_actor(&self.actor).ok_or(Refused::BadActor)?;
        let public_key = parse_public_key(&self.public_key).ok_or(Refused::BadKey)?;
        let signature: [u8; 64] = hex::decode(self.signature.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(Refused::BadSignature)?;
        let key = VerifyingKey::from_bytes(&public_key).map_err(|_| Refused::BadKey)?;
        // Strict: no malleable signatures, no small-order components.
        key.verify_strict(
            &statement(&self.code, &actor, &public_key, &self.name, hub),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| Refused::BadSignature)?;
        Ok(Verified {
            code: secret_of(&self.code),
            actor,
            public_key,
            name: self.name.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn hub(seed: u8) -> HubSeen {
        HubSeen::Certificate(Fingerprint::of(&[seed]))
    }

    #[test]
    fn a_signed_application_verifies_for_its_hub_and_nothing_else() {
        let actor = ActorId::from([3u8; 16].as_slice());
        let app = Application::sign("abcd-efgh-jkmn", &actor, &key(1), "celular", hub(1));
        let body = serde_json::to_vec(&app).unwrap();
        let parsed = Application::parse(&body).unwrap();
        let ok = parsed.verify(hub(1)).unwrap();
        assert_eq!(ok.code, "ABCDEFGHJKMN");
        assert_eq!(ok.actor, actor);
        assert_eq!(ok.public_key, key(1).verifying_key().to_bytes());
        // Another hub, or plain HTTP where a certificate was met: refused.
        assert_eq!(parsed.verify(hub(2)), Err(Refused::BadSignature));
        assert_eq!(parsed.verify(HubSeen::PlainHttp), Err(Refused::BadSignature));
        // Any field changed after signing: refused. Another phone's key with one's own
        // signature is the attack this stops.
        let changed = [
            Application {
                code: "ABCDEFGHJKMP".into(),
                ..parsed.clone()
            },
            Application {
                actor: ActorId::from([4u8; 16].as_slice()).to_hex_string(),
                ..parsed.clone()
            },
            Application {
                public_key: hex::encode(key(2).verifying_key().to_bytes()),
                ..parsed.clone()
            },
            Application {
                name: "otro".into(),
                ..parsed.clone()
            },
        ];
        for app in changed {
            assert_eq!(app.verify(hub(1)), Err(Refused::BadSignature), "{app:?}");
        }
        // Dashes or case in the code as typed do not matter.
        let typed = Application {
            code: "abcd-efgh-jkmn".into(),
            ..parsed.clone()
        };
        assert!(typed.verify(hub(1)).is_ok());
    }

    #[test]
    fn malformed_fields_are_named() {
        let actor = ActorId::from([3u8; 16].as_slice());
        let good = Application::sign("ABCDEFGHJKMN", &actor, &key(1), "", HubSeen::PlainHttp);
        let with = |f: &dyn Fn(&mut Application)| {
            let mut a = good.clone();
            f(&mut a);
            a.verify(HubSeen::PlainHttp)
        };
        assert_eq!(with(&|a| a.actor = "not hex".into()), Err(Refused::BadActor));
        assert_eq!(with(&|a| a.actor = String::new()), Err(Refused::BadActor));
        assert_eq!(with(&|a| a.actor = "ab".repeat(33)), Err(Refused::BadActor));
        assert_eq!(with(&|a| a.public_key = "zz".repeat(32)), Err(Refused::BadKey));
        assert_eq!(with(&|a| a.public_key = "00".repeat(31)), Err(Refused::BadKey));
        // The identity point: a weak key any signature "verifies" under.
        let identity = format!("01{}", "00".repeat(31));
        assert_eq!(with(&|a| a.public_key = identity.clone()), Err(Refused::BadKey));
        assert_eq!(
            with(&|a| a.signature = "00".repeat(64)),
            Err(Refused::BadSignature)
        );
        assert_eq!(with(&|a| a.signature = "xyz".into()), Err(Refused::BadSignature));
        assert!(with(&|_| {}).is_ok());
        for body in [
            &b"{}"[..],
            b"not json",
            br#"{"code":"A","actor":"00","public_key":"00","signature":"00","device_id":"mine"}"#,
        ] {
            assert!(matches!(Application::parse(body), Err(Refused::Malformed(_))));
        }
        let long = serde_json::to_vec(&Application {
            name: "x".repeat(MAX_NAME + 1),
            ..good.clone()
        })
        .unwrap();
        assert_eq!(
            Application::parse(&long),
            Err(Refused::Malformed("field too long".into()))
        );
        assert!(matches!(
            Application::parse(&vec![b' '; MAX_BODY + 1]),
            Err(Refused::Malformed(_))
        ));
    }

    #[test]
    fn a_whole_typed_code_signs_as_its_secret() {
        let hub = Fingerprint::of(b"hub");
        let typed = tls::typed_code("ABCD-EFGH-JKMN", &hub);
        assert_eq!(secret_of(&typed), "ABCDEFGHJKMN");
        assert_eq!(secret_of(" k7qf-3mzp-xa22 "), "K7QF3MZPXA22");
    }
}
