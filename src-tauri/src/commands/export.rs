//! The Export screen: the Local Health Plan tables.

use ayllu_ops::export::{ExportFormat, Exported, Request};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use super::{AppState, blocking};
use crate::boundary::UiError;

/// Writes the indicator tables for `year` (one community, or all). With `choose`, a save
/// dialog asks where (none returned if cancelled); otherwise they go to the data folder's
/// `exportes/`.
#[tauri::command]
#[specta::specta]
pub async fn export_report(
    app: AppHandle,
    state: State<'_, AppState>,
    year: i32,
    community: Option<String>,
    format: ExportFormat,
    choose: bool,
) -> Result<Option<Exported>, UiError> {
    state.staff()?;
    let request = Request::new(year, community, format);
    let name = request.file_name();
    let target = if choose {
        let dialog = app.dialog().file().set_file_name(&name);
        let picked = blocking(move || match format {
            ExportFormat::Csv => dialog.blocking_pick_folder(),
            ExportFormat::Xlsx => dialog.add_filter("Excel", &["xlsx"]).blocking_save_file(),
            ExportFormat::Html => dialog.add_filter("HTML", &["html"]).blocking_save_file(),
        })
        .await?;
        let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
            return Ok(None);
        };
        // A folder was picked for CSV: the tables go in a folder of their own inside it.
        if format == ExportFormat::Csv {
            path.join(&name)
        } else {
            path
        }
    } else {
        state.data_dir.join("exportes").join(&name)
    };
    Ok(Some(request.write(
        &*state.store()?,
        &target,
        ayllu_ops::today(),
    )?))
}
