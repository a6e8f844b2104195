//! Loaders: the only code that knows TOML. Files in, validated [`crate::model::Model`] and
//! [`crate::scenario::Scenario`] out, or every problem found, with file, line and column.

pub mod csv_files;
pub mod design;
pub mod input;
pub mod model;
mod raw;
pub mod saved;
pub mod scenario;
pub mod side_tables;
pub mod source;

pub use model::{
    apply_overlay, apply_overlays, apply_overlays_with_datasets, load_model, load_model_unlinted,
    parse_model, parse_overlay, LoadedModel, Overlaid,
};
pub use scenario::{load_scenario, load_scenario_for, LoadedScenario};
