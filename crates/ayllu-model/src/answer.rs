//! Answers to checklist questions: yes, no, or not asked. "Not asked" is an answer of its
//! own so that a question skipped on a visit can never be counted as "no" (a skipped
//! "¿Convulsiones?" read as "no" is a false negative in a child's record).
//!
//! In a document an answer is a boolean, or null when not asked: documents written before
//! answers were tri-state (every answer a boolean) read as they were written. A question
//! that opens others (diarrhoea → ORS, zinc) is a [`Gated`] map; see there for its forms.

use autosurgeon::{Hydrate, HydrateError, ReadDoc, Reconcile, Reconciler, reconcile::MapReconciler};
use serde::{Deserialize, Serialize};

/// The answer to one yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Never asked (or skipped): counts neither as yes nor as no.
    #[default]
    NotAsked,
    No,
    Yes,
}

impl Answer {
    /// Every answer, in the order a form offers them.
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::No, Answer::NotAsked];

    pub fn is_yes(self) -> bool {
        self == Answer::Yes
    }

    pub fn is_answered(self) -> bool {
        self != Answer::NotAsked
    }

    /// `Some(true)` for yes, `Some(false)` for no, `None` when not asked (how the store
    /// projects it: a nullable column).
    pub fn known(self) -> Option<bool> {
        match self {
            Answer::Yes => Some(true),
            Answer::No => Some(false),
            Answer::NotAsked => None,
        }
    }

    /// The stable code stored in exports and sent to the UI.
    pub fn code(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotAsked => "not_asked",
        }
    }
}

impl From<bool> for Answer {
    fn from(yes: bool) -> Answer {
        if yes { Answer::Yes } else { Answer::No }
    }
}

impl From<Option<bool>> for Answer {
    fn from(known: Option<bool>) -> Answer {
        known.map_or(Answer::NotAsked, Answer::from)
    }
}

/// Reads the codes, `null` (not asked) and the booleans older clients sent.
impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Answer, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Answer;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"yes\", \"no\" or \"not_asked\"")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Answer, E> {
                Ok(Answer::from(v))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Answer, E> {
                Ok(Answer::NotAsked)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Answer, E> {
                Ok(Answer::NotAsked)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Answer, E> {
                match v {
                    "yes" => Ok(Answer::Yes),
                    "no" => Ok(Answer::No),
                    "not_asked" => Ok(Answer::NotAsked),
                    other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Hydrate for Answer {
    fn hydrate_bool(b: bool) -> Result<Self, HydrateError> {
        Ok(Answer::from(b))
    }

    fn hydrate_none() -> Result<Self, HydrateError> {
        Ok(Answer::NotAsked)
    }
}

impl Reconcile for Answer {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        match self.known() {
            Some(b) => r.boolean(b),
            None => r.none(),
        }
    }
}

/// A group of yes/no questions asked together (the signs of pneumonia, the danger signs).
/// Implemented by [`answer_group!`]; [`Gated`] stores the fields beside its own answer.
pub trait AnswerGroup: Copy + Default + PartialEq {
    /// Field names, as stored and sent.
    const KEYS: &'static [&'static str];
    /// How a document written before answers were tri-state (a map of booleans, with no
    /// `answer` key) reads: whether that map meant "yes" to the question that opens it.
    fn legacy_opened(&self) -> bool;
    fn get(&self, key: &str) -> Answer;
    fn set(&mut self, key: &str, answer: Answer);

    /// Any of the questions answered yes.
    fn any_yes(&self) -> bool {
        Self::KEYS.iter().any(|k| self.get(k).is_yes())
    }

    /// Questions of the group still unanswered.
    fn unanswered(&self) -> impl Iterator<Item = &'static str> + '_ {
        Self::KEYS.iter().copied().filter(|k| !self.get(k).is_answered())
    }
}

/// Declares a struct of [`Answer`] fields and its [`AnswerGroup`].
#[macro_export]
macro_rules! answer_group {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident,)* } legacy_opened: $legacy:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $crate::answer::Answer,)*
        }

        impl $crate::answer::AnswerGroup for $name {
            const KEYS: &'static [&'static str] = &[$(stringify!($field),)*];
            fn legacy_opened(&self) -> bool {
                let legacy: fn(&$name) -> bool = $legacy;
                legacy(self)
            }
            fn get(&self, key: &str) -> $crate::answer::Answer {
                match key {
                    $(stringify!($field) => self.$field,)*
                    _ => $crate::answer::Answer::NotAsked,
                }
            }
            fn set(&mut self, key: &str, answer: $crate::answer::Answer) {
                match key {
                    $(stringify!($field) => self.$field = answer,)*
                    _ => {}
                }
            }
        }
    };
}

/// A question that opens others when answered yes: "¿Tuvo diarrea?" opens ORS and zinc.
///
/// JSON (the UI, the CLI): `{"answer": "yes", "ors": "yes", "zinc": "no"}`,
/// `{"answer": "no"}`, `{"answer": "not_asked"}`. Read also as older clients sent it: `null`
/// ("no") or a map of booleans without `answer` (see [`AnswerGroup::legacy_opened`]).
///
/// Document: always a map `{answer: true | false | null, <each question>}` with every key
/// written, so concurrent edits never disagree on the kind of value. Documents written
/// before answers were tri-state read as written: `null` was "no" (no diarrhoea, no
/// cough), and a map without an `answer` key held booleans only, meaning what
/// [`AnswerGroup::legacy_opened`] says (diarrhoea: it happened; danger signs: one was seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Gated<T> {
    #[default]
    NotAsked,
    No,
    Yes(T),
}

impl<T: AnswerGroup> Gated<T> {
    /// The answer to the opening question.
    pub fn answer(&self) -> Answer {
        match self {
            Gated::NotAsked => Answer::NotAsked,
            Gated::No => Answer::No,
            Gated::Yes(_) => Answer::Yes,
        }
    }

    /// The questions it opened, when answered yes.
    pub fn opened(&self) -> Option<&T> {
        match self {
            Gated::Yes(group) => Some(group),
            _ => None,
        }
    }

    /// One opened question's answer; "not asked" when the gate is not open.
    pub fn get(&self, key: &str) -> Answer {
        self.opened().map_or(Answer::NotAsked, |g| g.get(key))
    }

    /// Answered yes, and yes to at least one of the questions it opened.
    pub fn any_yes(&self) -> bool {
        self.opened().is_some_and(|g| g.any_yes())
    }

    /// "Is any of the signs present?" as an answer: yes when one is; no when the gate is no
    /// or every opened question is no; not asked otherwise (a sign left unasked may be there).
    pub fn any(&self) -> Answer {
        match self {
            Gated::NotAsked => Answer::NotAsked,
            Gated::No => Answer::No,
            Gated::Yes(g) if g.any_yes() => Answer::Yes,
            Gated::Yes(g) if g.unanswered().next().is_none() => Answer::No,
            Gated::Yes(_) => Answer::NotAsked,
        }
    }
}

impl<'de, T: AnswerGroup> Deserialize<'de> for Gated<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Gated<T>, D::Error> {
        use serde::de::Error;
        let Some(map) = Option::<std::collections::BTreeMap<String, Answer>>::deserialize(d)? else {
            return Ok(Gated::No);
        };
        let mut group = T::default();
        let mut gate = None;
        for (key, answer) in map {
            if key == "answer" {
                gate = Some(answer);
            } else if let Some(k) = T::KEYS.iter().find(|k| **k == key) {
                group.set(k, answer);
            } else {
                return Err(D::Error::unknown_field(&key, T::KEYS));
            }
        }
        let Some(gate) = gate else {
            // As older clients sent it: a map of booleans, read as documents of then are.
            return Ok(if group.legacy_opened() {
                Gated::Yes(group)
            } else {
                Gated::No
            });
        };
        match gate {
            Answer::Yes => Ok(Gated::Yes(group)),
            _ if group != T::default() => Err(D::Error::custom(
                "questions answered although the question that opens them is not \"yes\"",
            )),
            Answer::No => Ok(Gated::No),
            Answer::NotAsked => Ok(Gated::NotAsked),
        }
    }
}

impl<T: AnswerGroup> Hydrate for Gated<T> {
    fn hydrate_none() -> Result<Self, HydrateError> {
        // Written before answers were tri-state: `None` meant "no".
        Ok(Gated::No)
    }

    fn hydrate_map<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
        let mut group = T::default();
        for key in T::KEYS {
            group.set(key, autosurgeon::hydrate_prop(doc, obj, *key)?);
        }
        let has_answer = doc
            .get(obj, "answer")
            .map_err(|e| HydrateError::unexpected("a readable map", e.to_string()))?
            .is_some();
        let answer = if has_answer {
            autosurgeon::hydrate_prop::<_, Answer, _, _>(doc, obj, "answer")?
        } else {
            Answer::from(group.legacy_opened())
        };
        Ok(match answer {
            Answer::Yes => Gated::Yes(group),
            Answer::No => Gated::No,
            Answer::NotAsked => Gated::NotAsked,
        })
    }
}

impl<T: AnswerGroup> Reconcile for Gated<T> {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        let mut map = r.map()?;
        map.put("answer", self.answer())?;
        for key in T::KEYS {
            map.put(key, self.get(key))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT, transaction::Transactable};

    answer_group!(Pair { first, second, } legacy_opened: |_| true);

    #[derive(Debug, PartialEq, Reconcile, Hydrate, Default)]
    struct Holder {
        plain: Answer,
        gated: Gated<Pair>,
    }

    fn roundtrip(h: &Holder) -> Holder {
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, h).unwrap();
        autosurgeon::hydrate(&doc).unwrap()
    }

    #[test]
    fn every_answer_survives_a_document_and_not_asked_is_never_no() {
        for plain in Answer::ALL {
            for gated in [
                Gated::NotAsked,
                Gated::No,
                Gated::Yes(Pair::default()),
                Gated::Yes(Pair {
                    first: Answer::Yes,
                    second: Answer::No,
                }),
            ] {
                let h = Holder { plain, gated };
                assert_eq!(roundtrip(&h), h);
            }
        }
        let unset = roundtrip(&Holder::default());
        assert_eq!(unset.plain, Answer::NotAsked);
        assert_ne!(unset.plain.known(), Some(false));
        assert_eq!(unset.gated.answer(), Answer::NotAsked);
    }

    #[test]
    fn documents_of_booleans_read_as_written() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "plain", false).unwrap();
        doc.put(ROOT, "gated", automerge::ScalarValue::Null).unwrap();
        let h: Holder = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!((h.plain, h.gated), (Answer::No, Gated::No));

        let g = doc.put_object(ROOT, "gated", automerge::ObjType::Map).unwrap();
        doc.put(&g, "first", true).unwrap();
        doc.put(&g, "second", false).unwrap();
        let h: Holder = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(
            h.gated,
            Gated::Yes(Pair {
                first: Answer::Yes,
                second: Answer::No
            })
        );
    }

    #[test]
    fn json_speaks_codes_and_reads_booleans_from_older_clients() {
        let g: Gated<Pair> = serde_json::from_str(r#"{"answer":"yes","first":"yes"}"#).unwrap();
        assert_eq!(
            g,
            Gated::Yes(Pair {
                first: Answer::Yes,
                second: Answer::NotAsked
            })
        );
        assert_eq!(
            serde_json::to_string(&Gated::<Pair>::No).unwrap(),
            r#"{"answer":"no"}"#
        );
        assert_eq!(serde_json::from_str::<Answer>("true").unwrap(), Answer::Yes);
        assert_eq!(serde_json::from_str::<Answer>("null").unwrap(), Answer::NotAsked);
        assert_eq!(
            serde_json::to_string(&Answer::NotAsked).unwrap(),
            r#""not_asked""#
        );
        assert!(serde_json::from_str::<Answer>(r#""maybe""#).is_err());
        assert!(serde_json::from_str::<Gated<Pair>>(r#"{"answer":"yes","third":"yes"}"#).is_err());
        assert!(
            serde_json::from_str::<Gated<Pair>>(r#"{"answer":"no","first":"yes"}"#).is_err(),
            "a sign answered under a closed gate is refused, not dropped"
        );
        // As older clients sent it.
        assert_eq!(serde_json::from_str::<Gated<Pair>>("null").unwrap(), Gated::No);
        assert_eq!(
            serde_json::from_str::<Gated<crate::DangerSigns>>(r#"{"lethargic":false,"convulsions":false}"#)
                .unwrap(),
            Gated::No
        );
        assert_eq!(
            serde_json::from_str::<Gated<Pair>>(r#"{"first":true}"#).unwrap(),
            Gated::Yes(Pair {
                first: Answer::Yes,
                second: Answer::NotAsked
            })
        );
    }
}
