//! The households list, the household screen, and the forms that change a household.

use ayllu_model::{Birth, HouseholdId, HouseholdInfo, Member, MemberId, NewHousehold};
use ayllu_ops::record::{self, Created, DeliveryRecord};
use ayllu_ops::today;
use ayllu_ops::view::{self, HouseholdView};
use ayllu_ops::{Place, SearchHit};
use tauri::State;

use super::AppState;
use crate::boundary::{Input, UiError};

#[tauri::command]
#[specta::specta]
pub async fn places(state: State<'_, AppState>) -> Result<Vec<Place>, UiError> {
    Ok(state.store()?.places()?)
}

/// Households matching `query` (a name, a DNI, a place; accents ignored), or all of them
/// when it is empty, within a community and sector when given.
#[tauri::command]
#[specta::specta]
pub async fn find_households(
    state: State<'_, AppState>,
    query: String,
    community: Option<String>,
    sector: Option<String>,
) -> Result<Vec<SearchHit>, UiError> {
    Ok(view::find(
        &*state.store()?,
        &query,
        community.as_deref(),
        sector.as_deref(),
    )?)
}

#[tauri::command]
#[specta::specta]
pub async fn household(state: State<'_, AppState>, id: HouseholdId) -> Result<HouseholdView, UiError> {
    Ok(view::household(&*state.store()?, id, today())?)
}

/// Who changed which field of a household and when, newest first (on the health post's
/// computer, with the device each change came from).
#[tauri::command]
#[specta::specta]
pub async fn household_history(
    state: State<'_, AppState>,
    id: HouseholdId,
) -> Result<Vec<ayllu_ops::history::HistoryLine>, UiError> {
    Ok(ayllu_ops::history::household_history(&*state.store()?, id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_household(
    state: State<'_, AppState>,
    input: Input<NewHousehold>,
) -> Result<Created, UiError> {
    let new = NewHousehold::from_json(input.json())?;
    state.record(|store, who| record::create_household(store, who, new, today()))
}

/// Saves a household's place and housing census. Only fields that differ are written,
/// so an edit made elsewhere to another field survives the merge.
#[tauri::command]
#[specta::specta]
pub async fn edit_household(
    state: State<'_, AppState>,
    id: HouseholdId,
    info: Input<HouseholdInfo>,
) -> Result<(), UiError> {
    let info = info.parse()?;
    state.record(|store, who| record::edit_household(store, who, id, info))
}

#[tauri::command]
#[specta::specta]
pub async fn add_member(
    state: State<'_, AppState>,
    household: HouseholdId,
    member: Input<Member>,
) -> Result<MemberId, UiError> {
    let member = member.parse()?;
    state.record(|store, who| record::add_member(store, who, household, member, today()))
}

#[tauri::command]
#[specta::specta]
pub async fn edit_member(
    state: State<'_, AppState>,
    household: HouseholdId,
    id: MemberId,
    member: Input<Member>,
) -> Result<(), UiError> {
    let member = member.parse()?;
    state.record(|store, who| record::edit_member(store, who, household, id, member, today()))
}

/// Keeps value number `choice` of a field two people changed at once.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    household: HouseholdId,
    field: String,
    choice: u32,
) -> Result<(), UiError> {
    state.record(|store, who| record::resolve_conflict(store, who, household, &field, choice as usize))
}

/// A birth date from an age as the family states it ("34" years, "8" months), marked
/// estimated: the member form fills the date with it.
#[tauri::command]
#[specta::specta]
pub async fn birth_from_age(amount: String, unit: String) -> Result<Birth, UiError> {
    Ok(record::birth_from_age(&amount, &unit, today())?)
}

/// Weeks of pregnancy today → the expected delivery date (the member form fills it).
#[tauri::command]
#[specta::specta]
pub async fn expected_delivery_from_weeks(weeks: String) -> Result<chrono::NaiveDate, UiError> {
    Ok(record::expected_delivery_from_weeks(&weeks, today())?)
}

/// Records how a woman's pregnancy ended and registers the newborn (born alive).
#[tauri::command]
#[specta::specta]
pub async fn record_delivery(
    state: State<'_, AppState>,
    household: HouseholdId,
    mother: MemberId,
    record: Input<DeliveryRecord>,
) -> Result<Option<MemberId>, UiError> {
    let record = record.parse()?;
    state.record(|store, who| record::record_delivery(store, who, household, mother, record, today()))
}
