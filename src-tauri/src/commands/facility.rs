//! The Facility screen: this app as the health post's hub.

use ayllu_model::Problem;
use ayllu_ops::facility::Grant;
use tauri::State;

use super::AppState;
use crate::boundary::UiError;
use crate::facility::{self, FacilityStatus, NewEnrollment};

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
    // One of this machine's own addresses, as the screen offers them; never all at once.
    let listen: std::net::IpAddr = listen
        .trim()
        .parse()
        .ok()
        .filter(|ip| facility::interfaces().contains(ip))
        .ok_or_else(|| ayllu_model::FieldError::new("listen", Problem::UnknownCode))?;
    let port = u16::try_from(port)
        .ok()
        .filter(|p| *p >= 1024)
        .ok_or_else(|| ayllu_model::FieldError::new("port", Problem::PortOutOfRange))?;
    let port = state
        .facility
        .start(state.unlocked()?.store.clone(), listen, port)
        .await?;
    facility::remember(&*state.store()?, Some((listen, port)))?;
    state.facility.status(&*state.store()?)
}

#[tauri::command]
#[specta::specta]
pub async fn facility_stop(state: State<'_, AppState>) -> Result<FacilityStatus, UiError> {
    state.staff()?;
    state.facility.stop();
    facility::remember(&*state.store()?, None)?;
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
    role: ayllu_ops::facility::Role,
    days: u32,
) -> Result<NewEnrollment, UiError> {
    state.staff()?;
    let address = state.facility.address().ok_or(ayllu_ops::OpsError::HubOff)?;
    let grant = if communities.iter().all(|c| c.trim().is_empty()) {
        Grant::All
    } else {
        Grant::Only(communities)
    };
    let new = ayllu_ops::facility::new_code(&*state.store()?, &promotor, grant, role, days.into())?;
    // The phone pins the certificate: the whole SHA-256 in the QR, its short form in the code.
    let (code, cert) = (new.code, new.fingerprint);
    let link = format!("ayllu://enroll?hub={address}&code={code}&cert={cert}");
    Ok(NewEnrollment {
        qr_svg: facility::qr_svg(&link),
        code,
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
    ayllu_ops::facility::revoke(&*state.store()?, &device_id)?;
    state.facility.status(&*state.store()?)
}
