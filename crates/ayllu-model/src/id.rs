//! Identifiers: newtypes over UUIDs so a member id can never be passed as a household id.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh id, made offline without coordination: UUID v7, the time it was made
            /// (to the millisecond) then 74 random bits. Time first, a store's indexes
            /// grow at their end: a sync taking in a month's new households rewrites the
            /// last pages of each index, where random ids rewrote a page per row (four
            /// times the writes for 10,000 households, `docs/benchmarks.md`).
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                $name(uuid::Uuid::now_v7())
            }
            pub fn from_uuid(u: uuid::Uuid) -> Self {
                $name(u)
            }
            pub fn uuid(self) -> uuid::Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map($name)
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.to_string())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|_| autosurgeon::HydrateError::unexpected("a UUID", s.to_string()))
            }
        }
    };
}

id_type!(
    /// One household: one Automerge document.
    HouseholdId
);
id_type!(
    /// One person in a household.
    MemberId
);
id_type!(
    /// One home visit.
    VisitId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_later_sort_later_as_stored() {
        // The store keys rows by the id's text: that order must be the order made in.
        let ids: Vec<String> = (0..2_000).map(|_| HouseholdId::new().to_string()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids not time-ordered");
        assert_eq!(HouseholdId::new().uuid().get_version_num(), 7);
    }
}
