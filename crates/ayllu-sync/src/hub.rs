//! The hub's side: one request in, one response out, in one store transaction; each
//! household of the request taken or refused on its own.

use std::collections::BTreeSet;

use automerge::{ActorId, Automerge, ReadDoc};
pub use ayllu_model::Scope;
use ayllu_model::{Household, HouseholdId};
use ayllu_store::{ChangedSince, ReceivedDocument, Replica, Store, StoreError};

use crate::docsync;
use crate::guard::{self, Incoming, Limits};
use crate::wire::{DocMessage, RefusalCode, Refused, Request, Response, Version};
use crate::{DEFAULT_BUDGET, SyncError, parallel};

/// Households one request may carry. A device's budget fills long before this; a request
/// past it is refused whole, before any work.
pub const MAX_DOCS_PER_REQUEST: usize = 4_096;

/// Bytes of replies (before compression) after which the hub answers further households
/// of the request with [`RefusalCode::Later`]: even incompressible, a response stays under
/// the wire's 4 MiB body limit whatever the request asked for.
const RESPONSE_HARD_LIMIT: usize = 2 * 1024 * 1024;

/// Who a request comes from, as the hub knows it.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    /// The name the hub's store keeps this device's bookkeeping under.
    pub peer: &'a str,
    pub scope: &'a Scope,
    /// The only Automerge actor this device may write under. `None` trusts any actor: only
    /// for the hub's own staff tools, never for a device.
    pub actor: Option<&'a ActorId>,
}

/// Why one household was not taken: a refusal the response reports, or a failure of the
/// hub itself that fails the whole request.
pub(crate) enum Outcome {
    Refuse(RefusalCode, String),
    Fail(SyncError),
}

impl From<StoreError> for Outcome {
    fn from(e: StoreError) -> Outcome {
        match e {
            StoreError::Corrupt(_, why) => Outcome::Refuse(RefusalCode::Invalid, why),
            StoreError::Shape(_, why) => Outcome::Refuse(RefusalCode::Shape, why),
            e @ StoreError::TooLarge(..) => Outcome::Refuse(RefusalCode::TooLarge, e.to_string()),
            other => Outcome::Fail(SyncError::Store(other)),
        }
    }
}

/// Answers one request. The request as a whole is refused only when it cannot be read, is
/// a replay, or is too large; otherwise each household is stored or refused on its own
/// (see [`Response::refused`]), and the response carries what changed here since the
/// device's cursor, within its scope.
pub fn serve(store: &mut Store, sender: &Sender<'_>, request: Request) -> Result<Response, SyncError> {
    serve_with_budget(store, sender, request, DEFAULT_BUDGET)
}

pub fn serve_with_budget(
    store: &mut Store,
    sender: &Sender<'_>,
    request: Request,
    budget: usize,
) -> Result<Response, SyncError> {
    let mut serving = Serving::new(request, Version::CURRENT, budget)?;
    loop {
        if let Some(response) = serving.step(store, sender)? {
            return Ok(response);
        }
    }
}

/// Households taken in one step: one store transaction, then the store is free for others
/// (a request of thousands of households never holds the hub for seconds).
pub const HOUSEHOLDS_PER_STEP: usize = 128;

/// One request being answered, a step at a time. Each [`Serving::step`] is one store
/// transaction over up to [`HOUSEHOLDS_PER_STEP`] households, so a caller that shares the
/// store (the hub, between phones) can let others in between steps. Every household is
/// taken or refused on its own anyway, so committing in steps changes no outcome; a hub
/// stopped between steps has stored what the committed steps took, and the phone's next
/// sync sends the rest again.
pub struct Serving {
    request_id: [u8; 16],
    /// The wire version the request came in: the response's messages are written in it.
    version: Version,
    cursor: i64,
    budget: usize,
    messages: std::collections::VecDeque<(HouseholdId, Incoming)>,
    started: bool,
    replies: Vec<DocMessage>,
    refused: Vec<Refused>,
    answered: BTreeSet<HouseholdId>,
    used: usize,
}

impl Serving {
    /// Reads every message within our limits before anything else: a request carrying one
    /// that is not what an Ayllu phone writes is refused whole (400), nothing stored.
    pub fn new(request: Request, version: Version, budget: usize) -> Result<Serving, SyncError> {
        if request.docs.len() > MAX_DOCS_PER_REQUEST {
            return Err(SyncError::TooManyDocs(request.docs.len()));
        }
        let messages = request
            .docs
            .iter()
            .map(|d| {
                guard::read_incoming(&d.message, &Limits::SYNC)
                    .map(|m| (d.household, m))
                    .map_err(|e| SyncError::BadMessage(d.household, e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Serving {
            request_id: request.request_id,
            version,
            cursor: request.cursor,
            budget,
            messages,
            started: false,
            replies: Vec::new(),
            refused: Vec::new(),
            answered: BTreeSet::new(),
            used: 0,
        })
    }

    /// The next step; the response once the request is done. Each household is read from
    /// the store, then merged and checked (on every core: no store there), then written,
    /// each in its own savepoint; writing one overlaps merging the next
    /// ([`parallel::pipeline`]).
    pub fn step(&mut self, store: &mut Store, sender: &Sender<'_>) -> Result<Option<Response>, SyncError> {
        store.replica(|r: &mut Replica<'_>| -> Result<Option<Response>, SyncError> {
            if !self.started {
                self.start(r, sender)?;
            }
            let version = self.version;
            let mut taken = 0;
            parallel::pipeline(
                &mut (&mut *self, &mut *r),
                |(serving, r)| -> Result<Option<Job>, SyncError> {
                    while taken < HOUSEHOLDS_PER_STEP {
                        let Some((id, message)) = serving.messages.pop_front() else {
                            break;
                        };
                        taken += 1;
                        if !serving.answered.insert(id) {
                            serving.refused.push(Refused {
                                household: id,
                                code: RefusalCode::Unreadable,
                                detail: "the household appears twice in the request".into(),
                            });
                            continue;
                        }
                        match gather(r, sender, id, message) {
                            Ok(job) => return Ok(Some(job)),
                            Err(outcome) => serving.refuse(id, outcome)?,
                        }
                    }
                    Ok(None)
                },
                |job| {
                    let id = job.id;
                    (id, merge_and_check(job, sender, version))
                },
                |(serving, r), (id, done)| {
                    if serving.used >= RESPONSE_HARD_LIMIT {
                        serving.refused.push(Refused {
                            household: id,
                            code: RefusalCode::Later,
                            detail: "the response is full".into(),
                        });
                        return Ok(());
                    }
                    // `write` writes nothing of a household it refuses (the store sees to
                    // it); any other failure fails the request, its transaction and all.
                    match done.and_then(|done| write(r, sender, done)) {
                        Ok(Some(msg)) => {
                            serving.used += msg.message.len();
                            serving.replies.push(msg);
                        }
                        Ok(None) => {}
                        Err(outcome) => serving.refuse(id, outcome)?,
                    }
                    Ok(())
                },
            )?;
            if self.messages.is_empty() {
                return Ok(Some(self.finish(r, sender)?));
            }
            Ok(None)
        })
    }

    /// A household not taken: refused in the response, or the whole request failed.
    fn refuse(&mut self, id: HouseholdId, outcome: Outcome) -> Result<(), SyncError> {
        match outcome {
            Outcome::Refuse(code, detail) => {
                self.refused.push(Refused {
                    household: id,
                    code,
                    detail,
                });
                Ok(())
            }
            Outcome::Fail(e) => Err(e),
        }
    }

    /// The request's bookkeeping before anything else: refused if a replay; what the
    /// device's cursor confirms folded into the sync states. Returns whether it confirmed
    /// anything.
    fn start(&mut self, r: &mut Replica<'_>, sender: &Sender<'_>) -> Result<bool, SyncError> {
        let peer = sender.peer;
        if !r.first_sight_of_request(peer, &self.request_id)? {
            return Err(SyncError::Replayed);
        }
        // The device's cursor confirms every response up to it: what those responses
        // carried is now known to be on the device, so the next message starts from there.
        let confirmed = r.confirmed(peer, self.cursor)?;
        let any = !confirmed.is_empty();
        for (id, heads) in confirmed {
            if let Some(doc) = r.document(id)? {
                // Only heads we know: a confirmation can never make us skip changes.
                if heads.iter().all(|h| doc.get_change_by_hash(h).is_some()) {
                    let mut state = docsync::restore(r.sync_state(peer, id)?.as_deref());
                    state.shared_heads = heads;
                    r.set_sync_state(peer, id, &state.encode())?;
                }
            }
        }
        self.started = true;
        Ok(any)
    }

    /// Everything else that changed here since the device's cursor, oldest first.
    fn finish(&mut self, r: &mut Replica<'_>, sender: &Sender<'_>) -> Result<Response, SyncError> {
        let version = self.version;
        let budget = self.budget;
        // Read in turn, built on every core, taken in order while the budget lasts.
        // `cursor`: everything up to it was answered or had nothing to say; what was built
        // past the budget is not covered, and `more` says so.
        let mut cursor = self.cursor;
        let mut changed = ChangedSince::new(self.cursor);
        let mut more = false;
        parallel::pipeline(
            &mut (&mut *self, &mut *r, &mut more),
            |(serving, r, more)| -> Result<_, SyncError> {
                loop {
                    if serving.used >= budget {
                        **more |= changed.any_left(r)?;
                        return Ok(None);
                    }
                    let Some((id, seq)) = changed.next(r)? else {
                        return Ok(None);
                    };
                    if serving.answered.contains(&id)
                        || !r.community(id)?.is_some_and(|c| sender.scope.allows(&c))
                    {
                        continue;
                    }
                    let mut state = docsync::restore(r.sync_state(sender.peer, id)?.as_deref());
                    docsync::prime(&mut state);
                    // Decided from the stored heads first: what this device sent in an
                    // earlier request of its sync is listed here too, and has nothing to
                    // say back.
                    let heads = r.heads(id)?.expect("listed documents exist");
                    if !docsync::quiet(&heads, &state) {
                        let stored = r.stored_document(id)?.expect("listed documents exist");
                        return Ok(Some((
                            seq,
                            docsync::Offer {
                                id,
                                stored,
                                heads,
                                state,
                            },
                        )));
                    }
                }
            },
            |(seq, offer)| (seq, docsync::build(offer, version)),
            |(serving, _, more), (seq, (_, built))| {
                if serving.used >= budget {
                    **more = true;
                    return Ok(());
                }
                if let (Some(msg), _) = built? {
                    serving.used += msg.message.len();
                    serving.replies.push(msg);
                }
                cursor = seq;
                Ok(())
            },
        )?;
        if !more {
            cursor = changed.scanned();
        }
        Ok(Response {
            docs: std::mem::take(&mut self.replies),
            cursor,
            more,
            refused: std::mem::take(&mut self.refused),
            token: None,
        })
    }
}

/// What an answer built ahead assumed ([`Ahead::build`]): a phone pulling many pages
/// stores one while the hub builds the next, and its next request, carrying nothing, gets
/// that answer if nothing it depends on changed ([`Serving::answer_ahead`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahead {
    /// The cursor the next request will carry: the answer before's.
    cursor: i64,
    /// The store's update sequence when it was built: any household written since (by
    /// anyone) and it no longer holds.
    seq: i64,
    version: Version,
}

impl Ahead {
    /// The answer to a request carrying nothing from a device at `cursor` (in `version`),
    /// as the hub would give it now. Reads only: nothing is written, no request is seen.
    pub fn build(
        store: &mut Store,
        sender: &Sender<'_>,
        cursor: i64,
        version: Version,
        budget: usize,
    ) -> Result<(Ahead, Response), SyncError> {
        let mut serving = Serving::new(
            Request {
                request_id: [0; 16],
                cursor,
                docs: Vec::new(),
            },
            version,
            budget,
        )?;
        serving.started = true;
        store.replica(|r: &mut Replica<'_>| -> Result<_, SyncError> {
            let seq = r.current_seq()?;
            let response = serving.finish(r, sender)?;
            Ok((Ahead { cursor, seq, version }, response))
        })
    }
}

impl Serving {
    /// Whether `ahead`'s answer is this request's: the request carries nothing, at the
    /// cursor it was built for, in its version, nothing was written since and the request's
    /// own bookkeeping (done here: replay, confirmations) confirmed nothing. `false`: carry
    /// on with [`Serving::step`] (the bookkeeping is not done twice).
    pub fn answer_ahead(
        &mut self,
        store: &mut Store,
        sender: &Sender<'_>,
        ahead: &Ahead,
    ) -> Result<bool, SyncError> {
        if self.started {
            return Ok(false);
        }
        store.replica(|r: &mut Replica<'_>| -> Result<bool, SyncError> {
            let confirmed = self.start(r, sender)?;
            Ok(!confirmed
                && self.messages.is_empty()
                && self.cursor == ahead.cursor
                && self.version == ahead.version
                && r.current_seq()? == ahead.seq)
        })
    }
}

/// One household of a request, as the store has it: what merging it needs.
struct Job {
    id: HouseholdId,
    message: Incoming,
    doc: Automerge,
    /// The heads it had here (`None`: new to the hub).
    before: Option<Vec<automerge::ChangeHash>>,
    state: automerge::sync::State,
}

/// One household merged and checked, ready to write.
struct Merged {
    id: HouseholdId,
    before: Option<Vec<automerge::ChangeHash>>,
    /// What to store, if the message changed anything.
    received: Option<ReceivedDocument>,
    reply: Option<DocMessage>,
    state: Vec<u8>,
}

/// Reads what merging household `id` needs; refuses it at once when it is out of the
/// device's scope or made up.
fn gather(r: &Replica<'_>, sender: &Sender<'_>, id: HouseholdId, message: Incoming) -> Result<Job, Outcome> {
    if let Some(c) = r.community(id)?
        && !sender.scope.allows(&c)
    {
        return Err(Outcome::Refuse(
            RefusalCode::OutOfScope,
            "outside this device's communities".into(),
        ));
    }
    if !r.has_document(id)? && !message.carries_changes() {
        // Nothing to store and nothing to answer: no bookkeeping for made-up ids.
        return Err(Outcome::Refuse(
            RefusalCode::Unknown,
            "the hub does not have this household and the message carries none of it".into(),
        ));
    }
    let (doc, before) = r.document_or_new(id)?;
    let state = docsync::restore(r.sync_state(sender.peer, id)?.as_deref());
    Ok(Job {
        id,
        message,
        doc,
        before,
        state,
    })
}

/// Merges and checks one household, without the store (on any thread).
fn merge_and_check(job: Job, sender: &Sender<'_>, version: Version) -> Result<Merged, Outcome> {
    let Job {
        id,
        message,
        mut doc,
        before,
        mut state,
    } = job;
    let before_household = match before {
        Some(_) => Some(ayllu_store::hydrate(id, &doc)?),
        None => None,
    };
    let changed = docsync::accept(&mut doc, &mut state, message)
        .map_err(|e| Outcome::Refuse(RefusalCode::Unreadable, e.to_string()))?;
    if before.is_none() && !changed {
        // Only changes with missing dependencies arrived: nothing to keep.
        return Err(Outcome::Refuse(
            RefusalCode::Unknown,
            "the changes sent build on changes the hub does not have".into(),
        ));
    }
    let received = if changed {
        check_authors(&doc, before.as_deref().unwrap_or(&[]), sender.actor)?;
        let received = ReceivedDocument::read(id, &doc, before.as_deref())?;
        check_admissible(sender, received.household(), before_household.as_ref())?;
        Some(received)
    } else {
        None
    };
    let reply = docsync::offer_message(id, &doc, &mut state, version);
    Ok(Merged {
        id,
        before,
        received,
        reply,
        state: state.encode(),
    })
}

/// Writes one merged household and the device's sync state for it; its reply.
fn write(r: &mut Replica<'_>, sender: &Sender<'_>, merged: Merged) -> Result<Option<DocMessage>, Outcome> {
    let Merged {
        id,
        before,
        received,
        reply,
        state,
    } = merged;
    if let Some(received) = received {
        r.store_received(id, before.as_deref(), received)?;
    }
    r.set_sync_state(sender.peer, id, &state)?;
    Ok(reply)
}

/// What every household a device sends must pass, by sync or by bundle, once merged:
/// new changes under the device's own actor, the household's shape and size, the model's
/// rules, the device's scope, and (for a device) no reopening or removing.
pub(crate) fn check_and_save(
    r: &mut Replica<'_>,
    sender: &Sender<'_>,
    id: HouseholdId,
    doc: &Automerge,
    before: Option<&[automerge::ChangeHash]>,
    before_household: Option<&Household>,
) -> Result<Household, Outcome> {
    check_authors(doc, before.unwrap_or(&[]), sender.actor)?;
    let received = ReceivedDocument::read(id, doc, before)?;
    check_admissible(sender, received.household(), before_household)?;
    Ok(r.store_received(id, before, received)?)
}

/// A merged household a device may send: within its scope and, for a device, no reopening
/// or removing.
fn check_admissible(
    sender: &Sender<'_>,
    after: &Household,
    before: Option<&Household>,
) -> Result<(), Outcome> {
    if !sender.scope.allows(after.info.community.as_str()) {
        return Err(Outcome::Refuse(
            RefusalCode::OutOfScope,
            "outside this device's communities".into(),
        ));
    }
    if let (Some(before), Some(_)) = (before, sender.actor) {
        Household::check_transition(before, after)
            .map_err(|e| Outcome::Refuse(RefusalCode::Transition, e.to_string()))?;
    }
    Ok(())
}

/// Every change the merge added must be the device's own: changes of others reach a hub
/// only through the hub, which already holds them.
fn check_authors(
    doc: &Automerge,
    before: &[automerge::ChangeHash],
    actor: Option<&ActorId>,
) -> Result<(), Outcome> {
    let Some(actor) = actor else { return Ok(()) };
    // The changes' metadata only: building whole changes re-encodes every operation.
    for change in doc.get_changes_meta(before) {
        if change.actor.as_ref() != actor {
            return Err(Outcome::Refuse(
                RefusalCode::ForeignActor,
                format!(
                    "change {} is written under actor {}, not this device's",
                    change.hash, change.actor
                ),
            ));
        }
    }
    Ok(())
}
