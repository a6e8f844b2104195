//! Inputs are bounded (issue 23): only regular files are read, no file is read past the input
//! cap (`BLASTRADIUS_MAX_INPUT_BYTES`), and absurdly long ids, categories and labels are errors
//! at their position. Every run has a deadline, so a loader that blocked on a FIFO or read an
//! endless stream fails the test instead of hanging it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{assert_fails_with, files, Outcome};

const MODEL: &str = "[org]\nprogram_age_days = 10\n[categories]\n\"user.contact\" = 1\n\
[[person]]\nid = \"alice\"\naccounts = [\"alice-u\"]\n[[account]]\nid = \"alice-u\"\n\
[[store]]\nid = \"db\"\nrecords = [{ category = \"user.contact\", count = 1 }]\n";

const SCENARIO: &str = "model = \"model.toml\"\n[attack]\ncompromised = [\"alice\"]\n";

/// Runs `blastradius args` in `dir` with `env` set, killed after 60 seconds (a failure).
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blastradius"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            child.wait().ok();
            panic!("blastradius {args:?} still running after 60 s (blocked or reading forever)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_base_model_runs() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let out = run_env(dir.path(), &["run", "s.toml"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_fifo_as_model_is_refused_without_blocking() {
    let dir = files(&[("s.toml", SCENARIO)]);
    let made = Command::new("mkfifo")
        .arg(dir.path().join("model.toml"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED a_fifo_as_model_is_refused_without_blocking: mkfifo is not available");
        return;
    }
    let out = run_env(dir.path(), &["validate", "model.toml"], &[]);
    assert_fails_with(&out, &["model.toml", "FIFO", "regular file"]);
    let out = run_env(dir.path(), &["run", "s.toml"], &[]);
    assert_fails_with(&out, &["model.toml", "FIFO"]);
}

#[test]
fn dev_zero_as_a_scenarios_model_is_refused() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("SKIPPED dev_zero_as_a_scenarios_model_is_refused: no /dev/zero here");
        return;
    }
    let dir = files(&[(
        "s.toml",
        "model = \"/dev/zero\"\n[attack]\ncompromised = [\"alice\"]\n",
    )]);
    let out = run_env(dir.path(), &["run", "s.toml"], &[]);
    assert_fails_with(&out, &["/dev/zero", "a device", "regular file"]);
    // And as an import, where the zip sniffing opens the file first.
    let out = run_env(
        dir.path(),
        &["import", "opengraph", "/dev/zero", "-o", "out"],
        &[],
    );
    assert_fails_with(&out, &["/dev/zero", "a device"]);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_directory_where_a_file_is_expected_is_refused() {
    let dir = files(&[("model.toml", MODEL), ("d/keep", "")]);
    let out = run_env(dir.path(), &["run", "d"], &[]);
    assert_fails_with(&out, &["d", "a directory", "regular file"]);
    let out = run_env(dir.path(), &["import", "opengraph", "d", "-o", "out"], &[]);
    assert_fails_with(&out, &["a directory"]);
    // A model folder is read as its model.toml, which must then be a file.
    let out = run_env(dir.path(), &["validate", "d"], &[]);
    assert_fails_with(&out, &["d/model.toml"]);
}

#[test]
fn a_file_over_the_cap_is_refused_and_the_cap_can_be_raised() {
    let dir = files(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let cap = (MODEL.len() - 1).to_string();
    let env = [("BLASTRADIUS_MAX_INPUT_BYTES", cap.as_str())];
    let out = run_env(dir.path(), &["validate", "model.toml"], &env);
    assert_fails_with(
        &out,
        &["model.toml", "input cap", "BLASTRADIUS_MAX_INPUT_BYTES"],
    );
    let out = run_env(dir.path(), &["run", "s.toml"], &env);
    assert_fails_with(&out, &["model.toml", "BLASTRADIUS_MAX_INPUT_BYTES"]);
    // Exactly the file's size passes.
    let cap = MODEL.len().to_string();
    let env = [("BLASTRADIUS_MAX_INPUT_BYTES", cap.as_str())];
    let out = run_env(dir.path(), &["validate", "model.toml"], &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_zip_entry_over_the_cap_is_refused_though_the_archive_is_small() {
    use std::io::Write;
    let dir = files(&[]);
    let doc = format!(
        "{{\"graph\":{{\"nodes\":[{{\"id\":\"a\",\"kinds\":[\"User\"],\"properties\":{{\"pad\":\"{}\"}}}}]}}}}",
        " ".repeat(200_000)
    );
    let file = std::fs::File::create(dir.path().join("g.zip")).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    zip.start_file("g.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(doc.as_bytes()).unwrap();
    zip.finish().unwrap();
    let size = std::fs::metadata(dir.path().join("g.zip")).unwrap().len();
    assert!(size < 100_000, "the archive is {size} bytes");
    let env = [("BLASTRADIUS_MAX_INPUT_BYTES", "100000")];
    let out = run_env(
        dir.path(),
        &["import", "opengraph", "g.zip", "-o", "out"],
        &env,
    );
    assert_fails_with(&out, &["g.zip/g.json", "input cap"]);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_ten_million_character_id_is_an_error_at_its_position() {
    let long = "x".repeat(10_000_000);
    let model = MODEL.replace("id = \"db\"", &format!("id = \"{long}\""));
    let dir = files(&[("model.toml", &model)]);
    let out = run_env(dir.path(), &["validate", "model.toml"], &[]);
    // `[[store]]` is line 10, its id line 11, the value at column 6.
    assert_fails_with(
        &out,
        &["model.toml:11:6", "10000000 bytes", "at most 1024 bytes"],
    );
    assert!(out.stderr.len() < 10_000, "the message repeats the id");
}

#[test]
fn an_id_of_1024_bytes_is_accepted_and_1025_refused() {
    for (n, ok) in [(1024, true), (1025, false)] {
        let model = MODEL.replace("id = \"db\"", &format!("id = \"{}\"", "d".repeat(n)));
        let dir = files(&[("model.toml", &model)]);
        let out = run_env(dir.path(), &["validate", "model.toml"], &[]);
        assert_eq!(out.code == 0, ok, "{n} bytes: {}", out.stderr);
    }
}

#[test]
fn long_ids_in_side_files_categories_and_labels_are_located() {
    let long = "y".repeat(2000);
    // A CSV side file: the row's id cell.
    let dir = files(&[
        (
            "model.toml",
            "[org]\nprogram_age_days = 10\n[csv]\naccount = \"accounts.csv\"\n[[store]]\nid = \"db\"\n",
        ),
        ("accounts.csv", &format!("id,kind\nok,human\n{long},human\n")),
    ]);
    let out = run_env(dir.path(), &["validate", "model.toml"], &[]);
    assert_fails_with(&out, &["accounts.csv:3:1", "2000 bytes"]);
    // A record category.
    let model = format!(
        "[org]\nprogram_age_days = 10\n[[store]]\nid = \"db\"\nrecords = [{{ category = \"{long}\", count = 1 }}]\n"
    );
    let dir = files(&[("model.toml", &model)]);
    let out = run_env(dir.path(), &["validate", "model.toml"], &[]);
    assert_fails_with(&out, &["model.toml:5:25", "2000 bytes", "categories"]);
    // An edge label.
    let model = format!("{MODEL}[[edge]]\nfrom = \"alice-u\"\nto = \"db\"\nkind = \"{long}\"\n");
    let dir = files(&[("model.toml", &model)]);
    let out = run_env(dir.path(), &["validate", "model.toml"], &[]);
    assert_fails_with(&out, &["model.toml:16:8", "2000 bytes", "labels"]);
}

#[test]
fn long_ids_and_property_strings_in_imports_are_located() {
    let long_id = "z".repeat(5000);
    let doc =
        format!("{{\"graph\":{{\"nodes\":[\n{{\"id\":\"{long_id}\",\"kinds\":[\"User\"]}}\n]}}}}");
    let long_value = "v".repeat(2 << 20);
    let prop = format!(
        "{{\"graph\":{{\"nodes\":[\n{{\"id\":\"a\",\"kinds\":[\"User\"],\"properties\":{{\"d\":\"{long_value}\"}}}}\n]}}}}"
    );
    let pairs = format!("alice read\n{long_id} write\n");
    let dir = files(&[("id.json", &doc), ("prop.json", &prop), ("p.txt", &pairs)]);
    let out = run_env(
        dir.path(),
        &["import", "opengraph", "id.json", "-o", "o"],
        &[],
    );
    assert_fails_with(&out, &["id.json:2:", "5000 bytes"]);
    let out = run_env(
        dir.path(),
        &["import", "opengraph", "prop.json", "-o", "o"],
        &[],
    );
    assert_fails_with(&out, &["prop.json:2:", "property string"]);
    let out = run_env(dir.path(), &["import", "pairs", "p.txt", "-o", "o"], &[]);
    assert_fails_with(&out, &["p.txt:2:1", "5000 bytes"]);
    let sharphound = format!(
        "{{\"data\": [\n{{\"ObjectIdentifier\": \"{long_id}\"}}\n], \"meta\": {{\"type\": \"users\", \"count\": 1, \"version\": 6}}}}"
    );
    std::fs::write(dir.path().join("users.json"), sharphound).unwrap();
    let out = run_env(
        dir.path(),
        &["import", "sharphound", "users.json", "-o", "o"],
        &[],
    );
    assert_fails_with(&out, &["users.json:2:", "5000 bytes"]);
    assert!(!dir.path().join("o").exists());
}

/// Every input file goes through `load/input.rs`: no other source file opens or reads a file
/// by itself (files under `/proc` are the exception: `/proc/meminfo`, read for the memory
/// estimate, and `/proc/self/smaps`, which the allocator's tests read).
#[test]
fn only_the_input_module_opens_files() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut sources = Vec::new();
    walk(&crate::util::root().join("src"), &mut sources);
    let mut found = Vec::new();
    for p in sources {
        if p.ends_with("load/input.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, line) in text.lines().enumerate() {
            let reads = ["File::open(", "fs::read_to_string(", "fs::read("]
                .iter()
                .any(|f| line.contains(f));
            if reads && !line.contains("\"/proc/") {
                found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "read input files through blastradius::load::input:\n{}",
        found.join("\n")
    );
}
