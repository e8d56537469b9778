//! `read-study`: what reading a household's document back costs, by way of reading: autosurgeon
//! straight from Automerge, one walk of the whole document (`ReadDoc::iter`, what
//! `ayllu-store`'s index now does), `hydrate(None)`, a `map_range` per map (what it did).
use automerge::{ObjType, ReadDoc, Value};
use ayllu_model::{Household, PersonName};
use ayllu_store::{Signature, Store};
use ayllu_synth::Census;
use std::time::Instant;

fn walk_map_range(doc: &automerge::Automerge, obj: &automerge::ObjId) -> usize {
    let mut n = 0;
    let items: Vec<_> = doc
        .map_range(obj, ..)
        .map(|i| {
            let id = i.id();
            (i.value.into_value(), id)
        })
        .collect();
    for (v, id) in items {
        n += 1;
        if let Value::Object(ObjType::Map) = v {
            n += walk_map_range(doc, &id);
        }
    }
    n
}

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
    let n = docs.len() as f64;
    let time = |name: &str, f: &dyn Fn(&automerge::Automerge) -> usize| {
        let t = Instant::now();
        let mut total = 0;
        for d in &docs {
            total += f(d);
        }
        println!("{name}: {:.1} µs ({total})", t.elapsed().as_secs_f64() / n * 1e6);
    };
    time("autosurgeon direct", &|d| {
        let h: Household = autosurgeon::hydrate(d).unwrap();
        h.members.len()
    });
    time("doc.iter() walk", &|d| d.iter().count());
    time("doc.hydrate(None)", &|d| match d.hydrate(None) {
        automerge::hydrate::Value::Map(m) => m.len(),
        _ => 0,
    });
    time("map_range per map", &|d| walk_map_range(d, &automerge::ROOT));
    time("save_after(&[])", &|d| d.save_after(&[]).len());
    time("save_nocompress", &|d| d.save_nocompress().len());
    time("get_changes(&[])", &|d| {
        d.get_changes(&[]).iter().map(|c| c.raw_bytes().len()).sum()
    });
    let chunks: Vec<Vec<u8>> = docs.iter().map(|d| d.save_after(&[])).collect();
    let t = Instant::now();
    for c in &chunks {
        let mut d = automerge::Automerge::new();
        d.load_incremental(c)?;
    }
    println!(
        "apply a household's changes to an empty document: {:.1} µs",
        t.elapsed().as_secs_f64() / n * 1e6
    );
    let saved: Vec<Vec<u8>> = docs.iter().map(|d| d.save_nocompress()).collect();
    let t = Instant::now();
    for c in &saved {
        automerge::Automerge::load(c)?;
    }
    println!(
        "load a household's document: {:.1} µs",
        t.elapsed().as_secs_f64() / n * 1e6
    );
    println!("first bytes of save_after: {:x?}", &chunks[0][..12]);
    Ok(())
}
