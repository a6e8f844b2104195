//! Model files both ways: a model saved as TOML, or as TOML with CSV side files, loads back to
//! the same results; CSV side files report problems with their own file, line and column.

use blastradius::load::{load_model, load_scenario};
use blastradius::output::model_files::save_model;
use blastradius::results::Deterministic;
use blastradius::Analysis;

use crate::util::{assert_fails_with, files, root, run_in};

fn deterministic(a: &Analysis, ids: &[String]) -> Deterministic {
    let sources: Vec<_> = ids.iter().map(|id| a.model.node_id(id).unwrap()).collect();
    let wc = a.worst_case(&sources);
    Deterministic::of(&a.model, &a.graph, &a.holdings, &wc)
}

#[test]
fn saved_models_load_back_to_the_same_results() {
    let demo = root().join("data/tracking-program");
    let loaded = load_model(&demo, "demo").unwrap();
    let demo_warnings = loaded.warnings;
    let original = Analysis::new(loaded.model);
    for csv in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        save_model(&original.model, dir.path(), csv).unwrap();
        let again = load_model(dir.path(), "saved").unwrap();
        // The saved model warns of what the demo warns of (its programme-age lint), no more.
        let messages = |w: &[blastradius::error::Diagnostic]| -> Vec<String> {
            w.iter().map(|d| d.message.clone()).collect()
        };
        assert_eq!(messages(&again.warnings), messages(&demo_warnings));
        assert_eq!(again.model.entry, original.model.entry);
        let again = Analysis::new(again.model);
        for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue; // scenarios/constraints/ and other folders
            }
            let s = load_scenario(&path, "s").unwrap().scenario;
            let ids: Vec<String> = s
                .compromised
                .iter()
                .map(|&n| original.model.id(n).to_string())
                .collect();
            assert_eq!(
                deterministic(&original, &ids),
                deterministic(&again, &ids),
                "{path:?} csv={csv}"
            );
        }
        // Same model, same bytes.
        let dir2 = tempfile::tempdir().unwrap();
        save_model(&again.model, dir2.path(), csv).unwrap();
        let text = |d: &std::path::Path| std::fs::read_to_string(d.join("model.toml")).unwrap();
        assert_eq!(text(dir.path()), text(dir2.path()));
    }
}

#[test]
fn csv_problems_name_their_file_line_and_column() {
    let dir = files(&[
        (
            "m/model.toml",
            "[org]\nprogram_age_days = 10\n[csv]\naccount = \"accounts.csv\"\ngrant = \"grants.csv\"\n[[group]]\nid = \"staff\"\n[[store]]\nid = \"db\"\n",
        ),
        ("m/accounts.csv", "id,kind,mfa,groups\nalice,human,otp,staff\nbob,human,totp,staf\n"),
        ("m/grants.csv", "principal,target,access,last_used_days,p,time\nstaff,db,read,,0.5,\nbob,db,read,x,,\n"),
    ]);
    let out = run_in(dir.path(), &["validate", "m"]);
    assert_fails_with(
        &out,
        &[
            "m/accounts.csv:3:11: error: unknown mfa `totp`",
            "m/accounts.csv:3:16: error: unknown group `staf`; did you mean `staff`?",
            "m/grants.csv:3:13: error: column `last_used_days`: `x` is not a whole number",
        ],
    );
}

#[test]
fn csv_unknown_columns_and_tables() {
    let dir = files(&[
        (
            "m/model.toml",
            "[csv]\naccount = \"a.csv\"\ngrants = \"g.csv\"\n",
        ),
        ("m/a.csv", "id,knd\nx,human\n"),
    ]);
    let out = run_in(dir.path(), &["validate", "m"]);
    assert_fails_with(
        &out,
        &[
            "unknown column `knd` for account rows",
            "did you mean `kind`?",
            "[csv] `grants` is not a table",
            "did you mean `grant`?",
        ],
    );
}

/// Side files without quotes are split directly, in parallel pieces when large; with quotes they
/// go through the csv crate in one piece. The same rows must give the model that was saved either
/// way, with CRLF line ends and blank lines too.
#[test]
fn csv_side_files_read_the_same_with_and_without_quotes() {
    let model = blastradius::generate::generate(3000, 4);
    let plain = tempfile::tempdir().unwrap();
    save_model(&model, plain.path(), true).unwrap();
    let quoted = tempfile::tempdir().unwrap();
    let crlf = tempfile::tempdir().unwrap();
    let mut side_files = 0;
    for entry in std::fs::read_dir(plain.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if path.extension().is_some_and(|e| e == "csv") {
            side_files += 1;
            assert!(!text.contains('"'));
            // Every cell quoted: the csv crate path.
            let q: String = text
                .lines()
                .map(|l| {
                    let cells: Vec<String> = l.split(',').map(|c| format!("\"{c}\"")).collect();
                    cells.join(",") + "\n"
                })
                .collect();
            std::fs::write(quoted.path().join(&name), q).unwrap();
            // CRLF line ends and blank lines: still the direct path.
            let c: String = text.lines().map(|l| format!("{l}\r\n\r\n")).collect();
            std::fs::write(crlf.path().join(&name), c).unwrap();
        } else {
            std::fs::write(quoted.path().join(&name), &text).unwrap();
            std::fs::write(crlf.path().join(&name), &text).unwrap();
        }
    }
    assert!(side_files >= 5);
    // Large enough to be read in several pieces (of at least 64 KiB each).
    assert!(
        std::fs::metadata(plain.path().join("accounts.csv"))
            .unwrap()
            .len()
            > 3 * 65536
    );
    let load = |d: &tempfile::TempDir| load_model(d.path(), "m").unwrap().model;
    let (a, b, c) = (load(&plain), load(&quoted), load(&crlf));
    for other in [&model, &b, &c] {
        assert_eq!(format!("{:?}", a.nodes), format!("{:?}", other.nodes));
        assert_eq!(format!("{:?}", a.links), format!("{:?}", other.links));
        assert_eq!(
            format!("{:?}", a.record_sets),
            format!("{:?}", other.record_sets)
        );
        assert_eq!(format!("{:?}", a.flows), format!("{:?}", other.flows));
        assert_eq!(a.mfa, other.mfa);
    }
    assert_eq!(a.links.len(), model.links.len());
}

/// A side file read in parallel pieces reports what one read would: problems in every piece up to
/// a malformed row, that row once, nothing after it; a duplicate id points at the first one.
#[test]
fn problems_in_a_large_side_file_are_reported_as_in_one_read() {
    let model = blastradius::generate::generate(3000, 4);
    let dir = tempfile::tempdir().unwrap();
    save_model(&model, dir.path(), true).unwrap();
    let path = dir.path().join("accounts.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.len() > 3 * 65536, "several pieces");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    let bad_mfa = |l: &str| {
        let mut cells: Vec<&str> = l.split(',').collect();
        cells[2] = "otq";
        cells.join(",")
    };
    lines[10] = bad_mfa(&lines[10]); // line 11
    lines[n / 3] = bad_mfa(&lines[n / 3]);
    lines[n / 2].push_str(",extra"); // malformed: ends the file
    lines[n - 5] = bad_mfa(&lines[n - 5]); // after it: never read
    let first_id = lines[1].split(',').next().unwrap().to_string();
    lines.insert(n / 4, lines[1].clone()); // a duplicate of line 2, above the malformed row
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let out = run_in(dir.path(), &["validate", "."]);
    assert_fails_with(
        &out,
        &[
            "accounts.csv:11:",
            &format!("accounts.csv:{}:", n / 3 + 2),
            &format!("accounts.csv:{}:1: error: malformed CSV", n / 2 + 2),
            &format!(
                "accounts.csv:{}:1: error: duplicate id `{first_id}`: already declared as an account at ./accounts.csv:2",
                n / 4 + 1
            ),
        ],
    );
    assert_eq!(
        out.stderr.matches("unknown mfa `otq`").count(),
        2,
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.matches("malformed CSV").count(),
        1,
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.matches("duplicate id").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn csv_rows_with_the_wrong_number_of_cells_are_reported() {
    for accounts in [
        "id,kind,mfa,groups\nalice,human,otp,staff\nbob,human,otp,staff,extra\n",
        "id,kind,mfa,groups\nalice,human,otp,staff\n\"bob\",human,otp,staff,extra\n",
    ] {
        let dir = files(&[
            (
                "m/model.toml",
                "[csv]\naccount = \"accounts.csv\"\n[[group]]\nid = \"staff\"\n[[store]]\nid = \"db\"\nrecords = [{ category = \"user.contact\", count = 1 }]\n",
            ),
            ("m/accounts.csv", accounts),
        ]);
        let out = run_in(dir.path(), &["validate", "m"]);
        assert_fails_with(&out, &["m/accounts.csv:3:", "malformed CSV"]);
        assert_eq!(
            out.stderr.matches("malformed CSV").count(),
            1,
            "{}",
            out.stderr
        );
    }
}

/// A folder with a generated 3,000-person organisation (`org`) and a scenario `s.toml` that
/// compromises its first admin account, with `simulation` appended: a worst case that reaches
/// thousands of nodes.
fn admin_scenario(simulation: &str) -> tempfile::TempDir {
    let model = blastradius::generate::generate(3000, 1);
    let dir = tempfile::tempdir().unwrap();
    save_model(&model, &dir.path().join("org"), true).unwrap();
    let admins = model
        .nodes
        .iter()
        .find(|n| n.id.starts_with("admins-"))
        .unwrap()
        .id
        .clone();
    let scenario = format!(
        "model = \"org\"\nname = \"admins\"\n[attack]\ncompromised = [\"{admins}\"]\n{simulation}"
    );
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    dir
}

/// A large worst case in a table shows the first ids of each kind and the stores holding the
/// most records, and says how many more there are; JSON still lists every one.
#[test]
fn a_large_worst_case_table_shows_the_largest_and_counts_the_rest() {
    let dir = admin_scenario("");
    let table = run_in(dir.path(), &["run", "s.toml", "--worst-case-only", "-q"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let json = run_in(
        dir.path(),
        &[
            "run",
            "s.toml",
            "--worst-case-only",
            "-q",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let d = &v["baseline"]["deterministic"];
    let leaked = d["leaked_stores"].as_array().unwrap().len();
    let accounts = d["compromised"]["account"].as_array().unwrap().len();
    assert!(leaked > 50 && accounts > 40, "{leaked} {accounts}");
    let out = &table.stdout;
    assert!(out.contains("the 50 holding the most records"), "{out}");
    assert!(out.contains(&format!("… and {} more (--format json or csv", leaked - 50)));
    assert!(out.contains(&format!("… and {} more\n", accounts - 40)));
    // When the cut falls between stores holding equally many records, the table says how.
    let mut held: Vec<u64> = d["store_records"]
        .as_object()
        .unwrap()
        .values()
        .map(|cats| {
            cats.as_object()
                .unwrap()
                .values()
                .map(|n| n.as_u64().unwrap())
                .sum()
        })
        .collect();
    held.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(
        out.contains("the most records (equal ones in id order)"),
        held[49] == held[50],
        "{out}"
    );
    // The first store shown holds the most records of all.
    let most = d["store_records"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(s, cats)| {
            let total: u64 = cats
                .as_object()
                .unwrap()
                .values()
                .map(|n| n.as_u64().unwrap())
                .sum();
            (total, std::cmp::Reverse(s.clone()))
        })
        .max()
        .unwrap();
    let first = out
        .lines()
        .skip_while(|l| !l.starts_with("Leaked stores"))
        .nth(1)
        .unwrap();
    assert!(
        first.trim_start().starts_with(&most.1 .0),
        "{first} vs {most:?}"
    );
    assert_eq!(
        out.matches(" steps, p = ").count() + out.matches(" step, p = ").count(),
        50
    );
}

/// The Monte Carlo part of a large run's table shows the 50 stores breached most often, each
/// with its own most likely path, and counts the rest.
#[test]
fn a_large_monte_carlo_table_shows_the_most_breached_and_counts_the_rest() {
    let dir = admin_scenario("[simulation]\ntrials = 20\n");
    let table = run_in(dir.path(), &["run", "s.toml", "-q"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let json = run_in(dir.path(), &["run", "s.toml", "-q", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let mc = &v["baseline"]["monte_carlo"];
    let breached: Vec<(f64, String)> = mc["store_breach_probability"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(s, p)| (p.as_f64().unwrap(), s.clone()))
        .filter(|(p, _)| *p > 0.0)
        .collect();
    assert!(breached.len() > 50, "{}", breached.len());
    let out = table.stdout.split("MONTE CARLO").nth(1).unwrap();
    assert!(
        out.contains(&format!("the 50 most often breached of {}", breached.len())),
        "{out}"
    );
    // When the cut falls between stores breached equally often, the table says how it fell.
    let mut chances: Vec<f64> = breached.iter().map(|(p, _)| *p).collect();
    chances.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(
        out.contains("(equal ones in id order)"),
        chances[49] == chances[50],
        "{out}"
    );
    assert!(out.contains(&format!(
        "… and {} more (--format json lists every one)",
        breached.len() - 50
    )));
    // Each shown store is followed by its own path, and no store breached more often is left out.
    let lines: Vec<&str> = out.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("most often breached"))
        .unwrap();
    let shown: Vec<(f64, &str)> = lines[first + 1..]
        .chunks(2)
        .take(50)
        .map(|pair| {
            let (p, store) = pair[0].trim().split_once("  ").unwrap();
            let path = mc["most_likely_paths"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["target"] == store)
                .unwrap();
            let to = path["steps"].as_array().unwrap().last().unwrap()["to"].as_str();
            assert_eq!(to, Some(store));
            assert!(
                pair[1].trim_end().ends_with(&format!(
                    "→ {store} (all open: {:.3})",
                    path["probability"].as_f64().unwrap()
                )),
                "{}",
                pair[1]
            );
            (p.parse::<f64>().unwrap(), store)
        })
        .collect();
    let lowest_shown = shown.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
    let higher_not_shown = breached
        .iter()
        .filter(|(p, s)| *p > lowest_shown + 0.0005 && !shown.iter().any(|x| x.1 == s))
        .count();
    assert_eq!(higher_not_shown, 0);
}

/// A side file's wrong header leaves its nodes undeclared, and every reference to them is an
/// error: the first hundred problems are shown, the rest counted, and shown unknown ids still
/// get their suggestion (searched for the shown errors only).
#[test]
fn a_wrong_header_shows_its_first_problems_and_counts_the_rest() {
    let model = blastradius::generate::generate(3000, 4);
    let dir = tempfile::tempdir().unwrap();
    save_model(&model, dir.path(), true).unwrap();
    let path = dir.path().join("accounts.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("id,", "ident,", 1)).unwrap();
    // One typo in a file shown first (files are shown in name order): it still gets its
    // suggestion.
    let stores = std::fs::read_to_string(dir.path().join("stores.csv")).unwrap();
    let store = stores.lines().nth(1).unwrap().split(',').next().unwrap();
    let systems = std::fs::read_to_string(dir.path().join("systems.csv")).unwrap();
    let system = systems.lines().nth(1).unwrap().split(',').next().unwrap();
    let access = dir.path().join("access.csv");
    let text = std::fs::read_to_string(&access).unwrap();
    std::fs::write(&access, format!("{text}{system},{store}x,read,,\n")).unwrap();
    let out = run_in(dir.path(), &["validate", "."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[1].ends_with("accounts.csv:1:1: error: unknown column `ident` for account rows; expected id, kind, mfa, groups, name"),
        "{}",
        lines[1]
    );
    let errors: usize = lines
        .last()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(errors > 1000, "{errors}");
    assert_eq!(lines.len(), 100 + 2, "{}", out.stderr);
    assert_eq!(
        lines[100],
        format!("… and {} more not shown: the first ones often have a single cause, such as a side file's header", errors - 100)
    );
    assert!(
        lines[0].ends_with(&format!(
            "unknown store `{store}x`; did you mean `{store}`?"
        )),
        "{}",
        out.stderr
    );
}
