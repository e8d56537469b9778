//! `wire-dictionary OUT`: writes the zstd dictionary wire v3 ships
//! (`crates/ayllu-store/src/household.dict`, also what stored snapshots are packed with): 256 KB of synthetic households' first-sync
//! messages, compact and framed as a request carries them, used as they are (a raw-content
//! dictionary; trained ones did worse, see docs/benchmarks.md). The file is frozen with the
//! wire version: a new dictionary is a new version (a test pins its hash).
use ayllu_model::PersonName;
use ayllu_store::{Signature, Store};
use ayllu_synth::Census;

const SIZE: usize = 256 * 1024;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: wire-dictionary OUT"))?;
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("d.sqlite3"))?;
    // Another seed and day than every benchmark's census: the dictionary must not hold the
    // households it is measured on.
    let mut census = Census::new(7, chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let mut dict = Vec::new();
    while dict.len() < SIZE {
        let h = census.household();
        let id = census.household_id();
        store.insert_household(id, &h, &who)?;
        let doc = store.replica(|r| r.document(id))?.expect("just written");
        let mut state = automerge::sync::State::new();
        ayllu_sync::docsync::prime(&mut state);
        let message = ayllu_sync::docsync::offer_message(id, &doc, &mut state, ayllu_sync::wire::Version::V3)
            .expect("a new household has changes to offer");
        dict.extend(postcard::to_allocvec(&message)?);
    }
    // zstd reads a dictionary's end as nearest to the data: keep the last SIZE bytes.
    let dict = &dict[dict.len() - SIZE..];
    std::fs::write(&out, dict)?;
    println!("{out}: {} bytes", dict.len());
    Ok(())
}
