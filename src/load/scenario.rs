//! Scenario files: which model, what is compromised, how to simulate, which designs.
//!
//! The model path is relative to the scenario file.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::design::{read_designs, resolve_selector, RawDesign};
use super::input::text_too_long;
use super::model::{load_model, LoadedModel};
use super::source::Source;
use crate::design::Keep;
use crate::error::{did_you_mean, Diagnostic, Error, Result, Severity};
use crate::model::{Distribution, Model, NodeId, NodeKind};
use crate::scenario::{Costs, Detection, Scenario, Simulation};

/// Trials when the scenario does not say.
pub const DEFAULT_TRIALS: u32 = 10_000;
/// Seed when the scenario does not say.
pub const DEFAULT_SEED: u64 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    model: Spanned<String>,
    name: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    attack: RawAttack,
    simulation: Option<RawSimulation>,
    #[serde(default)]
    design: Vec<RawDesign>,
    costs: Option<std::collections::BTreeMap<String, Spanned<f64>>>,
    costs_per_year: Option<std::collections::BTreeMap<String, Spanned<f64>>>,
    #[serde(default)]
    keep: Vec<RawKeep>,
}

/// A `[[keep]]` entry: access `recommend` may not remove.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeep {
    principal: Spanned<String>,
    target: Spanned<String>,
    why: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttack {
    compromised: Vec<Spanned<String>>,
    frequency_per_year: Option<Spanned<f64>>,
    vector: Option<Spanned<String>>,
}

/// `[attack] vector`, checked against the model's `[entry]` vectors.
fn read_vector(src: &mut Source, model: &Model, raw: Option<&Spanned<String>>) -> Option<String> {
    let v = raw?;
    let name = v.get_ref();
    if model.entry.get(name).is_some() {
        return Some(name.clone());
    }
    let message = if model.entry.is_empty() {
        format!("[attack] vector `{name}`: the model has no [entry] table to give its entry probabilities (see README, \"Entry likelihood\")")
    } else {
        format!(
            "unknown [attack] vector `{name}`; the model's [entry] has {}{}",
            model.entry.names().collect::<Vec<_>>().join(", "),
            did_you_mean(name, model.entry.names())
        )
    };
    src.error(Some(v.span()), message);
    None
}

/// The largest `frequency_per_year`: an incident a day. The compound Poisson year draws each
/// incident, so this also bounds its work.
pub const MAX_FREQUENCY: f64 = 365.0;

/// Top-level keys only a model has (a scenario has none of them).
const MODEL_KEYS: [&str; 8] = [
    "org", "person", "account", "group", "system", "store", "records", "csv",
];

/// Whether a file meant as a scenario is a model: valid TOML with no `model` key and one of
/// the model's own tables.
fn looks_like_a_model(text: &str) -> bool {
    toml::from_str::<toml::Table>(text)
        .is_ok_and(|t| !t.contains_key("model") && MODEL_KEYS.iter().any(|k| t.contains_key(*k)))
}

/// The message for a model given where a scenario belongs, with a scenario to start from
/// (compromising the model's first account, when its `model.toml` lists one).
fn a_model_not_a_scenario(shown: &str, model_text: &str, command: &str) -> Error {
    let model = shown.trim_end_matches('/');
    let account = toml::from_str::<toml::Table>(model_text)
        .ok()
        .and_then(|t| {
            t.get("account")?
                .as_array()?
                .first()?
                .get("id")?
                .as_str()
                .map(String::from)
        })
        .unwrap_or_else(|| "ID".into());
    Error::Input(format!(
        "{shown} is a model; `{command}` takes a scenario: \
         a small TOML file that names the model and the compromised nodes. Save this as \
         scenario.toml in the current folder (the model path is relative to the scenario's \
         folder) and list the accounts or systems the attacker holds under `compromised`:\n\n\
         model = \"{model}\"\n\
         name = \"A phished account\"\n\
         [attack]\n\
         compromised = [\"{account}\"]\n\n\
         then run `blastradius {command} scenario.toml`. `blastradius validate {model}` checks the \
         model; `blastradius sweep {model}` ranks every account without a scenario."
    ))
}

/// `[attack] frequency_per_year`, checked; a warning when the model has no `[money]` to use it.
fn read_frequency(src: &mut Source, model: &Model, raw: Option<&Spanned<f64>>) -> Option<f64> {
    let f = raw?;
    let x = *f.get_ref();
    if !(0.0..=MAX_FREQUENCY).contains(&x) {
        src.error(
            Some(f.span()),
            format!("[attack] frequency_per_year must be from 0 to {MAX_FREQUENCY} (incidents a year), not {x}"),
        );
        return None;
    }
    if model.money.is_none() {
        src.warning(
            Some(f.span()),
            "[attack] frequency_per_year has no effect: the model has no [money] table to give an annual loss",
        );
    }
    Some(x)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    trials: Option<Spanned<i64>>,
    seed: Option<Spanned<i64>>,
    detection: Option<RawDetection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetection {
    mean_days: Spanned<f64>,
    distribution: Option<Spanned<String>>,
}

/// A loaded scenario and the model's warnings.
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
}

/// Reads a scenario file and the model it names. `shown` is the path as the user wrote it.
pub fn load_scenario(path: &Path, shown: &str) -> Result<LoadedScenario> {
    load_scenario_for(path, shown, "run")
}

/// [`load_scenario`] for `command`, which a model given in place of the scenario is told
/// about.
pub fn load_scenario_for(path: &Path, shown: &str, command: &str) -> Result<LoadedScenario> {
    if path.is_dir() && path.join("model.toml").is_file() {
        let text = crate::load::input::read_text(&path.join("model.toml")).unwrap_or_default();
        return Err(a_model_not_a_scenario(shown, &text, command));
    }
    let text = crate::load::input::read_text(path).map_err(|source| Error::Read {
        path: shown.to_string(),
        source,
    })?;
    if looks_like_a_model(&text) {
        return Err(a_model_not_a_scenario(shown, &text, command));
    }
    let mut src = Source::new(shown, text);
    if src.is_blank() {
        return Err(Error::Syntax {
            path: shown.to_string(),
            message: "the scenario file is empty; it needs `model = \"…\"` and `[attack] compromised = [\"…\"]`".into(),
        });
    }
    let raw: RawScenario = toml::from_str(src.text()).map_err(|e| Error::Syntax {
        path: shown.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;

    let base = path.parent().unwrap_or(Path::new("."));
    let model_rel = raw.model.get_ref();
    let model_path = base.join(model_rel);
    let shown_model = Path::new(shown)
        .parent()
        .map(|p| p.join(model_rel))
        .unwrap_or_else(|| model_rel.into());
    let loaded: LoadedModel = match load_model(&model_path, &shown_model.to_string_lossy()) {
        Ok(m) => m,
        Err(Error::Read { source, .. }) => {
            src.error(
                Some(raw.model.span()),
                format!(
                    "cannot read model `{model_rel}` (resolved against the scenario's folder to `{}`): {source}",
                    shown_model.display()
                ),
            );
            return Err(Error::Invalid {
                problems: src.problems,
            });
        }
        Err(e) => return Err(e),
    };
    let model = loaded.model;

    let compromised = resolve_compromised(&mut src, &model, &raw.attack.compromised);
    let simulation = read_simulation(&mut src, raw.simulation.as_ref());
    let designs = read_designs(&mut src, &model, raw.design);
    let costs = read_costs(&mut src, "costs", Costs::default(), raw.costs.as_ref());
    // Money a year per fix kind (`recommend --objective loss`); kinds left out stay infinite.
    let costs_per_year = raw
        .costs_per_year
        .as_ref()
        .map(|t| read_costs(&mut src, "costs_per_year", Costs::unpriced(), Some(t)));
    let keep = read_keep(&mut src, &model, &raw.keep);
    let frequency_per_year =
        read_frequency(&mut src, &model, raw.attack.frequency_per_year.as_ref());
    let vector = read_vector(&mut src, &model, raw.attack.vector.as_ref());
    let texts = [("name", &raw.name), ("description", &raw.description)]
        .into_iter()
        .map(|(field, t)| (format!("the scenario's {field}"), t))
        .chain(
            raw.keep
                .iter()
                .map(|k| ("a [[keep]]'s `why`".to_string(), &k.why)),
        );
    for (what, text) in texts {
        let Some(text) = text else { continue };
        if let Some(e) = text_too_long(&what, text.get_ref()) {
            src.error(Some(text.span()), e);
        }
    }
    if src.has_errors() {
        return Err(Error::Invalid {
            problems: src.problems,
        });
    }
    let mut warnings = loaded.warnings;
    warnings.extend(
        src.problems
            .into_iter()
            .filter(|d| d.severity == Severity::Warning),
    );
    let name = raw.name.map(Spanned::into_inner).unwrap_or_else(|| {
        Path::new(shown)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.to_string())
    });
    Ok(LoadedScenario {
        scenario: Scenario {
            name,
            description: raw.description.map(Spanned::into_inner),
            model_path: model_rel.clone(),
            compromised,
            simulation,
            designs,
            costs,
            costs_per_year,
            frequency_per_year,
            vector,
            keep,
        },
        model,
        warnings,
    })
}

fn resolve_compromised(src: &mut Source, model: &Model, ids: &[Spanned<String>]) -> Vec<NodeId> {
    if ids.is_empty() {
        src.error(
            None,
            "[attack] compromised is empty; name at least one person, account, system or store",
        );
    }
    let mut out = Vec::new();
    for id in ids {
        match model.node_id(id.get_ref()) {
            Some(n) => out.push(n),
            None => src.error(
                Some(id.span()),
                format!(
                    "unknown compromised id `{}`{}",
                    id.get_ref(),
                    did_you_mean(id.get_ref(), model.nodes.iter().map(|n| n.id.as_str()))
                ),
            ),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn read_simulation(src: &mut Source, raw: Option<&RawSimulation>) -> Simulation {
    let mut sim = Simulation {
        trials: DEFAULT_TRIALS,
        seed: DEFAULT_SEED,
        detection: None,
    };
    let Some(raw) = raw else {
        return sim;
    };
    if let Some(t) = &raw.trials {
        match u32::try_from(*t.get_ref()) {
            Ok(n) if n >= 2 => sim.trials = n,
            _ => src.error(
                Some(t.span()),
                format!(
                    "trials must be a whole number from 2 (an interval needs two) to {}, not {}",
                    u32::MAX,
                    t.get_ref()
                ),
            ),
        }
    }
    if let Some(s) = &raw.seed {
        match u64::try_from(*s.get_ref()) {
            Ok(n) => sim.seed = n,
            Err(_) => src.error(
                Some(s.span()),
                format!("seed must be 0 or more, not {}", s.get_ref()),
            ),
        }
    }
    if let Some(d) = &raw.detection {
        let mean = *d.mean_days.get_ref();
        if !(mean > 0.0 && mean.is_finite()) {
            src.error(
                Some(d.mean_days.span()),
                format!("detection mean_days must be more than 0, not {mean}"),
            );
        }
        let distribution = match &d.distribution {
            None => Distribution::Exponential,
            Some(s) => Distribution::parse(s.get_ref()).unwrap_or_else(|| {
                src.error(
                    Some(s.span()),
                    format!(
                        "unknown distribution `{}`; expected exponential or fixed{}",
                        s.get_ref(),
                        did_you_mean(s.get_ref(), ["exponential", "fixed"])
                    ),
                );
                Distribution::Exponential
            }),
        };
        sim.detection = Some(Detection {
            mean_days: mean,
            distribution,
        });
    }
    sim
}

/// The kinds a `[[keep]]` principal and target may be: the ends of the links fixes remove
/// (grants, memberships and stored credentials).
const KEEP_PRINCIPALS: [NodeKind; 4] = [
    NodeKind::Account,
    NodeKind::Group,
    NodeKind::System,
    NodeKind::Store,
];
const KEEP_TARGETS: [NodeKind; 4] = [
    NodeKind::Account,
    NodeKind::Group,
    NodeKind::System,
    NodeKind::Store,
];

/// `[[keep]]`: each selector resolved on the model (one that selects nothing is an error with
/// the nearest id), and each entry must keep some link, or it is a typo.
fn read_keep(src: &mut Source, model: &Model, raw: &[RawKeep]) -> Vec<Keep> {
    let mut out = Vec::new();
    for k in raw {
        let mut side = |sel: &Spanned<String>, kinds: &[NodeKind], role: &str| {
            let text = sel.get_ref();
            match resolve_selector(model, text, kinds) {
                Ok(s) => Some(s),
                Err(e) => {
                    // A glob that matches nothing: suggest the nearest id of those kinds.
                    let hint = match e.contains("matches no") {
                        true => did_you_mean(
                            text.rsplit(':').next().unwrap_or(text).trim_matches('*'),
                            model
                                .nodes
                                .iter()
                                .filter(|n| kinds.contains(&n.kind))
                                .map(|n| n.id.as_str()),
                        ),
                        false => String::new(),
                    };
                    src.error(Some(sel.span()), format!("[[keep]] {role}: {e}{hint}"));
                    None
                }
            }
        };
        let principal = side(&k.principal, &KEEP_PRINCIPALS, "principal");
        let target = side(&k.target, &KEEP_TARGETS, "target");
        let (Some(principal), Some(target)) = (principal, target) else {
            continue;
        };
        let keep = Keep {
            principal,
            target,
            why: k.why.as_ref().map(|w| w.get_ref().clone()),
        };
        if !model.links.iter().any(|l| keep.protects(l)) {
            src.error(
                Some(k.principal.span()),
                format!(
                    "[[keep]] {}: no grant, membership or stored credential links them, so it keeps nothing",
                    keep.describe()
                ),
            );
            continue;
        }
        out.push(keep);
    }
    out
}

/// `[costs]` (or `[costs_per_year]`, named `table`) over `costs`; a name that is no fix kind,
/// or a cost that is not more than 0, is a problem in `src`.
fn read_costs(
    src: &mut Source,
    table: &str,
    mut costs: Costs,
    raw: Option<&std::collections::BTreeMap<String, Spanned<f64>>>,
) -> Costs {
    for (op, cost) in raw.into_iter().flatten() {
        let names = Costs::NAMES;
        match costs.slot(op) {
            None => src.error(
                Some(cost.span()),
                format!(
                    "[{table}] `{op}` is not a fix recommend searches; expected one of {}{}",
                    names.join(", "),
                    did_you_mean(op, names)
                ),
            ),
            Some(_) if !(*cost.get_ref() > 0.0 && cost.get_ref().is_finite()) => src.error(
                Some(cost.span()),
                format!(
                    "[{table}] `{op}` must be more than 0, not {}",
                    cost.get_ref()
                ),
            ),
            Some(slot) => *slot = *cost.get_ref(),
        }
    }
    costs
}
