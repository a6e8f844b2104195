//! Fides (fideslang) manifests: datasets (dataset → collections → fields, each field with its
//! data categories) and systems (privacy declarations naming datasets, `egress` and
//! `ingress`). `import fides` makes systems, their service accounts, stores and data movements
//! a model (`import.rs`); the record sets come from datasets through an overlay's `[fides]`
//! table (`load/model/overlay/fides.rs`), which reads them here, since Fides counts no rows.
//!
//! `yaml.rs` reads YAML keeping each node's line and column, `manifest.rs` the manifests into
//! plain structs with every problem located, `taxonomy.rs` the fideslang category names (data
//! in `categories.txt`).

mod import;
mod manifest;
mod taxonomy;
mod yaml;

pub use import::{import, service_account, FidesSummary};
pub use manifest::{
    parse_manifests, read_manifests, Collection, Dataset, FlowRef, Manifests, Retention, System,
};
pub use taxonomy::{is_known as is_fideslang_category, names as fideslang_categories};
pub use yaml::Place;
