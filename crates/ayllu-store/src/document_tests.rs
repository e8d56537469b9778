//! Tests of documents: stored and read back, history, appended changes and compaction, shape, packing and size limits.

use crate::test_support::*;
use crate::*;
use automerge::{ReadDoc, transaction::Transactable};
use ayllu_model::{ShortText, VisitId};
use ayllu_synth::strategy;
use chrono::NaiveDate;
use proptest::prelude::*;

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
