//! The commands the UI calls. Each is a thin call into `ayllu-model` / `ayllu-store` /
//! `ayllu-hub`, the same calls the `ayllu` CLI makes; none builds SQL or documents.
//! Argument and result types are exported to `ui/src/bindings.ts` by tauri-specta.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ayllu_model::codes::CodeOption;
use ayllu_model::followup::History;
use ayllu_model::growth::{self, Assessment, CurvePoint, Table};
use ayllu_model::{
    FieldError, Household, HouseholdId, HouseholdInfo, Member, MemberId, NewHousehold, PersonName, Problem,
    ShortText, Visit, VisitId,
};
use ayllu_store::{Conflict, DueFilter, DueGroup, DueItem, ListFilter, Place, SearchHit, Signature, Store};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::background::{self, Nudge, SyncStatus, SyncWorker};
use crate::boundary::{Input, UiError};
use crate::facility::{self, Facility, FacilityStatus, NewEnrollment};

pub struct AppState {
    pub store: Arc<Mutex<Store>>,
    pub data_dir: PathBuf,
    pub sync: SyncWorker,
    pub facility: Facility,
}

impl AppState {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One saved change to a household, signed by this device's promotor; the sync
    /// thread is told so the hub gets it a few seconds later.
    fn change<T>(
        &self,
        household: HouseholdId,
        op: &str,
        edit: impl FnOnce(&mut Household) -> Result<T, FieldError>,
    ) -> Result<T, UiError> {
        let out = {
            let mut store = self.store();
            let who = signature(&store)?;
            store.update(household, &who, op, edit)?
        };
        self.sync.nudge(Nudge::Saved);
        Ok(out)
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

const PROMOTOR: &str = "promotor";
const LANG: &str = "lang";

fn signature(store: &Store) -> Result<Signature, UiError> {
    let name = store
        .setting(PROMOTOR)?
        .ok_or_else(|| FieldError::new(PROMOTOR, Problem::Required))?;
    let promotor = PersonName::parse(&name).map_err(|p| FieldError::new(PROMOTOR, p))?;
    Ok(Signature::now(promotor))
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub device_id: String,
    /// The promotor signing records made here; `None` until set on first start.
    pub promotor: Option<String>,
    pub lang: String,
    pub data_dir: String,
    pub facility: bool,
    pub today: chrono::NaiveDate,
}

fn info(state: &AppState, store: &Store) -> Result<AppInfo, UiError> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        device_id: store.device_id().to_string(),
        promotor: store.setting(PROMOTOR)?,
        lang: store.setting(LANG)?.unwrap_or_else(|| "es".into()),
        data_dir: state.data_dir.display().to_string(),
        facility: store.setting(facility::ENABLED)?.as_deref() == Some("true"),
        today: today(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, UiError> {
    info(&state, &state.store())
}

/// Every code list with Spanish and English labels.
#[tauri::command]
#[specta::specta]
pub async fn code_lists() -> Result<BTreeMap<String, Vec<CodeOption>>, UiError> {
    Ok(ayllu_model::codes::catalogue())
}

/// Saves a setting: `promotor` (a person's name) or `lang` (`es` or `en`).
#[tauri::command]
#[specta::specta]
pub async fn set_setting(state: State<'_, AppState>, key: String, value: String) -> Result<AppInfo, UiError> {
    let store = state.store();
    match key.as_str() {
        PROMOTOR => {
            let name = PersonName::parse(&value).map_err(|p| FieldError::new(PROMOTOR, p))?;
            store.set_setting(PROMOTOR, name.as_str())?;
        }
        LANG if value == "es" || value == "en" => store.set_setting(LANG, &value)?,
        LANG => return Err(FieldError::new(LANG, Problem::UnknownCode).into()),
        _ => return Err(FieldError::new(key, Problem::UnknownField).into()),
    }
    info(&state, &store)
}

#[tauri::command]
#[specta::specta]
pub async fn places(state: State<'_, AppState>) -> Result<Vec<Place>, UiError> {
    Ok(state.store().places()?)
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
    let store = state.store();
    let in_place = |h: &SearchHit| {
        community.as_ref().is_none_or(|c| &h.household.community == c)
            && sector
                .as_ref()
                .is_none_or(|s| h.household.sector.as_ref() == Some(s))
    };
    if query.trim().is_empty() {
        let filter = ListFilter {
            community: community.clone(),
            sector: sector.clone(),
            include_dissolved: false,
        };
        return Ok(store
            .list(&filter)?
            .into_iter()
            .map(|household| SearchHit {
                household,
                matched_members: Vec::new(),
            })
            .collect());
    }
    Ok(store.search(&query, 200)?.into_iter().filter(in_place).collect())
}

/// A member as the household screen lists it.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct MemberRow {
    pub id: MemberId,
    pub member: Member,
    pub age_years: i32,
    /// Completed months, for children.
    pub age_months: i32,
    pub under_five: bool,
    /// Pregnant today (an expected delivery date not yet past).
    pub pregnant: bool,
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct VisitRow {
    pub id: VisitId,
    pub visit: Visit,
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct HouseholdView {
    pub id: HouseholdId,
    pub info: HouseholdInfo,
    pub dissolved: bool,
    /// Head first, then by age (oldest first).
    pub members: Vec<MemberRow>,
    /// Newest first.
    pub visits: Vec<VisitRow>,
    /// Fields two people changed at once, to review.
    pub conflicts: Vec<Conflict>,
    /// What is due for its members (today and the coming week), most urgent first.
    pub due: Vec<DueItem>,
    /// A growth chart for each child under five.
    pub growth: Vec<ChildGrowth>,
}

/// One measurement on a child's chart.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct GrowthPoint {
    pub date: chrono::NaiveDate,
    pub visit: VisitId,
    pub assessment: Assessment,
}

/// A child's measurements over WHO's curves for its sex.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct ChildGrowth {
    pub member: MemberId,
    pub name: String,
    pub sex: ayllu_model::Sex,
    /// The chart's age axis ends here (days).
    pub until_day: i64,
    pub length_for_age: Vec<CurvePoint>,
    pub weight_for_age: Vec<CurvePoint>,
    /// Oldest first.
    pub points: Vec<GrowthPoint>,
}

/// Chart width: the child's age plus a few months, in 6-month steps, at least a year.
fn chart_until_day(age_days: i64) -> i64 {
    let months = (age_days as f64 / growth::DAYS_PER_MONTH + 3.0) / 6.0;
    let months = (months.ceil() * 6.0).clamp(12.0, 60.0);
    ((months * growth::DAYS_PER_MONTH) as i64).min(growth::LAST_DAY)
}

fn child_growth(id: MemberId, member: &Member, h: &Household, today: chrono::NaiveDate) -> ChildGrowth {
    let history = History::of_member(
        member,
        h.visits
            .iter()
            .map(|(vid, v)| (*vid, v.date, v.child_checks.get(&id), None)),
    );
    let points = history
        .child_checks
        .iter()
        .filter(|c| c.weight_kg.is_some() || c.length.is_some())
        .map(|c| GrowthPoint {
            date: c.date,
            visit: c.visit,
            assessment: history.assess(c),
        })
        .collect();
    let until_day = chart_until_day(member.age_days_at(today));
    let every = if until_day <= 400 { 7 } else { 14 };
    ChildGrowth {
        member: id,
        name: member.full_name(),
        sex: member.sex,
        until_day,
        length_for_age: growth::age_curves(Table::LengthHeightForAge, member.sex, until_day, every),
        weight_for_age: growth::age_curves(Table::WeightForAge, member.sex, until_day, every),
        points,
    }
}

fn view(id: HouseholdId, h: Household, conflicts: Vec<Conflict>) -> HouseholdView {
    let today = today();
    let due = DueItem::for_household(id, &h, today, 7);
    let growth = h
        .members
        .iter()
        .filter(|(_, m)| m.is_under_five_at(today))
        .map(|(mid, m)| child_growth(*mid, m, &h, today))
        .collect();
    let mut members: Vec<MemberRow> = h
        .members
        .into_iter()
        .map(|(id, member)| {
            let days = member.age_days_at(today);
            MemberRow {
                id,
                age_years: member.age_years_at(today),
                age_months: (days as f64 / 30.4375).floor() as i32,
                under_five: member.is_under_five_at(today),
                pregnant: member.is_pregnant_on(today),
                member,
            }
        })
        .collect();
    members.sort_by_key(|m| {
        (
            m.member.relationship != ayllu_model::Relationship::Head,
            m.member.birth.date,
        )
    });
    let mut visits: Vec<VisitRow> = h
        .visits
        .into_iter()
        .map(|(id, visit)| VisitRow { id, visit })
        .collect();
    visits.sort_by_key(|v| std::cmp::Reverse(v.visit.date));
    HouseholdView {
        id,
        info: h.info,
        dissolved: h.dissolved.is_some(),
        members,
        visits,
        conflicts,
        due,
        growth,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn household(state: State<'_, AppState>, id: HouseholdId) -> Result<HouseholdView, UiError> {
    let store = state.store();
    let h = store
        .household(id)?
        .ok_or_else(|| FieldError::new("household", Problem::NotFound))?;
    Ok(view(id, h, store.conflicts(id)?))
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct Created {
    pub household: HouseholdId,
    pub members: Vec<MemberId>,
}

#[tauri::command]
#[specta::specta]
pub async fn create_household(
    state: State<'_, AppState>,
    input: Input<NewHousehold>,
) -> Result<Created, UiError> {
    let new = NewHousehold::from_json(input.json())?;
    let created = {
        let mut store = state.store();
        let who = signature(&store)?;
        let (household, members) = store.create_household(new, today(), &who)?;
        Created { household, members }
    };
    state.sync.nudge(Nudge::Saved);
    Ok(created)
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
    state.change(id, "household.edit", |h| h.set_info(info))?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn add_member(
    state: State<'_, AppState>,
    household: HouseholdId,
    member: Input<Member>,
) -> Result<MemberId, UiError> {
    let member = member.parse()?;
    let id = MemberId::new();
    state.change(household, "member.add", |h| h.add_member(id, member, today()))?;
    Ok(id)
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
    state.change(household, "member.edit", |h| h.edit_member(id, member, today()))?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn record_visit(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: Input<Visit>,
) -> Result<VisitId, UiError> {
    let visit = visit.parse()?;
    let id = VisitId::new();
    state.change(household, "visit.record", |h| h.record_visit(id, visit, today()))?;
    Ok(id)
}

/// What a visit will mean once saved: each measured child's z-scores, and what falls due
/// for the people checked (the wizard's summary shows both before saving).
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct VisitPreview {
    pub growth: Vec<GrowthPreview>,
    pub due: Vec<DueItem>,
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct GrowthPreview {
    pub member: MemberId,
    pub assessment: Assessment,
}

/// Checks a visit as it would be saved, saving nothing: the wizard calls it at each step
/// so a mistake is shown next to its field before the promotor moves on.
#[tauri::command]
#[specta::specta]
pub async fn check_visit(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: Input<Visit>,
) -> Result<VisitPreview, UiError> {
    let visit = visit.parse()?;
    let mut h = state
        .store()
        .household(household)?
        .ok_or_else(|| FieldError::new("household", Problem::NotFound))?;
    let today = today();
    let seen: Vec<MemberId> = visit
        .child_checks
        .keys()
        .chain(visit.antenatal_checks.keys())
        .copied()
        .collect();
    let visit_id = VisitId::new();
    h.record_visit(visit_id, visit, today)?;
    let growth = seen
        .iter()
        .filter_map(|id| {
            let member = h.members.get(id)?;
            let history = History::of_member(
                member,
                h.visits
                    .iter()
                    .map(|(vid, v)| (*vid, v.date, v.child_checks.get(id), None)),
            );
            let (_, assessment) = history.latest_growth()?;
            Some(GrowthPreview {
                member: *id,
                assessment,
            })
        })
        .collect();
    let due = DueItem::for_household(household, &h, today, 2)
        .into_iter()
        .filter(|d| d.visit == Some(visit_id))
        .collect();
    Ok(VisitPreview { growth, due })
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
    let filter = DueFilter {
        community: community.filter(|c| !c.trim().is_empty()),
        within_days: u64::from(within_days.min(366)),
    };
    Ok(state.store().due(today(), &filter)?)
}

/// Records that a referral made at a visit was attended, on `on` (YYYY-MM-DD).
#[tauri::command]
#[specta::specta]
pub async fn confirm_referral(
    state: State<'_, AppState>,
    household: HouseholdId,
    visit: VisitId,
    member: MemberId,
    on: String,
) -> Result<(), UiError> {
    let on = chrono::NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new("referral.attended_on", Problem::InvalidDate))?;
    state.change(household, "visit.referral_attended", |h| {
        h.confirm_referral(visit, member, on, today())
    })?;
    Ok(())
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
    {
        let mut store = state.store();
        let who = signature(&store)?;
        store.resolve_conflict(household, &who, &field, choice as usize)?;
    }
    state.sync.nudge(Nudge::Saved);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    Ok(state.sync.status())
}

/// A household the hub would not take (or that this phone would not take from the hub),
/// where it is, and why in words.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct RefusedHousehold {
    pub household: ayllu_model::HouseholdId,
    /// "Community · address", as the lists show it.
    pub place: String,
    pub direction: ayllu_store::Direction,
    pub code: String,
    pub es: String,
    pub en: String,
}

/// Households that could not be sent (or received), with the reason: they stay on this
/// phone and are offered again at every sync.
#[tauri::command]
#[specta::specta]
pub async fn sync_refusals(state: State<'_, AppState>) -> Result<Vec<RefusedHousehold>, UiError> {
    let store = state.store();
    let Some(peer) = background::hub_peer(&store) else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for r in store.sync_refusals(&peer)? {
        let place = store
            .household(r.household_id)?
            .map(|h| format!("{} · {}", h.info.community, h.info.address))
            .unwrap_or_default();
        let (es, en) = ayllu_sync::wire::RefusalCode::from_code(&r.code)
            .map(|c| c.words())
            .unwrap_or(("el registro no es válido", "the record is not valid"));
        out.push(RefusedHousehold {
            household: r.household_id,
            place,
            direction: r.direction,
            code: r.code,
            es: es.into(),
            en: en.into(),
        });
    }
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    state.sync.nudge(Nudge::Now);
    Ok(state.sync.status())
}

/// Enrolls this device with a hub using a one-time code from the health post, then
/// syncs at once.
#[tauri::command]
#[specta::specta]
pub async fn enroll(
    state: State<'_, AppState>,
    hub_url: String,
    code: String,
) -> Result<SyncStatus, UiError> {
    let url = hub_url.trim().trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 200 {
        return Err(UiError {
            field: "hub_url".into(),
            code: "bad_url".into(),
            es: "Escriba la dirección del hub, por ejemplo http://192.168.1.20:8470".into(),
            en: "Type the hub's address, for example http://192.168.1.20:8470".into(),
        });
    }
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.len() > 40 {
        return Err(UiError {
            field: "code".into(),
            code: "bad_code".into(),
            es: "Escriba el código de registro que le dieron en el puesto de salud.".into(),
            en: "Type the enrollment code the health post gave you.".into(),
        });
    }
    let (actor, key, name) = {
        let store = state.store();
        let name = store.setting(PROMOTOR)?.unwrap_or_else(|| "Ayllu".into());
        (store.actor().to_hex_string(), store.public_key_hex(), name)
    };
    // The network call runs without the store locked and off the async workers.
    // (reqwest's blocking client must be made and dropped outside the async runtime.)
    let hub = url.clone();
    let enrolled = tauri::async_runtime::spawn_blocking(move || {
        ayllu_sync::http::HubClient::new(&hub, None).enroll_as(&code, &actor, &key, &name)
    })
    .await
    .map_err(|e| UiError::other("internal", e.to_string(), e.to_string()))?
    .map_err(|e| match e {
        ayllu_sync::http::ClientError::Refused { status: 401, .. } => UiError {
            field: "code".into(),
            code: "enroll_refused".into(),
            es: "El código no es válido, ya se usó o venció. Pida uno nuevo en el puesto de salud.".into(),
            en: "The code is not valid, was already used or has expired. Ask the health post for a new one."
                .into(),
        },
        other => {
            let (es, en) = background::plain_words(&other);
            UiError {
                field: "hub_url".into(),
                code: "enroll_failed".into(),
                es,
                en,
            }
        }
    })?;
    {
        let store = state.store();
        enrolled.save(&store, &url)?;
    }
    state.sync.nudge(Nudge::Now);
    Ok(state.sync.status())
}

#[tauri::command]
#[specta::specta]
pub async fn facility_status(state: State<'_, AppState>) -> Result<FacilityStatus, UiError> {
    state.facility.status(&state.store())
}

/// Switches facility mode on: this app becomes the hub, now and at every start.
#[tauri::command]
#[specta::specta]
pub async fn facility_start(state: State<'_, AppState>, port: u32) -> Result<FacilityStatus, UiError> {
    let port = u16::try_from(port)
        .ok()
        .filter(|p| *p >= 1024)
        .ok_or_else(|| UiError {
            field: "port".into(),
            code: "bad_port".into(),
            es: "El puerto debe ser un número entre 1024 y 65535.".into(),
            en: "The port must be a number between 1024 and 65535.".into(),
        })?;
    let port = state.facility.start(state.store.clone(), port).await?;
    {
        let store = state.store();
        store.set_setting(facility::ENABLED, "true")?;
        store.set_setting(facility::PORT, &port.to_string())?;
    }
    state.facility.status(&state.store())
}

#[tauri::command]
#[specta::specta]
pub async fn facility_stop(state: State<'_, AppState>) -> Result<FacilityStatus, UiError> {
    state.facility.stop();
    state.store().set_setting(facility::ENABLED, "false")?;
    state.facility.status(&state.store())
}

/// A one-time enrollment code for a promotor's phone, limited to some communities
/// (none: all), valid for `days`.
#[tauri::command]
#[specta::specta]
pub async fn facility_new_code(
    state: State<'_, AppState>,
    promotor: String,
    communities: Vec<String>,
    days: u32,
) -> Result<NewEnrollment, UiError> {
    let address = state.facility.address().ok_or_else(|| {
        UiError::other(
            "hub_off",
            "Primero active el modo puesto de salud.",
            "Switch facility mode on first.",
        )
    })?;
    let promotor = PersonName::parse(&promotor).map_err(|p| FieldError::new("promotor", p))?;
    let communities = communities
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| ShortText::parse(c).map_err(|p| FieldError::new("communities", p)))
        .collect::<Result<Vec<_>, _>>()?;
    if !ayllu_hub::admin::CODE_VALID_DAYS.contains(&i64::from(days)) {
        return Err(FieldError::new("days", ayllu_model::Problem::CodeDaysOutOfRange).into());
    }
    // The screen says so beside the field: left empty, the code grants every community.
    let grant = if communities.is_empty() {
        ayllu_hub::admin::Communities::All
    } else {
        ayllu_hub::admin::Communities::Only(communities)
    };
    let code = ayllu_hub::admin::enroll(
        &state.store(),
        &promotor,
        &grant,
        chrono::Duration::days(days.into()),
    )
    .map_err(facility::admin_error)?;
    let link = format!("ayllu://enroll?hub={address}&code={code}");
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
    ayllu_hub::admin::revoke(&state.store(), &device_id).map_err(facility::admin_error)?;
    state.facility.status(&state.store())
}

/// The formats of the Local Health Plan export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Html,
    Csv,
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct Exported {
    /// What was written: the file, or for CSV one file per table.
    pub files: Vec<String>,
    pub year: i32,
    pub households: u32,
}

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
    let period = ayllu_report::Period::year(year, today())
        .map_err(|_| FieldError::new("year", Problem::YearOutOfRange))?;
    let community = community.filter(|c| !c.trim().is_empty());
    let slug: String = community
        .as_deref()
        .map(|c| {
            format!(
                "-{}",
                ayllu_model::text::fold(c).replace(|ch: char| !ch.is_ascii_alphanumeric(), "-")
            )
        })
        .unwrap_or_default();
    let name = match format {
        ExportFormat::Xlsx => format!("indicadores-{year}{slug}.xlsx"),
        ExportFormat::Html => format!("informe-{year}{slug}.html"),
        ExportFormat::Csv => format!("indicadores-{year}{slug}-csv"),
    };
    let target = if choose {
        let dialog = app.dialog().file().set_file_name(&name);
        let picked = tauri::async_runtime::spawn_blocking(move || match format {
            ExportFormat::Csv => dialog.blocking_pick_folder(),
            ExportFormat::Xlsx => dialog.add_filter("Excel", &["xlsx"]).blocking_save_file(),
            ExportFormat::Html => dialog.add_filter("HTML", &["html"]).blocking_save_file(),
        })
        .await
        .map_err(|e| UiError::other("internal", e.to_string(), e.to_string()))?;
        let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
            return Ok(None);
        };
        if format == ExportFormat::Csv {
            path.join(&name)
        } else {
            path
        }
    } else {
        state.data_dir.join("exportes").join(&name)
    };
    let census = state
        .store()
        .census()
        .map_err(|e| UiError::other("export_failed", e.to_string(), e.to_string()))?;
    let households = census.households.len() as u32;
    let report = ayllu_report::compute(&census, &ayllu_report::Scope { period, community });
    let failed = |e: ayllu_report::ReportError| {
        UiError::other(
            "export_failed",
            format!("No se pudo guardar: {e}"),
            format!("Could not save: {e}"),
        )
    };
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            failed(ayllu_report::ReportError::Write {
                path: dir.display().to_string(),
                source: e,
            })
        })?;
    }
    let files = match format {
        ExportFormat::Csv => ayllu_report::write_csv(&report, &target).map_err(failed)?,
        ExportFormat::Xlsx => {
            ayllu_report::write_xlsx(&report, &target).map_err(failed)?;
            vec![target]
        }
        ExportFormat::Html => {
            ayllu_report::write_html(&report, &target).map_err(failed)?;
            vec![target]
        }
    };
    Ok(Some(Exported {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        year,
        households,
    }))
}
