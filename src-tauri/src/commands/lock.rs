//! The lock screen: a PIN set at first start, asked at every start and after 5 idle
//! minutes. The store stays closed (its key unknown) until the PIN opens it.

use ayllu_lock::Unlock;
use ayllu_model::{FieldError, Problem};
use ayllu_ops::Store;
use ayllu_ops::folder::{self, FolderState};
use chrono::Utc;
use tauri::State;

use super::{AppState, blocking};
use crate::boundary::UiError;
use ayllu_ops::facility::Mode;

/// What the data folder asks for: a PIN to set (first start, or an install from before the
/// PIN), or the PIN (and how long to wait after wrong ones).
#[tauri::command]
#[specta::specta]
pub async fn lock_state(state: State<'_, AppState>) -> Result<FolderState, UiError> {
    Ok(folder::state(&state.data_dir, Utc::now())?)
}

/// Sets the PIN, typed twice, and opens the store with it (created, or an older plain one
/// encrypted in place).
#[tauri::command]
#[specta::specta]
pub async fn set_pin(state: State<'_, AppState>, pin: String, again: String) -> Result<(), UiError> {
    if matches!(
        folder::state(&state.data_dir, Utc::now())?,
        FolderState::Locked { .. }
    ) {
        return Err(FieldError::new("pin", Problem::PinAlreadySet).into());
    }
    folder::parse_typed_twice(&pin, &again, Unlock::Pin)?;
    let dir = state.data_dir.clone();
    // Sealed to this device's keystore where it has one.
    let store = blocking(move || {
        let keystore = crate::keystore::device_keystore();
        folder::open_or_create_on(&dir, &pin, Unlock::Pin, keystore.as_deref().map(|k| k as _))
    })
    .await??;
    opened(&state, store).await;
    Ok(())
}

/// "Olvidé mi PIN", at start (the store still closed): the locked data are set aside whole
/// and this device starts again; linking it to the health post brings the households back.
#[tauri::command]
#[specta::specta]
pub async fn start_over(state: State<'_, AppState>) -> Result<FolderState, UiError> {
    if state.unlocked().is_ok() {
        return Err(FieldError::new("pin", Problem::PinAlreadySet).into());
    }
    folder::set_aside(&state.data_dir, Utc::now())?;
    Ok(folder::state(&state.data_dir, Utc::now())?)
}

/// Opens the store with the PIN; once open (after idle), only checks it. A wrong PIN is
/// counted before the refusal (the wait survives a restart).
#[tauri::command]
#[specta::specta]
pub async fn unlock(state: State<'_, AppState>, pin: String) -> Result<(), UiError> {
    let dir = state.data_dir.clone();
    let key = blocking(move || {
        let keystore = crate::keystore::device_keystore();
        folder::unlock_on(&dir, &pin, keystore.as_deref().map(|k| k as _), Utc::now())
    })
    .await??;
    if state.unlocked().is_ok() {
        return Ok(());
    }
    let dir = state.data_dir.clone();
    let store = blocking(move || folder::open_with_key(&dir, &key)).await??;
    opened(&state, store).await;
    Ok(())
}

/// The store is open: sync starts, and facility mode if this is the post's equipment.
async fn opened(state: &AppState, store: Store) {
    let unlocked = state.opened(store);
    let on = {
        let s = unlocked.store.lock().unwrap_or_else(|p| p.into_inner());
        Mode::kept(&s).ok().flatten()
    };
    if let Some(mode) = on
        && let Err(e) = state.facility.start(unlocked.store.clone(), mode).await
    {
        eprintln!(
            "facility mode could not start: {}",
            e.message.render(ayllu_model::Lang::ES)
        );
    }
}

/// Whether the staff passphrase is set here, and given since the last lock.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct StaffState {
    pub set: bool,
    pub open: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn staff_state(state: State<'_, AppState>) -> Result<StaffState, UiError> {
    Ok(StaffState {
        set: ayllu_ops::staff::is_set(&*state.store()?)?,
        open: state.staff().is_ok(),
    })
}

/// Sets the staff passphrase (typed twice) on the post's equipment, and opens its screens.
#[tauri::command]
#[specta::specta]
pub async fn staff_set(state: State<'_, AppState>, passphrase: String, again: String) -> Result<(), UiError> {
    ayllu_ops::staff::set(&*state.store()?, &passphrase, &again)?;
    state.set_staff_open(true);
    Ok(())
}

/// Opens the health post's screens with the staff passphrase.
#[tauri::command]
#[specta::specta]
pub async fn staff_unlock(state: State<'_, AppState>, passphrase: String) -> Result<(), UiError> {
    let store = state.unlocked()?.store.clone();
    // Argon2id takes a moment: not on the window's thread, not holding the store for it.
    let verifier_ok = blocking(move || {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        ayllu_ops::staff::check(&s, &passphrase)
    })
    .await?;
    verifier_ok?;
    state.set_staff_open(true);
    Ok(())
}

/// The screen locked itself (idle): the staff passphrase is asked again too.
#[tauri::command]
#[specta::specta]
pub async fn lock_now(state: State<'_, AppState>) -> Result<(), UiError> {
    state.set_staff_open(false);
    Ok(())
}
