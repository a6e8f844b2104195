//! Every printed report's [`Render`]: its table, its JSON and its CSV rows. Adding a command's
//! report means adding its three renderings here.

use super::{csv, json, table, Render};
use crate::results::compare::Comparison;
use crate::results::diff::DiffReport;
use crate::results::queries::{FocusReachReport, PathsReport, ValidationReport, WhoCanReachReport};
use crate::results::recommend::RecommendReport;
use crate::results::sweep::{SweepEntry, SweepReport};
use crate::results::RunReport;

/// Which of a run's CSV tables `--format csv` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunCsv {
    /// The leaked stores, one row per store and category (baseline and designs).
    Leaks,
    /// People affected and to notify, one row per design, population and regime.
    People,
    /// The loss in money, one row per design (`[money]` models only).
    Loss,
}

/// A run's report with the CSV table chosen for it.
#[derive(Debug, Clone, Copy)]
pub struct RunOutput<'a> {
    pub report: &'a RunReport,
    pub csv: RunCsv,
}

impl Render for RunOutput<'_> {
    fn table(&self) -> String {
        table::run(self.report)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self.report)
    }
    fn csv(&self) -> String {
        match self.csv {
            RunCsv::Leaks => csv::render_rows(self.report.leak_rows()),
            RunCsv::People => csv::render_rows(self.report.people_rows()),
            RunCsv::Loss => csv::render_with_header(
                &[
                    "scenario",
                    "design",
                    "currency",
                    "worst_case",
                    "mean",
                    "ci_low",
                    "ci_high",
                    "p50",
                    "p90",
                    "p95",
                    "p99",
                    "annual_mean",
                    "annual_p90",
                    "annual_p95",
                    "annual_p99",
                    "mean_change",
                    "cost_per_year",
                    "net_benefit_per_year",
                    "return_on_control",
                ],
                self.report.loss_rows(),
            ),
        }
    }
}

impl Render for Comparison {
    fn table(&self) -> String {
        table::comparison(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        if self.currency.is_some() {
            csv::render_rows(self.money_csv_rows())
        } else {
            csv::render_rows(self.csv_rows())
        }
    }
}

impl Render for SweepReport {
    fn table(&self) -> String {
        table::sweep(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        let mut out = Vec::new();
        self.write_csv(&mut out)
            .expect("CSV rows serialise to memory");
        String::from_utf8(out).expect("CSV of UTF-8 strings is UTF-8")
    }
    fn write_csv(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        csv::write_rows_in_order(w, self.entries.len(), |i| SweepCsvRow(&self.entries[i]))
    }
}

/// A sweep entry as a CSV row: its own columns, then a `people:POPULATION` column for each
/// population (which a flat row cannot hold as one map).
struct SweepCsvRow<'a>(&'a SweepEntry);

impl serde::Serialize for SweepCsvRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            #[serde(flatten)]
            entry: SweepEntry,
            #[serde(flatten)]
            people: People<'a>,
        }
        struct People<'a>(&'a SweepEntry);
        impl serde::Serialize for People<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(
                    self.0
                        .people_by_population
                        .iter()
                        .map(|(p, n)| (format!("people:{p}"), n)),
                )
            }
        }
        // The entry's columns without its map (left out of JSON when empty).
        let entry = SweepEntry {
            people_by_population: Default::default(),
            ..self.0.clone()
        };
        Row {
            entry,
            people: People(self.0),
        }
        .serialize(s)
    }
}

impl Render for RecommendReport {
    fn table(&self) -> String {
        table::recommend(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        csv::render_rows(&self.fixes)
    }
}

impl Render for ValidationReport {
    fn table(&self) -> String {
        table::validation(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        csv::render_with_header(
            &["file", "line", "column", "severity", "message"],
            self.warnings.iter().map(|w| csv::DiagnosticRow {
                file: &w.file,
                line: w.line,
                column: w.column,
                severity: "warning",
                message: &w.message,
            }),
        )
    }
}

impl Render for PathsReport {
    fn table(&self) -> String {
        table::paths(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        csv::render_with_header(
            &["rank", "steps", "probability", "path"],
            self.paths.iter().enumerate().map(|(i, p)| csv::PathRow {
                rank: i + 1,
                steps: p.steps.len(),
                probability: p.probability,
                path: table::path_line(p),
            }),
        )
    }
}

impl Render for WhoCanReachReport {
    fn table(&self) -> String {
        table::who_can_reach(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        let mut out = Vec::new();
        csv::write_reachers(&mut out, self.reachers.iter().cloned())
            .expect("CSV rows serialise to memory");
        String::from_utf8(out).expect("CSV of UTF-8 strings is UTF-8")
    }
}

impl Render for FocusReachReport {
    fn table(&self) -> String {
        table::focus_reach(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        csv::render_with_header(
            &["id", "kind", "records", "exposure", "steps", "path"],
            self.reachers.iter().map(|row| csv::FocusReacherRow {
                id: &row.id,
                kind: &row.kind,
                records: row.records,
                exposure: row.exposure,
                steps: row.steps,
                path: table::path_line(&row.path),
            }),
        )
    }
}

impl Render for DiffReport {
    fn table(&self) -> String {
        table::diff(self)
    }
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_to(w, self)
    }
    fn csv(&self) -> String {
        csv::render_rows(self.csv_rows())
    }
}
