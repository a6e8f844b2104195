//! Edges: each edge's ends resolved against the merged nodes, then the edge made a native link,
//! a flow or a custom attack step by its kind's rule or its `traversable` mark, with its `p`,
//! time and last use; duplicates count once, with the larger `p`. Then the warnings about the
//! edges that were skipped.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::index::{End, Index, OgNode};
use super::reader::Reader;
use super::{list_counts, Draft, ImportSummary};
use crate::interop::opengraph::document::{warning, Prop, RawEdge, Scalar};
use crate::interop::opengraph::mapping::{EdgeRule, EndKinds, Native};
use crate::interop::opengraph::vocab::{br, CUSTOM_EDGE_KIND};
use crate::model::counted as plural;
use crate::model::{Flow, Label, Link, LinkKind, NodeId, NodeKind};

/// Keys of a model's `[probabilities]` and `[times]` tables that are not custom edge labels.
const RESERVED_KEYS: [&str; 7] = [
    "owns",
    "member",
    "grant",
    "access",
    "edge",
    "credential",
    "distribution",
];

/// What the pass over the edges keeps as it goes.
struct EdgePass<'n> {
    index: Index<'n>,
    /// The merged nodes, for the kinds of an edge's ends.
    nodes: &'n [OgNode],
    /// Each merged node's id in the model (none for the settings node).
    ids: &'n [Option<NodeId>],
    /// The first edge with an end that matches no node, or several, for the warning.
    first_dangling: Option<String>,
    /// Edges without a `traversable` mark or a rule, by kind.
    unmarked: BTreeMap<String, usize>,
    /// Edges whose rule names a link their ends cannot have: count, link and the ends it needs.
    misfits: BTreeMap<String, (usize, &'static str, &'static str)>,
    /// Links made so far by ends and kind, to count a duplicate once.
    seen: HashMap<(NodeId, NodeId, LinkKind), usize>,
    flows_seen: BTreeSet<(NodeId, NodeId)>,
}

impl Draft<'_> {
    /// Makes every edge, in input order, into what its kind and marks say.
    pub(super) fn connect(
        &mut self,
        nodes: &[OgNode],
        edges: &[(usize, usize, RawEdge)],
        ids: &[Option<NodeId>],
    ) {
        let mut pass = EdgePass {
            index: Index::new(nodes),
            nodes,
            ids,
            first_dangling: None,
            unmarked: BTreeMap::new(),
            misfits: BTreeMap::new(),
            seen: HashMap::new(),
            flows_seen: BTreeSet::new(),
        };
        for (d, i, e) in edges {
            self.edge(&mut pass, *d, *i, e);
        }
        let EdgePass {
            first_dangling,
            unmarked,
            misfits,
            ..
        } = pass;
        self.warn_about_edges(first_dangling, &unmarked, &misfits);
    }

    /// One edge: `d` is its document, `i` its index there.
    fn edge(&mut self, pass: &mut EdgePass, d: usize, i: usize, e: &RawEdge) {
        let mapping = self.mapping;
        let file = self.files[d].as_str();
        let at = format!("graph.edges[{i}] (`{}`)", e.kind);
        let profile = self.profiles[d];
        let rule_for = |ends: EndKinds| {
            if e.kind == CUSTOM_EDGE_KIND {
                None
            } else {
                mapping.edge_rule(&e.kind, ends, profile)
            }
        };
        let marked = match e.properties.get("traversable") {
            Some(Prop::One(Scalar::Bool(b))) => Some(*b),
            _ => None,
        };
        let wanted_by = |rule: Option<&EdgeRule>| {
            rule.and_then(|r| r.link).is_some()
                || rule.and_then(|r| r.traversable).or(marked) == Some(true)
        };
        let mut r = Reader {
            file,
            at,
            problems: &mut self.problems,
        };
        // Whether an edge that dangles would have counted is judged without end conditions.
        let endless = wanted_by(rule_for(None));
        let Some((a, b)) = pass.ends(e, endless, &mut r, &mut self.summary) else {
            return;
        };
        let (na, nb) = (&pass.nodes[a], &pass.nodes[b]);
        let ka: Vec<&str> = na.kinds.iter().map(String::as_str).collect();
        let kb: Vec<&str> = nb.kinds.iter().map(String::as_str).collect();
        let rule = rule_for(Some((&ka, &kb)));
        let native = rule.and_then(|r| r.link);
        let traversable = rule.and_then(|r| r.traversable).or(marked);
        let wanted = wanted_by(rule);
        if !wanted {
            self.summary.ignored_edges += 1;
            if marked.is_none() && rule.is_none() {
                *pass.unmarked.entry(e.kind.clone()).or_default() += 1;
            }
            return;
        }
        let (Some(from), Some(to)) = (pass.ids[a], pass.ids[b]) else {
            return; // an end is the settings node
        };
        if from == to {
            self.summary.self_loops += 1;
            return;
        }
        let p = match r.num(&e.properties, &mapping.p_property) {
            Some(x) => r.probability(x, &format!("property `{}`", mapping.p_property)),
            None => None,
        };
        let time = r.num(&e.properties, br::TIME).map(|t| t.max(0.0));
        let last_used_days = match r.num(&e.properties, br::LAST_USED_DAYS) {
            Some(x) => r
                .whole(x, "`br_last_used_days`")
                .map(|d| d.min(u32::MAX as u64) as u32),
            None => None,
        };
        let model = &mut self.model;
        let (fk, tk) = (model.kind(from), model.kind(to));
        if native == Some(Native::Flow) && Native::Flow.fits(fk, tk) {
            let categories = r.strs(&e.properties, br::CATEGORIES);
            if pass.flows_seen.insert((from, to)) {
                model.flows.push(Flow {
                    from,
                    to,
                    categories,
                });
                self.summary.flows += 1;
            } else {
                self.summary.duplicate_edges += 1;
            }
            return;
        }
        let Some(mut kind) = pass.link_kind(e, native, traversable, (fk, tk), &mut r) else {
            return;
        };
        // A mapping's p for a custom kind becomes that kind's default in [probabilities],
        // unless the label is one of that table's own keys; then each edge carries it.
        let mut rule_p_on_edge = native.is_some();
        if let (LinkKind::Custom(label), Some(rp)) = (&kind, rule.and_then(|r| r.p)) {
            if RESERVED_KEYS.contains(&label.as_str()) {
                rule_p_on_edge = true;
            } else {
                model.probabilities.custom.insert(label.to_string(), rp);
            }
        }
        let mut link = Link::new(from, to, kind)
            .with_p(p.or(if rule_p_on_edge {
                rule.and_then(|r| r.p)
            } else {
                None
            }))
            .with_time(time)
            .with_last_used_days(last_used_days.filter(|_| matches!(kind, LinkKind::Grant(_))));
        // An explicit p equal to what the model would use anyway is left implicit; one that
        // differs on a link kind whose p has no file form becomes a custom step instead.
        if let Some(x) = link.p() {
            let implicit = link.with_p(None);
            if model.link_p(&implicit) == x {
                link.set_p(None);
            } else if matches!(
                kind,
                LinkKind::Owns | LinkKind::Member | LinkKind::Credential
            ) {
                kind = LinkKind::Custom(Label::new(&e.kind));
                link.kind = kind;
            }
        }
        self.add_link(pass, link);
    }

    /// Warnings about the edges that were skipped, misfit or duplicated.
    fn warn_about_edges(
        &mut self,
        first_dangling: Option<String>,
        unmarked: &BTreeMap<String, usize>,
        misfits: &BTreeMap<String, (usize, &'static str, &'static str)>,
    ) {
        let first_file = self.first_file().to_string();
        let summary = &self.summary;
        let warnings = &mut self.warnings;
        let dangling: usize = summary.dangling.values().sum();
        if dangling > 0 {
            warnings.push(warning(
                &first_file,
                format!(
                    "{} an end that matches no node in the loaded files (or more than one) and {} skipped ({} traversable or mapped): {}; the first: {}",
                    plural(dangling, "edge has", "edges have"),
                    if dangling == 1 { "was" } else { "were" },
                    summary.dangling_traversable,
                    list_counts(&summary.dangling, 8),
                    first_dangling.unwrap_or_default()
                ),
            ));
        }
        if !unmarked.is_empty() {
            let n: usize = unmarked.values().sum();
            warnings.push(warning(
                &first_file,
                format!(
                    "{} no `traversable` property and no mapping rule, so {} not followed: {}; name their kinds in a mapping's [edges] with `traversable = true` to follow them",
                    plural(n, "edge has", "edges have"),
                    if n == 1 { "it is" } else { "they are" },
                    list_counts(unmarked, 8)
                ),
            ));
        }
        for (kind, (n, link, shape)) in misfits {
            warnings.push(warning(
                &first_file,
                format!(
                    "{} of kind `{kind}` cannot be `{link}` links ({shape} only); traversable ones were kept as custom steps",
                    plural(*n, "edge", "edges")
                ),
            ));
        }
        if summary.duplicate_edges > 0 {
            warnings.push(warning(
                &first_file,
                format!(
                    "{} the same ends and kind as an earlier one; each pair counts once, with the larger p",
                    plural(summary.duplicate_edges, "edge has", "edges have")
                ),
            ));
        }
    }

    /// Adds a link, or keeps the larger `p` of it and an earlier one with the same ends and kind.
    fn add_link(&mut self, pass: &mut EdgePass, link: Link) {
        let (model, summary) = (&mut self.model, &mut self.summary);
        let key = (link.from, link.to, link.kind);
        match pass.seen.get(&key) {
            Some(&j) => {
                summary.duplicate_edges += 1;
                let prev = model.link_p(&model.links[j]);
                if model.link_p(&link) > prev {
                    model.links[j] = link;
                }
            }
            None => {
                pass.seen.insert(key, model.links.len());
                if link.kind.is_traversable() {
                    summary.attack_edges += 1;
                } else {
                    summary.write_links += 1;
                }
                model.links.push(link);
            }
        }
    }
}

impl EdgePass<'_> {
    /// The merged nodes an edge's ends name. An end that matches no node (or several) skips
    /// the edge and is counted; a malformed one is a problem, reported through `r`.
    fn ends(
        &mut self,
        e: &RawEdge,
        wanted: bool,
        r: &mut Reader,
        summary: &mut ImportSummary,
    ) -> Option<(usize, usize)> {
        let (file, at) = (r.file, r.at.as_str());
        let start = self
            .index
            .resolve(&e.start, file, &format!("{at} start"), r.problems);
        let end = self
            .index
            .resolve(&e.end, file, &format!("{at} end"), r.problems);
        match (start, end) {
            (End::Invalid, _) | (_, End::Invalid) => None,
            (End::Found(a), End::Found(b)) => Some((a, b)),
            (s, t) => {
                *summary.dangling.entry(e.kind.clone()).or_default() += 1;
                if wanted {
                    summary.dangling_traversable += 1;
                }
                if self.first_dangling.is_none() {
                    let describe = |x: &End, side: &str| match x {
                        End::Missing(v) => Some(format!("{side} `{v}` matches no node")),
                        End::Ambiguous(v, n) => Some(format!("{side} `{v}` matches {n} nodes")),
                        _ => None,
                    };
                    let what: Vec<String> = [describe(&s, "start"), describe(&t, "end")]
                        .into_iter()
                        .flatten()
                        .collect();
                    self.first_dangling = Some(format!("{file}: {at}: {}", what.join(", ")));
                }
                None
            }
        }
    }

    /// The link kind an edge becomes, or none when it is skipped: a native link whose ends
    /// cannot have it is counted as a misfit and kept as a custom step only if traversable.
    /// Flows are made before this is asked.
    fn link_kind(
        &mut self,
        e: &RawEdge,
        native: Option<Native>,
        traversable: Option<bool>,
        (fk, tk): (NodeKind, NodeKind),
        r: &mut Reader,
    ) -> Option<LinkKind> {
        Some(match native {
            Some(n) if n.fits(fk, tk) => n.link_kind().expect("flows are made before"),
            Some(n) => {
                let entry =
                    self.misfits
                        .entry(e.kind.clone())
                        .or_insert((0, n.name(), n.describe()));
                entry.0 += 1;
                if traversable != Some(true) {
                    return None;
                }
                LinkKind::Custom(Label::new(&e.kind))
            }
            None if e.kind == CUSTOM_EDGE_KIND => match r.str(&e.properties, br::LABEL) {
                Some(l) if !l.trim().is_empty() => LinkKind::Custom(Label::new(l.trim())),
                _ => LinkKind::Custom(Label::new(CUSTOM_EDGE_KIND)),
            },
            None => LinkKind::Custom(Label::new(&e.kind)),
        })
    }
}
