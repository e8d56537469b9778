//! # ayllu-report
//!
//! The indicator tables the CLAS committee plans with (the Local Health Plan): computed from
//! the store's projection for a year, by community, sector and in total, and written as CSV
//! (one file per table), XLSX (one sheet per table) and a printable HTML report.
//!
//! [`Census`] is the plain-row input (loaded from a store, or built by hand in tests);
//! [`compute`] is pure; the writers only format.

mod committee;
mod html;
mod indicators;
mod output;
mod table;

pub use ayllu_store::{Census, CheckRow, HouseholdRow, PersonRow, VisitRow};
pub use committee::{SMALL_CELL, for_committee};
pub use html::html;
pub use indicators::{
    AGE_GROUPS, CHILD_INDICATORS, ChildPeriod, Counted, HOUSEHOLD_INDICATORS, Indicator, MotherEducation,
    Period, Report, Scope, Unit, compute, short_title,
};
pub use output::{write_csv, write_html, write_xlsx, xlsx_bytes};
pub use table::{Cell, Column, Rate, SMALL_DENOMINATOR, Table};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("year {0} is not a year with data (2000 up to this year)")]
    Year(i32),
    #[error("reading the store: {0}")]
    Store(#[from] ayllu_store::StoreError),
    #[error("writing {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
