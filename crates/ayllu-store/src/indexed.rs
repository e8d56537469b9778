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

use automerge::iter::DocItem;
use automerge::{Automerge, AutomergeError, ChangeHash, ObjId, ObjType, Prop, ROOT, Value};
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

pub(crate) struct IndexedDoc<'d> {
    doc: &'d Automerge,
    /// By object: its entries if it is a map, `None` if it is not (then `get` asks the doc).
    /// Filled for every map reachable from the root in one walk, the first time any is read.
    maps: RefCell<Option<HashMap<ObjId, Option<Rc<Entries>>>>>,
}

impl<'d> IndexedDoc<'d> {
    pub(crate) fn new(doc: &'d Automerge) -> Self {
        IndexedDoc {
            doc,
            maps: RefCell::new(None),
        }
    }

    /// The document underneath.
    pub(crate) fn doc(&self) -> &'d Automerge {
        self.doc
    }

    /// Every map's visible entries, in one walk of the document: Automerge's own walk
    /// moves from object to object without seeking from the start of its columns again
    /// for each, which a `map_range` per map does.
    fn walk(doc: &Automerge) -> HashMap<ObjId, Option<Rc<Entries>>> {
        let mut maps: HashMap<ObjId, Entries> = HashMap::new();
        maps.insert(ROOT, Entries::new());
        for item in automerge::ReadDoc::iter(doc) {
            let DocItem::Map(entry) = item.item else {
                continue;
            };
            let (id, conflict) = (entry.id(), entry.conflict);
            let value = entry.value.into_value();
            if value == Value::Object(ObjType::Map) {
                // Known a map even if it turns out empty (the walk then yields nothing for it).
                maps.entry(id.clone()).or_default();
            }
            maps.entry((*item.obj).clone())
                .or_default()
                .insert(entry.key.into_owned(), Entry { value, id, conflict });
        }
        maps.into_iter().map(|(obj, e)| (obj, Some(Rc::new(e)))).collect()
    }

    /// The visible entries of `obj` if it is a map (read once, then kept).
    pub(crate) fn entries(&self, obj: &ObjId) -> Option<Rc<Entries>> {
        let mut maps = self.maps.borrow_mut();
        let maps = maps.get_or_insert_with(|| Self::walk(self.doc));
        if let Some(known) = maps.get(obj) {
            return known.clone();
        }
        // Not reached by the walk (inside a list, say): read on its own.
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
        maps.insert(obj.clone(), entries.clone());
        entries
    }
}

impl ReadDoc for IndexedDoc<'_> {
    type Parents<'a>
        = <Automerge as ReadDoc>::Parents<'a>
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
    use automerge::Automerge;
    use automerge::transaction::Transactable;
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
