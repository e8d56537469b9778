//! Opens a data folder with the PIN in `AYLLU_PIN`, as the app and the command do (an
//! older plain store is locked and encrypted in place first), then says "open". The crash
//! test kills it at random moments of that first open.

fn main() -> anyhow::Result<()> {
    let data = std::env::args().nth(1).expect("the data folder");
    let pin = std::env::var("AYLLU_PIN")?;
    let store = ayllu_ops::folder::open(std::path::Path::new(&data), &pin)?;
    println!("open {}", store.household_ids()?.len());
    Ok(())
}
