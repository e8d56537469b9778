//! A peer's message for one household (a sync message, or a whole document): our bounded
//! reader, then (if it accepts) Automerge receiving it and answering, as the hub and the
//! phone do, into a document that has some history and into an empty one.
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
    let Ok(message) = ayllu_sync::guard::read_incoming(data, &ayllu_sync::guard::Limits::SYNC) else {
        return;
    };
    // As the hub and the phone do: through docsync::accept, which contains Automerge panics.
    for mut d in [doc(), Automerge::new()] {
        let mut state = State::new();
        if ayllu_sync::docsync::accept(&mut d, &mut state, message.clone()).is_ok() {
            let _ = d.generate_sync_message(&mut state);
        }
    }
});
