//! What reaches the hub's request handlers from outside, after the HTTP framing, served over
//! in-memory stores. The first byte says which:
//! - 0: a sync request as an enrolled phone could send it (the body after the wire framing),
//!   against a hub holding a few households;
//! - 1: an enrollment body as anyone could send it (JSON; read, its signature checked for a
//!   hub met over plain HTTP, then redeemed: nothing without a live code);
//! - 2: the same body's fields signed properly, with a key made from the input, for a live
//!   code: the registry's own checks (actor, key, one device per key) and its writes.
#![no_main]
use std::sync::Mutex;

use ayllu_hub::admin;
use ayllu_model::{PersonName, Scope};
use ayllu_store::{Signature, Store};
use ayllu_sync::enrollment::{Application, HubSeen};
use ayllu_sync::wire::Request;
use ayllu_sync::{Sender, serve};
use libfuzzer_sys::fuzz_target;

static HUB: Mutex<Option<Store>> = Mutex::new(None);
/// The registry enrollments go into, started afresh now and then (it grows by a device
/// for every enrollment taken).
static REGISTRY: Mutex<Option<(Store, u32)>> = Mutex::new(None);

static QUIET_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts even on a panic our code contains (docsync::accept
    // catches Automerge's); a panic nothing contains still aborts, when it leaves this target.
    QUIET_HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    match kind {
        0 => sync(body),
        1 => {
            if let Ok(application) = Application::parse(body) {
                with_registry(|store| {
                    let _ = admin::redeem(store, &application, HubSeen::PlainHttp);
                });
            }
        }
        2 => {
            if let Ok(application) = Application::parse(body) {
                resigned(&application, body);
            }
        }
        _ => {}
    }
});

fn sync(body: &[u8]) {
    let Ok(request) = postcard::from_bytes::<Request>(body) else {
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
}

/// The application's actor and name, signed for a live code with a key made from `seed`.
fn resigned(application: &Application, seed: &[u8]) {
    let Ok(actor) = automerge::ActorId::try_from(application.actor.as_str()) else {
        return;
    };
    let mut key = [0u8; 32];
    for (i, b) in seed.iter().enumerate() {
        key[i % 32] ^= b.rotate_left(i as u32 / 32);
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&key);
    with_registry(|store| {
        let code = admin::enroll(
            store,
            &PersonName::parse("Juana Condori").unwrap(),
            &admin::Communities::All,
            admin::Role::Promotor,
            chrono::Duration::days(1),
        )
        .unwrap();
        let signed = Application::sign(&code, &actor, &key, &application.name, HubSeen::PlainHttp);
        let _ = admin::redeem(store, &signed, HubSeen::PlainHttp);
    });
}

fn with_registry(f: impl FnOnce(&mut Store)) {
    let mut registry = REGISTRY.lock().unwrap();
    if registry.as_ref().is_none_or(|(_, uses)| *uses >= 1_000) {
        *registry = Some((Store::open(std::path::Path::new(":memory:")).unwrap(), 0));
    }
    let (store, uses) = registry.as_mut().unwrap();
    *uses += 1;
    f(store);
}
