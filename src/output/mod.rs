//! Output sinks: the only code that knows JSON, CSV, table layout, SVG, PNG and HTML. Each format renders the
//! result structs of [`crate::results`] to text; nothing here computes a figure.

pub mod charts;
pub mod csv;
pub mod figures;
pub mod graph_export;
pub mod html;
pub mod json;
pub mod opengraph;
pub mod report;
pub mod table;
pub mod write;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}
