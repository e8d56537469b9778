//! The Sync screen: status, households refused, enrollment.

use ayllu_ops::enroll::{Applicant, Request};
use ayllu_ops::sync::RefusedHousehold;
use tauri::State;

use super::{AppState, blocking};
use crate::background::{Nudge, SyncStatus};
use crate::boundary::UiError;

#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    Ok(state.sync()?.status())
}

/// Households that could not be sent (or received), with the reason: they stay on this
/// phone and are offered again at every sync.
#[tauri::command]
#[specta::specta]
pub async fn sync_refusals(state: State<'_, AppState>) -> Result<Vec<RefusedHousehold>, UiError> {
    Ok(ayllu_ops::sync::refusals(&*state.store()?)?)
}

/// Households the health post does not have yet as they are here (marked "sin enviar").
#[tauri::command]
#[specta::specta]
pub async fn unsent_households(state: State<'_, AppState>) -> Result<Vec<ayllu_model::HouseholdId>, UiError> {
    Ok(ayllu_ops::sync::unsent(&*state.store()?)?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    state.sync()?.nudge(Nudge::Now);
    Ok(state.sync()?.status())
}

/// The health post's indicator report for `year`, as printable HTML (for a committee
/// device, small counts hidden by the hub). Fetched without holding the store.
#[tauri::command]
#[specta::specta]
pub async fn hub_report(state: State<'_, AppState>, year: i32) -> Result<String, UiError> {
    let link = ayllu_ops::sync::HubLink::of(&*state.store()?)?.ok_or(ayllu_ops::OpsError::NotEnrolled)?;
    Ok(blocking(move || ayllu_ops::sync::hub_report(&link, year)).await??)
}

/// Enrolls this device with a hub using a one-time code from the health post (which
/// carries the fingerprint of the hub's certificate), then syncs at once. A plain-HTTP hub
/// only with `insecure_http`, which the screen asks for under a warning.
#[tauri::command]
#[specta::specta]
pub async fn enroll(
    state: State<'_, AppState>,
    hub_url: String,
    code: String,
    insecure_http: bool,
) -> Result<SyncStatus, UiError> {
    let request = Request::parse(&hub_url, &code, insecure_http)?;
    let applicant = Applicant::of(&*state.store()?, None)?;
    // The network call runs without the store locked and off the async workers.
    // (reqwest's blocking client must be made and dropped outside the async runtime.)
    let sent = request.clone();
    let accepted = blocking(move || sent.send(&applicant)).await??;
    request.finish(&mut *state.store()?, accepted)?;
    state.sync()?.nudge(Nudge::Now);
    Ok(state.sync()?.status())
}
