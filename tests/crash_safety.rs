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

/// An older install's plain store of 2,000 households is encrypted in place on its first
/// open with a PIN. Killed with SIGKILL 20 times (each from the same plain store), half at
/// a random moment of that open, half while the encrypted copy is being written: the next
/// open completes, every household is exactly as it was, and SQLite's integrity check
/// passes. It fails unless at least 3 kills landed mid-encryption.
#[test]
fn encrypting_a_plain_store_survives_kill_9() {
    const PIN: &str = "482913";
    let root = tempfile::tempdir().unwrap();
    let pristine = root.path().join("pristine");
    std::fs::create_dir_all(&pristine).unwrap();
    let who = ayllu_store::Signature::now(ayllu_model::PersonName::parse("Juana Condori").unwrap());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let before: Vec<(HouseholdId, ayllu_model::Household)> = {
        let mut store = Store::open(&pristine.join(ayllu_ops::folder::STORE_FILE)).unwrap();
        let mut census = ayllu_synth::Census::new(29, today);
        let households: Vec<(HouseholdId, ayllu_model::Household)> = (0..2000)
            .map(|_| (census.household_id(), census.household()))
            .collect();
        let refs: Vec<(HouseholdId, &ayllu_model::Household)> =
            households.iter().map(|(i, h)| (*i, h)).collect();
        store.insert_households(&refs, &who, "household.create").unwrap();
        households
    };
    let copy = |to: &std::path::Path| {
        let _ = std::fs::remove_dir_all(to);
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(&pristine).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    };
    let open = |data: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_folder-opener"))
            .arg(data)
            .env("AYLLU_PIN", PIN)
            .env("AYLLU_KDF_FAST", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap()
    };
    // How long a whole first open takes here, and how long of it the encrypted copy is
    // being written (`<store>.encrypting` exists): the kills land within them.
    let work = root.path().join("work");
    let copying = work
        .join(ayllu_ops::folder::STORE_FILE)
        .with_extension("encrypting");
    copy(&work);
    let started = std::time::Instant::now();
    let mut child = open(&work);
    let (mut first_seen, mut last_seen) = (None, None);
    while child.try_wait().unwrap().is_none() {
        if copying.exists() {
            first_seen.get_or_insert(started.elapsed());
            last_seen = Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let whole = started.elapsed();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "open 2000");
    let export = match (first_seen, last_seen) {
        (Some(a), Some(b)) => b - a,
        _ => panic!("the first open never wrote an encrypted copy ({whole:?})"),
    };

    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261126);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut states = std::collections::BTreeMap::<&str, u32>::new();
    for round in 0..20 {
        copy(&work);
        let mut child = open(&work);
        if round % 2 == 0 {
            // Anywhere over the whole open and a little after: some kills land once it is done.
            let at = rng.random_range(0..(whole.as_millis() as u64 * 3 / 2).max(2));
            std::thread::sleep(Duration::from_millis(at));
        } else {
            // Within the copy: once it appears, at a random point of how long it took.
            let deadline = std::time::Instant::now() + whole * 4 + Duration::from_secs(5);
            while !copying.exists() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
            let at = rng.random_range(0..(export.as_micros() as u64).max(2));
            std::thread::sleep(Duration::from_micros(at));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let store = work.join(ayllu_ops::folder::STORE_FILE);
        let state = match (
            work.join(ayllu_ops::folder::LOCK_FILE).exists(),
            Store::is_plain(&store).unwrap(),
            copying.exists(),
        ) {
            (false, ..) => "before the lock",
            (true, true, true) => "mid-encryption",
            (true, true, false) => "locked, still plain",
            (true, false, _) => "encrypted",
        };
        *states.entry(state).or_default() += 1;
        let out = open(&work).wait_with_output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "open 2000",
            "round {round} ({state}, seed {seed})"
        );
        let store = ayllu_ops::folder::open(&work, PIN).unwrap();
        assert_eq!(
            store.integrity_check().unwrap(),
            "ok",
            "round {round} (seed {seed})"
        );
        for (id, h) in &before {
            assert_eq!(
                store.household(*id).unwrap().as_ref(),
                Some(h),
                "round {round} ({state}, seed {seed}): {id}"
            );
        }
        assert!(!Store::is_plain(&work.join(ayllu_ops::folder::STORE_FILE)).unwrap());
    }
    // What this test is for: kills that landed while the encrypted copy was half written.
    assert!(
        states.get("mid-encryption").copied().unwrap_or(0) >= 3,
        "too few kills landed mid-encryption (seed {seed}): {states:?}"
    );
    println!("first open of 2,000 households: {whole:?} (copy {export:?}); killed {states:?}");
}
