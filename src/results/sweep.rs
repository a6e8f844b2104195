//! `sweep`: every node of a kind as the sole compromised node, ranked.

use std::collections::BTreeMap;
use std::sync::Arc;

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
    /// Expected people affected in the population the report names (the largest declared one
    /// unless `--by people:POPULATION` names another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<f64>,
    /// `--by loss`: the worst-case loss in the model's `[money]` currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// Expected people affected in every population together (the sum of
    /// `people_by_population`; a person in two populations counts in each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_total: Option<f64>,
    /// `--vector`: the probability an attempt of the vector takes this source (an account's
    /// own; for a person, that at least one of their accounts is taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_probability: Option<f64>,
    /// `--vector`: entry probability × worst-case exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_exposure: Option<f64>,
    /// `--vector` with `--trials`: the Monte Carlo mean exposure of one attempt of the vector
    /// on this source (entry and every attack step drawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_exposure_monte_carlo: Option<f64>,
    /// Its 95% confidence interval (normal approximation: 1.96 standard errors of the mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_exposure_monte_carlo_ci95: Option<[f64; 2]>,
    /// Expected people affected in each declared population (CSV: a `people:POPULATION`
    /// column each).
    #[serde(default, skip_serializing_if = "PeopleByPopulation::is_empty")]
    pub people_by_population: PeopleByPopulation,
}

/// Expected people affected in each population, in name order: an object keyed by population
/// in JSON. The names are held once for a whole report, not once per entry (a CSV sweep has an
/// entry for each of a million accounts).
#[derive(Debug, Clone, Default)]
pub struct PeopleByPopulation {
    /// In name order, shared by the report's entries.
    names: Arc<[String]>,
    /// One per name.
    people: Box<[f64]>,
}

impl PeopleByPopulation {
    /// `people[i]` for `names[i]`; `names` in name order, as [`ExposureIndex::populations`] is.
    pub fn new(names: Arc<[String]>, people: &[f64]) -> PeopleByPopulation {
        assert_eq!(names.len(), people.len(), "one figure per population");
        debug_assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "populations in name order"
        );
        PeopleByPopulation {
            names,
            people: people.into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// The population names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Each population and its people, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.keys().zip(self.people.iter().copied())
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        let i = self.names.binary_search_by(|n| n.as_str().cmp(name)).ok()?;
        Some(self.people[i])
    }
}

impl PartialEq for PeopleByPopulation {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for PeopleByPopulation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for PeopleByPopulation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, f64>::deserialize(d)?;
        let people: Vec<f64> = map.values().copied().collect();
        Ok(PeopleByPopulation::new(map.into_keys().collect(), &people))
    }
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
    /// Entry probability × worst-case exposure (`--vector`).
    Expected,
}

/// How a sweep is ranked and what it shows besides the worst case.
#[derive(Debug, Clone, Copy)]
pub struct Ranking<'a> {
    pub by: RankBy,
    /// Entries kept (all with `None`).
    pub top: Option<usize>,
    /// Each row's worst-case loss (in row order), which `RankBy::Loss` ranks by.
    pub losses: Option<&'a [f64]>,
    /// The population the people column shows and `RankBy::People` ranks by (index in
    /// [`ExposureIndex::populations`]); `None`: the largest.
    pub population: Option<usize>,
    /// `--vector`: the vector's name and each row's entry probability (in row order).
    pub entry: Option<(&'a str, &'a [f64])>,
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
    /// Whether `--by people:POPULATION` chose the population (else it is the largest).
    #[serde(skip)]
    pub by_population: bool,
    /// `sweep --category`/`--regime`: what exposure, records and people count
    /// (`category user.health`); the stores and reach columns are the whole blast radius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
    /// Nodes swept.
    pub swept: usize,
    /// `--vector`: the attack vector entry probabilities are of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// `--trials`: the trials of each entry's Monte Carlo expectation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials: Option<u32>,
    /// `--horizon-days N`: the programme age (days) the evaluation assumed in place of the
    /// model's, so a figure at another horizon says which it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
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
        let ranking = Ranking {
            by,
            top,
            losses,
            population: None,
            entry: None,
        };
        SweepReport::ranked(model, index, kind, rows, &ranking)
    }

    /// `sweep --category`/`--regime`: [`SweepReport::ranked`] on the focus's exposure index,
    /// its people column (unless the ranking names one) the largest population whose records
    /// the focus holds (the model's largest may hold none of them).
    pub fn focused(
        model: &Model,
        index: &ExposureIndex,
        kind: &str,
        rows: &[SweepRow],
        ranking: &Ranking,
        focus: &str,
    ) -> SweepReport {
        let chosen = ranking.population.is_some();
        let touched = |p: usize| rows.iter().any(|r| r.people[p] > 0.0);
        let population = ranking.population.or_else(|| {
            (0..index.sizes.len())
                .filter(|&p| touched(p))
                .max_by(|&a, &b| index.sizes[a].total_cmp(&index.sizes[b]).then(b.cmp(&a)))
        });
        let ranking = Ranking {
            population,
            ..*ranking
        };
        let mut report = SweepReport::ranked(model, index, kind, rows, &ranking);
        report.by_population = chosen;
        report.focus = Some(focus.to_string());
        report
    }

    /// The sweep's rows ranked as `ranking` says, the first `ranking.top` kept.
    pub fn ranked(
        model: &Model,
        index: &ExposureIndex,
        kind: &str,
        rows: &[SweepRow],
        ranking: &Ranking,
    ) -> SweepReport {
        let Ranking {
            by, top, losses, ..
        } = *ranking;
        let entry = ranking.entry.map(|(_, p)| p);
        let largest = ranking.population.or_else(|| {
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
                RankBy::Expected => entry.map_or(0.0, |p| p[i] * r.exposure),
            }
        };
        // Each row's key and exposure read once, beside its index: the sort compares these
        // and reads an id only on a tie.
        type Ranked = (f64, f64, u32);
        let cmp = |a: &Ranked, b: &Ranked| {
            b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)).then_with(|| {
                model
                    .id(rows[a.2 as usize].node)
                    .cmp(model.id(rows[b.2 as usize].node))
            })
        };
        let mut order: Vec<Ranked> = (0..rows.len())
            .into_par_iter()
            .map(|i| (key(i), rows[i].exposure, i as u32))
            .collect();
        match top {
            Some(t) if t < order.len() => {
                if t > 0 {
                    order.select_nth_unstable_by(t - 1, cmp);
                }
                order.truncate(t);
                order.sort_unstable_by(cmp);
            }
            _ => order.par_sort_unstable_by(cmp),
        }
        let names: Arc<[String]> = index.populations.iter().cloned().collect();
        let entries: Vec<SweepEntry> = order
            .par_iter()
            .enumerate()
            .map(|(i, &(_, _, ri))| {
                let ri = ri as usize;
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
                    people_total: (!r.people.is_empty()).then(|| r.people.iter().sum()),
                    entry_probability: entry.map(|p| p[ri]),
                    expected_exposure: entry.map(|p| p[ri] * r.exposure),
                    expected_exposure_monte_carlo: None,
                    expected_exposure_monte_carlo_ci95: None,
                    people_by_population: PeopleByPopulation::new(names.clone(), &r.people),
                }
            })
            .collect();
        let swept = rows.len();
        SweepReport {
            model: model.name.clone(),
            kind: kind.to_string(),
            by,
            population: largest.map(|i| index.populations[i].clone()),
            by_population: ranking.population.is_some(),
            focus: None,
            swept,
            vector: ranking.entry.map(|(v, _)| v.to_string()),
            trials: None,
            horizon_days: None,
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
                    RankBy::Expected => (e.expected_exposure.unwrap(), e.exposure),
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
