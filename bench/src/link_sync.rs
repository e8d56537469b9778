//! One phone and the hub over a shaped link (`bench/link.sh` makes the link between two
//! network namespaces and runs each step of this binary in the right one):
//!   link-sync prepare WORK N        a hub (empty), phone A (N households), phone B (empty),
//!                                   both enrolled; run outside the namespaces
//!   link-sync serve WORK ADDR       the hub, over HTTPS on ADDR (in the hub's namespace);
//!                                   prints its certificate's fingerprint
//!   link-sync STEP WORK URL FP      in the phone's namespace: `upload` (A sends everything),
//!                                   `pull` (B receives everything), `edit` (A changes 10
//!                                   households and syncs), `verify` (B syncs; A, B and the
//!                                   hub hold exactly A's households, as A has them)
//! A sync cut by the link is tried again (as the app's background sync does) until it
//! completes; each step prints `{step, seconds, tries, exchanges}` as JSON.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use ayllu_hub::{Hub, admin};
use ayllu_model::{HouseholdId, PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::HubClient;
use ayllu_sync::tls::{Fingerprint, Trust};

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").expect("valid"))
}

fn store(work: &Path, name: &str) -> anyhow::Result<Store> {
    Ok(Store::open(&work.join(format!("{name}.sqlite3")))?)
}

fn prepare(work: &Path, n: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(work)?;
    let mut hub = store(work, "hub")?;
    drop(Hub::new(store(work, "hub")?)?);
    let community = ShortText::parse("Ccorca")?;
    let mut tokens = serde_json::Map::new();
    for name in ["a", "b"] {
        let phone = store(work, name)?;
        let code = admin::enroll(
            &hub,
            &PersonName::parse("Juana Condori")?,
            &admin::Communities::Only(vec![community.clone()]),
            admin::Role::Promotor,
            chrono::Duration::days(1),
        )?;
        let (token, _) = admin::redeem(
            &mut hub,
            &code,
            &phone.actor().to_hex_string(),
            &phone.public_key_hex(),
            name,
        )?;
        tokens.insert(name.into(), token.into());
    }
    tokens.insert("peer".into(), format!("hub:{}", admin::hub_id(&hub)?).into());
    std::fs::write(work.join("tokens.json"), serde_json::to_vec(&tokens)?)?;
    let mut a = store(work, "a")?;
    let mut census = ayllu_synth::Census::new(2026, chrono::Local::now().date_naive());
    let mut docs = Vec::new();
    for _ in 0..n {
        let mut h = census.household();
        h.info.community = community.clone();
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
        ayllu_hub::run(listener, hub, std::future::pending()).await?;
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
        let client = HubClient::new(url, trust.clone(), Some(token.clone())).with_budget(64 * 1024);
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
                           "tries": tries, "exchanges": exchanges})
    );
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
        name => step(name, Path::new(arg(1)?), arg(2)?, arg(3)?),
    }
}
