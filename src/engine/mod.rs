//! The computations: worst-case blast radius, exposure of leaked stores, attack paths and
//! reverse reach, and where attacks start (`entry.rs`, entry likelihood by vector and MFA). Pure functions of a model and its attack graph: no I/O, no printing, no
//! clock, no global randomness.

pub mod batch_reach;
pub mod diff;
pub mod entry;
pub mod exposure;
pub mod focus;
pub mod gate;
pub mod goal;
pub mod loss;
pub mod monte_carlo;
pub mod org;
pub mod paths;
pub mod protected;
pub mod random;
pub mod reach;
pub mod recommend;
pub mod stats;
pub mod sweep;
pub mod tally;
pub mod worst_case;

pub use exposure::{exposure_of, Exposure, PeopleAffected};
pub use worst_case::{worst_case, WorstCase};

/// Where long computations report how far they are (an indicatif bar in the terminal, nothing
/// in tests). Must be callable from worker threads.
pub trait Progress: Sync {
    /// `n` more units of work are done.
    fn inc(&self, n: u64);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn inc(&self, _: u64) {}
}
