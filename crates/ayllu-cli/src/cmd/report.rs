//! `import`, `due`, `growth`, `export`: the census in and the numbers out.

use std::path::PathBuf;

use anyhow::Context as _;
use ayllu_ops::export::{self, ExportFormat};
use ayllu_ops::{record, settings, today};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::{Context, Failure, json};

#[derive(Subcommand)]
pub enum ImportCmd {
    /// A CSV with one row per member (columns: see docs/data-dictionary.md). Every row is
    /// checked; with any rejected row nothing is imported and each one is listed.
    Csv { file: PathBuf },
}

#[derive(Args)]
pub struct DueArgs {
    /// Only this community.
    #[arg(long)]
    community: Option<String>,
    /// Also what falls due in the next N days.
    #[arg(long, default_value_t = 0)]
    within: u64,
    /// The day to list for (default: today).
    #[arg(long)]
    on: Option<chrono::NaiveDate>,
}

#[derive(Args)]
pub struct GrowthArgs {
    /// M or F.
    #[arg(long)]
    sex: String,
    /// Completed days since birth (0–1826).
    #[arg(long)]
    age_days: i64,
    /// Weight in kg.
    #[arg(long)]
    weight: Option<f64>,
    /// Length or height in cm.
    #[arg(long)]
    height: Option<f64>,
    /// How the child was measured: lying or standing (unknown when left out).
    #[arg(long)]
    measured: Option<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The year the report covers.
    #[arg(long)]
    year: i32,
    /// Only this community.
    #[arg(long)]
    community: Option<String>,
    /// csv, xlsx or html.
    #[arg(long)]
    format: ExportFormat,
    /// Where to write: a folder for csv, a file for xlsx and html.
    #[arg(long)]
    out: PathBuf,
}

pub fn import(cx: &Context, cmd: ImportCmd) -> Result<Value, Failure> {
    let ImportCmd::Csv { file } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let mut store = cx.open()?;
    let who = settings::signature(&store, cx.promotor.as_deref())?;
    json(record::import_csv(&mut store, &who, &bytes, today())?)
}

pub fn due(cx: &Context, args: DueArgs) -> Result<Value, Failure> {
    let store = cx.open()?;
    json(ayllu_ops::view::due(
        &store,
        args.on.unwrap_or_else(today),
        args.community.as_deref(),
        args.within,
    )?)
}

pub fn growth(cx: &Context, a: GrowthArgs) -> Result<Value, Failure> {
    use ayllu_model::growth::{Measurement, assess};
    let m = Measurement::parse(&a.sex, a.age_days, a.weight, a.height, a.measured.as_deref())?;
    let assessment = assess(&m);
    let mut out = json(&assessment)?;
    let words: Vec<String> = assessment
        .classifications
        .iter()
        .map(|c| c.words(cx.lang))
        .chain(assessment.flags.iter().map(|f| f.words(cx.lang)))
        .collect();
    out["messages"] = json!(words);
    Ok(out)
}

pub fn export(cx: &Context, a: ExportArgs) -> Result<Value, Failure> {
    let store = cx.open()?;
    let written = export::Request::new(a.year, a.community, a.format).write(&store, &a.out, today())?;
    json(written)
}
