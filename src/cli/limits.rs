//! Refusing work the machine cannot hold: estimate first, then say so, instead of being killed
//! by the kernel half way.

use std::path::Path;

use blastradius::Error;

use super::output::Failure;

/// Bytes of memory available now (Linux `MemAvailable`); `None` where unknown.
pub fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
}

/// Fails when `needed` bytes exceed what is available.
pub fn check(needed: u64, what: &str, advice: &str) -> Result<(), Failure> {
    match available() {
        Some(free) if needed > free => Err(Failure::Error(Error::Input(format!(
            "{what} would need about {} of memory, but only {} is available; {advice}",
            gib(needed),
            gib(free)
        )))),
        _ => Ok(()),
    }
}

/// A rough upper estimate of the memory a model takes once loaded: about 30 bytes for each byte
/// of its files (measured on generated models of 1k to 100k people).
pub fn model_bytes(model: &Path) -> u64 {
    let dir = if model.is_dir() {
        model.to_path_buf()
    } else {
        model.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let files: u64 = if model.is_dir() {
        std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| {
                        let p = e.path();
                        matches!(p.extension().and_then(|x| x.to_str()), Some("toml" | "csv"))
                    })
                    .filter_map(|e| e.metadata().ok().map(|m| m.len()))
                    .sum()
            })
            .unwrap_or(0)
    } else {
        std::fs::metadata(model).map(|m| m.len()).unwrap_or(0)
    };
    files.saturating_mul(30)
}
