//! Inputs that once panicked, found while fuzzing the loaders (`fuzz/`, README "Fuzzing"): each
//! is fed exactly as found and must give a clean error or a result, never a panic.

use blastradius::interop::opengraph::{self, Mapping};
use blastradius::interop::pairs::{self, Layout};
use blastradius::load::{load_model, parse_model};
use blastradius::model::Model;
use blastradius::output::model_files::save_model;

use crate::util::{files, run_in};

/// A rate-based set so large that `per_day × window` passes `u64::MAX`: the worst case
/// multiplied it unchecked (a panic in debug builds, a small wrapped figure in release).
const HUGE_PER_DAY: &str = r#"[org]
program_age_days = 730
[[account]]
id = "u"
[[store]]
id = "s"
retention_days = 365
records = [{ category = "x", per_day = 9000000000000000000 }]
[[grant]]
principal = "u"
target = "s"
access = "read"
"#;

#[test]
fn records_past_u64_are_refused_and_would_saturate() {
    // The loader now refuses counts above 10^12 with a clean message...
    let e = parse_model(HUGE_PER_DAY, "model.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 1000000000000 is supported"), "{e}");
    // ...and the arithmetic saturates anyway, as a second line of defence.
    use blastradius::model::records::{union_records, Holding};
    use blastradius::model::Amount;
    let h = Holding {
        set: 0,
        fraction: 1.0,
        window: 365,
    };
    assert_eq!(
        union_records(Amount::PerDay(9_000_000_000_000_000_000), &[h]),
        u64::MAX
    );
}

#[test]
fn a_scenario_on_a_huge_model_fails_cleanly() {
    let scenario = r#"model = "model.toml"
[attack]
compromised = ["u"]
[simulation]
trials = 20
[[design]]
name = "cut"
changes = [{ op = "set_retention", store = "s", days = 1 }]
"#;
    let dir = files(&[("model.toml", HUGE_PER_DAY), ("s.toml", scenario)]);
    let out = run_in(dir.path(), &["run", "s.toml", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("at most 1000000000000 is supported"),
        "{}",
        out.stderr
    );
}

/// Saves `model` both ways (TOML, and TOML with CSV side files) and reads it back, as
/// `import` does; the ids and record categories must come back unchanged.
fn assert_loads_back(model: &Model) {
    let ids = |m: &Model| {
        let mut v: Vec<String> = m.nodes.iter().map(|n| n.id.to_string()).collect();
        v.sort();
        v
    };
    let categories = |m: &Model| {
        let mut v: Vec<String> = m.record_sets.iter().map(|r| r.category.clone()).collect();
        v.sort();
        v
    };
    for csv in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        save_model(model, dir.path(), csv).unwrap();
        let back = load_model(dir.path(), "saved")
            .unwrap_or_else(|e| panic!("csv = {csv}: the saved model does not load back:\n{e}"))
            .model;
        assert_eq!(ids(&back), ids(model), "csv = {csv}");
        assert_eq!(categories(&back), categories(model), "csv = {csv}");
    }
}

/// `opengraph_json` found it: a record category holding a raw DEL (U+007F), which JSON allows
/// in a string and TOML does not. The model writer escaped strings as JSON does, so the
/// imported model did not load back ("a bug in the importer", the CLI said).
#[test]
fn a_del_in_an_opengraph_category_survives_save_and_load() {
    let input = include_bytes!("fuzz_inputs/opengraph-del-in-category.json");
    let doc = opengraph::read_document(&input[..], "crash.json").unwrap();
    let imported = opengraph::import(vec![doc], &Mapping::default()).unwrap();
    assert!(imported
        .model
        .record_sets
        .iter()
        .any(|r| r.category == "user.locati\u{7f}n.precise"));
    assert_loads_back(&imported.model);
}

/// `pairs` found the same bug through a user id of NUL and nineteen DELs. Ids with control
/// characters are now refused by the model loader (they could reach terminals and SVG), so the
/// saved model is refused with that reason instead of a parse error.
#[test]
fn a_control_character_in_a_pair_list_id_is_refused_cleanly() {
    let input = include_bytes!("fuzz_inputs/pairs-nul-and-del-in-user.txt");
    for layout in [Layout::Auto, Layout::Pairs] {
        let list = pairs::read_pairs(&input[..], "crash.txt", layout).unwrap();
        let imported = pairs::build(&list, None, "crash", "permission", "crash.txt");
        for csv in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            save_model(&imported.model, dir.path(), csv).unwrap();
            let e = load_model(dir.path(), "saved").unwrap_err().to_string();
            assert!(e.contains("holds a control character"), "csv = {csv}: {e}");
        }
    }
}

/// `opengraph_json` found it: blastradius's own export with `br_program_age_days` misspelt, so
/// store `lake`, which has no retention and receives per-day records through a flow, is
/// unbounded. The model loader refuses that; the importer accepted it and wrote a model that
/// did not load back. It now refuses it with the loader's reason.
#[test]
fn an_opengraph_flow_into_an_unbounded_store_is_refused_at_import() {
    let input = include_bytes!("fuzz_inputs/opengraph-flow-into-unbounded-store.json");
    let doc = opengraph::read_document(&input[..], "crash.json").unwrap();
    let e = opengraph::import(vec![doc], &Mapping::default())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "crash.json: error: store `lake` receives flowed records but has no retention_days"
        ),
        "{e}"
    );
    assert!(e.contains("program_age_days"), "{e}");
}
