//! BloodHound OpenGraph JSON (DESIGN.md "Other formats"), both ways: read into a
//! [`crate::model::Model`] through a kind mapping, and a model (with a run's results) written
//! out, so a BloodHound user can load and query it.
//!
//! An OpenGraph file is `{"metadata": {"source_kind"}, "graph": {"nodes": [...], "edges": [...]}}`
//! (schema in `SpecterOps/BloodHound`, `cmd/api/src/services/upload/jsonschema/`). Loading runs
//! in three stages, like the TOML loader:
//!
//! 1. [`read_inputs`] (`document.rs`): each file (or each `.json` entry of a `.zip`) is streamed
//!    through serde into raw structs, so memory follows the graph, not the file's text. Syntax
//!    and schema errors (a node without `id`, an object as a property value, a mixed-type array,
//!    a truncated file) carry the file, line and column serde_json reports.
//! 2. [`import()`] (`import/`): nodes with the same id in several files merge (OpenGraph's
//!    upsert); edge ends resolve by `id`, `name` or `property` matchers across all loaded files,
//!    with the optional `kind` filter. Ends that match nothing are counted and reported as one
//!    warning, not fatal.
//! 3. The [`Mapping`] (`mapping.rs`) turns node kinds into persons, accounts, groups, systems and
//!    stores (an unknown kind becomes a system, and the import says which), edges marked
//!    traversable (or named traversable by the mapping) into attack steps with their `p`, and
//!    `BR_` kinds, which blastradius's own export writes, back into the links and records they
//!    came from.
//!
//! Semantic problems (a `p` outside 0..1, an unknown MFA value, record arrays of different
//! lengths) are collected over the whole input and reported at once, each naming its file and
//! the element as a path (`graph.edges[12]`), since serde keeps no positions past parsing.
//!
//! The other direction is [`export`]; [`load_result`] (`results.rs`) reads the saved run whose
//! figures it adds. Both directions name blastradius's own kinds and properties from [`vocab`].

mod document;
pub mod export;
mod import;
mod mapping;
mod results;
pub mod vocab;

pub(crate) use document::{bounded_optional, is_zip};
pub use document::{
    read_document, read_inputs, Document, Prop, Props, Scalar, MAX_PROPERTY_BYTES, NAME_PROPERTIES,
};
pub use import::{import, ImportSummary, Imported, ProfileUse};
pub use mapping::{load_mapping, parse_mapping, Mapping, DEFAULT_MAPPING};
pub use results::{load_result, ResultOverlay};
