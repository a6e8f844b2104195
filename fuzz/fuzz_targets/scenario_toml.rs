//! Scenario TOML: the input is written as `scenario.toml` beside a fixed small model and read
//! with `load_scenario`; a scenario that loads has its designs applied and a worst case and a
//! few Monte Carlo trials run on each. The same text is also read as a design file
//! (`load_design_file`) and every change table in it goes through `parse_change` and `apply`.
#![no_main]

use std::sync::OnceLock;

use blastradius::design::{apply, Entry};
use blastradius::engine::NoProgress;
use blastradius::load::design::{load_design_file, parse_change};
use blastradius::load::{load_scenario, parse_model};
use blastradius::model::Model;
use blastradius::scenario::{Detection, Simulation};
use blastradius::Analysis;
use blastradius_fuzz::{plain_name, render, scratch};
use libfuzzer_sys::fuzz_target;

const MODEL: &str = include_str!("../src/fixture.toml");

/// The fixed model, parsed once, and written once to the scratch folder.
fn model() -> &'static Model {
    static MODEL_ONCE: OnceLock<Model> = OnceLock::new();
    MODEL_ONCE.get_or_init(|| {
        std::fs::write(scratch("scenario_toml").join("model.toml"), MODEL).unwrap();
        parse_model(MODEL, "model.toml").unwrap().model
    })
}

/// Worst case and a few trials of `model` from `sources`.
fn run(model: Model, sources: &[u32], seed: u64, detection: Option<Detection>) {
    let analysis = Analysis::new(model);
    std::hint::black_box(analysis.worst_case(sources));
    let simulation = Simulation {
        trials: 4,
        seed,
        detection,
    };
    let trials = analysis.simulate(sources, &simulation, &NoProgress);
    std::hint::black_box(analysis.monte_carlo_result(sources, &simulation, &trials));
}

/// Every change table the text holds: top level, `changes = [...]`, `[[design]] changes`.
fn change_tables(table: &toml::Table) -> Vec<&toml::Value> {
    let mut lists = vec![table.get("changes")];
    if let Some(toml::Value::Array(designs)) = table.get("design") {
        lists.extend(designs.iter().map(|d| d.get("changes")));
    }
    lists
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_array)
        .flatten()
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fixed = model();
    let parsed = text.parse::<toml::Table>().ok();
    if let Some(toml::Value::String(m)) = parsed.as_ref().and_then(|t| t.get("model")) {
        if !plain_name(m) {
            return;
        }
    }
    let dir = scratch("scenario_toml");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, data).unwrap();

    match load_scenario(&path, "scenario.toml") {
        Ok(loaded) => {
            let s = &loaded.scenario;
            let seed = s.simulation.seed;
            for design in &s.designs {
                let changed = apply(&loaded.model, design.model_changes());
                let detection = s.simulation.for_design(design).detection;
                run(changed, &s.compromised, seed, detection);
            }
            run(loaded.model, &s.compromised, seed, s.simulation.detection);
        }
        Err(e) => render(&e),
    }

    match load_design_file(&path, "scenario.toml", fixed) {
        Ok(designs) => {
            for design in designs {
                let changed = apply(fixed, design.model_changes());
                std::hint::black_box(Analysis::new(changed).worst_case(&[0]));
            }
        }
        Err(e) => render(&e),
    }

    let Some(table) = parsed else {
        return;
    };
    let top = toml::Value::Table(table.clone());
    let mut values: Vec<&toml::Value> = change_tables(&table);
    if table.contains_key("op") {
        values.push(&top);
    }
    for value in values {
        if let Ok(Entry::Model(change)) = parse_change(fixed, value) {
            let changed = apply(fixed, std::slice::from_ref(&change));
            std::hint::black_box(Analysis::new(changed).worst_case(&[0]));
        }
    }
});
