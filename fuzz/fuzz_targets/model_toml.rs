//! Model TOML: `parse_model` on any text; a model that loads goes through `Analysis::new`
//! (attack graph, `Holdings::compute`, exposure index), the lint report and a worst case.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match blastradius::load::parse_model(text, "model.toml") {
        Ok(loaded) => blastradius_fuzz::exercise(loaded.model),
        Err(e) => blastradius_fuzz::render(&e),
    }
});
