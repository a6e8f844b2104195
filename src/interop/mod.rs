//! Interop: other tools' formats, in both directions (DESIGN.md "Other formats"). Imports turn
//! another tool's data into a [`crate::model::Model`] (saved with [`crate::output::model_files`] and read
//! back through the model loader); exports write a model and its results in another tool's
//! format. Nothing here computes a figure.
//!
//! - [`opengraph`]: BloodHound OpenGraph JSON, read through a kind mapping and written with
//!   blastradius's own `BR_` vocabulary, which reads back to the same model.
//! - [`sharphound`]: SharpHound CE (Active Directory) JSON files and zips, read into OpenGraph
//!   documents with BloodHound's kinds, so they import (and join OpenGraph files) as one graph.
//! - [`collection`]: `import`'s inputs of any of these formats, each recognised, into one model.
//! - [`fides`]: Fides manifests (systems, datasets with field categories) into a model and,
//!   through an overlay's `[fides]` table, into record sets.
//! - [`pairs`]: `user permission` pair lists (role-mining data sets), with role decompositions.
//! - [`graph`]: the flat attack graph for graph libraries and the bench baselines (CSV pair,
//!   GraphML); export only.

pub mod aws;
pub mod collection;
pub mod fides;
pub mod graph;
pub mod opengraph;
pub mod pairs;
pub mod sharphound;
