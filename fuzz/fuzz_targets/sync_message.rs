//! A peer's sync message for one household: our bounded reader, then (if it accepts)
//! Automerge receiving it and answering, as the hub and the phone do.
#![no_main]
use automerge::sync::{State, SyncDoc};
use automerge::{Automerge, ROOT, transaction::Transactable};
use libfuzzer_sys::fuzz_target;

fn doc() -> Automerge {
    let mut d = Automerge::new();
    for i in 0..3 {
        let mut tx = d.transaction();
        tx.put(ROOT, "address", format!("Casa {i}")).unwrap();
        tx.commit();
    }
    d
}

static QUIET_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts even on a panic our code contains (docsync::accept
    // catches Automerge's); a panic nothing contains still aborts, when it leaves this target.
    QUIET_HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(message) = ayllu_sync::guard::read_message(data, &ayllu_sync::guard::Limits::SYNC) else {
        return;
    };
    let mut d = doc();
    let mut state = State::new();
    // As the hub and the phone do: through docsync::accept, which contains Automerge panics.
    if ayllu_sync::docsync::accept(&mut d, &mut state, message).is_ok() {
        let _ = d.generate_sync_message(&mut state);
    }
});
