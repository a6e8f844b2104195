//! Control designs: named sets of changes (DESIGN.md "Design operations"). Changes to the
//! model are applied as an overlay that returns a new model and never touches the baseline or
//! its graph. Because edge keys come from ids, a design's graph shares the baseline's keyed
//! draws (common random numbers), so paired comparisons are exact where nothing changed. A
//! design may also override a simulation setting (`set_detection`): the model has no detection
//! time, so that entry is carried beside the model changes, and `evaluate` applies it to the
//! scenario's simulation settings; [`apply`] never sees it.

use crate::model::records::Holdings;
use crate::model::{category_matches, Access, Link, LinkKind, Mfa, Model, NodeId};

/// A set of nodes named by a selector (an id, `kind:glob`, or `*`), resolved on the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// As written, for reports.
    pub text: String,
    /// Selected nodes, sorted, as a membership table.
    pub nodes: Vec<NodeId>,
}

impl Selector {
    pub fn contains(&self, n: NodeId) -> bool {
        self.nodes.binary_search(&n).is_ok()
    }
}

/// Which links a `set_p` changes.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeFilter {
    /// Every link of a kind: owns, member, grant, access, credential, edge (every custom step),
    /// a grant access level (read, write, admin) or a custom label.
    Kind(String),
    /// The links between selected nodes, optionally of one kind.
    Between {
        from: Selector,
        to: Selector,
        kind: Option<String>,
    },
}

impl EdgeFilter {
    fn kind_matches(kind: &str, link: &LinkKind) -> bool {
        match (kind, link) {
            ("edge", LinkKind::Custom(_)) => true,
            ("read", LinkKind::Grant(Access::Read)) => true,
            ("write", LinkKind::Grant(Access::Write)) => true,
            ("admin", LinkKind::Grant(Access::Admin)) => true,
            (k, LinkKind::Custom(label)) => k == label.as_str(),
            (k, l) => k == l.table_key(),
        }
    }

    pub fn matches(&self, link: &Link) -> bool {
        match self {
            EdgeFilter::Kind(k) => Self::kind_matches(k, &link.kind),
            EdgeFilter::Between { from, to, kind } => {
                from.contains(link.from)
                    && to.contains(link.to)
                    && kind
                        .as_ref()
                        .is_none_or(|k| Self::kind_matches(k, &link.kind))
            }
        }
    }
}

/// One change of a design to the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    RemoveGrant {
        principal: Selector,
        target: Selector,
    },
    RemoveMember {
        member: Selector,
        group: Selector,
    },
    SetMfa {
        accounts: Selector,
        mfa: Mfa,
    },
    RemoveCredential {
        holder: Selector,
        account: Selector,
    },
    DropCategory {
        store: Selector,
        category: String,
    },
    ScaleRecords {
        store: Selector,
        category: Option<String>,
        factor: f64,
    },
    SetRetention {
        store: Selector,
        category: Option<String>,
        days: u32,
    },
    ReviewAccess {
        unused_days: u32,
    },
    SetP {
        edges: EdgeFilter,
        p: f64,
    },
}

impl Change {
    /// The five control families a breach post-mortem names.
    pub fn family(&self) -> &'static str {
        match self {
            Change::RemoveGrant { .. }
            | Change::RemoveMember { .. }
            | Change::RemoveCredential { .. }
            | Change::SetMfa { .. }
            | Change::SetP { .. } => "access control",
            Change::DropCategory { .. } | Change::ScaleRecords { .. } => "data minimisation",
            Change::SetRetention { .. } => "retention",
            Change::ReviewAccess { .. } => "internal review",
        }
    }

    /// A one-line description, as the design file writes it.
    pub fn describe(&self) -> String {
        let cat = |c: &Option<String>| c.as_ref().map_or(String::new(), |c| format!(" {c}"));
        match self {
            Change::RemoveGrant { principal, target } => {
                format!("remove_grant {} → {}", principal.text, target.text)
            }
            Change::RemoveMember { member, group } => {
                format!("remove_member {} from {}", member.text, group.text)
            }
            Change::SetMfa { accounts, mfa } => {
                format!("set_mfa {} = {}", accounts.text, mfa.as_str())
            }
            Change::RemoveCredential { holder, account } => {
                format!("remove_credential {} held by {}", account.text, holder.text)
            }
            Change::DropCategory { store, category } => {
                format!("drop_category {category} at {}", store.text)
            }
            Change::ScaleRecords {
                store,
                category,
                factor,
            } => {
                format!(
                    "scale_records{} at {} × {factor}",
                    cat(category),
                    store.text
                )
            }
            Change::SetRetention {
                store,
                category,
                days,
            } => {
                format!(
                    "set_retention{} at {} = {days} days",
                    cat(category),
                    store.text
                )
            }
            Change::ReviewAccess { unused_days } => {
                format!("review_access: remove grants unused for more than {unused_days} days")
            }
            Change::SetP { edges, p } => match edges {
                EdgeFilter::Kind(k) => format!("set_p {k} = {p}"),
                EdgeFilter::Between { from, to, kind } => format!(
                    "set_p {} → {}{} = {p}",
                    from.text,
                    to.text,
                    kind.as_ref().map_or(String::new(), |k| format!(" ({k})"))
                ),
            },
        }
    }

    /// Whether the change removes or changes `link` (never for changes that touch no link:
    /// MFA settings and what stores hold). The one statement of which links a change selects,
    /// for [`reach_of`] and [`apply`].
    pub fn selects_link(&self, link: &Link) -> bool {
        let l = link;
        match self {
            Change::RemoveGrant { principal, target } => {
                matches!(l.kind, LinkKind::Grant(_))
                    && principal.contains(l.from)
                    && target.contains(l.to)
            }
            Change::RemoveMember { member, group } => {
                l.kind == LinkKind::Member && member.contains(l.from) && group.contains(l.to)
            }
            Change::RemoveCredential { holder, account } => {
                l.kind == LinkKind::Credential && holder.contains(l.from) && account.contains(l.to)
            }
            Change::ReviewAccess { unused_days } => {
                matches!(l.kind, LinkKind::Grant(_))
                    && l.last_used_days().is_some_and(|d| d > *unused_days)
            }
            Change::SetP { edges, .. } => edges.matches(l),
            Change::SetMfa { .. }
            | Change::DropCategory { .. }
            | Change::ScaleRecords { .. }
            | Change::SetRetention { .. } => false,
        }
    }
}

/// `set_detection`: the mean days to detection the design is simulated with (the
/// distribution stays the scenario's). A simulation setting, not a change to the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetDetection {
    pub mean_days: f64,
}

/// One of a design's `changes`, in the order the design lists them: a change to the model
/// ([`apply`] makes it) or a simulation setting it overrides.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Model(Change),
    Detection(SetDetection),
}

impl Entry {
    /// The five control families a breach post-mortem names.
    pub fn family(&self) -> &'static str {
        match self {
            Entry::Model(change) => change.family(),
            Entry::Detection(_) => "audit trails",
        }
    }

    /// A one-line description, as the design file writes it.
    pub fn describe(&self) -> String {
        match self {
            Entry::Model(change) => change.describe(),
            Entry::Detection(SetDetection { mean_days }) => {
                format!("set_detection mean {mean_days} days")
            }
        }
    }
}

/// Access the business needs (a scenario's `[[keep]]`): no fix `recommend` proposes may remove a
/// grant, membership or stored credential from a selected principal to a selected target.
#[derive(Debug, Clone, PartialEq)]
pub struct Keep {
    pub principal: Selector,
    pub target: Selector,
    /// Why the business needs it, as the scenario says (for reports).
    pub why: Option<String>,
}

impl Keep {
    /// Whether `link` is access this entry keeps.
    pub fn protects(&self, link: &Link) -> bool {
        matches!(
            link.kind,
            LinkKind::Grant(_) | LinkKind::Member | LinkKind::Credential
        ) && self.principal.contains(link.from)
            && self.target.contains(link.to)
    }

    /// `principal → target`, as written.
    pub fn describe(&self) -> String {
        format!("{} → {}", self.principal.text, self.target.text)
    }
}

/// A named design.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub name: String,
    pub description: Option<String>,
    /// Model changes and simulation overrides, in the design's order (reports list them so).
    pub changes: Vec<Entry>,
    /// What running the control costs a year, in the model's `[money]` currency: a property of
    /// the design, not a change to the model.
    pub cost_per_year: Option<f64>,
}

impl Design {
    /// The changes to the model, in order: what [`apply`] takes.
    pub fn model_changes(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter_map(|e| match e {
            Entry::Model(change) => Some(change),
            Entry::Detection(_) => None,
        })
    }

    /// The detection setting the design overrides: its last `set_detection`, if any.
    pub fn detection(&self) -> Option<SetDetection> {
        self.changes.iter().rev().find_map(|e| match e {
            Entry::Detection(d) => Some(*d),
            Entry::Model(_) => None,
        })
    }
}

/// How many model entries a change touches on `model` (0 means it does nothing there): links
/// removed or changed, accounts, or record-set copies held by the selected stores.
pub fn reach_of(model: &Model, holdings: &Holdings, change: &Change) -> usize {
    let held = |store: &Selector, category: Option<&String>| {
        store
            .nodes
            .iter()
            .flat_map(|&s| &holdings.by_store[s as usize])
            .filter(|h| {
                category.is_none_or(|c| {
                    category_matches(&model.record_sets[h.set as usize].category, c)
                })
            })
            .count()
    };
    match change {
        Change::RemoveGrant { .. }
        | Change::RemoveMember { .. }
        | Change::RemoveCredential { .. }
        | Change::ReviewAccess { .. }
        | Change::SetP { .. } => model
            .links
            .iter()
            .filter(|l| change.selects_link(l))
            .count(),
        Change::SetMfa { accounts, .. } => accounts.nodes.len(),
        Change::DropCategory { store, category } => held(store, Some(category)),
        Change::ScaleRecords {
            store, category, ..
        }
        | Change::SetRetention {
            store, category, ..
        } => held(store, category.as_ref()),
    }
}

/// Applies changes in order to a copy of `model` and returns the new model.
pub fn apply<'c>(model: &Model, changes: impl IntoIterator<Item = &'c Change>) -> Model {
    let mut m = model.clone();
    for change in changes {
        apply_in_place(&mut m, change);
    }
    m
}

/// Makes one change to `m` itself: what [`apply`] makes on its copy, for callers that try a
/// change and undo it (a data change touches only its stores' policies).
pub fn apply_in_place(m: &mut Model, change: &Change) {
    match change {
        Change::RemoveGrant { .. }
        | Change::RemoveMember { .. }
        | Change::RemoveCredential { .. }
        | Change::ReviewAccess { .. } => m.links.retain(|l| !change.selects_link(l)),
        Change::SetMfa { accounts, mfa } => {
            for &a in &accounts.nodes {
                m.mfa[a as usize] = *mfa;
            }
        }
        Change::DropCategory { store, category } => {
            for &s in &store.nodes {
                m.store_policy[s as usize].dropped.push(category.clone());
            }
        }
        Change::ScaleRecords {
            store,
            category,
            factor,
        } => {
            for &s in &store.nodes {
                m.store_policy[s as usize]
                    .scale
                    .push((category.clone(), *factor));
            }
        }
        Change::SetRetention {
            store,
            category,
            days,
        } => {
            for &s in &store.nodes {
                m.store_policy[s as usize]
                    .category_retention
                    .push((category.clone().unwrap_or_default(), *days));
            }
        }
        Change::SetP { p, .. } => {
            for l in m.links.iter_mut().filter(|l| change.selects_link(l)) {
                l.set_p(Some(*p));
            }
        }
    }
}
