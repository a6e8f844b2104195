//! Output sinks: the only code that knows JSON, CSV, table layout, SVG, PNG and HTML. Each format renders the
//! result structs of [`crate::results`] to text; nothing here computes a figure.

pub mod answer;
pub mod blocks;
mod cells;
pub mod charts;
pub mod csv;
pub mod drawing;
pub mod figures;
pub mod gate;
pub mod html;
pub mod json;
pub mod model_files;
pub mod reachers;
mod render;
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

pub use render::{RunCsv, RunOutput};

/// Output format of a query that can also be drawn (`paths`, `who-can-reach`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFormat {
    Report(Format),
    Drawing(drawing::DrawFormat),
}

/// A query's report in `format`: rendered as any report, or its attack graph (made only when
/// asked for) drawn.
pub fn render_query(
    report: &impl Render,
    drawing: impl FnOnce() -> crate::results::drawing::AttackDrawing,
    format: QueryFormat,
) -> String {
    match format {
        QueryFormat::Report(f) => report.render(f),
        QueryFormat::Drawing(f) => drawing::render(&drawing(), f),
    }
}

/// A result a command prints, rendered in each output format (hyperfine's exporters turned
/// around: one report type, three formats). Every command ends in one call to
/// [`Render::render`]; the implementations, in `render.rs`, say which table and which CSV rows
/// each report has.
pub trait Render {
    /// The table a person reads in the terminal.
    fn table(&self) -> String;
    /// Pretty JSON of the report, written as it is made (a run's JSON at 100k people is tens of
    /// megabytes: it is never held whole on its way to a file or the terminal).
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()>;
    /// Pretty JSON of the report, as one string.
    fn json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out)
            .expect("result structs always serialise");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
    /// CSV rows with a header.
    fn csv(&self) -> String;
    /// [`Render::csv`] written into `w`; a report of millions of rows streams its rows instead
    /// of making one string.
    fn write_csv(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.csv().as_bytes())
    }

    /// The report in `format`.
    fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.table(),
            Format::Json => self.json(),
            Format::Csv => self.csv(),
        }
    }
}
