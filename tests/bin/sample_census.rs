//! Fills a store with a synthetic census (`ayllu-synth`, fixed seed) for demos and the
//! report rendering check: `sample-census DATA_DIR N`. Dated around today.

use anyhow::Context;
use ayllu_model::PersonName;
use ayllu_store::{Signature, Store};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().context("usage: sample-census DATA_DIR N")?;
    let n: usize = args.next().context("usage: sample-census DATA_DIR N")?.parse()?;
    std::fs::create_dir_all(&dir)?;
    let mut store = Store::open(&std::path::Path::new(&dir).join("ayllu.sqlite3"))?;
    store.set_setting("promotor", "Juana Condori")?;
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let mut census = ayllu_synth::Census::new(2026, chrono::Local::now().date_naive());
    for _ in 0..n {
        let h = census.household();
        let id = census.household_id();
        store.insert_household(id, &h, &who)?;
    }
    println!("{n} households in {dir}");
    Ok(())
}
