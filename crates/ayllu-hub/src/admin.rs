//! Enrollment and device management: one-time codes, revocable tokens, scopes.
//! Secrets never rest in the clear: codes and tokens are stored as SHA-256 hashes.

use ayllu_store::{DeviceRow, NewDevice, Redeemed, Store, StoreError};
use ayllu_sync::Scope;
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
    #[error("the device's Automerge actor id is missing or malformed")]
    BadActor,
    #[error("the device's public key is missing or malformed (64 hex digits)")]
    BadKey,
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// Another enrolled, unrevoked device writes under this actor: revoke it first.
    #[error("another enrolled device writes under this actor; revoke it first")]
    ActorTaken,
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

/// The secret part of a code as typed: a whole typed code (secret, then the short
/// fingerprint of this hub's certificate, which TLS has checked already) or the secret alone.
fn normalise_code(code: &str) -> String {
    let mut clean = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if clean.len() == ayllu_sync::tls::SECRET_LEN + ayllu_sync::tls::SHORT_LEN {
        clean.truncate(ayllu_sync::tls::SECRET_LEN);
    }
    clean
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
        &hash(&normalise_code(&code)),
        promotor.as_str(),
        &serde_json::to_string(&communities).expect("json"),
        role.as_str(),
        now,
        now + valid_for,
    )?;
    Ok(code)
}

/// Exchanges a one-time code for a device token, registering the Automerge actor (hex)
/// the device writes under. The hub makes the device id; the code is spent whatever
/// happens next.
pub fn redeem(
    store: &mut Store,
    code: &str,
    actor: &str,
    public_key: &str,
    name: &str,
) -> Result<(String, DeviceInfo), AdminError> {
    let public_key = parse_public_key(public_key).ok_or(AdminError::BadKey)?;
    let actor = automerge::ActorId::try_from(actor.trim()).map_err(|_| AdminError::BadActor)?;
    if actor.to_bytes().is_empty() || actor.to_bytes().len() > 32 {
        return Err(AdminError::BadActor);
    }
    let actor = actor.to_hex_string();
    let token = new_token();
    let device_id = uuid::Uuid::new_v4().to_string();
    let redeemed = store.redeem_enrollment(
        &hash(&normalise_code(code)),
        Utc::now(),
        &NewDevice {
            device_id: &device_id,
            name,
            actor: &actor,
            public_key: &hex::encode(public_key),
            token_hash: &hash(&token),
        },
    )?;
    match redeemed {
        Redeemed::Device(row) => Ok((token, DeviceInfo::from(*row))),
        Redeemed::BadCode => Err(AdminError::BadCode),
        Redeemed::ActorTaken => Err(AdminError::ActorTaken),
    }
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
        }
    }
}

/// An ed25519 public key from 64 hex digits, if it is one.
pub fn parse_public_key(hex_key: &str) -> Option<[u8; 32]> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
    Some(bytes)
}

/// The enrolled, unrevoked device whose public key this is (the author of a bundle).
pub fn device_by_key(store: &Store, key: &[u8; 32]) -> Result<Option<DeviceInfo>, AdminError> {
    Ok(store
        .device_by_public_key(&hex::encode(key))?
        .map(DeviceInfo::from))
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
        let (t0, _) = redeem(
            &mut store,
            &code,
            &phone.actor().to_hex_string(),
            &phone.public_key_hex(),
            "x",
        )
        .unwrap();
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
        assert_eq!(normalise_code(" k7qf-3mzp-xa22 "), "K7QF3MZPXA22");
    }
}
