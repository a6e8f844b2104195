//! The computations: worst-case blast radius, exposure of leaked stores, attack paths and
//! reverse reach. Pure functions of a model and its attack graph: no I/O, no printing, no
//! clock, no global randomness.

pub mod exposure;
pub mod paths;
pub mod reach;
pub mod worst_case;

pub use exposure::{exposure_of, Exposure, PeopleAffected};
pub use worst_case::{worst_case, WorstCase};
