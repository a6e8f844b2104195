//! Helpers shared by the fuzz targets: what every target does with a model that loaded, and a
//! scratch folder per process for the loaders that read files.
//!
//! Every target checks one thing: whatever the bytes, a loader returns `Ok` or `Err` and never
//! panics, and a model it accepts goes through the engine without panicking either.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use blastradius::load::load_model;
use blastradius::model::Model;
use blastradius::output::model_files::save_model;
use blastradius::results::queries::ValidationReport;
use blastradius::{Analysis, Error};

/// What `validate` and a worst-case run do with a model: the attack graph, what every store
/// holds (`Holdings::compute`), the lint report, the worst case from the first node, and the
/// worst case from every node at once, in which every store leaks and every record set counts.
pub fn exercise(model: Model) {
    let analysis = Analysis::new(model);
    let report = ValidationReport::of("fuzz", &analysis.model, &[]);
    std::hint::black_box(&report);
    if analysis.model.node_count() > 0 {
        std::hint::black_box(analysis.worst_case(&[0]));
        let every: Vec<u32> = (0..analysis.model.node_count() as u32).collect();
        std::hint::black_box(analysis.worst_case(&every));
    }
}

/// What `import` does after building a model: saves it (as TOML, or with CSV side files when
/// `csv`) and reads it back. An imported model that does not load back is a bug in the importer
/// (the CLI says so too), so it fails the target like a panic would.
pub fn round_trip(model: &Model, target: &str, csv: bool) {
    let csv = csv && !model.nodes.iter().any(|n| n.id.contains(';'));
    let dir = scratch(target).join(if csv { "saved-csv" } else { "saved" });
    std::fs::create_dir_all(&dir).unwrap();
    save_model(model, &dir, csv).expect("the scratch folder is writable");
    if let Err(e) = load_model(&dir, "saved") {
        panic!("the imported model does not load back:\n{e}");
    }
}

/// Renders an error as the CLI would, so message formatting (positions, suggestions) runs too.
pub fn render(e: &Error) {
    std::hint::black_box(e.to_string());
}

/// A folder of this process's own under the system's temporary folder, made on first use:
/// `blastradius-fuzz-TARGET-PID`. Fuzzer processes started with `-fork` or `-jobs` each get
/// their own.
pub fn scratch(target: &str) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("blastradius-fuzz-{target}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the scratch folder can be made");
        dir
    })
}

/// Whether a path written in an input is a plain file name in the scratch folder. Inputs that
/// name anything else (`/dev/zero`, `../..`) are skipped: the fuzzer must not wander the file
/// system. Reading such paths is the user's own choice and not the loader's concern.
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name != "."
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
