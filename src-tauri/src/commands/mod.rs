//! The commands the UI calls, by screen. Each translates its arguments into a call to
//! `ayllu-ops` (the same operations the `ayllu` command calls) and its result back; none
//! builds SQL or documents. Types are exported to `ui/src/bindings.ts` by tauri-specta.

pub mod bundles;
pub mod export;
pub mod facility;
pub mod households;
pub mod lock;
pub mod settings;
pub mod sync;
pub mod visits;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use ayllu_ops::Store;

use crate::background::{Nudge, SyncWorker};
use crate::boundary::UiError;
use crate::facility::Facility;

/// The app's state. Until the PIN is given the store is closed: only the lock screen's
/// commands work, and every other one is refused as `locked`.
pub struct AppState {
    pub data_dir: PathBuf,
    pub facility: Facility,
    unlocked: OnceLock<Unlocked>,
    /// The staff passphrase was given (facility screens, exports) since the last lock.
    staff_open: Mutex<bool>,
    /// Starts the sync thread over the store once it is open (publishing to the window).
    start_sync: Box<dyn Fn(Arc<Mutex<Store>>) -> SyncWorker + Send + Sync>,
}

/// What runs once the store is open.
pub struct Unlocked {
    pub store: Arc<Mutex<Store>>,
    pub sync: SyncWorker,
}

impl AppState {
    pub fn new(
        data_dir: PathBuf,
        start_sync: impl Fn(Arc<Mutex<Store>>) -> SyncWorker + Send + Sync + 'static,
    ) -> AppState {
        AppState {
            data_dir,
            facility: Facility::default(),
            unlocked: OnceLock::new(),
            staff_open: Mutex::new(false),
            start_sync: Box::new(start_sync),
        }
    }

    pub fn unlocked(&self) -> Result<&Unlocked, UiError> {
        self.unlocked
            .get()
            .ok_or_else(|| UiError::other("locked", ayllu_words::Message::new("lock-locked")))
    }

    /// Keeps the store opened by the lock screen and starts what runs over it. Opened once:
    /// later unlocks (after idle) only check the PIN.
    pub fn opened(&self, store: Store) -> &Unlocked {
        self.unlocked.get_or_init(|| {
            let store = Arc::new(Mutex::new(store));
            Unlocked {
                sync: (self.start_sync)(store.clone()),
                store,
            }
        })
    }

    /// The health post's screens need the staff passphrase, not only the PIN.
    fn staff(&self) -> Result<(), UiError> {
        if *self.staff_open.lock().unwrap_or_else(|p| p.into_inner()) {
            Ok(())
        } else {
            Err(UiError::other(
                "staff_locked",
                ayllu_words::Message::new("staff-locked"),
            ))
        }
    }

    fn set_staff_open(&self, open: bool) {
        *self.staff_open.lock().unwrap_or_else(|p| p.into_inner()) = open;
    }

    fn store(&self) -> Result<std::sync::MutexGuard<'_, Store>, UiError> {
        Ok(self.unlocked()?.store.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn sync(&self) -> Result<&SyncWorker, UiError> {
        Ok(&self.unlocked()?.sync)
    }

    /// Runs `op` with the store and who signs for this device; the sync thread is told
    /// so the hub gets the change a few seconds later.
    fn record<T>(
        &self,
        op: impl FnOnce(&mut Store, &ayllu_ops::Signature) -> Result<T, ayllu_ops::OpsError>,
    ) -> Result<T, UiError> {
        let out = {
            let mut store = self.store()?;
            let who = ayllu_ops::settings::signature(&store, None)?;
            op(&mut store, &who)?
        };
        self.sync()?.nudge(Nudge::Saved);
        Ok(out)
    }
}

/// Work that must not run on the async workers (network calls, dialogs).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(UiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before the PIN there is no store to reach; the health post's screens also need the
    /// staff passphrase, and lose it when the screen locks.
    #[test]
    fn nothing_opens_before_the_pin_and_staff_screens_need_their_passphrase() {
        let state = AppState::new(PathBuf::from("/nonexistent"), |_| {
            unreachable!("no store, no sync")
        });
        assert_eq!(state.unlocked().err().map(|e| e.code), Some("locked".to_string()));
        assert_eq!(state.store().err().map(|e| e.code), Some("locked".to_string()));
        assert_eq!(state.staff().unwrap_err().code, "staff_locked");
        state.set_staff_open(true);
        assert!(state.staff().is_ok());
        state.set_staff_open(false);
        assert!(state.staff().is_err());
    }
}
