//! Reading a saved `run` result (`blastradius/result/v1`) for `export opengraph --results`:
//! only what the export shows of each node. `load::saved` reads the same files for `chart`,
//! but whole and strictly, with messages of its own; this reader asks for less (a hand-trimmed
//! result still exports) and words its problems as the export always has, so it stays apart.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::Path;

use serde::Deserialize;

use super::document::json_problem;
use crate::error::{Error, Result};

/// What a result file (`run --format json`) says about each node, as export properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultOverlay {
    pub scenario: String,
    pub entry_points: Vec<String>,
    /// Every node the attacker controls in the worst case.
    pub compromised: Vec<String>,
    pub leaked_stores: Vec<String>,
    pub tampered_stores: Vec<String>,
    /// Per leaked store: records it holds (undeduplicated) and their weighted exposure.
    pub store_records: BTreeMap<String, (u64, f64)>,
    /// Per store, from the Monte Carlo part when it ran.
    pub breach_probability: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct RawResult {
    schema: String,
    scenario: String,
    #[serde(default)]
    entry_points: Vec<String>,
    baseline: RawOutcome,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct RawOutcome {
    deterministic: RawDeterministic,
    #[serde(default)]
    monte_carlo: Option<RawMonteCarlo>,
}

#[derive(Deserialize)]
struct RawDeterministic {
    compromised: BTreeMap<String, Vec<String>>,
    leaked_stores: Vec<String>,
    #[serde(default)]
    tampered_stores: Vec<String>,
    #[serde(default)]
    store_records: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Deserialize)]
struct RawMonteCarlo {
    #[serde(default)]
    store_breach_probability: BTreeMap<String, f64>,
}

/// Reads a JSON result of `run` (schema `blastradius/result/v1`) for export.
pub fn load_result(path: &Path, shown: &str) -> Result<ResultOverlay> {
    let file = crate::load::input::open(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    let raw: RawResult =
        serde_json::from_reader(BufReader::new(file)).map_err(|e| Error::Invalid {
            problems: vec![json_problem(shown, &e)],
        })?;
    if raw.schema != crate::results::SCHEMA {
        return Err(Error::Input(format!(
            "{shown}: schema `{}` is not a result this version reads (`{}`)",
            raw.schema,
            crate::results::SCHEMA
        )));
    }
    let d = raw.baseline.deterministic;
    let weight = |c: &str| -> f64 { raw.weights.get(c).copied().unwrap_or(1.0) };
    let mut compromised: Vec<String> = d.compromised.into_values().flatten().collect();
    compromised.sort();
    Ok(ResultOverlay {
        scenario: raw.scenario,
        entry_points: raw.entry_points,
        compromised,
        leaked_stores: d.leaked_stores,
        tampered_stores: d.tampered_stores,
        store_records: d
            .store_records
            .iter()
            .map(|(s, cats)| {
                let records = cats.values().sum();
                let exposure = cats.iter().map(|(c, &n)| n as f64 * weight(c)).sum();
                (s.clone(), (records, exposure))
            })
            .collect(),
        breach_probability: raw
            .baseline
            .monte_carlo
            .map(|m| m.store_breach_probability)
            .unwrap_or_default(),
    })
}
