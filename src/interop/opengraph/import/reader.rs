//! Typed access to a node's or edge's properties (strings, numbers, whole days, probabilities,
//! MFA values), each problem reported against that element.

use crate::error::{did_you_mean, Diagnostic};
use crate::interop::opengraph::document::{problem, Prop, Props, Scalar};
use crate::model::Mfa;

/// Typed access to properties, with problems reported against the node or edge.
pub(super) struct Reader<'a> {
    pub(super) file: &'a str,
    pub(super) at: String,
    pub(super) problems: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    pub(super) fn fail(&mut self, message: String) {
        self.problems
            .push(problem(self.file, format!("{}: {message}", self.at)));
    }

    pub(super) fn strs(&mut self, props: &Props, key: &str) -> Option<Vec<String>> {
        match props.get(key)? {
            Prop::One(Scalar::Str(s)) => Some(vec![s.clone()]),
            Prop::Many(items) if items.iter().all(|i| matches!(i, Scalar::Str(_))) => Some(
                items
                    .iter()
                    .map(|i| match i {
                        Scalar::Str(s) => s.clone(),
                        _ => unreachable!("checked above"),
                    })
                    .collect(),
            ),
            Prop::Many(items) if items.is_empty() => Some(Vec::new()),
            _ => {
                self.fail(format!(
                    "property `{key}` must be a string or an array of strings"
                ));
                None
            }
        }
    }

    pub(super) fn nums(&mut self, props: &Props, key: &str) -> Option<Vec<f64>> {
        match props.get(key)? {
            Prop::One(Scalar::Num(x)) => Some(vec![*x]),
            Prop::Many(items) if items.iter().all(|i| matches!(i, Scalar::Num(_))) => Some(
                items
                    .iter()
                    .map(|i| match i {
                        Scalar::Num(x) => *x,
                        _ => unreachable!("checked above"),
                    })
                    .collect(),
            ),
            _ => {
                self.fail(format!(
                    "property `{key}` must be a number or an array of numbers"
                ));
                None
            }
        }
    }

    pub(super) fn str(&mut self, props: &Props, key: &str) -> Option<String> {
        match props.get(key)? {
            Prop::One(Scalar::Str(s)) => Some(s.clone()),
            _ => {
                self.fail(format!("property `{key}` must be a string"));
                None
            }
        }
    }

    pub(super) fn num(&mut self, props: &Props, key: &str) -> Option<f64> {
        match props.get(key)? {
            Prop::One(Scalar::Num(x)) => Some(*x),
            _ => {
                self.fail(format!("property `{key}` must be a number"));
                None
            }
        }
    }

    pub(super) fn whole(&mut self, x: f64, what: &str) -> Option<u64> {
        if x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 {
            Some(x as u64)
        } else {
            self.fail(format!("{what} must be a whole number, 0 or more, not {x}"));
            None
        }
    }

    pub(super) fn days(&mut self, props: &Props, key: &str) -> Option<u32> {
        let x = self.num(props, key)?;
        let d = self.whole(x, &format!("property `{key}`"))?;
        Some(d.min(u32::MAX as u64) as u32)
    }

    pub(super) fn probability(&mut self, x: f64, what: &str) -> Option<f64> {
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.fail(format!(
                "{what} must be a probability between 0 and 1, not {x}"
            ));
            None
        }
    }

    pub(super) fn mfa(&mut self, props: &Props, key: &str) -> Option<Mfa> {
        let s = self.str(props, key)?;
        let m = Mfa::parse(&s);
        if m.is_none() {
            self.fail(format!(
                "property `{key}`: unknown mfa `{s}`; expected none, otp or phishing_resistant{}",
                did_you_mean(&s, Mfa::NAMES)
            ));
        }
        m
    }
}
