//! `[entry]` (DESIGN.md "Entry likelihood"): for each attack vector, the probability that one
//! attempt of it takes an account, by the account's MFA. A vector given as a bare number applies
//! whatever the MFA. A table may also give `service`: the probability for service accounts,
//! whatever their MFA (no one reads a service account's mail, so phishing cannot take one);
//! without it service accounts go by their MFA like any other.

use std::collections::BTreeMap;

use super::{AccountKind, Model, NodeId};

/// One vector: a probability per MFA level (indexed by `Mfa as usize`, in the order of
/// [`super::Mfa::NAMES`]) and, optionally, one for every service account.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vector {
    pub by_mfa: [f64; 3],
    pub service: Option<f64>,
}

impl Vector {
    /// The same probability for every account.
    pub fn uniform(p: f64) -> Vector {
        Vector {
            by_mfa: [p; 3],
            service: None,
        }
    }

    /// The probability one attempt of this vector takes account `a` of `model`.
    pub fn p(&self, model: &Model, a: NodeId) -> f64 {
        match (self.service, model.account_kind[a as usize]) {
            (Some(p), AccountKind::Service) => p,
            _ => self.by_mfa[model.mfa[a as usize] as usize],
        }
    }
}

/// The model's entry vectors, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryVectors {
    pub by_name: BTreeMap<String, Vector>,
}

impl EntryVectors {
    /// The vector called `name`.
    pub fn get(&self, name: &str) -> Option<&Vector> {
        self.by_name.get(name)
    }

    /// Whether the model gives no vector.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The vectors' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}
