//! `report` and `chart`: a scenario's charts and page in a folder, or a saved result's charts
//! redrawn. Everything is rendered in memory first; files are then written one by one,
//! atomically, the page last, so a failed run leaves the previous report's page whole.

use std::path::Path;

use blastradius::graph::stable_hash;
use blastradius::load::load_scenario_for;
use blastradius::load::saved::{load_saved, parse_saved};
use blastradius::model::NodeKind;
use blastradius::output::json;
use blastradius::output::report::{files, stale, File};
use blastradius::output::write::{write_all_atomic, FolderLock};
use blastradius::results::redact::{redact_run, redact_sweep};
use blastradius::results::report::{generator, ReportData, REPORT_SCHEMA};
use blastradius::results::sweep::{RankBy, SweepReport};
use blastradius::{Analysis, Error};

use super::args::{ChartArgs, ReportArgs};
use super::output::{shown, Failure};
use super::redact::pseudonymiser;
use super::scenario::evaluate_scenario;

/// A fingerprint of the model files: the model file, or a model folder's `model.toml` and CSV
/// side files, hashed in name order. `None` when they cannot be read.
fn model_digest(scenario: &Path, model_path: &str) -> Option<String> {
    let base = scenario.parent().unwrap_or(Path::new("."));
    let path = base.join(model_path);
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    if path.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&path)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n == "model.toml" || n.ends_with(".csv"))
            .collect();
        names.sort();
        for n in names {
            parts.push((
                n.clone(),
                blastradius::load::input::read_bytes(&path.join(&n)).ok()?,
            ));
        }
    } else {
        parts.push((
            String::new(),
            blastradius::load::input::read_bytes(&path).ok()?,
        ));
    }
    let slices: Vec<&[u8]> = parts
        .iter()
        .flat_map(|(n, b)| [n.as_bytes(), b.as_slice()])
        .collect();
    Some(format!("{:016x}", stable_hash(&slices)))
}

/// Every account of the scenario's model compromised alone, worst case, top `top` by exposure.
fn riskiest(scenario: &Path, top: usize) -> Result<SweepReport, Failure> {
    let loaded = load_scenario_for(scenario, &shown(scenario), "report")?;
    let mut analysis = Analysis::new(loaded.model);
    // As `sweep` does: the links and graph go before the sweep's bitsets are made.
    let rows = analysis.sweep_releasing(NodeKind::Account);
    Ok(SweepReport::of(
        &analysis.model,
        analysis.index(),
        NodeKind::Account.as_str(),
        &rows,
        RankBy::Exposure,
        Some(top),
    ))
}

/// Writes the files as one set (all written beside their targets, then all renamed, so a
/// failure replaces none), then removes chart files of an earlier report that this one no
/// longer draws. The folder's lock is held throughout, so two runs into one folder never mix:
/// the later one waits, and the folder ends as one whole report.
fn write_all(dir: &Path, list: &[File]) -> Result<(), Failure> {
    let _lock = FolderLock::take(dir)?;
    let set: Vec<(std::path::PathBuf, &[u8])> = list
        .iter()
        .map(|(name, bytes)| (dir.join(name), bytes.as_slice()))
        .collect();
    write_all_atomic(&set)?;
    for name in stale(list) {
        let path = dir.join(&name);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(|source| Error::Write {
                path: shown(&path),
                source,
            })?;
        }
    }
    Ok(())
}

fn summary(dir: &Path, list: &[File]) {
    let charts = list.iter().filter(|(n, _)| n.ends_with(".svg")).count();
    let page = list.iter().any(|(n, _)| n == "index.html");
    eprintln!(
        "wrote {charts} chart{} (SVG and PNG){} to {}",
        if charts == 1 { "" } else { "s" },
        if page {
            ", index.html and report.json"
        } else {
            ""
        },
        dir.display()
    );
}

pub fn report(args: &ReportArgs) -> Result<(), Failure> {
    let (scenario, dir, sim) = (&args.scenario, &args.output, &args.sim);
    let (run, evaluation) = evaluate_scenario(scenario, sim, args.quiet, "report")?;
    drop(evaluation);
    let riskiest = match args.top {
        0 => None,
        n => {
            let s = riskiest(scenario, n)?;
            Some(match sim.redact {
                true => redact_sweep(&s, &pseudonymiser()),
                false => s,
            })
        }
    };
    let data = ReportData {
        schema: REPORT_SCHEMA.to_string(),
        generator: generator(),
        redacted: sim.redact,
        model_digest: model_digest(scenario, &run.model.path),
        run,
        riskiest,
    };
    // The charts and page are drawn from the figures report.json holds (rounded as JSON
    // writes them), so `chart report.json` redraws the same bytes.
    let data = parse_saved(&json::render(&data), "report.json")?;
    let list = files(&data, true)?;
    write_all(dir, &list)?;
    if !args.quiet {
        summary(dir, &list);
        // The page's one-sentence answer, so the terminal shows what the page opens with.
        eprintln!("{}", blastradius::output::html::headline(&data.run));
    }
    Ok(())
}

pub fn chart(args: &ChartArgs) -> Result<(), Failure> {
    let mut data = load_saved(&args.result, &shown(&args.result))?;
    if args.redact && !data.redacted {
        let p = pseudonymiser();
        data.run = redact_run(&data.run, &p);
        data.riskiest = data.riskiest.as_ref().map(|s| redact_sweep(s, &p));
        data.redacted = true;
    }
    let list = files(&data, false)?;
    write_all(&args.output, &list)?;
    summary(&args.output, &list);
    Ok(())
}
