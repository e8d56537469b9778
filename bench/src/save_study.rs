//! `save-study`: how to store a household's snapshot. 2,000 synthetic households saved
//! as Automerge does by default (its columns DEFLATEd), without compression, and without
//! then zstd at a few levels with and without the household dictionary: µs to save and to
//! load, bytes per household. The store packs with zstd 3 and the dictionary
//! (`ayllu-store/src/document.rs`); docs/benchmarks.md has the run.
use ayllu_model::PersonName;
use ayllu_store::{Signature, Store};
use ayllu_synth::Census;
use std::time::Instant;
fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("d.sqlite3"))?;
    let mut census = Census::new(2026, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let mut docs = Vec::new();
    for _ in 0..2000 {
        let h = census.household();
        let id = census.household_id();
        store.insert_household(id, &h, &who)?;
        docs.push(store.replica(|r| r.document(id))?.expect("x"));
    }
    for (name, deflate) in [("deflate", true), ("plain", false)] {
        let t = Instant::now();
        let saved: Vec<Vec<u8>> = docs
            .iter()
            .map(|d| {
                d.save_with_options(automerge::SaveOptions {
                    deflate,
                    retain_orphans: true,
                })
            })
            .collect();
        let ts = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for b in &saved {
            let _ = automerge::Automerge::load(b)?;
        }
        let tl = t.elapsed().as_secs_f64();
        let size: usize = saved.iter().map(|b| b.len()).sum();
        println!(
            "{name}: save {:.1} µs, load {:.1} µs, {:.0} B per doc",
            ts / 2000.0 * 1e6,
            tl / 2000.0 * 1e6,
            size as f64 / 2000.0
        );
    }
    let plain: Vec<Vec<u8>> = docs.iter().map(|d| d.save_nocompress()).collect();
    for (name, dict) in [
        ("zstd", &[][..]),
        ("zstd+dict", ayllu_store::HOUSEHOLD_DICTIONARY),
    ] {
        for level in [1, 3, 6] {
            let mut c = zstd::bulk::Compressor::with_dictionary(level, dict)?;
            let mut d = zstd::bulk::Decompressor::with_dictionary(dict)?;
            let t = Instant::now();
            let z: Vec<Vec<u8>> = plain.iter().map(|b| c.compress(b).unwrap()).collect();
            let tc = t.elapsed().as_secs_f64();
            let t = Instant::now();
            for b in &z {
                let _ = d.decompress(b, 1 << 20)?;
            }
            let td = t.elapsed().as_secs_f64();
            let size: usize = z.iter().map(|b| b.len()).sum();
            println!(
                "{name} {level}: compress {:.1} µs, decompress {:.1} µs, {:.0} B per doc",
                tc / 2000.0 * 1e6,
                td / 2000.0 * 1e6,
                size as f64 / 2000.0
            );
        }
    }
    Ok(())
}
