//! # ayllu-model
//!
//! The census domain of Ayllu: households, members, visits and the child-health and
//! antenatal checklists, with the rules that make a record valid. Pure: no files, no
//! network, no clock (callers pass `today`).
//!
//! Input is parsed once into these types; a value that exists is valid. Errors name the
//! field and carry a stable code with Spanish and English words ([`FieldError`]).

pub mod am;
pub mod answer;
pub mod checklist;
pub mod codes;
pub mod date;
pub mod followup;
pub mod growth;
pub mod household;
pub mod id;
pub mod measure;
mod operations;
pub mod patch;
pub mod problem;
pub mod scope;
pub mod text;

pub use answer::{Answer, AnswerGroup, Gated};
pub use codes::{
    CookingFuel, DeliveryPlace, Education, Floor, Insurance, Position, Relationship, Sanitation, Sex, Walls,
    WaterSource,
};
pub use household::{
    AntenatalCheck, Birth, ChildCheck, Correction, CoughSigns, DangerSigns, Delivery, DiarrhoeaCare,
    Dissolution, Household, HouseholdInfo, HouseholdParts, Housing, Member, NewHousehold, Pregnancy,
    PregnancyDangerSigns, Referral, SCHEMA_VERSION, Visit, Voiding,
};
pub use id::{HouseholdId, MemberId, VisitId};
pub use measure::{AgeMonths, AgeYears, Dni, GestationWeeks, Gps, Length, Rooms, Weight};
pub use problem::{FieldError, Lang, Problem};
pub use scope::Scope;
pub use text::{Notes, PersonName, ShortText};
