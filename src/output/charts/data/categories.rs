//! Records exposed by category: the worst case's records per category, baseline beside each design.

use std::collections::BTreeMap;

use super::{
    spans_orders_of_magnitude, subtitle, variants, BarSeries, Bars, Chart, Plot, Unit,
    MAX_CATEGORIES,
};
use crate::results::RunReport;

/// Worst-case deduplicated records per category, baseline beside each design; rows sorted by
/// the baseline's records, largest first. Categories are rolled up to two levels when there
/// are more than [`MAX_CATEGORIES`].
pub fn records_by_category(r: &RunReport) -> Option<Chart> {
    let vars = variants(r);
    let all: std::collections::BTreeSet<&str> = vars
        .iter()
        .flat_map(|(_, d, _)| d.records_by_category.keys().map(String::as_str))
        .collect();
    if all.is_empty() {
        return None;
    }
    let rolled = all.len() > MAX_CATEGORIES;
    let key = |c: &str| -> String {
        if rolled {
            roll_up(c, 2).to_string()
        } else {
            c.to_string()
        }
    };
    let sums: Vec<BTreeMap<String, f64>> = vars
        .iter()
        .map(|(_, d, _)| {
            let mut m = BTreeMap::new();
            for (c, &n) in &d.records_by_category {
                *m.entry(key(c)).or_insert(0.0) += n as f64;
            }
            m
        })
        .collect();
    let mut rows: Vec<String> = all
        .iter()
        .map(|c| key(c))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let base = |c: &String| sums[0].get(c).copied().unwrap_or(0.0);
    rows.sort_by(|a, b| base(b).total_cmp(&base(a)).then(a.cmp(b)));
    let series = vars
        .iter()
        .zip(&sums)
        .map(|((name, _, _), m)| BarSeries {
            name: name.to_string(),
            values: rows
                .iter()
                .map(|c| m.get(c).copied().unwrap_or(0.0))
                .collect(),
            bounds: None,
        })
        .collect::<Vec<BarSeries>>();
    let log = spans_orders_of_magnitude(series.iter().flat_map(|s| s.values.iter().copied()));
    Some(Chart {
        name: "records-by-category",
        note: "Records of each category that leak when every attack step succeeds, each record counted once however many stores hold a copy; a shorter bar under a design is what that design takes off the table.".into(),
        title: "Records exposed by category".into(),
        subtitle: subtitle(
            r,
            if rolled {
                "worst case, each record counted once, categories rolled up to two levels"
            } else {
                "worst case, each record counted once"
            },
        ),
        plot: Plot::Bars(Bars {
            rows,
            series,
            value_label: if log {
                "records exposed (worst case, log scale)".into()
            } else {
                "records exposed (worst case)".into()
            },
            unit: Unit::Count,
            value_labels: true,
            log,
        }),
    })
}

/// `user.location.precise` rolled up to `depth` levels: `user.location`.
pub fn roll_up(category: &str, depth: usize) -> &str {
    match category.match_indices('.').nth(depth.saturating_sub(1)) {
        Some((i, _)) => &category[..i],
        None => category,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::BASELINE;
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn categories_are_the_worst_case_records_largest_first() {
        let r = fixture::report(false, true);
        let c = records_by_category(&r).unwrap();
        let b = bars(&c);
        let base = &r.baseline.deterministic.records_by_category;
        assert_eq!(b.rows.len(), base.len());
        assert_eq!(b.rows[0], "user.location");
        assert_eq!(b.series.len(), 1 + r.designs.len());
        assert_eq!(b.series[0].name, BASELINE);
        for (i, row) in b.rows.iter().enumerate() {
            assert_eq!(b.series[0].values[i], base[row] as f64);
            let design = &r.designs[0].deterministic.records_by_category;
            assert_eq!(
                b.series[1].values[i],
                design.get(row).copied().unwrap_or(0) as f64
            );
        }
        // 30 days of badge logs instead of 365.
        assert_eq!(b.series[0].values[0], 36_500.0);
        assert_eq!(b.series[1].values[0], 3_000.0);
    }

    #[test]
    fn many_categories_roll_up_to_two_levels() {
        assert_eq!(roll_up("user.location.precise", 2), "user.location");
        assert_eq!(roll_up("user.location", 2), "user.location");
        assert_eq!(roll_up("user", 2), "user");
        let mut r = fixture::report(true, false);
        r.designs.clear();
        let d = &mut r.baseline.deterministic;
        d.records_by_category.clear();
        for i in 0..=MAX_CATEGORIES {
            d.records_by_category.insert(format!("user.thing.k{i}"), 10);
        }
        d.records_by_category.insert("user.other".into(), 5);
        let c = records_by_category(&r).unwrap();
        let b = bars(&c);
        assert_eq!(b.rows, ["user.thing", "user.other"]);
        assert_eq!(
            b.series[0].values,
            [10.0 * (MAX_CATEGORIES + 1) as f64, 5.0]
        );
    }

    #[test]
    fn values_two_orders_of_magnitude_apart_get_a_log_axis() {
        let mut r = fixture::report(true, false);
        r.designs.clear();
        let d = &mut r.baseline.deterministic;
        d.records_by_category.clear();
        d.records_by_category
            .insert("user.behavior.app_usage".into(), 7_650_000);
        d.records_by_category
            .insert("user.health.sick_leave".into(), 4_200);
        assert!(bars(&records_by_category(&r).unwrap()).log);
        // 99 times apart is still readable on a linear axis; zeros do not count.
        let d = &mut r.baseline.deterministic;
        d.records_by_category
            .insert("user.health.sick_leave".into(), 77_273);
        d.records_by_category.insert("user.none".into(), 0);
        assert!(!bars(&records_by_category(&r).unwrap()).log);
    }
}
