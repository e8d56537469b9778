//! The commands, by feature; each a translation into `ayllu-ops`.

pub mod household;
pub mod hub;
pub mod report;
pub mod setup;
pub mod sync;
