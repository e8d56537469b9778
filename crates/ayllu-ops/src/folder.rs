//! A data folder: where a device or a hub keeps its store, encrypted, and the lock on its
//! key (`ayllu.lock`, see `ayllu-lock`). Every face opens a store here and only here, with
//! the secret that unlocks it: the promotora's PIN on a phone, the staff passphrase on the
//! health post's hub.

use std::path::{Path, PathBuf};

use ayllu_lock::{DeviceKey, KdfParams, Keystore, LockFile, Secret, StoreKey, Unlock};
use ayllu_model::{FieldError, Problem};
use ayllu_store::Store;
use chrono::{DateTime, Utc};

use crate::OpsError;

/// The store's file inside a data folder (the app's and the command's alike).
pub const STORE_FILE: &str = "ayllu.sqlite3";
/// The lock on the store's key.
pub const LOCK_FILE: &str = "ayllu.lock";

pub fn store_path(data: &Path) -> PathBuf {
    data.join(STORE_FILE)
}

fn lock_path(data: &Path) -> PathBuf {
    data.join(LOCK_FILE)
}

/// What a data folder needs before it opens: the lock screen reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FolderState {
    /// Nothing here yet: the first start sets the PIN.
    New,
    /// A store from before stores were encrypted: setting the PIN encrypts it.
    Unlocked,
    /// Locked: `by` is what opens it; `wait_secs` after too many wrong tries.
    Locked { by: Unlock, wait_secs: u32 },
}

pub fn state(data: &Path, now: DateTime<Utc>) -> Result<FolderState, OpsError> {
    match read_lock(data)? {
        Some(lock) => Ok(FolderState::Locked {
            by: lock.unlocked_by,
            wait_secs: lock
                .wait_before_try(now)
                .map_or(0, |w| w.num_seconds().clamp(0, u32::MAX as i64) as u32),
        }),
        None if store_path(data).exists() => Ok(FolderState::Unlocked),
        None => Ok(FolderState::New),
    }
}

/// "I forgot my PIN": the locked folder is moved aside, whole (the PIN, if it comes back to
/// mind, still opens it there), and an empty one takes its place; linking the device to the
/// health post again brings back every household it had sent. Only a locked folder: there
/// is nothing to forget otherwise. Returns where the old one went.
pub fn set_aside(data: &Path, now: DateTime<Utc>) -> Result<PathBuf, OpsError> {
    if read_lock(data)?.is_none() {
        return Err(OpsError::NotLocked);
    }
    let name = data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ayllu-data".into());
    let aside = data.with_file_name(format!("{name}.apartado-{}", now.format("%Y%m%d-%H%M%S")));
    // One rename: a power cut leaves the folder where it was, or aside whole.
    std::fs::rename(data, &aside).map_err(OpsError::io(data))?;
    std::fs::create_dir_all(data).map_err(OpsError::io(data))?;
    Ok(aside)
}

fn read_lock(data: &Path) -> Result<Option<LockFile>, OpsError> {
    let path = lock_path(data);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(LockFile::parse(&bytes).map_err(OpsError::Lock)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(OpsError::io(&path)(e)),
    }
}

/// Writes the lock file so that a power cut leaves the old one or the new one, whole.
fn write_lock(data: &Path, lock: &LockFile) -> Result<(), OpsError> {
    let path = lock_path(data);
    let tmp = data.join(format!("{LOCK_FILE}.tmp"));
    let io = OpsError::io(&path);
    (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&lock.to_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(data)?.sync_all()
    })()
    .map_err(io)
}

/// The secret as the lock asks for it: a 6-digit PIN or the staff passphrase.
pub fn parse_secret(text: &str, by: Unlock) -> Result<Secret, OpsError> {
    let (field, parsed) = match by {
        Unlock::Pin => ("pin", Secret::pin(text)),
        Unlock::Passphrase => ("passphrase", Secret::passphrase(text)),
    };
    parsed.map_err(|p| {
        OpsError::Invalid(FieldError::new(
            field,
            match p {
                ayllu_lock::SecretProblem::PinFormat => Problem::PinFormat,
                ayllu_lock::SecretProblem::PassphraseTooShort => Problem::PassphraseTooShort,
                ayllu_lock::SecretProblem::PassphraseTooLong => Problem::TooLong,
            },
        ))
    })
}

/// A secret being set, typed twice: valid (naming `pin` or `passphrase` otherwise) and the
/// same both times as the lock reads it (naming `pin_again` or `passphrase_again`).
pub fn parse_typed_twice(text: &str, again: &str, by: Unlock) -> Result<Secret, OpsError> {
    let secret = parse_secret(text, by)?;
    let field = match by {
        Unlock::Pin => "pin_again",
        Unlock::Passphrase => "passphrase_again",
    };
    match parse_secret(again, by) {
        Ok(other) if other == secret => Ok(secret),
        _ => Err(FieldError::new(field, Problem::PinMismatch).into()),
    }
}

/// Unlocks the store's key with `secret`. A wrong one is counted in the lock file before
/// the refusal is returned, so a restart does not reset the wait.
pub fn unlock(data: &Path, secret: &str, now: DateTime<Utc>) -> Result<StoreKey, OpsError> {
    unlock_on(data, secret, None, now)
}

/// [`unlock`] on a device with a keystore: a lock sealed to it needs its device key (a
/// copy of the folder elsewhere opens with no PIN); a lock not sealed yet is sealed once
/// it opened, so an install from before gains it. Without a keystore (none running, or
/// the command line), a sealed lock does not open.
pub fn unlock_on(
    data: &Path,
    secret: &str,
    keystore: Option<&dyn Keystore>,
    now: DateTime<Utc>,
) -> Result<StoreKey, OpsError> {
    let Some(mut lock) = read_lock(data)? else {
        return Err(OpsError::NotLocked);
    };
    let secret = parse_secret(secret, lock.unlocked_by)?;
    let before = lock.clone();
    let device = match (&lock.device_seal, keystore) {
        (Some(seal), Some(keystore)) => keystore.get(&seal.id).map_err(OpsError::Keystore)?,
        _ => None,
    };
    let result = lock.unlock(&secret, device.as_ref(), now);
    if result.is_ok()
        && let Some(keystore) = keystore
    {
        seal(&mut lock, keystore);
    }
    if lock != before {
        write_lock(data, &lock)?;
    }
    result.map_err(OpsError::Lock)
}

/// Seals `lock` to a new device key kept in `keystore` (the key first: a lock is never
/// sealed to a key the keystore did not take). A keystore that refuses leaves the lock
/// as it was: the PIN alone still opens it.
fn seal(lock: &mut LockFile, keystore: &dyn Keystore) {
    if lock.device_seal.is_some() {
        return;
    }
    let key = DeviceKey::random();
    let id = format!("ayllu-{}", uuid::Uuid::new_v4());
    if keystore.put(&id, &key).is_ok() {
        let _ = lock.seal_to_device(&key, &id);
    }
}

/// Opens the store of an existing data folder with the secret of its lock; only the
/// operations that set a folder up create one, so a mistyped `--data` never starts an
/// empty census by accident. A store from before encryption is locked with this secret
/// (a PIN for a phone) and encrypted in place, once.
pub fn open(data: &Path, secret: &str) -> Result<Store, OpsError> {
    let path = store_path(data);
    if !path.exists() {
        return Err(OpsError::NoStore(data.to_path_buf()));
    }
    let key = match read_lock(data)? {
        Some(_) => unlock(data, secret, Utc::now())?,
        None => lock_new(data, secret, Unlock::Pin, None)?,
    };
    open_with_key(data, &key)
}

/// Opens the store of a data folder, creating both (and the lock, opened by `by`) if
/// needed: the app's first start, a new hub.
pub fn open_or_create(data: &Path, secret: &str, by: Unlock) -> Result<Store, OpsError> {
    open_or_create_on(data, secret, by, None)
}

/// [`open_or_create`] on a device with a keystore: a new lock is sealed to it.
pub fn open_or_create_on(
    data: &Path,
    secret: &str,
    by: Unlock,
    keystore: Option<&dyn Keystore>,
) -> Result<Store, OpsError> {
    std::fs::create_dir_all(data).map_err(OpsError::io(data))?;
    let key = match read_lock(data)? {
        Some(_) => unlock_on(data, secret, keystore, Utc::now())?,
        None => lock_new(data, secret, by, keystore)?,
    };
    open_with_key(data, &key)
}

/// A new lock over a new key, written (durably) before any store is encrypted with it.
fn lock_new(
    data: &Path,
    secret: &str,
    by: Unlock,
    keystore: Option<&dyn Keystore>,
) -> Result<StoreKey, OpsError> {
    let secret = parse_secret(secret, by)?;
    let (mut lock, key) = LockFile::create(&secret, by, kdf()).map_err(OpsError::Lock)?;
    if let Some(keystore) = keystore {
        seal(&mut lock, keystore);
    }
    write_lock(data, &lock)?;
    Ok(key)
}

/// Opens with an unlocked key, encrypting a store left plain (an older install, or a
/// migration cut off by a power cut: it starts again from the plain store, whole).
pub fn open_with_key(data: &Path, key: &StoreKey) -> Result<Store, OpsError> {
    let path = store_path(data);
    if path.exists() && Store::is_plain(&path).map_err(OpsError::io(&path))? {
        Store::encrypt_in_place(&path, key)?;
    }
    Ok(Store::open_encrypted(&path, key)?)
}

/// Argon2id's cost for new locks: `AYLLU_KDF_FAST=1` makes it cheap for test suites that
/// open hundreds of folders (the code path is the same; a lock file records its cost).
fn kdf() -> KdfParams {
    if std::env::var_os("AYLLU_KDF_FAST").is_some() {
        KdfParams {
            m_kib: 8 * 1024,
            t: 1,
            p: 1,
        }
    } else {
        KdfParams::STANDARD
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ayllu_lock::LockError;

    const PIN: &str = "482913";

    #[test]
    fn a_forgotten_pin_sets_the_locked_folder_aside_whole() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("ayllu-data");
        // Nothing locked: nothing to forget.
        std::fs::create_dir_all(&data).unwrap();
        assert!(matches!(set_aside(&data, Utc::now()), Err(OpsError::NotLocked)));
        drop(open_or_create(&data, "482913", Unlock::Pin).unwrap());
        let aside = set_aside(&data, Utc::now()).unwrap();
        assert!(
            aside
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("ayllu-data.apartado-")
        );
        assert_eq!(state(&data, Utc::now()).unwrap(), FolderState::New);
        // The PIN, remembered later, still opens the data set aside.
        open(&aside, "482913").unwrap();
    }

    #[test]
    fn a_missing_folder_is_not_created_by_open() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("typo");
        assert!(matches!(open(&data, PIN), Err(OpsError::NoStore(_))));
        assert!(!data.exists());
        open_or_create(&data, PIN, Unlock::Pin).unwrap();
        assert!(store_path(&data).exists() && lock_path(&data).exists());
        open(&data, PIN).unwrap();
    }

    #[test]
    fn a_wrong_pin_opens_nothing_and_its_wait_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("datos");
        drop(open_or_create(&data, PIN, Unlock::Pin).unwrap());
        let now = Utc::now();
        let mut at = now;
        for n in 1..=10 {
            at += ayllu_lock::wait_after(n - 1);
            let e = unlock(&data, "000000", at).unwrap_err();
            assert!(
                matches!(e, OpsError::Lock(LockError::Wrong { failures, .. }) if failures == n),
                "{e:?}"
            );
        }
        // "A restart": the state is read from the folder again.
        let FolderState::Locked { wait_secs, .. } = state(&data, at).unwrap() else {
            panic!("locked")
        };
        assert_eq!(wait_secs, 640);
        let e = unlock(&data, PIN, at + chrono::TimeDelta::seconds(60)).unwrap_err();
        assert!(matches!(e, OpsError::Lock(LockError::TooSoon { .. })), "{e:?}");
        unlock(&data, PIN, at + chrono::TimeDelta::seconds(640)).unwrap();
        assert!(matches!(
            state(&data, at).unwrap(),
            FolderState::Locked { wait_secs: 0, .. }
        ));
        // A PIN that is not six digits is refused naming the field, and is not a try.
        let e = unlock(&data, "12", at).unwrap_err();
        assert_eq!((e.field_name(), e.code()), (Some("pin"), "pin_format"));
    }

    #[test]
    fn an_older_plain_store_is_locked_and_encrypted_on_first_open() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("datos");
        std::fs::create_dir_all(&data).unwrap();
        let device = Store::open(&store_path(&data)).unwrap().device_id();
        assert_eq!(state(&data, Utc::now()).unwrap(), FolderState::Unlocked);
        let store = open(&data, PIN).unwrap();
        assert_eq!(store.device_id(), device);
        drop(store);
        assert!(!Store::is_plain(&store_path(&data)).unwrap());
        assert!(matches!(
            state(&data, Utc::now()).unwrap(),
            FolderState::Locked { by: Unlock::Pin, .. }
        ));
        assert!(open(&data, "111111").is_err());
    }
}
