//! `report`, `chart` and `--redact` through the command line, and the page in headless
//! Chromium (ignored by a plain `cargo test`, so the summary counts it; `cargo test -- --ignored`
//! runs it and fails when Chromium is missing).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{root, run, run_json};

/// Few trials: these tests check plumbing, not statistics.
const TRIALS: &str = "300";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The phished-manager scenario with a detection setting, so the dwell chart is drawn.
fn scenario_with_detection(dir: &Path) -> PathBuf {
    let text = read(&root().join("scenarios/phished-manager.toml"))
        .replace(
            "model = \"../data/",
            &format!("model = \"{}/data/", root().display()),
        )
        .replace(
            "# [simulation.detection]          # time model: uncomment to let audit trails cut the dwell time\n# mean_days = 14\n# distribution = \"exponential\"",
            "[simulation.detection]\nmean_days = 14\ndistribution = \"exponential\"",
        );
    assert!(text.contains("[simulation.detection]\nmean_days = 14"));
    let path = dir.join("detect.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn report(scenario: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "report",
        scenario.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--trials",
        TRIALS,
        "-q",
    ];
    args.extend(extra);
    let o = run(&args);
    assert_eq!(o.code, 0, "report failed:\n{}", o.stderr);
}

/// Every chart, the demo having `[money]` and frequencies.
const ALL_CHARTS: [&str; 11] = [
    "design-comparison",
    "loss-exceedance",
    "annual-loss-exceedance",
    "net-benefit",
    "records-by-category",
    "records-exceedance",
    "exposure-exceedance",
    "records-vs-dwell",
    "store-breach-probability",
    "people-affected",
    "riskiest-identities",
];

#[test]
fn report_writes_the_page_its_data_and_every_chart() {
    let dir = tmp();
    let scenario = scenario_with_detection(dir.path());
    let out = dir.path().join("new/report");
    report(&scenario, &out, &["--top", "5"]);
    for c in ALL_CHARTS {
        let svg = read(&out.join(format!("{c}.svg")));
        assert!(svg.starts_with("<svg"), "{c}.svg");
        let png = std::fs::read(out.join(format!("{c}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}.png");
    }
    let html = read(&out.join("index.html"));
    // The demo has [money]: the answer leads with the expected cost and the year.
    assert!(html.contains("If dana-okafor is compromised, the expected cost is $"));
    assert!(html.contains("; about 1 such incident is expected every 5 years; "));
    // Every chart and the attack graph.
    assert_eq!(html.matches("<svg").count(), ALL_CHARTS.len() + 1);
    for section in [
        "Key figures",
        "Attack graph",
        "Most likely attack paths",
        "Control designs",
        "Methods",
    ] {
        assert!(html.contains(section), "no {section}");
    }
    assert!(html.contains("300 trials, seed 7"));
    let data: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert_eq!(data["schema"], "blastradius/report/v1");
    assert_eq!(data["run"]["schema"], "blastradius/result/v1");
    assert_eq!(data["riskiest"]["entries"].as_array().unwrap().len(), 5);
    assert!(data["model_digest"].as_str().unwrap().len() == 16);
    // Nothing but the report's own files, and no temporary file left behind.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2 * (ALL_CHARTS.len() + 1) + 2, "{names:?}");
    assert!(names.contains(&"attack-graph.png".to_string()));
}

#[test]
fn chart_redraws_a_saved_report_and_a_saved_run_identically() {
    let dir = tmp();
    let scenario = root().join("scenarios/phished-manager.toml");
    let out = dir.path().join("report");
    report(&scenario, &out, &[]);
    let again = dir.path().join("again");
    let o = run(&[
        "chart",
        out.join("report.json").to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!again.join("index.html").exists());
    let from_run = dir.path().join("from-run");
    let result = dir.path().join("result.json");
    let o = run(&[
        "run",
        scenario.to_str().unwrap(),
        "--trials",
        TRIALS,
        "--format",
        "json",
        "-o",
        result.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = run(&[
        "chart",
        result.to_str().unwrap(),
        "-o",
        from_run.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for c in ALL_CHARTS {
        for ext in ["svg", "png"] {
            let name = format!("{c}.{ext}");
            let original = std::fs::read(out.join(&name)).ok();
            assert_eq!(original, std::fs::read(again.join(&name)).ok(), "{name}");
            if c != "riskiest-identities" {
                assert_eq!(original, std::fs::read(from_run.join(&name)).ok(), "{name}");
            }
        }
    }
    // A run result has no sweep: no riskiest chart from it.
    assert!(!from_run.join("riskiest-identities.svg").exists());
}

#[test]
fn chart_rejects_what_is_not_a_result() {
    let dir = tmp();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"schema": "something/else"}"#).unwrap();
    let out = run(&["chart", bad.to_str().unwrap(), "-o", "unused"]);
    crate::util::assert_fails_with(&out, &["bad.json", "something/else"]);
    std::fs::write(
        &bad,
        "{\"schema\": \"blastradius/result/v1\",\n \"scenario\": 3}",
    )
    .unwrap();
    let out = run(&["chart", bad.to_str().unwrap(), "-o", "unused"]);
    crate::util::assert_fails_with(&out, &["bad.json:2"]);
    // A scenario given where a result belongs: said so, with the command that draws it.
    let scenario = root().join("scenarios/phished-manager.toml");
    let out = run(&["chart", scenario.to_str().unwrap(), "-o", "unused"]);
    crate::util::assert_fails_with(&out, &["is a scenario (TOML)", "blastradius report"]);
    // Not TOML either: the JSON error, with its place.
    std::fs::write(&bad, "not a result at all").unwrap();
    let out = run(&["chart", bad.to_str().unwrap(), "-o", "unused"]);
    crate::util::assert_fails_with(&out, &["bad.json:1"]);
    assert!(!root().join("unused").exists());
}

#[test]
fn a_new_report_replaces_the_old_one_only_when_it_succeeds() {
    let dir = tmp();
    let out = dir.path().join("report");
    let scenario = root().join("scenarios/phished-manager.toml");
    report(&scenario, &out, &["--top", "0"]);
    let before = read(&out.join("index.html"));
    assert!(out.join("records-exceedance.svg").exists());
    // A failing run leaves the old report alone.
    let missing = dir.path().join("missing.toml");
    let o = run(&[
        "report",
        missing.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_ne!(o.code, 0);
    assert_eq!(read(&out.join("index.html")), before);
    // A worst-case report drops the Monte Carlo charts of the old one.
    report(&scenario, &out, &["--worst-case-only", "--top", "0"]);
    assert!(!out.join("records-exceedance.svg").exists());
    assert!(!out.join("records-exceedance.png").exists());
    assert!(out.join("records-by-category.png").exists());
    let after = read(&out.join("index.html"));
    assert_ne!(after, before);
    assert!(after.contains("Monte Carlo was not run"));
}

#[test]
fn redact_leaves_no_person_or_account_id_in_any_output() {
    let dir = tmp();
    let out = dir.path().join("report");
    let scenario = root().join("scenarios/phished-manager.toml");
    report(&scenario, &out, &["--redact"]);
    let ids = ["dana-okafor", "chloe-dubois-u", "svc-backup", "Dana Okafor"];
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png") {
            continue;
        }
        let text = read(&path);
        for id in ids {
            assert!(!text.contains(id), "{} names {id}", path.display());
        }
    }
    let html = read(&out.join("index.html"));
    assert!(html.contains("If person-"));
    assert!(html.contains("pseudonymisation, not anonymisation"));
    // Stores and groups keep their names; run and sweep redact alike.
    assert!(html.contains("badge-logs") && html.contains("site-managers"));
    let json = run_json(&[
        "run",
        "scenarios/phished-manager.toml",
        "--trials",
        "100",
        "--redact",
    ]);
    let text = json.to_string();
    assert!(!text.contains("dana-okafor"));
    let data: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert_eq!(json["entry_points"], data["run"]["entry_points"]);
    let sweep = run_json(&["sweep", "data/tracking-program", "--redact", "--top", "3"]);
    assert_eq!(
        sweep["entries"][0]["id"],
        data["riskiest"]["entries"][0]["id"]
    );
    assert!(!sweep.to_string().contains("chloe-dubois-u"));
}

/// Runs a command with its output in files (a pipe would fill and stall it), killing it after
/// `limit`; returns its stdout and stderr.
fn run_with_timeout(cmd: &mut Command, dir: &Path, limit: Duration) -> (String, String) {
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (text(&out), text(&err))
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut c = Command::new(chromium);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,4000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
#[ignore = "needs chromium (apt-get install chromium)"]
fn the_page_renders_in_headless_chromium() {
    let chromium = chromium().expect("chromium is not installed (apt-get install chromium)");
    let dir = tmp();
    let scenario = scenario_with_detection(dir.path());
    let out = dir.path().join("report");
    report(&scenario, &out, &["--top", "5"]);
    let url = format!("file://{}", out.join("index.html").display());
    let limit = Duration::from_secs(90);

    let (dom, log) = run_with_timeout(
        headless(&chromium, &dir.path().join("profile-dom"))
            .arg("--dump-dom")
            .arg(&url),
        dir.path(),
        limit,
    );
    assert!(
        dom.contains("id=\"answer\""),
        "the page did not load:\n{log}"
    );
    assert!(dom.trim_end().ends_with("</html>"));
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "the page logged errors:\n{}",
        console.join("\n")
    );
    let svgs: Vec<&str> = dom.split("<svg ").skip(1).collect();
    assert_eq!(svgs.len(), ALL_CHARTS.len() + 1);
    // The attack graph is in the page, with its nodes and steps.
    let graph = svgs
        .iter()
        .find(|s| s.contains("class=\"attack-graph\""))
        .expect("the attack graph's SVG is in the page");
    assert!(graph.contains("data-id=\"dana-okafor\"") && graph.contains("class=\"edge"));
    for svg in svgs {
        let attr = |name: &str| -> u32 {
            let key = format!("{name}=\"");
            let start = svg.find(&key).expect("size attribute") + key.len();
            let end = start + svg[start..].find('"').unwrap();
            svg[start..end].parse().unwrap()
        };
        assert!(attr("width") > 0 && attr("height") > 0);
    }

    let shot = dir.path().join("page.png");
    let (_, log) = run_with_timeout(
        headless(&chromium, &dir.path().join("profile-shot"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url),
        dir.path(),
        limit,
    );
    let bytes = std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot:\n{log}"));
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 4000));
    // The charts are drawn: a good share of the page is not background white.
    let px = info.line_size / info.width as usize;
    let inked = buf[..info.buffer_size()]
        .chunks(px)
        .filter(|p| p[..3].iter().any(|&c| c < 200))
        .count();
    let share = inked as f64 / (info.width * info.height) as f64;
    assert!(
        share > 0.03,
        "the screenshot is nearly blank ({share:.3} inked)"
    );
    if let Ok(keep) = std::env::var("BLASTRADIUS_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    attack_graph_renders(&chromium, &out, dir.path(), limit);
    attack_graph_keeps_its_size_in_the_page(&chromium, &out, dir.path(), limit);
}

/// In the page (1280px window, content capped at 980px) the attack graph is laid out at its
/// viewBox width, not shrunk to fit: a copy of the page, its script ban lifted, writes the
/// graph's rendered content width (inside its 1px border) and its box's scroll width into the DOM Chromium dumps.
fn attack_graph_keeps_its_size_in_the_page(
    chromium: &Path,
    out: &Path,
    dir: &Path,
    limit: Duration,
) {
    let page = read(&out.join("index.html"));
    let csp = page
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp + page[csp..].find('>').unwrap() + 1;
    let probe = "<script>const g = document.querySelector('svg.attack-graph'); \
        document.body.dataset.graphWidth = parseFloat(getComputedStyle(g).width); \
        document.body.dataset.boxWidth = g.parentElement.clientWidth;</script>\n</body>";
    let copy = format!("{}{}", &page[..csp], &page[csp_end..]).replace("</body>", probe);
    let path = out.join("probe.html");
    std::fs::write(&path, copy).unwrap();
    let (dom, log) = run_with_timeout(
        headless(chromium, &dir.join("profile-probe"))
            .arg("--dump-dom")
            .arg(format!("file://{}", path.display())),
        dir,
        limit,
    );
    let data = |name: &str| -> f64 {
        let key = format!("{name}=\"");
        let start = dom
            .find(&key)
            .unwrap_or_else(|| panic!("no {name}:\n{log}"))
            + key.len();
        dom[start..start + dom[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let svg = read(&out.join("attack-graph.svg"));
    let key = "viewBox=\"0 0 ";
    let at = svg.find(key).unwrap() + key.len();
    let view_width: f64 = svg[at..].split(' ').next().unwrap().parse().unwrap();
    let (drawn, box_width) = (data("data-graph-width"), data("data-box-width"));
    assert_eq!(drawn, view_width, "the attack graph is drawn scaled");
    assert!(
        box_width < view_width,
        "the test needs a graph wider than the page ({view_width} vs {box_width})"
    );
}

/// The report's attack graph, opened on its own in Chromium at its own size, is drawn: no
/// console errors and a good share of its pixels inked.
fn attack_graph_renders(chromium: &Path, out: &Path, dir: &Path, limit: Duration) {
    let svg = read(&out.join("attack-graph.svg"));
    let size = |name: &str| -> u32 {
        let key = format!("{name}=\"");
        let start = svg.find(&key).expect("size attribute") + key.len();
        svg[start..start + svg[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let (w, h) = (size("width"), size("height"));
    let shot = dir.join("graph.png");
    let (_, log) = run_with_timeout(
        headless(chromium, &dir.join("profile-graph"))
            .arg(format!("--window-size={w},{h}"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", out.join("attack-graph.svg").display())),
        dir,
        limit,
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "errors:\n{}", console.join("\n"));
    let bytes = std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot:\n{log}"));
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (w, h));
    let px = info.line_size / info.width as usize;
    let inked = buf[..info.buffer_size()]
        .chunks(px)
        .filter(|p| p[..3].iter().any(|&c| c < 200))
        .count();
    let share = inked as f64 / (w * h) as f64;
    assert!(
        share > 0.02,
        "the attack graph is nearly blank ({share:.3} inked)"
    );
}
