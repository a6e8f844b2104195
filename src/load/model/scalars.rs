//! Checks of single values of an entry: whole numbers of days or records, probabilities,
//! durations and access levels, each reported at its position when out of range.

use std::ops::Range;

use toml::Spanned;

use crate::error::did_you_mean;
use crate::load::input::MAX_NAME_BYTES;
use crate::load::raw::Text;
use crate::load::source::Report;
use crate::model::Access;

pub(super) fn span<T>(s: &Spanned<T>) -> Option<Range<usize>> {
    Some(s.span())
}

/// Whether `name`, a name the file gives as a table key or list item (a population, a
/// notification regime, a category, an attack vector, a custom edge label), is at most
/// [`MAX_NAME_BYTES`] long, as ids are; reports it at `at` (`what` says which) when longer.
pub(crate) fn name_fits(
    src: &mut impl Report,
    at: Option<Range<usize>>,
    what: &str,
    name: &str,
) -> bool {
    if name.len() <= MAX_NAME_BYTES {
        return true;
    }
    src.error(
        at,
        format!(
            "{what} is {} bytes long (it starts {:?}); names are at most {MAX_NAME_BYTES} bytes",
            name.len(),
            name.chars().take(40).collect::<String>()
        ),
    );
    false
}

/// Where `key`, a key of a table serde read without positions, is first written in `text`.
pub(super) fn key_in(text: &str, key: &str) -> Option<Range<usize>> {
    text.find(key).map(|at| at..at + key.len())
}

/// Checks a number that must be a whole number of days or records, ≥ 0.
pub(super) fn non_negative(src: &mut impl Report, v: &Spanned<i64>, what: &str) -> Option<u64> {
    if *v.get_ref() < 0 {
        src.error(
            span(v),
            format!("{what} must be 0 or more, not {}", v.get_ref()),
        );
        None
    } else {
        Some(*v.get_ref() as u64)
    }
}

pub(super) fn days(src: &mut impl Report, v: &Spanned<i64>, what: &str) -> Option<u32> {
    let d = non_negative(src, v, what)?;
    if d > u32::MAX as u64 {
        src.error(span(v), format!("{what} is too large: {d} days"));
        return None;
    }
    Some(d as u32)
}

pub(super) fn probability(src: &mut impl Report, v: &Spanned<f64>, what: &str) -> Option<f64> {
    let p = *v.get_ref();
    if !(0.0..=1.0).contains(&p) {
        src.error(
            span(v),
            format!("{what} must be a probability between 0 and 1, not {p}"),
        );
        None
    } else {
        Some(p)
    }
}

pub(super) fn duration(src: &mut impl Report, v: &Spanned<f64>, what: &str) -> Option<f64> {
    let t = *v.get_ref();
    if !(t >= 0.0 && t.is_finite()) {
        src.error(span(v), format!("{what} must be 0 days or more, not {t}"));
        None
    } else {
        Some(t)
    }
}
pub(super) fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}
pub(super) fn parse_access(src: &mut impl Report, a: &Spanned<Text>) -> Option<Access> {
    let s = a.get_ref();
    let parsed = Access::parse(s);
    if parsed.is_none() {
        src.error(
            span(a),
            format!(
                "unknown access `{s}`; expected read, write or admin{}",
                did_you_mean(s, Access::NAMES)
            ),
        );
    }
    parsed
}
