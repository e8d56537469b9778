//! One document's side of the Automerge sync protocol, with persisted per-peer state.
//! Pure: Automerge values in, Automerge values out.

use automerge::sync::{BloomFilter, Have, Message, MessageVersion, State, SyncDoc};
use automerge::{Automerge, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode};

use crate::guard::{Incoming, whole};

/// The stored state with a peer, or a new one. Only the shared heads persist.
pub fn restore(bytes: Option<&[u8]>) -> State {
    bytes.and_then(|b| State::decode(b).ok()).unwrap_or_default()
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// Assumes the peer has exactly the heads both last agreed on, so the first message
/// carries the changes rather than only a Bloom filter: one round trip instead of two.
/// If the assumption is wrong the peer answers with what it needs, as the protocol does.
pub fn prime(state: &mut State) {
    if state.their_heads.is_none() {
        state.their_heads = Some(state.shared_heads.clone());
        state.their_have = Some(vec![Have {
            last_sync: state.shared_heads.clone(),
            bloom: BloomFilter::default(),
        }]);
        state.their_need = Some(vec![]);
    }
}

/// Whether a document with these heads has nothing to say to the peer: in step as far as
/// both last agreed. Decided from the heads alone, so a caller need not load the document.
pub fn quiet(heads: &[ChangeHash], state: &State) -> bool {
    let ours = sorted(heads.to_vec());
    !state.have_responded
        && state.their_heads.as_ref().map(|h| sorted(h.clone())) == Some(ours.clone())
        && sorted(state.shared_heads.clone()) == ours
}

/// The message to send for `doc`, if the peer may be missing anything or needs our heads.
pub fn offer(doc: &Automerge, state: &mut State) -> Option<Message> {
    if quiet(&doc.get_heads(), state) {
        return None;
    }
    doc.generate_sync_message(state)
}

/// [`offer`], written for the wire in `version`.
pub fn offer_message(
    id: ayllu_model::HouseholdId,
    doc: &Automerge,
    state: &mut State,
    version: crate::wire::Version,
) -> Option<crate::wire::DocMessage> {
    offer(doc, state).map(|m| crate::wire::DocMessage {
        household: id,
        message: if version.compact() {
            crate::guard::compact::write(&m)
        } else {
            m.encode()
        },
    })
}

/// A household to offer a peer, as read from the store: its bytes, its heads and the state
/// with the peer. Built with [`build`], off the store.
pub(crate) struct Offer {
    pub id: ayllu_model::HouseholdId,
    pub stored: ayllu_store::StoredDocument,
    pub heads: Vec<ChangeHash>,
    pub state: State,
}

/// An offer built: its household, and its message (if it has anything to say) and state
/// after.
pub(crate) type Built = (
    ayllu_model::HouseholdId,
    Result<(Option<crate::wire::DocMessage>, State), ayllu_store::StoreError>,
);

/// Builds one offer: loading a document and rebuilding its changes is most of what sending
/// a household costs, so callers stream offers through [`crate::parallel::pipeline`], on
/// every core. A household the peer has never been in step with goes whole where the
/// version allows ([`whole`]): its stored bytes as they are, nothing loaded. A document
/// that does not load is the store's error, as it would be loading it anywhere else.
pub(crate) fn build(
    Offer {
        id,
        stored,
        heads,
        mut state,
    }: Offer,
    version: crate::wire::Version,
) -> Built {
    if version.whole_documents() && state.shared_heads.is_empty() {
        let form = stored.saved_plain().map(|saved| whole::write(&saved));
        match form {
            Ok(Some(message)) => {
                // As `generate_sync_message` leaves a state that sent everything.
                state.last_sent_heads = heads;
                state.have_responded = true;
                state.in_flight = true;
                let message = crate::wire::DocMessage {
                    household: id,
                    message,
                };
                return (id, Ok((Some(message), state)));
            }
            Ok(None) => {} // not one our reader would pass whole: as changes
            Err(e) => return (id, Err(e)),
        }
    }
    let built = stored.load().map(|doc| {
        let message = offer_message(id, &doc, &mut state, version);
        (message, state)
    });
    (id, built)
}

/// Applies a peer's message to `doc`. Returns whether the document changed; the error's
/// words otherwise.
///
/// Automerge panics on some changes our guard reads as well formed (an operation on an
/// object the document does not have: found by fuzzing, `tests/fixtures`): that panic is
/// caught here and the message refused. The caller drops `doc` and `state` on an error,
/// so a half-applied merge is never kept.
pub fn accept(doc: &mut Automerge, state: &mut State, incoming: Incoming) -> Result<bool, String> {
    let before = doc.get_heads();
    match incoming {
        Incoming::Sync(message) => contain(|| doc.receive_sync_message(state, message))?,
        Incoming::Document(whole) => contain(|| accept_whole(doc, state, &whole))?,
    }
    Ok(doc.get_heads() != before)
}

/// A whole document from the peer: loaded unchecked (it carries no heads: loading takes
/// those its changes give), taken as it is if we had nothing, merged otherwise; then the
/// state moves as if the peer had sent every change of it, with its heads and a summary of
/// them all.
fn accept_whole(
    doc: &mut Automerge,
    state: &mut State,
    whole: &whole::Document,
) -> Result<(), automerge::AutomergeError> {
    let mut theirs = Automerge::load_with_options(
        whole.chunk(),
        LoadOptions::new()
            .verification_mode(VerificationMode::DeriveHeads)
            .on_partial_load(OnPartialLoad::Error),
    )?;
    let heads = theirs.get_heads();
    let bloom = BloomFilter::from_hashes(theirs.get_changes_meta(&[]).iter().map(|c| &c.hash));
    if doc.is_empty() {
        let actor = doc.get_actor().clone();
        *doc = theirs.with_actor(actor);
    } else {
        doc.merge(&mut theirs)?;
    }
    let message = Message {
        heads,
        need: Vec::new(),
        have: vec![Have {
            last_sync: Vec::new(),
            bloom,
        }],
        changes: Vec::<Vec<u8>>::new().into(),
        flags: None,
        version: MessageVersion::V1,
    };
    doc.receive_sync_message(state, message)
}

/// Runs an Automerge call that may panic on hostile input, as an error instead.
pub fn contain<T>(f: impl FnOnce() -> Result<T, automerge::AutomergeError>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("the changes cannot be applied (Automerge refused them)".into()),
    }
}

/// Whether both sides hold the same heads (as far as this side knows).
pub fn in_step(doc: &Automerge, state: &State) -> bool {
    state.their_heads.as_ref().map(|h| sorted(h.clone())) == Some(sorted(doc.get_heads()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{ROOT, transaction::Transactable};

    fn doc_with(key: &str, value: &str) -> Automerge {
        let mut d = Automerge::new();
        let mut tx = d.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
        d
    }

    /// Runs the protocol between two docs until quiet; returns the number of messages.
    fn exchange(a: &mut Automerge, sa: &mut State, b: &mut Automerge, sb: &mut State) -> usize {
        let mut n = 0;
        loop {
            let m1 = offer(a, sa);
            if let Some(m) = m1.clone() {
                n += 1;
                accept(b, sb, Incoming::Sync(Message::decode(&m.encode()).unwrap())).unwrap();
            }
            let m2 = offer(b, sb);
            if let Some(m) = m2.clone() {
                n += 1;
                accept(a, sa, Incoming::Sync(Message::decode(&m.encode()).unwrap())).unwrap();
            }
            if m1.is_none() && m2.is_none() {
                return n;
            }
            assert!(n < 20, "sync did not settle");
        }
    }

    #[test]
    fn primed_state_sends_changes_in_the_first_message() {
        let mut a = doc_with("community", "Ccorca");
        let mut b = Automerge::new();
        let (mut sa, mut sb) = (State::new(), State::new());
        exchange(&mut a, &mut sa, &mut b, &mut sb);
        assert_eq!(a.get_heads(), b.get_heads());

        // Persist and restore, as between two syncs; then an edit on `a`.
        let (mut sa, mut sb) = (restore(Some(&sa.encode())), restore(Some(&sb.encode())));
        let mut tx = a.transaction();
        tx.put(ROOT, "sector", "Alto").unwrap();
        tx.commit();
        prime(&mut sa);
        let first = offer(&a, &mut sa).unwrap();
        assert_eq!(first.changes.len(), 1, "the edit travels in the first message");
        accept(&mut b, &mut sb, Incoming::Sync(first)).unwrap();
        assert_eq!(a.get_heads(), b.get_heads());
    }

    #[test]
    fn nothing_to_say_when_in_step() {
        let mut a = doc_with("x", "1");
        let mut b = Automerge::new();
        let (mut sa, mut sb) = (State::new(), State::new());
        exchange(&mut a, &mut sa, &mut b, &mut sb);
        let mut sa = restore(Some(&sa.encode()));
        prime(&mut sa);
        assert!(offer(&a, &mut sa).is_none());
    }

    #[test]
    fn a_wrong_assumption_is_repaired_by_the_protocol() {
        // b lost its copy (restored an old backup) but a's state says b had it all.
        let mut a = doc_with("x", "1");
        let mut b = Automerge::new();
        let (mut sa, mut sb) = (State::new(), State::new());
        exchange(&mut a, &mut sa, &mut b, &mut sb);
        let mut b = Automerge::new();
        let mut sb = State::new();
        let mut sa = restore(Some(&sa.encode()));
        let mut tx = a.transaction();
        tx.put(ROOT, "y", "2").unwrap();
        tx.commit();
        prime(&mut sa);
        exchange(&mut a, &mut sa, &mut b, &mut sb);
        assert_eq!(a.get_heads(), b.get_heads());
    }
}
