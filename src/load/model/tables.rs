//! The model file's tables of figures: `[categories]` (weights, by dotted name),
//! `[probabilities]` and `[times]` (defaults per link kind, and per custom edge label).

use crate::error::did_you_mean;
use crate::load::source::Source;
use crate::model::{Distribution, Mfa, Probabilities, Times};

use super::scalars::{key_in, name_fits, number};
use super::MAX_WEIGHT;

/// Flattens a `[categories]` table: quoted dotted keys and nested tables mean the same.
pub(crate) fn flatten_weights(
    src: &mut Source,
    prefix: &str,
    table: &toml::Table,
    out: &mut Vec<(String, f64)>,
) {
    for (key, value) in table {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let at = key_in(src.text(), key);
        if !name_fits(src, at, "a [categories] category", &name) {
            continue;
        }
        match value {
            toml::Value::Table(t) => flatten_weights(src, &name, t, out),
            toml::Value::Integer(i) => push_weight(src, &name, *i as f64, out),
            toml::Value::Float(f) => push_weight(src, &name, *f, out),
            other => src.error(
                None,
                format!(
                    "[categories] `{name}` must be a number (its weight), not a {}",
                    other.type_str()
                ),
            ),
        }
    }
}

fn push_weight(src: &mut Source, name: &str, w: f64, out: &mut Vec<(String, f64)>) {
    if !(0.0..=MAX_WEIGHT).contains(&w) {
        src.error(
            None,
            format!("[categories] weight of `{name}` must be from 0 to {MAX_WEIGHT}, not {w}"),
        );
    } else {
        out.push((name.to_string(), w));
    }
}
pub(super) fn read_probabilities(src: &mut Source, table: &toml::Table) -> Probabilities {
    let mut p = Probabilities::default();
    for (key, value) in table {
        if key == "credential" {
            match value {
                toml::Value::Table(t) => {
                    for (mfa, v) in t {
                        let slot = match Mfa::parse(mfa) {
                            Some(Mfa::None) => &mut p.credential_none,
                            Some(Mfa::Otp) => &mut p.credential_otp,
                            Some(Mfa::PhishingResistant) => &mut p.credential_phishing_resistant,
                            None => {
                                src.error(
                                    None,
                                    format!(
                                        "[probabilities] credential: unknown mfa `{mfa}`; expected one of none, otp, phishing_resistant{}",
                                        did_you_mean(mfa, Mfa::NAMES)
                                    ),
                                );
                                continue;
                            }
                        };
                        match number(v).filter(|x| (0.0..=1.0).contains(x)) {
                            Some(x) => *slot = x,
                            None => src.error(
                                None,
                                format!("[probabilities] credential.{mfa} must be a probability between 0 and 1, not {v}"),
                            ),
                        }
                    }
                }
                v => match number(v).filter(|x| (0.0..=1.0).contains(x)) {
                    Some(x) => {
                        p.credential_none = x;
                        p.credential_otp = x;
                        p.credential_phishing_resistant = x;
                    }
                    None => src.error(
                        None,
                        format!("[probabilities] credential must be a probability or a table by mfa, not {v}"),
                    ),
                },
            }
            continue;
        }
        let Some(x) = number(value).filter(|x| (0.0..=1.0).contains(x)) else {
            src.error(
                None,
                format!(
                    "[probabilities] `{key}` must be a probability between 0 and 1, not {value}"
                ),
            );
            continue;
        };
        match key.as_str() {
            "owns" => p.owns = x,
            "member" => p.member = x,
            "grant" => p.grant = x,
            "access" => p.access = x,
            "edge" => p.edge = x,
            custom => {
                let at = key_in(src.text(), custom);
                if name_fits(src, at, "a [probabilities] edge label", custom) {
                    p.custom.insert(custom.to_string(), x);
                }
            }
        }
    }
    p
}

pub(super) fn read_times(src: &mut Source, table: &toml::Table) -> Times {
    let mut t = Times::default();
    for (key, value) in table {
        if key == "distribution" {
            match value.as_str().and_then(Distribution::parse) {
                Some(d) => t.distribution = d,
                None => src.error(
                    None,
                    format!(
                        "[times] distribution must be \"exponential\" or \"fixed\", not {value}"
                    ),
                ),
            }
            continue;
        }
        let Some(x) = number(value).filter(|x| *x >= 0.0 && x.is_finite()) else {
            src.error(
                None,
                format!("[times] `{key}` must be a number of days, 0 or more, not {value}"),
            );
            continue;
        };
        match key.as_str() {
            "owns" => t.owns = x,
            "member" => t.member = x,
            "grant" => t.grant = x,
            "access" => t.access = x,
            "credential" => t.credential = x,
            "edge" => t.edge = x,
            custom => {
                let at = key_in(src.text(), custom);
                if name_fits(src, at, "a [times] edge label", custom) {
                    t.custom.insert(custom.to_string(), x);
                }
            }
        }
    }
    t
}
