//! CSV side files: the input is a model directory in one file. Everything before the first line
//! that starts with `=== ` is `model.toml`; each `=== NAME` line starts a side file called NAME
//! (a plain file name; anything else becomes `fN.csv`). The model's `[csv]` table names the
//! side files. The folder is read with `load_model`; a model that loads goes through the engine.
#![no_main]

use blastradius::load::load_model;
use blastradius_fuzz::{exercise, plain_name, render, scratch};
use libfuzzer_sys::fuzz_target;

const MARK: &[u8] = b"=== ";

/// Splits the input into `model.toml` and named side files.
fn split(data: &[u8]) -> (&[u8], Vec<(String, &[u8])>) {
    let mut starts = Vec::new();
    let mut at = 0;
    for line in data.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(MARK) {
            starts.push(at);
        }
        at += line.len();
    }
    let model_end = starts.first().copied().unwrap_or(data.len());
    let mut files = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(data.len());
        let section = &data[start..end];
        let head_end = section
            .iter()
            .position(|&b| b == b'\n')
            .map_or(section.len(), |p| p + 1);
        let name = std::str::from_utf8(&section[MARK.len()..head_end])
            .map(str::trim)
            .unwrap_or("");
        let name = if plain_name(name) && name != "model.toml" {
            name.to_string()
        } else {
            format!("f{i}.csv")
        };
        files.push((name, &section[head_end..]));
    }
    (&data[..model_end], files)
}

/// Whether every side file the model names is a plain name in the scratch folder.
fn names_stay_inside(model: &[u8]) -> bool {
    let Some(table) = std::str::from_utf8(model)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
    else {
        return true; // load_model stops at the syntax error before reading any side file
    };
    match table.get("csv") {
        Some(toml::Value::Table(files)) => files
            .values()
            .all(|v| !matches!(v, toml::Value::String(s) if !plain_name(s))),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let (model, files) = split(data);
    if !names_stay_inside(model) {
        return;
    }
    let dir = scratch("csv_side_files");
    std::fs::write(dir.join("model.toml"), model).unwrap();
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    match load_model(dir, "model") {
        Ok(loaded) => exercise(loaded.model),
        Err(e) => render(&e),
    }
    for (name, _) in &files {
        let _ = std::fs::remove_file(dir.join(name));
    }
});
