//! The crash loop: the hub (`ayllu hub serve`) and syncing phones (`ayllu sync`, `ayllu
//! bundle read` at the hub) killed with SIGKILL at random moments of uploads, pulls and
//! bundle reads, round after round. After each round everything is brought back up and
//! synced: every household a phone acknowledged is at the hub and at the other phone, once,
//! as it was saved; `ayllu check` finds nothing in any of the three stores.
//!
//! `AYLLU_CRASH_ROUNDS` rounds (12 in the test run; `bash bench/crash-loop.sh` runs 100),
//! `AYLLU_CRASH_SEED` to replay a run (printed at the start).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SECRETS: [(&str, &str); 3] = [
    ("AYLLU_PIN", "482913"),
    ("AYLLU_PASSPHRASE", "puesto de salud de prueba"),
    ("AYLLU_KDF_FAST", "1"),
];

fn command(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ayllu"));
    c.envs(SECRETS).arg("--data").arg(data).args(args);
    c
}

/// Runs to the end: status, stdout as JSON, stderr.
fn ayllu(data: &Path, args: &[&str], stdin: Option<&Value>) -> (i32, Value, String) {
    let mut child = command(data, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(v) = stdin {
        input.write_all(v.to_string().as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(data: &Path, args: &[&str], stdin: Option<&Value>) -> Value {
    let (code, json, err) = ayllu(data, args, stdin);
    assert_eq!(code, 0, "{args:?}: {err}");
    json
}

/// Small, seeded, good enough to pick moments and scenarios.
struct Dice(u64);
impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

struct Hub {
    child: Child,
    listen: String,
}

impl Hub {
    fn start(data: &Path, listen: &str) -> Hub {
        let mut child = command(data, &["hub", "serve", "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().strip_prefix("listening on ").unwrap().to_string();
        Hub {
            child,
            listen: url.trim_start_matches("https://").to_string(),
        }
    }

    fn url(&self) -> String {
        format!("https://{}", self.listen)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `args` and kills it with SIGKILL after `after` (or lets it finish first: then
/// `window` learns how long it takes).
fn killed_after(data: &Path, args: &[&str], after: Duration, window: &mut Duration) -> bool {
    let started = Instant::now();
    let mut child = command(data, args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + after;
    while Instant::now() < until {
        if child.try_wait().unwrap().is_some() {
            *window = started.elapsed();
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    true
}

fn ids(data: &Path) -> BTreeSet<String> {
    ok(data, &["household", "list"], None)
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// A name part made of letters (names hold no digits): a, b, …, z, ba, bb, …
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn household(n: usize) -> Value {
    let tag = letters(n);
    json!({"community": "Ccorca", "address": format!("Casa {n}, al lado del puente"), "consent": true,
           "members": [{"given_names": "Rosa", "surnames": format!("Quispe {tag}"), "sex": "F",
                        "birth": {"date": "1990-01-01"}, "relationship": "head", "insurance": "sis"},
                       {"given_names": "Ch'aska", "surnames": format!("Mamani {tag}"), "sex": "F",
                        "birth": {"date": "2025-03-01"}, "relationship": "child", "insurance": "sis"}]})
}

fn enroll(hub: &Path, phone: &Path, url: &str, name: &str) {
    ok(phone, &["init", "--as", "Juana Condori"], None);
    let code = ok(
        hub,
        &[
            "hub",
            "enroll",
            "--promotor",
            "Juana Condori",
            "--community",
            "Ccorca",
        ],
        None,
    );
    ok(
        phone,
        &[
            "enroll",
            "--hub",
            url,
            "--code",
            code["code"].as_str().unwrap(),
            "--name",
            name,
        ],
        None,
    );
}

fn check(data: &Path, when: &str) {
    let (code, found, err) = ayllu(data, &["check"], None);
    assert_eq!(code, 0, "{when}: {} {found} {err}", data.display());
}

#[test]
fn kill_9_anywhere_in_uploads_pulls_and_bundle_reads_loses_and_duplicates_nothing() {
    let rounds: usize = std::env::var("AYLLU_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(12);
    let seed: u64 = std::env::var("AYLLU_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash loop: {rounds} rounds, AYLLU_CRASH_SEED={seed}");
    let mut dice = Dice(seed);
    let root = tempfile::tempdir().unwrap();
    let (hub_dir, a, b): (PathBuf, PathBuf, PathBuf) = (
        root.path().join("hub"),
        root.path().join("a"),
        root.path().join("b"),
    );
    ok(&hub_dir, &["init"], None);
    let mut hub = Hub::start(&hub_dir, "127.0.0.1:0");
    enroll(&hub_dir, &a, &hub.url(), "celular A");
    enroll(&hub_dir, &b, &hub.url(), "celular B");
    let stick = root.path().join("a.bundle");

    let mut saved: BTreeSet<String> = BTreeSet::new();
    let mut made = 0;
    let mut kills = [0usize; 5];
    let mut window = [Duration::from_millis(150); 5];
    for round in 0..rounds {
        // New households on phone A, acknowledged (the command said so).
        for _ in 0..(3 + dice.next(8)) {
            made += 1;
            let added = ok(&a, &["household", "add"], Some(&household(made)));
            saved.insert(added["household"].as_str().unwrap().to_string());
        }
        let scenario = dice.next(5) as usize;
        // A moment within how long this kind of operation took when it finished (it is
        // learnt as the loop goes: an operation that ends before the kill teaches it).
        let after = Duration::from_millis(dice.next(window[scenario].as_millis() as u64 + 1));
        let url = hub.url();
        let killed = match scenario {
            // Phone A killed while uploading.
            0 => killed_after(&a, &["sync", "--hub", &url], after, &mut window[0]),
            // The hub killed while phone A uploads.
            1 | 3 => {
                let mut phone = command(&a, &["sync", "--hub", &url])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                if scenario == 3 {
                    // ... or while phone B pulls what A sent before.
                    let _ = phone.wait();
                    phone = command(&b, &["sync", "--hub", &url])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .spawn()
                        .unwrap();
                }
                std::thread::sleep(after);
                hub.kill();
                let _ = phone.kill();
                let _ = phone.wait();
                let listen = hub.listen.clone();
                hub = Hub::start(&hub_dir, &listen);
                true
            }
            // Phone B killed while pulling.
            2 => {
                ok(&a, &["sync", "--hub", &url], None);
                killed_after(&b, &["sync", "--hub", &url], after, &mut window[2])
            }
            // The hub's staff reading phone A's bundle, killed.
            _ => {
                ok(&a, &["bundle", "write", stick.to_str().unwrap()], None);
                killed_after(
                    &hub_dir,
                    &["bundle", "read", stick.to_str().unwrap()],
                    after,
                    &mut window[4],
                )
            }
        };
        if killed {
            kills[scenario] += 1;
        }
        // Back up: every store whole, and the next syncs complete.
        let url = hub.url();
        check(&a, &format!("round {round}, after scenario {scenario}"));
        check(&b, &format!("round {round}, after scenario {scenario}"));
        ok(&a, &["sync", "--hub", &url], None);
        ok(&b, &["sync", "--hub", &url], None);
        check(&hub_dir, &format!("round {round}, after scenario {scenario}"));
        let at_hub = ids(&hub_dir);
        assert_eq!(
            at_hub, saved,
            "round {round}: the hub holds exactly what phone A saved"
        );
        assert_eq!(ids(&b), saved, "round {round}: phone B holds exactly the same");
    }
    // Each household, once and as saved, everywhere.
    let one = saved.iter().next().unwrap();
    let at_a = ok(&a, &["household", "show", one], None);
    assert_eq!(
        ok(&hub_dir, &["household", "show", one], None)["info"],
        at_a["info"]
    );
    assert_eq!(
        ok(&b, &["household", "show", one], None)["members"],
        at_a["members"]
    );
    eprintln!(
        "crash loop: {rounds} rounds, {} households, killed mid-way: {} phone uploads, {} hubs during uploads, {} phone pulls, {} hubs during pulls, {} bundle reads",
        saved.len(),
        kills[0],
        kills[1],
        kills[2],
        kills[3],
        kills[4]
    );
}
