//! The tables that give links their default probabilities and times (DESIGN.md
//! `[probabilities]` and `[times]`), and the distribution of times.

use std::collections::BTreeMap;

/// Default success probabilities per link kind (DESIGN.md `[probabilities]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Probabilities {
    pub owns: f64,
    pub member: f64,
    pub grant: f64,
    pub access: f64,
    pub edge: f64,
    pub credential_none: f64,
    pub credential_otp: f64,
    pub credential_phishing_resistant: f64,
    /// Defaults for custom edge labels.
    pub custom: BTreeMap<String, f64>,
}

impl Probabilities {
    /// The per-kind defaults by their `[probabilities]` key, in the file's order (custom edge
    /// labels apart).
    pub fn named(&self) -> [(&'static str, f64); 8] {
        [
            ("owns", self.owns),
            ("member", self.member),
            ("grant", self.grant),
            ("access", self.access),
            ("edge", self.edge),
            ("credential_none", self.credential_none),
            ("credential_otp", self.credential_otp),
            (
                "credential_phishing_resistant",
                self.credential_phishing_resistant,
            ),
        ]
    }
}

impl Default for Probabilities {
    fn default() -> Self {
        Probabilities {
            owns: 1.0,
            member: 1.0,
            grant: 1.0,
            access: 1.0,
            edge: 1.0,
            credential_none: 0.95,
            credential_otp: 0.4,
            credential_phishing_resistant: 0.02,
            custom: BTreeMap::new(),
        }
    }
}

/// Distribution of the time to use an edge, and of detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distribution {
    #[default]
    Exponential,
    Fixed,
}

impl Distribution {
    pub fn parse(s: &str) -> Option<Distribution> {
        match s {
            "exponential" => Some(Distribution::Exponential),
            "fixed" => Some(Distribution::Fixed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Exponential => "exponential",
            Distribution::Fixed => "fixed",
        }
    }
}

/// Mean days to use an edge, per kind (DESIGN.md `[times]`), for the time model.
#[derive(Debug, Clone, PartialEq)]
pub struct Times {
    pub owns: f64,
    pub member: f64,
    pub grant: f64,
    pub access: f64,
    pub credential: f64,
    pub edge: f64,
    pub custom: BTreeMap<String, f64>,
    pub distribution: Distribution,
}

impl Times {
    /// The per-kind mean times by their `[times]` key (custom edge labels and the distribution
    /// apart).
    pub fn named(&self) -> [(&'static str, f64); 6] {
        [
            ("owns", self.owns),
            ("member", self.member),
            ("grant", self.grant),
            ("access", self.access),
            ("credential", self.credential),
            ("edge", self.edge),
        ]
    }
}

impl Default for Times {
    fn default() -> Self {
        Times {
            owns: 0.0,
            member: 0.0,
            grant: 0.5,
            access: 0.5,
            credential: 2.0,
            edge: 1.0,
            custom: BTreeMap::new(),
            distribution: Distribution::Exponential,
        }
    }
}
