//! Every phone of the health post syncs at once (the monthly meeting): N phones, each its own
//! store and community, make their first sync together against one hub, then each edits
//! some households and syncs again. The hub runs in its own process (this binary with
//! `--serve`), so its memory is its own. Reports requests/s, p50/p99 latency per exchange,
//! errors (must be 0), the hub's peak RSS, and checks that the hub holds exactly every
//! household each phone saved (as saved) and each phone exactly its own community.
//!   cargo run --release -p ayllu-bench --bin phones-at-once -- --phones 40 --households 50
//! Exits non-zero on any error or any household out of place.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use ayllu_hub::admin;
use ayllu_hub_server::Hub;
use ayllu_model::{HouseholdId, PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::HubClient;
use ayllu_sync::tls::{Fingerprint, Trust};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `--serve DIR`: the hub alone, over HTTPS on loopback, until killed.
fn serve(dir: &Path) -> anyhow::Result<()> {
    let hub = Arc::new(Hub::new(Store::open(&dir.join("hub.sqlite3"))?)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{} {}", listener.local_addr()?, hub.fingerprint().to_hex());
        ayllu_hub_server::run(listener, hub, std::future::pending()).await?;
        Ok(())
    })
}

struct Phone {
    store: Store,
    token: String,
    peer: String,
    own: BTreeSet<HouseholdId>,
    index: usize,
    _dir: tempfile::TempDir,
}

/// Enrolls `n` phones at the hub's store (before it serves) and fills each with its own
/// community's households.
fn phones(hub_dir: &Path, n: usize, households: usize) -> anyhow::Result<Vec<Phone>> {
    let mut hub = Store::open(&hub_dir.join("hub.sqlite3"))?;
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let today = chrono::Local::now().date_naive();
    let hub_id = admin::hub_id(&hub)?;
    (0..n)
        .map(|i| {
            let dir = tempfile::tempdir()?;
            let mut store = Store::open(&dir.path().join("phone.sqlite3"))?;
            let community = ShortText::parse(&format!("Comunidad {i}"))?;
            let code = admin::enroll(
                &hub,
                &PersonName::parse("Juana Condori")?,
                &admin::Communities::Only(vec![community.clone()]),
                admin::Role::Promotor,
                chrono::Duration::days(1),
            )?;
            // Staff enroll phones one at a time; the bench redeems the codes directly.
            let (token, _) = admin::redeem_in_process(&mut hub, &code, &store, "celular")?;
            let mut census = ayllu_synth::Census::new(1000 + i as u64, today);
            let mut own = BTreeSet::new();
            for _ in 0..households {
                let mut h = census.household();
                h.info.community = community.clone();
                let id = census.household_id();
                store.insert_household(id, &h, &who)?;
                own.insert(id);
            }
            Ok(Phone {
                store,
                token,
                peer: format!("hub:{hub_id}"),
                own,
                index: i,
                _dir: dir,
            })
        })
        .collect()
}

/// What one phone's sync took: each exchange's time, and whether it failed.
struct Outcome {
    exchanges: Vec<Duration>,
    error: Option<String>,
}

/// Every phone syncs at once (a barrier lines them up); `edit` households first, if any.
fn round(
    url: &str,
    trust: &Trust,
    phones: Vec<Phone>,
    edit: usize,
    label: &str,
) -> (Vec<Phone>, Vec<Outcome>, f64) {
    let barrier = Arc::new(Barrier::new(phones.len() + 1));
    let handles: Vec<_> = phones
        .into_iter()
        .map(|mut p| {
            let (url, trust, barrier, label) =
                (url.to_string(), trust.clone(), barrier.clone(), label.to_string());
            std::thread::spawn(move || {
                let who = Signature::now(PersonName::parse("Juana Condori").expect("valid"));
                for (k, id) in p.own.clone().iter().take(edit).enumerate() {
                    let _ = p.store.update(*id, &who, "household.edit", |h| {
                        let mut info = h.info.clone();
                        info.address = ShortText::parse(&format!("{label}: casa {k}, junto al puente"))
                            .map_err(|p| ayllu_model::FieldError::new("address", p))?;
                        h.set_info(info)
                    });
                }
                // Each phone from its own address, as on the post's Wi-Fi (the hub gives one
                // address 32 connections at most).
                let local =
                    std::net::IpAddr::from([127, 0, 1 + (p.index / 250) as u8, 1 + (p.index % 250) as u8]);
                let client = HubClient::new(&url, trust, Some(p.token.clone())).with_local_address(local);
                barrier.wait();
                let mut exchanges = Vec::new();
                let mut last = Instant::now();
                let result = client.sync(&mut p.store, &p.peer, |_| {
                    exchanges.push(last.elapsed());
                    last = Instant::now();
                });
                let error = result.err().map(|e| e.to_string());
                (p, Outcome { exchanges, error })
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    let mut phones = Vec::new();
    let mut outcomes = Vec::new();
    for h in handles {
        let (p, o) = h.join().expect("a phone thread");
        phones.push(p);
        outcomes.push(o);
    }
    (phones, outcomes, started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve(Path::new(args.get(i + 1).context("--serve DIR")?));
    }
    let (n, households, edits) = (arg("--phones", 40), arg("--households", 50), arg("--edits", 5));
    let work = tempfile::tempdir()?;
    let hub_dir = work.path().join("hub");
    std::fs::create_dir_all(&hub_dir)?;
    // The hub's store and identity exist before it serves: made here, then the phones.
    drop(Hub::new(Store::open(&hub_dir.join("hub.sqlite3"))?)?);
    let phones = phones(&hub_dir, n, households)?;

    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve")
        .arg(&hub_dir)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("hub stdout")?).read_line(&mut line)?;
    let (addr, fingerprint) = line
        .trim()
        .split_once(' ')
        .context("the hub's address and certificate")?;
    let trust = Trust::Pinned(Fingerprint::parse_hex(fingerprint).context("fingerprint")?);
    let url = format!("https://{addr}");

    let (phones, first, first_secs) = round(&url, &trust, phones, 0, "first");
    let (phones, second, second_secs) = round(&url, &trust, phones, edits, "edit");
    let rss = peak_rss_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();

    // Everything accounted for: the hub has exactly every household, as each phone has it;
    // each phone exactly its own community.
    let hub = Store::open(&hub_dir.join("hub.sqlite3"))?;
    let at_hub: BTreeSet<HouseholdId> = hub.household_ids()?.into_iter().collect();
    let saved: BTreeSet<HouseholdId> = phones.iter().flat_map(|p| p.own.iter().copied()).collect();
    let mut misplaced = 0usize;
    for p in &phones {
        let mine: BTreeSet<HouseholdId> = p.store.household_ids()?.into_iter().collect();
        if mine != p.own {
            misplaced += 1;
        }
        for id in &p.own {
            if hub.household(*id)? != p.store.household(*id)? {
                misplaced += 1;
            }
        }
    }

    let errors: Vec<&String> = first
        .iter()
        .chain(&second)
        .filter_map(|o| o.error.as_ref())
        .collect();
    println!(
        "| phones | households | phase | wall time | requests | requests/s | p50 | p99 | max | errors |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for (phase, outcomes, secs) in [
        ("first sync, all at once", &first, first_secs),
        ("edit 5 each, sync again", &second, second_secs),
    ] {
        let mut lat: Vec<f64> = outcomes
            .iter()
            .flat_map(|o| o.exchanges.iter().map(|d| d.as_secs_f64() * 1000.0))
            .collect();
        lat.sort_by(f64::total_cmp);
        let phase_errors = outcomes.iter().filter(|o| o.error.is_some()).count();
        println!(
            "| {n} | {} | {phase} | {secs:.2} s | {} | {:.0} | {:.0} ms | {:.0} ms | {:.0} ms | {phase_errors} |",
            n * households,
            lat.len(),
            lat.len() as f64 / secs.max(1e-6),
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0),
        );
    }
    println!(
        "\nhub peak RSS {:.0} MB; hub holds {} of {} households saved; phones or households out of place: {misplaced}",
        rss as f64 / 1024.0,
        at_hub.len(),
        saved.len()
    );
    if let Some(e) = errors.first() {
        bail!("{} syncs failed, the first: {e}", errors.len());
    }
    ensure!(
        at_hub == saved,
        "the hub holds {} households, {} were saved",
        at_hub.len(),
        saved.len()
    );
    ensure!(misplaced == 0, "{misplaced} phones or households out of place");
    Ok(())
}
