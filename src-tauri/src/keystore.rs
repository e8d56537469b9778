//! The device's keystore: it keeps the key that seals the data folder's lock, so a copy of
//! the folder opens nowhere else, whatever PIN is tried. On a Linux desktop that is the
//! freedesktop Secret Service (GNOME Keyring, KWallet) of the person's session; the
//! Android Keystore is the same [`Keystore`] through the Android shell (not built here:
//! no NDK on our machines). No keystore: the PIN alone guards the folder, as before.

use ayllu_lock::{DeviceKey, Keystore, KeystoreError};

/// Entries are named "Ayllu" / the lock's seal id in the keyring.
const SERVICE: &str = "Ayllu";

fn failed(e: impl std::fmt::Display) -> KeystoreError {
    KeystoreError(e.to_string())
}

#[cfg(target_os = "linux")]
pub struct SecretService(std::sync::Arc<zbus_secret_service_keyring_store::Store>);

#[cfg(target_os = "linux")]
impl SecretService {
    /// The session's Secret Service, if one answers.
    pub fn connect() -> Result<SecretService, KeystoreError> {
        within(|| zbus_secret_service_keyring_store::Store::new().map_err(failed)).map(SecretService)
    }

    fn entry(&self, id: &str) -> Result<keyring_core::Entry, KeystoreError> {
        use keyring_core::api::CredentialStoreApi;
        self.0.build(SERVICE, id, None).map_err(failed)
    }

    /// Forgets the key kept under `id` (tests; a device handed to someone else).
    pub fn forget(&self, id: &str) -> Result<(), KeystoreError> {
        self.entry(id)?.delete_credential().map_err(failed)
    }
}

/// A keyring that asks its owner for a password (a locked login keyring) may wait on a
/// dialog no one sees: every call gives up after this, and the lock screen says so.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `call` on its own thread and waits at most [`ANSWER_WITHIN`] for it.
fn within<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, KeystoreError> + Send + 'static,
) -> Result<T, KeystoreError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    rx.recv_timeout(ANSWER_WITHIN)
        .map_err(|_| KeystoreError("the keyring did not answer".into()))?
}

#[cfg(target_os = "linux")]
impl Keystore for SecretService {
    fn get(&self, id: &str) -> Result<Option<DeviceKey>, KeystoreError> {
        let entry = self.entry(id)?;
        let bytes = within(move || match entry.get_secret() {
            Ok(bytes) => Ok(Some(zeroize::Zeroizing::new(bytes))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        })?;
        Ok(bytes.and_then(|b| DeviceKey::from_bytes(b.as_slice())))
    }

    fn put(&self, id: &str, key: &DeviceKey) -> Result<(), KeystoreError> {
        let entry = self.entry(id)?;
        let bytes = zeroize::Zeroizing::new(key.bytes().to_vec());
        within(move || entry.set_secret(&bytes).map_err(failed))
    }
}

/// This device's keystore, if it has one running.
pub fn device_keystore() -> Option<Box<dyn Keystore + Send + Sync>> {
    #[cfg(target_os = "linux")]
    {
        SecretService::connect()
            .ok()
            .map(|s| Box::new(s) as Box<dyn Keystore + Send + Sync>)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Needs a Secret Service in the session: `scripts/test.sh` runs it under
    /// `dbus-run-session` with an unlocked GNOME Keyring (`scripts/keystore-test.sh`).
    #[test]
    #[ignore = "needs a Secret Service: run by scripts/keystore-test.sh"]
    fn a_folder_sealed_to_the_keystore_opens_only_on_this_device() {
        let keystore = SecretService::connect().expect("a Secret Service in this session");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("phone");
        let pin = "482913";
        let store =
            ayllu_ops::folder::open_or_create_on(&data, pin, ayllu_lock::Unlock::Pin, Some(&keystore))
                .unwrap();
        drop(store);
        let lock = ayllu_lock::LockFile::parse(&std::fs::read(data.join("ayllu.lock")).unwrap()).unwrap();
        let id = lock
            .device_seal
            .as_ref()
            .expect("sealed to the keystore")
            .id
            .clone();
        assert!(keystore.get(&id).unwrap().is_some());

        // This device: the PIN opens it.
        let now = chrono::Utc::now();
        ayllu_ops::folder::unlock_on(&data, pin, Some(&keystore), now).unwrap();
        // The folder copied elsewhere (no keystore, as the command line or another
        // machine): the right PIN opens nothing, and no try is counted.
        let copy = dir.path().join("copy");
        std::fs::create_dir_all(&copy).unwrap();
        for f in std::fs::read_dir(&data).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
        }
        let e = ayllu_ops::folder::unlock_on(&copy, pin, None, now).unwrap_err();
        assert_eq!(e.code(), "other_device", "{e}");
        assert!(ayllu_ops::folder::open(&copy, pin).is_err());

        // A wiped keystore (a reset phone): the data do not open here either; the words say
        // what to do (link again; sync brings the households back).
        keystore.forget(&id).unwrap();
        let e = ayllu_ops::folder::unlock_on(&data, pin, Some(&keystore), now).unwrap_err();
        assert_eq!(e.code(), "other_device");
        let words = e.words().render(ayllu_model::Lang::ES);
        assert!(words.contains("vincúlelo otra vez"), "{words}");

        // An older folder locked by PIN only is sealed the first time it opens here.
        let older = dir.path().join("older");
        drop(ayllu_ops::folder::open_or_create(&older, pin, ayllu_lock::Unlock::Pin).unwrap());
        let read = || ayllu_lock::LockFile::parse(&std::fs::read(older.join("ayllu.lock")).unwrap()).unwrap();
        assert!(read().device_seal.is_none());
        ayllu_ops::folder::unlock_on(&older, pin, Some(&keystore), now).unwrap();
        let sealed = read().device_seal.expect("sealed once opened");
        keystore.forget(&sealed.id).unwrap();
    }
}
