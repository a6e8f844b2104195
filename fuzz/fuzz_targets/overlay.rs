//! Data-inventory overlays: the input is overlay TOML applied with `parse_overlay` to the fixed
//! small model (`fuzz/src/fixture.toml`). An overlay that applies gives a model that goes
//! through the engine and, saved as the importers save it, must load back; applying it a second
//! time must not panic either (it is a no-op or an error, never a crash).
#![no_main]

use std::sync::OnceLock;

use blastradius::load::{parse_model, parse_overlay};
use blastradius::model::Model;
use blastradius_fuzz::{exercise, render, round_trip};
use libfuzzer_sys::fuzz_target;

const MODEL: &str = include_str!("../src/fixture.toml");

/// The fixed model, parsed once.
fn model() -> &'static Model {
    static MODEL_ONCE: OnceLock<Model> = OnceLock::new();
    MODEL_ONCE.get_or_init(|| parse_model(MODEL, "model.toml").unwrap().model)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_overlay(model().clone(), text, "overlay.toml") {
        Ok(overlaid) => {
            round_trip(&overlaid.model, "overlay", false);
            match parse_overlay(overlaid.model.clone(), text, "overlay.toml") {
                Ok(again) => std::hint::black_box(again.model.node_count()),
                Err(e) => {
                    render(&e);
                    0
                }
            };
            exercise(overlaid.model);
        }
        Err(e) => render(&e),
    }
});
