//! The Local Health Plan export: indicator tables as CSV, XLSX or a printable HTML report.

use std::path::{Path, PathBuf};

use ayllu_model::{FieldError, Problem};
use ayllu_store::Store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::OpsError;

/// The formats of the Local Health Plan export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Html,
    Csv,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<ExportFormat, String> {
        match s {
            "xlsx" => Ok(ExportFormat::Xlsx),
            "html" => Ok(ExportFormat::Html),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(format!("{s:?}: expected csv, xlsx or html")),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Exported {
    /// The file, or for CSV one file per table.
    pub files: Vec<PathBuf>,
    pub year: i32,
    /// The day the report counts ages and "pregnant" on (the year's end, or today).
    pub as_of: NaiveDate,
    pub tables: u32,
    pub households: u32,
}

/// Which year and community (none: all) a report covers.
pub struct Request {
    pub year: i32,
    pub community: Option<String>,
    pub format: ExportFormat,
}

impl Request {
    pub fn new(year: i32, community: Option<String>, format: ExportFormat) -> Request {
        Request {
            year,
            community: community.filter(|c| !c.trim().is_empty()),
            format,
        }
    }

    /// The name a file (CSV: a folder) gets when the person does not choose one:
    /// `indicadores-2026-ccorca.xlsx`, `informe-2026.html`, `indicadores-2026-csv`.
    pub fn file_name(&self) -> String {
        let year = self.year;
        let slug: String = self
            .community
            .as_deref()
            .map(|c| {
                format!(
                    "-{}",
                    ayllu_model::text::fold(c).replace(|ch: char| !ch.is_ascii_alphanumeric(), "-")
                )
            })
            .unwrap_or_default();
        match self.format {
            ExportFormat::Xlsx => format!("indicadores-{year}{slug}.xlsx"),
            ExportFormat::Html => format!("informe-{year}{slug}.html"),
            ExportFormat::Csv => format!("indicadores-{year}{slug}-csv"),
        }
    }

    /// Computes the tables and writes them to `out` (a folder for CSV, a file otherwise),
    /// creating the folder it goes in.
    pub fn write(&self, store: &Store, out: &Path, today: NaiveDate) -> Result<Exported, OpsError> {
        let (report, as_of, households) =
            compute(store, self.year, self.community.clone(), today, Audience::Staff)?;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(OpsError::io(dir))?;
        }
        let files = match self.format {
            ExportFormat::Csv => ayllu_report::write_csv(&report, out)?,
            ExportFormat::Xlsx => {
                ayllu_report::write_xlsx(&report, out)?;
                vec![out.to_path_buf()]
            }
            ExportFormat::Html => {
                ayllu_report::write_html(&report, out)?;
                vec![out.to_path_buf()]
            }
        };
        Ok(Exported {
            files,
            year: self.year,
            as_of,
            tables: report.tables.len() as u32,
            households,
        })
    }
}

/// Who reads the tables: staff every count; the CLAS committee with every count under 5
/// (and what would give it back) hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Committee,
}

/// The indicator tables of the facility (or one community) for `year`, as `audience`
/// reads them: the one computation behind the export and the hub's `/v1/report`.
pub fn indicators(
    store: &Store,
    year: i32,
    community: Option<String>,
    today: NaiveDate,
    audience: Audience,
) -> Result<ayllu_report::Report, OpsError> {
    Ok(compute(store, year, community, today, audience)?.0)
}

fn compute(
    store: &Store,
    year: i32,
    community: Option<String>,
    today: NaiveDate,
    audience: Audience,
) -> Result<(ayllu_report::Report, NaiveDate, u32), OpsError> {
    let period = ayllu_report::Period::year(year, today)
        .map_err(|_| FieldError::new("year", Problem::YearOutOfRange).with_detail(year.to_string()))?;
    let as_of = period.as_of;
    let census = store.census()?;
    let report = ayllu_report::compute(&census, &ayllu_report::Scope { period, community });
    let report = match audience {
        Audience::Staff => report,
        Audience::Committee => ayllu_report::for_committee(&report),
    };
    Ok((report, as_of, census.households.len() as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_named_by_year_and_community() {
        let named = |community: Option<&str>, format| {
            Request::new(2026, community.map(str::to_string), format).file_name()
        };
        assert_eq!(named(None, ExportFormat::Xlsx), "indicadores-2026.xlsx");
        assert_eq!(named(Some("  "), ExportFormat::Html), "informe-2026.html");
        assert_eq!(
            named(Some("Ccorca Alta Ñuñoa"), ExportFormat::Csv),
            "indicadores-2026-ccorca-alta-nunoa-csv"
        );
    }

    #[test]
    fn a_year_without_data_is_refused_naming_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::folder::open_or_create(dir.path(), "482913", ayllu_lock::Unlock::Pin).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let out = dir.path().join("x.xlsx");
        let e = Request::new(2031, None, ExportFormat::Xlsx)
            .write(&store, &out, today)
            .unwrap_err();
        assert_eq!(e.field_name(), Some("year"));
        assert!(!out.exists());
    }
}
