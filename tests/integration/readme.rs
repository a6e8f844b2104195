//! The README's examples are the tool's real output. A ```text block right after the line
//! `<!-- checked: the README test runs these commands -->` holds commands (`$ blastradius …`,
//! continued with a trailing `\`) each followed by what it prints (standard output, then
//! standard error); `$ echo $?` is followed by the previous command's exit status. A line `…`
//! stands for any number of lines, so a block can show an excerpt. The commands run in a
//! scratch folder that sees the repository's `data/` and `scenarios/`, so `-o` writes nowhere
//! else.

use std::path::Path;

use crate::util::{root, run_in};

const MARKER: &str = "<!-- checked: the README test runs these commands -->";

/// The checked blocks of the README, each as its lines.
fn checked_blocks(readme: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.trim() == MARKER {
            assert_eq!(
                lines[i + 1],
                "```text",
                "a checked block is a ```text block"
            );
            let body: Vec<String> = lines[i + 2..]
                .iter()
                .take_while(|l| **l != "```")
                .map(|s| s.to_string())
                .collect();
            blocks.push(body);
        }
    }
    blocks
}

/// A command line split as a POSIX shell would for the quoting the README uses.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `actual` has the `expected` lines, where a `…` line matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "…" => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a.trim_end() == first.trim_end() && matches(rest, more)),
    }
}

/// Runs one block; the problems found.
fn check(block: &[String], dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut i = 0;
    let mut last_code = None;
    while i < block.len() {
        let Some(mut command) = block[i].strip_prefix("$ ").map(str::to_string) else {
            problems.push(format!("expected a `$ ` command line: {}", block[i]));
            break;
        };
        while command.ends_with('\\') {
            command.pop();
            i += 1;
            command.push_str(&block[i]);
        }
        i += 1;
        let start = i;
        while i < block.len() && !block[i].starts_with("$ ") {
            i += 1;
        }
        let expected = &block[start..i];
        let printed = if command == "echo $?" {
            format!("{}\n", last_code.expect("a command before `echo $?`"))
        } else {
            let w = words(&command);
            assert_eq!(w[0], "blastradius", "only blastradius runs: {command}");
            let args: Vec<&str> = w[1..].iter().map(String::as_str).collect();
            let out = run_in(dir, &args);
            last_code = Some(out.code);
            format!("{}{}", out.stdout, out.stderr)
        };
        let actual: Vec<&str> = printed.lines().collect();
        if !matches(expected, &actual) {
            problems.push(format!(
                "`{command}` no longer prints what the README shows.\nREADME:\n{}\nactual:\n{}",
                expected.join("\n"),
                printed
            ));
        }
    }
    problems
}

#[test]
fn the_readme_examples_are_what_the_tool_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks = checked_blocks(&readme);
    assert!(
        blocks.len() >= 4,
        "the README's checked blocks went missing"
    );
    let dir = tempfile::tempdir().unwrap();
    for d in ["data", "scenarios"] {
        std::os::unix::fs::symlink(root().join(d), dir.path().join(d)).unwrap();
    }
    let problems: Vec<String> = blocks.iter().flat_map(|b| check(b, dir.path())).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_matcher_and_the_splitter() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "…", "d"]), &["a", "b", "c", "d"]));
    assert!(matches(&e(&["…", "c", "…"]), &["a", "b", "c", "d"]));
    assert!(!matches(&e(&["a", "d"]), &["a", "b", "d"]));
    assert!(!matches(&e(&["a", "…", "x"]), &["a", "b", "d"]));
    assert_eq!(
        words("diff a b --fail-if 'exposure_increase > 1%'"),
        ["diff", "a", "b", "--fail-if", "exposure_increase > 1%"]
    );
}
