//! Power can die at any instruction: a writer is killed with SIGKILL at random moments
//! while it saves, 50 times over one store. Every save it reported as done must be there
//! (document and projection), and SQLite's integrity check must pass, every time.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use ayllu_model::{HouseholdId, VisitId};
use ayllu_store::Store;
use rand::{Rng, SeedableRng};

#[test]
fn every_acknowledged_save_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ayllu.sqlite3");
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261124);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut acknowledged: Vec<(HouseholdId, VisitId)> = Vec::new();
    let mut households: Vec<HouseholdId> = Vec::new();

    for round in 0..50 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            // Only complete lines count: a line cut by the kill was never acknowledged.
            let mut lines = Vec::new();
            let mut r = BufReader::new(stdout);
            let mut buf = String::new();
            while r.read_line(&mut buf).unwrap_or(0) > 0 {
                if buf.ends_with('\n') {
                    lines.push(buf.trim_end().to_string());
                }
                buf.clear();
            }
            lines
        });
        let delay = rng.random_range(5..400);
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        for line in &lines {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["saved", h, v] => acknowledged.push((h.parse().unwrap(), v.parse().unwrap())),
                ["household", h] => households.push(h.parse().unwrap()),
                other => panic!("unexpected line {other:?}"),
            }
        }

        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.integrity_check().unwrap(),
            "ok",
            "round {round} (seed {seed}, {delay} ms)"
        );
        let ids = store.household_ids().unwrap();
        for h in &households {
            assert!(ids.contains(h), "round {round}: household {h} lost");
        }
        let mut by_household: std::collections::BTreeMap<HouseholdId, Vec<VisitId>> = Default::default();
        for (h, v) in &acknowledged {
            by_household.entry(*h).or_default().push(*v);
        }
        for (h, visits) in &by_household {
            let household = store.household(*h).unwrap().unwrap();
            for v in visits {
                assert!(
                    household.visits.contains_key(v),
                    "round {round} (seed {seed}): visit {v} lost"
                );
            }
        }
        let projected = store.projection_dump().unwrap().rows("visits");
        assert!(
            projected >= acknowledged.len(),
            "round {round}: projection lost visits"
        );
        drop(store);
    }
    // The writer really was interrupted mid-stream many times, and saved a lot.
    assert!(
        acknowledged.len() > 100,
        "only {} saves acknowledged",
        acknowledged.len()
    );
    eprintln!("{} saves acknowledged over 50 kills", acknowledged.len());

    // After all the crashes, the projection still equals one rebuilt from the documents.
    let mut store = Store::open(&path).unwrap();
    let live = store.projection_dump().unwrap();
    store.rebuild_projection().unwrap();
    assert_eq!(store.projection_dump().unwrap(), live);
}
