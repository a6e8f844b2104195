//! One function per command: load, compute through the library, render, emit.

use std::path::Path;

use blastradius::design::Design;
use blastradius::engine::recommend::{self, Objective, Search};
use blastradius::engine::{paths::attack_paths, reach};
use blastradius::engine::{sweep, NoProgress};
use blastradius::error::did_you_mean;
use blastradius::evaluate::{evaluate, Depth, Evaluation};
use blastradius::load::design::load_design_file;
use blastradius::load::save::save_model;
use blastradius::load::{load_model, load_scenario, LoadedModel};
use blastradius::model::{Model, NodeId, NodeKind};
use blastradius::output::{csv, json, table, Format};
use blastradius::results::compare::Comparison;
use blastradius::results::queries::{PathsReport, ValidationReport, WhoCanReachReport};
use blastradius::results::recommend::{choke_rows, RecommendReport};
use blastradius::results::redact::{redact_run, redact_sweep};
use blastradius::results::sweep::{RankBy, SweepReport};
use blastradius::results::{PathReport, RunReport};
use blastradius::{Analysis, Error};

use super::args::{
    CsvTable, LayoutArg, ObjectiveArg, OutputArgs, RankArg, SimulationArgs, SweepKind,
};
use super::progress::Bar;
use super::{emit, format_of, keep_until_exit, limits, shown, Failure};

fn lint_note(warnings: usize, model: &str, quiet: bool) {
    if warnings > 0 && !quiet {
        eprintln!(
            "note: the model has {warnings} lint warning{}; `blastradius validate {model}` lists them",
            if warnings == 1 { "" } else { "s" }
        );
    }
}

/// Loads a scenario with the design files and overrides of the command line and evaluates it
/// (with ids pseudonymised under `--redact`). The evaluation (models, graphs, trials) comes
/// back too, for the caller to free or [keep](keep_until_exit).
pub(super) fn evaluate_scenario(
    scenario: &Path,
    sim: &SimulationArgs,
    quiet: bool,
) -> Result<(RunReport, Evaluation), Failure> {
    let loaded = load_scenario(scenario, &shown(scenario))?;
    let mut s = loaded.scenario;
    if let Some(t) = sim.trials {
        s.simulation.trials = t;
    }
    if let Some(seed) = sim.seed {
        s.simulation.seed = seed;
    }
    for file in &sim.designs {
        for d in load_design_file(file, &shown(file), &loaded.model)? {
            if s.designs.iter().any(|x| x.name == d.name) {
                return Err(Failure::Error(Error::Input(format!(
                    "{}: a design named `{}` is already defined; design names must be unique",
                    shown(file),
                    d.name
                ))));
            }
            s.designs.push(d);
        }
    }
    if sim.combine && s.designs.len() > 1 {
        let combined = Design {
            name: s
                .designs
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            description: Some("every design's changes together, in order".into()),
            changes: s.designs.iter().flat_map(|d| d.changes.clone()).collect(),
        };
        s.designs.push(combined);
    }
    lint_note(loaded.warnings.len(), &s.model_path, quiet);
    if !sim.worst_case_only {
        let per_run = blastradius::engine::monte_carlo::trial_bytes(
            &loaded.model,
            s.simulation.trials,
            s.simulation.detection.is_some(),
        );
        limits::check(
            per_run.saturating_mul(1 + s.designs.len() as u64),
            &format!(
                "{} trials for the baseline and {} designs",
                s.simulation.trials,
                s.designs.len()
            ),
            "lower --trials",
        )?;
    }
    let depth = if sim.worst_case_only {
        Depth::WorstCase
    } else {
        Depth::MonteCarlo
    };
    let total = s.simulation.trials as u64 * (1 + s.designs.len() as u64);
    let bar = Bar::new("trials", total, quiet || depth == Depth::WorstCase);
    let evaluation = evaluate(&s, loaded.model, depth, &bar);
    bar.finish();
    let report = RunReport::of(&s, &evaluation);
    let report = match sim.redact {
        true => redact_run(&report, &super::report::pseudonymiser()),
        false => report,
    };
    Ok((report, evaluation))
}

pub fn run(
    scenario: &Path,
    out: &OutputArgs,
    sim: &SimulationArgs,
    quiet: bool,
) -> Result<(), Failure> {
    let (report, evaluation) = evaluate_scenario(scenario, sim, quiet)?;
    let text = match format_of(out) {
        Format::Table => table::run(&report),
        Format::Json => json::render(&report),
        Format::Csv => match sim.csv_table {
            CsvTable::Leaks => csv::run(&report),
            CsvTable::People => csv::people(&report),
        },
    };
    emit(out, &text)?;
    keep_until_exit((evaluation, report, text));
    Ok(())
}

pub fn compare(
    scenario: &Path,
    out: &OutputArgs,
    sim: &SimulationArgs,
    quiet: bool,
) -> Result<(), Failure> {
    let (report, evaluation) = evaluate_scenario(scenario, sim, quiet)?;
    let comparison = Comparison::of(&report);
    let text = match format_of(out) {
        Format::Table => table::comparison(&comparison),
        Format::Json => json::render(&comparison),
        Format::Csv => csv::render_rows(comparison.csv_rows()),
    };
    emit(out, &text)?;
    keep_until_exit((evaluation, report, comparison, text));
    Ok(())
}

pub fn sweep(
    model: &Path,
    kind: SweepKind,
    top: usize,
    by: RankArg,
    out: &OutputArgs,
    redact: bool,
) -> Result<(), Failure> {
    limits::check(
        limits::model_bytes(model),
        &format!("loading `{}`", shown(model)),
        "split the model or use a larger machine",
    )?;
    let loaded = load_model(model, &shown(model))?;
    let mut analysis = Analysis::new(loaded.model);
    // The sweep reads the graph's condensation, the exposure index and the nodes; the two are
    // made side by side. The links and holdings the index is made from (a third of a large
    // model's memory) and the graph (a fifth at 100k people) go before the sweep's own bitsets
    // are made, freed on another thread while the sweep starts.
    let (_, condensation) = rayon::join(
        || analysis.index(),
        || sweep::Condensation::new(&analysis.graph),
    );
    let freed = (
        std::mem::take(&mut analysis.model.links),
        std::mem::take(&mut analysis.holdings),
        std::mem::take(&mut analysis.graph),
    );
    rayon::spawn(move || drop(freed));
    let kind = match kind {
        SweepKind::Account => NodeKind::Account,
        SweepKind::System => NodeKind::System,
        SweepKind::Person => NodeKind::Person,
    };
    let sources: Vec<NodeId> = analysis.model.nodes_of(kind).collect();
    let rows = sweep::sweep_condensed(&analysis.model, condensation, analysis.index(), &sources);
    let by = match by {
        RankArg::Exposure => RankBy::Exposure,
        RankArg::People => RankBy::People,
    };
    let format = format_of(out);
    let top = (format != Format::Csv).then_some(top);
    let report = SweepReport::of(
        &analysis.model,
        analysis.index(),
        kind.as_str(),
        &rows,
        by,
        top,
    );
    let report = match redact {
        true => redact_sweep(&report, &super::report::pseudonymiser()),
        false => report,
    };
    let text = match format {
        Format::Table => table::sweep(&report),
        Format::Json => json::render(&report),
        Format::Csv => csv::render_rows(&report.entries),
    };
    let emitted = emit(out, &text);
    keep_until_exit((analysis, rows, report, text));
    emitted
}

pub fn generate(
    people: usize,
    seed: u64,
    dir: &Path,
    layout: LayoutArg,
    force: bool,
) -> Result<(), Failure> {
    if people == 0 {
        return Err(Failure::Error(Error::Input(
            "--people must be at least 1".into(),
        )));
    }
    if dir.join("model.toml").exists() && !force {
        return Err(Failure::Error(Error::Input(format!(
            "{} already holds a model.toml; choose another folder or pass --force to replace it",
            dir.display()
        ))));
    }
    // About 4 KiB per person while generating and saving (measured at 100k: ~400 MB).
    limits::check(
        (people as u64).saturating_mul(4096),
        &format!("an organisation of {people} people"),
        "generate fewer people",
    )?;
    if force {
        // Side files of an earlier model that this one may not rewrite.
        for f in [
            "people.csv",
            "accounts.csv",
            "groups.csv",
            "systems.csv",
            "access.csv",
            "stores.csv",
            "records.csv",
            "grants.csv",
            "flows.csv",
            "edges.csv",
        ] {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    let model = blastradius::generate::generate(people, seed);
    let csv = match layout {
        LayoutArg::Auto => people > 2000,
        LayoutArg::Toml => false,
        LayoutArg::Csv => true,
    };
    save_model(&model, dir, csv)?;
    eprintln!(
        "wrote {} ({} nodes, {} links) to {}",
        model.name,
        model.node_count(),
        model.links.len(),
        dir.display()
    );
    Ok(())
}

/// The options of `recommend`.
pub struct RecommendArgs {
    pub budget: f64,
    pub objective: ObjectiveArg,
    pub trials: u32,
    pub retention_days: u32,
    pub top: usize,
    pub all_accounts: bool,
    pub include_entry_links: bool,
    pub quiet: bool,
}

pub fn recommend(scenario: &Path, args: RecommendArgs, out: &OutputArgs) -> Result<(), Failure> {
    if !(args.budget >= 0.0 && args.budget.is_finite()) {
        return Err(Failure::Error(Error::Input(format!(
            "--budget must be 0 or more, not {}",
            args.budget
        ))));
    }
    let loaded = load_scenario(scenario, &shown(scenario))?;
    let s = loaded.scenario;
    lint_note(loaded.warnings.len(), &s.model_path, args.quiet);
    let objective = match args.objective {
        ObjectiveArg::WorstCase => Objective::WorstCase,
        ObjectiveArg::Expected => Objective::Expected {
            trials: args.trials,
            seed: s.simulation.seed,
        },
    };
    let search = Search {
        objective,
        budget: args.budget,
        costs: s.costs.clone(),
        retention_days: args.retention_days,
        include_entry_links: args.include_entry_links,
    };
    let bar = Bar::new(
        "search steps",
        args.budget.ceil().max(1.0) as u64,
        args.quiet,
    );
    let steps = recommend::recommend(&loaded.model, &s.compromised, &search, &bar);
    bar.finish();
    let analysis = Analysis::new(loaded.model);
    let start = match objective {
        Objective::WorstCase => analysis.worst_case(&s.compromised).exposure.exposure,
        Objective::Expected { .. } => steps.first().map_or_else(
            || {
                let sim = blastradius::scenario::Simulation {
                    trials: args.trials,
                    seed: s.simulation.seed,
                    detection: None,
                };
                let t = analysis.simulate(&s.compromised, &sim, &NoProgress);
                t.exposure.iter().sum::<f64>() / args.trials as f64
            },
            |st| st.before,
        ),
    };
    let chokes = recommend::choke_points(&analysis, &s.compromised, args.top);
    let chokes = choke_rows(&analysis.model, &analysis.graph, &chokes);
    let all = args.all_accounts.then(|| {
        let points = recommend::choke_points_all_accounts(&analysis, 200, 30, args.top);
        choke_rows(&analysis.model, &analysis.graph, &points)
    });
    let objective_name = match args.objective {
        ObjectiveArg::WorstCase => "worst-case".to_string(),
        ObjectiveArg::Expected => format!(
            "expected ({} trials, seed {})",
            args.trials, s.simulation.seed
        ),
    };
    let report = RecommendReport::of(
        &s.name,
        &objective_name,
        args.budget,
        args.include_entry_links,
        start,
        &steps,
        chokes,
        all,
    );
    let text = match format_of(out) {
        Format::Table => table::recommend(&report),
        Format::Json => json::render(&report),
        Format::Csv => csv::render_rows(&report.fixes),
    };
    emit(out, &text)
}

pub fn validate(model: &Path, out: &OutputArgs) -> Result<(), Failure> {
    let LoadedModel {
        model: m,
        path,
        warnings,
    } = load_model(model, &shown(model))?;
    // Validation reports the attack graph's size, counted without building it.
    let report = ValidationReport::of(&path, &m, &warnings);
    let text = match format_of(out) {
        Format::Table => table::validation(&report),
        Format::Json => json::render(&report),
        Format::Csv => csv::render_with_header(
            &["file", "line", "column", "severity", "message"],
            warnings.iter().map(|w| csv::DiagnosticRow {
                file: &w.file,
                line: w.line,
                column: w.column,
                severity: "warning",
                message: &w.message,
            }),
        ),
    };
    let emitted = emit(out, &text);
    keep_until_exit(m);
    emitted
}

/// Resolves an id given on the command line, with a suggestion when it is unknown.
fn node(model: &Model, id: &str, flag: &str) -> Result<NodeId, Failure> {
    model.node_id(id).ok_or_else(|| {
        Failure::Error(Error::Input(format!(
            "{flag}: unknown id `{id}` in model `{}`{}",
            model.name,
            did_you_mean(id, model.nodes.iter().map(|n| n.id.as_str()))
        )))
    })
}

pub fn paths(
    model: &Path,
    from: &str,
    to: &str,
    limit: usize,
    out: &OutputArgs,
) -> Result<(), Failure> {
    let loaded = load_model(model, &shown(model))?;
    let analysis = Analysis::new(loaded.model);
    let m = &analysis.model;
    let a = node(m, from, "--from")?;
    let b = node(m, to, "--to")?;
    let found = attack_paths(&analysis.graph, a, b, limit);
    let report = PathsReport {
        from: from.to_string(),
        to: to.to_string(),
        paths: found
            .iter()
            .map(|p| PathReport::of(m, &analysis.graph, b, &p.edges))
            .collect(),
    };
    let text = match format_of(out) {
        Format::Table => table::paths(&report),
        Format::Json => json::render(&report),
        Format::Csv => csv::render_with_header(
            &["rank", "steps", "probability", "path"],
            report.paths.iter().enumerate().map(|(i, p)| csv::PathRow {
                rank: i + 1,
                steps: p.steps.len(),
                probability: p.probability,
                path: table::path_line(p),
            }),
        ),
    };
    emit(out, &text)
}

pub fn who_can_reach(model: &Path, store: &str, out: &OutputArgs) -> Result<(), Failure> {
    let loaded = load_model(model, &shown(model))?;
    let analysis = Analysis::new(loaded.model);
    let m = &analysis.model;
    let target = node(m, store, "STORE")?;
    let r = reach::backward(&analysis.graph, &[target]);
    let report = WhoCanReachReport::of(m, &analysis.graph, target, &r);
    let text = match format_of(out) {
        Format::Table => table::who_can_reach(&report),
        Format::Json => json::render(&report),
        Format::Csv => csv::render_with_header(
            &["id", "kind", "steps", "path"],
            report.reachers.iter().map(|row| csv::ReacherRow {
                id: &row.id,
                kind: &row.kind,
                steps: row.steps,
                path: table::path_line(&row.path),
            }),
        ),
    };
    emit(out, &text)
}
