//! SharpHound import: the input is written to a file and read by `import_collection`, `import`'s
//! entry point, which takes the zip path when the bytes start like a zip archive and the JSON
//! path otherwise (forced to SharpHound for even-length inputs, recognised for odd ones, so the
//! first pass that tells the formats apart is fuzzed too); a model that imports is saved and
//! read back (as `import` does) and goes through the engine.
#![no_main]

use blastradius::interop::collection::{import_collection, Format};
use blastradius::interop::opengraph::Mapping;
use blastradius_fuzz::{exercise, render, round_trip, scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = scratch("sharphound").join("input");
    std::fs::write(&path, data).unwrap();
    let format = if data.len() % 2 == 0 {
        Format::SharpHound
    } else {
        Format::Auto
    };
    match import_collection(&[(&path, "input.json")], format, &Mapping::default()) {
        Ok(c) => {
            round_trip(&c.imported.model, "sharphound", data.len() % 4 == 1);
            exercise(c.imported.model);
        }
        Err(e) => render(&e),
    }
});
