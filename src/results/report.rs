//! What `report` saves beside its page (`report.json`) and what `chart` redraws from: the run's
//! result, the riskiest identities of the model, and how the report was made. A plain `run`
//! result (`blastradius/result/v1`) is accepted wherever this is, with no riskiest ranking.

use serde::{Deserialize, Serialize};

use super::sweep::SweepReport;
use super::{RunReport, SCHEMA};

/// Version tag of `report.json`.
pub const REPORT_SCHEMA: &str = "blastradius/report/v1";

/// Everything the charts and the page are drawn from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReportData {
    pub schema: String,
    /// The program that made it, e.g. `blastradius 0.1.0`.
    pub generator: String,
    /// True when person and account ids are pseudonyms.
    #[serde(default)]
    pub redacted: bool,
    /// A fingerprint of the model files the run read (16 hex digits), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_digest: Option<String>,
    pub run: RunReport,
    /// Every account as the sole compromised node, worst case, top entries by exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub riskiest: Option<SweepReport>,
}

impl ReportData {
    /// Report data of a run, with no riskiest ranking and no digest.
    pub fn of_run(run: RunReport) -> ReportData {
        ReportData {
            schema: REPORT_SCHEMA.to_string(),
            generator: generator(),
            redacted: false,
            model_digest: None,
            run,
            riskiest: None,
        }
    }
}

/// `blastradius <version>`.
pub fn generator() -> String {
    format!("blastradius {}", env!("CARGO_PKG_VERSION"))
}

/// Which kind of saved result a JSON document is, from its `schema` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Run,
    Report,
}

/// Recognises a saved result's schema tag.
pub fn saved_kind(schema: &str) -> Option<Saved> {
    match schema {
        SCHEMA => Some(Saved::Run),
        REPORT_SCHEMA => Some(Saved::Report),
        _ => None,
    }
}
