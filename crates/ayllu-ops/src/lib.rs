//! The operations both faces of Ayllu call — the `ayllu` command and the app's Tauri
//! commands — with the rules that belong to them (which store file, who signs a change,
//! how long an enrollment code lasts, where an export goes). A face translates arguments
//! in and results out and decides nothing; a flow written here is written once.
//!
//! Every operation takes the store it works on (the app keeps one open behind a lock,
//! the command opens one per run) and `today` where the day matters, so tests pass a day.

pub mod bundle;
pub mod conflict_words;
pub mod draft;
pub mod enroll;
mod error;
pub mod export;
pub mod facility;
pub mod folder;
pub mod history;
pub mod record;
pub mod settings;
pub mod staff;
pub mod sync;
pub mod view;

pub use error::OpsError;

// What a face holds and shows, from the layers below: a face names no crate but this one
// (with the model's types, the words and the lock), so these are the door's own types.
pub use ayllu_hub::DeviceInfo;
pub use ayllu_store::{DueGroup, DueItem, ListFilter, Place, SearchHit, Signature, Store, StoreError};
pub use ayllu_sync::backoff::Backoff;

/// The local calendar day: visits, ages and due dates are counted in it.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
