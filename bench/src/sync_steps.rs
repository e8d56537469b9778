//! In-process sync without a network: the CPU a first upload and a fresh pull cost the hub
//! and the phone, step by step. For profiling (`perf record`); the comparison with the peer
//! is `sync-bench`.
use std::time::Instant;

use ayllu_model::{HouseholdId, PersonName, Scope};
use ayllu_store::{Signature, Store};
use ayllu_sync::{DeviceSession, Sender, serve, wire};
use ayllu_synth::Census;

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").expect("valid"))
}

/// CPU seconds this process has used (every thread, finished ones too), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name (in parentheses, which may hold spaces): utime is the 12th
    // field, stime the 13th, in clock ticks (100 a second here).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn sync(phone: &mut Store, hub: &mut Store, peer_name: &str) -> anyhow::Result<(f64, f64, usize, usize)> {
    let actor = phone.actor().clone();
    let scope = Scope::All;
    let sender = Sender {
        peer: peer_name,
        scope: &scope,
        actor: Some(&actor),
    };
    let mut session = DeviceSession::new("hub");
    let (mut phone_s, mut hub_s, mut up, mut down) = (0.0, 0.0, 0, 0);
    let (mut phone_cpu, mut hub_cpu) = (0.0, 0.0);
    loop {
        let t = Instant::now();
        let c = cpu_seconds();
        let Some(request) = session.next_request(phone)? else {
            break;
        };
        // As a phone on a fast link compresses (loopback, `sync-bench`).
        let body = wire::encode_with(
            wire::Version::CURRENT,
            wire::Kind::Request,
            wire::Effort::Quick,
            &request,
        );
        phone_s += t.elapsed().as_secs_f64();
        phone_cpu += cpu_seconds() - c;
        up += body.len();
        let t = Instant::now();
        let c = cpu_seconds();
        let request = wire::decode(wire::Kind::Request, &body)?;
        let response = serve(hub, &sender, request)?;
        let body = wire::encode(wire::Kind::Response, &response);
        hub_s += t.elapsed().as_secs_f64();
        hub_cpu += cpu_seconds() - c;
        down += body.len();
        let t = Instant::now();
        let c = cpu_seconds();
        let response = wire::decode(wire::Kind::Response, &body)?;
        session.receive(phone, response)?;
        phone_s += t.elapsed().as_secs_f64();
        phone_cpu += cpu_seconds() - c;
    }
    println!(
        "  CPU: phone {phone_cpu:.2} s ({:.2} cores), hub {hub_cpu:.2} s ({:.2} cores)",
        phone_cpu / phone_s,
        hub_cpu / hub_s
    );
    Ok((phone_s, hub_s, up, down))
}

/// The store's write-ahead log as it stands (what is yet to be checkpointed, or its high
/// water mark: SQLite reuses the file).
fn wal_kb(db: &std::path::Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |m| m.len() / 1000)
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(2000);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let mut census = Census::new(2026, today);
    let households: Vec<(HouseholdId, ayllu_model::Household)> = (0..n)
        .map(|_| {
            let h = census.household();
            (census.household_id(), h)
        })
        .collect();
    let dir = tempfile::tempdir()?;
    let mut phone = Store::open(&dir.path().join("phone.sqlite3"))?;
    let t = Instant::now();
    for (id, h) in &households {
        phone.insert_household(*id, h, &who())?;
    }
    println!("phone records {n} households: {:.2} s", t.elapsed().as_secs_f64());
    let mut hub = Store::open(&dir.path().join("hub.sqlite3"))?;
    let (p, h, up, down) = sync(&mut phone, &mut hub, "phone")?;
    println!(
        "upload: phone {p:.2} s, hub {h:.2} s, {} KB up, {} KB down (hub WAL {} KB, phone WAL {} KB)",
        up / 1000,
        down / 1000,
        wal_kb(&dir.path().join("hub.sqlite3")),
        wal_kb(&dir.path().join("phone.sqlite3")),
    );
    let mut fresh = Store::open(&dir.path().join("fresh.sqlite3"))?;
    let (p, h, up, down) = sync(&mut fresh, &mut hub, "fresh")?;
    println!(
        "fresh pull: phone {p:.2} s, hub {h:.2} s, {} KB up, {} KB down",
        up / 1000,
        down / 1000
    );
    anyhow::ensure!(
        fresh.household_ids()?.len() == n,
        "the fresh phone lacks households"
    );
    for (name, store) in [("hub", &hub), ("phone", &fresh)] {
        let space = store.space_by_table()?;
        let total: i64 = space.iter().map(|(_, b)| b).sum();
        println!("{name}: {:.1} KB per household", total as f64 / n as f64 / 1000.0);
        for (table, bytes) in space.iter().take(12) {
            println!("  {table:40} {:8.0} B per household", *bytes as f64 / n as f64);
        }
    }
    Ok(())
}
