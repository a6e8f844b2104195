//! Category and regime queries (DESIGN.md "Category queries"): the records of one category and
//! those below it (`user.health` covers `user.health.*`), or the records a notification regime
//! covers, wherever they sit, own or a flowed copy.
//!
//! A focus is answered with the sweep's own machinery: the holdings of the other categories are
//! left out of a second exposure index, and the sweep counts what is left, so the records of the
//! focus are deduplicated across copies exactly as every other figure is, and the cost is that
//! of a plain sweep over a smaller index.

use super::reach::{backward, Reach};
use super::sweep::{sweep_condensed, Condensation, SweepRow};
use super::tally::ExposureIndex;
use crate::error::did_you_mean;
use crate::graph::AttackGraph;
use crate::model::records::Holdings;
use crate::model::{category_matches, Model, NodeId, NodeKind};

/// Which records a query counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Focus {
    /// A category and every category below it.
    Category(String),
    /// The categories a notification regime of `[notification]` covers.
    Regime(String),
}

impl Focus {
    /// The focus checked against the model: an unknown category or regime is an error with the
    /// nearest known one.
    pub fn checked(self, model: &Model) -> Result<Focus, String> {
        match &self {
            Focus::Category(c) => {
                let known = || {
                    model
                        .record_sets
                        .iter()
                        .map(|s| s.category.as_str())
                        .chain(model.categories.declared().iter().map(|(c, _)| c.as_str()))
                };
                if !model
                    .record_sets
                    .iter()
                    .any(|s| category_matches(&s.category, c))
                {
                    let mut names: Vec<&str> = known().collect();
                    names.sort_unstable();
                    names.dedup();
                    return Err(format!(
                        "--category `{c}`: model `{}` holds no record of category `{c}` or below it{}",
                        model.name,
                        did_you_mean(c, names)
                    ));
                }
            }
            Focus::Regime(r) => {
                if !model.notification.contains_key(r) {
                    let names = model.notification.keys().map(String::as_str);
                    let listed = match model.notification.is_empty() {
                        true => " (the model has no [notification] table)".to_string(),
                        false => format!(
                            " (its regimes: {}){}",
                            names.clone().collect::<Vec<_>>().join(", "),
                            did_you_mean(r, names)
                        ),
                    };
                    return Err(format!(
                        "--regime `{r}`: model `{}` has no notification regime `{r}`{listed}",
                        model.name
                    ));
                }
            }
        }
        Ok(self)
    }

    /// How reports name the focus: `category user.health`, `regime gdpr`.
    pub fn label(&self) -> String {
        match self {
            Focus::Category(c) => format!("category {c}"),
            Focus::Regime(r) => format!("regime {r}"),
        }
    }

    /// Whether records of `category` count.
    pub fn covers(&self, model: &Model, category: &str) -> bool {
        match self {
            Focus::Category(c) => category_matches(category, c),
            Focus::Regime(r) => model
                .notification
                .get(r)
                .is_some_and(|prefixes| prefixes.iter().any(|p| category_matches(category, p))),
        }
    }

    /// The holdings of the focus alone: every other set's copies left out.
    pub fn holdings(&self, model: &Model, holdings: &Holdings) -> Holdings {
        let keep: Vec<bool> = model
            .record_sets
            .iter()
            .map(|s| self.covers(model, &s.category))
            .collect();
        Holdings {
            by_store: holdings
                .by_store
                .iter()
                .map(|list| {
                    list.iter()
                        .copied()
                        .filter(|h| keep[h.set as usize])
                        .collect()
                })
                .collect(),
        }
    }

    /// An exposure index that counts the records of the focus only.
    pub fn index(&self, model: &Model, holdings: &Holdings) -> ExposureIndex {
        ExposureIndex::new(model, &self.holdings(model, holdings))
    }

    /// The stores holding records of the focus, own or a flowed copy, in node order.
    pub fn stores(&self, model: &Model, holdings: &Holdings) -> Vec<NodeId> {
        model
            .nodes_of(NodeKind::Store)
            .filter(|&s| {
                holdings.by_store[s as usize]
                    .iter()
                    .any(|h| self.covers(model, &model.record_sets[h.set as usize].category))
            })
            .collect()
    }
}

/// The worst case of every source counting the records of the focus only: the sweep on the
/// focus's exposure index. Exposure, records and people are those of the focus; stores and
/// reach are the source's whole blast radius.
pub fn sweep_focus(
    model: &Model,
    graph: &AttackGraph,
    holdings: &Holdings,
    focus: &Focus,
    sources: &[NodeId],
) -> Vec<SweepRow> {
    let index = focus.index(model, holdings);
    sweep_condensed(model, Condensation::new(graph), &index, sources)
}

/// Who can reach the records of a focus: every node from which some store holding them is
/// reachable in the worst case (the stores themselves included), with its shortest path to the
/// nearest such store, and each one's worst case counting the focus's records only.
pub struct FocusReach {
    /// The stores holding records of the focus.
    pub stores: Vec<NodeId>,
    /// Breadth-first search backwards from those stores.
    pub reach: Reach,
    /// One row per node of `reach.order`, in that order.
    pub rows: Vec<SweepRow>,
}

/// [`FocusReach`] of a focus.
pub fn who_can_reach(
    model: &Model,
    graph: &AttackGraph,
    holdings: &Holdings,
    focus: &Focus,
) -> FocusReach {
    let stores = focus.stores(model, holdings);
    let reach = backward(graph, &stores);
    let rows = sweep_focus(model, graph, holdings, focus, &reach.order);
    FocusReach {
        stores,
        reach,
        rows,
    }
}
