//! A document read through an index of each map's keys, built the first time the map is
//! read.
//!
//! autosurgeon hydrates a struct field by field, each a `get` on its map, and Automerge
//! answers each `get` with a seek through the map's operations (decoding its columns from
//! the start): hydrating a household was a third of a sync's CPU, nearly all of it in those
//! seeks. Here a map's visible entries are read once, in one pass (`map_range`), and every
//! later `get` of a key of that map is a hash lookup. Everything else is Automerge's own
//! answer, unchanged.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::RangeBounds;
use std::rc::Rc;

use automerge::{AutomergeError, ChangeHash, ObjId, ObjType, Prop, Value};
use autosurgeon::ReadDoc;

/// One visible entry of a map.
pub(crate) struct Entry {
    pub(crate) value: Value<'static>,
    /// The operation that set it (for an object, the object's id).
    pub(crate) id: ObjId,
    /// Other values were written to this key concurrently (`get_all` has them all).
    pub(crate) conflict: bool,
}

/// One map's visible entries by key, in key order (as `map_range` gives them).
pub(crate) type Entries = BTreeMap<String, Entry>;

pub(crate) struct IndexedDoc<'d, D: ReadDoc> {
    doc: &'d D,
    /// By object: its entries if it is a map, `None` if it is not (then `get` asks the doc).
    maps: RefCell<HashMap<ObjId, Option<Rc<Entries>>>>,
}

impl<'d, D: ReadDoc> IndexedDoc<'d, D> {
    pub(crate) fn new(doc: &'d D) -> Self {
        IndexedDoc {
            doc,
            maps: RefCell::new(HashMap::new()),
        }
    }

    /// The document underneath.
    pub(crate) fn doc(&self) -> &'d D {
        self.doc
    }

    /// The visible entries of `obj` if it is a map (read once, then kept).
    pub(crate) fn entries(&self, obj: &ObjId) -> Option<Rc<Entries>> {
        if let Some(known) = self.maps.borrow().get(obj) {
            return known.clone();
        }
        let entries = (self.doc.object_type(obj) == Some(ObjType::Map)).then(|| {
            Rc::new(
                self.doc
                    .map_range(obj, ..)
                    .map(|item| {
                        let (id, conflict) = (item.id(), item.conflict);
                        let entry = Entry {
                            value: item.value.into_value(),
                            id,
                            conflict,
                        };
                        (item.key.into_owned(), entry)
                    })
                    .collect(),
            )
        });
        self.maps.borrow_mut().insert(obj.clone(), entries.clone());
        entries
    }
}

impl<D: ReadDoc> ReadDoc for IndexedDoc<'_, D> {
    type Parents<'a>
        = D::Parents<'a>
    where
        Self: 'a;

    fn get<P: Into<Prop>>(&self, obj: &ObjId, prop: P) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        let key = match prop.into() {
            Prop::Map(key) => key,
            seq => return self.doc.get(obj, seq),
        };
        match self.entries(obj) {
            Some(entries) => Ok(entries.get(&key).map(|e| (e.value.clone(), e.id.clone()))),
            None => self.doc.get(obj, key),
        }
    }

    // Everything else is the document's own answer.
    fn get_heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }
    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        self.doc.object_type(obj)
    }
    fn map_range<'a, O, R>(&'a self, obj: O, range: R) -> automerge::iter::MapRange<'a>
    where
        R: RangeBounds<String> + 'a,
        O: AsRef<ObjId>,
        R: RangeBounds<String>,
    {
        self.doc.map_range(obj, range)
    }
    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        self.doc.list_range(obj, range)
    }
    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        self.doc.length(obj)
    }
    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        self.doc.text(obj)
    }
    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        self.doc.parents(obj)
    }
    fn is_empty(&self) -> bool {
        self.doc.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use ayllu_model::Household;

    use super::*;

    /// Households of a census, each also edited concurrently by two actors (conflicting
    /// values, winners decided by Automerge): hydrated through the index, exactly as
    /// hydrated from the document.
    #[test]
    fn hydrating_through_the_index_gives_what_the_document_gives() {
        let mut census = ayllu_synth::Census::new(11, chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        for _ in 0..60 {
            let h = census.household();
            let mut doc = Automerge::new();
            doc.transact::<_, _, autosurgeon::ReconcileError>(|tx| autosurgeon::reconcile(tx, &h))
                .unwrap();
            let direct: Household = autosurgeon::hydrate(&doc).unwrap();
            assert_eq!(
                autosurgeon::hydrate::<_, Household>(&IndexedDoc::new(&doc)).unwrap(),
                direct
            );

            let mut other = doc.fork();
            for (d, address) in [(&mut doc, "Jr. Lima 1"), (&mut other, "Av. Cusco 2")] {
                let mut tx = d.transaction();
                let (_, info) = automerge::ReadDoc::get(&tx, ROOT, "info").unwrap().unwrap();
                tx.put(&info, "address", address).unwrap();
                tx.commit();
            }
            doc.merge(&mut other).unwrap();
            let direct: Household = autosurgeon::hydrate(&doc).unwrap();
            assert_eq!(
                autosurgeon::hydrate::<_, Household>(&IndexedDoc::new(&doc)).unwrap(),
                direct
            );
        }
    }
}
