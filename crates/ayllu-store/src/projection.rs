//! The query projection: flat tables derived from the household documents.
//!
//! Invariant: after any committed transaction, the projection equals what
//! [`rebuild`] would write from the documents alone.

use ayllu_model::text::search_key;
use ayllu_model::{Household, HouseholdId};
use rusqlite::{Connection, params};

use crate::StoreError;

/// The version of what [`write`] puts in the projection. Raise it whenever a projected
/// column is added or a fact is computed differently: a store whose projection was written
/// by an older version is rebuilt from the documents when opened.
pub const PROJECTION_VERSION: i64 = 3;

const TABLES: &[(&str, &str)] = &[
    ("households", "id"),
    ("members", "id"),
    ("visits", "id"),
    ("child_checks", "visit_id, member_id"),
    ("antenatal_checks", "visit_id, member_id"),
];

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Replaces every projected row of one household.
pub(crate) fn write(conn: &Connection, id: HouseholdId, h: &Household) -> Result<(), StoreError> {
    remove(conn, id)?;
    insert(conn, id, h)
}

/// Projects a household that has no rows yet (new to this store).
pub(crate) fn insert(conn: &Connection, id: HouseholdId, h: &Household) -> Result<(), StoreError> {
    let key = id.to_string();
    // Every top-level field by name: a new one fails to compile here until it is projected
    // (or said not to be, like the schema version).
    let ayllu_model::HouseholdParts {
        schema: _,
        info,
        members,
        visits,
        dissolved,
    } = h.parts();
    let housing = &info.housing;
    // A voided visit counts for nothing: not projected (the document keeps it).
    let last_visit = visits
        .values()
        .filter(|v| v.voided.is_none())
        .map(|v| v.date)
        .max();
    conn.prepare_cached(
        "INSERT INTO households (id, community, sector, address, gps_lat, gps_lon, water, sanitation, floor,
            walls, cooking_fuel, electricity, rooms, consent, member_count, last_visit, dissolved_on,
            dissolved_reason, merged_into)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?
    .execute(params![
        key,
        info.community.as_str(),
        info.sector.as_ref().map(|s| s.as_str()),
        info.address.as_str(),
        info.gps.map(|g| g.lat()),
        info.gps.map(|g| g.lon()),
        housing.water.map(|c| c.code()),
        housing.sanitation.map(|c| c.code()),
        housing.floor.map(|c| c.code()),
        housing.walls.map(|c| c.code()),
        housing.cooking_fuel.map(|c| c.code()),
        housing.electricity,
        housing.rooms.map(|r| r.get()),
        info.consent,
        members.len() as i64,
        last_visit.map(date),
        dissolved.as_ref().map(|d| date(d.on)),
        dissolved.as_ref().map(|d| d.reason.to_string()),
        dissolved
            .as_ref()
            .and_then(|d| d.merged_into)
            .map(|m| m.to_string()),
    ])?;

    let place = [
        Some(info.community.as_str()),
        info.sector.as_ref().map(|s| s.as_str()),
        Some(info.address.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let place = search_key(&place);
    // Dissolved households stay in the tables (reports count them as gone) but leave search.
    let searchable = dissolved.is_none();
    let mut search_stmt = conn.prepare_cached(
        "INSERT INTO search (household_id, member_id, name, place) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut search_row_stmt =
        conn.prepare_cached("INSERT INTO search_rows (household_id, fts_rowid) VALUES (?1, ?2)")?;
    let mut index = |member: Option<String>, name: String| -> Result<(), StoreError> {
        search_stmt.execute(params![key, member, name, place])?;
        search_row_stmt.execute(params![key, conn.last_insert_rowid()])?;
        Ok(())
    };
    if searchable {
        index(None, String::new())?;
    }

    let mut member_stmt = conn.prepare_cached(
        "INSERT INTO members (id, household_id, given_names, surnames, sex, birth_date, birth_estimated,
            relationship, dni, insurance, education, expected_delivery, mother_id, delivered_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for (mid, m) in members {
        member_stmt.execute(params![
            mid.to_string(),
            key,
            m.given_names.as_str(),
            m.surnames.as_str(),
            m.sex.code(),
            date(m.birth.date),
            m.birth.estimated,
            m.relationship.code(),
            m.dni.as_ref().map(|d| d.as_str()),
            m.insurance.code(),
            m.education.map(|e| e.code()),
            m.pregnancy.map(|p| date(p.expected_delivery)),
            m.mother.map(|id| id.to_string()),
            m.pregnancy.and_then(|p| p.delivery).map(|d| date(d.on)),
        ])?;
        if searchable {
            index(Some(mid.to_string()), search_key(&m.full_name()))?;
        }
    }

    let mut visit_stmt = conn.prepare_cached(
        "INSERT INTO visits (id, household_id, date, promotor, notes) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut child_stmt = conn.prepare_cached(
        "INSERT INTO child_checks (visit_id, member_id, household_id, visit_date, vaccination_card_seen,
            vaccines_up_to_date, growth_check_up_to_date, weight_g, length_mm, position, diarrhoea, ors, zinc,
            cough, fast_breathing, chest_indrawing, danger_signs, unable_to_drink, vomits_everything,
            convulsions, lethargic, fever, referral_reason, referral_attended_on, breastfeeding, iron,
            vitamin_a, danger_sign, pneumonia_signs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?;
    let mut anc_stmt = conn.prepare_cached(
        "INSERT INTO antenatal_checks (visit_id, member_id, household_id, visit_date, anc_card_seen,
            anc_up_to_date, gestational_weeks, iron_folic_acid, danger_signs, danger_sign, referral_reason,
            referral_attended_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for (vid, v) in visits.iter().filter(|(_, v)| v.voided.is_none()) {
        let vkey = vid.to_string();
        visit_stmt.execute(params![
            vkey,
            key,
            date(v.date),
            v.promotor.as_str(),
            v.notes.as_ref().map(|n| n.as_str())
        ])?;
        for (mid, c) in &v.child_checks {
            child_stmt.execute(params![
                vkey,
                mid.to_string(),
                key,
                date(v.date),
                c.vaccination_card_seen.known(),
                c.vaccines_up_to_date.known(),
                c.growth_check_up_to_date.known(),
                c.weight.map(|w| w.grams()),
                c.length.map(|l| l.mm()),
                c.length.map(|l| l.position().code()),
                c.diarrhoea.answer().known(),
                c.diarrhoea.get("ors").known(),
                c.diarrhoea.get("zinc").known(),
                c.cough.answer().known(),
                c.cough.get("fast_breathing").known(),
                c.cough.get("chest_indrawing").known(),
                c.danger_signs.answer().known(),
                c.danger_signs.get("unable_to_drink").known(),
                c.danger_signs.get("vomits_everything").known(),
                c.danger_signs.get("convulsions").known(),
                c.danger_signs.get("lethargic").known(),
                c.fever.known(),
                c.referral.as_ref().map(|r| r.reason.to_string()),
                c.referral.as_ref().and_then(|r| r.attended_on).map(date),
                c.breastfeeding.known(),
                c.iron.known(),
                c.vitamin_a.known(),
                // Facts the model derives, stored so no query restates them.
                c.danger_sign(),
                c.pneumonia().known(),
            ])?;
        }
        for (mid, a) in &v.antenatal_checks {
            anc_stmt.execute(params![
                vkey,
                mid.to_string(),
                key,
                date(v.date),
                a.anc_card_seen.known(),
                a.anc_up_to_date.known(),
                a.gestational_weeks.map(|w| w.get()),
                a.iron_folic_acid.known(),
                a.danger_signs.answer().known(),
                a.danger_sign(),
                a.referral.as_ref().map(|r| r.reason.to_string()),
                a.referral.as_ref().and_then(|r| r.attended_on).map(date),
            ])?;
        }
    }
    Ok(())
}

/// Removes every projected row of one household.
pub(crate) fn remove(conn: &Connection, id: HouseholdId) -> Result<(), StoreError> {
    let key = id.to_string();
    conn.prepare_cached("DELETE FROM households WHERE id = ?1")?
        .execute([&key])?;
    conn.prepare_cached(
        "DELETE FROM search WHERE rowid IN (SELECT fts_rowid FROM search_rows WHERE household_id = ?1)",
    )?
    .execute([&key])?;
    for table in [
        "members",
        "visits",
        "child_checks",
        "antenatal_checks",
        "search_rows",
    ] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE household_id = ?1"))?
            .execute([&key])?;
    }
    Ok(())
}

/// Empties the projection (before a rebuild).
pub(crate) fn clear(conn: &Connection) -> Result<(), StoreError> {
    for (table, _) in TABLES {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    conn.execute("DELETE FROM search", [])?;
    conn.execute("DELETE FROM search_rows", [])?;
    Ok(())
}

/// Every row of the projection in a stable order, for comparing two projections.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionDump {
    pub tables: Vec<(String, Vec<Vec<rusqlite::types::Value>>)>,
}

impl ProjectionDump {
    /// Rows of one projection table (`households`, `members`, `visits`, …); 0 if unknown.
    pub fn rows(&self, table: &str) -> usize {
        self.tables
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, rows)| rows.len())
    }
}

pub(crate) fn dump(conn: &Connection) -> Result<ProjectionDump, StoreError> {
    let mut tables = Vec::new();
    let mut queries: Vec<(String, String)> = TABLES
        .iter()
        .map(|(t, pk)| (t.to_string(), format!("SELECT * FROM {t} ORDER BY {pk}")))
        .collect();
    queries.push((
        "search".into(),
        "SELECT household_id, member_id, name, place FROM search ORDER BY household_id, member_id".into(),
    ));
    for (table, sql) in queries {
        let mut stmt = conn.prepare(&sql)?;
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })?
            .collect::<Result<Vec<_>, _>>()?;
        tables.push((table, rows));
    }
    Ok(ProjectionDump { tables })
}

#[cfg(test)]
#[path = "projection_tests.rs"]
mod scenarios;
