//! Synthetic organisations of any size, deterministic from a seed (same seed, same model, same
//! bytes once saved). The structure follows `shared/bench/gen_org.py`, so figures compare with
//! the baseline scripts: about 1.25 P human accounts (a quarter of people also hold an admin
//! account), 0.1 P service accounts, P/20 groups with Zipf-skewed sizes (a few all-staff groups,
//! nested department groups, admin groups), P/50 systems holding service credentials, P/10
//! stores with lognormal volumes (10^N(4.5, 1.3), clipped to 10²..10⁸) across the demo's
//! categories, as rate-based sets with retention, flows into lakes and backups, and MFA on most
//! human accounts.
//!
//! The random numbers come from SplitMix64 written out here, not from a library generator whose
//! stream may change between versions.

use crate::model::{
    Access, AccountKind, Amount, Categories, Flow, Label, Link, LinkKind, Mfa, Model, NodeId,
    NodeKind, RecordSet,
};

/// SplitMix64: small, fast, and fixed forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::graph::mix64(self.0)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in [a, b], rounded to 3 decimals.
    fn p(&mut self, a: f64, b: f64) -> f64 {
        ((a + (b - a) * self.unit()) * 1000.0).round() / 1000.0
    }
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
    /// Up to `k` distinct values from `draw` (a bounded number of tries).
    fn distinct(&mut self, k: usize, mut draw: impl FnMut(&mut Rng) -> usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(k);
        let mut tries = 0;
        while out.len() < k && tries < 50 * k {
            tries += 1;
            let v = draw(self);
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }
}

/// Categories of the generated stores, with weights (the demo's).
pub const CATEGORIES: [(&str, f64); 12] = [
    ("user.identity", 3.0),
    ("user.contact", 2.0),
    ("user.location", 8.0),
    ("user.location.precise", 9.0),
    ("user.health", 10.0),
    ("user.behavior", 5.0),
    ("user.behavior.screen_capture", 7.0),
    ("user.behavior.keystrokes", 7.0),
    ("user.device", 4.0),
    ("user.biometrics", 9.0),
    ("user.financial", 6.0),
    ("system.authentication", 10.0),
];

const RETENTIONS: [u32; 6] = [30, 90, 180, 365, 730, 1095];

fn pad(prefix: &str, i: usize, n: usize) -> String {
    let width = n.max(1).to_string().len();
    format!("{prefix}-{i:0width$}")
}

/// A generated organisation of `people` people.
pub fn generate(people: usize, seed: u64) -> Model {
    let p = people.max(1);
    let mut rng = Rng(seed ^ 0x243f_6a88_85a3_08d3);
    let mut m = empty_model(p, seed);
    let privileged: Vec<bool> = (0..p).map(|_| rng.chance(0.25)).collect();
    let sizes = Sizes::of(p);
    let nodes = add_nodes(&mut m, &sizes, &privileged);
    let low_weight = fill_stores(&mut m, &mut rng, &sizes, &nodes.stores);
    add_flows(&mut m, &mut rng, &sizes, &nodes.stores);
    let zipf = Zipf::new(sizes.g - sizes.na);
    human_memberships(&mut m, &mut rng, &sizes, &nodes, &zipf);
    service_links(&mut m, &mut rng, &sizes, &nodes);
    for r in 0..sizes.g {
        if r < sizes.nb {
            all_staff_grants(&mut m, &mut rng, &nodes, r, &low_weight);
        } else if r >= sizes.g - sizes.na {
            admin_group_links(&mut m, &mut rng, &sizes, &nodes, r);
        } else {
            dept_group_links(&mut m, &mut rng, &sizes, &nodes, r);
        }
    }
    held_credentials(&mut m, &mut rng, &sizes, &nodes);
    sessions(&mut m, &mut rng, &nodes);
    m.canonical()
}

/// The model before its nodes: name, programme age, categories, populations and
/// notification regimes.
fn empty_model(p: usize, seed: u64) -> Model {
    let mut m = Model::default();
    m.name = format!("Generated organisation ({p} people, seed {seed})");
    m.program_age_days = Some(1095);
    m.categories = Categories::new(
        CATEGORIES
            .iter()
            .map(|(c, w)| (c.to_string(), *w))
            .collect(),
    );
    m.populations.insert("employees".into(), p as u64);
    m.populations.insert("customers".into(), 20 * p as u64);
    m.notification
        .insert("health_data".into(), vec!["user.health".into()]);
    m.notification.insert(
        "precise_location".into(),
        vec!["user.location.precise".into()],
    );
    m
}

/// How many of each node an organisation of `p` people has.
struct Sizes {
    /// Service accounts.
    v: usize,
    /// Groups: `nb` all-staff groups, then department groups, then `na` admin groups.
    g: usize,
    nb: usize,
    na: usize,
    /// Systems.
    y: usize,
    /// Stores: `ordinary` ones, then `lakes`, then `backups`.
    d: usize,
    lakes: usize,
    backups: usize,
    ordinary: usize,
}

impl Sizes {
    fn of(p: usize) -> Sizes {
        let v = ((0.10 * p as f64).round() as usize).max(1);
        let g = (p / 20).max(4);
        let y = (p / 50).max(2);
        let d = (p / 10).max(4);
        let nb = (g / 200).max(1);
        let na = (g / 50).max(1);
        let lakes = (d / 100).max(1);
        let backups = (d / 200).max(1);
        let ordinary = d - lakes - backups;
        Sizes {
            v,
            g,
            nb,
            na,
            y,
            d,
            lakes,
            backups,
            ordinary,
        }
    }

    /// Indices of the department groups.
    fn dept(&self) -> std::ops::Range<usize> {
        self.nb..self.g - self.na
    }

    /// Indices of the admin groups.
    fn admin(&self) -> std::ops::Range<usize> {
        self.g - self.na..self.g
    }
}

/// The nodes of a generated organisation, by role.
struct Nodes {
    /// Human accounts, each with whether it is an admin account.
    human: Vec<(NodeId, bool)>,
    services: Vec<NodeId>,
    groups: Vec<NodeId>,
    systems: Vec<NodeId>,
    stores: Vec<NodeId>,
}

/// Every node, named and numbered in a fixed order (people, their accounts, service accounts,
/// groups, systems, stores); people own their accounts.
fn add_nodes(m: &mut Model, s: &Sizes, privileged: &[bool]) -> Nodes {
    let p = privileged.len();
    let persons: Vec<NodeId> = (0..p)
        .map(|i| m.add_node(&pad("person", i, p), NodeKind::Person))
        .collect();
    let mut human = Vec::new(); // (account, privileged)
    for (i, &person) in persons.iter().enumerate() {
        let a = m.add_node(&pad("user", i, p), NodeKind::Account);
        m.links.push(link(person, a, LinkKind::Owns));
        human.push((a, false));
        if privileged[i] {
            let adm = m.add_node(&format!("{}-adm", pad("user", i, p)), NodeKind::Account);
            m.links.push(link(person, adm, LinkKind::Owns));
            human.push((adm, true));
        }
    }
    let services: Vec<NodeId> = (0..s.v)
        .map(|i| {
            let a = m.add_node(&pad("svc", i, s.v), NodeKind::Account);
            m.account_kind[a as usize] = AccountKind::Service;
            a
        })
        .collect();
    let groups: Vec<NodeId> = (0..s.g)
        .map(|r| {
            let name = if r < s.nb {
                pad("all-staff", r, s.nb)
            } else if r >= s.g - s.na {
                pad("admins", r - (s.g - s.na), s.na)
            } else {
                pad("dept", r - s.nb, s.g - s.nb - s.na)
            };
            m.add_node(&name, NodeKind::Group)
        })
        .collect();
    let systems: Vec<NodeId> = (0..s.y)
        .map(|i| m.add_node(&pad("system", i, s.y), NodeKind::System))
        .collect();
    let stores: Vec<NodeId> = (0..s.d)
        .map(|i| {
            let name = if i < s.ordinary {
                pad("store", i, s.ordinary)
            } else if i < s.ordinary + s.lakes {
                pad("lake", i - s.ordinary, s.lakes)
            } else {
                pad("backup", i - s.ordinary - s.lakes, s.backups)
            };
            m.add_node(&name, NodeKind::Store)
        })
        .collect();
    Nodes {
        human,
        services,
        groups,
        systems,
        stores,
    }
}

/// Store contents: ordinary stores hold one or two sets of lognormal volume, lakes take
/// behaviour data, backups hold only what flows in. Returns the ordinary stores whose
/// heaviest category weighs at most 3 (at least one), for the all-staff groups.
fn fill_stores(m: &mut Model, rng: &mut Rng, s: &Sizes, stores: &[NodeId]) -> Vec<usize> {
    let mut low_weight = Vec::new();
    for (i, &store) in stores.iter().enumerate().take(s.ordinary) {
        let total = 10f64.powf(rng.normal(4.5, 1.3).clamp(2.0, 8.0));
        let retention = RETENTIONS[rng.below(RETENTIONS.len())];
        m.store_policy[store as usize].retention_days = Some(retention);
        let sets = 1 + rng.chance(0.4) as usize;
        let mut max_weight: f64 = 0.0;
        for _ in 0..sets {
            let (category, weight) = CATEGORIES[rng.below(CATEGORIES.len() - 1)];
            max_weight = max_weight.max(weight);
            let amount = if rng.chance(0.2) {
                Amount::Count((total / sets as f64).round().max(1.0) as u64)
            } else {
                Amount::PerDay((total / sets as f64 / retention as f64).round().max(1.0) as u64)
            };
            m.record_sets.push(RecordSet {
                store,
                category: category.to_string(),
                amount,
                retention_days: None,
                subjects: Some(
                    if rng.chance(0.7) {
                        "employees"
                    } else {
                        "customers"
                    }
                    .into(),
                ),
                coverage: rng.p(0.05, 1.0),
            });
        }
        if max_weight <= 3.0 {
            low_weight.push(i);
        }
    }
    if low_weight.is_empty() {
        low_weight.push(0);
    }
    for &lake in &stores[s.ordinary..s.ordinary + s.lakes] {
        m.store_policy[lake as usize].retention_days = Some(730);
        m.record_sets.push(RecordSet {
            store: lake,
            category: "user.behavior".into(),
            amount: Amount::PerDay(1000 + rng.below(20_000) as u64),
            retention_days: Some(365),
            subjects: Some("employees".into()),
            coverage: 1.0,
        });
    }
    for &backup in &stores[s.ordinary + s.lakes..] {
        m.store_policy[backup as usize].retention_days = Some(90);
    }
    low_weight
}

/// Flows: ordinary stores into lakes and backups, lakes into backups.
fn add_flows(m: &mut Model, rng: &mut Rng, s: &Sizes, stores: &[NodeId]) {
    let (ordinary, lakes, backups) = (s.ordinary, s.lakes, s.backups);
    for &from in &stores[..ordinary] {
        if rng.chance(0.2) {
            let k = 1 + rng.chance(0.5) as usize;
            for l in rng.distinct(k, |r| r.below(lakes)) {
                m.flows.push(Flow {
                    from,
                    to: stores[ordinary + l],
                    categories: None,
                });
            }
        } else if rng.chance(0.1) {
            let b = stores[ordinary + lakes + rng.below(backups)];
            m.flows.push(Flow {
                from,
                to: b,
                categories: None,
            });
        }
    }
    for l in 0..lakes {
        let b = stores[ordinary + lakes + rng.below(backups)];
        m.flows.push(Flow {
            from: stores[ordinary + l],
            to: b,
            categories: None,
        });
    }
}

/// Zipf(s = 1) over the first `n` groups (all-staff and department groups).
struct Zipf {
    cum: Vec<f64>,
    total: f64,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut cum = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 0..n {
            acc += 1.0 / (r + 1) as f64;
            cum.push(acc);
        }
        Zipf { cum, total: acc }
    }

    fn draw(&self, r: &mut Rng) -> usize {
        let x = r.unit() * self.total;
        self.cum.partition_point(|&c| c < x).min(self.cum.len() - 1)
    }
}

/// Human accounts: MFA, and memberships (admin accounts in admin groups and a few others).
fn human_memberships(m: &mut Model, rng: &mut Rng, s: &Sizes, nodes: &Nodes, zipf: &Zipf) {
    let admin: Vec<usize> = s.admin().collect();
    let kdist = [0.15, 0.40, 0.65, 0.85, 1.0];
    for &(a, privileged) in &nodes.human {
        let targets = if privileged {
            m.mfa[a as usize] = if rng.chance(0.9) {
                Mfa::PhishingResistant
            } else {
                Mfa::None
            };
            let k = 1 + rng.chance(0.5) as usize;
            let mut t = rng.distinct(k, |r| admin[r.below(s.na)]);
            let extra = 1 + rng.below(3);
            t.extend(rng.distinct(extra, |r| zipf.draw(r)));
            t
        } else {
            m.mfa[a as usize] = if rng.chance(0.6) { Mfa::Otp } else { Mfa::None };
            let x = rng.unit();
            let k = 1 + kdist.partition_point(|&c| c < x);
            rng.distinct(k, |r| zipf.draw(r))
        };
        let mut seen = Vec::new();
        for gi in targets {
            if !seen.contains(&gi) {
                seen.push(gi);
                m.links.push(link(a, nodes.groups[gi], LinkKind::Member));
            }
        }
    }
}

/// Service accounts: memberships and store grants.
fn service_links(m: &mut Model, rng: &mut Rng, s: &Sizes, nodes: &Nodes) {
    let dept: Vec<usize> = s.dept().collect();
    let admin: Vec<usize> = s.admin().collect();
    for &svc in &nodes.services {
        let k = rng.below(3);
        let mut t = if dept.is_empty() {
            Vec::new()
        } else {
            rng.distinct(k, |r| dept[r.below(dept.len())])
        };
        if rng.chance(0.05) {
            let a = admin[rng.below(s.na)];
            if !t.contains(&a) {
                t.push(a);
            }
        }
        for gi in t {
            m.links.push(link(svc, nodes.groups[gi], LinkKind::Member));
        }
        let k = 1 + rng.below(8);
        for st in rng.distinct(k, |r| r.below(s.d)) {
            let access = grant_access(rng);
            let p = rng.p(0.7, 1.0);
            let used = last_used(rng);
            m.links.push(grant(svc, nodes.stores[st], access, p, used));
        }
    }
}

/// All-staff group `r`: read grants on low-weight stores.
fn all_staff_grants(m: &mut Model, rng: &mut Rng, nodes: &Nodes, r: usize, low_weight: &[usize]) {
    let gid = nodes.groups[r];
    let k = 1 + rng.below(5);
    for i in rng.distinct(k, |x| low_weight[x.below(low_weight.len())]) {
        let p = rng.p(0.6, 1.0);
        let used = last_used(rng);
        m.links
            .push(grant(gid, nodes.stores[i], Access::Read, p, used));
    }
}

/// Admin group `r`: sometimes nested in another admin group; admin grants on stores and
/// systems.
fn admin_group_links(m: &mut Model, rng: &mut Rng, s: &Sizes, nodes: &Nodes, r: usize) {
    let gid = nodes.groups[r];
    let admin: Vec<usize> = s.admin().collect();
    if s.na > 1 && rng.chance(0.5) {
        let mut parent = r;
        while parent == r {
            parent = admin[rng.below(s.na)];
        }
        m.links
            .push(link(gid, nodes.groups[parent], LinkKind::Member));
    }
    let k = 5 + rng.below(16);
    for i in rng.distinct(k, |x| x.below(s.d)) {
        let p = rng.p(0.6, 1.0);
        let used = last_used(rng);
        m.links
            .push(grant(gid, nodes.stores[i], Access::Admin, p, used));
    }
    let k = 2 + rng.below(19);
    for i in rng.distinct(k, |x| x.below(s.y)) {
        let p = rng.p(0.7, 1.0);
        let used = last_used(rng);
        m.links
            .push(grant(gid, nodes.systems[i], Access::Admin, p, used));
    }
}

/// Department group `r`: sometimes nested in another department or (rarely) an admin group;
/// store grants, and now and then administration of a system.
fn dept_group_links(m: &mut Model, rng: &mut Rng, s: &Sizes, nodes: &Nodes, r: usize) {
    let gid = nodes.groups[r];
    let dept: Vec<usize> = s.dept().collect();
    let mut parents = Vec::new();
    if dept.len() > 1 && rng.chance(0.30) {
        let mut parent = r;
        while parent == r {
            parent = dept[rng.below(dept.len())];
        }
        parents.push(parent);
    }
    if rng.chance(0.01) {
        parents.push(s.admin().start + rng.below(s.na));
    }
    parents.sort_unstable();
    parents.dedup();
    for parent in parents {
        m.links
            .push(link(gid, nodes.groups[parent], LinkKind::Member));
    }
    let k = 1 + (rng.exponential(7.0) as usize).min(s.d - 1);
    for i in rng.distinct(k, |x| x.below(s.d)) {
        let access = grant_access(rng);
        let p = rng.p(0.6, 1.0);
        let used = last_used(rng);
        m.links.push(grant(gid, nodes.stores[i], access, p, used));
    }
    if rng.chance(0.05) {
        let k = 1 + rng.chance(0.5) as usize;
        for i in rng.distinct(k, |x| x.below(s.y)) {
            let p = rng.p(0.7, 1.0);
            let used = last_used(rng);
            m.links
                .push(grant(gid, nodes.systems[i], Access::Admin, p, used));
        }
    }
}

/// Systems hold service credentials; a few config stores hold some too.
fn held_credentials(m: &mut Model, rng: &mut Rng, s: &Sizes, nodes: &Nodes) {
    for &svc in &nodes.services {
        let k = 1 + rng.below(3);
        for i in rng.distinct(k, |x| x.below(s.y)) {
            m.links
                .push(link(nodes.systems[i], svc, LinkKind::Credential));
        }
        if rng.chance(0.05) {
            m.links.push(link(
                nodes.stores[rng.below(s.ordinary.max(1))],
                svc,
                LinkKind::Credential,
            ));
        }
    }
}

/// Interactive sessions on systems expose some admin accounts.
fn sessions(m: &mut Model, rng: &mut Rng, nodes: &Nodes) {
    let admins: Vec<NodeId> = nodes
        .human
        .iter()
        .filter(|(_, p)| *p)
        .map(|(a, _)| *a)
        .collect();
    if admins.is_empty() {
        return;
    }
    for &sys in &nodes.systems {
        if rng.chance(0.1) {
            let a = admins[rng.below(admins.len())];
            let p = rng.p(0.3, 0.7);
            m.links.push(
                link(sys, a, LinkKind::Custom(Label::new("session_on_host"))).with_p(Some(p)),
            );
        }
    }
}

fn link(from: NodeId, to: NodeId, kind: LinkKind) -> Link {
    Link::new(from, to, kind)
}

fn grant(from: NodeId, to: NodeId, access: Access, p: f64, used: u32) -> Link {
    link(from, to, LinkKind::Grant(access))
        .with_p(Some(p))
        .with_last_used_days(Some(used))
}

fn grant_access(rng: &mut Rng) -> Access {
    let x = rng.unit();
    if x < 0.6 {
        Access::Read
    } else if x < 0.9 {
        Access::Write
    } else {
        Access::Admin
    }
}

fn last_used(rng: &mut Rng) -> u32 {
    (rng.exponential(60.0) as u32).min(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_workload() {
        let m = generate(2000, 1);
        let count = |k| m.nodes_of(k).count();
        assert_eq!(count(NodeKind::Person), 2000);
        let accounts = count(NodeKind::Account);
        // 2,000 regular + about 500 admin + 200 service accounts.
        assert!((2600..2800).contains(&accounts), "{accounts}");
        assert_eq!(count(NodeKind::Group), 100);
        assert_eq!(count(NodeKind::System), 40);
        assert_eq!(count(NodeKind::Store), 200);
    }

    #[test]
    fn same_seed_same_model() {
        let a = generate(300, 5);
        let b = generate(300, 5);
        assert_eq!(a.links.len(), b.links.len());
        assert_eq!(format!("{:?}", a.links), format!("{:?}", b.links));
        assert_ne!(
            format!("{:?}", generate(300, 6).links),
            format!("{:?}", a.links)
        );
    }
}
