//! Reading a saved result back for `chart`: the JSON of `run --format json`
//! (`blastradius/result/v1`) or the `report.json` that `report` writes beside its page
//! (`blastradius/report/v1`).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};
use crate::results::report::{saved_kind, ReportData, Saved, REPORT_SCHEMA};
use crate::results::{RunReport, SCHEMA};

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    schema: Option<String>,
}

fn problem(file: &str, e: &serde_json::Error) -> Error {
    Error::Invalid {
        problems: vec![Diagnostic::from_json(file, e, "a blastradius result")],
    }
}

/// Parses a saved result; `shown` names it in messages.
pub fn parse_saved(text: &str, shown: &str) -> Result<ReportData> {
    // A result is a JSON object; a scenario or model (TOML) given by mistake gets a way
    // forward instead of a JSON syntax error at its first character.
    let first = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next();
    if first.is_some_and(|c| c != '{') {
        if let Ok(table) = toml::from_str::<toml::Table>(text) {
            let (what, draw) = if table.contains_key("attack") || table.contains_key("model") {
                (
                    "a scenario",
                    format!("To draw its charts, run `blastradius report {shown} -o DIR`"),
                )
            } else {
                (
                    "a model",
                    "To draw charts of it, run `blastradius report SCENARIO -o DIR` with a \
                     scenario that names it"
                        .to_string(),
                )
            };
            return Err(Error::Input(format!(
                "{shown} is {what} (TOML), not a saved result: `chart` redraws the JSON that \
                 `run --format json -o FILE` saves, or the report.json of `report`. {draw}"
            )));
        }
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| problem(shown, &e))?;
    let schema = probe.schema.unwrap_or_default();
    match saved_kind(&schema) {
        Some(Saved::Run) => {
            let run: RunReport = serde_json::from_str(text).map_err(|e| problem(shown, &e))?;
            Ok(ReportData::of_run(run))
        }
        Some(Saved::Report) => serde_json::from_str(text).map_err(|e| problem(shown, &e)),
        None => Err(Error::Input(format!(
            "{shown}: schema `{schema}` is not a result this version draws (`{SCHEMA}` from \
             `run --format json`, or `{REPORT_SCHEMA}` from `report`)"
        ))),
    }
}

/// Reads a saved result from a file.
pub fn load_saved(path: &Path, shown: &str) -> Result<ReportData> {
    let text = crate::load::input::read_text(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    parse_saved(&text, shown)
}
