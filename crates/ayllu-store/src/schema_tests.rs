//! Tests of migrations: documents moved to a rowid table.

use crate::test_support::*;
use crate::*;
use ayllu_model::ShortText;
use ayllu_synth::Census;

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
