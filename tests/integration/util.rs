//! Helpers shared by the CLI tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of the binary printed and how it ended.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The repository root (where `scenarios/` and `data/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `blastradius` with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `blastradius` with `args` from the repository root.
pub fn run(args: &[&str]) -> Outcome {
    run_in(&root(), args)
}

/// Runs and parses JSON output, failing the test with stderr when the command fails.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(&all);
    assert_eq!(out.code, 0, "blastradius {all:?} failed:\n{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("valid JSON")
}

/// A temporary folder with the given files written into it.
pub fn files(list: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in list {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Asserts a run failed cleanly: non-zero exit, nothing on stdout, no panic, and stderr
/// containing every `expected` fragment.
pub fn assert_fails_with(out: &Outcome, expected: &[&str]) {
    assert_ne!(
        out.code, 0,
        "expected failure, got success:\n{}",
        out.stdout
    );
    assert_ne!(out.code, 101, "panicked:\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "stdout not empty:\n{}", out.stdout);
    assert!(
        !out.stderr.contains("panicked"),
        "panicked:\n{}",
        out.stderr
    );
    for e in expected {
        assert!(
            out.stderr.contains(e),
            "stderr lacks {e:?}:\n{}",
            out.stderr
        );
    }
}

/// The files of a flat folder by name.
pub fn folder(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The names of the files in which two folders (as [`folder`] reads them) differ.
pub fn differs(
    got: &std::collections::BTreeMap<String, Vec<u8>>,
    want: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    names
        .into_iter()
        .filter(|n| got.get(*n) != want.get(*n))
        .cloned()
        .collect()
}

/// Holds the folder lock of `out` (creating the folder), starts a run with `spawn`, and checks
/// for `secs` seconds that it neither finishes nor writes anything beside the lock; then
/// releases the lock and gives the run back, for the caller to finish and check.
pub fn waits_for_a_held_lock(
    out: &Path,
    secs: u64,
    spawn: impl FnOnce() -> std::process::Child,
) -> std::process::Child {
    std::fs::create_dir(out).unwrap();
    let lock = out.join(".blastradius.lock");
    std::fs::write(&lock, "").unwrap();
    let mut child = spawn();
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(secs) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run finished while another held the folder"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        folder(out).keys().collect::<Vec<_>>(),
        [".blastradius.lock"],
        "files appeared while the folder was locked"
    );
    std::fs::remove_file(&lock).unwrap();
    child
}

/// Steps from every node to `target`, breadth-first over the graph's edges turned around.
pub fn distances_to(
    graph: &blastradius::graph::AttackGraph,
    target: u32,
) -> std::collections::BTreeMap<u32, u32> {
    let mut into: Vec<Vec<u32>> = vec![Vec::new(); graph.node_count];
    for e in graph.edges() {
        into[e.to as usize].push(e.from);
    }
    let mut dist = std::collections::BTreeMap::from([(target, 0)]);
    let mut queue = std::collections::VecDeque::from([target]);
    while let Some(n) = queue.pop_front() {
        let d = dist[&n];
        for &m in &into[n as usize] {
            if let std::collections::btree_map::Entry::Vacant(v) = dist.entry(m) {
                v.insert(d + 1);
                queue.push_back(m);
            }
        }
    }
    dist
}
