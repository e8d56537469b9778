//! One phone and the hub over a shaped link (`bench/link.sh` makes the link between two
//! network namespaces and runs each step of this binary in the right one):
//!   link-sync prepare WORK N        a hub (empty), phone A (N households: a quarter, at most
//!                                   500, in Huayllay, the rest in Ccorca), phone B (empty,
//!                                   both communities), phone C (empty, Huayllay only), all
//!                                   enrolled; run outside the namespaces
//!   link-sync serve WORK ADDR       the hub, over HTTPS on ADDR (in the hub's namespace);
//!                                   prints its certificate's fingerprint
//!   link-sync relay LISTEN TARGET MS
//!                                   a TCP relay that holds every byte MS milliseconds in
//!                                   each direction before passing it on (the link's
//!                                   latency: this kernel has no netem); in the hub's namespace
//!   link-sync close WORK            opens and closes every store (folding in its WAL)
//!   link-sync STEP WORK URL FP      in the phone's namespace: `upload` (A sends everything),
//!                                   `pull` (B receives everything), `scoped` (C receives its
//!                                   community's part, and exactly that), `edit` (A changes
//!                                   10 households and syncs), `verify` (B syncs; A, B and
//!                                   the hub hold exactly A's households, as A has them)
//! A sync cut by the link is tried again (as the app's background sync does) until it
//! completes; each step prints `{step, seconds, tries, exchanges, peak_rss_kb}` as JSON.
//! Requests carry 64 KB of messages (less to send again after a cut), or
//! `AYLLU_BENCH_BUDGET` bytes.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use ayllu_hub::admin;
use ayllu_hub_server::Hub;
use ayllu_model::{HouseholdId, PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::HubClient;
use ayllu_sync::tls::{Fingerprint, Trust};

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").expect("valid"))
}

/// The community phone C is enrolled for.
const SCOPED: &str = "Huayllay";

fn store(work: &Path, name: &str) -> anyhow::Result<Store> {
    Ok(Store::open(&work.join(format!("{name}.sqlite3")))?)
}

fn prepare(work: &Path, n: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(work)?;
    let mut hub = store(work, "hub")?;
    drop(Hub::new(store(work, "hub")?)?);
    let community = ShortText::parse("Ccorca")?;
    let scoped = ShortText::parse(SCOPED)?;
    let mut tokens = serde_json::Map::new();
    for name in ["a", "b", "c"] {
        let phone = store(work, name)?;
        let communities = if name == "c" {
            vec![scoped.clone()]
        } else {
            vec![community.clone(), scoped.clone()]
        };
        let code = admin::enroll(
            &hub,
            &PersonName::parse("Juana Condori")?,
            &admin::Communities::Only(communities),
            admin::Role::Promotor,
            chrono::Duration::days(1),
        )?;
        let (token, _) = admin::redeem_in_process(&mut hub, &code, &phone, name)?;
        tokens.insert(name.into(), token.into());
    }
    tokens.insert("peer".into(), format!("hub:{}", admin::hub_id(&hub)?).into());
    std::fs::write(work.join("tokens.json"), serde_json::to_vec(&tokens)?)?;
    let mut a = store(work, "a")?;
    let mut census = ayllu_synth::Census::new(2026, chrono::Local::now().date_naive());
    let mut docs = Vec::new();
    let in_scoped = (n / 4).min(500);
    for i in 0..n {
        let mut h = census.household();
        h.info.community = if i < in_scoped {
            scoped.clone()
        } else {
            community.clone()
        };
        let id = census.household_id();
        a.insert_household(id, &h, &who())?;
        docs.push((id, h));
    }
    // The same census for the peer stack (one JSON document each), and the same 10 edits
    // the `edit` step makes (the first 10 households by id).
    let couch = |id: HouseholdId, h: &ayllu_model::Household| -> anyhow::Result<serde_json::Value> {
        let mut v = serde_json::to_value(h)?;
        v["_id"] = serde_json::json!(id.to_string());
        Ok(v)
    };
    let all: Vec<serde_json::Value> = docs
        .iter()
        .map(|(id, h)| couch(*id, h))
        .collect::<Result<_, _>>()?;
    std::fs::write(work.join("households.json"), serde_json::to_vec(&all)?)?;
    docs.sort_by_key(|(id, _)| *id);
    let edits: Vec<serde_json::Value> = docs
        .iter_mut()
        .take(10)
        .enumerate()
        .map(|(k, (id, h))| {
            h.info.address = ShortText::parse(&format!("Casa {k}, pasando el puente")).expect("valid");
            couch(*id, h)
        })
        .collect::<Result<_, _>>()?;
    std::fs::write(work.join("edits.json"), serde_json::to_vec(&edits)?)?;
    Ok(())
}

fn serve(work: &Path, listen: &str) -> anyhow::Result<()> {
    let hub = Arc::new(Hub::new(store(work, "hub")?)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        println!("{}", hub.fingerprint().to_hex());
        ayllu_hub_server::run(listener, hub, std::future::pending()).await?;
        Ok(())
    })
}

/// Syncs `phone` until a sync completes (a cut link is tried again after a short wait, as
/// the app's background sync does); its tries and exchanges.
fn sync_until_done(work: &Path, phone: &str, url: &str, trust: &Trust) -> anyhow::Result<(u32, u32)> {
    let tokens: serde_json::Value = serde_json::from_slice(&std::fs::read(work.join("tokens.json"))?)?;
    let token = tokens[phone].as_str().context("token")?.to_string();
    let peer = tokens["peer"].as_str().context("peer")?.to_string();
    let mut store = store(work, phone)?;
    let (mut tries, mut exchanges) = (0u32, 0u32);
    loop {
        tries += 1;
        // A smaller budget on a poor link: less to send again after a cut.
        let budget = std::env::var("AYLLU_BENCH_BUDGET")
            .ok()
            .and_then(|b| b.parse().ok())
            .unwrap_or(64 * 1024);
        let client = HubClient::new(url, trust.clone(), Some(token.clone())).with_budget(budget);
        match client.sync(&mut store, &peer, |p| exchanges = exchanges.max(p.exchanges)) {
            Ok(p) => return Ok((tries, exchanges.max(p.exchanges))),
            Err(e) if e.is_transient() && tries < 200 => {
                eprintln!("{phone}: try {tries} cut: {e}");
                std::thread::sleep(Duration::from_secs(2));
            }
            Err(e) => bail!("{phone}: {e}"),
        }
    }
}

fn ids(store: &Store) -> anyhow::Result<BTreeSet<HouseholdId>> {
    Ok(store.household_ids()?.into_iter().collect())
}

fn step(name: &str, work: &Path, url: &str, fingerprint: &str) -> anyhow::Result<()> {
    let trust = Trust::Pinned(Fingerprint::parse_hex(fingerprint).context("fingerprint")?);
    let started = Instant::now();
    let (tries, exchanges) = match name {
        "upload" => sync_until_done(work, "a", url, &trust)?,
        "pull" => sync_until_done(work, "b", url, &trust)?,
        "scoped" => {
            let done = sync_until_done(work, "c", url, &trust)?;
            let (a, c) = (store(work, "a")?, store(work, "c")?);
            let mut part = BTreeSet::new();
            for id in ids(&a)? {
                if a.household(id)?
                    .is_some_and(|h| h.info.community.as_str() == SCOPED)
                {
                    part.insert(id);
                }
            }
            ensure!(!part.is_empty(), "no household in {SCOPED}");
            ensure!(
                ids(&c)? == part,
                "phone C does not hold exactly {SCOPED}'s households"
            );
            done
        }
        "edit" => {
            let mut a = store(work, "a")?;
            for (k, id) in ids(&a)?.into_iter().take(10).enumerate() {
                a.update(id, &who(), "household.edit", |h| {
                    let mut info = h.info.clone();
                    info.address = ShortText::parse(&format!("Casa {k}, pasando el puente"))
                        .map_err(|p| ayllu_model::FieldError::new("address", p))?;
                    h.set_info(info)
                })?;
            }
            drop(a);
            sync_until_done(work, "a", url, &trust)?
        }
        "verify" => {
            let done = sync_until_done(work, "b", url, &trust)?;
            let (a, b) = (store(work, "a")?, store(work, "b")?);
            let hub = store(work, "hub")?;
            let saved = ids(&a)?;
            ensure!(
                ids(&b)? == saved,
                "phone B does not hold exactly phone A's households"
            );
            ensure!(
                ids(&hub)? == saved,
                "the hub does not hold exactly phone A's households"
            );
            for id in &saved {
                ensure!(b.household(*id)? == a.household(*id)?, "{id} differs at phone B");
                ensure!(
                    hub.household(*id)? == a.household(*id)?,
                    "{id} differs at the hub"
                );
            }
            done
        }
        other => bail!("unknown step {other}"),
    };
    println!(
        "{}",
        serde_json::json!({"step": name, "seconds": started.elapsed().as_secs_f64(),
                           "tries": tries, "exchanges": exchanges, "peak_rss_kb": peak_rss_kb()})
    );
    Ok(())
}

/// This process's peak resident memory (Linux: VmHWM), in KB; 0 where unknown.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Bytes from `from` reach `to` `delay` after they arrived, in order, without waiting for
/// each other: a delay line, so the link's rate is kept and only its latency grows.
fn delay_line(mut from: std::net::TcpStream, mut to: std::net::TcpStream, delay: Duration) {
    use std::io::{Read, Write};
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = std::thread::spawn(move || {
        for (due, bytes) in rx {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
            break;
        }
    }
    drop(tx);
    let _ = writer.join();
}

fn relay(listen: &str, target: &str, one_way_ms: u64) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(listen)?;
    let delay = Duration::from_millis(one_way_ms);
    println!("relay {listen} → {target}, {one_way_ms} ms each way");
    for incoming in listener.incoming() {
        let Ok(client) = incoming else { continue };
        let Ok(server) = std::net::TcpStream::connect(target) else {
            continue;
        };
        let _ = (client.set_nodelay(true), server.set_nodelay(true));
        let (c2, s2) = (client.try_clone()?, server.try_clone()?);
        std::thread::spawn(move || delay_line(client, server, delay));
        std::thread::spawn(move || delay_line(s2, c2, delay));
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .map(String::as_str)
            .context("see the usage at the top of bench/src/link_sync.rs")
    };
    match arg(0)? {
        "prepare" => prepare(Path::new(arg(1)?), arg(2)?.parse()?),
        "serve" => serve(Path::new(arg(1)?), arg(2)?),
        "relay" => relay(arg(1)?, arg(2)?, arg(3)?.parse()?),
        "close" => {
            // Opened and closed: closing folds the write-ahead log into the file, so the
            // files' size is the store's.
            for name in ["hub", "a", "b", "c"] {
                drop(store(Path::new(arg(1)?), name)?);
            }
            Ok(())
        }
        name => step(name, Path::new(arg(1)?), arg(2)?, arg(3)?),
    }
}
