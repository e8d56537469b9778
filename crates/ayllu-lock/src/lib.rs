//! The lock on a data folder: the store is encrypted (SQLCipher) with a random key made once
//! per install; that key is kept only wrapped, by a key derived with Argon2id from the
//! promotora's 6-digit PIN (or, on the health post's equipment, the staff passphrase).
//!
//! Sans-IO: a [`LockFile`] is a value read from and written to `ayllu.lock` by the caller;
//! this crate never touches a disk or a clock (the time is passed in). Wrong tries are
//! counted in the lock file and slow the next try down ([`wait_after`]), so a restart does
//! not reset them. What this does not protect against is said in `docs/security.md`.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

/// A lock file is small: anything bigger is not one of ours.
pub const MAX_LOCK_FILE_BYTES: usize = 4096;
const LOCK_VERSION: u32 = 1;
/// Bound to the file's purpose: a wrapped key moved into another kind of file fails.
const AAD: &[u8] = b"ayllu store key v1";
/// The device seal's purpose, likewise.
const DEVICE_AAD: &[u8] = b"ayllu device seal v1";

/// A key the device's keystore keeps (the Android Keystore; the desktop's Secret Service),
/// never written to the data folder. A lock sealed with it cannot be opened from a copy of
/// the folder, whatever the PIN: an offline attacker has no PINs to try.
pub struct DeviceKey(Zeroizing<[u8; 32]>);

impl DeviceKey {
    pub fn random() -> DeviceKey {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut()).expect("the system's random source");
        DeviceKey(k)
    }

    /// A key read back from a keystore: exactly 32 bytes, or none.
    pub fn from_bytes(bytes: &[u8]) -> Option<DeviceKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(DeviceKey(Zeroizing::new(array)))
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKey(…)")
    }
}

/// Where a device key lives. Implemented by the app's shell (the keystores are
/// platform services); this crate only seals and opens with the key it is given.
pub trait Keystore {
    /// The key kept under `id`, if this device has one.
    fn get(&self, id: &str) -> Result<Option<DeviceKey>, KeystoreError>;
    /// Keeps `key` under `id`.
    fn put(&self, id: &str, key: &DeviceKey) -> Result<(), KeystoreError>;
}

/// The keystore could not be reached or refused (no keyring running, locked, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the device keystore: {0}")]
pub struct KeystoreError(pub String);

/// What unlocks: the promotora's PIN (exactly 6 digits) or the staff passphrase (at least
/// 10 characters). Kept out of `Debug` and wiped when dropped.
pub struct Secret(Zeroizing<String>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretProblem {
    #[error("a PIN is exactly 6 digits")]
    PinFormat,
    #[error("a passphrase has at least 10 characters")]
    PassphraseTooShort,
    #[error("a passphrase has at most 256 characters")]
    PassphraseTooLong,
}

impl SecretProblem {
    pub fn code(self) -> &'static str {
        match self {
            SecretProblem::PinFormat => "pin_format",
            SecretProblem::PassphraseTooShort => "passphrase_too_short",
            SecretProblem::PassphraseTooLong => "too_long",
        }
    }
}

impl Secret {
    pub fn pin(text: &str) -> Result<Secret, SecretProblem> {
        let t = text.trim();
        if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Secret(Zeroizing::new(t.to_string())))
        } else {
            Err(SecretProblem::PinFormat)
        }
    }

    pub fn passphrase(text: &str) -> Result<Secret, SecretProblem> {
        let t = text.trim_end_matches(['\n', '\r']);
        // Bounded before anything is derived from it: whatever arrives is hashed whole.
        match t.chars().count() {
            n if n < 10 => Err(SecretProblem::PassphraseTooShort),
            n if n > 256 => Err(SecretProblem::PassphraseTooLong),
            _ => Ok(Secret(Zeroizing::new(t.to_string()))),
        }
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Two secrets are the same when the lock reads them the same (a PIN's surrounding spaces,
/// a passphrase's line ending, do not count): how "typed twice" is checked.
impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.bytes() == other.bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The store's key: 32 random bytes, given to SQLCipher as a raw key. Wiped when dropped.
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    pub fn random() -> StoreKey {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut()).expect("the system's random source");
        StoreKey(k)
    }

    /// SQLCipher's raw-key form for `PRAGMA key`: `x'…'` (no key derivation inside
    /// SQLCipher: the key is already random).
    pub fn sqlcipher_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

/// Argon2id's cost. [`KdfParams::STANDARD`] is what new lock files use; the parameters are
/// written in the file, so a file made with others still opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: 118 ms on the build machine, about a second on a low-end
    /// phone (docs/benchmarks.md, "Unlocking").
    pub const STANDARD: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// Bounds on what a lock file may ask for: a file that asks for 4 GiB of memory is
    /// refused, not obeyed.
    fn check(self) -> Result<Params, LockError> {
        if !(8 * 1024..=1024 * 1024).contains(&self.m_kib)
            || !(1..=20).contains(&self.t)
            || !(1..=8).contains(&self.p)
        {
            return Err(LockError::Corrupt("argon2 parameters out of bounds"));
        }
        Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|_| LockError::Corrupt("argon2 parameters"))
    }
}

/// How long to wait before the next try after `failures` wrong ones in a row: none for the
/// first three (a thumb slips), then 5 s doubling each time, at most an hour.
pub fn wait_after(failures: u32) -> TimeDelta {
    if failures < 3 {
        return TimeDelta::zero();
    }
    let secs = 5i64.saturating_mul(1i64 << (failures - 3).min(20));
    TimeDelta::seconds(secs.min(3600))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// The secret did not open the key. `failures` in a row so far; the next try waits
    /// `wait`.
    #[error("wrong PIN or passphrase ({failures} in a row)")]
    Wrong { failures: u32, wait: TimeDelta },
    /// Too soon after wrong tries: nothing was tried.
    #[error("too many wrong tries: wait {} s", .wait.num_seconds())]
    TooSoon { wait: TimeDelta },
    #[error("the lock file is not valid: {0}")]
    Corrupt(&'static str),
    /// The lock is sealed to a device key this device does not have (a copy of the folder
    /// on another machine, or a keystore that was wiped). No PIN was tried.
    #[error("these data are sealed to another device's keystore")]
    OtherDevice,
}

/// The lock file's contents (`ayllu.lock` in the data folder, JSON). Nothing in it is
/// secret: the wrapped key is useless without the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockFile {
    pub version: u32,
    /// "pin" or "passphrase": what the screen asks for.
    pub unlocked_by: Unlock,
    pub kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped_key: String,
    /// Wrong tries in a row, and when the last one was: the wait survives a restart.
    pub failures: u32,
    pub last_failure: Option<DateTime<Utc>>,
    /// Sealed again with a key of the device's keystore, kept there under this id; the
    /// wrapped key is then the seal (64 bytes) around the PIN-wrapped key (48 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seal: Option<DeviceSeal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSeal {
    /// The keystore entry holding the device key.
    pub id: String,
    nonce: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Unlock {
    Pin,
    Passphrase,
}

fn derive(secret: &Secret, salt: &[u8], kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>, LockError> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, kdf.check()?);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(secret.bytes(), salt, out.as_mut())
        .map_err(|_| LockError::Corrupt("argon2"))?;
    Ok(out)
}

fn unhex<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N], LockError> {
    let v = hex::decode(s).map_err(|_| LockError::Corrupt(what))?;
    v.try_into().map_err(|_| LockError::Corrupt(what))
}

impl LockFile {
    /// A new lock over a new random store key.
    pub fn create(
        secret: &Secret,
        unlocked_by: Unlock,
        kdf: KdfParams,
    ) -> Result<(LockFile, StoreKey), LockError> {
        let key = StoreKey::random();
        let file = LockFile::wrap(&key, secret, unlocked_by, kdf)?;
        Ok((file, key))
    }

    /// The same store key under a new secret (a PIN changed).
    pub fn wrap(
        key: &StoreKey,
        secret: &Secret,
        unlocked_by: Unlock,
        kdf: KdfParams,
    ) -> Result<LockFile, LockError> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut salt).expect("the system's random source");
        getrandom::fill(&mut nonce).expect("the system's random source");
        let kek = derive(secret, &salt, kdf)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let wrapped = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key.0.as_ref(),
                    aad: AAD,
                },
            )
            .map_err(|_| LockError::Corrupt("encrypt"))?;
        Ok(LockFile {
            version: LOCK_VERSION,
            unlocked_by,
            kdf,
            salt: hex::encode(salt),
            nonce: hex::encode(nonce),
            wrapped_key: hex::encode(wrapped),
            failures: 0,
            last_failure: None,
            device_seal: None,
        })
    }

    /// Seals the wrapped key again with `device` (kept in the keystore under `id`): from
    /// now on the lock opens only with that key and the PIN. Already sealed: unchanged.
    pub fn seal_to_device(&mut self, device: &DeviceKey, id: &str) -> Result<(), LockError> {
        if self.device_seal.is_some() {
            return Ok(());
        }
        let inner: [u8; 48] = unhex(&self.wrapped_key, "wrapped key")?;
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).expect("the system's random source");
        let sealed = XChaCha20Poly1305::new(device.0.as_ref().into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &inner,
                    aad: DEVICE_AAD,
                },
            )
            .map_err(|_| LockError::Corrupt("encrypt"))?;
        self.wrapped_key = hex::encode(sealed);
        self.device_seal = Some(DeviceSeal {
            id: id.to_string(),
            nonce: hex::encode(nonce),
        });
        Ok(())
    }

    /// The PIN-wrapped key: the file's own, or opened from the device seal with `device`.
    fn inner_wrapped(&self, device: Option<&DeviceKey>) -> Result<[u8; 48], LockError> {
        let Some(seal) = &self.device_seal else {
            return unhex(&self.wrapped_key, "wrapped key");
        };
        let device = device.ok_or(LockError::OtherDevice)?;
        let nonce: [u8; 24] = unhex(&seal.nonce, "seal nonce")?;
        let sealed: [u8; 64] = unhex(&self.wrapped_key, "wrapped key")?;
        let mut inner = XChaCha20Poly1305::new(device.0.as_ref().into())
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: DEVICE_AAD,
                },
            )
            .map_err(|_| LockError::OtherDevice)?;
        let out: [u8; 48] = inner
            .as_slice()
            .try_into()
            .map_err(|_| LockError::Corrupt("seal"))?;
        inner.zeroize();
        Ok(out)
    }

    /// How long until a try is allowed, if it is not yet.
    pub fn wait_before_try(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        let last = self.last_failure?;
        let until = last + wait_after(self.failures);
        (until > now).then(|| until - now)
    }

    /// Opens the store key with `secret` (and, for a sealed lock, the device key), or
    /// counts a wrong try. The caller writes the file back after every call that changed
    /// it (`failures`), before saying anything. Without the right device key nothing is
    /// tried and nothing counted.
    pub fn unlock(
        &mut self,
        secret: &Secret,
        device: Option<&DeviceKey>,
        now: DateTime<Utc>,
    ) -> Result<StoreKey, LockError> {
        if let Some(wait) = self.wait_before_try(now) {
            return Err(LockError::TooSoon { wait });
        }
        let salt: [u8; 16] = unhex(&self.salt, "salt")?;
        let nonce: [u8; 24] = unhex(&self.nonce, "nonce")?;
        let wrapped = self.inner_wrapped(device)?;
        let kek = derive(secret, &salt, self.kdf)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        match cipher.decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &wrapped,
                aad: AAD,
            },
        ) {
            Ok(mut plain) => {
                let mut key = Zeroizing::new([0u8; 32]);
                key.copy_from_slice(&plain);
                plain.zeroize();
                self.failures = 0;
                self.last_failure = None;
                Ok(StoreKey(key))
            }
            Err(_) => {
                self.failures = self.failures.saturating_add(1);
                self.last_failure = Some(now);
                Err(LockError::Wrong {
                    failures: self.failures,
                    wait: wait_after(self.failures),
                })
            }
        }
    }

    /// Reads a lock file's bytes, bounded and checked before anything is derived from them.
    pub fn parse(bytes: &[u8]) -> Result<LockFile, LockError> {
        if bytes.len() > MAX_LOCK_FILE_BYTES {
            return Err(LockError::Corrupt("too large"));
        }
        let file: LockFile =
            serde_json::from_slice(bytes).map_err(|_| LockError::Corrupt("not a lock file"))?;
        if file.version != LOCK_VERSION {
            return Err(LockError::Corrupt("unknown version"));
        }
        file.kdf.check()?;
        unhex::<16>(&file.salt, "salt")?;
        unhex::<24>(&file.nonce, "nonce")?;
        match &file.device_seal {
            None => {
                unhex::<48>(&file.wrapped_key, "wrapped key")?;
            }
            Some(seal) => {
                unhex::<64>(&file.wrapped_key, "wrapped key")?;
                unhex::<24>(&seal.nonce, "seal nonce")?;
                if seal.id.is_empty() || seal.id.len() > 100 {
                    return Err(LockError::Corrupt("seal id"));
                }
            }
        }
        Ok(file)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a lock file serializes")
    }
}

/// What the store keeps to check the staff passphrase (facility screens, revoking a phone,
/// exports): an Argon2id hash in the PHC format (its salt and cost inside), never the
/// passphrase. Inside the encrypted store, so it is not even offered to an offline guesser.
pub fn staff_verifier(secret: &Secret) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    let k = KdfParams::STANDARD;
    let params = Params::new(k.m_kib, k.t, k.p, Some(32)).expect("standard parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(secret.bytes(), &salt)
        .expect("argon2 hashes")
        .to_string()
}

/// Whether `secret` is the staff passphrase `verifier` was made from. A verifier that
/// asks for an unbounded cost, or is not one, matches nothing.
pub fn staff_matches(verifier: &str, secret: &Secret) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let Ok(hash) = PasswordHash::new(verifier) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let bounded = KdfParams {
        m_kib: params.m_cost(),
        t: params.t_cost(),
        p: params.p_cost(),
    }
    .check()
    .is_ok();
    bounded && Argon2::default().verify_password(secret.bytes(), &hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters for tests: the code path is the same.
    const FAST: KdfParams = KdfParams {
        m_kib: 8 * 1024,
        t: 1,
        p: 1,
    };

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_lock_sealed_to_the_device_needs_its_key_and_the_pin() {
        let pin = Secret::pin("482913").unwrap();
        let (mut file, key) = LockFile::create(&pin, Unlock::Pin, FAST).unwrap();
        let device = DeviceKey::random();
        file.seal_to_device(&device, "ayllu-folder-1").unwrap();
        let bytes = file.to_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains(&hex::encode(device.bytes())));
        let mut read = LockFile::parse(&bytes).unwrap();
        assert_eq!(read.device_seal.as_ref().unwrap().id, "ayllu-folder-1");
        // A copy of the folder without the device's keystore: nothing opens, and no PIN
        // was tried (so none was counted: there is nothing to guess offline).
        assert_eq!(
            read.unlock(&pin, None, at(0)).unwrap_err(),
            LockError::OtherDevice
        );
        let other = DeviceKey::random();
        assert_eq!(
            read.unlock(&pin, Some(&other), at(0)).unwrap_err(),
            LockError::OtherDevice
        );
        assert_eq!(read.failures, 0);
        // The device key alone opens nothing either: the PIN is still asked.
        let wrong = Secret::pin("000000").unwrap();
        assert!(matches!(
            read.unlock(&wrong, Some(&device), at(1)),
            Err(LockError::Wrong { .. })
        ));
        let opened = read.unlock(&pin, Some(&device), at(100)).unwrap();
        assert_eq!(opened.sqlcipher_pragma(), key.sqlcipher_pragma());
        // Sealing twice changes nothing; a seal cut short or with a bad nonce is refused.
        let before = read.clone();
        read.seal_to_device(&other, "another").unwrap();
        assert_eq!(read, before);
        let text = String::from_utf8(bytes).unwrap();
        let cut = text.replace(&read.wrapped_key, &read.wrapped_key[..96]);
        assert!(LockFile::parse(cut.as_bytes()).is_err());
    }

    #[test]
    fn the_right_pin_opens_the_same_key_and_a_wrong_one_opens_nothing() {
        let pin = Secret::pin("482913").unwrap();
        let (file, key) = LockFile::create(&pin, Unlock::Pin, FAST).unwrap();
        let mut read = LockFile::parse(&file.to_bytes()).unwrap();
        let again = read.unlock(&pin, None, at(0)).unwrap();
        assert_eq!(key.sqlcipher_pragma(), again.sqlcipher_pragma());
        let wrong = Secret::pin("482914").unwrap();
        assert!(matches!(
            read.unlock(&wrong, None, at(1)),
            Err(LockError::Wrong { failures: 1, .. })
        ));
        // The key never appears in the file.
        let text = String::from_utf8(read.to_bytes()).unwrap();
        assert!(!text.contains(&key.sqlcipher_pragma()[2..66]));
    }

    #[test]
    fn wrong_tries_slow_down_and_the_wait_is_in_the_file() {
        let pin = Secret::pin("482913").unwrap();
        let wrong = Secret::pin("000000").unwrap();
        let (mut file, _) = LockFile::create(&pin, Unlock::Pin, FAST).unwrap();
        let mut now = at(0);
        for n in 1..=10 {
            // Each try waits out the last one's delay.
            now += wait_after(n - 1);
            match file.unlock(&wrong, None, now) {
                Err(LockError::Wrong { failures, wait }) => {
                    assert_eq!(failures, n);
                    assert_eq!(wait, wait_after(n));
                }
                other => panic!("try {n}: {other:?}"),
            }
        }
        assert_eq!(wait_after(10), TimeDelta::seconds(640));
        // A restart reads the file again: the wait is still there, even for the right PIN.
        let mut reread = LockFile::parse(&file.to_bytes()).unwrap();
        let soon = now + TimeDelta::seconds(600);
        assert!(matches!(
            reread.unlock(&pin, None, soon),
            Err(LockError::TooSoon { .. })
        ));
        assert_eq!(reread.failures, 10, "a refused-too-soon try is not counted");
        let later = now + TimeDelta::seconds(640);
        assert!(reread.unlock(&pin, None, later).is_ok());
        assert_eq!((reread.failures, reread.last_failure), (0, None));
    }

    #[test]
    fn the_staff_passphrase_is_checked_against_its_hash_only() {
        let pass = Secret::passphrase("puesto de salud Ccorca").unwrap();
        let v = staff_verifier(&pass);
        assert!(v.starts_with("$argon2id$") && !v.contains("Ccorca"));
        assert!(staff_matches(&v, &pass));
        assert!(!staff_matches(
            &v,
            &Secret::passphrase("puesto de salud CcorcA").unwrap()
        ));
        assert!(!staff_matches("not a hash", &pass));
        let greedy = v.replace("m=65536", "m=4194304");
        assert!(!staff_matches(&greedy, &pass), "an unbounded cost is not obeyed");
    }

    #[test]
    fn pins_and_passphrases_are_checked() {
        for bad in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
            assert_eq!(Secret::pin(bad).unwrap_err(), SecretProblem::PinFormat, "{bad:?}");
        }
        assert!(Secret::pin(" 123456 ").is_ok());
        assert!(Secret::passphrase("short").is_err());
        assert!(Secret::passphrase("puesto de salud Ccorca\n").is_ok());
        assert_eq!(
            Secret::passphrase(&"a".repeat(10_000_000)).unwrap_err(),
            SecretProblem::PassphraseTooLong
        );
        assert_eq!(format!("{:?}", Secret::pin("123456").unwrap()), "Secret(…)");
    }

    #[test]
    fn a_hostile_lock_file_is_refused_before_any_work() {
        let pin = Secret::pin("482913").unwrap();
        let (file, _) = LockFile::create(&pin, Unlock::Pin, FAST).unwrap();
        let mut greedy = serde_json::to_value(&file).unwrap();
        greedy["kdf"]["m_kib"] = serde_json::json!(4u64 * 1024 * 1024);
        assert!(LockFile::parse(&serde_json::to_vec(&greedy).unwrap()).is_err());
        let mut short = serde_json::to_value(&file).unwrap();
        short["wrapped_key"] = serde_json::json!("00");
        assert!(LockFile::parse(&serde_json::to_vec(&short).unwrap()).is_err());
        assert!(LockFile::parse(&vec![b' '; MAX_LOCK_FILE_BYTES + 1]).is_err());
        assert!(LockFile::parse(b"{}").is_err());
        // A wrapped key from another file under the same PIN does not open (salt, nonce).
        let (other, _) = LockFile::create(&pin, Unlock::Pin, FAST).unwrap();
        let mut mixed = serde_json::to_value(&file).unwrap();
        mixed["wrapped_key"] = serde_json::to_value(&other).unwrap()["wrapped_key"].clone();
        let mut mixed = LockFile::parse(&serde_json::to_vec(&mixed).unwrap()).unwrap();
        assert!(matches!(
            mixed.unlock(&pin, None, at(0)),
            Err(LockError::Wrong { .. })
        ));
    }
}
