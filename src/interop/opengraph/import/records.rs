//! The record sets of a store: from its properties (blastradius's own `br_record_*` arrays, or
//! the mapping's property names in a foreign graph), else its kind's defaults; and the check
//! that records flowing into a store are bounded, as the model loader requires.

use std::collections::BTreeSet;

use super::reader::Reader;
use super::Draft;
use crate::error::did_you_mean;
use crate::interop::opengraph::document::{problem, Props};
use crate::interop::opengraph::mapping::{KindRule, PropertyNames};
use crate::interop::opengraph::vocab::br;
use crate::model::{Amount, Model, NodeId, RecordSet};

/// Record sets of a store from its properties, or its kind's defaults.
pub(super) fn read_records(
    model: &mut Model,
    store: NodeId,
    props: &Props,
    rule: Option<&KindRule>,
    names: &PropertyNames,
    own: bool,
    r: &mut Reader,
) {
    let (cat_key, count_key, rate_key, retention_key) = if own {
        (
            br::RECORD_CATEGORIES,
            br::RECORD_COUNTS,
            br::RECORD_PER_DAY,
            br::RETENTION_DAYS,
        )
    } else {
        // A kind's own count property (SnowHound's `rows`) before the mapping-wide name.
        let count_key = rule
            .and_then(|r| r.records_from.as_deref())
            .filter(|k| props.get(k).is_some())
            .unwrap_or(names.records.as_str());
        (
            names.category.as_str(),
            count_key,
            names.per_day.as_str(),
            names.retention_days.as_str(),
        )
    };
    let policy_retention = r
        .days(props, retention_key)
        .or(rule.and_then(|r| r.retention_days));
    model.store_policy[store as usize].retention_days = policy_retention;
    let counts = r.nums(props, count_key);
    let rates = r.nums(props, rate_key);
    if counts.is_none() && rates.is_none() {
        for t in rule.map(|r| r.records.as_slice()).unwrap_or_default() {
            model.record_sets.push(RecordSet {
                store,
                category: t.category.clone(),
                amount: t.amount,
                retention_days: t.retention_days,
                subjects: None,
                coverage: 1.0,
            });
        }
        return;
    }
    let n = counts
        .as_ref()
        .map_or(0, Vec::len)
        .max(rates.as_ref().map_or(0, Vec::len));
    for (key, list) in [(count_key, &counts), (rate_key, &rates)] {
        if let Some(l) = list {
            if l.len() != n {
                r.fail(format!("`{count_key}` and `{rate_key}` must be arrays of the same length (`{key}` has {})", l.len()));
                return;
            }
        }
    }
    let categories = match r.strs(props, cat_key) {
        Some(c) if c.len() == n => c,
        Some(c) if c.len() == 1 => vec![c[0].clone(); n],
        Some(c) => {
            r.fail(format!(
                "`{cat_key}` has {} entries but there are {n} record figures",
                c.len()
            ));
            return;
        }
        None => {
            let fallback = rule
                .and_then(|r| r.category.clone())
                .or_else(|| {
                    rule.and_then(|r| r.records.first())
                        .map(|t| t.category.clone())
                })
                .unwrap_or_else(|| "unclassified".to_string());
            vec![fallback; n]
        }
    };
    let columns = Columns {
        count_key,
        rate_key,
        retention_key,
        counts,
        rates,
        set_retention: None,
        subjects: None,
        coverage: None,
    };
    let columns = if own {
        Columns {
            set_retention: r.nums(props, br::RECORD_RETENTION_DAYS),
            subjects: r.strs(props, br::RECORD_SUBJECTS),
            coverage: r.nums(props, br::RECORD_COVERAGE),
            ..columns
        }
    } else {
        columns
    };
    for (i, category) in categories.into_iter().enumerate() {
        if let Some(set) = columns.record_set(model, store, i, category, policy_retention, r) {
            model.record_sets.push(set);
        }
    }
}

/// A store's record figures as side-by-side arrays: entry `i` of each makes one record set.
struct Columns<'k> {
    count_key: &'k str,
    rate_key: &'k str,
    retention_key: &'k str,
    counts: Option<Vec<f64>>,
    rates: Option<Vec<f64>>,
    /// Our own export's per-set retention, population and coverage.
    set_retention: Option<Vec<f64>>,
    subjects: Option<Vec<String>>,
    coverage: Option<Vec<f64>>,
}

impl Columns<'_> {
    /// Record set `i` of the store, or none when one of its figures is wrong (reported).
    fn record_set(
        &self,
        model: &Model,
        store: NodeId,
        i: usize,
        category: String,
        policy_retention: Option<u32>,
        r: &mut Reader,
    ) -> Option<RecordSet> {
        let (count_key, rate_key, retention_key) =
            (self.count_key, self.rate_key, self.retention_key);
        let category = category.trim().to_string();
        if category.is_empty() || category.split('.').any(str::is_empty) {
            r.fail(format!(
                "record category `{category}` is not a dot-separated name"
            ));
            return None;
        }
        let rate = self.rates.as_ref().map_or(0.0, |v| v[i]);
        let amount = if rate > 0.0 {
            r.whole(rate, &format!("`{rate_key}`")).map(Amount::PerDay)
        } else {
            let c = self.counts.as_ref().map_or(0.0, |v| v[i]);
            r.whole(c, &format!("`{count_key}`")).map(Amount::Count)
        };
        let retention_days = self
            .set_retention
            .as_ref()
            .and_then(|v| v.get(i).copied())
            .filter(|&d| d >= 0.0)
            .and_then(|d| r.whole(d, "`br_record_retention_days`"))
            .map(|d| d.min(u32::MAX as u64) as u32);
        let subjects = self
            .subjects
            .as_ref()
            .and_then(|v| v.get(i).cloned())
            .filter(|s| !s.is_empty());
        if let Some(s) = &subjects {
            if !model.populations.contains_key(s) {
                r.fail(format!(
                    "unknown population `{s}`{}",
                    did_you_mean(s, model.populations.keys().map(|k| k.as_str()))
                ));
                return None;
            }
        }
        let coverage = self
            .coverage
            .as_ref()
            .and_then(|v| v.get(i).copied())
            .unwrap_or(1.0);
        let coverage = r.probability(coverage, "coverage")?;
        let amount = amount?;
        if matches!(amount, Amount::PerDay(_))
            && retention_days.is_none()
            && policy_retention.is_none()
            && model.program_age_days.is_none()
        {
            r.fail(format!(
                "records of `{category}` come per day, but the node has no `{retention_key}` and the mapping's [org] no program_age_days, so the records held are unbounded"
            ));
            return None;
        }
        Some(RecordSet {
            store,
            category,
            amount,
            retention_days,
            subjects,
            coverage,
        })
    }
}

impl Draft<'_> {
    /// The model loader's rule: copies that flow into a store without retention are bounded
    /// only by the programme's age. Without it the saved model would not load back.
    pub(super) fn check_flowed_records_are_bounded(&mut self) {
        let model = &self.model;
        if model.program_age_days.is_some()
            || !model
                .record_sets
                .iter()
                .any(|s| matches!(s.amount, Amount::PerDay(_)))
        {
            return;
        }
        let unbounded: BTreeSet<NodeId> = model
            .flows
            .iter()
            .map(|f| f.to)
            .filter(|&to| model.store_policy[to as usize].retention_days.is_none())
            .collect();
        let first_file = self.files.first().map_or("", String::as_str);
        for store in unbounded {
            self.problems.push(problem(
                first_file,
                format!(
                    "store `{}` receives flowed records but has no retention_days, and neither the input nor the mapping's [org] gives program_age_days to bound them",
                    model.id(store)
                ),
            ));
        }
    }
}
