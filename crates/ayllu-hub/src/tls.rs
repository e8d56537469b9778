//! The hub's certificate (its server's TLS is `ayllu-hub-server`'s): self-signed, made on first use and kept in the hub's (encrypted)
//! store, so its fingerprint, given to phones in the enrollment code, never changes.

use ayllu_store::{Store, StoreError};
use ayllu_sync::tls::Fingerprint;

const CERTIFICATE: &str = "hub.tls_certificate";
const PRIVATE_KEY: &str = "hub.tls_private_key";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("making the hub's certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("the hub's certificate or key is unusable: {0}")]
    Unusable(String),
}

/// The hub as a phone meets it over HTTPS (its certificate): what an enrollment sent to
/// it must be signed for. For in-process callers (tests, benches) that redeem directly.
pub fn seen_over_tls(store: &Store) -> Result<ayllu_sync::enrollment::HubSeen, TlsError> {
    Ok(ayllu_sync::enrollment::HubSeen::Certificate(
        Identity::of(store)?.fingerprint(),
    ))
}

/// The hub's certificate and private key (DER).
pub struct Identity {
    certificate: Vec<u8>,
    private_key: Vec<u8>,
}

impl Identity {
    /// The hub's identity, made the first time (ECDSA P-256, not a CA, for server
    /// authentication only). Kept in the store, whose encryption protects the key.
    pub fn of(store: &Store) -> Result<Identity, TlsError> {
        let kept = (store.setting(CERTIFICATE)?, store.setting(PRIVATE_KEY)?);
        if let (Some(c), Some(k)) = kept
            && let (Ok(certificate), Ok(private_key)) = (hex::decode(c), hex::decode(k))
        {
            return Ok(Identity {
                certificate,
                private_key,
            });
        }
        let identity = Identity::generate()?;
        store.set_setting(CERTIFICATE, &hex::encode(&identity.certificate))?;
        store.set_setting(PRIVATE_KEY, &hex::encode(&identity.private_key))?;
        Ok(identity)
    }

    fn generate() -> Result<Identity, TlsError> {
        use rcgen::{
            CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        // The name is for people reading it; phones check the fingerprint, not the name.
        let mut params = CertificateParams::new(vec!["ayllu-hub".to_string()])?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Ayllu hub");
        params.distinguished_name = name;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // Phones pin it and do not read its dates (their clocks are often wrong); these only
        // keep other TLS tools from calling it expired.
        params.not_before = rcgen::date_time_ymd(2025, 1, 1);
        params.not_after = rcgen::date_time_ymd(2075, 1, 1);
        let certificate = params.self_signed(&key)?;
        Ok(Identity {
            certificate: certificate.der().to_vec(),
            private_key: key.serialize_der(),
        })
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.certificate)
    }

    /// The certificate (DER), which phones pin by its SHA-256.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// The certificate's private key (PKCS#8 DER), for the server's TLS.
    pub fn private_key_der(&self) -> &[u8] {
        &self.private_key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("hub.db")).unwrap();
        let first = Identity::of(&store).unwrap();
        let again = Identity::of(&store).unwrap();
        assert_eq!(first.fingerprint(), again.fingerprint());
        // Another hub, another certificate.
        let other = Store::open(&dir.path().join("other.db")).unwrap();
        assert_ne!(Identity::of(&other).unwrap().fingerprint(), first.fingerprint());
    }
}
