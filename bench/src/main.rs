//! `bash bench/run.sh` — Ayllu's sync against the stack community-health deployments use
//! today (PouchDB ↔ express-pouchdb), on the same fixed-seed census of 2,000 households,
//! with bytes counted by the same TCP proxy for both. Prints a Markdown table.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ayllu_hub::admin;
use ayllu_hub_server::Hub;
use ayllu_model::{Household, HouseholdId, PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::HubClient;
use ayllu_sync::tls::Trust;
use ayllu_synth::Census;

/// Bytes and requests through the proxy since the last `take`.
#[derive(Default)]
struct Counters {
    up: AtomicU64,
    down: AtomicU64,
    requests: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
struct Measure {
    up: u64,
    down: u64,
    requests: u64,
    seconds: f64,
}

impl Counters {
    fn take(&self, seconds: f64) -> Measure {
        Measure {
            up: self.up.swap(0, Ordering::SeqCst),
            down: self.down.swap(0, Ordering::SeqCst),
            requests: self.requests.swap(0, Ordering::SeqCst),
            seconds,
        }
    }
}

/// Counts HTTP/1.1 request lines in the client's stream (both stacks speak HTTP/1.1).
/// `carry` holds the unfinished last line between reads.
fn count_requests(carry: &mut Vec<u8>, chunk: &[u8]) -> u64 {
    let mut n = 0;
    for &b in chunk {
        if b == b'\n' {
            let line = &carry[..];
            // A body without a trailing newline runs into the next request line: look at
            // the line's end, where "METHOD /path HTTP/1.1" sits.
            let tail = &line[line.len().saturating_sub(2048)..];
            if tail.ends_with(b" HTTP/1.1\r")
                && ["GET /", "POST /", "PUT /", "DELETE /", "HEAD /", "OPTIONS /"]
                    .iter()
                    .any(|m| tail.windows(m.len()).any(|w| w == m.as_bytes()))
            {
                n += 1;
            }
            carry.clear();
        } else {
            if carry.len() >= 4096 {
                // A body without newlines: keep only its tail, where a request line may follow.
                carry.drain(..2048);
            }
            carry.push(b);
        }
    }
    n
}

/// A loopback TCP proxy to `target`, counting bytes each way and HTTP requests.
fn proxy(target: std::net::SocketAddr, counters: Arc<Counters>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(target) else {
                continue;
            };
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (k1, k2) = (counters.clone(), counters.clone());
            std::thread::spawn(move || pump(client, server, true, k1));
            std::thread::spawn(move || pump(s2, c2, false, k2));
        }
    });
    Ok(addr.to_string())
}

fn pump(mut from: TcpStream, mut to: TcpStream, upstream: bool, counters: Arc<Counters>) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut window = Vec::new();
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if upstream {
            counters.up.fetch_add(n as u64, Ordering::SeqCst);
            let r = count_requests(&mut window, &buf[..n]);
            counters.requests.fetch_add(r, Ordering::SeqCst);
        } else {
            counters.down.fetch_add(n as u64, Ordering::SeqCst);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").expect("valid name"))
}

/// The edit made to each of the ten households, on both stacks.
fn edit(h: &mut Household, i: usize) {
    h.info.address = ShortText::parse(&format!("Casa {i}, pasando el puente")).expect("valid");
    h.info.housing.electricity = Some(!h.info.housing.electricity.unwrap_or(false));
}

fn as_couch_doc(id: HouseholdId, h: &Household) -> serde_json::Value {
    let mut v = serde_json::to_value(h).expect("households serialise");
    v["_id"] = serde_json::json!(id.to_string());
    v
}

fn kb(b: u64) -> String {
    format!("{:.1} KB", b as f64 / 1000.0)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or(default.into())
    };
    let n: usize = arg("--households", "2000").parse()?;
    let seed: u64 = arg("--seed", "2026").parse()?;
    let peer_dir = PathBuf::from(arg("--peer", "bench/peer"));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let work = tempfile::tempdir()?;

    // The census, and the same households as JSON for the peer.
    let mut census = Census::new(seed, today);
    let households: Vec<(HouseholdId, Household)> = (0..n)
        .map(|_| (census.household(), census.household_id()))
        .map(|(h, id)| (id, h))
        .collect();
    let edited: Vec<(HouseholdId, Household)> = households
        .iter()
        .step_by(n / 10)
        .take(10)
        .enumerate()
        .map(|(i, (id, h))| {
            let mut h = h.clone();
            edit(&mut h, i);
            (*id, h)
        })
        .collect();
    let docs: Vec<serde_json::Value> = households.iter().map(|(id, h)| as_couch_doc(*id, h)).collect();
    let json_stream = serde_json::to_vec(&docs)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json_stream)?;
    let floor = gz.finish()?.len() as u64;
    let households_file = work.path().join("households.json");
    std::fs::write(&households_file, &json_stream)?;
    let edits_file = work.path().join("edits.json");
    let edit_docs: Vec<serde_json::Value> = edited.iter().map(|(id, h)| as_couch_doc(*id, h)).collect();
    std::fs::write(&edits_file, serde_json::to_vec(&edit_docs)?)?;

    // Against the peer's plain HTTP, Ayllu's plain HTTP: the same footing.
    let ayllu = run_ayllu(work.path(), &households, &edited, false)?;
    let ayllu_tls = run_ayllu(work.path(), &households, &edited, true)?;
    let peer = run_peer(&peer_dir, &households_file, &edits_file)?;

    println!(
        "\nCensus: {n} households (seed {seed}); JSON {} ; gzip of the JSON stream (the floor) {}\n",
        kb(json_stream.len() as u64),
        kb(floor)
    );
    println!(
        "| scenario | stack | bytes up | bytes down | total | requests | wall time | vs peer (bytes, requests) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, a, p) in [
        ("initial upload", ayllu[0], peer[0]),
        ("fresh device pulls everything", ayllu[1], peer[1]),
        ("10 edited households", ayllu[2], peer[2]),
    ] {
        let (ta, tp) = (a.up + a.down, p.up + p.down);
        println!(
            "| {name} | Ayllu | {} | {} | {} | {} | {:.2} s | {:.2}× bytes, {:.1}× fewer requests |",
            kb(a.up),
            kb(a.down),
            kb(ta),
            a.requests,
            a.seconds,
            ta as f64 / tp as f64,
            p.requests as f64 / a.requests.max(1) as f64
        );
        println!(
            "| | PouchDB | {} | {} | {} | {} | {:.2} s | |",
            kb(p.up),
            kb(p.down),
            kb(tp),
            p.requests,
            p.seconds
        );
    }
    let up = ayllu[0].up + ayllu[0].down;
    let pull = ayllu[1].up + ayllu[1].down;
    println!(
        "\nAyllu / gzip floor: upload {:.3}×, fresh pull {:.3}×; wall time / peer's: upload {:.2}×, fresh pull {:.2}×",
        up as f64 / floor as f64,
        pull as f64 / floor as f64,
        ayllu[0].seconds / peer[0].seconds,
        ayllu[1].seconds / peer[1].seconds
    );
    println!(
        "Targets: upload and pull ≤ 1.0× floor: {}; upload and pull no slower than the peer: {}; upload ≥ 10× fewer requests: {}; fresh pull ≤ peer bytes: {}; fresh pull ≥ 10× fewer requests: {}; 10 edits ≤ 2 requests and < 4 KB: {}",
        ok(up <= floor && pull <= floor),
        ok(ayllu[0].seconds <= peer[0].seconds && ayllu[1].seconds <= peer[1].seconds),
        ok(peer[0].requests >= 10 * ayllu[0].requests),
        ok(ayllu[1].up + ayllu[1].down <= peer[1].up + peer[1].down),
        ok(peer[1].requests >= 10 * ayllu[1].requests),
        ok(ayllu[2].requests <= 2 && ayllu[2].up + ayllu[2].down < 4000),
    );
    println!("\nAyllu over HTTPS (pinned certificate, TLS 1.3) against plain HTTP, same census:\n");
    println!(
        "| scenario | HTTPS bytes | HTTP bytes | bytes ratio | HTTPS time | HTTP time | time ratio | HTTPS throughput |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, t, p) in [
        ("initial upload", ayllu_tls[0], ayllu[0]),
        ("fresh device pulls everything", ayllu_tls[1], ayllu[1]),
        ("10 edited households", ayllu_tls[2], ayllu[2]),
    ] {
        let (bt, bp) = (t.up + t.down, p.up + p.down);
        println!(
            "| {name} | {} | {} | {:.3}× | {:.2} s | {:.2} s | {:.2}× | {:.0} KB/s |",
            kb(bt),
            kb(bp),
            bt as f64 / bp as f64,
            t.seconds,
            p.seconds,
            t.seconds / p.seconds.max(1e-6),
            bt as f64 / 1000.0 / t.seconds.max(1e-6)
        );
    }
    Ok(())
}

fn ok(b: bool) -> &'static str {
    if b { "met" } else { "MISSED" }
}

/// Ayllu's three scenarios, over HTTPS with the pinned certificate (as phones sync) or
/// over plain HTTP (`--insecure-http`, the same protocol without TLS).
fn run_ayllu(
    work: &Path,
    households: &[(HouseholdId, Household)],
    edited: &[(HouseholdId, Household)],
    tls: bool,
) -> anyhow::Result<[Measure; 3]> {
    let work = work.join(if tls { "ayllu-tls" } else { "ayllu-plain" });
    std::fs::create_dir_all(&work)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let hub = Arc::new(Hub::new(Store::open(&work.join("hub.sqlite3"))?)?);
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let hub_addr = listener.local_addr()?;
    let (scheme, trust) = if tls {
        runtime.spawn(ayllu_hub_server::run(
            listener,
            hub.clone(),
            std::future::pending(),
        ));
        ("https", Trust::Pinned(hub.fingerprint()))
    } else {
        runtime.spawn(ayllu_hub_server::run_insecure_http(
            listener,
            hub.clone(),
            std::future::pending(),
        ));
        ("http", Trust::InsecureHttp)
    };
    let counters = Arc::new(Counters::default());
    let via_proxy = format!("{scheme}://{}", proxy(hub_addr, counters.clone())?);
    let direct = format!("{scheme}://{hub_addr}");
    // Over TLS the proxy cannot read request lines: the client counts its exchanges.
    let measure = |progress: ayllu_sync::Progress, t: Instant| {
        let mut m = counters.take(t.elapsed().as_secs_f64());
        if tls {
            m.requests = progress.exchanges as u64;
        }
        m
    };

    let enroll = |name: &str, store: &Store| -> anyhow::Result<(String, String)> {
        let code = hub.with_store(|s| {
            admin::enroll(
                s,
                &PersonName::parse("Juana Condori").expect("valid"),
                &admin::Communities::All,
                admin::Role::Promotor,
                chrono::Duration::days(1),
            )
        })?;
        let e = HubClient::new(&direct, trust.clone(), None).enroll(&code, store, name)?;
        Ok((e.token, format!("hub:{}", e.hub_id)))
    };

    let mut phone = Store::open(&work.join("phone.sqlite3"))?;
    for (id, h) in households {
        phone.insert_household(*id, h, &who())?;
    }
    let (token, peer) = enroll("phone", &phone)?;
    let client = HubClient::new(&via_proxy, trust.clone(), Some(token));

    counters.take(0.0);
    let t = Instant::now();
    let upload = measure(client.sync(&mut phone, &peer, |_| {})?, t);

    let mut fresh = Store::open(&work.join("fresh.sqlite3"))?;
    let (token2, peer2) = enroll("fresh", &fresh)?;
    counters.take(0.0);
    let t = Instant::now();
    let progress =
        HubClient::new(&via_proxy, trust.clone(), Some(token2)).sync(&mut fresh, &peer2, |_| {})?;
    let pull = measure(progress, t);
    if fresh.household_ids()?.len() != households.len() {
        bail!("the fresh device did not receive every household");
    }

    for (id, h) in edited {
        phone.update(*id, &who(), "household.edit", |current| {
            current.set_info(h.info.clone())
        })?;
    }
    counters.take(0.0);
    let t = Instant::now();
    let edits = measure(client.sync(&mut phone, &peer, |_| {})?, t);
    Ok([upload, pull, edits])
}

fn run_peer(dir: &Path, households: &Path, edits: &Path) -> anyhow::Result<[Measure; 3]> {
    let mut server = Command::new("node")
        .arg(dir.join("server.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting node (is Node.js installed? run bench/run.sh)")?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().context("server stdout")?).read_line(&mut line)?;
    let port: u16 = line
        .trim()
        .strip_prefix("port ")
        .context("server port")?
        .parse()?;
    let counters = Arc::new(Counters::default());
    let url = format!(
        "http://{}",
        proxy(([127, 0, 0, 1], port).into(), counters.clone())?
    );

    let mut client = Command::new("node")
        .arg(dir.join("client.js"))
        .arg(&url)
        .arg(households)
        .arg(edits)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut to_client = client.stdin.take().context("client stdin")?;
    let mut from_client = BufReader::new(client.stdout.take().context("client stdout")?);
    // The client loads its local database, then waits.
    writeln!(to_client)?;
    let mut out = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        from_client.read_line(&mut line)?;
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("peer said {line:?}"))?;
        std::thread::sleep(Duration::from_millis(200)); // let the proxy finish counting
        out.push(counters.take(v["ms"].as_f64().unwrap_or(0.0) / 1000.0));
        writeln!(to_client)?;
    }
    client.wait()?;
    drop(server.stdin.take());
    server.wait()?;
    Ok([out[0], out[1], out[2]])
}
