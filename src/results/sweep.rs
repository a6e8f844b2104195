//! `sweep`: every node of a kind as the sole compromised node, ranked.

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
}

/// What the ranking is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    Exposure,
    People,
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
        let largest = index
            .sizes
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i);
        let mut entries: Vec<SweepEntry> = rows
            .iter()
            .map(|r| SweepEntry {
                rank: 0,
                id: model.id(r.node).to_string(),
                kind: model.kind(r.node).to_string(),
                exposure: r.exposure,
                records: r.records,
                leaked_stores: r.stores,
                reach: r.reach,
                people: largest.map(|i| r.people[i]),
            })
            .collect();
        entries.sort_by(|a, b| {
            let key = |e: &SweepEntry| match by {
                RankBy::Exposure => e.exposure,
                RankBy::People => e.people.unwrap_or(0.0),
            };
            key(b)
                .total_cmp(&key(a))
                .then(b.exposure.total_cmp(&a.exposure))
                .then(a.id.cmp(&b.id))
        });
        for (i, e) in entries.iter_mut().enumerate() {
            e.rank = i + 1;
        }
        let swept = entries.len();
        if let Some(t) = top {
            entries.truncate(t);
        }
        SweepReport {
            model: model.name.clone(),
            kind: kind.to_string(),
            by,
            population: largest.map(|i| index.populations[i].clone()),
            swept,
            entries,
        }
    }
}
