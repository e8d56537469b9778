//! Device ↔ hub through the wire format, in one process, on real SQLite stores.

use ayllu_model::{FieldError, HouseholdId, PersonName, ShortText, VisitId};
use ayllu_store::{Signature, Store};
use ayllu_sync::wire::RefusalCode;
use ayllu_sync::wire::{self, Kind, Request, Response};
use ayllu_sync::{DeviceSession, Progress, Scope, Sender, SyncError, serve};
use ayllu_synth::Census;
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn who(name: &str) -> Signature {
    Signature::now(PersonName::parse(name).unwrap())
}

struct Node {
    _dir: tempfile::TempDir,
    store: Store,
    name: String,
}

fn node(name: &str) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    Node {
        _dir: dir,
        store,
        name: name.into(),
    }
}

/// One full sync; returns (progress, requests, bytes up, bytes down).
fn sync(
    device: &mut Node,
    hub: &mut Node,
    scope: &Scope,
) -> Result<(Progress, usize, usize, usize), SyncError> {
    let mut session = DeviceSession::new("hub");
    let actor = device.store.actor().clone();
    let peer = format!("device:{}", device.name);
    let (mut requests, mut up, mut down) = (0, 0, 0);
    while let Some(req) = session.next_request(&mut device.store)? {
        let body = wire::encode(Kind::Request, &req);
        up += body.len();
        requests += 1;
        let req: Request = wire::decode(Kind::Request, &body)?;
        let sender = Sender {
            peer: &peer,
            scope,
            actor: Some(&actor),
        };
        let resp = serve(&mut hub.store, &sender, req)?;
        let body = wire::encode(Kind::Response, &resp);
        down += body.len();
        let resp: Response = wire::decode(Kind::Response, &body)?;
        session.receive(&mut device.store, resp)?;
    }
    Ok((session.progress().clone(), requests, up, down))
}

fn docs(store: &Store) -> Vec<(HouseholdId, ayllu_model::Household)> {
    store
        .household_ids()
        .unwrap()
        .into_iter()
        .map(|id| (id, store.household(id).unwrap().unwrap()))
        .collect()
}

#[test]
fn two_devices_converge_through_the_hub() {
    let (mut a, mut b, mut hub) = (node("a"), node("b"), node("hub"));
    let mut census = Census::new(5, today());
    for _ in 0..30 {
        let h = census.household();
        a.store
            .insert_household(census.household_id(), &h, &who("Juana Condori"))
            .unwrap();
    }
    let (_, requests, up, _) = sync(&mut a, &mut hub, &Scope::All).unwrap();
    assert!(requests <= 2, "{requests} requests");
    assert!(up > 0);
    sync(&mut b, &mut hub, &Scope::All).unwrap();
    assert_eq!(docs(&b.store), docs(&a.store));
    assert_eq!(docs(&hub.store), docs(&a.store));

    // Concurrent edits of one household on both devices, offline.
    let id = a.store.household_ids().unwrap()[0];
    a.store
        .update(id, &who("Juana Condori"), "household.edit", |h| {
            let mut info = h.info.clone();
            info.address = ShortText::parse("Al costado del colegio").unwrap();
            h.set_info(info)
        })
        .unwrap();
    let child = b
        .store
        .household(id)
        .unwrap()
        .unwrap()
        .members
        .keys()
        .next()
        .copied()
        .unwrap();
    let _ = child;
    b.store
        .update(id, &who("Rubén Quispe"), "household.edit", |h| {
            let mut info = h.info.clone();
            info.sector = Some(ShortText::parse("Anexo Pampa").unwrap());
            h.set_info(info)
        })
        .unwrap();
    let (_, r1, up1, down1) = sync(&mut a, &mut hub, &Scope::All).unwrap();
    let (_, r2, ..) = sync(&mut b, &mut hub, &Scope::All).unwrap();
    let (_, r3, ..) = sync(&mut a, &mut hub, &Scope::All).unwrap();
    eprintln!("incremental: {r1} requests, {up1} B up, {down1} B down; then {r2}, {r3}");
    assert!(r1 <= 2 && r2 <= 2 && r3 <= 2);
    let ha = a.store.household(id).unwrap().unwrap();
    assert_eq!(ha.info.address.as_str(), "Al costado del colegio");
    assert_eq!(ha.info.sector.as_ref().unwrap().as_str(), "Anexo Pampa");
    assert_eq!(docs(&a.store), docs(&b.store));
    assert_eq!(
        a.store.projection_dump().unwrap(),
        b.store.projection_dump().unwrap()
    );
}

#[test]
fn an_idle_sync_is_one_small_request() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(9, today());
    for _ in 0..200 {
        let h = census.household();
        a.store
            .insert_household(census.household_id(), &h, &who("Juana Condori"))
            .unwrap();
    }
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    let (_, requests, up, down) = sync(&mut a, &mut hub, &Scope::All).unwrap();
    assert_eq!(requests, 1);
    assert!(up + down < 200, "idle sync took {up} + {down} bytes");
}

#[test]
fn ten_edits_travel_in_few_requests_and_bytes() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(21, today());
    for _ in 0..500 {
        let h = census.household();
        a.store
            .insert_household(census.household_id(), &h, &who("Juana Condori"))
            .unwrap();
    }
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    let ids = a.store.household_ids().unwrap();
    for id in ids.iter().take(10) {
        a.store
            .update(*id, &who("Juana Condori"), "household.edit", |h| {
                let mut info = h.info.clone();
                info.housing.electricity = Some(!info.housing.electricity.unwrap_or(false));
                h.set_info(info)
            })
            .unwrap();
    }
    let (_, requests, up, down) = sync(&mut a, &mut hub, &Scope::All).unwrap();
    eprintln!("10 edits: {requests} requests, {up} B up, {down} B down");
    assert!(requests <= 2);
    assert_eq!(docs(&hub.store), docs(&a.store));
}

#[test]
fn a_household_that_breaks_the_rules_is_refused_whole() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(3, today());
    let h = census.household();
    let id = census.household_id();
    a.store.insert_household(id, &h, &who("Juana Condori")).unwrap();
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    let before = hub.store.projection_dump().unwrap();

    // A device that bypasses validation writes a weight of 300 kg into its document.
    let mut doc = automerge::Automerge::load(&a.store.document_bytes(id).unwrap()).unwrap();
    let mut state = automerge::sync::State::new();
    let visit = VisitId::new();
    {
        use automerge::{ROOT, ReadDoc, transaction::Transactable};
        let mut tx = doc.transaction();
        let (_, visits) = tx.get(ROOT, "visits").unwrap().unwrap();
        let v = tx
            .put_object(&visits, visit.to_string(), automerge::ObjType::Map)
            .unwrap();
        tx.put(&v, "date", "2026-11-20").unwrap();
        tx.put(&v, "promotor", "X").unwrap();
        let checks = tx
            .put_object(&v, "child_checks", automerge::ObjType::Map)
            .unwrap();
        let member = h.members.keys().next().unwrap().to_string();
        let c = tx.put_object(&checks, member, automerge::ObjType::Map).unwrap();
        tx.put(&c, "weight", 300_000u64).unwrap();
        tx.commit();
    }
    use automerge::sync::SyncDoc;
    let msg = doc.generate_sync_message(&mut state).unwrap();
    let _ = FieldError::new("", ayllu_model::Problem::Required);
    let req = Request {
        request_id: [1; 16],
        cursor: 0,
        docs: vec![ayllu_sync::wire::DocMessage {
            household: id,
            message: msg.encode(),
        }],
    };
    // The first message only carries heads; run the protocol until the hub sees the change.
    // (No actor binding here: this checks the model's rules on what arrives.)
    let evil = Sender {
        peer: "device:evil",
        scope: &Scope::All,
        actor: None,
    };
    let mut req = req;
    let mut refused = false;
    for round in 0..4u8 {
        let resp = serve(&mut hub.store, &evil, req.clone()).unwrap();
        if let Some(f) = resp.refused.first() {
            assert_eq!((f.household, f.code), (id, RefusalCode::Invalid), "{f:?}");
            refused = true;
            break;
        }
        for m in resp.docs {
            // Read as our peers read (flags dropped): a stock Automerge peer would switch to
            // whole-document messages, which the hub does not take.
            let m = ayllu_sync::guard::read_message(&m.message, &ayllu_sync::guard::Limits::SYNC).unwrap();
            doc.receive_sync_message(&mut state, m).unwrap();
        }
        let Some(msg) = doc.generate_sync_message(&mut state) else {
            break;
        };
        req.request_id = [round + 2; 16];
        req.docs = vec![ayllu_sync::wire::DocMessage {
            household: id,
            message: msg.encode(),
        }];
    }
    assert!(refused, "the hub must refuse the 300 kg weight");
    assert_eq!(hub.store.projection_dump().unwrap(), before);
    assert!(
        !hub.store
            .household(id)
            .unwrap()
            .unwrap()
            .visits
            .contains_key(&visit)
    );
}

#[test]
fn replays_and_scope_are_refused() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(4, today());
    for _ in 0..10 {
        let h = census.household();
        a.store
            .insert_household(census.household_id(), &h, &who("Juana Condori"))
            .unwrap();
    }
    let mut session = DeviceSession::new("hub");
    let req = session.next_request(&mut a.store).unwrap().unwrap();
    // Scoped to a community none of these households belongs to: each one refused.
    let scope = Scope::Communities(vec!["Comunidad Lejana".into()]);
    let actor = a.store.actor().clone();
    let as_a = |scope| Sender {
        peer: "device:a",
        scope,
        actor: Some(&actor),
    };
    let resp = serve(&mut hub.store, &as_a(&scope), req.clone()).unwrap();
    assert_eq!(resp.refused.len(), 10);
    assert!(resp.refused.iter().all(|f| f.code == RefusalCode::OutOfScope));
    assert!(hub.store.household_ids().unwrap().is_empty());

    let mut again = req.clone();
    again.request_id = [9; 16];
    let resp = serve(&mut hub.store, &as_a(&Scope::All), again.clone()).unwrap();
    assert!(resp.refused.is_empty());
    let err = serve(&mut hub.store, &as_a(&Scope::All), again).unwrap_err();
    assert!(matches!(err, SyncError::Replayed));
}

mod bundles {
    use super::*;
    use ayllu_sync::bundle::{self, Author, BundleReport};

    /// The author of `node`'s bundles as a hub that enrolled it for `scope` knows it.
    fn device(node: &Node, scope: Scope) -> Author {
        Author {
            name: node.name.clone(),
            scope,
            actor: Some(node.store.actor().clone()),
        }
    }

    /// A node's public key: what bundles for it are encrypted to.
    fn key(node: &Node) -> [u8; 32] {
        *node.store.signing_key().verifying_key().as_bytes()
    }

    fn read(into: &mut Node, bytes: &[u8], author: &Author) -> Result<BundleReport, SyncError> {
        bundle::read(&mut into.store, bytes, author, true)
    }

    fn edit(store: &mut Store, id: HouseholdId, address: &str) {
        store
            .update(id, &who("Juana Condori"), "household.edit", |h| {
                let mut info = h.info.clone();
                info.address = ShortText::parse(address).unwrap();
                h.set_info(info)
            })
            .unwrap();
    }

    #[test]
    fn bundles_carry_households_and_are_idempotent_in_any_order() {
        let (mut a, mut hub) = (node("a"), node("hub"));
        let mut census = Census::new(31, today());
        for _ in 0..20 {
            let h = census.household();
            a.store
                .insert_household(census.household_id(), &h, &who("Juana Condori"))
                .unwrap();
        }
        let (b1, n) = bundle::write(&mut a.store, "a", None, &Scope::All, &key(&hub)).unwrap();
        assert_eq!(n, 20);
        // A stick lost on the way shows no name: the households travel encrypted.
        for id in a.store.household_ids().unwrap() {
            let h = a.store.household(id).unwrap().unwrap();
            for m in h.members.values() {
                let name = m.surnames.as_str().as_bytes();
                assert!(
                    !b1.windows(name.len()).any(|w| w == name),
                    "{} readable",
                    m.surnames
                );
            }
        }
        let id = a.store.household_ids().unwrap()[0];
        edit(&mut a.store, id, "Casa nueva");
        let (b2, _) = bundle::write(&mut a.store, "a", None, &Scope::All, &key(&hub)).unwrap();

        // A preview says what would change and writes nothing.
        let author = device(&a, Scope::All);
        let preview = bundle::read(&mut hub.store, &b2, &author, false).unwrap();
        assert_eq!((preview.preview, preview.changed.len()), (true, 20));
        assert!(hub.store.household_ids().unwrap().is_empty());
        // Newer first, then the older one, then the newer again: only the first changes anything.
        let r = read(&mut hub, &b2, &author).unwrap();
        assert_eq!((r.households, r.changed.len(), r.refused.len()), (20, 20, 0));
        let after = hub.store.projection_dump().unwrap();
        let docs_after = docs(&hub.store);
        assert!(read(&mut hub, &b1, &author).unwrap().changed.is_empty());
        assert!(read(&mut hub, &b2, &author).unwrap().changed.is_empty());
        assert_eq!(hub.store.projection_dump().unwrap(), after);
        assert_eq!(docs(&hub.store), docs_after);
        assert_eq!(docs(&hub.store), docs(&a.store));
    }

    #[test]
    fn truncated_or_altered_bundles_are_refused_whole() {
        let (mut a, mut hub) = (node("a"), node("hub"));
        let mut census = Census::new(32, today());
        for _ in 0..10 {
            let h = census.household();
            a.store
                .insert_household(census.household_id(), &h, &who("Juana Condori"))
                .unwrap();
        }
        let (b, _) = bundle::write(&mut a.store, "a", None, &Scope::All, &key(&hub)).unwrap();
        let author = device(&a, Scope::All);
        for cut in [0, 10, b.len() / 3, b.len() - 1] {
            assert!(read(&mut hub, &b[..cut], &author).is_err(), "cut at {cut}");
            assert!(bundle::signer(&b[..cut]).is_err(), "cut at {cut}");
        }
        for at in [4, 7, 40, b.len() / 2, b.len() - 40, b.len() - 1] {
            let mut t = b.clone();
            t[at] ^= 0x20;
            assert!(read(&mut hub, &t, &author).is_err(), "flip at {at}");
        }
        assert_eq!(
            bundle::signer(&b).unwrap(),
            *a.store.signing_key().verifying_key().as_bytes()
        );
        assert!(hub.store.household_ids().unwrap().is_empty());
    }

    #[test]
    fn a_bundle_after_a_sync_holds_only_what_the_hub_lacks() {
        let (mut a, mut hub) = (node("a"), node("hub"));
        let mut census = Census::new(33, today());
        for _ in 0..50 {
            let h = census.household();
            a.store
                .insert_household(census.household_id(), &h, &who("Juana Condori"))
                .unwrap();
        }
        sync(&mut a, &mut hub, &Scope::All).unwrap();
        let (full, _) = bundle::write(&mut a.store, "a", None, &Scope::All, &key(&hub)).unwrap();
        let ids = a.store.household_ids().unwrap();
        edit(&mut a.store, ids[3], "Pasando el puente");
        edit(&mut a.store, ids[7], "Detrás del local comunal");
        let (small, n) = bundle::write(&mut a.store, "a", Some("hub"), &Scope::All, &key(&hub)).unwrap();
        assert_eq!(n, 2);
        assert!(small.len() * 20 < full.len(), "{} vs {}", small.len(), full.len());
        let author = device(&a, Scope::All);
        assert_eq!(read(&mut hub, &small, &author).unwrap().changed.len(), 2);
        assert_eq!(docs(&hub.store), docs(&a.store));

        // Written for another hub, it does not even open there.
        let mut other_hub = node("other");
        assert!(read(&mut other_hub, &small, &author).is_err());
        // The same changes for a hub that never saw the rest: both households refused.
        let (small, _) =
            bundle::write(&mut a.store, "a", Some("hub"), &Scope::All, &key(&other_hub)).unwrap();
        let r = read(&mut other_hub, &small, &author).unwrap();
        assert_eq!(r.refused.len(), 2);
        assert!(r.refused[0].detail.contains("earlier bundle"), "{r:?}");
        assert!(other_hub.store.household_ids().unwrap().is_empty());
    }

    #[test]
    fn a_bundle_changes_only_what_its_author_may() {
        let (mut a, mut hub) = (node("a"), node("hub"));
        let mut census = Census::new(34, today());
        let mut ids = Vec::new();
        for community in ["Ccorca", "Ccorca", "Huancarani"] {
            let mut h = census.household();
            h.info.community = ShortText::parse(community).unwrap();
            let id = census.household_id();
            a.store.insert_household(id, &h, &who("Juana Condori")).unwrap();
            ids.push(id);
        }
        // Written by a phone enrolled for Ccorca: the Huancarani household is refused.
        let (b, _) = bundle::write(&mut a.store, "a", None, &Scope::All, &key(&hub)).unwrap();
        let ccorca = device(&a, Scope::Communities(vec!["Ccorca".into()]));
        let r = read(&mut hub, &b, &ccorca).unwrap();
        assert_eq!(r.changed.len(), 2);
        assert_eq!(
            (r.refused[0].household, r.refused[0].code),
            (ids[2], "out_of_scope")
        );
        assert!(!hub.store.household_ids().unwrap().contains(&ids[2]));

        // Changes made under another actor (someone who copied the file and forged an
        // edit) are refused, even signed with the phone's own key.
        let mut doc = automerge::Automerge::load(&a.store.document_bytes(ids[0]).unwrap()).unwrap();
        let heads = doc.get_heads();
        doc.set_actor(automerge::ActorId::random());
        {
            use automerge::{ROOT, ReadDoc, transaction::Transactable};
            let mut tx = doc.transaction();
            let (_, info) = tx.get(ROOT, "info").unwrap().unwrap();
            tx.put(&info, "address", "Casa tomada").unwrap();
            tx.commit();
        }
        let forged = bundle::Bundle {
            from: "a".into(),
            created_at: 0,
            docs: vec![bundle::BundleDoc {
                household: ids[0],
                data: doc.save_after(&heads),
            }],
        };
        let bytes = bundle::seal(&forged, a.store.signing_key(), &key(&hub)).unwrap();
        let r = read(&mut hub, &bytes, &ccorca).unwrap();
        assert_eq!(r.refused[0].code, "foreign_actor", "{r:?}");
        assert_eq!(
            hub.store.household(ids[0]).unwrap(),
            a.store.household(ids[0]).unwrap()
        );
    }
}

/// A large request is answered in steps of a bounded size; between two steps the store is
/// free for another phone's whole sync, and the large one completes afterwards.
#[test]
fn a_large_request_lets_other_phones_in_between_steps() {
    use ayllu_sync::{HOUSEHOLDS_PER_STEP, Serving};
    let (mut a, mut b, mut hub) = (node("a"), node("b"), node("hub"));
    let mut census = Census::new(61, today());
    for _ in 0..(3 * HOUSEHOLDS_PER_STEP) {
        let h = census.household();
        a.store
            .insert_household(census.household_id(), &h, &who("Juana Condori"))
            .unwrap();
    }
    let h = census.household();
    b.store
        .insert_household(census.household_id(), &h, &who("Rosa Mamani"))
        .unwrap();

    // Room for all of them in one request.
    let mut session = DeviceSession::new("hub").with_budget(16 * ayllu_sync::DEFAULT_BUDGET);
    let request = session.next_request(&mut a.store).unwrap().unwrap();
    assert_eq!(request.docs.len(), 3 * HOUSEHOLDS_PER_STEP);
    let actor = a.store.actor().clone();
    let sender = Sender {
        peer: "device:a",
        scope: &Scope::All,
        actor: Some(&actor),
    };
    let mut serving = Serving::new(
        request,
        ayllu_sync::wire::Version::CURRENT,
        ayllu_sync::DEFAULT_BUDGET,
    )
    .unwrap();
    assert!(serving.step(&mut hub.store, &sender).unwrap().is_none());
    // The first step is stored already; b syncs whole before a's request goes on.
    assert_eq!(hub.store.household_ids().unwrap().len(), HOUSEHOLDS_PER_STEP);
    sync(&mut b, &mut hub, &Scope::All).unwrap();
    let mut steps = 1;
    let response = loop {
        steps += 1;
        if let Some(r) = serving.step(&mut hub.store, &sender).unwrap() {
            break r;
        }
    };
    assert_eq!(steps, 3);
    assert!(response.refused.is_empty());
    session.receive(&mut a.store, response).unwrap();
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    assert_eq!(
        hub.store.household_ids().unwrap().len(),
        3 * HOUSEHOLDS_PER_STEP + 1
    );
    assert_eq!(docs(&a.store), docs(&hub.store));
}

/// Found by fuzzing: a message our guard reads as well formed whose change operates on an
/// object the document does not have makes Automerge panic. It is refused instead (the
/// caller drops the half-merged document: nothing of it is stored).
#[test]
fn a_change_on_an_object_the_document_lacks_is_refused_not_a_panic() {
    use automerge::transaction::Transactable;
    let bytes = include_bytes!("fixtures/compact-change-missing-object.bin");
    let message = ayllu_sync::guard::read_incoming(bytes, &ayllu_sync::guard::Limits::SYNC)
        .expect("the guard reads it: only Automerge can tell");
    let mut doc = automerge::Automerge::new();
    for i in 0..3 {
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "address", format!("Casa {i}")).unwrap();
        tx.commit();
    }
    let mut state = automerge::sync::State::new();
    assert!(ayllu_sync::docsync::accept(&mut doc, &mut state, message).is_err());
}

/// An edit saved while a request is on its way (the app's background sync and the
/// promotora share the store) is not in that request: when the hub answers, the phone
/// must not count it as held by the hub, or it would never be sent.
#[test]
fn an_edit_made_while_a_request_travels_is_sent_by_the_next_sync() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(31, today());
    let id = census.household_id();
    a.store
        .insert_household(id, &census.household(), &who("Juana Condori"))
        .unwrap();
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    let edit = |store: &mut Store, address: &str| {
        store
            .update(id, &who("Juana Condori"), "household.edit", |h| {
                let mut info = h.info.clone();
                info.address = ShortText::parse(address).unwrap();
                h.set_info(info)
            })
            .unwrap();
    };
    edit(&mut a.store, "Jr. Lima 1");
    let actor = a.store.actor().clone();
    let sender = Sender {
        peer: "device:a",
        scope: &Scope::All,
        actor: Some(&actor),
    };
    let mut session = DeviceSession::new("hub");
    let request = session
        .next_request(&mut a.store)
        .unwrap()
        .expect("the edit to send");
    // Saved after the request was built, before its response came back.
    edit(&mut a.store, "Jr. Lima 2");
    let response = serve(&mut hub.store, &sender, request).unwrap();
    session.receive(&mut a.store, response).unwrap();
    // The link drops here; a later sync starts from what the phone stored.
    drop(session);
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    assert_eq!(
        docs(&hub.store),
        docs(&a.store),
        "the second edit reached the hub"
    );
}

/// The next request built while the last one travels (`prefetch`), sent if the answer left
/// it the next one (`adopt`): a long upload goes in as many requests as without, nothing is
/// left waiting; when the hub's answer carries households (another phone's), what was
/// built ahead is not sent, and the sync still ends with both sides holding everything.
#[test]
fn a_request_built_ahead_is_sent_only_when_the_answer_leaves_it_next() {
    fn upload(
        device: &mut Node,
        hub: &mut Node,
        ahead: bool,
        between: &mut dyn FnMut(&mut Node),
    ) -> (usize, usize) {
        let mut session = DeviceSession::new("hub").with_budget(64 * 1024);
        let actor = device.store.actor().clone();
        let peer = format!("device:{}", device.name);
        let sender = Sender {
            peer: &peer,
            scope: &Scope::All,
            actor: Some(&actor),
        };
        let (mut requests, mut adopted) = (0, 0);
        let mut next = session.next_request(&mut device.store).unwrap();
        while let Some(request) = next {
            requests += 1;
            let built = if ahead {
                session.prefetch(&mut device.store).unwrap()
            } else {
                None
            };
            between(hub);
            let response = serve(&mut hub.store, &sender, request).unwrap();
            session.receive(&mut device.store, response).unwrap();
            next = match built.and_then(|built| session.adopt(built)) {
                Some(request) => {
                    adopted += 1;
                    Some(request)
                }
                None => session.next_request(&mut device.store).unwrap(),
            };
        }
        (requests, adopted)
    }
    let mut census = Census::new(17, today());
    let (mut plain, mut early, mut hub_a, mut hub_b) =
        (node("plain"), node("early"), node("hub_a"), node("hub_b"));
    for _ in 0..300 {
        let (id, h) = (census.household_id(), census.household());
        for n in [&mut plain, &mut early] {
            n.store.insert_household(id, &h, &who("Juana Condori")).unwrap();
        }
    }
    let (requests, adopted) = upload(&mut plain, &mut hub_a, false, &mut |_| {});
    assert_eq!(adopted, 0);
    let (requests_ahead, adopted) = upload(&mut early, &mut hub_b, true, &mut |_| {});
    assert!(requests > 3, "{requests} requests");
    assert_eq!(requests_ahead, requests);
    assert_eq!(
        adopted,
        requests - 1,
        "every request after the first was built ahead"
    );
    assert_eq!(docs(&hub_b.store), docs(&early.store));
    assert_eq!(early.store.waiting_for("hub").unwrap(), 0);

    // Another phone uploads between the requests: the hub's answers carry its households,
    // so what was built ahead waits; everything still arrives both ways.
    let mut other = node("other");
    let mut more = Census::new(18, today());
    for _ in 0..40 {
        other
            .store
            .insert_household(more.household_id(), &more.household(), &who("Rosa Quispe"))
            .unwrap();
    }
    let mut late = node("late");
    for _ in 0..300 {
        late.store
            .insert_household(census.household_id(), &census.household(), &who("Juana Condori"))
            .unwrap();
    }
    let mut once = Some(other);
    let (requests, adopted) = upload(&mut late, &mut hub_b, true, &mut |hub| {
        if let Some(mut other) = once.take() {
            sync(&mut other, hub, &Scope::All).unwrap();
        }
    });
    assert!(
        adopted < requests - 1,
        "{adopted} of {requests} built ahead and sent"
    );
    sync(&mut late, &mut hub_b, &Scope::All).unwrap();
    assert_eq!(docs(&hub_b.store).len(), 640);
    assert_eq!(docs(&hub_b.store), docs(&late.store));
    assert_eq!(late.store.waiting_for("hub").unwrap(), 0);
}

/// An answer built ahead (`Ahead::build`) is the next request's only if that request
/// carries nothing, at the cursor it was built for, and nothing was written at the hub
/// since; it is then exactly what serving the request would have answered.
#[test]
fn an_answer_built_ahead_holds_only_while_nothing_changed() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(23, today());
    for _ in 0..5 {
        a.store
            .insert_household(census.household_id(), &census.household(), &who("Juana Condori"))
            .unwrap();
    }
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    let actor = automerge::ActorId::random();
    let sender = Sender {
        peer: "device:b",
        scope: &Scope::All,
        actor: Some(&actor),
    };
    let version = wire::Version::CURRENT;
    let ask = |cursor: i64, id: u8| Request {
        request_id: [id; 16],
        cursor,
        docs: vec![],
    };
    let (ahead, built) =
        ayllu_sync::Ahead::build(&mut hub.store, &sender, 0, version, ayllu_sync::DEFAULT_BUDGET).unwrap();
    assert_eq!(built.docs.len(), 5);
    // Holds: the same answer as serving the request.
    let mut serving = ayllu_sync::Serving::new(ask(0, 1), version, ayllu_sync::DEFAULT_BUDGET).unwrap();
    assert!(serving.answer_ahead(&mut hub.store, &sender, &ahead).unwrap());
    let served = serve(&mut hub.store, &sender, ask(0, 2)).unwrap();
    assert_eq!(
        (served.docs, served.cursor, served.more),
        (built.docs, built.cursor, built.more)
    );
    // Another cursor, or a request carrying something: not this answer.
    let mut other_cursor = ayllu_sync::Serving::new(ask(3, 3), version, ayllu_sync::DEFAULT_BUDGET).unwrap();
    assert!(
        !other_cursor
            .answer_ahead(&mut hub.store, &sender, &ahead)
            .unwrap()
    );
    // A household written at the hub since: stale.
    a.store
        .insert_household(census.household_id(), &census.household(), &who("Juana Condori"))
        .unwrap();
    sync(&mut a, &mut hub, &Scope::All).unwrap();
    let mut stale = ayllu_sync::Serving::new(ask(0, 4), version, ayllu_sync::DEFAULT_BUDGET).unwrap();
    assert!(!stale.answer_ahead(&mut hub.store, &sender, &ahead).unwrap());
    // A replay is still a replay.
    let mut replay = ayllu_sync::Serving::new(ask(0, 1), version, ayllu_sync::DEFAULT_BUDGET).unwrap();
    assert!(matches!(
        replay.answer_ahead(&mut hub.store, &sender, &ahead),
        Err(SyncError::Replayed)
    ));
}

/// A first request kept small (to measure the link before the bulk is compressed for it)
/// carries fewer households; the later ones the whole budget; nothing is left behind.
#[test]
fn a_small_first_request_leaves_the_rest_to_the_next() {
    let (mut a, mut hub) = (node("a"), node("hub"));
    let mut census = Census::new(29, today());
    for _ in 0..200 {
        a.store
            .insert_household(census.household_id(), &census.household(), &who("Juana Condori"))
            .unwrap();
    }
    let actor = a.store.actor().clone();
    let sender = Sender {
        peer: "device:a",
        scope: &Scope::All,
        actor: Some(&actor),
    };
    let mut session = DeviceSession::new("hub")
        .with_budget(256 * 1024)
        .with_first_budget(32 * 1024);
    let mut sizes = Vec::new();
    while let Some(request) = session.next_request(&mut a.store).unwrap() {
        sizes.push(request.docs.len());
        let response = serve(&mut hub.store, &sender, request).unwrap();
        session.receive(&mut a.store, response).unwrap();
    }
    assert!(sizes.len() >= 3, "{sizes:?}");
    assert!(sizes[0] * 4 < sizes[1], "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 200);
    assert_eq!(docs(&hub.store), docs(&a.store));
}
