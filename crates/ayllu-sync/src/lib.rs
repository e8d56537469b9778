//! # ayllu-sync
//!
//! Moves household documents between a device and the facility hub, over any transport.
//! No sockets here: the device side builds [`wire::Request`]s and takes
//! [`wire::Response`]s ([`DeviceSession`]); the hub side turns a request into a response
//! ([`serve`]). HTTP (reqwest ↔ axum), a file on a USB stick and in-process tests are thin
//! adapters around these.
//!
//! Per document it is the Automerge sync protocol, with each peer's sync state persisted;
//! many documents travel in one compressed body; the hub's update sequence lets a device
//! ask for "what changed since my cursor" instead of touching every household.
//! See `docs/sync-protocol.md`.

pub mod backoff;
pub mod bundle;
mod device;
pub mod docsync;
pub mod enrollment;
pub mod guard;
pub mod http;
mod hub;
mod parallel;
pub mod tls;
pub mod wire;

pub use device::{DeviceSession, Progress};
pub use hub::{
    Ahead, HOUSEHOLDS_PER_STEP, MAX_DOCS_PER_REQUEST, Scope, Sender, Serving, serve, serve_with_budget,
};

use ayllu_model::HouseholdId;
use ayllu_store::StoreError;

/// Default size of the messages in one request or response, before compression (about
/// 230 KB on the wire for household data). Small enough that a dropped 2G transfer loses
/// one request, not the sync; large enough that a whole census moves in a few requests.
pub const DEFAULT_BUDGET: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Wire(#[from] wire::WireError),
    #[error("unreadable sync message for household {0}: {1}")]
    BadMessage(HouseholdId, String),
    /// The peer's version of a household breaks the rules: refused, nothing stored.
    #[error("household {0} as sent breaks the rules: {1}")]
    Invalid(HouseholdId, String),
    #[error("household {0} is outside this device's communities")]
    OutOfScope(HouseholdId),
    #[error("this request was already received (a replay)")]
    Replayed,
    #[error("the request carries {0} households (at most {max})", max = hub::MAX_DOCS_PER_REQUEST)]
    TooManyDocs(usize),
    #[error("sync did not settle after {0} exchanges")]
    NoProgress(u32),
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Corrupt(id, why) => SyncError::Invalid(id, why),
            other => SyncError::Store(other),
        }
    }
}
