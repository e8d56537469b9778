//! Phones syncing beside idle connections: does a stranger holding connections open slow
//! the health post's phones down? 20 phones (each its own store and community, 50
//! households) make their first sync all at once on a quiet hub; then 20 other phones do
//! the same while 200 idle connections (from 10 other addresses, 20 each, re-opened as
//! the hub closes them) are held open. Prints each phase's sync times and the ratio.
//!   cargo run --release -p ayllu-bench --bin hub-load [-- --phones N --idle N]

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use ayllu_hub::admin;
use ayllu_hub_server::Hub;
use ayllu_model::{PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::HubClient;
use ayllu_sync::tls::Trust;

struct Phone {
    store: Store,
    token: String,
    peer: String,
    _dir: tempfile::TempDir,
}

fn phones(hub: &Hub, n: usize, first: usize, households: usize) -> anyhow::Result<Vec<Phone>> {
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let today = chrono::Local::now().date_naive();
    (first..first + n)
        .map(|i| {
            let dir = tempfile::tempdir()?;
            let mut store = Store::open(&dir.path().join("phone.sqlite3"))?;
            let community = ShortText::parse(&format!("Comunidad {i}"))?;
            let code = hub.with_store(|s| {
                admin::enroll(
                    s,
                    &PersonName::parse("Juana Condori").expect("valid"),
                    &admin::Communities::Only(vec![community.clone()]),
                    admin::Role::Promotor,
                    chrono::Duration::days(1),
                )
            })?;
            // Staff enroll phones one at a time, each from its own address; here the bench
            // redeems the codes directly (enrollment is rate-limited per address).
            let (token, _) = hub.with_store(|s| admin::redeem_in_process(s, &code, &store, "celular"))?;
            let mut census = ayllu_synth::Census::new(i as u64, today);
            for _ in 0..households {
                let mut h = census.household();
                h.info.community = community.clone();
                store.insert_household(census.household_id(), &h, &who)?;
            }
            Ok(Phone {
                store,
                token,
                peer: format!("hub:{}", hub.id()),
                _dir: dir,
            })
        })
        .collect()
}

/// Every phone syncs at once; each one's time, sorted.
fn sync_all(url: &str, trust: &Trust, phones: Vec<Phone>) -> anyhow::Result<Vec<f64>> {
    let handles: Vec<_> = phones
        .into_iter()
        .map(|mut p| {
            let (url, trust) = (url.to_string(), trust.clone());
            std::thread::spawn(move || -> anyhow::Result<f64> {
                let t = Instant::now();
                HubClient::new(&url, trust, Some(p.token.clone())).sync(&mut p.store, &p.peer, |_| {})?;
                anyhow::ensure!(p.store.sync_refusals(&p.peer)?.is_empty(), "refusals");
                anyhow::ensure!(p.store.waiting_for(&p.peer)? == 0, "households left waiting");
                Ok(t.elapsed().as_secs_f64())
            })
        })
        .collect();
    let mut times = handles
        .into_iter()
        .map(|h| h.join().expect("phone thread"))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// Holds `n` idle connections from 10 loopback addresses until `stop`, re-opening those
/// the hub closes.
fn hold_idle(target: SocketAddr, n: usize, stop: Arc<AtomicBool>) {
    for a in 0..10 {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let local: SocketAddr = format!("127.0.1.{}:0", a + 10).parse().expect("address");
            let mut held: Vec<TcpStream> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                held.retain(|s| {
                    let mut b = [0u8; 1];
                    s.set_nonblocking(true).ok();
                    matches!(std::io::Read::read(&mut &*s, &mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
                });
                while held.len() < n / 10 {
                    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
                        .expect("socket");
                    if socket.bind(&local.into()).is_err() || socket.connect(&target.into()).is_err() {
                        break;
                    }
                    held.push(socket.into());
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let (n, idle, households) = (arg("--phones", 20), arg("--idle", 200), arg("--households", 50));
    let work = tempfile::tempdir()?;
    let hub = Arc::new(Hub::new(Store::open(&work.path().join("hub.sqlite3"))?)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let target = listener.local_addr()?;
    let url = format!("https://{target}");
    let trust = Trust::Pinned(hub.fingerprint());
    runtime.spawn(ayllu_hub_server::run(
        listener,
        hub.clone(),
        std::future::pending(),
    ));

    let quiet_phones = phones(&hub, n, 0, households).context("quiet phones")?;
    let loaded_phones = phones(&hub, n, n, households).context("loaded phones")?;
    let quiet = sync_all(&url, &trust, quiet_phones)?;

    let stop = Arc::new(AtomicBool::new(false));
    hold_idle(target, idle, stop.clone());
    std::thread::sleep(Duration::from_secs(1));
    let loaded = sync_all(&url, &trust, loaded_phones)?;
    stop.store(true, Ordering::Relaxed);

    let median = |t: &[f64]| t[t.len() / 2];
    let max = |t: &[f64]| t[t.len() - 1];
    let ratio = median(&loaded) / median(&quiet);
    println!(
        "{n} phones × {households} households, first sync all at once: quiet median {:.2} s (max {:.2} s); \
         beside {idle} idle connections median {:.2} s (max {:.2} s); ratio {ratio:.2} (target ≤ 2.0)",
        median(&quiet),
        max(&quiet),
        median(&loaded),
        max(&loaded)
    );
    let held = hub.with_store(|s| s.household_ids().map(|ids| ids.len()))?;
    anyhow::ensure!(held == 2 * n * households, "the hub holds {held} households");
    anyhow::ensure!(ratio <= 2.0, "phones were slowed down {ratio:.2}×");
    Ok(())
}
