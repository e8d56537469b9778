//! The Sync screen's USB/SD bundles: the same `ayllu_ops::bundle` code as `ayllu bundle`.

use std::path::PathBuf;

use ayllu_ops::bundle::{self, BundleFile, Outcome, Written};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use super::{AppState, blocking};
use crate::boundary::UiError;

/// Where bundles go when no folder is chosen, and where the list looks first.
fn folder(state: &AppState) -> PathBuf {
    state.data_dir.join("paquetes")
}

/// Writes what the health post does not have yet into a bundle file. With `choose`, a
/// save dialog asks where (the USB stick); otherwise it goes to the data folder's
/// `paquetes/`. None if the dialog was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn write_bundle(
    app: AppHandle,
    state: State<'_, AppState>,
    choose: bool,
) -> Result<Option<Written>, UiError> {
    let name = bundle::file_name(ayllu_ops::today());
    let target = if choose {
        let dialog = app
            .dialog()
            .file()
            .set_file_name(&name)
            .add_filter("Ayllu", &[bundle::EXTENSION]);
        match blocking(move || dialog.blocking_save_file())
            .await?
            .and_then(|p| p.into_path().ok())
        {
            Some(path) => path,
            None => return Ok(None),
        }
    } else {
        let dir = folder(&state);
        std::fs::create_dir_all(&dir).map_err(UiError::internal)?;
        dir.join(name)
    };
    Ok(Some(bundle::write(&mut *state.store()?, &target, None)?))
}

/// Bundle files here and on any USB stick or SD card, to pick from a list.
#[tauri::command]
#[specta::specta]
pub async fn bundle_files(state: State<'_, AppState>) -> Result<Vec<BundleFile>, UiError> {
    Ok(bundle::files(&folder(&state)))
}

/// Reads a bundle: `path` from the list, or none to pick a file in a dialog. With `apply`
/// false only says what it would change. None if the dialog was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn read_bundle(
    app: AppHandle,
    state: State<'_, AppState>,
    path: Option<PathBuf>,
    apply: bool,
) -> Result<Option<(PathBuf, Outcome)>, UiError> {
    let path = match path {
        Some(p) => p,
        None => {
            let dialog = app.dialog().file().add_filter("Ayllu", &[bundle::EXTENSION]);
            match blocking(move || dialog.blocking_pick_file())
                .await?
                .and_then(|p| p.into_path().ok())
            {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    let report = bundle::read(&mut *state.store()?, &path, apply)?;
    if apply && !report.changed.is_empty() {
        state.sync()?.nudge(crate::background::Nudge::Saved);
    }
    Ok(Some((path, Outcome::from(&report))))
}
