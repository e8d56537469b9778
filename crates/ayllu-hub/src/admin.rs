//! Enrollment and device management: one-time codes, revocable tokens, scopes.
//! Secrets never rest in the clear: codes and tokens are stored as SHA-256 hashes.

use ayllu_store::{DeviceRow, KeyHolder, NewDevice, Redeemed, Store, StoreError};
use ayllu_sync::Scope;
use ayllu_sync::enrollment::{Application, HubSeen, secret_of};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use ayllu_sync::tls::DICTATION_ALPHABET as CODE_ALPHABET;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the enrollment code is not valid, was already used, or has expired")]
    BadCode,
    #[error("unknown device {0}")]
    UnknownDevice(String),
    /// Fail closed: a device is enrolled for named communities, or explicitly for all.
    #[error("an enrollment needs at least one community (or all communities, said explicitly)")]
    NoCommunity,
    #[error("an enrollment code is valid for 1 to 90 days")]
    Validity,
    /// The enrollment does not read, or does not prove the key (nothing was spent).
    #[error(transparent)]
    Application(#[from] ayllu_sync::enrollment::Refused),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// Another enrolled, unrevoked device writes under this actor: revoke it first.
    #[error("another enrolled device writes under this actor; revoke it first")]
    ActorTaken,
    /// A key belongs to one device: another enrolled device holds this one.
    #[error("another enrolled device holds this public key")]
    KeyTaken,
    /// The key of a revoked device opens nothing again (the phone enrolls with a new key).
    #[error("this public key belonged to a revoked device")]
    KeyRevoked,
}

/// What an enrolled device may ask the hub for. The hub enforces it on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A promotor's phone: syncs and bundles, within its communities.
    Promotor,
    /// Health post staff: every household of the facility, exports with names, the
    /// devices (enrollment codes, revocation), the access log; also syncs.
    Staff,
    /// The CLAS board: the indicator tables and the printable report only, no names,
    /// small cells hidden.
    Committee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Promotor => "promotor",
            Role::Staff => "staff",
            Role::Committee => "committee",
        }
    }

    /// A stored or typed role; anything else is none (fail closed).
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim() {
            "promotor" => Some(Role::Promotor),
            "staff" => Some(Role::Staff),
            "committee" => Some(Role::Committee),
            _ => None,
        }
    }
}

/// Which communities an enrollment grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Communities {
    /// Every community of the facility: staff say so explicitly.
    All,
    Only(Vec<ayllu_model::ShortText>),
}

/// How "all communities" is stored; any other value is a list of names.
const ALL_COMMUNITIES: &str = "*";

/// How long an enrollment code may be valid, in days.
pub const CODE_VALID_DAYS: std::ops::RangeInclusive<i64> = 1..=90;

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.trim().to_ascii_uppercase().as_bytes()).to_vec()
}

fn random_bytes() -> [u8; 16] {
    *uuid::Uuid::new_v4().as_bytes()
}

/// A fresh one-time code: 12 characters (about 59 bits), shown as XXXX-XXXX-XXXX.
fn new_code() -> String {
    let mut chars = Vec::with_capacity(14);
    for (i, b) in random_bytes()
        .iter()
        .take(ayllu_sync::tls::SECRET_LEN)
        .enumerate()
    {
        if i > 0 && i % 4 == 0 {
            chars.push('-');
        }
        chars.push(CODE_ALPHABET[(*b as usize) % CODE_ALPHABET.len()] as char);
    }
    chars.into_iter().collect()
}

/// The hub's stable id, made on first use.
pub fn hub_id(store: &Store) -> Result<String, AdminError> {
    if let Some(id) = store.setting("hub.id")? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    store.set_setting("hub.id", &id)?;
    Ok(id)
}

/// An enrolled device as the hub knows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeviceInfo {
    /// Made by the hub at enrollment (a phone cannot choose it, so it cannot take over
    /// another phone's registration).
    pub device_id: String,
    pub name: String,
    pub promotor: String,
    /// Granted every community of the facility.
    pub all_communities: bool,
    /// The communities granted otherwise (empty with `all_communities` false: none).
    pub communities: Vec<String>,
    /// The Automerge actor (hex) the device writes under; `None` for an enrollment made
    /// before actors were registered, which must enroll again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The device's ed25519 public key (hex): it checks the bundles the device writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    pub enrolled_at: String,
    pub last_sync_at: Option<String>,
    pub revoked_at: Option<String>,
    /// `None`: a stored role this hub does not know, which opens nothing.
    pub role: Option<Role>,
    /// Set aside for staff to review: enrolled with a key `set_aside_for` (a device
    /// enrolled before it) held first. It opens nothing; staff revoke it.
    pub set_aside_at: Option<String>,
    pub set_aside_for: Option<String>,
}

impl DeviceInfo {
    pub fn scope(&self) -> Scope {
        if self.all_communities {
            Scope::All
        } else {
            Scope::Communities(self.communities.clone())
        }
    }

    /// The actor this device may write under, if one is registered and readable.
    pub fn actor_id(&self) -> Option<automerge::ActorId> {
        let hex = self.actor.as_deref()?;
        automerge::ActorId::try_from(hex).ok()
    }
    /// The name the hub's store uses for this device's sync bookkeeping.
    pub fn peer(&self) -> String {
        format!("device:{}", self.device_id)
    }
}

/// A new enrollment code for a promotor, valid once, for `valid_for` (1 to 90 days).
pub fn enroll(
    store: &Store,
    promotor: &ayllu_model::PersonName,
    communities: &Communities,
    role: Role,
    valid_for: Duration,
) -> Result<String, AdminError> {
    if !CODE_VALID_DAYS.contains(&valid_for.num_days()) || valid_for < Duration::days(1) {
        return Err(AdminError::Validity);
    }
    let communities: Vec<&str> = match communities {
        Communities::All => vec![ALL_COMMUNITIES],
        Communities::Only(list) if list.is_empty() => return Err(AdminError::NoCommunity),
        Communities::Only(list) => list.iter().map(|c| c.as_str()).collect(),
    };
    let code = new_code();
    let now = Utc::now();
    store.add_enrollment_code(
        &hash(&secret_of(&code)),
        promotor.as_str(),
        &serde_json::to_string(&communities).expect("json"),
        role.as_str(),
        now,
        now + valid_for,
    )?;
    Ok(code)
}

/// Exchanges a one-time code for a device token, registering the Automerge actor and the
/// public key the device proved it holds (its signature over the code, actor, key, name and
/// `hub`, the hub as the request reached it). The hub makes the device id. A refusal spends
/// nothing.
pub fn redeem(
    store: &mut Store,
    application: &Application,
    hub: HubSeen,
) -> Result<(String, DeviceInfo), AdminError> {
    let verified = application.verify(hub)?;
    let token = new_token();
    let device_id = uuid::Uuid::new_v4().to_string();
    let redeemed = store.redeem_enrollment(
        &hash(&verified.code),
        Utc::now(),
        &NewDevice {
            device_id: &device_id,
            name: &verified.name,
            actor: &verified.actor.to_hex_string(),
            public_key: &hex::encode(verified.public_key),
            token_hash: &hash(&token),
        },
    )?;
    match redeemed {
        Redeemed::Device(row) => Ok((token, DeviceInfo::from(*row))),
        Redeemed::BadCode => Err(AdminError::BadCode),
        Redeemed::ActorTaken => Err(AdminError::ActorTaken),
        Redeemed::KeyTaken => Err(AdminError::KeyTaken),
        Redeemed::KeyRevoked => Err(AdminError::KeyRevoked),
    }
}

/// [`redeem`] for a caller holding both stores (tests, benches, a hub enrolling a phone
/// in-process): the phone signs as it would over HTTPS to this hub.
pub fn redeem_in_process(
    hub: &mut Store,
    code: &str,
    phone: &Store,
    name: &str,
) -> Result<(String, DeviceInfo), AdminError> {
    let seen = crate::tls::seen_over_tls(hub)?;
    let application = Application::sign(code, phone.actor(), phone.signing_key(), name, seen);
    redeem(hub, &application, seen)
}

impl From<DeviceRow> for DeviceInfo {
    fn from(row: DeviceRow) -> DeviceInfo {
        // Fail closed: a list that does not parse grants nothing.
        let list: Vec<String> = serde_json::from_str(&row.communities).unwrap_or_default();
        DeviceInfo {
            device_id: row.device_id,
            name: row.name,
            promotor: row.promotor,
            all_communities: list.iter().any(|c| c == ALL_COMMUNITIES),
            communities: list.into_iter().filter(|c| c != ALL_COMMUNITIES).collect(),
            actor: row.actor,
            public_key: row.public_key,
            enrolled_at: row.enrolled_at,
            last_sync_at: row.last_sync_at,
            revoked_at: row.revoked_at,
            role: Role::parse(&row.role),
            set_aside_at: row.set_aside_at,
            set_aside_for: row.set_aside_for,
        }
    }
}

/// The one enrolled, unrevoked device whose key this is (the author of a bundle); `None`
/// for a key nobody holds, a revoked device's key, or a key set aside.
pub fn device_by_key(store: &Store, key: &[u8; 32]) -> Result<Option<DeviceInfo>, AdminError> {
    Ok(match store.key_holder(&hex::encode(key))? {
        KeyHolder::Device(row) => Some(DeviceInfo::from(*row)),
        KeyHolder::Nobody | KeyHolder::Revoked(_) => None,
    })
}

/// Enrollments set aside (their key was another device's first) that staff have not
/// revoked yet: the hub says so when it starts, `ayllu check` lists them.
pub fn awaiting_review(store: &Store) -> Result<Vec<DeviceInfo>, AdminError> {
    Ok(store
        .devices_set_aside()?
        .into_iter()
        .map(DeviceInfo::from)
        .collect())
}

pub fn device(store: &Store, device_id: &str) -> Result<Option<DeviceInfo>, AdminError> {
    Ok(store.device(device_id)?.map(DeviceInfo::from))
}

pub fn devices(store: &Store) -> Result<Vec<DeviceInfo>, AdminError> {
    Ok(store.devices()?.into_iter().map(DeviceInfo::from).collect())
}

/// How tokens age: a token older than `rotate_after` is replaced at the device's next
/// sync; one unused for `expire_after` no longer opens anything (the phone enrolls again).
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub rotate_after: Duration,
    pub expire_after: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy {
            rotate_after: Duration::days(7),
            expire_after: Duration::days(365),
        }
    }
}

/// A device that presented a valid token, and the token that replaces it, if it rotated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub device: DeviceInfo,
    pub new_token: Option<String>,
}

fn new_token() -> String {
    format!("{}{}", hex::encode(random_bytes()), hex::encode(random_bytes()))
}

/// The device holding `token`, unless unknown, revoked or expired; rotating the token when
/// it is due. The token before the current one is still accepted (its response may have
/// been lost on the way) until the device uses the current one.
pub fn authenticate(
    store: &Store,
    token: &str,
    policy: &TokenPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Authenticated>, AdminError> {
    authenticate_with(store, token, policy, now, true)
}

/// [`authenticate`] for a request whose answer cannot carry a new token (a report, a
/// list): the token is checked, never rotated.
pub fn check_token(
    store: &Store,
    token: &str,
    policy: &TokenPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Authenticated>, AdminError> {
    authenticate_with(store, token, policy, now, false)
}

fn authenticate_with(
    store: &Store,
    token: &str,
    policy: &TokenPolicy,
    now: DateTime<Utc>,
    rotate: bool,
) -> Result<Option<Authenticated>, AdminError> {
    let Some((row, current)) = store.device_by_token(&hash(token))? else {
        return Ok(None);
    };
    let issued = row
        .token_issued_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    // Unknown age (a token from before rotation existed) counts as due, never as fresh.
    let age = issued.map(|t| now - t);
    if age.is_some_and(|a| a > policy.expire_after) {
        return Ok(None);
    }
    let new_token = if !rotate {
        None
    } else if !current || age.is_none_or(|a| a >= policy.rotate_after) {
        // Due, or the device never got the last one: a new token. The one it holds stays
        // accepted until it uses the new one.
        let fresh = new_token();
        store.replace_device_token(&row.device_id, &hash(&fresh), now, current)?;
        Some(fresh)
    } else {
        // The current token came back: the previous one is no longer needed.
        store.forget_previous_device_token(&row.device_id)?;
        None
    };
    Ok(Some(Authenticated {
        device: DeviceInfo::from(row),
        new_token,
    }))
}

pub fn revoke(store: &Store, device_id: &str) -> Result<DeviceInfo, AdminError> {
    if !store.revoke_device(device_id, Utc::now())? {
        return Err(AdminError::UnknownDevice(device_id.to_string()));
    }
    device(store, device_id)?.ok_or_else(|| AdminError::UnknownDevice(device_id.to_string()))
}

pub fn touch(store: &Store, device_id: &str) -> Result<(), AdminError> {
    Ok(store.touch_device(device_id, Utc::now())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ayllu_sync::enrollment::Refused;
    use ed25519_dalek::SigningKey;

    #[test]
    fn tokens_rotate_survive_a_lost_answer_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("hub.sqlite3")).unwrap();
        let phone = Store::open(&dir.path().join("phone.sqlite3")).unwrap();
        let code = enroll(
            &store,
            &ayllu_model::PersonName::parse("Juana Condori").unwrap(),
            &Communities::All,
            Role::Promotor,
            Duration::days(1),
        )
        .unwrap();
        let (t0, _) = redeem_in_process(&mut store, &code, &phone, "x").unwrap();
        let policy = TokenPolicy::default();
        let now = Utc::now();
        let auth = |t: &str, at| authenticate(&store, t, &policy, at).unwrap();
        // Fresh: no rotation.
        assert!(auth(&t0, now).unwrap().new_token.is_none());
        // A week later: a new token; the answer is lost, so the phone comes back with t0:
        // still accepted, and yet another token issued.
        let later = now + Duration::days(8);
        let t1 = auth(&t0, later).unwrap().new_token.unwrap();
        let t2 = auth(&t0, later).unwrap().new_token.unwrap();
        assert!(
            auth(&t1, later).is_none(),
            "a token superseded before use opens nothing"
        );
        // The phone uses t2: t0 is done with.
        assert!(auth(&t2, later).unwrap().new_token.is_none());
        assert!(auth(&t0, later).is_none());
        // Unused for over a year: expired.
        assert!(auth(&t2, later + Duration::days(366)).is_none());
        // A garbage token opens nothing.
        assert!(auth("00", now).is_none());
    }

    #[test]
    fn codes_are_readable_and_normalised() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
    }

    fn code(store: &Store) -> String {
        enroll(
            store,
            &ayllu_model::PersonName::parse("Juana Condori").unwrap(),
            &Communities::All,
            Role::Promotor,
            Duration::days(1),
        )
        .unwrap()
    }

    /// A key belongs to one device: another live device's key, or a revoked one's, is
    /// refused and the code stays good; a signature for another hub or code is refused.
    #[test]
    fn a_key_is_registered_once_and_only_by_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let mut hub_store = Store::open(&dir.path().join("hub.sqlite3")).unwrap();
        let hub = crate::tls::seen_over_tls(&hub_store).unwrap();
        let v = Store::open(&dir.path().join("v.sqlite3")).unwrap();
        let first = code(&hub_store);
        let (_, v_info) = redeem_in_process(&mut hub_store, &first, &v, "V").unwrap();
        let v_key = v.signing_key().verifying_key().to_bytes();
        let code = code(&hub_store);
        let fresh = automerge::ActorId::random();
        // V's key with the impostor's own signature: the signature does not verify.
        let impostor = SigningKey::from_bytes(&[9; 32]);
        let mut forged = Application::sign(&code, &fresh, &impostor, "I", hub);
        forged.public_key = hex::encode(v_key);
        assert!(matches!(
            redeem(&mut hub_store, &forged, hub),
            Err(AdminError::Application(Refused::BadSignature))
        ));
        // Signed for another hub: refused.
        let other_hub = HubSeen::Certificate(ayllu_sync::tls::Fingerprint::of(b"another hub"));
        let elsewhere = Application::sign(&code, &fresh, &impostor, "I", other_hub);
        assert!(matches!(
            redeem(&mut hub_store, &elsewhere, hub),
            Err(AdminError::Application(Refused::BadSignature))
        ));
        // V's own key (V holds it) under a fresh actor: a key belongs to one device.
        let again = Application::sign(&code, &fresh, v.signing_key(), "V2", hub);
        assert!(matches!(
            redeem(&mut hub_store, &again, hub),
            Err(AdminError::KeyTaken)
        ));
        assert_eq!(devices(&hub_store).unwrap().len(), 1);
        // Revoked, V's key stays V's: no enrollment with it, no bundle author.
        revoke(&hub_store, &v_info.device_id).unwrap();
        assert!(matches!(
            redeem(&mut hub_store, &again, hub),
            Err(AdminError::KeyRevoked)
        ));
        assert_eq!(device_by_key(&hub_store, &v_key).unwrap(), None);
        // The code was never spent: a phone with a key of its own enrolls with it.
        let ok = Application::sign(&code, &fresh, &impostor, "I", hub);
        redeem(&mut hub_store, &ok, hub).unwrap();
        assert!(matches!(
            redeem(&mut hub_store, &ok, hub),
            Err(AdminError::BadCode)
        ));
    }
}
