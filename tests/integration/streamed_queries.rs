//! `who-can-reach`'s table, JSON and CSV are written row by row as they are made (a store that a million
//! people reach has gigabytes of paths): the bytes must be those of the whole report rendered
//! at once, and the rows must be what a reverse search written here finds. The streaming
//! writer under it leaves no partial file when its contents fail half-way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use blastradius::graph::AttackGraph;
use blastradius::load::load_model;
use blastradius::model::NodeKind;
use blastradius::output::write::write_atomic_with;
use blastradius::output::{json, table, Format, Render};
use blastradius::results::queries::WhoCanReachReport;

use crate::util::{distances_to, root, run};

#[test]
fn who_can_reach_json_is_the_report_and_the_reverse_search() {
    let path = root().join("data/tracking-program");
    let shown = path.display().to_string();
    let model = load_model(&path, &shown).unwrap().model;
    let graph = AttackGraph::build(&model);
    // Steps of every attack edge, by endpoint ids, with their probabilities.
    let steps: BTreeMap<(String, String), Vec<f64>> =
        graph.edges().fold(BTreeMap::new(), |mut m, e| {
            m.entry((model.id(e.from).to_string(), model.id(e.to).to_string()))
                .or_insert_with(Vec::new)
                .push(e.p);
            m
        });
    let mut checked_rows = 0;
    let mut with_copies = 0;
    for store in model.nodes_of(NodeKind::Store) {
        let id = model.id(store);
        let out = run(&["who-can-reach", &shown, id, "--format", "json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        // The streamed bytes are the whole report rendered at once.
        let reach = blastradius::engine::reach::backward(&graph, &[store]);
        let report = WhoCanReachReport::of(&model, &graph, store, &reach);
        assert_eq!(out.stdout, json::render(&report), "who-can-reach {id}");
        let table = run(&["who-can-reach", &shown, id]);
        assert_eq!(table.code, 0, "{}", table.stderr);
        assert_eq!(
            table.stdout,
            table::who_can_reach(&report),
            "who-can-reach {id}"
        );

        let csv = run(&["who-can-reach", &shown, id, "--format", "csv"]);
        assert_eq!(csv.code, 0, "{}", csv.stderr);
        assert_eq!(csv.stdout, report.render(Format::Csv), "who-can-reach {id}");

        // The rows against a reverse search of this test's own.
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let dist = distances_to(&graph, store);
        let rows = v["reachers"].as_array().unwrap();
        check_csv(&csv.stdout, rows, id);
        let expected: BTreeSet<&str> = dist
            .keys()
            .filter(|&&n| n != store)
            .map(|&n| model.id(n))
            .collect();
        let listed: BTreeSet<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(listed, expected, "reachers of {id}");
        assert_eq!(
            rows.len(),
            expected.len(),
            "a reacher listed twice for {id}"
        );
        let mut last = (0, String::new());
        for r in rows {
            let who = r["id"].as_str().unwrap();
            let n = (0..model.node_count() as u32)
                .find(|&n| model.id(n) == who)
                .unwrap();
            let d = dist[&n];
            assert_eq!(r["steps"].as_u64(), Some(u64::from(d)), "{who} → {id}");
            assert_eq!(r["kind"].as_str(), Some(model.kind(n).to_string().as_str()));
            // Fewest steps first, then by id.
            let key = (d, who.to_string());
            assert!(key > last, "{who} listed out of order for {id}");
            last = key;
            // The path: `steps` attack steps from the reacher to the store, each an edge of
            // the graph, its probability their product.
            let path = &r["path"];
            assert_eq!(path["target"].as_str(), Some(id));
            let hops = path["steps"].as_array().unwrap();
            assert_eq!(hops.len() as u32, d, "{who} → {id}: not a shortest path");
            let mut at = who.to_string();
            let mut product = 1.0;
            for h in hops {
                let (from, to) = (h["from"].as_str().unwrap(), h["to"].as_str().unwrap());
                assert_eq!(from, at, "{who} → {id}: the path breaks at {from}");
                let p = h["p"].as_f64().unwrap();
                let ps = &steps[&(from.to_string(), to.to_string())];
                assert!(
                    ps.iter().any(|q| (q - p).abs() < 1e-3),
                    "{from} → {to} p {p}"
                );
                product *= p;
                at = to.to_string();
            }
            assert_eq!(at, id);
            let written = path["probability"].as_f64().unwrap();
            assert!(
                (written - product).abs() <= 1e-3 * product.max(1e-9),
                "{who} → {id}"
            );
            checked_rows += 1;
        }
        // Stores downstream of this one along flows.
        let mut copies = BTreeSet::new();
        let mut stack = vec![store];
        while let Some(s) = stack.pop() {
            for f in model.flows.iter().filter(|f| f.from == s) {
                if f.to != store && copies.insert(model.id(f.to)) {
                    stack.push(f.to);
                }
            }
        }
        let listed: BTreeSet<&str> = v["copies_in"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(listed, copies, "copies of {id}");
        with_copies += usize::from(!copies.is_empty());
    }
    assert!(checked_rows > 100, "only {checked_rows} rows checked");
    assert!(with_copies > 2, "only {with_copies} stores with copies");
}

/// The CSV holds the JSON's rows, in its order: id, kind, steps, and the path as a line of
/// `from —kind→ to` steps made here from the JSON's steps.
fn check_csv(csv: &str, rows: &[serde_json::Value], id: &str) {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,kind,steps,path"), "CSV of {id}");
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len(), "CSV rows of {id}");
    for (record, row) in records.iter().zip(rows) {
        let hops = row["path"]["steps"].as_array().unwrap();
        let mut line = hops
            .first()
            .map_or(String::new(), |h| h["from"].as_str().unwrap().to_string());
        for h in hops {
            line += &format!(
                " —{}→ {}",
                h["kind"].as_str().unwrap(),
                h["to"].as_str().unwrap()
            );
        }
        let expected = [
            row["id"].as_str().unwrap().to_string(),
            row["kind"].as_str().unwrap().to_string(),
            row["steps"].to_string(),
            line,
        ];
        assert_eq!(record.iter().collect::<Vec<_>>(), expected, "CSV of {id}");
    }
}

#[test]
fn who_can_reach_json_written_to_a_file_is_what_standard_output_shows() {
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("data/tracking-program");
    let model = model.to_str().unwrap();
    let file = dir.path().join("deep/reach.json");
    let shown = run(&["who-can-reach", model, "hr-records", "--format", "json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let written = run(&[
        "who-can-reach",
        model,
        "hr-records",
        "--format",
        "json",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), shown.stdout);
    assert_eq!(names_in(&file.with_file_name("")), ["reach.json"]);
    // The CSV too, over an earlier file.
    let csv = run(&["who-can-reach", model, "hr-records", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let file = dir.path().join("deep/reach.csv");
    std::fs::write(&file, "the earlier output\n").unwrap();
    let written = run(&[
        "who-can-reach",
        model,
        "hr-records",
        "--format",
        "csv",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv.stdout);
    assert!(csv.stdout.lines().count() > 10, "{}", csv.stdout);
    assert_eq!(
        names_in(&file.with_file_name("")),
        ["reach.csv", "reach.json"]
    );
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_streamed_file_that_fails_half_way_leaves_the_old_file_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    std::fs::write(&target, "the earlier output\n").unwrap();
    // Contents that fail after a megabyte, as a disk filling up would.
    let err = write_atomic_with(&target, &mut |w| {
        w.write_all(&vec![b'x'; 1 << 20])?;
        Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "no space left on device",
        ))
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("out.json"), "{err}");
    assert!(err.contains("no space left"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the earlier output\n"
    );
    assert_eq!(names_in(dir.path()), ["out.json"]);
    // A failure in a folder the writer had to make takes the folder away again.
    let deep = dir.path().join("new/deeper/out.json");
    assert!(write_atomic_with(&deep, &mut |_| Err(std::io::Error::other("fails"))).is_err());
    assert_eq!(names_in(dir.path()), ["out.json"]);
    // And contents that succeed replace the file whole.
    write_atomic_with(&target, &mut |w| w.write_all(b"new\n")).unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
    assert_eq!(names_in(dir.path()), ["out.json"]);
}
