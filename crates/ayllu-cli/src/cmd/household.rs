//! `household`, `member`, `visit`: recording and reading households.

use std::io::Read;

use anyhow::Context as _;
use ayllu_model::{FieldError, HouseholdId, Member, MemberId, NewHousehold, VisitId};
use ayllu_ops::{ListFilter, Signature, Store};
use ayllu_ops::{record, settings, today, view};
use clap::Subcommand;
use serde_json::{Value, json};

use crate::{Context, Failure, json};

#[derive(Subcommand)]
pub enum HouseholdCmd {
    /// Registers a household from JSON (file, or stdin with `-`).
    Add {
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Changes household fields with a JSON merge patch (only the fields given change).
    Edit {
        id: HouseholdId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    Show {
        id: HouseholdId,
    },
    List {
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        sector: Option<String>,
        /// Include dissolved households.
        #[arg(long)]
        all: bool,
    },
    /// Finds households by member name, DNI or place (accents ignored).
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Marks a household dissolved (a tombstone: it stays in history, leaves lists).
    Delete {
        id: HouseholdId,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        merged_into: Option<HouseholdId>,
    },
    /// Who changed the household, when.
    History {
        id: HouseholdId,
    },
    /// Settles a field changed at once on two devices (see `conflicts` in `show`).
    Resolve {
        id: HouseholdId,
        /// The field, as listed in `conflicts` (e.g. info.address).
        #[arg(long)]
        field: String,
        /// Index of the value to keep, in the order `show` lists them.
        #[arg(long)]
        choose: usize,
    },
}

#[derive(Subcommand)]
pub enum MemberCmd {
    /// Adds a member from JSON.
    Add {
        household: HouseholdId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Changes a member with a JSON merge patch.
    Edit {
        household: HouseholdId,
        member: MemberId,
        #[arg(long, default_value = "-")]
        file: String,
    },
}

#[derive(Subcommand)]
pub enum VisitCmd {
    /// Records a visit from JSON: date, notes, child_checks and antenatal_checks by member id.
    Record {
        household: HouseholdId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Corrects a saved visit from JSON (the whole visit, as `record` takes it).
    Correct {
        household: HouseholdId,
        #[arg(long)]
        visit: VisitId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Voids a visit recorded by mistake, with why (it stays in the record, counted for nothing).
    Void {
        household: HouseholdId,
        #[arg(long)]
        visit: VisitId,
        #[arg(long)]
        reason: String,
    },
    /// Confirms that a referral made at a visit was attended at the health post.
    Attended {
        household: HouseholdId,
        #[arg(long)]
        visit: VisitId,
        #[arg(long)]
        member: MemberId,
        /// The day they went (default: today).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
}

/// JSON from a file, or stdin with `-`.
fn read_json(file: &str) -> Result<Value, Failure> {
    let mut text = String::new();
    if file == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
    } else {
        text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    }
    Ok(FieldError::parse_json_str::<Value>(&text)?)
}

/// The store to change and who signs the change.
fn signed(cx: &Context) -> Result<(Store, Signature), Failure> {
    let store = cx.open()?;
    let who = settings::signature(&store, cx.promotor.as_deref())?;
    Ok((store, who))
}

fn show(store: &Store, id: HouseholdId) -> Result<Value, Failure> {
    json(view::stored(store, id)?)
}

pub fn household(cx: &Context, cmd: HouseholdCmd) -> Result<Value, Failure> {
    match cmd {
        HouseholdCmd::Add { file } => {
            let new = NewHousehold::from_json(read_json(&file)?)?;
            let (mut store, who) = signed(cx)?;
            json(record::create_household(&mut store, &who, new, today())?)
        }
        HouseholdCmd::Edit { id, file } => {
            let changes = read_json(&file)?;
            let (mut store, who) = signed(cx)?;
            record::patch_household(&mut store, &who, id, &changes)?;
            show(&store, id)
        }
        HouseholdCmd::Show { id } => show(&cx.open()?, id),
        HouseholdCmd::List {
            community,
            sector,
            all,
        } => {
            let filter = ListFilter {
                community,
                sector,
                include_dissolved: all,
            };
            let list = cx.open()?.list(&filter);
            json(list.map_err(ayllu_ops::OpsError::from)?)
        }
        HouseholdCmd::Search { query, limit } => {
            let hits = cx.open()?.search(&query, limit);
            json(hits.map_err(ayllu_ops::OpsError::from)?)
        }
        HouseholdCmd::Delete {
            id,
            reason,
            merged_into,
        } => {
            let (mut store, who) = signed(cx)?;
            record::dissolve(&mut store, &who, id, &reason, merged_into, today())?;
            show(&store, id)
        }
        HouseholdCmd::Resolve { id, field, choose } => {
            let (mut store, who) = signed(cx)?;
            record::resolve_conflict(&mut store, &who, id, &field, choose)?;
            show(&store, id)
        }
        HouseholdCmd::History { id } => {
            let history = cx.open()?.history(id);
            json(history.map_err(ayllu_ops::OpsError::from)?)
        }
    }
}

pub fn member(cx: &Context, cmd: MemberCmd) -> Result<Value, Failure> {
    match cmd {
        MemberCmd::Add { household, file } => {
            let member: Member = FieldError::parse_json(read_json(&file)?)?;
            let (mut store, who) = signed(cx)?;
            let id = record::add_member(&mut store, &who, household, member, today())?;
            Ok(json!({"household": household, "member": id}))
        }
        MemberCmd::Edit {
            household,
            member,
            file,
        } => {
            let changes = read_json(&file)?;
            let (mut store, who) = signed(cx)?;
            record::patch_member(&mut store, &who, household, member, &changes, today())?;
            show(&store, household)
        }
    }
}

pub fn visit(cx: &Context, cmd: VisitCmd) -> Result<Value, Failure> {
    match cmd {
        VisitCmd::Record { household, file } => {
            let input = read_json(&file)?;
            let (mut store, who) = signed(cx)?;
            let visit = record::visit_from_json(input, &who)?;
            let id = record::record_visit(
                &mut store,
                &who,
                household,
                visit,
                today(),
                record::Answers::AsGiven,
            )?;
            Ok(json!({"household": household, "visit": id}))
        }
        VisitCmd::Correct {
            household,
            visit,
            file,
        } => {
            let input = read_json(&file)?;
            let (mut store, who) = signed(cx)?;
            let corrected = record::visit_from_json(input, &who)?;
            record::correct_visit(
                &mut store,
                &who,
                household,
                visit,
                corrected,
                today(),
                record::Answers::AsGiven,
            )?;
            Ok(json!({"household": household, "visit": visit, "corrected": true}))
        }
        VisitCmd::Void {
            household,
            visit,
            reason,
        } => {
            let (mut store, who) = signed(cx)?;
            record::void_visit(&mut store, &who, household, visit, &reason, today())?;
            Ok(json!({"household": household, "visit": visit, "voided": true}))
        }
        VisitCmd::Attended {
            household,
            visit,
            member,
            on,
        } => {
            let (mut store, who) = signed(cx)?;
            let on = on.unwrap_or_else(today);
            record::confirm_referral(&mut store, &who, household, visit, member, on, today())?;
            Ok(json!({"household": household, "visit": visit, "member": member, "attended_on": on}))
        }
    }
}
