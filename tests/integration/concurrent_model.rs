//! Two runs writing one model folder at once (issue 23): `generate` and every `import` hold the
//! folder's lock (`.blastradius.lock`, the one `report` holds) while they save, so two of them
//! into one folder end as one whole model, either run's, never a mix of side files, and the lock
//! is never left in the folder. `export graph` holds it for its two files too.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use crate::util::{differs, files, folder, run_in, waits_for_a_held_lock};

/// Starts `blastradius args` in `dir`.
fn start(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

fn wait(child: Child) -> Output {
    child.wait_with_output().expect("wait")
}

fn finish(child: Child) {
    let out = wait(child);
    assert!(
        out.status.success(),
        "the run failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `args` with `-o out` (and `--force`) appended.
fn into(args: &[&str], out: &str, force: bool) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    v.extend(["-o".into(), out.into()]);
    if force {
        v.push("--force".into());
    }
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

const PAIRS: &str = "alice read\nbob write\ncarol read\n";

/// Three writers of a model folder whose outputs differ in every file they write: a generated
/// model with CSV side files, another seed and size in TOML only (it removes the first one's
/// side files after its save), and an imported pair list with side files.
const WRITERS: [&[&str]; 3] = [
    &[
        "generate", "--people", "40", "--seed", "7", "--layout", "csv",
    ],
    &[
        "generate", "--people", "25", "--seed", "8", "--layout", "toml",
    ],
    &["import", "pairs", "pairs.txt", "--csv"],
];

#[test]
fn two_model_writers_into_one_folder_end_as_one_whole_model() {
    let work = files(&[("pairs.txt", PAIRS)]);
    let dir = work.path();
    let refs: Vec<BTreeMap<String, Vec<u8>>> = WRITERS
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let out = format!("ref-{i}");
            finish(start(dir, &strs(&into(w, &out, false))));
            folder(&dir.join(out))
        })
        .collect();
    for (i, a) in refs.iter().enumerate() {
        for b in &refs[i + 1..] {
            assert!(differs(a, b).contains(&"model.toml".to_string()));
        }
    }
    assert!(refs[0].len() > 5 && refs[1].len() == 1, "side files or not");
    // Each pair of writers, in both orders, into a folder that already holds a model (with
    // --force) and into a new folder (without: the later run, checking again under the lock,
    // refuses the model the first one wrote).
    let pairs = [(0, 1), (1, 0), (0, 2), (2, 1), (1, 2), (2, 0)];
    for (round, &(x, y)) in pairs.iter().enumerate() {
        let out = format!("shared-{round}");
        let force = round % 2 == 0;
        if force {
            // The folder starts with a third model, with side files.
            let third = [
                "generate", "--people", "30", "--seed", "9", "--layout", "csv",
            ];
            finish(start(dir, &strs(&into(&third, &out, true))));
        }
        let first = start(dir, &strs(&into(WRITERS[x], &out, force)));
        let second = start(dir, &strs(&into(WRITERS[y], &out, force)));
        let (first, second) = (wait(first), wait(second));
        let got = folder(&dir.join(&out));
        let matches: Vec<usize> = [x, y]
            .into_iter()
            .filter(|&w| differs(&got, &refs[w]).is_empty())
            .collect();
        assert!(
            !matches.is_empty(),
            "round {round}: the folder mixes two models: it differs from writer {x} in {:?}, from writer {y} in {:?}",
            differs(&got, &refs[x]),
            differs(&got, &refs[y])
        );
        if force {
            assert!(first.status.success() && second.status.success());
        } else {
            // Exactly one wrote; the other was refused and changed nothing.
            let ok = [&first, &second].map(|o| o.status.success());
            assert_eq!(
                ok.iter().filter(|s| **s).count(),
                1,
                "round {round}: {ok:?}"
            );
            let refused = if ok[0] { &second } else { &first };
            let msg = String::from_utf8_lossy(&refused.stderr);
            assert!(msg.contains("already holds a model.toml"), "{msg}");
            let winner = if ok[0] { x } else { y };
            assert_eq!(matches, [winner], "round {round}");
        }
        let validated = run_in(dir, &["validate", &out]);
        assert_eq!(validated.code, 0, "round {round}: {}", validated.stderr);
    }
}

#[test]
fn a_held_lock_makes_generate_wait_and_write_nothing_until_released() {
    let work = files(&[]);
    let dir = work.path();
    let args = [
        "generate", "--people", "40", "--seed", "3", "--layout", "csv",
    ];
    finish(start(dir, &strs(&into(&args, "ref", false))));
    let child = waits_for_a_held_lock(&dir.join("out"), 3, || {
        start(dir, &strs(&into(&args, "out", false)))
    });
    finish(child);
    let got = folder(&dir.join("out"));
    assert!(differs(&got, &folder(&dir.join("ref"))).is_empty());
    assert!(!got.contains_key(".blastradius.lock"), "the lock was left");
    // A lock file in a model folder does not trouble readers: they read model.toml and the
    // side files it names, nothing else.
    std::fs::write(dir.join("out/.blastradius.lock"), "").unwrap();
    let validated = run_in(dir, &["validate", "out"]);
    assert_eq!(validated.code, 0, "{}", validated.stderr);
}

#[test]
fn export_graph_waits_for_a_held_lock_and_leaves_none() {
    let work = files(&[]);
    let dir = work.path();
    let model = crate::util::root().join("data/tracking-program");
    let model = model.to_str().unwrap();
    finish(start(dir, &["export", "graph", model, "-o", "ref"]));
    let child = waits_for_a_held_lock(&dir.join("out"), 2, || {
        start(dir, &["export", "graph", model, "-o", "out"])
    });
    finish(child);
    let got = folder(&dir.join("out"));
    assert!(differs(&got, &folder(&dir.join("ref"))).is_empty());
    assert_eq!(got.len(), 2, "nodes.csv and edges.csv, no lock");
}
