//! The model's `[entry]` table (DESIGN.md "Entry likelihood"): each vector a probability, or a
//! table with one for every MFA level; every problem located at the vector (or the MFA key
//! inside it).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use crate::error::did_you_mean;
use crate::load::source::Source;
use crate::model::entry::{EntryVectors, Vector};
use crate::model::Mfa;

use super::scalars::{key_in, name_fits, number};

/// Where `key` is written inside the value at `span`, else the value itself.
fn key_span(src: &Source, span: &Range<usize>, key: &str) -> Range<usize> {
    src.text()
        .get(span.clone())
        .and_then(|t| t.find(key))
        .map_or(span.clone(), |at| {
            span.start + at..span.start + at + key.len()
        })
}

/// Reads `[entry]`; problems go to `src`.
pub(super) fn read_entry(
    src: &mut Source,
    raw: Option<&BTreeMap<String, Spanned<toml::Value>>>,
) -> EntryVectors {
    let mut out = EntryVectors::default();
    for (name, value) in raw.into_iter().flatten() {
        let span = value.span();
        let at = key_in(src.text(), name);
        if !name_fits(src, at, "an [entry] attack vector", name) {
            continue;
        }
        let probability = |v: &toml::Value| number(v).filter(|x| (0.0..=1.0).contains(x));
        match value.get_ref() {
            toml::Value::Table(t) => {
                let mut p = [f64::NAN; 3];
                let mut service = None;
                let mut ok = true;
                for (level, v) in t {
                    let at = Some(key_span(src, &span, level));
                    if level == "service" {
                        match probability(v) {
                            Some(x) => service = Some(x),
                            None => {
                                src.error(
                                    at,
                                    format!("[entry] {name}.service must be a probability between 0 and 1, not {v}"),
                                );
                                ok = false;
                            }
                        }
                        continue;
                    }
                    let Some(mfa) = Mfa::parse(level) else {
                        src.error(
                            at,
                            format!(
                                "[entry] {name}: unknown mfa `{level}`; expected none, otp and phishing_resistant (and optionally service){}",
                                did_you_mean(level, Mfa::NAMES.iter().copied().chain(["service"]))
                            ),
                        );
                        ok = false;
                        continue;
                    };
                    match probability(v) {
                        Some(x) => p[mfa as usize] = x,
                        None => {
                            src.error(
                                at,
                                format!("[entry] {name}.{level} must be a probability between 0 and 1, not {v}"),
                            );
                            ok = false;
                        }
                    }
                }
                let missing: Vec<&str> = Mfa::NAMES
                    .iter()
                    .zip(p)
                    .filter(|(level, x)| x.is_nan() && !t.contains_key(**level))
                    .map(|(level, _)| *level)
                    .collect();
                if !missing.is_empty() {
                    src.error(
                        Some(span.clone()),
                        format!(
                            "[entry] {name} gives no probability for mfa {}; a table by mfa needs none, otp and phishing_resistant (or give one number for every account)",
                            missing.join(", ")
                        ),
                    );
                    ok = false;
                }
                if ok {
                    out.by_name
                        .insert(name.clone(), Vector { by_mfa: p, service });
                }
            }
            v => match probability(v) {
                Some(x) => {
                    out.by_name.insert(name.clone(), Vector::uniform(x));
                }
                None => src.error(
                    Some(span),
                    format!("[entry] {name} must be a probability between 0 and 1 or a table by mfa (none, otp, phishing_resistant), not {v}"),
                ),
            },
        }
    }
    out
}
