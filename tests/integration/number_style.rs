//! One way to write a number, checked on everything the demo prints: every command in every
//! format. Human output (tables, the report page, chart SVGs) must separate thousands, use the
//! minus sign U+2212 (never a hyphen-minus before a figure) and never cut an id; JSON and CSV
//! must write whole numbers as integers and no float noise. The scanners are written here,
//! independent of `output::figures`.

use std::path::Path;

use crate::util::{root, run};

const TRIALS: &str = "300";

/// Every command's output on the demo, by format: (what, format, text).
fn outputs(dir: &Path) -> Vec<(String, &'static str, String)> {
    let scenarios: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    let model = "data/tracking-program";
    let next = "data/tracking-program-next-quarter";
    let mut commands: Vec<Vec<String>> = Vec::new();
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for s in &scenarios {
        commands.push(own(&["run", s, "--trials", TRIALS]));
        commands.push(own(&["compare", s, "--trials", TRIALS]));
    }
    let first = &scenarios[0];
    commands.push(own(&[
        "run",
        first,
        "--trials",
        TRIALS,
        "--csv-table",
        "people",
    ]));
    commands.push(own(&["recommend", first, "--budget", "4"]));
    commands.push(own(&[
        "recommend",
        first,
        "--budget",
        "3",
        "--objective",
        "expected",
        "--trials",
        "100",
    ]));
    commands.push(own(&["validate", model]));
    commands.push(own(&["sweep", model]));
    commands.push(own(&["sweep", model, "--kind", "system", "--by", "people"]));
    commands.push(own(&["sweep", model, "--kind", "person"]));
    commands.push(own(&[
        "paths",
        model,
        "--from",
        "dana-okafor",
        "--to",
        "badge-logs",
    ]));
    commands.push(own(&["who-can-reach", model, "hr-records"]));
    commands.push(own(&[
        "sweep", model, "--vector", "phishing", "--by", "expected",
    ]));
    commands.push(own(&["sweep", model, "--category", "user.health"]));
    commands.push(own(&["who-can-reach", model, "--category", "user.health"]));
    commands.push(own(&[
        "recommend",
        first,
        "--objective",
        "org",
        "--vector",
        "phishing",
        "--budget",
        "2",
    ]));
    commands.push(own(&["recommend", first, "--target", "50%"]));
    commands.push(own(&["diff", model, next]));
    let mut out = Vec::new();
    for c in &commands {
        for format in ["table", "json", "csv"] {
            let mut args: Vec<&str> = c.iter().map(String::as_str).collect();
            args.extend(["--format", format, "-q"]);
            if c[0] == "validate"
                || c[0] == "diff"
                || c[0] == "sweep"
                || c[0] == "paths"
                || c[0] == "who-can-reach"
            {
                args.pop();
            }
            let o = run(&args);
            assert!(
                o.code == 0 || (c[0] == "diff" && o.code == 3),
                "{args:?}: {}",
                o.stderr
            );
            out.push((args.join(" "), format, o.stdout));
        }
    }
    // The report page and its charts (human), and report.json.
    for s in &scenarios {
        let folder = dir.join(Path::new(s).file_stem().unwrap());
        let o = run(&[
            "report",
            s,
            "--trials",
            TRIALS,
            "-q",
            "-o",
            folder.to_str().unwrap(),
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let what = format!("report {s}: {name}");
            if name.ends_with(".html") || name.ends_with(".svg") {
                out.push((
                    what,
                    "table",
                    human_text(&std::fs::read_to_string(&path).unwrap()),
                ));
            } else if name.ends_with(".json") {
                out.push((what, "json", std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// The text a reader sees in HTML or SVG: tags, styles, scripts and entities' markup left out.
pub fn human_text(markup: &str) -> String {
    let mut text = String::new();
    let mut rest = markup;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        text.push(' ');
        let tag = &rest[start..];
        let skip_to = if tag.starts_with("<style") {
            tag.find("</style>")
        } else if tag.starts_with("<script") {
            tag.find("</script>")
        } else {
            None
        };
        let tag = &tag[skip_to.unwrap_or(0)..];
        match tag.find('>') {
            Some(end) => rest = &tag[end + 1..],
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// A character that makes a digit part of a name rather than a figure.
fn in_name(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '#' | ':')
}

/// Problems of human text: unseparated figures of five or more digits, hyphen-minus signs
/// before figures, and ids cut with an ellipsis.
fn human_problems(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut problems = Vec::new();
    let context = |i: usize| -> String {
        chars[i.saturating_sub(30)..(i + 30).min(chars.len())]
            .iter()
            .collect()
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let named = before.is_some_and(|b| in_name(b) && b != '-')
                || before == Some('-') && start >= 2 && in_name(chars[start - 2])
                || after.is_some_and(|a| a.is_alphabetic() || a == '_' || a == '-');
            if i - start >= 5 && !named {
                problems.push(format!("unseparated figure: …{}…", context(start)));
            }
            continue;
        }
        if c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
            let before = i.checked_sub(1).map(|j| chars[j]);
            if !before.is_some_and(|b| b.is_alphanumeric() || b == '_' || b == '-' || b == '.') {
                problems.push(format!("hyphen-minus as a minus: …{}…", context(i)));
            }
        }
        if c == '…' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            if before.is_some_and(|b| b.is_alphanumeric() || b == '-' || b == '_' || b == '.') {
                problems.push(format!("cut id: …{}…", context(i)));
            }
        }
        i += 1;
    }
    problems
}

/// Number tokens of a JSON text (strings skipped).
fn json_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            while let Some(s) = chars.next() {
                match s {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
        } else if c == '-' || c.is_ascii_digit() {
            let mut token = c.to_string();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-') {
                    token.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(token);
        }
    }
    out
}

/// Problems of a machine number: a whole number written as a float, or float noise (more
/// significant digits in a fraction than any estimate supports).
fn machine_problem(token: &str) -> Option<String> {
    let mantissa = token.split(['e', 'E']).next().unwrap();
    let (whole, frac) = mantissa.split_once('.')?;
    if frac.chars().all(|c| c == '0') {
        return Some(format!("whole number as a float: {token}"));
    }
    let digits: String = format!("{whole}{frac}")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let significant = digits.trim_start_matches('0').len();
    let whole_digits = whole.trim_start_matches('-').trim_start_matches('0').len();
    (significant > 6.max(whole_digits + 1) && frac.len() > 1)
        .then(|| format!("float noise: {token}"))
}

fn csv_numbers(text: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    r.records()
        .flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .filter(|cell| cell.parse::<f64>().is_ok())
        .collect()
}

#[test]
fn every_command_writes_numbers_one_way() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (what, format, text) in outputs(dir.path()) {
        let found: Vec<String> = match format {
            "table" => human_problems(&text),
            "json" => json_numbers(&text)
                .iter()
                .filter_map(|t| machine_problem(t))
                .collect(),
            _ => csv_numbers(&text)
                .iter()
                .filter_map(|t| machine_problem(t))
                .collect(),
        };
        for p in found.into_iter().take(5) {
            problems.push(format!("{what} ({format}): {p}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_scanners_catch_each_defect() {
    assert_eq!(human_problems("records 9,573,250 (-7650000)").len(), 2);
    assert_eq!(human_problems("a real cut of (-0.0%)").len(), 1);
    assert_eq!(human_problems("  peoplelytics-…  0.950").len(), 1);
    assert!(human_problems("user-00001 on 2026-03-02, 1 … 3, −7,650,000 (−36.1%)").is_empty());
    assert_eq!(
        machine_problem("871652500.0").unwrap(),
        "whole number as a float: 871652500.0"
    );
    assert!(machine_problem("0.8122499999999999").is_some());
    assert!(machine_problem("102872859.49254504").is_some());
    assert!(machine_problem("0.8122").is_none());
    assert!(machine_problem("-36.0747").is_none());
    assert!(machine_problem("871652500").is_none());
    assert_eq!(
        json_numbers(r#"{"a": "v1.0", "b": [1.0, -2]}"#),
        ["1.0", "-2"]
    );
}
