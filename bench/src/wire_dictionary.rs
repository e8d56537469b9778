//! `wire-dictionary OUT`: writes the zstd dictionary wire v4 ships
//! (`crates/ayllu-sync/src/wire-v4.dict`): 512 KB of synthetic households' first-sync
//! messages (whole documents) framed as a request carries them, used as they are (a
//! raw-content dictionary; trained ones did worse, see docs/benchmarks.md). Frozen with the
//! version: a new dictionary is a new version (a test pins its hash). Wire v3's dictionary
//! (`crates/ayllu-store/src/household.dict`, 256 KB of compact messages; also what stored
//! snapshots are packed with) was written the same way by an earlier version of this tool,
//! from compact messages, when household ids were random (v4) UUIDs.
use ayllu_model::PersonName;
use ayllu_store::{Signature, Store};
use ayllu_synth::Census;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: wire-dictionary OUT"))?;
    let size = 512 * 1024;
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("d.sqlite3"))?;
    // Another seed and day than every benchmark's census: the dictionary must not hold the
    // households it is measured on.
    let mut census = Census::new(7, chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let mut dict = Vec::new();
    while dict.len() < size {
        let h = census.household();
        let id = census.household_id();
        store.insert_household(id, &h, &who)?;
        let stored = store.replica(|r| r.stored_document(id))?.expect("just written");
        let message = ayllu_sync::wire::DocMessage {
            household: id,
            message: ayllu_sync::guard::whole::write(&stored.saved_plain()?).expect("a household reads back"),
        };
        dict.extend(postcard::to_allocvec(&message)?);
    }
    // zstd reads a dictionary's end as nearest to the data: keep the last `size` bytes.
    let dict = &dict[dict.len() - size..];
    std::fs::write(&out, dict)?;
    println!("{out}: {} bytes", dict.len());
    Ok(())
}
