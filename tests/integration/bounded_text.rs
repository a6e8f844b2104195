//! Free text is bounded (issue 23): display names and descriptions of nodes, the organisation's
//! name, a scenario's and design's name and description, a `[[keep]]`'s `why`, and the
//! imported properties and Fides fields that become names are at most 4,096 bytes; the names a
//! model's tables give as keys (populations, regimes, categories, attack vectors, edge labels)
//! are at most 1,024, as ids are. Exactly the cap passes; one byte more is an error at the
//! text's file, line and column, which the test finds in the text it wrote.

use std::path::Path;

use crate::util::{assert_fails_with, files, run_in, Outcome};

const CAP: usize = 4096;

/// Text of `n` bytes, mostly two-byte characters, so a cap counted in characters would pass it.
fn fill(n: usize) -> String {
    format!("{}{}", "é".repeat(n / 2), "a".repeat(n % 2))
}

/// `file:line:column` of byte `at` of `text` (ASCII before it on its line).
fn position(file: &str, text: &str, at: usize) -> String {
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{file}:{line}:{column}")
}

/// Writes `file` (with `TEXT` replaced by text of the cap's length, then one byte more) beside
/// `others` and runs `args` in the folder: the first passes, the second fails at the text's
/// position (its first byte, or the quote before it, found by `marker`), naming its length and
/// `extra`.
fn cap_holds(file: &str, template: &str, others: &[(&str, &str)], args: &[&str], extra: &str) {
    cap_holds_at(CAP, 0, file, template, others, args, extra);
}

/// [`cap_holds`] for another `cap`, the error `shift` bytes after the quote (1: at the text).
fn cap_holds_at(
    cap: usize,
    shift: usize,
    file: &str,
    template: &str,
    others: &[(&str, &str)],
    args: &[&str],
    extra: &str,
) {
    for n in [cap, cap + 1] {
        let text = template.replace("TEXT", &fill(n));
        let mut list = others.to_vec();
        list.push((file, &text));
        let dir = files(&list);
        let out = run_in(dir.path(), args);
        if n == cap {
            assert_eq!(out.code, 0, "{file} with {n} bytes: {}", out.stderr);
            continue;
        }
        let quoted = text.find("\"é").map(|i| i + shift);
        let at = quoted.or(text.find('é')).unwrap();
        let expected = [
            position(file, &text, at),
            format!("{n} bytes"),
            format!("at most {cap} bytes"),
            extra.to_string(),
        ];
        assert_fails_with(&out, &expected.each_ref().map(String::as_str));
        assert!(out.stderr.len() < 2000, "the message repeats the text");
    }
}

const MODEL: &str = "[org]\nprogram_age_days = 10\n[categories]\n\"user.contact\" = 1\n\
[[person]]\nid = \"alice\"\naccounts = [\"alice-u\"]\n[[account]]\nid = \"alice-u\"\n\
[[store]]\nid = \"db\"\nrecords = [{ category = \"user.contact\", count = 1 }]\n\
[[grant]]\nprincipal = \"alice-u\"\ntarget = \"db\"\naccess = \"read\"\n";

#[test]
fn names_and_descriptions_in_a_toml_model() {
    let validate = ["validate", "model.toml"];
    let cases = [
        ("id = \"alice\"\n", "name", "the name of person `alice`"),
        (
            "id = \"alice-u\"\n",
            "name",
            "the name of account `alice-u`",
        ),
        (
            "id = \"db\"\n",
            "description",
            "the description of store `db`",
        ),
        ("[org]\n", "name", "the organisation's name"),
        ("[org]\n", "description", "the organisation's description"),
    ];
    for (after, field, what) in cases {
        let model = MODEL.replacen(after, &format!("{after}{field} = \"TEXT\"\n"), 1);
        cap_holds("model.toml", &model, &[], &validate, what);
    }
}

#[test]
fn names_in_csv_side_files() {
    let model = "[org]\nprogram_age_days = 10\n[csv]\nperson = \"people.csv\"\n\
        [[account]]\nid = \"alice-u\"\n[[store]]\nid = \"db\"\n";
    cap_holds(
        "people.csv",
        "id,accounts,name\nalice,alice-u,TEXT\n",
        &[("model.toml", model)],
        &["validate", "model.toml"],
        "the name of person `alice`",
    );
}

#[test]
fn scenario_design_and_keep_texts() {
    let model = [("model.toml", MODEL)];
    let run = ["run", "s.toml", "--worst-case-only"];
    let head = "model = \"model.toml\"\n";
    let attack = "[attack]\ncompromised = [\"alice\"]\n";
    let design = "[[design]]\nname = \"mfa\"\nchanges = [{ op = \"set_mfa\", accounts = \"alice-u\", mfa = \"otp\" }]\n";
    let cases = [
        (format!("{head}name = \"TEXT\"\n{attack}"), "the scenario's name"),
        (format!("{head}description = \"TEXT\"\n{attack}"), "the scenario's description"),
        (
            format!("{head}{attack}[[keep]]\nprincipal = \"alice-u\"\ntarget = \"db\"\nwhy = \"TEXT\"\n"),
            "a [[keep]]'s `why`",
        ),
        (
            format!("{head}{attack}{}", design.replace("changes", "description = \"TEXT\"\nchanges")),
            "a design's description",
        ),
    ];
    for (scenario, what) in &cases {
        cap_holds("s.toml", scenario, &model, &run, what);
    }
    // A design file's design name.
    let scenario = format!("{head}{attack}");
    cap_holds(
        "d.toml",
        &design.replace("\"mfa\"", "\"TEXT\""),
        &[("model.toml", MODEL), ("s.toml", &scenario)],
        &["run", "s.toml", "--worst-case-only", "--design", "d.toml"],
        "a design's name",
    );
}

/// Runs an import of `file` (holding `template` with `TEXT` of `n` bytes) into a new folder.
fn import(args: &[&str], file: &str, template: &str, n: usize) -> (Outcome, String) {
    let text = template.replace("TEXT", &fill(n));
    let dir = files(&[(file, &text)]);
    let mut all = args.to_vec();
    all.extend([file, "-o", "out"]);
    let out = run_in(dir.path(), &all);
    if out.code == 0 {
        let model = std::fs::read_to_string(dir.path().join("out/model.toml")).unwrap();
        assert!(model.contains(&fill(n)), "the name is the model's");
    }
    assert!(!Path::new(&dir.path().join("out")).exists() || out.code == 0);
    (out, text)
}

#[test]
fn imported_names_are_bounded() {
    let og = "{\"graph\":{\"nodes\":[\n{\"id\":\"a\",\"kinds\":[\"User\"],\"properties\":{\"name\":\"TEXT\"}}\n]}}";
    let sharphound = "{\"data\": [\n{\"ObjectIdentifier\": \"S-1-5-21-1-1101\", \"Properties\": {\"name\": \"TEXT\"}}\n], \"meta\": {\"type\": \"users\", \"count\": 1, \"version\": 6}}";
    for (args, file, template) in [
        (&["import", "opengraph"][..], "og.json", og),
        (&["import", "sharphound"][..], "users.json", sharphound),
    ] {
        let (ok, _) = import(args, file, template, CAP);
        assert_eq!(ok.code, 0, "{file}: {}", ok.stderr);
        let (out, _) = import(args, file, template, CAP + 1);
        // serde_json places the error on the node's line.
        assert_fails_with(
            &out,
            &[&format!("{file}:2:"), "the `name` property", "4097 bytes"],
        );
    }
    // A Fides dataset's name, at its line and column; its fides_key is an id (1,024 bytes).
    let fides = "dataset:\n  - fides_key: orders\n    name: TEXT\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n";
    let (ok, _) = import(&["import", "fides"], "f.yml", fides, CAP);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let (out, text) = import(&["import", "fides"], "f.yml", fides, CAP + 1);
    let at = position("f.yml", &text, text.find('é').unwrap());
    assert_fails_with(&out, &[&at, "`name`", "4097 bytes"]);
    let keyed = fides
        .replace("orders", "TEXT")
        .replace("name: TEXT", "name: x");
    let key = |n: usize| keyed.replace("TEXT", &"k".repeat(n));
    let dir = files(&[("f.yml", &key(1024))]);
    let ok = run_in(dir.path(), &["import", "fides", "f.yml", "-o", "out"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let dir = files(&[("f.yml", &key(1025))]);
    let out = run_in(dir.path(), &["import", "fides", "f.yml", "-o", "out"]);
    assert_fails_with(&out, &["f.yml:2:16", "1025 bytes", "at most 1024 bytes"]);
}

#[test]
fn names_given_as_table_keys_are_capped_as_ids() {
    let validate = ["validate", "model.toml"];
    let tables = "\"user.contact\" = 1\n";
    let person = "[[person]]";
    // (where, what is inserted, message, shift: 1 when reported at a key, 0 at a quoted value)
    let cases = [
        (tables, "\"TEXT\" = 2\n", "a [categories] category", 1),
        (
            person,
            "[populations]\n\"TEXT\" = 5\n",
            "a [populations] name",
            1,
        ),
        (
            person,
            "[notification]\n\"TEXT\" = [\"user\"]\n",
            "a [notification] regime",
            1,
        ),
        (
            person,
            "[notification]\nx = [\"TEXT\"]\n",
            "a [notification] category",
            0,
        ),
        (
            person,
            "[money.per_record]\n\"TEXT\" = 1\n",
            "a [money.per_record] category",
            1,
        ),
        (
            person,
            "[entry]\n\"TEXT\" = 0.5\n",
            "an [entry] attack vector",
            1,
        ),
        (
            person,
            "[probabilities]\n\"TEXT\" = 0.5\n",
            "a [probabilities] edge label",
            1,
        ),
        (person, "[times]\n\"TEXT\" = 2\n", "a [times] edge label", 1),
    ];
    for (at, insert, what, shift) in cases {
        let model = if at == person {
            MODEL.replacen(person, &format!("{insert}{person}"), 1)
        } else {
            MODEL.replacen(at, &format!("{at}{insert}"), 1)
        };
        cap_holds_at(1024, shift, "model.toml", &model, &[], &validate, what);
    }
}

#[test]
fn overlays_are_bounded_as_models_are() {
    let model = format!("{MODEL}[include]\noverlays = [\"o.toml\"]\n");
    let others = [("model.toml", model.as_str())];
    let validate = ["validate", "model.toml"];
    let population = "[populations]\n\"TEXT\" = 5\n";
    cap_holds_at(
        1024,
        1,
        "o.toml",
        population,
        &others,
        &validate,
        "a [populations] name",
    );
    let regime = "[notification]\n\"TEXT\" = [\"user\"]\n";
    cap_holds_at(
        1024,
        1,
        "o.toml",
        regime,
        &others,
        &validate,
        "a [notification] regime",
    );
    let named = "[[store]]\nid = \"db\"\nname = \"TEXT\"\n";
    cap_holds(
        "o.toml",
        named,
        &others,
        &validate,
        "the name of store `db`",
    );
}
