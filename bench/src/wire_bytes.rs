//! `wire-bytes [HOUSEHOLDS]`: where the bytes of a first sync go (sync messages, change
//! chunks, saved documents) and what each batch compression (zlib, zstd by level, brotli)
//! makes of them against the gzip floor of the same households as JSON.
use std::io::Write;
use std::time::Instant;

use automerge::sync::{State, SyncDoc};
use ayllu_model::{HouseholdId, PersonName};
use ayllu_store::{Signature, Store};
use ayllu_synth::Census;

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").expect("valid"))
}

fn zlib(b: &[u8], level: u32) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    z.write_all(b).unwrap();
    z.finish().unwrap()
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(2000);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut census = Census::new(2026, today);
    let households: Vec<(HouseholdId, ayllu_model::Household)> = (0..n)
        .map(|_| {
            let h = census.household();
            (census.household_id(), h)
        })
        .collect();
    let json: Vec<serde_json::Value> = households
        .iter()
        .map(|(id, h)| {
            let mut v = serde_json::to_value(h).unwrap();
            v["_id"] = serde_json::Value::String(id.to_string());
            v
        })
        .collect();
    let json = serde_json::to_vec(&json)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)?;
    let floor = gz.finish()?.len();
    println!("JSON {} KB, gzip-6 floor {} KB", json.len() / 1000, floor / 1000);

    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("s.sqlite3"))?;
    for (id, h) in &households {
        store.insert_household(*id, h, &who())?;
    }
    let docs: Vec<automerge::Automerge> = store.replica(|r| -> anyhow::Result<_> {
        Ok(households
            .iter()
            .map(|(id, _)| r.document(*id).unwrap().unwrap())
            .collect())
    })?;
    let mut msgs = Vec::new();
    let mut changes = Vec::new();
    let mut saved = Vec::new();
    let mut nocomp = Vec::new();
    let mut nchanges = 0;
    let mut hashes = 0;
    for d in &docs {
        let mut st = State::new();
        ayllu_sync_prime(&mut st);
        let m = d.generate_sync_message(&mut st).unwrap();
        for c in m.changes.iter() {
            changes.extend_from_slice(c);
            nchanges += 1;
        }
        hashes += m.heads.len();
        msgs.extend_from_slice(&m.encode());
        saved.extend_from_slice(&d.save());
        nocomp.extend_from_slice(&d.save_nocompress());
    }
    println!("changes {nchanges}, heads {hashes}");
    // The request body as the wire carries it today (postcard), then each codec and level.
    let request = ayllu_sync::wire::Request {
        request_id: [0; 16],
        cursor: 0,
        docs: households
            .iter()
            .zip(&docs)
            .map(|((id, _), d)| {
                let mut st = State::new();
                ayllu_sync_prime(&mut st);
                ayllu_sync::wire::DocMessage {
                    household: *id,
                    message: d.generate_sync_message(&mut st).unwrap().encode(),
                }
            })
            .collect(),
    };
    let body = postcard::to_allocvec(&request)?;
    wire_v4(&households, &mut store, floor)?;
    if std::env::var_os("WIRE_V4_ONLY").is_some() {
        return Ok(());
    }
    wire_v3(&households, &docs, floor)?;
    // A dictionary as it would ship: trained on the messages of the first half, tried on a
    // small request (what 10 edits send) and on the whole body.
    let samples: Vec<Vec<u8>> = request.docs[..n / 2].iter().map(|d| d.message.clone()).collect();
    let dict = zstd::dict::from_samples(&samples, 32 * 1024)?;
    let small = postcard::to_allocvec(&ayllu_sync::wire::Request {
        request_id: [0; 16],
        cursor: 0,
        docs: request.docs[n - 10..].to_vec(),
    })?;
    println!("postcard body {} KB", body.len() / 1000);
    for level in [3, 6, 9, 12, 15, 17, 19, 22] {
        for long in [false, true] {
            let t = Instant::now();
            let mut e = zstd::stream::Encoder::new(Vec::new(), level)?;
            if long {
                e.long_distance_matching(true)?;
                e.window_log(23)?;
            }
            e.write_all(&body)?;
            let z = e.finish()?;
            let tc = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let back = zstd::stream::decode_all(&z[..])?;
            assert_eq!(back.len(), body.len());
            println!(
                "zstd {level:2} long {long:5}: {:.3}× floor, compress {tc:.3} s, decompress {:.3} s",
                z.len() as f64 / floor as f64,
                t.elapsed().as_secs_f64()
            );
        }
    }
    for level in [9, 19] {
        let mut with = zstd::bulk::Compressor::with_dictionary(level, &dict)?;
        let mut without = zstd::bulk::Compressor::new(level)?;
        println!(
            "zstd {level} with a 32 KB dictionary: whole body {:.3}× floor (without {:.3}×); 10 households {} B (without {} B)",
            with.compress(&body)?.len() as f64 / floor as f64,
            without.compress(&body)?.len() as f64 / floor as f64,
            with.compress(&small)?.len(),
            without.compress(&small)?.len()
        );
    }
    for (name, b) in [
        ("sync msgs", &msgs),
        ("change chunks", &changes),
        ("save()", &saved),
        ("save_nocompress", &nocomp),
    ] {
        let t = Instant::now();
        let z9 = zlib(b, 9).len();
        let tz = t.elapsed().as_secs_f64();
        print!(
            "{name:16} raw {:6} KB zlib9 {:5} KB ({:.2}× floor, {:.2}s)",
            b.len() / 1000,
            z9 / 1000,
            z9 as f64 / floor as f64,
            tz
        );
        for level in [3, 9, 19] {
            let t = Instant::now();
            let mut e = zstd::stream::Encoder::new(Vec::new(), level)?;
            e.long_distance_matching(true)?;
            e.window_log(24)?;
            e.write_all(b)?;
            let z = e.finish()?.len();
            print!(
                " | zstd{level} {:.2}× {:.2}s",
                z as f64 / floor as f64,
                t.elapsed().as_secs_f64()
            );
        }
        let t = Instant::now();
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 24);
            w.write_all(b)?;
        }
        print!(
            " | brotli11 {:.2}× {:.2}s",
            out.len() as f64 / floor as f64,
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 24);
            w.write_all(b)?;
        }
        println!(
            " | brotli9 {:.2}× {:.2}s",
            out.len() as f64 / floor as f64,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The compact messages of `docs`, as a first sync sends them.
fn compact_messages(ids: &[HouseholdId], docs: &[automerge::Automerge]) -> Vec<ayllu_sync::wire::DocMessage> {
    ids.iter()
        .zip(docs)
        .map(|(id, d)| {
            let mut st = State::new();
            ayllu_sync_prime(&mut st);
            ayllu_sync::wire::DocMessage {
                household: *id,
                message: ayllu_sync::guard::compact::write(&d.generate_sync_message(&mut st).unwrap()),
            }
        })
        .collect()
}

/// Wire v3 as it travels: compact messages in requests of the default budget, each body
/// compressed alone, with and without a dictionary trained on another census.
fn wire_v3(
    households: &[(HouseholdId, ayllu_model::Household)],
    docs: &[automerge::Automerge],
    floor: usize,
) -> anyhow::Result<()> {
    let ids: Vec<HouseholdId> = households.iter().map(|(id, _)| *id).collect();
    let messages = compact_messages(&ids, docs);
    let mut bodies = Vec::new();
    let mut batch = Vec::new();
    let mut used = 0;
    for m in messages {
        used += m.message.len();
        batch.push(m);
        if used >= ayllu_sync::DEFAULT_BUDGET {
            bodies.push(postcard::to_allocvec(&ayllu_sync::wire::Request {
                request_id: [1; 16],
                cursor: 0,
                docs: std::mem::take(&mut batch),
            })?);
            used = 0;
        }
    }
    bodies.push(postcard::to_allocvec(&ayllu_sync::wire::Request {
        request_id: [1; 16],
        cursor: 0,
        docs: batch,
    })?);
    // Training households: another census (another seed), as a shipped dictionary would be.
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("t.sqlite3"))?;
    let mut other = Census::new(7, chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
    let mut tids = Vec::new();
    for _ in 0..1000 {
        let h = other.household();
        let id = other.household_id();
        store.insert_household(id, &h, &who())?;
        tids.push(id);
    }
    let tdocs: Vec<_> = store.replica(|r| -> anyhow::Result<_> {
        Ok(tids.iter().map(|id| r.document(*id).unwrap().unwrap()).collect())
    })?;
    let samples: Vec<Vec<u8>> = compact_messages(&tids, &tdocs)
        .into_iter()
        .map(|m| postcard::to_allocvec(&m).unwrap())
        .collect();
    println!(
        "wire v3: {} bodies, {} KB raw",
        bodies.len(),
        bodies.iter().map(Vec::len).sum::<usize>() / 1000
    );
    // Where the rest goes: the same messages in one body, and their parts alone.
    let all: Vec<u8> = bodies.concat();
    let ids: Vec<u8> = ids.iter().flat_map(|id| id.uuid().as_bytes().to_vec()).collect();
    let chunks: Vec<u8> = compact_messages(&households.iter().map(|(id, _)| *id).collect::<Vec<_>>(), docs)
        .iter()
        .flat_map(|m| m.message.clone())
        .collect();
    for (what, b) in [
        ("one body", &all),
        ("compact messages alone", &chunks),
        ("household ids alone", &ids),
    ] {
        let z = zstd::bulk::compress(b, 19)?.len();
        println!(
            "  {what}, level 19: {:.3}× floor ({} KB)",
            z as f64 / floor as f64,
            z / 1000
        );
    }
    // A raw-content dictionary: other households' messages as they are, not trained.
    let raw: Vec<u8> = samples.concat();
    for kb in [64usize, 128, 256, 512, 1024] {
        let dict = &raw[raw.len().saturating_sub(kb * 1024)..];
        for level in [9, 12, 13, 14, 15, 16, 17, 18, 19] {
            let t = Instant::now();
            let mut c = zstd::bulk::Compressor::with_dictionary(level, dict)?;
            let total: usize = bodies.iter().map(|b| c.compress(b).unwrap().len()).sum();
            println!(
                "  raw dict {kb:4} KB level {level:2}: {:.3}× floor ({} KB), {:.2} s",
                total as f64 / floor as f64,
                total / 1000,
                t.elapsed().as_secs_f64()
            );
        }
    }
    for dict_kb in [0usize, 16, 32, 64, 112] {
        let dict = if dict_kb == 0 {
            Vec::new()
        } else {
            zstd::dict::from_samples(&samples, dict_kb * 1024)?
        };
        for level in [9, 12, 15, 19] {
            let t = Instant::now();
            let mut c = zstd::bulk::Compressor::with_dictionary(level, &dict)?;
            let total: usize = bodies.iter().map(|b| c.compress(b).unwrap().len()).sum();
            println!(
                "  dict {dict_kb:3} KB level {level:2}: {:.3}× floor ({} KB), {:.2} s",
                total as f64 / floor as f64,
                total / 1000,
                t.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// Wire v4 as a first sync carries it: whole documents in requests of the default budget,
/// each body compressed alone with v4's dictionary, at each level (time on one core).
fn wire_v4(
    households: &[(HouseholdId, ayllu_model::Household)],
    store: &mut Store,
    floor: usize,
) -> anyhow::Result<()> {
    let mut bodies = Vec::new();
    let mut batch = Vec::new();
    let mut used = 0;
    for (id, _) in households {
        let stored = store.replica(|r| r.stored_document(*id))?.expect("stored");
        let message = ayllu_sync::guard::whole::write(&stored.saved_plain()?).expect("a whole form");
        used += message.len();
        batch.push(ayllu_sync::wire::DocMessage {
            household: *id,
            message,
        });
        if used >= ayllu_sync::DEFAULT_BUDGET {
            bodies.push(std::mem::take(&mut batch));
            used = 0;
        }
    }
    bodies.push(batch);
    let bodies: Vec<Vec<u8>> = bodies
        .into_iter()
        .map(|docs| {
            postcard::to_allocvec(&ayllu_sync::wire::Request {
                request_id: [1; 16],
                cursor: 0,
                docs,
            })
            .unwrap()
        })
        .collect();
    for level in [3, 6, 9, 12, 16, 19] {
        let mut z = zstd::bulk::Compressor::with_dictionary(level, ayllu_sync::wire::DICTIONARY_V4)?;
        let t = Instant::now();
        let total: usize = bodies.iter().map(|b| z.compress(b).unwrap().len()).sum();
        println!(
            "wire v4, level {level:2}: {:.3}× floor ({} KB), {:.1} µs a household",
            total as f64 / floor as f64,
            total / 1000,
            t.elapsed().as_secs_f64() / households.len() as f64 * 1e6
        );
    }
    Ok(())
}

fn ayllu_sync_prime(state: &mut State) {
    state.their_heads = Some(vec![]);
    state.their_have = Some(vec![automerge::sync::Have {
        last_sync: vec![],
        bloom: Default::default(),
    }]);
    state.their_need = Some(vec![]);
}
