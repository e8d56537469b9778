//! Three devices and a hub, random edits and random sync orders, syncs cut off halfway,
//! requests replayed: after a final round all four hold identical documents and
//! projections, and nothing any device saved is missing.

use std::collections::BTreeSet;

use ayllu_model::{Dissolution, Household, HouseholdId, MemberId, PersonName, ShortText, VisitId};
use ayllu_store::{Signature, Store};
use ayllu_sync::wire::{self, Kind, Request, Response};
use ayllu_sync::{DeviceSession, Scope, Sender, SyncError, serve};
use ayllu_synth::strategy;
use chrono::NaiveDate;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").unwrap())
}

struct Node {
    _dir: tempfile::TempDir,
    store: Store,
}

fn node() -> Node {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    Node { _dir: dir, store }
}

#[derive(Debug, Clone)]
enum Op {
    Create(usize, Household),
    EditAddress(usize, usize, String),
    EditSector(usize, usize, String),
    AddMembersAndVisits(usize, usize, Household),
    EditMemberInsurance(usize, usize, usize, ayllu_model::Insurance),
    Dissolve(usize, usize),
    /// Sync a device; `cut` cuts the connection at that exchange (the request is lost
    /// before the hub, or the response after it, alternately).
    Sync(usize, Option<u8>),
    /// The last request a device sent arrives again.
    Replay(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let d = 0usize..3;
    prop_oneof![
        2 => (d.clone(), strategy::household(today())).prop_map(|(d, h)| Op::Create(d, h)),
        2 => (d.clone(), any::<usize>(), prop::sample::select(vec!["Casa azul", "Frente al colegio", "Jr. Lima 12"]))
            .prop_map(|(d, i, s)| Op::EditAddress(d, i, s.to_string())),
        2 => (d.clone(), any::<usize>(), prop::sample::select(vec!["Alto", "Bajo", "Centro"]))
            .prop_map(|(d, i, s)| Op::EditSector(d, i, s.to_string())),
        2 => (d.clone(), any::<usize>(), strategy::household(today())).prop_map(|(d, i, h)| Op::AddMembersAndVisits(d, i, h)),
        1 => (d.clone(), any::<usize>(), any::<usize>(), prop::sample::select(ayllu_model::Insurance::ALL))
            .prop_map(|(d, i, j, ins)| Op::EditMemberInsurance(d, i, j, ins)),
        1 => (d.clone(), any::<usize>()).prop_map(|(d, i)| Op::Dissolve(d, i)),
        4 => (d.clone(), prop::option::of(0u8..4)).prop_map(|(d, c)| Op::Sync(d, c)),
        1 => d.prop_map(Op::Replay),
    ]
}

/// What devices saved that must survive: households, members and visits are add-only.
#[derive(Default)]
struct Saved {
    households: BTreeSet<HouseholdId>,
    members: BTreeSet<(HouseholdId, MemberId)>,
    visits: BTreeSet<(HouseholdId, VisitId)>,
}

fn pick(store: &Store, i: usize) -> Option<HouseholdId> {
    let ids = store.household_ids().unwrap();
    (!ids.is_empty()).then(|| ids[i % ids.len()])
}

/// Runs one sync; with `cut`, stops at that exchange as a dropped connection would.
fn sync(device: &mut Node, name: &str, hub: &mut Node, cut: Option<u8>, last: &mut Option<Request>) {
    let mut session = DeviceSession::new("hub");
    let actor = device.store.actor().clone();
    let mut exchange = 0u8;
    while let Some(req) = session.next_request(&mut device.store).unwrap() {
        let req: Request = wire::decode(Kind::Request, &wire::encode(Kind::Request, &req)).unwrap();
        *last = Some(req.clone());
        if cut == Some(exchange) && exchange.is_multiple_of(2) {
            return; // lost on the way to the hub
        }
        let sender = Sender {
            peer: name,
            scope: &Scope::All,
            actor: Some(&actor),
        };
        let resp = serve(&mut hub.store, &sender, req).unwrap();
        assert!(resp.refused.is_empty(), "{:?}", resp.refused);
        if cut == Some(exchange) {
            return; // lost on the way back
        }
        let resp: Response = wire::decode(Kind::Response, &wire::encode(Kind::Response, &resp)).unwrap();
        session.receive(&mut device.store, resp).unwrap();
        exchange += 1;
    }
}

fn apply(devices: &mut [Node], hub: &mut Node, last: &mut [Option<Request>; 3], saved: &mut Saved, op: Op) {
    let names = ["device:a", "device:b", "device:c"];
    match op {
        Op::Create(d, h) => {
            let id = HouseholdId::new();
            devices[d].store.insert_household(id, &h, &who()).unwrap();
            saved.households.insert(id);
            for m in h.members.keys() {
                saved.members.insert((id, *m));
            }
            for v in h.visits.keys() {
                saved.visits.insert((id, *v));
            }
        }
        Op::EditAddress(d, i, text) | Op::EditSector(d, i, text) if pick(&devices[d].store, i).is_none() => {
            let _ = text;
        }
        Op::EditAddress(d, i, text) => {
            let id = pick(&devices[d].store, i).unwrap();
            let _ = devices[d].store.update(id, &who(), "household.edit", |h| {
                let mut info = h.info.clone();
                info.address = ShortText::parse(&text).unwrap();
                h.set_info(info)
            });
        }
        Op::EditSector(d, i, text) => {
            let id = pick(&devices[d].store, i).unwrap();
            let _ = devices[d].store.update(id, &who(), "household.edit", |h| {
                let mut info = h.info.clone();
                info.sector = Some(ShortText::parse(&text).unwrap());
                h.set_info(info)
            });
        }
        Op::AddMembersAndVisits(d, i, other) => {
            let Some(id) = pick(&devices[d].store, i) else {
                return;
            };
            let result = devices[d].store.update(id, &who(), "visit.record", |h| {
                // Fresh ids: the same generated people may be added on two devices.
                let mut renamed = std::collections::BTreeMap::new();
                for (mid, m) in &other.members {
                    let new = MemberId::new();
                    renamed.insert(*mid, new);
                    h.add_member(new, m.clone(), today())?;
                }
                let mut added = Vec::new();
                for v in other.visits.values() {
                    let mut v = v.clone();
                    v.child_checks = v
                        .child_checks
                        .into_iter()
                        .map(|(k, c)| (renamed[&k], c))
                        .collect();
                    v.antenatal_checks = v
                        .antenatal_checks
                        .into_iter()
                        .map(|(k, c)| (renamed[&k], c))
                        .collect();
                    let vid = VisitId::new();
                    h.record_visit(vid, v, today())?;
                    added.push(vid);
                }
                Ok((renamed.into_values().collect::<Vec<_>>(), added))
            });
            if let Ok((members, visits)) = result {
                saved.members.extend(members.into_iter().map(|m| (id, m)));
                saved.visits.extend(visits.into_iter().map(|v| (id, v)));
            }
        }
        Op::EditMemberInsurance(d, i, j, insurance) => {
            let Some(id) = pick(&devices[d].store, i) else {
                return;
            };
            let _ = devices[d].store.update(id, &who(), "member.edit", |h| {
                let Some(mid) = h.members.keys().nth(j % h.members.len().max(1)).copied() else {
                    return Ok(());
                };
                let mut m = h.members[&mid].clone();
                m.insurance = insurance;
                h.edit_member(mid, m, today())
            });
        }
        Op::Dissolve(d, i) => {
            let Some(id) = pick(&devices[d].store, i) else {
                return;
            };
            let _ = devices[d].store.update(id, &who(), "household.dissolve", |h| {
                h.dissolve(Dissolution {
                    on: today(),
                    reason: ShortText::parse("se mudó").unwrap(),
                    merged_into: None,
                })
            });
        }
        Op::Sync(d, cut) => sync(&mut devices[d], names[d], hub, cut, &mut last[d]),
        Op::Replay(d) => {
            if let Some(req) = last[d].clone() {
                let before = hub.store.projection_dump().unwrap();
                let actor = devices[d].store.actor().clone();
                let sender = Sender {
                    peer: names[d],
                    scope: &Scope::All,
                    actor: Some(&actor),
                };
                match serve(&mut hub.store, &sender, req) {
                    Err(SyncError::Replayed) => assert_eq!(hub.store.projection_dump().unwrap(), before),
                    // A request lost before the hub was never seen: it may arrive late.
                    Ok(_) => {}
                    Err(e) => panic!("replay: {e}"),
                }
            }
        }
    }
}

fn snapshot(store: &Store) -> Vec<(HouseholdId, Vec<u8>, Household)> {
    store
        .household_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let doc = automerge::Automerge::load(&store.document_bytes(id).unwrap()).unwrap();
            let mut heads = doc.get_heads();
            heads.sort();
            let heads: Vec<u8> = heads.iter().flat_map(|h| h.0).collect();
            (id, heads, store.household(id).unwrap().unwrap())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn three_devices_and_a_hub_converge(ops in proptest::collection::vec(op(), 1..40)) {
        let mut devices = [node(), node(), node()];
        let mut hub = node();
        let mut last: [Option<Request>; 3] = [None, None, None];
        let mut saved = Saved::default();
        for op in ops {
            apply(&mut devices, &mut hub, &mut last, &mut saved, op);
        }
        // Final round: everyone syncs twice, in order, with no cuts.
        for _ in 0..2 {
            for d in 0..3 {
                apply(&mut devices, &mut hub, &mut last, &mut saved, Op::Sync(d, None));
            }
        }
        let reference = snapshot(&hub.store);
        let projection = hub.store.projection_dump().unwrap();
        for d in &devices {
            prop_assert_eq!(&snapshot(&d.store), &reference);
            prop_assert_eq!(&d.store.projection_dump().unwrap(), &projection);
        }
        let ids: BTreeSet<HouseholdId> = reference.iter().map(|(id, ..)| *id).collect();
        prop_assert_eq!(&ids, &saved.households);
        for (h, m) in &saved.members {
            let household = &reference.iter().find(|(id, ..)| id == h).unwrap().2;
            prop_assert!(household.members.contains_key(m), "member {} of {} lost", m, h);
        }
        for (h, v) in &saved.visits {
            let household = &reference.iter().find(|(id, ..)| id == h).unwrap().2;
            prop_assert!(household.visits.contains_key(v), "visit {} of {} lost", v, h);
        }
    }
}
