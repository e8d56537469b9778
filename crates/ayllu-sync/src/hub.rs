//! The hub's side: one request in, one response out, in one store transaction.

use std::collections::BTreeSet;

use automerge::ReadDoc;
use automerge::sync::Message;
use ayllu_model::{HouseholdId, text::fold};
use ayllu_store::{Replica, Store};

use crate::docsync;
use crate::wire::{DocMessage, Request, Response};
use crate::{DEFAULT_BUDGET, SyncError};

/// Which households a device may see and change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only households of these communities (compared without accents or case).
    Communities(Vec<String>),
}

impl Scope {
    pub fn allows(&self, community: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Communities(list) => list.iter().any(|c| fold(c) == fold(community)),
        }
    }
}

fn check_scope(r: &Replica<'_>, scope: &Scope, id: HouseholdId) -> Result<(), SyncError> {
    match r.community(id)? {
        Some(c) if !scope.allows(&c) => Err(SyncError::OutOfScope(id)),
        _ => Ok(()),
    }
}

/// Answers one request from the device known to this hub as `peer`. Either everything in
/// the request is stored and the response returned, or nothing changes and an error says
/// why (a bad message, a household that breaks the rules, a household out of scope, a
/// replayed request).
pub fn serve(store: &mut Store, peer: &str, scope: &Scope, request: Request) -> Result<Response, SyncError> {
    serve_with_budget(store, peer, scope, request, DEFAULT_BUDGET)
}

pub fn serve_with_budget(
    store: &mut Store,
    peer: &str,
    scope: &Scope,
    request: Request,
    budget: usize,
) -> Result<Response, SyncError> {
    store.replica(|r: &mut Replica<'_>| -> Result<Response, SyncError> {
        if !r.first_sight_of_request(peer, &request.request_id)? {
            return Err(SyncError::Replayed);
        }
        // The device's cursor confirms every response up to it: what those responses
        // carried is now known to be on the device, so the next message starts from there.
        for (id, heads) in r.confirmed(peer, request.cursor)? {
            if let Some(doc) = r.document(id)? {
                // Only heads we know: a confirmation can never make us skip changes.
                if heads.iter().all(|h| doc.get_change_by_hash(h).is_some()) {
                    let mut state = docsync::restore(r.sync_state(peer, id)?.as_deref());
                    state.shared_heads = heads;
                    r.set_sync_state(peer, id, &state.encode())?;
                }
            }
        }
        let mut replies = Vec::new();
        let mut answered = BTreeSet::new();
        let mut sent = Vec::new();
        let mut used = 0usize;

        for DocMessage {
            household: id,
            message,
        } in request.docs
        {
            let message = Message::decode(&message).map_err(|e| SyncError::BadMessage(id, e.to_string()))?;
            check_scope(r, scope, id)?;
            let (mut doc, before) = r.document_or_new(id)?;
            let mut state = docsync::restore(r.sync_state(peer, id)?.as_deref());
            let changed = docsync::accept(&mut doc, &mut state, message)
                .map_err(|e| SyncError::BadMessage(id, e.to_string()))?;
            if changed {
                let household = r.save_document(id, &doc, before.as_deref())?;
                if !scope.allows(household.info.community.as_str()) {
                    return Err(SyncError::OutOfScope(id));
                }
            }
            if let Some(msg) = docsync::offer_message(id, &doc, &mut state) {
                used += msg.message.len();
                replies.push(msg);
                sent.push((id, doc.get_heads()));
            }
            r.set_sync_state(peer, id, &state.encode())?;
            answered.insert(id);
        }

        // Everything else that changed here since the device's cursor, oldest first.
        let mut cursor = request.cursor;
        let mut more = false;
        'scan: loop {
            let batch = r.updated_since(cursor, 256)?;
            if batch.is_empty() {
                break;
            }
            for (id, seq) in batch {
                if used >= budget {
                    more = true;
                    break 'scan;
                }
                if !answered.contains(&id) && r.community(id)?.is_some_and(|c| scope.allows(&c)) {
                    let doc = r.document(id)?.expect("listed documents exist");
                    let mut state = docsync::restore(r.sync_state(peer, id)?.as_deref());
                    docsync::prime(&mut state);
                    if let Some(msg) = docsync::offer_message(id, &doc, &mut state) {
                        used += msg.message.len();
                        replies.push(msg);
                        sent.push((id, doc.get_heads()));
                    }
                }
                cursor = seq;
            }
        }
        Ok(Response {
            docs: replies,
            cursor,
            more,
        })
    })
}
