//! Which households a device serves: named communities, or (said explicitly) all of them.
//! The hub enforces it on what a device sends and receives; the phone checks it on its own
//! edits, so a household is never moved where its promotor's phone could not send it.

use serde::{Deserialize, Serialize};

use crate::text::fold;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    All,
    /// Only households of these communities (compared without accents or case). An empty
    /// list allows nothing: scopes fail closed.
    Communities(Vec<String>),
}

impl Scope {
    pub fn allows(&self, community: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Communities(list) => list.iter().any(|c| fold(c) == fold(community)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn communities_compare_without_accents_or_case_and_empty_allows_nothing() {
        let s = Scope::Communities(vec!["Huancarani".into(), "Ñaña".into()]);
        assert!(s.allows("HUANCARANÍ") && s.allows("nana"));
        assert!(!s.allows("Ccorca"));
        assert!(!Scope::Communities(vec![]).allows("Ccorca"));
        assert!(Scope::All.allows("Ccorca"));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), s);
    }
}
