//! Sensitivity weights of record categories, with hierarchical prefixes.
//!
//! A weight given for `user.location` applies to `user.location.precise` unless that name has
//! its own; a category no prefix covers weighs 1.

use super::category_matches;

/// Category weights as the model declares them, looked up by longest matching prefix.
#[derive(Debug, Clone, Default)]
pub struct Categories {
    weights: Vec<(String, f64)>,
}

impl Categories {
    pub fn new(mut weights: Vec<(String, f64)>) -> Categories {
        weights.sort_by(|a, b| a.0.cmp(&b.0));
        Categories { weights }
    }

    /// The declared (name, weight) pairs, sorted by name.
    pub fn declared(&self) -> &[(String, f64)] {
        &self.weights
    }

    /// The weight of the longest declared prefix of `category`, if any.
    pub fn declared_weight(&self, category: &str) -> Option<f64> {
        self.weights
            .iter()
            .filter(|(name, _)| category_matches(category, name))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, w)| *w)
    }

    /// The weight of `category`: longest declared prefix, else 1.
    pub fn weight(&self, category: &str) -> f64 {
        self.declared_weight(category).unwrap_or(1.0)
    }
}

/// The first `level` dot-separated parts of a category (`user.location` for level 2).
pub fn roll_up(category: &str, level: usize) -> &str {
    match category.match_indices('.').nth(level.saturating_sub(1)) {
        Some((i, _)) if level > 0 => &category[..i],
        _ => category,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        let c = Categories::new(vec![
            ("user.location".into(), 8.0),
            ("user.location.precise".into(), 9.0),
            ("user".into(), 2.0),
        ]);
        assert_eq!(c.weight("user.location.precise.gps"), 9.0);
        assert_eq!(c.weight("user.location.coarse"), 8.0);
        assert_eq!(c.weight("user.health"), 2.0);
        assert_eq!(c.weight("system.authentication"), 1.0);
        assert_eq!(c.declared_weight("system"), None);
    }

    #[test]
    fn roll_up_cuts_at_dots() {
        assert_eq!(roll_up("user.location.precise", 1), "user");
        assert_eq!(roll_up("user.location.precise", 2), "user.location");
        assert_eq!(roll_up("user.location.precise", 5), "user.location.precise");
    }
}
