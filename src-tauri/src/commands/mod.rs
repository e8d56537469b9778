//! The commands the UI calls, by screen. Each translates its arguments into a call to
//! `ayllu-ops` (the same operations the `ayllu` command calls) and its result back; none
//! builds SQL or documents. Types are exported to `ui/src/bindings.ts` by tauri-specta.

pub mod bundles;
pub mod export;
pub mod facility;
pub mod households;
pub mod settings;
pub mod sync;
pub mod visits;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ayllu_store::Store;

use crate::background::{Nudge, SyncWorker};
use crate::boundary::UiError;
use crate::facility::Facility;

pub struct AppState {
    pub store: Arc<Mutex<Store>>,
    pub data_dir: PathBuf,
    pub sync: SyncWorker,
    pub facility: Facility,
}

impl AppState {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `op` with the store and who signs for this device; the sync thread is told
    /// so the hub gets the change a few seconds later.
    fn record<T>(
        &self,
        op: impl FnOnce(&mut Store, &ayllu_store::Signature) -> Result<T, ayllu_ops::OpsError>,
    ) -> Result<T, UiError> {
        let out = {
            let mut store = self.store();
            let who = ayllu_ops::settings::signature(&store, None)?;
            op(&mut store, &who)?
        };
        self.sync.nudge(Nudge::Saved);
        Ok(out)
    }
}

/// Work that must not run on the async workers (network calls, dialogs).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(UiError::internal)
}
