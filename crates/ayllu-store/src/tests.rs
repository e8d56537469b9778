use super::*;
use automerge::{ReadDoc, transaction::Transactable};
use ayllu_model::{Dissolution, Member, ShortText, Visit, VisitId, text::Notes};
use ayllu_synth::{Census, strategy};
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::json;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn who() -> Signature {
    Signature {
        promotor: ayllu_model::PersonName::parse("Juana Condori").unwrap(),
        at: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("ayllu.sqlite3")).unwrap();
    (dir, store)
}

fn sample() -> NewHousehold {
    NewHousehold::from_json(json!({
        "community": "Ccorca", "sector": "Alto", "address": "Frente a la capilla", "consent": true,
        "members": [
            {"given_names": "Rosa", "surnames": "Núñez Huamán", "sex": "F", "birth": {"date": "1994-03-02"},
             "relationship": "head", "dni": "45871236", "insurance": "sis"},
            {"given_names": "Ch'aska", "surnames": "Mamani Núñez", "sex": "F", "birth": {"date": "2025-05-20"},
             "relationship": "child", "insurance": "sis"}
        ]
    }))
    .unwrap()
}

fn visit(child: MemberId) -> Visit {
    FieldError::parse_json(json!({
        "date": "2026-11-20", "promotor": "Juana Condori",
        "child_checks": {child.to_string(): {"weight_kg": 10.2, "length": {"cm": 79.5, "position": "lying"},
                                             "diarrhoea": {"ors": true}}}
    }))
    .unwrap()
}

#[test]
fn store_uses_wal_and_full_sync() {
    let (_d, store) = temp_store();
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = store
        .connection()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
}

/// A save leaves the WAL to the background checkpoint; a commit that leaves the WAL past
/// its page limit (a sync step writes thousands of pages) checkpoints it at once, so the
/// WAL stays bounded whatever is written between idle moments.
#[test]
fn a_large_wal_is_checkpointed_by_the_commit_that_grew_it() {
    let (dir, mut store) = temp_store();
    let mut census = Census::new(5, today());
    let h = census.household();
    store.insert_household(census.household_id(), &h, &who()).unwrap();
    assert_eq!(store.uncheckpointed(), 1, "a save does not checkpoint");
    let wal = dir.path().join("ayllu.sqlite3-wal");
    assert!(wal.exists());
    // A limit this save's pages pass: the next commit checkpoints.
    store.checkpoint_wal_pages = 4;
    let h = census.household();
    store.insert_household(census.household_id(), &h, &who()).unwrap();
    assert_eq!(store.uncheckpointed(), 0, "checkpointed once past the limit");
    let frames: (i64, i64, i64) = store
        .connection()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(frames.1, frames.2, "every frame in the WAL is in the database");
}

#[test]
fn device_actor_is_stable_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite3");
    let (a, d) = {
        let s = Store::open(&path).unwrap();
        (s.actor().clone(), s.device_id())
    };
    let s = Store::open(&path).unwrap();
    assert_eq!(s.actor(), &a);
    assert_eq!(s.device_id(), d);
}

#[test]
fn a_household_is_stored_and_read_back() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    let h = store.household(id).unwrap().unwrap();
    assert_eq!(h.members.len(), 2);
    assert_eq!(h.visits.len(), 1);
    let v = h.visits.values().next().unwrap();
    assert_eq!(v.child_checks[&members[1]].weight.unwrap().grams(), 10_200);
    let summary = store.summary(id).unwrap().unwrap();
    assert_eq!(summary.head.as_deref(), Some("Rosa Núñez Huamán"));
    assert_eq!(
        summary.last_visit,
        Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
    );
}

#[test]
fn every_change_records_who_and_when() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let mut later = who();
    later.promotor = ayllu_model::PersonName::parse("Rubén Quispe").unwrap();
    later.at = chrono::DateTime::from_timestamp(1_795_086_400, 0).unwrap();
    store
        .update(id, &later, "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    let history = store.history(id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].promotor.as_deref(), Some("Juana Condori"));
    assert_eq!(history[0].op.as_deref(), Some("household.create"));
    assert_eq!(history[1].promotor.as_deref(), Some("Rubén Quispe"));
    assert_eq!(history[1].op.as_deref(), Some("visit.record"));
    assert_eq!(history[1].at, Some(later.at));
    assert_eq!(history[1].actor, store.actor().to_hex_string());
}

#[test]
fn a_save_appends_only_the_new_change() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let snapshot = |s: &Store| -> Vec<u8> {
        s.connection()
            .query_row(
                "SELECT snapshot FROM documents WHERE household_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = snapshot(&store);
    store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    assert_eq!(
        snapshot(&store),
        before,
        "the snapshot is not rewritten on a save"
    );
    let (rows, bytes): (i64, i64) = store
        .connection()
        .query_row("SELECT COUNT(*), SUM(LENGTH(bytes)) FROM doc_changes", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(rows, 1);
    assert!(bytes < 1500, "one visit change is small ({bytes} bytes)");

    // Saving the same state again makes no change at all.
    store.update(id, &who(), "noop", |_| Ok(())).unwrap();
    let rows: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM doc_changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn documents_are_compacted_after_many_changes() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    for _ in 0..COMPACT_AFTER + 3 {
        store
            .update(id, &who(), "visit.record", |h| {
                h.record_visit(VisitId::new(), visit(members[1]), today())
            })
            .unwrap();
    }
    let rows: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM doc_changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3);
    assert_eq!(
        store.household(id).unwrap().unwrap().visits.len() as i64,
        COMPACT_AFTER + 3
    );
    assert_eq!(
        store.history(id).unwrap().len() as i64,
        COMPACT_AFTER + 4,
        "compaction keeps history"
    );
}

#[test]
fn a_refused_edit_changes_nothing() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let doc_before = store.document_bytes(id).unwrap();
    let proj_before = store.projection_dump().unwrap();
    let mut bad = visit(members[0]); // the mother: not under five
    bad.date = today();
    let err = store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), bad, today())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref e) if e.problem == ayllu_model::Problem::NotUnderFive));
    assert_eq!(store.document_bytes(id).unwrap(), doc_before);
    assert_eq!(store.projection_dump().unwrap(), proj_before);
}

#[test]
fn search_folds_accents_and_finds_by_dni_and_place() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let mut census = Census::new(3, today());
    for _ in 0..50 {
        let h = census.household();
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    for q in [
        "nunez",
        "NÚÑEZ",
        "Núñez Huamán",
        "chaska",
        "ch'aska mamani",
        "nuñ",
    ] {
        let hits = store.search(q, 10).unwrap();
        assert!(
            hits.iter().any(|h| h.household.id == id),
            "{q} should find the household"
        );
    }
    let hits = store.search("chaska", 10).unwrap();
    let hit = hits.iter().find(|h| h.household.id == id).unwrap();
    assert_eq!(hit.matched_members[0].id, members[1]);

    let by_dni = store.search("45871236", 10).unwrap();
    assert_eq!(by_dni.len(), 1);
    assert_eq!(by_dni[0].household.id, id);
    assert_eq!(by_dni[0].matched_members[0].id, members[0]);

    let place = store.search("ccorca alto", 100).unwrap();
    assert!(place.iter().any(|h| h.household.id == id));
    assert!(place.iter().all(|h| h.household.community == "Ccorca"));

    assert!(store.search("\" OR 1=1 --", 10).unwrap().is_empty());
    assert!(store.search("zzzzqx", 10).unwrap().is_empty());
}

#[test]
fn dissolved_households_leave_search_and_lists_but_keep_their_document() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    store
        .update(id, &who(), "household.dissolve", |h| {
            h.dissolve(Dissolution {
                on: today(),
                reason: ShortText::parse("se mudó").unwrap(),
                merged_into: None,
            })
        })
        .unwrap();
    assert!(store.search("nunez", 10).unwrap().is_empty());
    assert!(store.list(&ListFilter::default()).unwrap().is_empty());
    let all = store
        .list(&ListFilter {
            include_dissolved: true,
            ..Default::default()
        })
        .unwrap();
    assert!(all[0].dissolved);
    assert!(store.household(id).unwrap().unwrap().is_dissolved());
}

#[test]
fn list_filters_by_community_and_sector() {
    let (_d, mut store) = temp_store();
    let mut census = Census::new(11, today());
    for _ in 0..80 {
        let h = census.household();
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    let all = store.list(&ListFilter::default()).unwrap();
    assert_eq!(all.len(), 80);
    let c = all[0].community.clone();
    let some = store
        .list(&ListFilter {
            community: Some(c.clone()),
            ..Default::default()
        })
        .unwrap();
    assert!(!some.is_empty() && some.iter().all(|h| h.community == c));
    assert_eq!(some.len(), all.iter().filter(|h| h.community == c).count());
}

#[test]
fn unknown_fields_from_a_newer_app_survive_an_edit() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    // A newer app version added fields: simulate its change on this document.
    let mut doc = document::load(store.connection(), id).unwrap().unwrap();
    let before = doc.get_heads();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "water_quality_test", "negativo").unwrap();
    let (_, info) = tx.get(automerge::ROOT, "info").unwrap().unwrap();
    tx.put(&info, "altitude_m", 3650i64).unwrap();
    tx.commit();
    store
        .connection()
        .execute(
            "INSERT INTO doc_changes (household_id, bytes) VALUES (?1, ?2)",
            rusqlite::params![id.to_string(), doc.save_after(&before)],
        )
        .unwrap();

    store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    store
        .update(id, &who(), "household.edit", |h| {
            let mut info = h.info.clone();
            info.address = ShortText::parse("Al costado del colegio").unwrap();
            h.set_info(info)
        })
        .unwrap();

    let doc = document::load(store.connection(), id).unwrap().unwrap();
    let (v, _) = doc.get(automerge::ROOT, "water_quality_test").unwrap().unwrap();
    assert_eq!(v.into_string().unwrap(), "negativo");
    let (_, info) = doc.get(automerge::ROOT, "info").unwrap().unwrap();
    let (alt, _) = doc.get(&info, "altitude_m").unwrap().unwrap();
    assert_eq!(alt.as_i64(), Some(3650));
    assert_eq!(
        store.household(id).unwrap().unwrap().info.address.as_str(),
        "Al costado del colegio"
    );
}

#[test]
fn a_document_that_breaks_the_rules_is_reported_not_loaded() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    let mut doc = document::load(store.connection(), id).unwrap().unwrap();
    let before = doc.get_heads();
    let mut tx = doc.transaction();
    let (_, info) = tx.get(automerge::ROOT, "info").unwrap().unwrap();
    tx.put(&info, "community", "").unwrap();
    tx.commit();
    store
        .connection()
        .execute(
            "INSERT INTO doc_changes (household_id, bytes) VALUES (?1, ?2)",
            rusqlite::params![id.to_string(), doc.save_after(&before)],
        )
        .unwrap();
    assert!(matches!(store.household(id), Err(StoreError::Corrupt(..))));
}

// ---- properties ----

fn arb_today() -> NaiveDate {
    today()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any valid household survives struct → document → bytes → document → struct.
    #[test]
    fn households_round_trip_through_documents(h in strategy::household(arb_today())) {
        let mut doc = automerge::Automerge::new();
        document::commit(&mut doc, None, &h, &who(), "test").unwrap();
        let bytes = doc.save();
        let loaded = automerge::Automerge::load(&bytes).unwrap();
        let back: Household = autosurgeon::hydrate(&loaded).unwrap();
        prop_assert_eq!(back, h);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Create(Household),
    EditInfo(usize, ayllu_model::HouseholdInfo),
    AddMember(usize, Member),
    EditMember(usize, usize, Member),
    RemoveMember(usize, usize),
    RecordVisit(usize, Household),
    Dissolve(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => strategy::household(arb_today()).prop_map(Op::Create),
        2 => (any::<usize>(), strategy::household_info()).prop_map(|(i, info)| Op::EditInfo(i, info)),
        2 => (any::<usize>(), strategy::member(arb_today())).prop_map(|(i, m)| Op::AddMember(i, m)),
        2 => (any::<usize>(), any::<usize>(), strategy::member(arb_today())).prop_map(|(i, j, m)| Op::EditMember(i, j, m)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Op::RemoveMember(i, j)),
        // Visits are taken from another generated household whose members are copied in.
        2 => (any::<usize>(), strategy::household(arb_today())).prop_map(|(i, h)| Op::RecordVisit(i, h)),
        1 => any::<usize>().prop_map(Op::Dissolve),
    ]
}

fn apply(store: &mut Store, ids: &mut Vec<HouseholdId>, op: Op) {
    let pick = |ids: &Vec<HouseholdId>, i: usize| (!ids.is_empty()).then(|| ids[i % ids.len()]);
    let nth_member = |h: &Household, j: usize| h.members.keys().nth(j % h.members.len().max(1)).copied();
    // Refused edits are part of the property too: they must leave no trace.
    let _ = match op {
        Op::Create(h) => {
            let id = HouseholdId::new();
            ids.push(id);
            store.insert_household(id, &h, &who())
        }
        Op::EditInfo(i, info) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "household.edit", |h| h.set_info(info)),
            None => Ok(()),
        },
        Op::AddMember(i, m) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "member.add", |h| {
                h.add_member(MemberId::new(), m, arb_today())
            }),
            None => Ok(()),
        },
        Op::EditMember(i, j, m) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "member.edit", |h| match nth_member(h, j) {
                Some(mid) => h.edit_member(mid, m, arb_today()),
                None => Ok(()),
            }),
            None => Ok(()),
        },
        Op::RemoveMember(i, j) => match pick(ids, i) {
            // Not a user operation yet; exercises map deletions in the projection.
            Some(id) => store.update(id, &who(), "member.remove", |h| {
                let referenced: Vec<MemberId> = h
                    .visits
                    .values()
                    .flat_map(|v| v.child_checks.keys().chain(v.antenatal_checks.keys()))
                    .copied()
                    .collect();
                if let Some(mid) = nth_member(h, j).filter(|m| !referenced.contains(m)) {
                    h.members.remove(&mid);
                }
                Ok(())
            }),
            None => Ok(()),
        },
        Op::RecordVisit(i, other) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "visit.record", |h| {
                for (mid, m) in &other.members {
                    h.add_member(*mid, m.clone(), arb_today())?;
                }
                for (vid, v) in &other.visits {
                    h.record_visit(*vid, v.clone(), arb_today())?;
                }
                Ok(())
            }),
            None => Ok(()),
        },
        Op::Dissolve(i) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "household.dissolve", |h| {
                h.dissolve(Dissolution {
                    on: arb_today(),
                    reason: ShortText::parse("se mudó").unwrap(),
                    merged_into: None,
                })
            }),
            None => Ok(()),
        },
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The projection rebuilt from documents equals the incrementally maintained one.
    #[test]
    fn rebuilt_projection_equals_the_live_one(ops in proptest::collection::vec(op(), 1..25)) {
        let (_d, mut store) = temp_store();
        let mut ids = Vec::new();
        for op in ops {
            apply(&mut store, &mut ids, op);
        }
        let live = store.projection_dump().unwrap();
        store.rebuild_projection().unwrap();
        let rebuilt = store.projection_dump().unwrap();
        prop_assert_eq!(live, rebuilt);
        // And the documents agree with the projection's household count.
        prop_assert_eq!(store.household_ids().unwrap().len(), ids.len());
    }
}

/// Household `id`'s info edited at the same time on another device (`theirs`: document
/// keys and values) and here (`ours`), then the other copy merged in.
fn concurrent_info_edits(
    store: &mut Store,
    id: HouseholdId,
    theirs: &[(&str, &str)],
    ours: impl FnOnce(&mut ayllu_model::HouseholdInfo),
) {
    let mut other = document::load(store.connection(), id).unwrap().unwrap();
    other.set_actor(automerge::ActorId::random());
    let mut tx = other.transaction();
    let (_, info) = tx.get(automerge::ROOT, "info").unwrap().unwrap();
    for (key, value) in theirs {
        tx.put(&info, *key, *value).unwrap();
    }
    tx.commit();
    store
        .update(id, &who(), "household.edit", |h| {
            let mut info = h.info.clone();
            ours(&mut info);
            h.set_info(info)
        })
        .unwrap();
    store
        .replica(|r| -> Result<(), StoreError> {
            let mut doc = r.document(id)?.unwrap();
            let before = doc.get_heads();
            doc.merge(&mut other.clone()).unwrap();
            r.save_document(id, &doc, Some(&before))?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn concurrent_edits_of_one_field_are_shown_and_can_be_resolved() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    concurrent_info_edits(
        &mut store,
        id,
        &[("address", "Casa azul, pasando el puente")],
        |i| i.address = ShortText::parse("Frente al colegio").unwrap(),
    );

    let conflicts = store.conflicts(id).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].field, "info.address");
    let mut values: Vec<&str> = conflicts[0].values.iter().map(|v| v.as_str().unwrap()).collect();
    values.sort();
    assert_eq!(values, ["Casa azul, pasando el puente", "Frente al colegio"]);

    let pick = conflicts[0]
        .values
        .iter()
        .position(|v| v == "Casa azul, pasando el puente")
        .unwrap();
    store.resolve_conflict(id, &who(), "info.address", pick).unwrap();
    assert!(store.conflicts(id).unwrap().is_empty());
    assert_eq!(
        store.household(id).unwrap().unwrap().info.address.as_str(),
        "Casa azul, pasando el puente"
    );
    assert_eq!(
        store.history(id).unwrap().last().unwrap().op.as_deref(),
        Some("conflict.resolve")
    );

    // Unknown fields and choices are refused, changing nothing.
    assert!(matches!(
        store.resolve_conflict(id, &who(), "info.address", 0),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.resolve_conflict(id, &who(), "info.nothing", 0),
        Err(StoreError::Invalid(_))
    ));
}

#[test]
fn places_count_households_by_community_and_list_sectors() {
    let (_d, mut store) = temp_store();
    let mut census = Census::new(5, today());
    let mut expected: std::collections::BTreeMap<String, (std::collections::BTreeSet<String>, i64)> =
        Default::default();
    for _ in 0..40 {
        let h = census.household();
        let e = expected.entry(h.info.community.to_string()).or_default();
        e.0.extend(h.info.sector.as_ref().map(|s| s.to_string()));
        e.1 += 1;
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    let places = store.places().unwrap();
    let got: std::collections::BTreeMap<String, (std::collections::BTreeSet<String>, i64)> = places
        .iter()
        .map(|p| {
            (
                p.community.clone(),
                (p.sectors.iter().cloned().collect(), p.households),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(places.windows(2).all(|w| w[0].community < w[1].community));
    assert!(places.iter().all(|p| p.sectors.windows(2).all(|w| w[0] < w[1])));
}

fn due_rules(store: &Store, day: &str, filter: &DueFilter) -> Vec<(String, ayllu_model::followup::Rule)> {
    store
        .due(day.parse().unwrap(), filter)
        .unwrap()
        .into_iter()
        .flat_map(|g| g.items)
        .map(|i| (i.name, i.rule))
        .collect()
}

#[test]
fn the_due_list_comes_from_the_projection_and_follows_the_rules() {
    use ayllu_model::followup::Rule;
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    // Visit on 2026-11-20: diarrhoea (with ORS), the card not up to date.
    store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    let all = DueFilter::default();
    let child = "Ch'aska Mamani Núñez".to_string();
    assert_eq!(
        due_rules(&store, "2026-11-21", &all),
        vec![(child.clone(), Rule::GrowthCheckDue)],
        "day 1: the diarrhoea re-check is not due yet"
    );
    assert_eq!(
        due_rules(&store, "2026-11-22", &all),
        vec![
            (child.clone(), Rule::DiarrhoeaRecheck),
            (child.clone(), Rule::GrowthCheckDue)
        ],
        "day 2: due, the re-check first"
    );
    assert!(due_rules(&store, "2026-11-23", &all).contains(&(child.clone(), Rule::DiarrhoeaRecheck)));
    // The household screen's list, from the document, is the same as the store's.
    let day: NaiveDate = "2026-11-23".parse().unwrap();
    let from_doc = DueItem::for_household(id, &store.household(id).unwrap().unwrap(), day, 0);
    let from_projection: Vec<DueItem> = store
        .due(day, &all)
        .unwrap()
        .into_iter()
        .flat_map(|g| g.items)
        .collect();
    assert_eq!(from_doc, from_projection);
    // Coming in the next day, seen from day 1.
    let ahead = DueFilter {
        within_days: 1,
        ..Default::default()
    };
    let groups = store.due("2026-11-21".parse().unwrap(), &ahead).unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].community, "Ccorca");
    let recheck = &groups[0].items[0];
    assert_eq!((recheck.rule, recheck.days_overdue), (Rule::DiarrhoeaRecheck, -1));
    assert_eq!(recheck.household, id);
    assert_eq!(
        recheck.reason(ayllu_model::Lang::ES),
        Rule::DiarrhoeaRecheck.reason(ayllu_model::Lang::ES)
    );

    // Another community, filtered out by name.
    let mut other = sample();
    other.info.community = ayllu_model::ShortText::parse("Huayllay").unwrap();
    store.create_household(other, today(), &who()).unwrap();
    let day = "2026-11-22";
    let everyone = store.due(day.parse().unwrap(), &all).unwrap();
    assert_eq!(
        everyone.iter().map(|g| g.community.as_str()).collect::<Vec<_>>(),
        ["Ccorca", "Huayllay"]
    );
    let only = DueFilter {
        community: Some("Huayllay".into()),
        ..Default::default()
    };
    let groups = store.due(day.parse().unwrap(), &only).unwrap();
    assert_eq!(groups.len(), 1);
    assert!(groups[0].items.iter().all(|i| i.community == "Huayllay"));

    // A dissolved household leaves the list.
    store
        .update(id, &who(), "household.dissolve", |h| {
            h.dissolve(Dissolution {
                on: today(),
                reason: ShortText::parse("Se mudaron").unwrap(),
                merged_into: None,
            })
        })
        .unwrap();
    assert!(
        store
            .due(day.parse().unwrap(), &all)
            .unwrap()
            .iter()
            .all(|g| g.community != "Ccorca")
    );
}

#[test]
fn households_inserted_together_are_all_stored_or_none() {
    let (_d, mut store) = temp_store();
    let (h, _) = Household::create(sample(), today()).unwrap();
    let (existing, _) = store.create_household(sample(), today(), &who()).unwrap();
    let fresh = HouseholdId::new();
    let err = store
        .insert_households(&[(fresh, &h), (existing, &h)], &who(), "import.csv")
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(id) if id == existing));
    assert!(
        store.household(fresh).unwrap().is_none(),
        "the first was rolled back"
    );
    assert_eq!(store.household_ids().unwrap().len(), 1);
    let other = HouseholdId::new();
    let (h2, _) = Household::create(sample(), today()).unwrap();
    store
        .insert_households(&[(fresh, &h), (other, &h2)], &who(), "import.csv")
        .unwrap();
    assert_eq!(store.household_ids().unwrap().len(), 3);
    assert_eq!(store.history(other).unwrap()[0].op.as_deref(), Some("import.csv"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// For any household and any day in the next 13 months, the follow-up list the store
    /// builds from its projection (Today) equals the one built from the document (the
    /// household screen): danger signs, pneumonia, diarrhoea, referrals, growth checks,
    /// antenatal visits — every rule.
    #[test]
    fn the_due_list_from_the_projection_equals_the_one_from_the_document(
        h in strategy::household(today()),
        days_ahead in 0u64..400,
    ) {
        let (_d, mut store) = temp_store();
        let id = HouseholdId::new();
        store.insert_household(id, &h, &who()).unwrap();
        let day = today() + chrono::Days::new(days_ahead);
        let from_doc = DueItem::for_household(id, &h, day, 0);
        let from_projection: Vec<DueItem> = store
            .due(day, &DueFilter::default())
            .unwrap()
            .into_iter()
            .flat_map(|g| g.items)
            .collect();
        prop_assert_eq!(from_doc, from_projection);
    }
}

/// A projection written by older code (here: today's store with its version set back and
/// its derived facts spoiled, as an older projection would lack them) is rebuilt on open;
/// a current one is left as it is.
#[test]
fn an_older_projection_is_rebuilt_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ayllu.sqlite3");
    let mut census = Census::new(17, today());
    let expected = {
        let mut store = Store::open(&path).unwrap();
        for _ in 0..60 {
            let h = census.household();
            store.insert_household(census.household_id(), &h, &who()).unwrap();
        }
        assert_eq!(
            store.projection_version().unwrap(),
            projection::PROJECTION_VERSION
        );
        store.projection_dump().unwrap()
    };
    let signs = |store: &Store| -> i64 {
        store
            .connection()
            .query_row(
                "SELECT count(*) FROM child_checks WHERE danger_sign OR pneumonia_signs",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let spoil = |store: &Store| {
        store
            .connection()
            .execute("UPDATE child_checks SET danger_sign = 0, pneumonia_signs = 0", [])
            .unwrap();
    };
    {
        let store = Store::open(&path).unwrap();
        assert!(signs(&store) > 0, "the sample census has children with signs");
        spoil(&store);
    }
    // Same version: opening trusts the projection (nothing rebuilt behind our back).
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(signs(&store), 0);
        store
            .connection()
            .execute(
                "UPDATE counters SET value = 0 WHERE name = 'projection_version'",
                [],
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.projection_version().unwrap(),
        projection::PROJECTION_VERSION
    );
    assert_eq!(store.projection_dump().unwrap(), expected);
}

/// Two phones that wrote the same value at once agree: staff are not asked to choose
/// between "Casa azul" and "Casa azul".
#[test]
fn the_same_value_written_on_two_phones_is_not_a_conflict() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    concurrent_info_edits(
        &mut store,
        id,
        &[("address", "Casa azul"), ("sector", "Bajo")],
        |i| {
            i.address = ShortText::parse("Casa azul").unwrap();
            i.sector = Some(ShortText::parse("Alto Ccorca").unwrap());
        },
    );
    let conflicts = store.conflicts(id).unwrap();
    // The address agrees; the sector does not.
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].field, "info.sector");
}

#[test]
fn an_edit_made_without_knowing_of_a_dissolution_is_shown_not_folded_in() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    // Another phone, offline, edits the address of the household it still has…
    let mut other = document::load(store.connection(), id).unwrap().unwrap();
    other.set_actor(automerge::ActorId::random());
    let mut tx = other.transaction();
    let (_, info) = tx.get(automerge::ROOT, "info").unwrap().unwrap();
    tx.put(&info, "address", "Casa nueva").unwrap();
    tx.commit_with(
        automerge::transaction::CommitOptions::default().with_message(
            serde_json::json!({"promotor": "Marleni Huamán", "op": "household.edit"}).to_string(),
        ),
    );
    assert!(
        store.edits_unaware_of_dissolution(id).unwrap().is_empty(),
        "nothing dissolved yet"
    );
    // …while here the household is dissolved.
    store
        .update(id, &who(), "household.dissolve", |h| {
            h.dissolve(ayllu_model::Dissolution {
                on: today(),
                reason: ShortText::parse("Se mudaron").unwrap(),
                merged_into: None,
            })
        })
        .unwrap();
    // A later edit here would be refused; the offline one arrives by sync.
    store
        .replica(|r| -> Result<(), StoreError> {
            let mut doc = r.document(id)?.unwrap();
            let before = doc.get_heads();
            doc.merge(&mut other.clone()).unwrap();
            r.save_document(id, &doc, Some(&before))?;
            Ok(())
        })
        .unwrap();
    let late = store.edits_unaware_of_dissolution(id).unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].promotor.as_deref(), Some("Marleni Huamán"));
    assert!(
        store.household(id).unwrap().unwrap().is_dissolved(),
        "still dissolved"
    );
}

/// Every byte of the store's files (database, WAL, shared memory) as one buffer.
fn bytes_of_store(path: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for side in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(side);
        if let Ok(b) = std::fs::read(std::path::PathBuf::from(p)) {
            all.extend(b);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn an_encrypted_store_keeps_no_name_or_dni_in_its_files_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    // A plain store shows what the bytes would give away.
    let plain = dir.path().join("plain.sqlite3");
    let mut store = Store::open(&plain).unwrap();
    store.create_household(sample(), today(), &who()).unwrap();
    let bytes = bytes_of_store(&plain);
    assert!(
        contains(&bytes, "45871236") && contains(&bytes, "Núñez"),
        "the check can see"
    );
    drop(store);

    let path = dir.path().join("ayllu.sqlite3");
    let key = ayllu_lock::StoreKey::random();
    let mut store = Store::open_encrypted(&path, &key).unwrap();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    // Read while the WAL still holds the change, then after a checkpoint.
    for moment in ["with its WAL", "checkpointed"] {
        let bytes = bytes_of_store(&path);
        for secret in ["45871236", "Núñez", "Rosa", "Ccorca", "capilla"] {
            assert!(!contains(&bytes, secret), "{secret} readable {moment}");
        }
        store.checkpoint().unwrap();
    }
    drop(store);
    assert!(!Store::is_plain(&path).unwrap());
    assert!(matches!(
        Store::open_encrypted(&path, &ayllu_lock::StoreKey::random()),
        Err(StoreError::WrongKey)
    ));
    assert!(Store::open(&path).is_err(), "no key, no store");
    let store = Store::open_encrypted(&path, &key).unwrap();
    assert!(store.household(id).unwrap().is_some());
}

#[test]
fn a_plain_store_is_encrypted_in_place_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ayllu.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let households = Census::new(7, today()).households(30);
    let ids: Vec<HouseholdId> = households
        .iter()
        .map(|h| {
            let id = HouseholdId::new();
            store.insert_household(id, h, &who()).unwrap();
            id
        })
        .collect();
    let before: Vec<_> = ids.iter().map(|id| store.household(*id).unwrap()).collect();
    let device = store.device_id();
    // Left open with changes in its WAL, as a killed app leaves it.
    std::mem::forget(store);
    assert!(Store::is_plain(&path).unwrap());

    let key = ayllu_lock::StoreKey::random();
    Store::encrypt_in_place(&path, &key).unwrap();
    assert!(!Store::is_plain(&path).unwrap());
    let store = Store::open_encrypted(&path, &key).unwrap();
    let after: Vec<_> = ids.iter().map(|id| store.household(*id).unwrap()).collect();
    assert_eq!(before, after);
    assert_eq!(store.device_id(), device, "the same device, its keys and cursors");
    let bytes = bytes_of_store(&path);
    let name = households[0]
        .members
        .values()
        .next()
        .unwrap()
        .surnames
        .to_string();
    assert!(!contains(&bytes, &name), "{name} readable after the migration");
}

#[test]
fn the_check_finds_nothing_in_a_whole_store_and_each_kind_of_damage_in_a_broken_one() {
    let (_dir, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    let (other, _) = store.create_household(sample(), today(), &who()).unwrap();
    store
        .replica(|r| {
            r.set_peer(
                "hub:1",
                PeerCursor {
                    cursor: 3,
                    pushed_seq: 1,
                },
            )
        })
        .unwrap();
    assert_eq!(store.check().unwrap(), vec![], "a whole store");
    let codes =
        |store: &mut Store| -> Vec<&'static str> { store.check().unwrap().iter().map(|f| f.code).collect() };

    // The projection says something the document does not.
    let sql = |store: &Store, q: &str| store.connection().execute(q, []).unwrap();
    sql(
        &store,
        &format!("UPDATE households SET address = 'Otra casa' WHERE id = '{id}'"),
    );
    assert_eq!(codes(&mut store), ["projection"]);
    // The check changed nothing: the damage is still there, and a rebuild mends it.
    assert_eq!(codes(&mut store), ["projection"]);
    store.rebuild_projection().unwrap();
    assert!(codes(&mut store).is_empty());

    // Recorded heads that are not the document's; a peer offered past the counter; a sync
    // state for a household not stored.
    sql(
        &store,
        &format!("UPDATE documents SET heads = 'ab' WHERE household_id = '{other}'"),
    );
    sql(
        &store,
        "UPDATE peers SET pushed_seq = 999999 WHERE peer = 'hub:1'",
    );
    sql(
        &store,
        &format!(
            "INSERT INTO peer_docs (peer, household_id, sync_state) VALUES ('hub:1', '{}', x'00')",
            HouseholdId::new()
        ),
    );
    let mut found = codes(&mut store);
    found.sort();
    assert_eq!(found, ["document_heads", "sync_cursor", "sync_state_orphan"]);
}

#[test]
fn documents_move_to_a_rowid_table_with_their_changes_and_take_a_third_of_the_room() {
    // A store as version 7 of the schema kept it (documents WITHOUT ROWID), with appended
    // changes that reference their documents, made from a store of today.
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.sqlite3");
    let mut households = Vec::new();
    {
        let mut store = Store::open(&source).unwrap();
        let mut census = Census::new(11, today());
        for _ in 0..300 {
            let h = census.household();
            let id = census.household_id();
            store.insert_household(id, &h, &who()).unwrap();
            households.push(id);
        }
        for id in households.iter().step_by(7) {
            store
                .update(*id, &who(), "household.edit", |h| {
                    let mut info = h.info.clone();
                    info.address = ShortText::parse("Jr. Lima 123").unwrap();
                    h.set_info(info)
                })
                .unwrap();
        }
        store.checkpoint().unwrap();
    }
    let old = dir.path().join("v7.sqlite3");
    {
        let mut conn = Connection::open(&old).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        schema::migrations().to_version(&mut conn, 7).unwrap();
        conn.execute("ATTACH DATABASE ?1 AS source", [source.to_string_lossy()])
            .unwrap();
        conn.execute_batch(
            "INSERT INTO documents SELECT household_id, snapshot, heads, change_count, seq FROM source.documents;
             INSERT INTO doc_changes SELECT seq, household_id, bytes FROM source.doc_changes;
             UPDATE counters SET value = (SELECT value FROM source.counters WHERE name = 'update_seq')
               WHERE name = 'update_seq';
             DETACH DATABASE source;",
        )
        .unwrap();
        let changes: i64 = conn
            .query_row("SELECT COUNT(*) FROM doc_changes", [], |r| r.get(0))
            .unwrap();
        assert!(changes > 40, "the old store has appended changes ({changes})");
    }
    let before = Store::open(&source).unwrap();
    let mut migrated = Store::open(&old).unwrap();
    let child_table: String = migrated
        .connection()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'doc_changes'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        child_table.contains("REFERENCES \"documents\"") || child_table.contains("REFERENCES documents("),
        "{child_table}"
    );
    for id in &households {
        assert_eq!(migrated.household(*id).unwrap(), before.household(*id).unwrap());
    }
    assert_eq!(migrated.integrity_check().unwrap(), "ok");
    // Changes still append (and reference their document) after the move.
    migrated
        .update(households[0], &who(), "household.edit", |h| {
            let mut info = h.info.clone();
            info.address = ShortText::parse("Av. Grau 5").unwrap();
            h.set_info(info)
        })
        .unwrap();
    let fk: Option<String> = migrated
        .connection()
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()
        .unwrap();
    assert_eq!(fk, None, "every appended change still has its document");
    let without_rowid: i64 = migrated
        .connection()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'documents' AND sql LIKE '%WITHOUT ROWID%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(without_rowid, 0);
    let documents: i64 = migrated
        .space_by_table()
        .unwrap()
        .into_iter()
        .filter(|(t, _)| t == "documents")
        .map(|(_, b)| b)
        .sum();
    let per_household = documents / households.len() as i64;
    assert!(
        per_household < 2_500,
        "a document takes its snapshot's size, not an overflow page ({per_household} B)"
    );
}

#[test]
fn a_document_must_have_the_household_shape_in_every_value_even_concurrent_ones() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    let household = store.household(id).unwrap().unwrap();
    let doc = store.replica(|r| r.document(id)).unwrap().unwrap();
    let shape = |d: &automerge::Automerge| document::check_shape(id, d, &household);
    shape(&doc).unwrap();

    let edited = |f: &dyn Fn(&mut automerge::transaction::Transaction<'_>)| {
        let mut d = doc.fork();
        let mut tx = d.transaction();
        f(&mut tx);
        tx.commit();
        d
    };
    let info = |tx: &automerge::transaction::Transaction<'_>| match tx.get(automerge::ROOT, "info").unwrap() {
        Some((automerge::Value::Object(_), obj)) => obj,
        other => panic!("info is {other:?}"),
    };
    // A key the model does not write, one level down.
    let nested = edited(&|tx| {
        let obj = info(tx);
        tx.put(&obj, "zz_extra", "x").unwrap();
    });
    let err = shape(&nested).unwrap_err().to_string();
    assert!(err.contains("unknown key at info.zz_extra"), "{err}");
    // A list where the model keeps a value.
    let list = edited(&|tx| {
        let obj = info(tx);
        tx.put_object(&obj, "address", automerge::ObjType::List).unwrap();
    });
    let err = shape(&list).unwrap_err().to_string();
    assert!(err.contains("list") && err.contains("info.address"), "{err}");
    // An object where the model keeps a scalar.
    let map = edited(&|tx| {
        let obj = info(tx);
        tx.put_object(&obj, "address", automerge::ObjType::Map).unwrap();
    });
    assert!(shape(&map).unwrap_err().to_string().contains("wrong kind"));

    // Two devices set one field at once: one a plain value, the other an object with junk.
    // Whichever value wins (the higher actor), the losing one is checked too.
    for (plain_actor, junk_actor) in [(1u8, 2u8), (2, 1)] {
        let mut a = doc.fork();
        a.set_actor(automerge::ActorId::from(vec![plain_actor; 16]));
        let mut b = doc.fork();
        b.set_actor(automerge::ActorId::from(vec![junk_actor; 16]));
        {
            let mut tx = a.transaction();
            let obj = info(&tx);
            tx.put(&obj, "sector", "Bajo").unwrap();
            tx.commit();
        }
        {
            let mut tx = b.transaction();
            let obj = info(&tx);
            let junk = tx.put_object(&obj, "sector", automerge::ObjType::Map).unwrap();
            tx.put(&junk, "payload", "x".repeat(1000)).unwrap();
            tx.commit();
        }
        a.merge(&mut b).unwrap();
        let Some((winner, obj)) = a.get(automerge::ROOT, "info").unwrap() else {
            panic!("no info")
        };
        let _ = winner;
        let (winner, _) = a.get(&obj, "sector").unwrap().unwrap();
        assert_eq!(
            a.get_all(&obj, "sector").unwrap().len(),
            2,
            "both values are kept"
        );
        assert_eq!(
            matches!(winner, automerge::Value::Scalar(_)),
            plain_actor > junk_actor,
            "the higher actor's value shows"
        );
        let err = shape(&a).unwrap_err().to_string();
        assert!(err.contains("info.sector"), "{err}");
    }
}

fn stored_snapshot(store: &Store, id: HouseholdId) -> Vec<u8> {
    store
        .connection()
        .query_row(
            "SELECT snapshot FROM documents WHERE household_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap()
}

fn set_snapshot(store: &Store, id: HouseholdId, bytes: &[u8]) {
    store
        .connection()
        .execute(
            "UPDATE documents SET snapshot = ?2 WHERE household_id = ?1",
            rusqlite::params![id.to_string(), bytes],
        )
        .unwrap();
}

#[test]
fn snapshots_are_packed_and_ones_stored_before_packing_still_read() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let doc = document::load(store.connection(), id).unwrap().unwrap();
    let packed = stored_snapshot(&store, id);
    assert!(packed.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]), "stored packed");
    assert!(
        packed.len() < doc.save().len(),
        "packed ({} B) is smaller than Automerge's own save ({} B)",
        packed.len(),
        doc.save().len()
    );
    let household = store.household(id).unwrap();
    // A store written by an earlier version: Automerge's bytes as they are.
    set_snapshot(&store, id, &doc.save());
    assert_eq!(store.household(id).unwrap(), household);
    // Its next compaction packs it.
    for _ in 0..COMPACT_AFTER {
        store
            .update(id, &who(), "visit.record", |h| {
                h.record_visit(VisitId::new(), visit(members[1]), today())
            })
            .unwrap();
    }
    assert!(stored_snapshot(&store, id).starts_with(&[0x28, 0xb5, 0x2f, 0xfd]));
    assert_eq!(
        store.household(id).unwrap().unwrap().visits.len(),
        COMPACT_AFTER as usize
    );
}

#[test]
fn a_damaged_packed_snapshot_is_corrupt_and_unpacking_is_bounded() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    let mut garbage = vec![0x28, 0xb5, 0x2f, 0xfd];
    garbage.extend_from_slice(b"not a zstd frame at all");
    set_snapshot(&store, id, &garbage);
    assert!(matches!(store.household(id), Err(StoreError::Corrupt(..))));
    // A small frame that unpacks to 64 MiB (past any household): refused, not allocated.
    let bomb = zstd::bulk::compress(&vec![0u8; 64 << 20], 3).unwrap();
    assert!(bomb.len() < 64 * 1024);
    set_snapshot(&store, id, &bomb);
    match store.household(id) {
        // Refused while unpacking, before Automerge is handed anything.
        Err(StoreError::Corrupt(_, why)) => assert!(why.starts_with("packed snapshot"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_size_limit_counts_a_snapshot_unpacked() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    let doc = document::load(store.connection(), id).unwrap().unwrap();
    let unpacked = doc.save_nocompress().len();
    assert!(stored_snapshot(&store, id).len() < unpacked);
    assert_eq!(document::stored_size(store.connection(), id).unwrap(), unpacked);
    // A snapshot stored before packing counts as it is.
    set_snapshot(&store, id, &doc.save());
    assert_eq!(
        document::stored_size(store.connection(), id).unwrap(),
        doc.save().len()
    );
}

#[test]
fn changed_since_hands_out_every_write_in_order_past_a_page() {
    let (_d, mut store) = temp_store();
    let mut census = Census::new(5, today());
    let ids: Vec<HouseholdId> = (0..300)
        .map(|_| {
            let h = census.household();
            let id = census.household_id();
            store.insert_household(id, &h, &who()).unwrap();
            id
        })
        .collect();
    store
        .replica(|r| -> Result<(), StoreError> {
            let mut changed = ChangedSince::new(0);
            let mut seen = Vec::new();
            let mut last = 0;
            while let Some((id, seq)) = changed.next(r)? {
                assert!(seq > last);
                last = seq;
                assert_eq!(changed.scanned(), seq);
                seen.push(id);
            }
            assert_eq!(seen, ids);
            assert!(!changed.any_left(r)?);
            let mut from_middle = ChangedSince::new(r.updated_since(0, 299)?[298].1);
            assert!(from_middle.any_left(r)?);
            assert_eq!(from_middle.next(r)?.map(|(id, _)| id), Some(ids[299]));
            Ok(())
        })
        .unwrap();
}

/// What a whole-document message is made from: the document as `save_nocompress` writes
/// it, whether the snapshot is packed and alone (taken as it is), has changes appended
/// since, or was stored before packing (both loaded and saved).
#[test]
fn a_stored_document_saved_plain_is_the_document() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let plain = |store: &mut Store| {
        store
            .replica(|r| r.stored_document(id))
            .unwrap()
            .unwrap()
            .saved_plain()
            .unwrap()
    };
    let doc = document::load(store.connection(), id).unwrap().unwrap();
    assert_eq!(plain(&mut store), doc.save_nocompress(), "packed, alone");
    store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    let doc = document::load(store.connection(), id).unwrap().unwrap();
    assert_eq!(plain(&mut store), doc.save_nocompress(), "a change appended");
    set_snapshot(&store, id, &doc.save());
    store.connection().execute("DELETE FROM doc_changes", []).unwrap();
    assert_eq!(plain(&mut store), doc.save_nocompress(), "stored before packing");
}

/// A received document past `MAX_DOCUMENT_BYTES` is refused and nothing of it is written,
/// new here (checked before writing) or growing one held here (written, measured, undone),
/// while the rest of the transaction stands.
#[test]
fn a_received_document_too_large_is_refused_and_nothing_of_it_written() {
    let (_d, mut store) = temp_store();
    let (held, members) = store.create_household(sample(), today(), &who()).unwrap();
    let household = store.household(held).unwrap().unwrap();
    // Six hundred visits with long notes: a valid household past 1 MiB unpacked.
    let stuffed = |mut h: Household| {
        for i in 0..600 {
            let mut v = visit(members[1]);
            v.notes = Some(Notes::parse(&format!("{i} {}", "nota larga ".repeat(180))).unwrap());
            h.record_visit(VisitId::new(), v, today()).unwrap();
        }
        h
    };
    let before_dump = store.projection_dump().unwrap();
    let new_id = HouseholdId::new();
    let mut new_doc = document::new_doc(store.actor());
    document::commit(
        &mut new_doc,
        None,
        &stuffed(household.clone()),
        &who(),
        "household.create",
    )
    .unwrap();
    // Another household, from another store.
    let (_d2, mut elsewhere) = temp_store();
    let (other_id, _) = elsewhere.create_household(sample(), today(), &who()).unwrap();
    let other_doc = elsewhere.replica(|r| r.document(other_id)).unwrap().unwrap();
    let other = elsewhere.household(other_id).unwrap().unwrap();
    let mut grown = store.replica(|r| r.document(held)).unwrap().unwrap();
    let heads = grown.get_heads();
    document::commit(
        &mut grown,
        Some(&household),
        &stuffed(household.clone()),
        &who(),
        "visit.record",
    )
    .unwrap();
    store
        .replica(|r| -> Result<(), StoreError> {
            assert!(matches!(
                r.save_document(new_id, &new_doc, None),
                Err(StoreError::TooLarge(..))
            ));
            assert!(matches!(
                r.save_document(held, &grown, Some(&heads)),
                Err(StoreError::TooLarge(..))
            ));
            r.save_document(other_id, &other_doc, None)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.household(new_id).unwrap(), None);
    assert_eq!(store.household(held).unwrap().unwrap(), household);
    assert_eq!(store.household(other_id).unwrap().unwrap(), other);
    let mut ids = store.household_ids().unwrap();
    ids.sort();
    let mut expected = vec![held, other_id];
    expected.sort();
    assert_eq!(ids, expected);
    assert_ne!(
        store.projection_dump().unwrap(),
        before_dump,
        "the other household was written"
    );
}
