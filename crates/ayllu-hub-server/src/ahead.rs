//! Answers built ahead for a phone pulling many pages: while it stores one answer, the
//! hub builds and compresses the next on another thread ([`ayllu_sync::Ahead`]); the
//! phone's next request gets it if nothing it depends on changed, and is answered as
//! always otherwise. A fresh phone's pull of a facility no longer waits, page after page,
//! for the hub to walk, build and compress what comes next.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use automerge::ActorId;
use ayllu_model::Scope;
use ayllu_sync::wire::{self, Kind, Version};
use ayllu_sync::{Ahead, Sender};

use crate::Hub;

/// Answers built at once, at most: each holds the store while it walks (as a request
/// would) and a page of households while it compresses.
const MAX_BUILDING: usize = 4;

/// A page built ahead, compressed as it goes out.
pub(crate) struct Built {
    pub(crate) ahead: Ahead,
    pub(crate) body: Vec<u8>,
    pub(crate) sent: usize,
    pub(crate) more: bool,
    pub(crate) cursor: i64,
}

/// By device (its peer name): the page being built, or built, for its next request.
#[derive(Default)]
pub(crate) struct Answers {
    slots: Mutex<HashMap<String, mpsc::Receiver<Option<Built>>>>,
    building: AtomicUsize,
    /// Pages built ahead that went out as built (for tests and the log).
    used: AtomicUsize,
}

/// What a device is, for building its next page on another thread.
pub(crate) struct Device {
    pub(crate) peer: String,
    pub(crate) scope: Scope,
    pub(crate) actor: ActorId,
}

impl Answers {
    /// The page built for `peer`'s next request, waiting for it if still being built. Any
    /// request from the device takes it: used or not, it is built for one request only.
    pub(crate) fn take(&self, peer: &str) -> Option<Built> {
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(peer)?;
        slot.recv().ok().flatten()
    }

    /// Counts a page built ahead that went out.
    pub(crate) fn used(&self) {
        self.used.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn used_count(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Starts building the page after one that ended at `cursor` (unless too many are
    /// being built: then the next request is answered as always).
    pub(crate) fn build(hub: &Arc<Hub>, device: Device, cursor: i64, version: Version) {
        let answers = &hub.answers;
        if answers.building.fetch_add(1, Ordering::AcqRel) >= MAX_BUILDING {
            answers.building.fetch_sub(1, Ordering::AcqRel);
            return;
        }
        let (tx, rx) = mpsc::channel();
        answers
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(device.peer.clone(), rx);
        let hub = Arc::clone(hub);
        std::thread::spawn(move || {
            let sender = Sender {
                peer: &device.peer,
                scope: &device.scope,
                actor: Some(&device.actor),
            };
            let built = hub
                .with_store(|s| Ahead::build(s, &sender, cursor, version, ayllu_sync::DEFAULT_BUDGET))
                .ok()
                .map(|(ahead, response)| Built {
                    ahead,
                    sent: response.docs.len(),
                    more: response.more,
                    cursor: response.cursor,
                    body: wire::encode_as(version, Kind::Response, &response),
                });
            // The device may have moved on (its request taken the slot): nobody listens.
            let _ = tx.send(built);
            hub.answers.building.fetch_sub(1, Ordering::AcqRel);
        });
    }
}
