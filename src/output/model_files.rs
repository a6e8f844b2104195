//! Writing a model back to files: `model.toml`, and for large models CSV side files beside it
//! (the format [`crate::load::load_model`] reads; the side files' names and columns are those
//! of [`SIDE_TABLES`]). Used by `generate` and the importers. The same model always gives the
//! same bytes.
//!
//! Design overlays (per-store scaling, dropped categories, per-category retention) and
//! probability overrides on owns, member and credential links have no file form and are not
//! written; models built by loaders and generators have none.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::Result;
use crate::load::side_tables::{side_table, SideTable, SIDE_TABLES};
use crate::model::{AccountKind, Amount, LinkKind, Model, NodeId, NodeKind};
use crate::output::csv::cell;
use crate::output::write::{write_all_atomic, write_atomic};

/// A TOML basic string. JSON's escaping is TOML's, except that TOML also forbids a raw DEL
/// (U+007F), which JSON leaves as it is.
fn q(s: &str) -> String {
    serde_json::to_string(s)
        .expect("strings serialise")
        .replace('\u{7f}', "\\u007F")
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// Per node: the ids its links of one kind point to, by kind.
struct Outgoing {
    owns: Vec<Vec<String>>,
    member: Vec<Vec<String>>,
    credential: Vec<Vec<String>>,
}

fn outgoing(model: &Model) -> Outgoing {
    let n = model.node_count();
    let mut o = Outgoing {
        owns: vec![Vec::new(); n],
        member: vec![Vec::new(); n],
        credential: vec![Vec::new(); n],
    };
    for l in &model.links {
        let to = model.id(l.to).to_string();
        match l.kind {
            LinkKind::Owns => o.owns[l.from as usize].push(to),
            LinkKind::Member => o.member[l.from as usize].push(to),
            LinkKind::Credential => o.credential[l.from as usize].push(to),
            _ => {}
        }
    }
    o
}

fn header(model: &Model) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "[org]\nname = {}", q(&model.name));
    if let Some(a) = model.program_age_days {
        let _ = writeln!(s, "program_age_days = {a}");
    }
    if !model.populations.is_empty() {
        let _ = writeln!(s, "\n[populations]");
        for (k, v) in &model.populations {
            let _ = writeln!(s, "{} = {v}", q(k));
        }
    }
    if !model.notification.is_empty() {
        let _ = writeln!(s, "\n[notification]");
        for (k, v) in &model.notification {
            let _ = writeln!(s, "{} = {}", q(k), list(v));
        }
    }
    if let Some(m) = &model.money {
        let _ = writeln!(
            s,
            "\n[money]\ncurrency = {}\nper_incident = {}",
            q(&m.currency),
            num(m.per_incident)
        );
        let _ = writeln!(s, "[money.per_record]");
        for (k, x) in &m.per_record {
            let _ = writeln!(s, "{} = {}", q(k), num(*x));
        }
        let _ = writeln!(s, "[money.per_person]");
        for (k, x) in &m.per_person {
            let _ = writeln!(s, "{} = {}", q(k), num(*x));
        }
    }
    if !model.entry.is_empty() {
        let _ = writeln!(s, "\n[entry]");
        for (k, v) in &model.entry.by_name {
            let [none, otp, pr] = v.by_mfa;
            let service = v
                .service
                .map_or(String::new(), |x| format!(", service = {}", num(x)));
            let _ = writeln!(
                s,
                "{} = {{ none = {}, otp = {}, phishing_resistant = {}{service} }}",
                q(k),
                num(none),
                num(otp),
                num(pr)
            );
        }
    }
    let _ = writeln!(s, "\n[categories]");
    for (k, w) in model.categories.declared() {
        let _ = writeln!(s, "{} = {}", q(k), num(*w));
    }
    let p = &model.probabilities;
    let _ = writeln!(
        s,
        "\n[probabilities]\nowns = {}\nmember = {}\ngrant = {}\naccess = {}\nedge = {}\ncredential = {{ none = {}, otp = {}, phishing_resistant = {} }}",
        num(p.owns), num(p.member), num(p.grant), num(p.access), num(p.edge),
        num(p.credential_none), num(p.credential_otp), num(p.credential_phishing_resistant)
    );
    for (k, v) in &p.custom {
        let _ = writeln!(s, "{} = {}", q(k), num(*v));
    }
    let t = &model.times;
    let _ = writeln!(
        s,
        "\n[times]\nowns = {}\nmember = {}\ngrant = {}\naccess = {}\ncredential = {}\nedge = {}\ndistribution = {}",
        num(t.owns), num(t.member), num(t.grant), num(t.access), num(t.credential), num(t.edge),
        q(t.distribution.as_str())
    );
    for (k, v) in &t.custom {
        let _ = writeln!(s, "{} = {}", q(k), num(*v));
    }
    s
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

fn account_kind(model: &Model, n: NodeId) -> &'static str {
    match model.account_kind[n as usize] {
        AccountKind::Human => "human",
        AccountKind::Service => "service",
    }
}

/// Writes `model` as `dir/model.toml`; with `csv`, nodes and links go to CSV side files.
pub fn save_model(model: &Model, dir: &Path, csv: bool) -> Result<()> {
    let o = outgoing(model);
    let mut toml = header(model);
    if csv {
        return save_csv(model, dir, toml, &o);
    }
    for n in 0..model.node_count() as NodeId {
        toml_node(&mut toml, model, &o, n);
    }
    for l in &model.links {
        toml_link(&mut toml, model, l);
    }
    for f in &model.flows {
        let _ = writeln!(
            toml,
            "\n[[flow]]\nfrom = {}\nto = {}",
            q(model.id(f.from)),
            q(model.id(f.to))
        );
        if let Some(c) = &f.categories {
            let _ = writeln!(toml, "categories = {}", list(c));
        }
    }
    write_atomic(&dir.join("model.toml"), toml.as_bytes())
}

/// The TOML entry of node `n`.
fn toml_node(toml: &mut String, model: &Model, o: &Outgoing, n: NodeId) {
    let mut id = q(model.id(n));
    if let Some(name) = model.name_of(n) {
        let _ = write!(id, "\nname = {}", q(name));
    }
    match model.kind(n) {
        NodeKind::Person => {
            let _ = writeln!(
                toml,
                "\n[[person]]\nid = {id}\naccounts = {}",
                list(&o.owns[n as usize])
            );
        }
        NodeKind::Account => {
            let _ = writeln!(
                toml,
                "\n[[account]]\nid = {id}\nkind = {}\nmfa = {}\ngroups = {}",
                q(account_kind(model, n)),
                q(model.mfa[n as usize].as_str()),
                list(&o.member[n as usize])
            );
        }
        NodeKind::Group => {
            let _ = writeln!(
                toml,
                "\n[[group]]\nid = {id}\ngroups = {}",
                list(&o.member[n as usize])
            );
        }
        NodeKind::System => {
            let _ = writeln!(
                toml,
                "\n[[system]]\nid = {id}\ncredentials = {}\naccess = [{}]",
                list(&o.credential[n as usize]),
                toml_access(model, n).join(", ")
            );
        }
        NodeKind::Store => {
            let _ = writeln!(toml, "\n[[store]]\nid = {id}");
            if let Some(d) = model.store_policy[n as usize].retention_days {
                let _ = writeln!(toml, "retention_days = {d}");
            }
            let _ = writeln!(
                toml,
                "records = [{}]\ncredentials = {}",
                toml_records(model, n).join(", "),
                list(&o.credential[n as usize])
            );
        }
    }
}

/// The inline tables of system `n`'s `access` list.
fn toml_access(model: &Model, n: NodeId) -> Vec<String> {
    model
        .links
        .iter()
        .filter(|l| l.from == n)
        .filter_map(|l| match l.kind {
            LinkKind::Access(a) => Some(format!(
                "{{ store = {}, access = {}{}{} }}",
                q(model.id(l.to)),
                q(a.as_str()),
                l.p().map_or(String::new(), |p| format!(", p = {}", num(p))),
                l.time()
                    .map_or(String::new(), |t| format!(", time = {}", num(t)))
            )),
            _ => None,
        })
        .collect()
}

/// The inline tables of store `n`'s `records` list.
fn toml_records(model: &Model, n: NodeId) -> Vec<String> {
    model
        .record_sets
        .iter()
        .filter(|r| r.store == n)
        .map(|r| {
            let mut s = format!("{{ category = {}", q(&r.category));
            match r.amount {
                Amount::Count(c) => {
                    let _ = write!(s, ", count = {c}");
                }
                Amount::PerDay(d) => {
                    let _ = write!(s, ", per_day = {d}");
                }
            }
            if let Some(d) = r.retention_days {
                let _ = write!(s, ", retention_days = {d}");
            }
            if let Some(p) = &r.subjects {
                let _ = write!(s, ", subjects = {}, coverage = {}", q(p), num(r.coverage));
            }
            s.push_str(" }");
            s
        })
        .collect()
}

/// The TOML entry of a grant or custom edge (other links are written with their nodes).
fn toml_link(toml: &mut String, model: &Model, l: &crate::model::Link) {
    match &l.kind {
        LinkKind::Grant(a) => {
            let _ = writeln!(
                toml,
                "\n[[grant]]\nprincipal = {}\ntarget = {}\naccess = {}",
                q(model.id(l.from)),
                q(model.id(l.to)),
                q(a.as_str())
            );
            if let Some(d) = l.last_used_days() {
                let _ = writeln!(toml, "last_used_days = {d}");
            }
        }
        LinkKind::Custom(k) => {
            let _ = writeln!(
                toml,
                "\n[[edge]]\nfrom = {}\nto = {}\nkind = {}",
                q(model.id(l.from)),
                q(model.id(l.to)),
                q(k)
            );
        }
        _ => return,
    }
    if let Some(p) = l.p() {
        let _ = writeln!(toml, "p = {}", num(p));
    }
    if let Some(t) = l.time() {
        let _ = writeln!(toml, "time = {}", num(t));
    }
}

/// A side file being written: its table's header, then rows of the table's columns.
struct SideText {
    table: &'static SideTable,
    /// How many of the table's columns are written.
    width: usize,
    text: String,
}

impl SideText {
    fn new(name: &str) -> SideText {
        let table = side_table(name).expect("the writer writes side tables only");
        SideText {
            table,
            width: table.columns.len(),
            text: format!("{}\n", table.columns.join(",")),
        }
    }

    /// A table of nodes, with its last column (`name`) only when `named`.
    fn of_nodes(name: &str, named: bool) -> SideText {
        let mut t = SideText::new(name);
        debug_assert_eq!(t.table.columns.last(), Some(&"name"));
        if !named {
            t.width -= 1;
            t.text = format!("{}\n", t.table.columns[..t.width].join(","));
        }
        t
    }

    /// A row: `cells` (already written as CSV cells) in the order of the table's columns; a
    /// table written without its last column leaves that cell out.
    fn row(&mut self, cells: &[&str]) {
        debug_assert_eq!(cells.len(), self.table.columns.len(), "{}", self.table.name);
        for (i, c) in cells[..self.width].iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            self.text.push_str(c);
        }
        self.text.push('\n');
    }
}

fn save_csv(model: &Model, dir: &Path, mut toml: String, o: &Outgoing) -> Result<()> {
    let mut files = node_rows(model, o);
    files.push(record_rows(model));
    files.extend(link_rows(model));
    files.push(flow_rows(model));
    files.sort_by_key(|f| SIDE_TABLES.iter().position(|t| t.name == f.table.name));
    debug_assert_eq!(
        files.len(),
        SIDE_TABLES.iter().filter(|t| t.file.is_some()).count()
    );
    let _ = writeln!(toml, "\n[csv]");
    let mut set = Vec::with_capacity(files.len() + 1);
    for f in &files {
        let file = f.table.file.expect("tables the writer writes have a file");
        let _ = writeln!(toml, "{} = {}", f.table.name, q(file));
        set.push((dir.join(file), f.text.as_bytes()));
    }
    // One set: a failure (a full disk) leaves the earlier model's files all as they were.
    set.push((dir.join("model.toml"), toml.as_bytes()));
    write_all_atomic(&set)
}

/// The tables of nodes: people, accounts, groups, systems and stores, with the owns, member
/// and credential links each lists.
fn node_rows(model: &Model, o: &Outgoing) -> Vec<SideText> {
    // A table has a `name` column only when one of its nodes has a name.
    let named = |kind: NodeKind| model.names.keys().any(|&n| model.kind(n) == kind);
    let mut people = SideText::of_nodes("person", named(NodeKind::Person));
    let mut accounts = SideText::of_nodes("account", named(NodeKind::Account));
    let mut groups = SideText::of_nodes("group", named(NodeKind::Group));
    let mut systems = SideText::of_nodes("system", named(NodeKind::System));
    let mut stores = SideText::of_nodes("store", named(NodeKind::Store));
    for n in 0..model.node_count() as NodeId {
        let id = cell(model.id(n));
        let name = model.name_of(n).map(cell).unwrap_or_default();
        let i = n as usize;
        match model.kind(n) {
            NodeKind::Person => people.row(&[&id, &cell(&o.owns[i].join(";")), &name]),
            NodeKind::Account => accounts.row(&[
                &id,
                account_kind(model, n),
                model.mfa[i].as_str(),
                &cell(&o.member[i].join(";")),
                &name,
            ]),
            NodeKind::Group => groups.row(&[&id, &cell(&o.member[i].join(";")), &name]),
            NodeKind::System => {
                systems.row(&[&id, &cell(&o.credential[i].join(";")), &name]);
            }
            NodeKind::Store => stores.row(&[
                &id,
                &opt(model.store_policy[i].retention_days),
                &cell(&o.credential[i].join(";")),
                &name,
            ]),
        }
    }
    vec![people, accounts, groups, systems, stores]
}

fn record_rows(model: &Model) -> SideText {
    let mut records = SideText::new("records");
    for r in &model.record_sets {
        let (count, per_day) = match r.amount {
            Amount::Count(c) => (Some(c), None),
            Amount::PerDay(d) => (None, Some(d)),
        };
        let coverage = if r.subjects.is_some() {
            num(r.coverage)
        } else {
            String::new()
        };
        records.row(&[
            &cell(model.id(r.store)),
            &cell(&r.category),
            &opt(count),
            &opt(per_day),
            &opt(r.retention_days),
            &r.subjects.as_deref().map(cell).unwrap_or_default(),
            &coverage,
        ]);
    }
    records
}

/// The tables of grants, system access and custom edges.
fn link_rows(model: &Model) -> [SideText; 3] {
    let mut grants = SideText::new("grant");
    let mut access = SideText::new("access");
    let mut edges = SideText::new("edge");
    for l in &model.links {
        let (from, to) = (cell(model.id(l.from)), cell(model.id(l.to)));
        let p = l.p().map(num).unwrap_or_default();
        let t = l.time().map(num).unwrap_or_default();
        match &l.kind {
            LinkKind::Grant(a) => {
                grants.row(&[&from, &to, a.as_str(), &opt(l.last_used_days()), &p, &t]);
            }
            LinkKind::Access(a) => access.row(&[&from, &to, a.as_str(), &p, &t]),
            LinkKind::Custom(k) => edges.row(&[&from, &to, &cell(k), &p, &t]),
            _ => {}
        }
    }
    [grants, access, edges]
}

fn flow_rows(model: &Model) -> SideText {
    let mut flows = SideText::new("flow");
    for f in &model.flows {
        let categories = f
            .categories
            .as_ref()
            .map(|c| cell(&c.join(";")))
            .unwrap_or_default();
        flows.row(&[&cell(model.id(f.from)), &cell(model.id(f.to)), &categories]);
    }
    flows
}
