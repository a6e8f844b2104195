//! One function per command on a scenario or a model: load, compute through the library,
//! [`emit`] the report. (`report` and `chart` are in `report.rs`, `import` and `export` in
//! `interop.rs`.)

use blastradius::engine::focus;
use blastradius::engine::gate::{self, Condition};
use blastradius::engine::protected::Protected;
use blastradius::engine::recommend::{self, ChokeSampling, Objective};
use blastradius::engine::{paths::attack_paths, reach};
use blastradius::error::did_you_mean;
use blastradius::load::{load_model, load_model_unlinted, load_scenario_for, LoadedModel};
use blastradius::model::{category_matches, Model, NodeId, NodeKind};
use blastradius::output::gate::reason_text;
use blastradius::output::reachers as listing;
use blastradius::output::{Format, QueryFormat, Render, RunOutput};
use blastradius::results::compare::Comparison;
use blastradius::results::diff::DiffReport;
use blastradius::results::drawing::AttackDrawing;
use blastradius::results::queries::{FocusReachReport, PathsReport, ValidationReport, WhoCanReach};
use blastradius::results::recommend::{choke_rows, ChokeRow, RecommendReport};
use blastradius::results::redact::redact_sweep;
use blastradius::results::sweep::{RankBy, Ranking, SweepReport};
use blastradius::results::PathReport;
use blastradius::scenario::Costs;
use blastradius::{Analysis, Error};

use super::args::{
    DiffArgs, GenerateArgs, PathsArgs, RankArg, RecommendArgs, RunArgs, SweepArgs, ValidateArgs,
    WhoCanReachArgs,
};
use super::output::{
    check_model_dir, emit, emit_query, keep_until_exit, save_model_folder, shown, write_streamed,
    write_text, Failure,
};
use super::progress::Bar;
use super::scenario::{evaluate_scenario, lint_note};
use super::{limits, redact};

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let (report, evaluation) = evaluate_scenario(&args.scenario, &args.sim, args.quiet, "run")?;
    let output = RunOutput {
        report: &report,
        csv: args.sim.csv_table.into(),
    };
    emit(&args.out, &output)?;
    keep_until_exit((evaluation, report));
    Ok(())
}

pub fn compare(args: &RunArgs) -> Result<(), Failure> {
    let (report, evaluation) = evaluate_scenario(&args.scenario, &args.sim, args.quiet, "compare")?;
    let comparison = Comparison::of(&report);
    emit(&args.out, &comparison)?;
    keep_until_exit((evaluation, report, comparison));
    Ok(())
}

pub fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let model = &args.model;
    if args.top == 0 {
        // An empty "top 0" table answers nothing; every node is what CSV is for.
        return Err(input_error(
            "--top 0 lists no node: give 1 or more (`--format csv` lists every node)".into(),
        ));
    }
    limits::check(
        limits::model_bytes(model),
        &format!("loading `{}`", shown(model)),
        "split the model or use a larger machine",
    )?;
    // Large blocks churn from the load to the passes, within the sweep's memory: see memory.rs.
    super::memory::keep_freed_pages();
    let mut org = load_model_unlinted(model, &shown(model))?;
    if let Some(days) = args.horizon_days {
        org.program_age_days = Some(days);
    }
    let focus = args
        .focus()
        .map(|f| f.checked(&org))
        .transpose()
        .map_err(|e| Failure::Error(Error::Input(e)))?;
    let kind = NodeKind::from(args.kind);
    let by = match (&args.by, &focus) {
        (Some(by), _) => RankBy::from(by),
        (None, Some(_)) => RankBy::Records,
        (None, None) => RankBy::Exposure,
    };
    let entry = sweep_entry(&org, args, kind, by)?;
    let population = sweep_population(&org, args)?;
    let mut analysis = Analysis::new(org);
    // What the load freed and the graph did not take is not made again: it goes before the
    // condensation, where the sweep peaks (685 MiB kept, 670 let go, at 1M people).
    super::memory::release_kept_pages();
    // The loss needs each source's records by category and notifiable people, which the
    // condensed sweep does not keep: one traversal per source, before the graph is let go.
    let losses = match (by, analysis.model.money.as_ref()) {
        (RankBy::Loss, _) if focus.is_some() => return Err(Failure::Error(Error::Input(
            "--by loss counts every category; it cannot be combined with --category or --regime"
                .into(),
        ))),
        (RankBy::Loss, None) => {
            return Err(Failure::Error(Error::Input(format!(
                "--by loss needs a [money] table in `{}` (see README, \"Money\")",
                shown(model)
            ))))
        }
        (RankBy::Loss, Some(money)) => {
            let sources: Vec<NodeId> = analysis.model.nodes_of(kind).collect();
            Some(blastradius::engine::loss::sweep_losses(
                &analysis.model,
                &analysis.graph,
                analysis.index(),
                money,
                &sources,
            ))
        }
        _ => None,
    };
    // --trials simulates the listed sources afterwards, on the graph the releasing sweep frees.
    let (rows, focused) = match (&focus, args.trials) {
        (Some(f), _) => {
            let (rows, index) = analysis.sweep_focus_releasing(kind, f);
            (rows, Some(index))
        }
        (None, None) => (analysis.sweep_releasing(kind), None),
        (None, Some(_)) => {
            let sources: Vec<NodeId> = analysis.model.nodes_of(kind).collect();
            let rows = blastradius::engine::sweep::sweep(
                &analysis.model,
                &analysis.graph,
                analysis.index(),
                &sources,
            );
            (rows, None)
        }
    };
    // What the passes freed is let go too: a CSV sweep's entries (one per node) would sit
    // beside it (695 MiB at 1M people, against 665 let go: the condensation's peak).
    super::memory::release_kept_pages();
    // CSV lists every node.
    let top = (Format::from(args.out.format) != Format::Csv).then_some(args.top);
    let ranking = Ranking {
        by,
        top,
        losses: losses.as_deref(),
        population,
        entry: entry.as_ref().map(|(v, p)| (v.as_str(), p.as_slice())),
    };
    let mut report = match (&focus, &focused) {
        (Some(f), Some(index)) => SweepReport::focused(
            &analysis.model,
            index,
            kind.as_str(),
            &rows,
            &ranking,
            &f.label(),
        ),
        _ => SweepReport::ranked(
            &analysis.model,
            analysis.index(),
            kind.as_str(),
            &rows,
            &ranking,
        ),
    };
    if let Some(trials) = args.trials {
        simulate_listed(&analysis, args, trials, &mut report);
    }
    report.horizon_days = args.horizon_days;
    let report = match args.redact {
        true => redact_sweep(&report, &redact::pseudonymiser()),
        false => report,
    };
    let emitted = emit(&args.out, &report);
    keep_until_exit((analysis, rows, report, focused));
    emitted
}

/// `sweep --by people:POPULATION`: the population's index; an error naming the model's
/// populations for an unknown one.
fn sweep_population(model: &Model, args: &SweepArgs) -> Result<Option<usize>, Failure> {
    let Some(RankArg::People(Some(p))) = &args.by else {
        return Ok(None);
    };
    let found = model.populations.keys().position(|x| x == p);
    found.map(Some).ok_or_else(|| {
        input_error(format!(
            "--by people:{p}: `{}` declares no population `{p}`{}",
            shown(&args.model),
            did_you_mean(p, model.populations.keys().map(String::as_str))
        ))
    })
}

/// `sweep --trials`: the Monte Carlo expectation of one attempt of the vector on each listed
/// source.
fn simulate_listed(analysis: &Analysis, args: &SweepArgs, trials: u32, report: &mut SweepReport) {
    let vector = args
        .vector
        .as_ref()
        .and_then(|v| analysis.model.entry.get(v).copied());
    let Some(vector) = vector else {
        return;
    };
    let listed: Vec<NodeId> = report
        .entries
        .iter()
        .filter_map(|e| analysis.model.node_id(&e.id))
        .collect();
    let means = blastradius::engine::entry::simulated_expectations(
        analysis, &vector, &listed, trials, args.seed,
    );
    for (e, (mean, ci95)) in report.entries.iter_mut().zip(means) {
        e.expected_exposure_monte_carlo = Some(mean);
        e.expected_exposure_monte_carlo_ci95 = Some(ci95);
    }
    report.trials = Some(trials);
}

fn input_error(message: String) -> Failure {
    Failure::Error(Error::Input(message))
}

/// `sweep --vector`: the vector's name and each source's entry probability (in the order the
/// sweep's rows come, [`Model::nodes_of`]); an error for an unknown vector, for systems and
/// stores (no vector applies to them), and for `--by expected` without a vector.
fn sweep_entry(
    model: &Model,
    args: &SweepArgs,
    kind: NodeKind,
    by: RankBy,
) -> Result<Option<(String, Vec<f64>)>, Failure> {
    let Some(v) = &args.vector else {
        return match by {
            RankBy::Expected => Err(input_error(
                "--by expected needs --vector VECTOR: the attack vector whose entry probabilities weigh the worst case".into(),
            )),
            _ => Ok(None),
        };
    };
    let Some(table) = model.entry.get(v) else {
        return Err(input_error(if model.entry.is_empty() {
            format!("--vector {v}: `{}` has no [entry] table to give entry probabilities (see README, \"Entry likelihood\")", shown(&args.model))
        } else {
            format!(
                "unknown --vector `{v}`; the model's [entry] has {}{}",
                model.entry.names().collect::<Vec<_>>().join(", "),
                did_you_mean(v, model.entry.names())
            )
        }));
    };
    match blastradius::engine::entry::probabilities(model, table, kind) {
        Some(p) => Ok(Some((v.clone(), p))),
        None => Err(input_error(format!(
            "--vector applies to accounts and people, not {}s: an attack vector takes an account by its MFA, while a compromised {} is taken as a whole",
            kind.as_str(),
            kind.as_str()
        ))),
    }
}

pub fn diff(args: &DiffArgs) -> Result<(), Failure> {
    let kind = NodeKind::from(args.kind);
    // Conditions are checked before any model is read: a typo fails at once.
    let conditions = args
        .fail_if
        .iter()
        .map(|c| Condition::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Error(Error::Input(e)))?;
    let load = |path: &std::path::Path| -> Result<Model, Failure> {
        limits::check(
            limits::model_bytes(path),
            &format!("loading `{}`", shown(path)),
            "split the model or use a larger machine",
        )?;
        Ok(load_model_unlinted(path, &shown(path))?)
    };
    // The two loads overlap: each leaves a core idle part of the time (reading, the last
    // waves of rows), and the second's peak sits beside the first's model either way.
    let (old, new) = rayon::join(|| load(&args.old), || load(&args.new));
    let (old, new) = (old?, new?);
    // `new_reach` reads both models whole, so it is answered before the diff takes them.
    let mut reaches = Vec::new();
    for c in &conditions {
        reaches.push(match c {
            Condition::NewReach(category) => {
                let known = || gate::categories(&old).chain(gate::categories(&new));
                if !known().any(|k| category_matches(k, category)) {
                    return Err(Failure::Error(Error::Input(format!(
                        "--fail-if `new_reach:{category}`: neither model has a record of category `{category}`{}",
                        did_you_mean(category, known())
                    ))));
                }
                gate::new_reach(&old, &new, kind, category)
            }
            _ => Vec::new(),
        });
    }
    let d = blastradius::engine::diff::diff_owned(old, new, kind).map_err(|e| {
        Failure::Error(Error::Input(format!(
            "`{}` and `{}`: {e}",
            shown(&args.old),
            shown(&args.new)
        )))
    })?;
    let top = (Format::from(args.out.format) != Format::Csv).then_some(args.top);
    let reasons: Vec<String> = conditions
        .iter()
        .zip(&reaches)
        .filter_map(|(c, reach)| gate::reason(&d, c, reach).map(|r| reason_text(&r)))
        .collect();
    let report = DiffReport::of(&shown(&args.old), &shown(&args.new), &d, top);
    // The gate's status stands even when standard output was closed early.
    let emitted = emit(&args.out, &report);
    match (reasons.is_empty(), emitted) {
        (true, emitted) => emitted,
        (false, Err(Failure::Error(e))) => Err(Failure::Error(e)),
        (false, _) => Err(Failure::Gate(reasons)),
    }
}

pub fn generate(args: &GenerateArgs) -> Result<(), Failure> {
    let (people, dir) = (args.people, &args.output);
    if people == 0 {
        return Err(Failure::Error(Error::Input(
            "--people must be at least 1".into(),
        )));
    }
    check_model_dir(dir, args.force)?;
    // About 4 KiB per person while generating and saving (measured at 100k: ~400 MB).
    limits::check(
        (people as u64).saturating_mul(4096),
        &format!("an organisation of {people} people"),
        "generate fewer people",
    )?;
    let model = blastradius::generate::generate(people, args.seed);
    // Under the folder's lock; with --force, side files of an earlier model that this one does
    // not rewrite go after the save, so a failed save leaves the earlier model whole.
    save_model_folder(
        &model,
        dir,
        args.layout.csv_files(people),
        args.force,
        || Ok(()),
    )?;
    eprintln!(
        "wrote {} ({} nodes, {} links) to {}",
        model.name,
        model.node_count(),
        model.links.len(),
        dir.display()
    );
    Ok(())
}

pub fn recommend(args: &RecommendArgs) -> Result<(), Failure> {
    args.check()?;
    let loaded = load_scenario_for(&args.scenario, &shown(&args.scenario), "recommend")?;
    let s = loaded.scenario;
    lint_note(
        loaded.warnings.len(),
        &args.scenario,
        &s.model_path,
        args.quiet,
    );
    if let (Some(v), false) = (&s.vector, args.quiet) {
        eprintln!(
            "note: recommend takes every compromised node for certain; the scenario's [attack] vector `{v}` is not weighed here (run and compare weigh it; `--objective org --vector {v}` weighs every source by it)"
        );
    }
    let search = args.search(&s, &loaded.model)?;
    // One tick a search step: the budget bounds the steps of the unit costs, not of money.
    let steps = match search.objective {
        _ if !search.budget.is_finite() => 10.0,
        Objective::Loss { .. } => 10.0,
        _ => search.budget.ceil().max(1.0),
    };
    let bar = Bar::new("search steps", steps as u64, args.quiet);
    let found = recommend::recommend(&loaded.model, &s.compromised, &search, &bar);
    bar.finish();
    let analysis = Analysis::new(loaded.model);
    let (chokes, all) = choke_points(&analysis, &s.compromised, &search, args);
    let currency = analysis.model.money.as_ref().map(|m| m.currency.as_str());
    let mut report = RecommendReport::of(
        &analysis.model,
        &s.name,
        currency,
        &search,
        &found,
        chokes,
        all,
    );
    if report.costs_per_year.is_some() {
        report.costs_assumed = Some(!Costs::all_priced(s.costs_per_year.as_ref()));
    }
    if let Some(v) = &args.vector {
        let kind = NodeKind::from(args.kind);
        report.objective = format!(
            "organisation-wide (every {kind}, worst case × entry probability of `{v}`, summed)"
        );
    }
    emit(&args.out, &report)
}

/// `recommend`'s choke points, of the scenario's sources and (`--all-accounts`) summed over
/// every account. Steps the plan may not cut are left out, as the search leaves them out:
/// links no fix removes (a person's own account, a data flow), `[[keep]]`, and of the
/// scenario's, the entry points' own access unless `--include-entry-links` (or the
/// organisation-wide objective, which has no entry points).
fn choke_points(
    analysis: &Analysis,
    sources: &[NodeId],
    search: &recommend::Search,
    args: &RecommendArgs,
) -> (Vec<ChokeRow>, Option<Vec<ChokeRow>>) {
    let (model, graph) = (&analysis.model, &analysis.graph);
    let cuttable = |protected: Protected, mut points: Vec<recommend::ChokePoint>| {
        points.retain(|c| protected.allows(&model.links[graph.edge(c.edge).link as usize]));
        points.truncate(args.top);
        choke_rows(model, graph, &points)
    };
    let org = matches!(search.objective, Objective::Org { .. });
    let entry_links = search.include_entry_links || org;
    let chokes = cuttable(
        Protected::new(model, sources, entry_links, &search.keep),
        recommend::choke_points(analysis, sources, usize::MAX),
    );
    let all = args.all_accounts.then(|| {
        // Across every account no node is the entry point: only [[keep]] applies.
        cuttable(
            Protected::new(model, &[], true, &search.keep),
            recommend::choke_points_all_accounts(analysis, ChokeSampling::default(), usize::MAX),
        )
    });
    (chokes, all)
}

pub fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    let LoadedModel {
        model,
        path,
        warnings,
    } = load_model(&args.model, &shown(&args.model))?;
    // Validation reports the attack graph's size, counted without building it.
    let report = ValidationReport::of(&path, &model, &warnings);
    let emitted = emit(&args.out, &report);
    keep_until_exit(model);
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

pub fn paths(args: &PathsArgs) -> Result<(), Failure> {
    let model = load_model_unlinted(&args.model, &shown(&args.model))?;
    let analysis = Analysis::new(model);
    let m = &analysis.model;
    let a = node(m, &args.from, "--from")?;
    let b = node(m, &args.to, "--to")?;
    let found = attack_paths(&analysis.graph, a, b, args.limit as usize);
    let report = PathsReport {
        from: args.from.clone(),
        to: args.to.clone(),
        paths: found
            .iter()
            .map(|p| PathReport::of(m, &analysis.graph, b, &p.edges))
            .collect(),
    };
    emit_query(&args.out, &report, || {
        AttackDrawing::of_paths(m, &analysis.holdings, &report)
    })
}

pub fn who_can_reach(args: &WhoCanReachArgs) -> Result<(), Failure> {
    let model = load_model_unlinted(&args.model, &shown(&args.model))?;
    let analysis = Analysis::new(model);
    let m = &analysis.model;
    if let Some(focus) = args.focus() {
        let focus = focus
            .checked(m)
            .map_err(|e| Failure::Error(Error::Input(e)))?;
        let found = focus::who_can_reach(m, &analysis.graph, &analysis.holdings, &focus);
        let report = FocusReachReport::of(m, &analysis.graph, &focus, &found);
        return match QueryFormat::from(args.out.format) {
            QueryFormat::Report(format) => {
                write_text(args.out.output.as_deref(), &report.render(format))
            }
            QueryFormat::Drawing(_) => Err(input_error(format!(
                "--format {}: drawings are of one store's reachers; draw a store of {} with `who-can-reach MODEL STORE --format svg` (its stores: {})",
                format!("{:?}", args.out.format).to_lowercase(),
                report.focus,
                report.stores.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ))),
        };
    }
    let store = args.store.as_deref().unwrap_or_default();
    let target = node(m, store, "STORE")?;
    if m.kind(target) == NodeKind::Person {
        // Nothing reaches a person: "nothing can reach" would read as "safe".
        return Err(input_error(format!(
            "STORE: `{store}` is a person, not a store: attacks start from people, nothing reaches them; `paths {} --from {store} --to STORE` shows how far they reach, `sweep {} --kind person` ranks every person",
            shown(&args.model),
            shown(&args.model)
        )));
    }
    let r = reach::backward(&analysis.graph, &[target]);
    let reachers = WhoCanReach::new(m, &analysis.graph, target, &r);
    // A store that most of a large organisation reaches has gigabytes of paths: in a table,
    // JSON or CSV each row is made and written in turn, never all held.
    match QueryFormat::from(args.out.format) {
        QueryFormat::Report(Format::Json) => {
            return write_streamed(args.out.output.as_deref(), &mut |w| {
                listing::write_json(w, &reachers)
            })
        }
        QueryFormat::Report(Format::Table) => {
            return write_streamed(args.out.output.as_deref(), &mut |w| {
                listing::write_table(w, &reachers)
            })
        }
        QueryFormat::Report(Format::Csv) => {
            return write_streamed(args.out.output.as_deref(), &mut |w| {
                listing::write_csv(w, &reachers)
            })
        }
        _ => {}
    }
    let report = reachers.report();
    emit_query(&args.out, &report, || {
        AttackDrawing::of_reachers(m, &analysis.holdings, &report)
    })
}
