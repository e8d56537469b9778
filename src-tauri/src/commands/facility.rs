//! The Facility screen: this app as the health post's hub.

use ayllu_ops::facility::{self, Grant, Mode};
use tauri::State;

use super::AppState;
use crate::boundary::UiError;
use crate::facility::{FacilityStatus, NewEnrollment};

#[tauri::command]
#[specta::specta]
pub async fn facility_status(state: State<'_, AppState>) -> Result<FacilityStatus, UiError> {
    state.staff()?;
    state.facility.status(&*state.store()?)
}

/// Switches facility mode on: this app becomes the hub, now and at every start.
#[tauri::command]
#[specta::specta]
pub async fn facility_start(
    state: State<'_, AppState>,
    port: u32,
    listen: String,
) -> Result<FacilityStatus, UiError> {
    state.staff()?;
    let mode = Mode::parse(&listen, port)?;
    let port = state
        .facility
        .start(state.unlocked()?.store.clone(), mode)
        .await?;
    Mode::keep(&*state.store()?, Some(Mode { port, ..mode }))?;
    state.facility.status(&*state.store()?)
}

#[tauri::command]
#[specta::specta]
pub async fn facility_stop(state: State<'_, AppState>) -> Result<FacilityStatus, UiError> {
    state.staff()?;
    state.facility.stop();
    Mode::keep(&*state.store()?, None)?;
    state.facility.status(&*state.store()?)
}

/// A one-time enrollment code for a promotor's phone, limited to some communities
/// (none: all, as the screen says beside the field), valid for `days`.
#[tauri::command]
#[specta::specta]
pub async fn facility_new_code(
    state: State<'_, AppState>,
    promotor: String,
    communities: Vec<String>,
    role: facility::Role,
    days: u32,
) -> Result<NewEnrollment, UiError> {
    state.staff()?;
    let address = state.facility.address().ok_or(ayllu_ops::OpsError::HubOff)?;
    let new = facility::new_code(
        &*state.store()?,
        &promotor,
        Grant::picked(communities),
        role,
        days.into(),
    )?;
    // The phone pins the certificate: the whole SHA-256 in the QR, its short form in the code.
    let link = facility::enroll_link(&address, &new);
    Ok(NewEnrollment {
        qr_svg: crate::facility::qr_svg(&link),
        code: new.code,
        address,
        link,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn facility_revoke(
    state: State<'_, AppState>,
    device_id: String,
) -> Result<FacilityStatus, UiError> {
    state.staff()?;
    facility::revoke(&*state.store()?, &device_id)?;
    state.facility.status(&*state.store()?)
}
