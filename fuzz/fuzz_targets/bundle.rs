//! A bundle's contents (after its signature is checked), read into an in-memory hub store
//! as from an enrolled phone: every household through our reader and the model's checks.
#![no_main]
use ayllu_model::Scope;
use ayllu_store::Store;
use ayllu_sync::bundle::{self, Author, Bundle};
use libfuzzer_sys::fuzz_target;

static QUIET_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts even on a panic our code contains (docsync::accept
    // catches Automerge's); a panic nothing contains still aborts, when it leaves this target.
    QUIET_HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(contents) = postcard::from_bytes::<Bundle>(data) else {
        return;
    };
    // Signed with a fixed key, so the fuzzer reaches what comes after the signature.
    let key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let mut store = Store::open(std::path::Path::new(":memory:")).unwrap();
    // Encrypted to the store that reads it, as a real bundle is.
    let receiver = *store.signing_key().verifying_key().as_bytes();
    let Ok(bytes) = bundle::seal(&contents, &key, &receiver) else {
        return;
    };
    let author = Author {
        name: "fuzz".into(),
        scope: Scope::Communities(vec!["Ccorca".into()]),
        actor: Some(automerge::ActorId::from([7u8; 16].as_slice())),
    };
    let _ = bundle::read(&mut store, &bytes, &author, true);
});
