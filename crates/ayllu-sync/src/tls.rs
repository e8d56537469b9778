//! Trusting the hub: it has no CA-signed certificate (it is a laptop at a health post, its
//! address changes with the Wi-Fi), so a phone pins the hub's self-signed certificate by its
//! SHA-256 fingerprint, learnt from the enrollment code. Names and dates in the certificate
//! are not looked at; the handshake signature is, so only the holder of the hub's private
//! key passes.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// Letters and digits that cannot be misread when dictated or typed (no 0/O, 1/I/L): the
/// enrollment codes and the short fingerprint in them.
pub const DICTATION_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Characters of a typed fingerprint: 16 of 31 symbols, about 79 bits of the SHA-256
/// (finding another certificate that matches them is 2^79 work).
pub const SHORT_LEN: usize = 16;

/// Characters of an enrollment code's secret part (about 59 bits, spent at first use).
pub const SECRET_LEN: usize = 12;

/// What the staff read out or print: the one-time secret, then the short fingerprint of the
/// hub's certificate, in groups of four (`XXXX-XXXX-XXXX-FFFF-FFFF-FFFF-FFFF`).
pub fn typed_code(secret: &str, hub: &Fingerprint) -> String {
    let all: Vec<char> = secret
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .chain(hub.short().chars())
        .collect();
    all.chunks(4)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed enrollment code split into its secret (for the hub) and the hub's short
/// fingerprint (kept by the phone), if it has one; `None` if it is not a code at all.
pub fn split_typed_code(text: &str) -> Option<(String, Option<Trust>)> {
    let clean: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !clean.bytes().all(|b| DICTATION_ALPHABET.contains(&b)) {
        return None;
    }
    match clean.len() {
        SECRET_LEN => Some((clean, None)),
        n if n == SECRET_LEN + SHORT_LEN => {
            let (secret, short) = clean.split_at(SECRET_LEN);
            Some((secret.to_string(), Trust::parse_short(short)))
        }
        _ => None,
    }
}

/// The SHA-256 of a certificate (DER).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn of(cert_der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(cert_der).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 hex digits (what settings and the QR link keep).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn parse_hex(text: &str) -> Option<Fingerprint> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Fingerprint(out))
    }

    /// The typed form: the first 80 bits written in [`DICTATION_ALPHABET`],
    /// [`SHORT_LEN`] characters.
    pub fn short(&self) -> String {
        let mut n = self.0[..10].iter().fold(0u128, |n, b| (n << 8) | u128::from(*b));
        let base = DICTATION_ALPHABET.len() as u128;
        let mut out = vec![0u8; SHORT_LEN];
        for digit in out.iter_mut().rev() {
            *digit = DICTATION_ALPHABET[(n % base) as usize];
            n /= base;
        }
        String::from_utf8(out).expect("ascii")
    }
}

/// How a phone knows it talks to its hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Only the certificate with this fingerprint (kept since enrollment, or from a QR).
    Pinned(Fingerprint),
    /// A certificate whose [`Fingerprint::short`] is this (a typed enrollment code); the
    /// full fingerprint seen is pinned from then on.
    Short(String),
    /// Plain HTTP, asked for by name (`--insecure-http`): anyone on the network reads and
    /// can change what is sent. Warned about wherever it is used.
    InsecureHttp,
}

impl Trust {
    fn accepts(&self, seen: &Fingerprint) -> bool {
        match self {
            Trust::Pinned(pin) => pin == seen,
            Trust::Short(short) => *short == seen.short(),
            Trust::InsecureHttp => false,
        }
    }

    /// A short fingerprint as typed (any case, dashes and spaces ignored), if it is one.
    pub fn parse_short(text: &str) -> Option<Trust> {
        let short: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (short.len() == SHORT_LEN && short.bytes().all(|b| DICTATION_ALPHABET.contains(&b)))
            .then_some(Trust::Short(short))
    }
}

/// What the verifier saw in the last handshake: the certificate's fingerprint and whether
/// it was refused (so a refusal reads "not your hub", not "no network").
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    pub fingerprint: Option<Fingerprint>,
    pub refused: bool,
}

#[derive(Debug)]
struct PinnedHub {
    trust: Trust,
    seen: Arc<Mutex<Seen>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedHub {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fingerprint = Fingerprint::of(end_entity);
        let accepted = self.trust.accepts(&fingerprint);
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Seen {
            fingerprint: Some(fingerprint),
            refused: !accepted,
        };
        if accepted {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The crypto both ends use (ring: builds for Android with the NDK's clang, no cmake).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS 1.3 client that accepts only the hub `trust` names; `seen` tells what it met.
pub fn client_config(trust: Trust) -> (rustls::ClientConfig, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let provider = provider();
    let verifier = PinnedHub {
        trust,
        seen: seen.clone(),
        provider: provider.clone(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("ring supports TLS 1.3")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    (config, seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_back_and_its_short_form_is_typable() {
        let f = Fingerprint::of(b"a certificate");
        assert_eq!(Fingerprint::parse_hex(&f.to_hex()), Some(f));
        assert_eq!(Fingerprint::parse_hex(&f.to_hex().to_uppercase()), Some(f));
        for bad in ["", "zz", &"0".repeat(63), &"g".repeat(64), &"é".repeat(32)] {
            assert_eq!(Fingerprint::parse_hex(bad), None, "{bad}");
        }
        let short = f.short();
        assert_eq!(short.len(), SHORT_LEN);
        // Typed in lower case with dashes, it is the same pin.
        let typed = format!("{}-{}", &short[..8], &short[8..]).to_lowercase();
        assert_eq!(Trust::parse_short(&typed), Some(Trust::Short(short.clone())));
        assert!(Trust::Short(short).accepts(&f));
        assert!(!Trust::Short(Fingerprint::of(b"another").short()).accepts(&f));
        assert_eq!(Trust::parse_short("0O1I-0O1I-0O1I-0O1I"), None);
        assert_eq!(Trust::parse_short("ABCD"), None);
    }

    #[test]
    fn a_typed_code_carries_the_secret_and_the_hubs_short_fingerprint() {
        let hub = Fingerprint::of(b"hub");
        let code = typed_code("ABCD-EFGH-JKMN", &hub);
        assert_eq!(code.len(), 7 * 4 + 6, "{code}");
        let (secret, trust) = split_typed_code(&code.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(secret, "ABCDEFGHJKMN");
        assert_eq!(trust, Some(Trust::Short(hub.short())));
        // The secret alone still reads (over plain HTTP, or with the fingerprint from a QR).
        assert_eq!(
            split_typed_code("abcd-efgh-jkmn"),
            Some(("ABCDEFGHJKMN".into(), None))
        );
        for bad in [
            "",
            "ABCD",
            "ABCD-EFGH-JKM0",
            &format!("{code}-XXXX"),
            "ÁBCD-EFGH-JKMN",
        ] {
            assert_eq!(split_typed_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_pin_accepts_its_certificate_only_and_plain_http_accepts_none() {
        let f = Fingerprint::of(b"hub");
        assert!(Trust::Pinned(f).accepts(&f));
        assert!(!Trust::Pinned(f).accepts(&Fingerprint::of(b"stranger")));
        assert!(!Trust::InsecureHttp.accepts(&f));
    }
}
