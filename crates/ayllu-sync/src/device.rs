//! The device's side of a sync: build a request, take the response, repeat until quiet.
//!
//! A session lives for one sync. If a request fails in transit, drop the session and start
//! a new one later: everything a session learns is committed only with a response, so a
//! new session starts from what was stored, and sends again whatever might be missing.

use std::collections::{BTreeSet, HashMap};

use automerge::sync::State;
use ayllu_model::HouseholdId;
use ayllu_store::{ChangedSince, Direction, PeerCursor, ReceivedDocument, Replica, Store, StoreError};

use crate::docsync;
use crate::guard::{self, Limits};
use crate::wire::{DocMessage, RefusalCode, Request, Response};
use crate::{DEFAULT_BUDGET, MAX_DOCS_PER_REQUEST, SyncError, parallel};

/// Exchanges before a session gives up: a sync that needs more is broken, not slow.
const MAX_EXCHANGES: u32 = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub exchanges: u32,
    /// Households sent that the hub did not have in full.
    pub sent: usize,
    /// Households changed here by what the hub sent.
    pub received: usize,
}

/// A request being filled: its messages, their bytes, the households they are for.
#[derive(Default)]
struct Filling {
    docs: Vec<DocMessage>,
    used: usize,
    offered: Vec<HouseholdId>,
}

impl Filling {
    fn full(&self, budget: usize) -> bool {
        self.used >= budget || self.docs.len() >= MAX_DOCS_PER_REQUEST
    }

    /// One household's offer, built: its state kept, its message (if any) carried.
    fn take(
        &mut self,
        states: &mut HashMap<HouseholdId, State>,
        id: HouseholdId,
        built: (Option<DocMessage>, State),
    ) {
        let (message, state) = built;
        states.insert(id, state);
        if let Some(msg) = message {
            self.used += msg.message.len();
            self.docs.push(msg);
            self.offered.push(id);
        }
    }
}

/// A request built ahead ([`DeviceSession::prefetch`]): sent if [`DeviceSession::adopt`]
/// takes it.
pub struct Prefetched {
    request: Request,
    covered: i64,
    offered: Vec<HouseholdId>,
    states: HashMap<HouseholdId, State>,
}

impl Prefetched {
    pub fn request(&self) -> &Request {
        &self.request
    }
}

pub struct DeviceSession {
    peer: String,
    budget: usize,
    /// The first request's budget, if smaller.
    first_budget: Option<usize>,
    states: HashMap<HouseholdId, State>,
    /// Documents the last response touched: they may need an answer.
    pending: BTreeSet<HouseholdId>,
    /// What the request in flight offered: local update sequence covered, documents sent.
    in_flight: Option<(i64, Vec<HouseholdId>)>,
    more: bool,
    /// Whether everything the last request offered was settled by its answer.
    last_settled: bool,
    /// Households the hub refused before: offered again once, at the session's start.
    retried: bool,
    progress: Progress,
}

impl DeviceSession {
    /// A session with the hub known locally as `peer`.
    pub fn new(peer: &str) -> DeviceSession {
        DeviceSession {
            peer: peer.to_string(),
            budget: DEFAULT_BUDGET,
            first_budget: None,
            states: HashMap::new(),
            pending: BTreeSet::new(),
            in_flight: None,
            more: true,
            last_settled: false,
            retried: false,
            progress: Progress::default(),
        }
    }

    pub fn with_budget(mut self, bytes: usize) -> DeviceSession {
        self.budget = bytes;
        self
    }

    /// The first request carries at most `bytes` of messages (the rest of the budget
    /// goes to the later ones): a small first exchange measures the link before the bulk
    /// is compressed for it (`HubClient`).
    pub fn with_first_budget(mut self, bytes: usize) -> DeviceSession {
        self.first_budget = Some(bytes);
        self
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    fn state<'a>(
        states: &'a mut HashMap<HouseholdId, State>,
        r: &Replica<'_>,
        peer: &str,
        id: HouseholdId,
    ) -> Result<&'a mut State, StoreError> {
        match states.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut s = docsync::restore(r.sync_state(peer, id)?.as_deref());
                docsync::prime(&mut s);
                Ok(e.insert(s))
            }
        }
    }

    /// What to send for one household, if anything, read from the store (the message is
    /// built by [`docsync::build`]). A household in step with the hub (most, after a
    /// pull: each was just written here) is passed over from its stored heads, without
    /// reading the document.
    fn prepare(
        states: &mut HashMap<HouseholdId, State>,
        r: &Replica<'_>,
        peer: &str,
        id: HouseholdId,
    ) -> Result<Option<docsync::Offer>, SyncError> {
        let Some(heads) = r.heads(id)? else {
            return Ok(None);
        };
        let state = Self::state(states, r, peer, id)?;
        if docsync::quiet(&heads, state) {
            return Ok(None);
        }
        let stored = r.stored_document(id)?.expect("a document with heads exists");
        Ok(Some(docsync::Offer {
            id,
            stored,
            heads,
            state: state.clone(),
        }))
    }

    /// Fills `filling` with what changed here after `from` (read in turn, built on every
    /// core, taken in order while the budget lasts). Returns how far that covered:
    /// everything written here up to it was offered or had nothing to say; a household built
    /// after the budget ran out is not covered (it is offered later).
    /// `known`: states to start from for households `states` lacks (the session's, when
    /// building ahead into a scratch map).
    fn offer_changed(
        r: &mut Replica<'_>,
        states: &mut HashMap<HouseholdId, State>,
        known: Option<&HashMap<HouseholdId, State>>,
        filling: &mut Filling,
        from: i64,
        peer: &str,
        budget: usize,
    ) -> Result<i64, SyncError> {
        let version = crate::wire::Version::CURRENT;
        let mut covered = from;
        let mut changed = ChangedSince::new(from);
        let mut cut = false;
        parallel::pipeline(
            &mut (&mut *r, &mut *states, &mut *filling, &mut cut),
            |(r, states, filling, cut)| -> Result<_, SyncError> {
                loop {
                    if filling.full(budget) {
                        **cut = true;
                        return Ok(None);
                    }
                    let Some((id, seq)) = changed.next(r)? else {
                        return Ok(None);
                    };
                    if filling.offered.contains(&id) {
                        continue;
                    }
                    if let Some(state) = known.and_then(|k| k.get(&id))
                        && !states.contains_key(&id)
                    {
                        states.insert(id, state.clone());
                    }
                    if let Some(offer) = Self::prepare(states, r, peer, id)? {
                        return Ok(Some((seq, offer)));
                    }
                }
            },
            |(seq, offer)| (seq, docsync::build(offer, version)),
            |(_, states, filling, cut), (seq, (id, built))| {
                if filling.full(budget) {
                    **cut = true;
                } else {
                    filling.take(states, id, built?);
                    covered = seq;
                }
                Ok(())
            },
        )?;
        if !cut {
            covered = changed.scanned();
        }
        Ok(covered)
    }

    /// The request after the one in flight, built (by the caller, compressed too) while the
    /// hub works on that one: on a phone that is time the sync otherwise waits. Only what
    /// the hub's answer cannot change goes in it — households changed here after what the
    /// request in flight covered — and nothing is written; [`DeviceSession::adopt`] decides,
    /// once the answer is stored, whether it still is the next request. `None` when there
    /// is nothing to build ahead (nothing in flight, answers owed, nothing changed).
    pub fn prefetch(&self, store: &mut Store) -> Result<Option<Prefetched>, SyncError> {
        let Some((from, in_flight)) = &self.in_flight else {
            return Ok(None);
        };
        if !self.pending.is_empty() {
            return Ok(None);
        }
        let (peer, budget) = (self.peer.as_str(), self.budget);
        store.replica(|r: &mut Replica<'_>| -> Result<_, SyncError> {
            let at = r.peer(peer)?;
            // The session's states, as far as these households have them; the session's
            // own are left as they are until the request is adopted.
            let mut states: HashMap<HouseholdId, State> = HashMap::new();
            let mut filling = Filling {
                offered: in_flight.clone(),
                ..Filling::default()
            };
            let covered = Self::offer_changed(
                r,
                &mut states,
                Some(&self.states),
                &mut filling,
                *from,
                peer,
                budget,
            )?;
            if filling.docs.is_empty() {
                return Ok(None);
            }
            let offered = filling.offered.split_off(in_flight.len());
            states.retain(|id, _| offered.contains(id));
            Ok(Some(Prefetched {
                request: Request {
                    request_id: *uuid::Uuid::new_v4().as_bytes(),
                    cursor: at.cursor,
                    docs: filling.docs,
                },
                covered,
                offered,
                states,
            }))
        })
    }

    /// Takes `ahead` as the next request if the answer just stored left it so: nothing owed
    /// the hub, nothing more to ask of it, everything the last request offered settled
    /// (else what it covered must be offered again first). Its cursor may be behind the
    /// answer's: the hub then walks a little more of what it has, and sends nothing twice
    /// that is in step. Returns the request to send; `None`: build the next request with
    /// [`DeviceSession::next_request`].
    pub fn adopt(&mut self, ahead: Prefetched) -> Option<Request> {
        if self.in_flight.is_some() || !self.pending.is_empty() || self.more || !self.last_settled {
            return None;
        }
        let Prefetched {
            request,
            covered,
            offered,
            states,
        } = ahead;
        self.states.extend(states);
        self.in_flight = Some((covered, offered));
        Some(request)
    }

    /// The next request to send, or `None` when the sync is complete.
    pub fn next_request(&mut self, store: &mut Store) -> Result<Option<Request>, SyncError> {
        if self.progress.exchanges >= MAX_EXCHANGES {
            return Err(SyncError::NoProgress(self.progress.exchanges));
        }
        let peer = self.peer.clone();
        let first = self.progress.exchanges == 0;
        let budget = match self.first_budget {
            Some(b) if first => b.min(self.budget),
            _ => self.budget,
        };
        let (states, pending) = (&mut self.states, &mut self.pending);
        let retry = !std::mem::replace(&mut self.retried, true);
        let (request, offered) = store.replica(|r: &mut Replica<'_>| -> Result<_, SyncError> {
            let at = r.peer(&peer)?;
            let mut filling = Filling::default();
            if retry {
                pending.extend(r.refused_by(&peer)?);
            }
            // Answers owed from the last response (and households refused before) first,
            // then what changed here: read in turn, built on every core, taken in order
            // while the budget lasts (what was built past it is offered later).
            let version = crate::wire::Version::CURRENT;
            let mut owed = std::mem::take(pending).into_iter();
            parallel::pipeline(
                &mut (&mut *r, &mut *states, &mut filling, &mut *pending),
                |(r, states, filling, pending)| -> Result<_, SyncError> {
                    for id in owed.by_ref() {
                        if filling.full(budget) {
                            pending.insert(id);
                        } else if let Some(offer) = Self::prepare(states, r, &peer, id)? {
                            return Ok(Some(offer));
                        }
                    }
                    Ok(None)
                },
                |offer| docsync::build(offer, version),
                |(_, states, filling, pending), (id, built)| {
                    if filling.full(budget) {
                        pending.insert(id);
                    } else {
                        filling.take(states, id, built?);
                    }
                    Ok(())
                },
            )?;
            let covered = Self::offer_changed(r, states, None, &mut filling, at.pushed_seq, &peer, budget)?;
            let request = Request {
                request_id: *uuid::Uuid::new_v4().as_bytes(),
                cursor: at.cursor,
                docs: filling.docs,
            };
            Ok((request, (covered, filling.offered)))
        })?;
        // Done when we have nothing to say and the hub has nothing more to give.
        if request.docs.is_empty() && !self.more && self.progress.exchanges > 0 && self.pending.is_empty() {
            // Everything written here up to `covered` had nothing to offer: the hub holds
            // it (mostly what it just sent us). Recording that keeps "waiting" honest.
            let (covered, _) = offered;
            store.replica(|r: &mut Replica<'_>| -> Result<(), SyncError> {
                let at = r.peer(&peer)?;
                if covered > at.pushed_seq {
                    r.set_peer(
                        &peer,
                        PeerCursor {
                            pushed_seq: covered,
                            ..at
                        },
                    )?;
                }
                Ok(())
            })?;
            return Ok(None);
        }
        self.in_flight = Some(offered);
        Ok(Some(request))
    }

    /// Stores what the hub sent, in one transaction, then advances the cursors. Every
    /// household is read within our limits and checked like one a phone sent the hub (a
    /// hub can be fake); one that fails is skipped, recorded, and asked for again later.
    pub fn receive(&mut self, store: &mut Store, response: Response) -> Result<(), SyncError> {
        let (covered, offered) = self.in_flight.take().unwrap_or_default();
        let peer = self.peer.clone();
        let states = &mut self.states;
        let pending = &mut self.pending;
        let progress = &mut self.progress;
        let settled_all = store.replica(|r: &mut Replica<'_>| -> Result<bool, SyncError> {
            let mut all_in_step = true;
            let mut settled = BTreeSet::new();
            let mut answered = BTreeSet::new();
            let mut docs = response.docs.into_iter().filter(|d| answered.insert(d.household));
            // Read from the store in turn, merged and checked on every core, written in
            // turn, each in its own savepoint; writing one overlaps merging the next.
            let mut outcomes = Vec::new();
            parallel::pipeline(
                &mut (&mut *r, &mut *states, &mut outcomes),
                |(r, states, _)| -> Result<_, SyncError> {
                    let Some(DocMessage {
                        household: id,
                        message,
                    }) = docs.next()
                    else {
                        return Ok(None);
                    };
                    let (doc, before) = r.document_or_new(id)?;
                    let state = Self::state(states, r, &peer, id)?.clone();
                    Ok(Some((id, message, doc, before, state)))
                },
                |(id, message, mut doc, before, mut state)| {
                    let merged = (|| -> Result<_, StoreError> {
                        let Ok(message) = guard::read_incoming(&message, &Limits::SYNC) else {
                            return Err(StoreError::Shape(id, "unreadable sync message".into()));
                        };
                        let changed = docsync::accept(&mut doc, &mut state, message)
                            .map_err(|e| StoreError::Shape(id, e.to_string()))?;
                        let received = match changed {
                            true => Some(ReceivedDocument::read(id, &doc, before.as_deref())?),
                            false => None,
                        };
                        Ok((docsync::in_step(&doc, &state), received))
                    })();
                    // The document is dropped here, on its worker: held until written, a
                    // merged document's memory outlived it (a fresh pull of 10,000 peaked
                    // at 1.2 GB with 256 in flight).
                    drop(doc);
                    (id, before, state, merged)
                },
                |(r, states, outcomes), (id, before, state, merged)| {
                    // A household refused is not written (the store sees to it); any other
                    // failure fails the whole response, its transaction and all.
                    let outcome =
                        merged.and_then(|(in_step, received)| -> Result<(bool, bool), StoreError> {
                            let changed = received.is_some();
                            if let Some(received) = received {
                                r.store_received(id, before.as_deref(), received)?;
                            }
                            r.set_sync_state(&peer, id, &state.encode())?;
                            Ok((changed, in_step))
                        });
                    if outcome.is_ok() {
                        states.insert(id, state);
                    }
                    outcomes.push((id, outcome));
                    Ok(())
                },
            )?;
            for (id, outcome) in outcomes {
                match outcome {
                    Ok((changed, in_step)) => {
                        if changed {
                            progress.received += 1;
                        }
                        if in_step {
                            settled.insert(id);
                        } else {
                            all_in_step = false;
                        }
                        r.clear_refusal(&peer, id, Direction::In)?;
                        pending.insert(id);
                    }
                    Err(e @ (StoreError::Corrupt(..) | StoreError::Shape(..) | StoreError::TooLarge(..))) => {
                        // Not stored; the session's state for it is forgotten, and the
                        // cursor stays, so it is asked for again by a later sync.
                        states.remove(&id);
                        r.set_refusal(&peer, id, Direction::In, "invalid", &e.to_string())?;
                        all_in_step = false;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            // Households the hub refused stay here, with its reason, and are offered again
            // by the next session (at once if it only ran out of room).
            let mut refused = BTreeSet::new();
            for f in &response.refused {
                if !offered.contains(&f.household) {
                    continue;
                }
                refused.insert(f.household);
                states.remove(&f.household);
                match f.code {
                    RefusalCode::Later => {
                        pending.insert(f.household);
                    }
                    code => {
                        if code == RefusalCode::Unknown {
                            // The hub lost what we thought it had: start this one afresh.
                            r.forget_sync_state(&peer, f.household)?;
                        }
                        // A hub's words are kept, not trusted to be short.
                        let detail: String = f.detail.chars().take(500).collect();
                        r.set_refusal(&peer, f.household, Direction::Out, code.as_str(), &detail)?;
                        settled.insert(f.household);
                    }
                }
            }
            // The hub answers only when it has something to say: a document it did not
            // answer (nor refuse) is one it now holds exactly as we sent it — as sent, not
            // as it is here now: an edit saved while the request travelled is not in it.
            for id in offered
                .iter()
                .filter(|id| !answered.contains(id) && !refused.contains(id))
            {
                let state = Self::state(states, r, &peer, *id)?;
                let sent = state.last_sent_heads.clone();
                state.shared_heads = sent.clone();
                state.their_heads = Some(sent);
                r.set_sync_state(&peer, *id, &state.encode())?;
                settled.insert(*id);
            }
            for id in offered.iter().filter(|id| !refused.contains(id)) {
                r.clear_refusal(&peer, *id, Direction::Out)?;
            }
            // Advance only over what is settled: a document still out of step is offered
            // again, and the hub's updates are asked for again, by the next session.
            let offered_in_step = offered.iter().all(|id| settled.contains(id));
            let at = r.peer(&peer)?;
            let next = PeerCursor {
                cursor: if all_in_step {
                    response.cursor.max(at.cursor)
                } else {
                    at.cursor
                },
                pushed_seq: if offered_in_step {
                    covered.max(at.pushed_seq)
                } else {
                    at.pushed_seq
                },
            };
            r.set_peer(&peer, next)?;
            progress.sent += offered.len() - refused.len();
            Ok(offered_in_step)
        })?;
        self.last_settled = settled_all;
        self.more = response.more;
        self.progress.exchanges += 1;
        Ok(())
    }
}
