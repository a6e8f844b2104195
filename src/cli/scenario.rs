//! A scenario as `run`, `compare` and `report` evaluate it: loaded with the design files and
//! overrides of the command line, checked against the memory it would take, evaluated with a
//! progress bar, its ids pseudonymised under `--redact`.

use std::path::Path;

use blastradius::design::Design;
use blastradius::evaluate::{evaluate, Depth, Evaluation};
use blastradius::load::design::load_design_file;
use blastradius::load::load_scenario_for;
use blastradius::model::{Model, NodeKind};
use blastradius::results::redact::{redact_run_naming, Person};
use blastradius::results::RunReport;
use blastradius::scenario::Scenario;
use blastradius::Error;

use super::args::SimulationArgs;
use super::output::{shown, Failure};
use super::progress::Bar;
use super::{limits, redact};

/// Says that the model has lint warnings and how to list them (unless quiet).
pub fn lint_note(warnings: usize, scenario: &Path, model: &str, quiet: bool) {
    if warnings > 0 && !quiet {
        eprintln!(
            "note: the model has {warnings} lint warning{}; `blastradius validate {}` lists them",
            if warnings == 1 { "" } else { "s" },
            shown(&model_beside(scenario, model))
        );
    }
}

/// The scenario's model path as the user reaches it from where they are: the scenario's folder
/// joined with the path the scenario names, `..` taken lexically (`scenarios/../data` reads
/// `data`).
fn model_beside(scenario: &Path, model: &str) -> std::path::PathBuf {
    let joined = scenario.parent().unwrap_or(Path::new("")).join(model);
    let mut out = std::path::PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir
                if matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) =>
            {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Loads a scenario with the design files and overrides of the command line and evaluates it
/// (with ids pseudonymised under `--redact`). The evaluation (models, graphs, trials) comes
/// back too, for the caller to free or [keep](super::output::keep_until_exit).
pub fn evaluate_scenario(
    scenario: &Path,
    sim: &SimulationArgs,
    quiet: bool,
    command: &str,
) -> Result<(RunReport, Evaluation), Failure> {
    let mut loaded = load_scenario_for(scenario, &shown(scenario), command)?;
    if let Some(days) = sim.horizon_days {
        loaded.model.program_age_days = Some(days);
    }
    let people = match sim.redact {
        true => people_of(&loaded.model),
        false => Vec::new(),
    };
    let mut s = loaded.scenario;
    sim.override_simulation(&mut s);
    add_designs(&mut s, sim, &loaded.model)?;
    // The scenario file's own warnings (a frequency with no `[money]` to use it) are printed;
    // the model's lints are counted, as `validate` lists them.
    let file = shown(scenario);
    let (own, lints): (Vec<_>, Vec<_>) = loaded.warnings.iter().partition(|w| w.file == file);
    if !quiet {
        for w in own {
            eprintln!("{w}");
        }
    }
    lint_note(lints.len(), scenario, &s.model_path, quiet);
    let depth = sim.depth();
    if depth == Depth::MonteCarlo {
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
    let total = s.simulation.trials as u64 * (1 + s.designs.len() as u64);
    let bar = Bar::new("trials", total, quiet || depth == Depth::WorstCase);
    let evaluation = evaluate(&s, loaded.model, depth, &bar);
    bar.finish();
    let mut report = RunReport::of(&s, &evaluation);
    report.horizon_days = sim.horizon_days;
    let report = match sim.redact {
        true => redact_run_naming(&report, &redact::pseudonymiser(), &people),
        false => report,
    };
    Ok((report, evaluation))
}

/// The model's people and accounts, for `--redact` to find in the scenario's free text.
fn people_of(model: &Model) -> Vec<Person> {
    [(NodeKind::Person, "person"), (NodeKind::Account, "account")]
        .into_iter()
        .flat_map(|(kind, prefix)| {
            model.nodes_of(kind).map(move |n| Person {
                prefix,
                id: model.id(n).to_string(),
                name: model.name_of(n).map(String::from),
            })
        })
        .collect()
}

/// Adds the designs of `--design` files (names must stay unique) and, with `--combine` and
/// more than one design, the design of all their changes together.
fn add_designs(
    s: &mut Scenario,
    sim: &SimulationArgs,
    model: &blastradius::model::Model,
) -> Result<(), Failure> {
    for file in &sim.designs {
        for d in load_design_file(file, &shown(file), model)? {
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
            // Running every control costs what each costs, when any says.
            cost_per_year: s
                .designs
                .iter()
                .filter_map(|d| d.cost_per_year)
                .reduce(|a, b| a + b),
        };
        s.designs.push(combined);
    }
    Ok(())
}
