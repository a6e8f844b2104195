//! Two runs at once (issue 23): two `report` runs into one folder end as one whole report,
//! either run's, never a mix. `report` holds the folder's lock (`.blastradius.lock`) while it
//! writes its set of files, so the later run waits and then writes its own set whole.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::util::{differs, folder, root, waits_for_a_held_lock};

/// Starts `blastradius report <scenario> --trials <trials> -o <out>` in `dir`.
fn start(dir: &Path, scenario: &str, trials: &str, out: &str) -> Child {
    let scenario = root().join("scenarios").join(scenario);
    Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .arg("report")
        .arg(&scenario)
        .args(["--trials", trials, "--top", "3", "-q", "-o", out])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

fn finish(child: Child) {
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "report failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_reports_into_one_folder_end_as_one_whole_report() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    // The two reports differ in every file: other scenarios, other trial counts.
    let a = ("phished-manager.toml", "300");
    let b = ("malicious-hr-insider.toml", "400");
    finish(start(dir, a.0, a.1, "ref-a"));
    finish(start(dir, b.0, b.1, "ref-b"));
    let (ref_a, ref_b) = (folder(&dir.join("ref-a")), folder(&dir.join("ref-b")));
    assert!(
        differs(&ref_a, &ref_b).len() > 4,
        "the two reports must be told apart"
    );
    for round in 0..4 {
        let out = format!("shared-{round}");
        // Every other round starts from a folder that already holds a third report.
        if round % 2 == 1 {
            finish(start(dir, "leaked-mdm-key.toml", "200", &out));
        }
        let (first, second) = if round < 2 { (a, b) } else { (b, a) };
        let x = start(dir, first.0, first.1, &out);
        let y = start(dir, second.0, second.1, &out);
        finish(x);
        finish(y);
        let got = folder(&dir.join(&out));
        let (to_a, to_b) = (differs(&got, &ref_a), differs(&got, &ref_b));
        assert!(
            to_a.is_empty() || to_b.is_empty(),
            "round {round}: the folder mixes two reports: differs from the first in {to_a:?}, from the second in {to_b:?}"
        );
    }
}

#[test]
fn a_report_waits_while_another_run_holds_the_folder() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    finish(start(dir, "phished-manager.toml", "300", "ref"));
    // The run computes, then waits for the lock: nothing of it appears while the lock is held.
    let child = waits_for_a_held_lock(&dir.join("out"), 3, || {
        start(dir, "phished-manager.toml", "300", "out")
    });
    finish(child);
    assert!(differs(&folder(&dir.join("out")), &folder(&dir.join("ref"))).is_empty());
}
