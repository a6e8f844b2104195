//! The fideslang data categories a Fides manifest may name: every name of every fideslang
//! release, kept as data in `categories.txt` (names only; the taxonomy is Ethyca's, CC BY 4.0,
//! credited in the file).

use std::collections::BTreeSet;
use std::sync::OnceLock;

const LIST: &str = include_str!("categories.txt");

fn all() -> &'static BTreeSet<&'static str> {
    static NAMES: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `name` is a fideslang data category.
pub fn is_known(name: &str) -> bool {
    all().contains(name)
}

/// Every fideslang data category, in order.
pub fn names() -> impl Iterator<Item = &'static str> {
    all().iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_both_generations_of_names() {
        assert!(is_known("user.contact.address.city"));
        assert!(is_known("user.contact.city"));
        assert!(is_known("user.credentials.password"));
        assert!(is_known("system.operations"));
        assert!(!is_known("user.helth"));
        assert!(!is_known("# fideslang data categories"));
        assert_eq!(names().count(), 193);
    }
}
