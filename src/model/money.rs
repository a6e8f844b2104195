//! Loss in a currency (DESIGN.md "Money"): what one outcome of a breach costs.
//!
//! The loss of one outcome (the worst case, or one trial) is `per_incident` when at least one
//! record leaks, plus each category's deduplicated records times its per-record cost (longest
//! declared prefix, as category weights are looked up; unmatched categories cost 0), plus each
//! regime's expected notifiable people, summed over populations, times its per-person cost.

use std::collections::BTreeMap;

use super::category_matches;

/// The model's `[money]` table, validated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Money {
    /// ISO 4217 code, three capital letters.
    pub currency: String,
    /// Fixed cost of any outcome in which at least one record leaks.
    pub per_incident: f64,
    /// Cost per record by category prefix, sorted by name.
    pub per_record: Vec<(String, f64)>,
    /// Cost per expected notifiable person, by notification regime.
    pub per_person: BTreeMap<String, f64>,
}

impl Money {
    /// The per-record cost of `category`: its longest declared prefix, else 0.
    pub fn per_record(&self, category: &str) -> f64 {
        self.per_record
            .iter()
            .filter(|(name, _)| category_matches(category, name))
            .max_by_key(|(name, _)| name.len())
            .map_or(0.0, |(_, c)| *c)
    }

    /// The per-person cost of a notification regime (0 when none is given).
    pub fn per_person(&self, regime: &str) -> f64 {
        self.per_person.get(regime).copied().unwrap_or(0.0)
    }

    /// The loss of one outcome, from its deduplicated records by category, its total, and its
    /// expected notifiable people by regime and population.
    pub fn loss<'a>(
        &self,
        records_by_category: impl IntoIterator<Item = (&'a str, u64)>,
        records_total: u64,
        notifiable: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> f64 {
        let incident = if records_total > 0 {
            self.per_incident
        } else {
            0.0
        };
        let records: f64 = records_by_category
            .into_iter()
            .map(|(c, n)| n as f64 * self.per_record(c))
            .sum();
        let people: f64 = notifiable
            .into_iter()
            .map(|(regime, n)| n * self.per_person(regime))
            .sum();
        incident + records + people
    }
}

/// Whether `code` looks like an ISO 4217 code: three capital ASCII letters.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money() -> Money {
        Money {
            currency: "USD".into(),
            per_incident: 1000.0,
            per_record: vec![("user".into(), 2.0), ("user.health".into(), 180.0)],
            per_person: BTreeMap::from([("health_data".to_string(), 120.0)]),
        }
    }

    #[test]
    fn longest_prefix_wins_and_unmatched_costs_nothing() {
        let m = money();
        assert_eq!(m.per_record("user.health.diagnosis"), 180.0);
        assert_eq!(m.per_record("user.location"), 2.0);
        assert_eq!(m.per_record("users"), 0.0);
        assert_eq!(m.per_record("system"), 0.0);
    }

    #[test]
    fn loss_adds_incident_records_and_people() {
        let m = money();
        let l = m.loss(
            [("user.health", 10), ("user.location", 5), ("system", 7)],
            22,
            [("health_data", 3.5), ("other", 100.0)],
        );
        assert_eq!(l, 1000.0 + 1800.0 + 10.0 + 420.0);
        assert_eq!(m.loss([], 0, []), 0.0);
    }

    #[test]
    fn currency_codes() {
        assert!(is_currency_code("USD"));
        assert!(!is_currency_code("usd"));
        assert!(!is_currency_code("EURO"));
        assert!(!is_currency_code("€"));
    }
}
