//! Fides manifests: the input is one YAML file read as `import fides` reads it (systems,
//! datasets, custom categories). Manifests that read give a model, its datasets' record sets
//! added with the default rows, that goes through the engine and, saved as the importers save
//! it, must load back.
#![no_main]

use blastradius::interop::fides;
use blastradius::load::apply_overlays_with_datasets;
use blastradius_fuzz::{exercise, render, round_trip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let manifests = match fides::parse_manifests(&[("manifest.yml", text)]) {
        Ok(m) => m,
        Err(e) => return render(&e),
    };
    let model = match fides::import(&manifests) {
        Ok((model, _)) => model,
        Err(e) => return render(&e),
    };
    match apply_overlays_with_datasets(model, &[], &manifests.datasets) {
        Ok(overlaid) => {
            round_trip(&overlaid.model, "fides", false);
            exercise(overlaid.model);
        }
        Err(e) => render(&e),
    }
});
