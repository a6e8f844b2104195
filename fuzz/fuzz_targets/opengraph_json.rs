//! OpenGraph import: the input is written to a file and read by `read_inputs`, the importer's
//! entry point, which takes the zip path when the bytes start like a zip archive and the JSON
//! path otherwise; documents that read are imported with the built-in mapping, and a model that
//! imports is saved and read back (as `import` does; as TOML or, for odd-length inputs, with
//! CSV side files) and goes through the engine.
#![no_main]

use blastradius::interop::opengraph::{import, read_inputs, Mapping};
use blastradius_fuzz::{exercise, render, round_trip, scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = scratch("opengraph_json").join("input");
    std::fs::write(&path, data).unwrap();
    let docs = match read_inputs(&[(&path, "input.json")]) {
        Ok(docs) => docs,
        Err(e) => return render(&e),
    };
    match import(docs, &Mapping::default()) {
        Ok(imported) => {
            round_trip(&imported.model, "opengraph_json", data.len() % 2 == 1);
            exercise(imported.model);
        }
        Err(e) => render(&e),
    }
});
