//! `sweep`: every node of a kind as the sole compromised node, ranked.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::sweep::SweepRow;
use crate::engine::tally::ExposureIndex;
use crate::model::Model;

/// One ranked node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepEntry {
    pub rank: usize,
    pub id: String,
    pub kind: String,
    pub exposure: f64,
    pub records: u64,
    pub leaked_stores: u32,
    pub reach: u64,
    /// Expected people affected in the largest declared population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<f64>,
    /// `--by loss`: the worst-case loss in the model's `[money]` currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
}

/// What the ranking is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    Exposure,
    /// Records reached (of the focus, when there is one).
    Records,
    People,
    /// Worst-case loss in money (models with `[money]`).
    Loss,
}

/// The ranking.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepReport {
    pub model: String,
    pub kind: String,
    pub by: RankBy,
    /// The population the people column counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    /// `sweep --category`/`--regime`: what exposure, records and people count
    /// (`category user.health`); the stores and reach columns are the whole blast radius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
    /// Nodes swept.
    pub swept: usize,
    pub entries: Vec<SweepEntry>,
}

impl SweepReport {
    /// Ranks rows by exposure (or people), then id; keeps the first `top` (all with `None`).
    pub fn of(
        model: &Model,
        index: &ExposureIndex,
        kind: &str,
        rows: &[SweepRow],
        by: RankBy,
        top: Option<usize>,
    ) -> SweepReport {
        SweepReport::with_losses(model, index, kind, rows, by, top, None)
    }

    /// [`SweepReport::of`] with each row's worst-case loss (in row order), which `RankBy::Loss`
    /// ranks by and the entries show.
    pub fn with_losses(
        model: &Model,
        index: &ExposureIndex,
        kind: &str,
        rows: &[SweepRow],
        by: RankBy,
        top: Option<usize>,
        losses: Option<&[f64]>,
    ) -> SweepReport {
        SweepReport::counting(model, index, kind, rows, by, top, losses, None)
    }

    /// `sweep --category`/`--regime`: [`SweepReport::of`] on the focus's exposure index, its
    /// people column the largest population whose records the focus holds (the model's largest
    /// may hold none of them).
    pub fn focused(
        model: &Model,
        index: &ExposureIndex,
        kind: &str,
        rows: &[SweepRow],
        by: RankBy,
        top: Option<usize>,
        focus: &str,
    ) -> SweepReport {
        let touched = |p: usize| rows.iter().any(|r| r.people[p] > 0.0);
        let population = (0..index.sizes.len())
            .filter(|&p| touched(p))
            .max_by(|&a, &b| index.sizes[a].total_cmp(&index.sizes[b]).then(b.cmp(&a)));
        let mut report = SweepReport::counting(model, index, kind, rows, by, top, None, population);
        report.focus = Some(focus.to_string());
        report
    }

    /// The report, the people column counting `population` (the largest when `None`).
    #[allow(clippy::too_many_arguments)]
    fn counting(
        model: &Model,
        index: &ExposureIndex,
        kind: &str,
        rows: &[SweepRow],
        by: RankBy,
        top: Option<usize>,
        losses: Option<&[f64]>,
        population: Option<usize>,
    ) -> SweepReport {
        let largest = population.or_else(|| {
            index
                .sizes
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i)
        });
        // Ranked by index, ids read in place: a sweep has a row per account (135,000 at 100k
        // people) and a table shows a handful, so only the shown ones become entries. Ids are
        // unique, so the order is total and the top is the same as in a full sort.
        let key = |i: usize| {
            let r = &rows[i];
            match by {
                RankBy::Exposure => r.exposure,
                RankBy::Records => r.records as f64,
                RankBy::People => largest.map_or(0.0, |i| r.people[i]),
                RankBy::Loss => losses.map_or(0.0, |l| l[i]),
            }
        };
        let cmp = |a: &usize, b: &usize| {
            let (x, y) = (&rows[*a], &rows[*b]);
            key(*b)
                .total_cmp(&key(*a))
                .then(y.exposure.total_cmp(&x.exposure))
                .then_with(|| model.id(x.node).cmp(model.id(y.node)))
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        match top {
            Some(t) if t < order.len() => {
                if t > 0 {
                    order.select_nth_unstable_by(t - 1, cmp);
                }
                order.truncate(t);
                order.sort_by(cmp);
            }
            _ => order.par_sort_by(cmp),
        }
        let entries: Vec<SweepEntry> = order
            .iter()
            .enumerate()
            .map(|(i, &ri)| {
                let r = &rows[ri];
                SweepEntry {
                    rank: i + 1,
                    id: model.id(r.node).to_string(),
                    kind: model.kind(r.node).to_string(),
                    exposure: r.exposure,
                    records: r.records,
                    leaked_stores: r.stores,
                    reach: r.reach,
                    people: largest.map(|i| r.people[i]),
                    loss: losses.map(|l| l[ri]),
                }
            })
            .collect();
        let swept = rows.len();
        SweepReport {
            model: model.name.clone(),
            kind: kind.to_string(),
            by,
            population: largest.map(|i| index.populations[i].clone()),
            focus: None,
            swept,
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_entries_are_the_first_of_the_full_ranking() {
        let mut text = String::from(
            "[org]\nprogram_age_days = 30\n[populations]\nstaff = 100\n[[store]]\nid = \"s\"\nretention_days = 30\nrecords = [{ category = \"c\", per_day = 1, subjects = \"staff\" }]\n",
        );
        for i in 0..12 {
            text.push_str(&format!("[[account]]\nid = \"a{i:02}\"\n"));
        }
        let a = crate::Analysis::new(crate::load::parse_model(&text, "t.toml").unwrap().model);
        // Exposures with ties (broken by id) and people in another order.
        let rows: Vec<SweepRow> = (0..12)
            .map(|i| SweepRow {
                node: a.model.node_id(&format!("a{i:02}")).unwrap(),
                exposure: [3.0, 1.0, 3.0, 2.0][i % 4],
                records: i as u64,
                stores: 1,
                reach: 2,
                people: vec![(i * 7 % 12) as f64],
            })
            .collect();
        for by in [RankBy::Exposure, RankBy::People] {
            let all = SweepReport::of(&a.model, a.index(), "account", &rows, by, None);
            assert_eq!(all.swept, 12);
            let ids: Vec<&str> = all.entries.iter().map(|e| e.id.as_str()).collect();
            if by == RankBy::Exposure {
                assert_eq!(&ids[..4], ["a00", "a02", "a04", "a06"]);
            }
            for w in all.entries.windows(2) {
                let key = |e: &SweepEntry| match by {
                    RankBy::Exposure => (e.exposure, 0.0),
                    RankBy::People => (e.people.unwrap(), e.exposure),
                    RankBy::Loss => (e.loss.unwrap(), e.exposure),
                    RankBy::Records => (e.records as f64, e.exposure),
                };
                assert!(key(&w[0]) >= key(&w[1]));
            }
            assert!(all.entries.iter().enumerate().all(|(i, e)| e.rank == i + 1));
            for t in 0..=13 {
                let top = SweepReport::of(&a.model, a.index(), "account", &rows, by, Some(t));
                assert_eq!(top.swept, 12);
                assert_eq!(top.entries, all.entries[..t.min(12)], "top {t}");
            }
        }
    }
}
