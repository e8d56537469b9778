//! A value as the model would write it, as plain values: the reference a received document's
//! shape is checked against ([`crate::document`]).
//!
//! The same `Reconcile` code that writes households into documents runs here against plain
//! maps instead of an Automerge document: reconciling into a fresh document and reading it
//! back was a fifth of a sync's CPU. (autosurgeon does this internally for new documents;
//! it does not export it.)

use std::borrow::Cow;

use automerge::{ChangeHash, ObjType, ScalarValue, TextEncoding, ValueRef, hydrate};
use autosurgeon::Reconcile;
use autosurgeon::reconcile::{
    CounterReconciler, LoadKey, MapReconciler, Reconciler, SeqReconciler, StaleHeads, TextReconciler,
};

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct ReferenceError(#[from] StaleHeads);

/// `value` as the model writes it; `None` for a value that writes nothing.
pub(crate) fn of<R: Reconcile>(value: R) -> Result<Option<hydrate::Value>, ReferenceError> {
    let mut out = None;
    value.reconcile(Builder { out: &mut out })?;
    Ok(out)
}

struct Builder<'a> {
    out: &'a mut Option<hydrate::Value>,
}

impl Builder<'_> {
    fn scalar(&mut self, v: ScalarValue) -> Result<(), ReferenceError> {
        *self.out = Some(hydrate::Value::Scalar(v));
        Ok(())
    }
}

fn as_ref(v: &hydrate::Value) -> ValueRef<'static> {
    match v {
        hydrate::Value::Scalar(s) => ValueRef::from(s.clone()),
        hydrate::Value::Map(_) => ValueRef::Object(ObjType::Map),
        hydrate::Value::List(_) => ValueRef::Object(ObjType::List),
        hydrate::Value::Text(_) => ValueRef::Object(ObjType::Text),
    }
}

impl Reconciler for Builder<'_> {
    type Error = ReferenceError;
    type Map<'m>
        = Map<'m>
    where
        Self: 'm;
    type Seq<'s>
        = Seq<'s>
    where
        Self: 's;
    type Text<'t>
        = Text<'t>
    where
        Self: 't;
    type Counter<'c>
        = Counter<'c>
    where
        Self: 'c;

    fn none(&mut self) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Null)
    }
    fn bytes<B: AsRef<[u8]>>(&mut self, value: B) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Bytes(value.as_ref().to_vec()))
    }
    fn timestamp(&mut self, value: i64) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Timestamp(value))
    }
    fn boolean(&mut self, value: bool) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Boolean(value))
    }
    fn str<S: AsRef<str>>(&mut self, value: S) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Str(value.as_ref().into()))
    }
    fn u64(&mut self, value: u64) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Uint(value))
    }
    fn i64(&mut self, value: i64) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::Int(value))
    }
    fn f64(&mut self, value: f64) -> Result<(), Self::Error> {
        self.scalar(ScalarValue::F64(value))
    }
    fn map(&mut self) -> Result<Self::Map<'_>, Self::Error> {
        let hydrate::Value::Map(map) = self.out.insert(hydrate::Value::Map(hydrate::Map::default())) else {
            unreachable!("just inserted a map")
        };
        Ok(Map { map })
    }
    fn seq(&mut self) -> Result<Self::Seq<'_>, Self::Error> {
        Ok(Seq {
            items: Vec::new(),
            out: self.out,
        })
    }
    fn text(&mut self) -> Result<Self::Text<'_>, Self::Error> {
        Ok(Text {
            text: String::new(),
            out: self.out,
        })
    }
    fn counter(&mut self) -> Result<Self::Counter<'_>, Self::Error> {
        Ok(Counter {
            value: 0,
            out: self.out,
        })
    }
    fn heads(&self) -> &[ChangeHash] {
        // No document behind: nothing to be stale against.
        &[]
    }
}

struct Map<'a> {
    map: &'a mut hydrate::Map,
}

impl MapReconciler for Map<'_> {
    type Error = ReferenceError;
    type EntriesIter<'e>
        = std::vec::IntoIter<(Cow<'e, str>, ValueRef<'e>)>
    where
        Self: 'e;

    fn entries(&self) -> Self::EntriesIter<'_> {
        self.map
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), as_ref(&v.value)))
            .collect::<Vec<_>>()
            .into_iter()
    }
    fn entry<P: AsRef<str>>(&self, prop: P) -> Option<automerge::Value<'_>> {
        self.map.get(prop.as_ref()).map(automerge::Value::from)
    }
    fn put<R: Reconcile, P: AsRef<str>>(&mut self, prop: P, value: R) -> Result<(), Self::Error> {
        if let Some(value) = of(value)? {
            self.map.insert(
                prop.as_ref().to_string(),
                hydrate::MapValue {
                    value,
                    conflict: false,
                },
            );
        }
        Ok(())
    }
    fn delete<P: AsRef<str>>(&mut self, prop: P) -> Result<(), Self::Error> {
        self.map.remove(prop.as_ref());
        Ok(())
    }
    fn hydrate_entry_key<'k, R: Reconcile, P: AsRef<str>>(
        &self,
        _prop: P,
    ) -> Result<LoadKey<R::Key<'k>>, Self::Error> {
        // Built from nothing: no earlier entry has a key to match.
        Ok(LoadKey::KeyNotFound)
    }
}

/// A list, written when the reconciler is done with it (`hydrate::List` is built whole).
struct Seq<'a> {
    items: Vec<hydrate::Value>,
    out: &'a mut Option<hydrate::Value>,
}

impl Drop for Seq<'_> {
    fn drop(&mut self) {
        *self.out = Some(hydrate::Value::List(hydrate::List::from(std::mem::take(
            &mut self.items,
        ))));
    }
}

impl SeqReconciler for Seq<'_> {
    type Error = ReferenceError;
    type ItemIter<'i>
        = std::vec::IntoIter<ValueRef<'i>>
    where
        Self: 'i;

    fn items(&self) -> Self::ItemIter<'_> {
        self.items.iter().map(as_ref).collect::<Vec<_>>().into_iter()
    }
    fn get(&self, index: usize) -> Result<Option<automerge::Value<'_>>, Self::Error> {
        Ok(self.items.get(index).map(automerge::Value::from))
    }
    fn hydrate_item_key<'k, R: Reconcile>(&self, _index: usize) -> Result<LoadKey<R::Key<'k>>, Self::Error> {
        Ok(LoadKey::KeyNotFound)
    }
    fn insert<R: Reconcile>(&mut self, index: usize, value: R) -> Result<(), Self::Error> {
        if let Some(v) = of(value)? {
            self.items.insert(index.min(self.items.len()), v);
        }
        Ok(())
    }
    fn set<R: Reconcile>(&mut self, index: usize, value: R) -> Result<(), Self::Error> {
        if let (Some(v), Some(slot)) = (of(value)?, self.items.get_mut(index)) {
            *slot = v;
        }
        Ok(())
    }
    fn delete(&mut self, index: usize) -> Result<(), Self::Error> {
        if index < self.items.len() {
            self.items.remove(index);
        }
        Ok(())
    }
    fn len(&self) -> Result<usize, Self::Error> {
        Ok(self.items.len())
    }
}

struct Text<'a> {
    text: String,
    out: &'a mut Option<hydrate::Value>,
}

impl Drop for Text<'_> {
    fn drop(&mut self) {
        *self.out = Some(hydrate::Value::Text(hydrate::Text::new(
            TextEncoding::platform_default(),
            &self.text,
        )));
    }
}

impl TextReconciler for Text<'_> {
    type Error = ReferenceError;

    fn splice<S: AsRef<str>>(&mut self, pos: usize, delete: isize, insert: S) -> Result<(), Self::Error> {
        let at = |i: usize| {
            self.text
                .char_indices()
                .nth(i)
                .map_or(self.text.len(), |(b, _)| b)
        };
        let (start, end) = (at(pos), at(pos + delete.max(0) as usize));
        self.text.replace_range(start..end, insert.as_ref());
        Ok(())
    }
    fn heads(&self) -> &[ChangeHash] {
        &[]
    }
    fn update<S: AsRef<str>>(&mut self, new_text: S) -> Result<(), Self::Error> {
        self.text = new_text.as_ref().to_string();
        Ok(())
    }
}

struct Counter<'a> {
    value: i64,
    out: &'a mut Option<hydrate::Value>,
}

impl Drop for Counter<'_> {
    fn drop(&mut self) {
        *self.out = Some(hydrate::Value::Scalar(ScalarValue::Counter(self.value.into())));
    }
}

impl CounterReconciler for Counter<'_> {
    type Error = ReferenceError;

    fn increment(&mut self, by: i64) -> Result<(), Self::Error> {
        self.value += by;
        Ok(())
    }
    fn set(&mut self, value: i64) -> Result<(), Self::Error> {
        self.value = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use automerge::Automerge;

    /// The reference is what reconciling into a fresh document and reading it back gives,
    /// for every household of a synthetic census.
    #[test]
    fn the_reference_is_the_document_the_model_writes() {
        let mut census = ayllu_synth::Census::new(5, chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        for _ in 0..200 {
            let h = census.household();
            let mut doc = Automerge::new();
            doc.transact::<_, _, autosurgeon::ReconcileError>(|tx| autosurgeon::reconcile(tx, &h))
                .unwrap();
            assert_eq!(super::of(&h).unwrap(), Some(doc.hydrate(None)));
        }
    }
}
