//! The visit wizard and the follow-up list.

use ayllu_model::{FieldError, HouseholdId, MemberId, Visit, VisitId};
use ayllu_ops::DueGroup;
use ayllu_ops::draft::{self, DraftRow};
use ayllu_ops::view::{self, PersonForm, VisitPreview};
use ayllu_ops::{record, today};
use tauri::State;

use super::AppState;
use crate::boundary::{Input, UiError};

#[tauri::command]
#[specta::specta]
pub async fn record_visit(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: Input<Visit>,
) -> Result<VisitId, UiError> {
    let visit = visit.parse()?;
    state.record(|store, who| {
        record::record_visit(store, who, household, visit, today(), record::Answers::Required)
    })
}

/// Corrects the answers of a saved visit (the wizard opened on it).
#[tauri::command]
#[specta::specta]
pub async fn correct_visit(
    state: State<'_, AppState>,
    household: HouseholdId,
    id: VisitId,
    visit: Input<Visit>,
) -> Result<(), UiError> {
    let visit = visit.parse()?;
    state.record(|store, who| {
        record::correct_visit(
            store,
            who,
            household,
            id,
            visit,
            today(),
            record::Answers::Required,
        )
    })
}

/// Checks a visit as it would be saved (new, or correcting a saved one), saving nothing:
/// the wizard calls it at each step so a mistake is shown next to its field before the
/// promotor moves on.
#[tauri::command]
#[specta::specta]
pub async fn check_visit(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: Input<Visit>,
    correcting: Option<VisitId>,
) -> Result<VisitPreview, UiError> {
    let visit = visit.parse()?;
    Ok(view::check_visit(
        &*state.store()?,
        household,
        visit,
        correcting,
        today(),
    )?)
}

/// Which questions each person of the visit is asked, from their answers so far (the
/// wizard calls it on every answer: skip logic lives here, in Rust).
#[tauri::command]
#[specta::specta]
pub async fn visit_form(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: Input<Visit>,
) -> Result<Vec<PersonForm>, UiError> {
    let visit = visit.parse()?;
    Ok(view::visit_form(&*state.store()?, household, &visit)?)
}

/// Keeps the visit in progress (the wizard's state, a JSON object) on this phone.
#[tauri::command]
#[specta::specta]
pub async fn save_visit_draft(
    state: State<'_, AppState>,
    household: HouseholdId,
    draft: String,
) -> Result<(), UiError> {
    Ok(draft::save(&*state.store()?, household, &draft)?)
}

/// The visit in progress for a household, to resume.
#[tauri::command]
#[specta::specta]
pub async fn visit_draft(
    state: State<'_, AppState>,
    household: HouseholdId,
) -> Result<Option<String>, UiError> {
    Ok(draft::load(&*state.store()?, household)?)
}

#[tauri::command]
#[specta::specta]
pub async fn discard_visit_draft(state: State<'_, AppState>, household: HouseholdId) -> Result<(), UiError> {
    Ok(draft::discard(&*state.store()?, household)?)
}

/// Every unfinished visit, for Today.
#[tauri::command]
#[specta::specta]
pub async fn visit_drafts(state: State<'_, AppState>) -> Result<Vec<DraftRow>, UiError> {
    Ok(draft::list(&*state.store()?)?)
}

/// Who is due for follow-up, by community, most urgent first; `within_days` adds what
/// falls due soon.
#[tauri::command]
#[specta::specta]
pub async fn due_list(
    state: State<'_, AppState>,
    community: Option<String>,
    within_days: u32,
) -> Result<Vec<DueGroup>, UiError> {
    Ok(view::due(
        &*state.store()?,
        today(),
        community.as_deref(),
        u64::from(within_days),
    )?)
}

/// Records that a referral made at a visit was attended, on `on` (dd/mm/aaaa or ISO).
#[tauri::command]
#[specta::specta]
pub async fn confirm_referral(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: VisitId,
    member: MemberId,
    on: String,
) -> Result<(), UiError> {
    let on = ayllu_model::date::parse(&on).map_err(|p| FieldError::new("referral.attended_on", p))?;
    state.record(|store, who| record::confirm_referral(store, who, household, visit, member, on, today()))
}

/// Takes back an "Acudió" tapped by mistake: the referral is open again.
#[tauri::command]
#[specta::specta]
pub async fn undo_referral_attended(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: VisitId,
    member: MemberId,
) -> Result<(), UiError> {
    state.record(|store, who| record::undo_referral_attended(store, who, household, visit, member, today()))
}

/// Voids a visit recorded by mistake, with why: kept in the record, counted for nothing.
#[tauri::command]
#[specta::specta]
pub async fn void_visit(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: VisitId,
    reason: String,
) -> Result<(), UiError> {
    state.record(|store, who| record::void_visit(store, who, household, visit, &reason, today()))
}
