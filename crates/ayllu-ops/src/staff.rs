//! The staff passphrase: what opens the health post's screens (facility mode, enrolling and
//! revoking phones, exports) on top of the PIN that opens the app. Set once on the post's
//! equipment; kept only as a hash inside the encrypted store.

use ayllu_lock::{staff_matches, staff_verifier};
use ayllu_model::{FieldError, Problem};
use ayllu_store::Store;

use crate::OpsError;

const VERIFIER: &str = "staff_passphrase";

pub fn is_set(store: &Store) -> Result<bool, OpsError> {
    Ok(store.setting(VERIFIER)?.is_some())
}

/// Sets the passphrase, typed twice; only where none is set (changing it is for staff who
/// know it: a later issue).
pub fn set(store: &Store, passphrase: &str, again: &str) -> Result<(), OpsError> {
    if is_set(store)? {
        return Err(FieldError::new("passphrase", Problem::PinAlreadySet).into());
    }
    let secret = crate::folder::parse_typed_twice(passphrase, again, ayllu_lock::Unlock::Passphrase)?;
    store.set_setting(VERIFIER, &staff_verifier(&secret))?;
    Ok(())
}

/// Checks the passphrase; a wrong one is refused naming the field.
pub fn check(store: &Store, passphrase: &str) -> Result<(), OpsError> {
    let secret = crate::folder::parse_secret(passphrase, ayllu_lock::Unlock::Passphrase)?;
    match store.setting(VERIFIER)? {
        Some(v) if staff_matches(&v, &secret) => Ok(()),
        Some(_) => Err(FieldError::new("passphrase", Problem::StaffPassphraseWrong).into()),
        None => Err(FieldError::new("passphrase", Problem::Required).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_passphrase_is_set_once_checked_and_never_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        assert!(!is_set(&store).unwrap());
        let e = set(&store, "corta", "corta").unwrap_err();
        assert_eq!(e.code(), "passphrase_too_short");
        let e = set(&store, "puesto de salud Ccorca", "puesto de salud Ccorka").unwrap_err();
        assert_eq!(
            (e.field_name(), e.code()),
            (Some("passphrase_again"), "pin_mismatch")
        );
        set(&store, "puesto de salud Ccorca", "puesto de salud Ccorca").unwrap();
        assert!(is_set(&store).unwrap());
        assert!(
            store
                .setting(VERIFIER)
                .unwrap()
                .is_some_and(|v| !v.contains("Ccorca"))
        );
        check(&store, "puesto de salud Ccorca").unwrap();
        let e = check(&store, "puesto de salud ccorca").unwrap_err();
        assert_eq!(
            (e.field_name(), e.code()),
            (Some("passphrase"), "staff_passphrase_wrong")
        );
        assert!(
            set(&store, "otra frase de acceso", "otra frase de acceso").is_err(),
            "set once"
        );
    }
}
