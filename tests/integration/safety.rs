//! The tool holds a map of who can reach what: owner-only files, no network, no half-written
//! files when interrupted, refusal instead of exhaustion.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use crate::util::{assert_fails_with, files, root, run, run_in};

#[test]
fn output_files_are_owner_only_unless_mode_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = run(&[
        "run",
        "scenarios/phished-manager.toml",
        "--trials",
        "100",
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let o = run(&[
        "--mode",
        "640",
        "run",
        "scenarios/phished-manager.toml",
        "--trials",
        "100",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // Nothing else was left in the folder (temporary files live beside the target and go).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let o = run(&["--mode", "999", "validate", "data/tracking-program"]);
    assert_ne!(o.code, 0);
}

#[test]
#[ignore = "needs root and `unshare -n` (util-linux)"]
fn results_are_the_same_without_any_network() {
    let bin = env!("CARGO_BIN_EXE_blastradius");
    let probe = Command::new("unshare").args(["-n", "true"]).status();
    assert!(
        probe.is_ok_and(|s| s.success()),
        "`unshare -n` is not available here (needs root and util-linux)"
    );
    let args = [
        "run",
        "scenarios/leaked-mdm-key.toml",
        "--trials",
        "2000",
        "-f",
        "json",
    ];
    let isolated = Command::new("unshare")
        .arg("-n")
        .arg(bin)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        isolated.status.success(),
        "{}",
        String::from_utf8_lossy(&isolated.stderr)
    );
    let normal = run(&args);
    assert_eq!(String::from_utf8(isolated.stdout).unwrap(), normal.stdout);
}

#[test]
fn an_interrupted_run_exits_130_and_leaves_no_file() {
    let model = root().join("data/tracking-program/model.toml");
    let dir = files(&[(
        "long.toml",
        &format!(
            "model = {:?}\n[attack]\ncompromised = [\"kofi-mensah-adm\"]\n[simulation]\ntrials = 4000000\n",
            model.to_str().unwrap()
        ),
    )]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .args(["run", "long.toml", "-q", "-o", "out/result.txt"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let out = dir.path().join("out");
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn trial_counts_beyond_the_machine_are_refused_up_front() {
    let o = run(&[
        "run",
        "scenarios/phished-manager.toml",
        "--trials",
        "4000000000",
    ]);
    assert_fails_with(
        &o,
        &["would need about", "of memory, but only", "lower --trials"],
    );
}

#[test]
fn a_write_error_names_the_file() {
    let dir = files(&[("blocker", "a file where a folder should be")]);
    let o = run_in(
        dir.path(),
        &[
            "run",
            root()
                .join("scenarios/phished-manager.toml")
                .to_str()
                .unwrap(),
            "--worst-case-only",
            "-o",
            "blocker/r.txt",
        ],
    );
    assert_fails_with(&o, &["cannot write `blocker/r.txt`"]);
}

/// `-o` naming a FIFO (as `-o /dev/null` names a device) writes through it: the atomic writer's
/// rename must never put a regular file in its place (as root, that replaced /dev/null for the
/// whole machine).
#[cfg(unix)]
#[test]
fn an_output_that_is_a_fifo_is_written_through_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = crate::util::run(&[
        "validate",
        "data/tracking-program",
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Checked before joining the reader: a replaced FIFO would leave it waiting forever.
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
    let text = reader.join().unwrap();
    assert!(text.contains("valid (Northwind Logistics)"), "{text}");
}
