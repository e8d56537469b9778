//! First start and the settings screen.

use std::collections::BTreeMap;

use ayllu_model::codes::CodeOption;
use ayllu_ops::Store;
use ayllu_ops::settings;
use tauri::State;

use super::AppState;
use crate::boundary::UiError;
use ayllu_ops::facility::Mode;

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub device_id: String,
    /// The promotor signing records made here; `None` until set on first start.
    pub promotor: Option<String>,
    pub lang: ayllu_model::Lang,
    /// Large text on screen (the setting `text_size`).
    pub large_text: bool,
    pub data_dir: String,
    pub facility: bool,
    pub today: chrono::NaiveDate,
    /// Idle seconds after which the lock screen comes back (`--lock-after`, default 300).
    pub lock_after_secs: u32,
    /// The role the health post enrolled this device with; none before enrolling. The
    /// screens follow it: a committee device shows the indicator report only.
    pub role: Option<ayllu_ops::facility::Role>,
}

fn info(state: &AppState, store: &Store) -> Result<AppInfo, UiError> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        device_id: store.device_id().to_string(),
        promotor: settings::promotor(store)?,
        lang: settings::lang(store)?,
        large_text: settings::large_text(store)?,
        data_dir: state.data_dir.display().to_string(),
        facility: Mode::kept(store).ok().flatten().is_some(),
        today: ayllu_ops::today(),
        lock_after_secs: crate::lock_after_secs(),
        role: ayllu_ops::sync::role(store)?,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, UiError> {
    info(&state, &*state.store()?)
}

/// Every code list with Spanish and English labels.
#[tauri::command]
#[specta::specta]
pub async fn code_lists() -> Result<BTreeMap<String, Vec<CodeOption>>, UiError> {
    Ok(ayllu_model::codes::catalogue())
}

/// Saves a setting: `promotor` (a person's name), `lang` (`es` or `en`) or `text_size`
/// (`normal` or `large`).
#[tauri::command]
#[specta::specta]
pub async fn set_setting(state: State<'_, AppState>, key: String, value: String) -> Result<AppInfo, UiError> {
    let store = state.store()?;
    settings::set(&store, &key, &value)?;
    info(&state, &store)
}
