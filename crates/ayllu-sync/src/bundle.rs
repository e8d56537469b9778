//! Sync bundles: a file carried on a USB stick or SD card where no link reaches.
//!
//! A bundle holds, for each household, the changes the receiver is not known to have (or
//! the whole document). It is encrypted to its receiver and signed by its author:
//! `"AYB2" | author key (32) | receiver key (32) | ephemeral X25519 key (32) | nonce (24) |
//! XChaCha20-Poly1305(wire body) | ed25519 signature (64)` over everything before the
//! signature. The receiver's and author's ed25519 keys double as X25519 keys (their
//! Montgomery forms), so no new key is exchanged: a phone writes to its hub's key, the hub
//! to the device's. A stick lost on the way reveals no name. Reading checks the signature
//! before anything else, then that it is addressed to this store, then decrypts, then the
//! author: at the hub, an enrolled and unrevoked device, whose scope and actor bound what it
//! may change; at a phone, its hub.
//! Each household is then read within our limits and checked like one arriving by sync;
//! one refused household does not take the others with it. Reading is idempotent:
//! Automerge ignores changes it already has, so a bundle read twice changes nothing.

use automerge::{ActorId, ChangeHash, ReadDoc};
use ayllu_model::HouseholdId;
use ayllu_store::{Replica, Store};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::guard::{self, Limits};
use crate::hub::{Outcome, check_and_save};
use crate::wire::{self, Kind, RefusalCode, WireError};
use crate::{Scope, Sender, SyncError, docsync};

/// Largest bundle file read (compressed) and its largest decompressed body.
pub const MAX_BUNDLE: usize = 64 * 1024 * 1024;
const MAX_BUNDLE_DECODED: u64 = 256 * 1024 * 1024;
const KEY: usize = 32;
const SIGNATURE: usize = 64;
/// The first bytes of a bundle file: its format.
pub const MAGIC: &[u8; 4] = b"AYB2";
const NONCE: usize = 24;
/// Everything before the ciphertext: magic, author, receiver, ephemeral key, nonce.
const HEADER: usize = 4 + KEY + KEY + KEY + NONCE;
const AEAD_TAG: usize = 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Who wrote it (a device id or a hub id), for the record; the key is what counts.
    pub from: String,
    pub created_at: i64,
    pub docs: Vec<BundleDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleDoc {
    pub household: HouseholdId,
    /// Automerge changes or a whole saved document (both load with `load_incremental`).
    pub data: Vec<u8>,
}

/// Who signed a bundle, as the reader knows them, and so what the bundle may do.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub scope: Scope,
    /// A device may only add changes under its own actor; `None` for the hub, which
    /// carries everyone's.
    pub actor: Option<ActorId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BundleReport {
    pub households: usize,
    /// Households that changed (or, in a preview, would change) because of the bundle.
    pub changed: Vec<HouseholdId>,
    /// Households not taken, each with its reason.
    pub refused: Vec<RefusedHousehold>,
    /// A preview: nothing was written.
    pub preview: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefusedHousehold {
    pub household: HouseholdId,
    pub code: &'static str,
    pub detail: String,
}

/// Writes a bundle of every household in `scope`, holding what `peer` is not known to
/// have (everything, without a peer), encrypted to `receiver` (its ed25519 public key) and
/// signed with this store's key.
pub fn write(
    store: &mut Store,
    from: &str,
    peer: Option<&str>,
    scope: &Scope,
    receiver: &[u8; KEY],
) -> Result<(Vec<u8>, usize), SyncError> {
    let docs = store.replica(|r: &mut Replica<'_>| -> Result<Vec<BundleDoc>, SyncError> {
        let mut docs = Vec::new();
        let mut seq = 0;
        loop {
            let batch = r.updated_since(seq, 512)?;
            let Some(&(_, last)) = batch.last() else { break };
            for (id, _) in batch {
                if !r.community(id)?.is_some_and(|c| scope.allows(&c)) {
                    continue;
                }
                let doc = r.document(id)?.expect("listed documents exist");
                let known: Vec<ChangeHash> = match peer {
                    Some(p) => docsync::restore(r.sync_state(p, id)?.as_deref()).shared_heads,
                    None => vec![],
                };
                // Uncompressed: the whole bundle is compressed at once, which is smaller.
                let data = if known.is_empty() {
                    doc.save_nocompress()
                } else {
                    doc.save_after(&known)
                };
                if !data.is_empty() {
                    docs.push(BundleDoc { household: id, data });
                }
            }
            seq = last;
        }
        Ok(docs)
    })?;
    let count = docs.len();
    let bundle = Bundle {
        from: from.to_string(),
        created_at: unix_now(),
        docs,
    };
    Ok((seal(&bundle, store.signing_key(), receiver)?, count))
}

/// The key both sides derive: SHA-256 over a label, the X25519 shared secret and both
/// public points (so it is bound to this ephemeral key and this receiver).
fn aead_key(shared: &MontgomeryPoint, ephemeral: &MontgomeryPoint, receiver: &MontgomeryPoint) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"ayllu bundle v2");
    h.update(shared.as_bytes());
    h.update(ephemeral.as_bytes());
    h.update(receiver.as_bytes());
    h.finalize().into()
}

fn montgomery(key: &[u8; KEY]) -> Result<MontgomeryPoint, SyncError> {
    Ok(VerifyingKey::from_bytes(key)
        .map_err(|_| WireError::Corrupt("the bundle's receiver is not a key".into()))?
        .to_montgomery())
}

/// The file for `bundle`, encrypted to `receiver` and signed with `key`.
pub fn seal(
    bundle: &Bundle,
    key: &ed25519_dalek::SigningKey,
    receiver: &[u8; KEY],
) -> Result<Vec<u8>, SyncError> {
    let to = montgomery(receiver)?;
    let mut secret = [0u8; 32];
    let mut nonce = [0u8; NONCE];
    getrandom::fill(&mut secret).expect("the system's random source");
    getrandom::fill(&mut nonce).expect("the system's random source");
    let ephemeral = MontgomeryPoint::mul_base_clamped(secret);
    let shared = to.mul_clamped(secret);
    let cipher = XChaCha20Poly1305::new(&aead_key(&shared, &ephemeral, &to).into());
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(key.verifying_key().as_bytes());
    bytes.extend_from_slice(receiver);
    bytes.extend_from_slice(ephemeral.as_bytes());
    bytes.extend_from_slice(&nonce);
    let body = wire::encode(Kind::Bundle, bundle);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &body,
                aad: &bytes,
            },
        )
        .map_err(|_| WireError::Corrupt("encrypting the bundle".into()))?;
    bytes.extend(sealed);
    let signature = key.sign(&bytes);
    bytes.extend_from_slice(&signature.to_bytes());
    Ok(bytes)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The key that signed a bundle file, once the signature over the whole file is checked
/// (nothing is decompressed before). A truncated or altered file fails here.
pub fn signer(bytes: &[u8]) -> Result<[u8; KEY], SyncError> {
    if bytes.len() > MAX_BUNDLE {
        return Err(WireError::TooLarge(bytes.len() as u64).into());
    }
    if bytes.len() < HEADER + AEAD_TAG + SIGNATURE {
        return Err(WireError::Corrupt("the file is too short to be a bundle".into()).into());
    }
    if &bytes[..4] != MAGIC {
        return Err(WireError::Corrupt(
            "not an encrypted bundle of this version: update the app that wrote it".into(),
        )
        .into());
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE);
    let key: [u8; KEY] = signed[4..4 + KEY].try_into().expect("32 bytes");
    let verifying = VerifyingKey::from_bytes(&key)
        .map_err(|_| WireError::Corrupt("the bundle's key is not a key".into()))?;
    let signature = Signature::from_bytes(signature.try_into().expect("64 bytes"));
    verifying.verify_strict(signed, &signature).map_err(|_| {
        WireError::Corrupt("the signature does not match: the file is truncated or was altered".into())
    })?;
    Ok(key)
}

/// Checks the signature, that the bundle is for `me`, and decrypts it.
fn parse(bytes: &[u8], me: &ed25519_dalek::SigningKey) -> Result<Bundle, SyncError> {
    signer(bytes)?;
    let receiver: [u8; KEY] = bytes[4 + KEY..4 + 2 * KEY].try_into().expect("32 bytes");
    if &receiver != me.verifying_key().as_bytes() {
        return Err(
            WireError::Corrupt("the bundle was written for another device or health post".into()).into(),
        );
    }
    let ephemeral = MontgomeryPoint(bytes[4 + 2 * KEY..4 + 3 * KEY].try_into().expect("32 bytes"));
    let nonce = &bytes[4 + 3 * KEY..HEADER];
    let shared = ephemeral.mul_clamped(me.to_scalar_bytes());
    let to = me.verifying_key().to_montgomery();
    let cipher = XChaCha20Poly1305::new(&aead_key(&shared, &ephemeral, &to).into());
    let body = cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: &bytes[HEADER..bytes.len() - SIGNATURE],
                aad: &bytes[..HEADER],
            },
        )
        .map_err(|_| WireError::Corrupt("the bundle cannot be decrypted here".into()))?;
    Ok(wire::decode_limited(Kind::Bundle, &body, MAX_BUNDLE, MAX_BUNDLE_DECODED)?.1)
}

/// Reads a bundle signed by `author` (the caller checked who [`signer`] is) into the store;
/// with `apply` false, only says what it would do. Each household is taken or refused on
/// its own.
pub fn read(
    store: &mut Store,
    bytes: &[u8],
    author: &Author,
    apply: bool,
) -> Result<BundleReport, SyncError> {
    let bundle = parse(bytes, store.signing_key())?;
    let peer = format!("bundle:{}", author.name);
    let sender = Sender {
        peer: &peer,
        scope: &author.scope,
        actor: author.actor.as_ref(),
    };
    let step = |r: &mut Replica<'_>| -> Result<BundleReport, SyncError> {
        let mut report = BundleReport {
            preview: !apply,
            ..Default::default()
        };
        for BundleDoc { household: id, data } in &bundle.docs {
            report.households += 1;
            match r.attempt(|r| take(r, &sender, *id, data)) {
                Ok(true) => report.changed.push(*id),
                Ok(false) => {}
                Err(Outcome::Refuse(code, detail)) => report.refused.push(RefusedHousehold {
                    household: *id,
                    code: code.as_str(),
                    detail,
                }),
                Err(Outcome::Fail(e)) => return Err(e),
            }
        }
        Ok(report)
    };
    if apply {
        store.replica(step)
    } else {
        store.preview(step)
    }
}

/// One household of a bundle: read within limits, merged, checked like a sync; or refused.
fn take(r: &mut Replica<'_>, sender: &Sender<'_>, id: HouseholdId, data: &[u8]) -> Result<bool, Outcome> {
    guard::check_chunks(data, &Limits::SYNC)
        .map_err(|e| Outcome::Refuse(RefusalCode::Unreadable, e.to_string()))?;
    if let Some(c) = r.community(id)?
        && !sender.scope.allows(&c)
    {
        return Err(Outcome::Refuse(
            RefusalCode::OutOfScope,
            "outside the author's communities".into(),
        ));
    }
    let (mut doc, before) = r.document_or_new(id)?;
    let before_household = match before {
        Some(_) => Some(r.hydrate(id, &doc)?),
        None => None,
    };
    crate::docsync::contain(|| doc.load_incremental(data))
        .map_err(|e| Outcome::Refuse(RefusalCode::Unreadable, e))?;
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(Outcome::Refuse(
            RefusalCode::Unknown,
            "the bundle builds on changes this store does not have (read the earlier bundle first)".into(),
        ));
    }
    if before.as_deref() == Some(&doc.get_heads()[..]) {
        return Ok(false);
    }
    check_and_save(r, sender, id, &doc, before.as_deref(), before_household.as_ref())?;
    Ok(true)
}
