//! Automerge representations of chrono types (`#[autosurgeon(with = ...)]` adaptors).
//! Dates are stored as ISO 8601 strings so a document is readable with any Automerge tool.

use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
use chrono::NaiveDate;

fn parse_date(s: &str) -> Result<NaiveDate, HydrateError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| HydrateError::unexpected("a date (YYYY-MM-DD)", s.to_string()))
}

pub mod date {
    use super::*;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<NaiveDate, HydrateError> {
        let s = String::hydrate(doc, obj, prop)?;
        parse_date(&s)
    }

    pub fn reconcile<R: Reconciler>(date: &NaiveDate, mut r: R) -> Result<(), R::Error> {
        r.str(date.format("%Y-%m-%d").to_string())
    }
}

pub mod opt_date {
    use super::*;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<NaiveDate>, HydrateError> {
        Option::<String>::hydrate(doc, obj, prop)?
            .map(|s| parse_date(&s))
            .transpose()
    }

    pub fn reconcile<R: Reconciler>(date: &Option<NaiveDate>, mut r: R) -> Result<(), R::Error> {
        match date {
            Some(d) => r.str(d.format("%Y-%m-%d").to_string()),
            None => r.none(),
        }
    }
}

/// An optional field added after documents were written: a key that is missing reads as
/// `None` (autosurgeon's `Option` wants an explicit null).
pub mod missing_is_none {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    pub fn hydrate<D: ReadDoc, T: Hydrate>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<T>, HydrateError> {
        match doc.get(obj, &prop)? {
            None => Ok(None),
            Some(_) => Option::<T>::hydrate(doc, obj, prop),
        }
    }

    pub fn reconcile<R: Reconciler, T: Reconcile>(value: &Option<T>, r: R) -> Result<(), R::Error> {
        value.reconcile(r)
    }
}
