//! A sync request as an enrolled phone could send it (the body after the wire framing),
//! served by the hub over an in-memory store holding a few households.
#![no_main]
use std::sync::Mutex;

use ayllu_model::{PersonName, Scope};
use ayllu_store::{Signature, Store};
use ayllu_sync::wire::Request;
use ayllu_sync::{Sender, serve};
use libfuzzer_sys::fuzz_target;

static HUB: Mutex<Option<Store>> = Mutex::new(None);

static QUIET_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts even on a panic our code contains (docsync::accept
    // catches Automerge's); a panic nothing contains still aborts, when it leaves this target.
    QUIET_HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(request) = postcard::from_bytes::<Request>(data) else {
        return;
    };
    let mut hub = HUB.lock().unwrap();
    let store = hub.get_or_insert_with(|| {
        let mut store = Store::open(std::path::Path::new(":memory:")).unwrap();
        let mut census = ayllu_synth::Census::new(1, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        let who = Signature::now(PersonName::parse("Juana Condori").unwrap());
        for _ in 0..5 {
            let h = census.household();
            store.insert_household(census.household_id(), &h, &who).unwrap();
        }
        store
    });
    let actor = automerge::ActorId::from([7u8; 16].as_slice());
    let scope = Scope::Communities(vec!["Ccorca".into()]);
    let sender = Sender {
        peer: "device:fuzz",
        scope: &scope,
        actor: Some(&actor),
    };
    let _ = serve(store, &sender, request);
});
