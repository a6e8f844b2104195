//! Writing a model back to files: `model.toml`, and for large models CSV side files beside it
//! (the format [`super::load_model`] reads). Used by `generate` and the importers. The same
//! model always gives the same bytes.
//!
//! Design overlays (per-store scaling, dropped categories, per-category retention) and
//! probability overrides on owns, member and credential links have no file form and are not
//! written; models built by loaders and generators have none.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::Result;
use crate::model::{AccountKind, Amount, LinkKind, Model, NodeId, NodeKind};
use crate::output::write::write_atomic;

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
        let id = q(model.id(n));
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
                let access: Vec<String> = model
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
                    .collect();
                let _ = writeln!(
                    toml,
                    "\n[[system]]\nid = {id}\ncredentials = {}\naccess = [{}]",
                    list(&o.credential[n as usize]),
                    access.join(", ")
                );
            }
            NodeKind::Store => {
                let policy = &model.store_policy[n as usize];
                let records: Vec<String> = model
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
                            let _ =
                                write!(s, ", subjects = {}, coverage = {}", q(p), num(r.coverage));
                        }
                        s.push_str(" }");
                        s
                    })
                    .collect();
                let _ = writeln!(toml, "\n[[store]]\nid = {id}");
                if let Some(d) = policy.retention_days {
                    let _ = writeln!(toml, "retention_days = {d}");
                }
                let _ = writeln!(
                    toml,
                    "records = [{}]\ncredentials = {}",
                    records.join(", "),
                    list(&o.credential[n as usize])
                );
            }
        }
    }
    for l in &model.links {
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
                if let Some(p) = l.p() {
                    let _ = writeln!(toml, "p = {}", num(p));
                }
                if let Some(t) = l.time() {
                    let _ = writeln!(toml, "time = {}", num(t));
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
                if let Some(p) = l.p() {
                    let _ = writeln!(toml, "p = {}", num(p));
                }
                if let Some(t) = l.time() {
                    let _ = writeln!(toml, "time = {}", num(t));
                }
            }
            _ => {}
        }
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

/// A CSV cell: quoted when it holds a separator, a quote or a line break.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn save_csv(model: &Model, dir: &Path, mut toml: String, o: &Outgoing) -> Result<()> {
    let mut people = String::from("id,accounts\n");
    let mut accounts = String::from("id,kind,mfa,groups\n");
    let mut groups = String::from("id,groups\n");
    let mut systems = String::from("id,credentials\n");
    let mut stores = String::from("id,retention_days,credentials\n");
    for n in 0..model.node_count() as NodeId {
        let id = cell(model.id(n));
        let i = n as usize;
        match model.kind(n) {
            NodeKind::Person => {
                let _ = writeln!(people, "{id},{}", cell(&o.owns[i].join(";")));
            }
            NodeKind::Account => {
                let _ = writeln!(
                    accounts,
                    "{id},{},{},{}",
                    account_kind(model, n),
                    model.mfa[i].as_str(),
                    cell(&o.member[i].join(";"))
                );
            }
            NodeKind::Group => {
                let _ = writeln!(groups, "{id},{}", cell(&o.member[i].join(";")));
            }
            NodeKind::System => {
                let _ = writeln!(systems, "{id},{}", cell(&o.credential[i].join(";")));
            }
            NodeKind::Store => {
                let _ = writeln!(
                    stores,
                    "{id},{},{}",
                    opt(model.store_policy[i].retention_days),
                    cell(&o.credential[i].join(";"))
                );
            }
        }
    }
    let mut records =
        String::from("store,category,count,per_day,retention_days,subjects,coverage\n");
    for r in &model.record_sets {
        let (count, per_day) = match r.amount {
            Amount::Count(c) => (Some(c), None),
            Amount::PerDay(d) => (None, Some(d)),
        };
        let _ = writeln!(
            records,
            "{},{},{},{},{},{},{}",
            cell(model.id(r.store)),
            cell(&r.category),
            opt(count),
            opt(per_day),
            opt(r.retention_days),
            r.subjects.as_deref().map(cell).unwrap_or_default(),
            if r.subjects.is_some() {
                num(r.coverage)
            } else {
                String::new()
            }
        );
    }
    let mut grants = String::from("principal,target,access,last_used_days,p,time\n");
    let mut access = String::from("system,store,access,p,time\n");
    let mut edges = String::from("from,to,kind,p,time\n");
    for l in &model.links {
        let (from, to) = (cell(model.id(l.from)), cell(model.id(l.to)));
        let p = l.p().map(num).unwrap_or_default();
        let t = l.time().map(num).unwrap_or_default();
        match &l.kind {
            LinkKind::Grant(a) => {
                let _ = writeln!(
                    grants,
                    "{from},{to},{},{},{p},{t}",
                    a.as_str(),
                    opt(l.last_used_days())
                );
            }
            LinkKind::Access(a) => {
                let _ = writeln!(access, "{from},{to},{},{p},{t}", a.as_str());
            }
            LinkKind::Custom(k) => {
                let _ = writeln!(edges, "{from},{to},{},{p},{t}", cell(k));
            }
            _ => {}
        }
    }
    let mut flows = String::from("from,to,categories\n");
    for f in &model.flows {
        let _ = writeln!(
            flows,
            "{},{},{}",
            cell(model.id(f.from)),
            cell(model.id(f.to)),
            f.categories
                .as_ref()
                .map(|c| cell(&c.join(";")))
                .unwrap_or_default()
        );
    }
    let files = [
        ("person", "people.csv", people),
        ("account", "accounts.csv", accounts),
        ("group", "groups.csv", groups),
        ("system", "systems.csv", systems),
        ("access", "access.csv", access),
        ("store", "stores.csv", stores),
        ("records", "records.csv", records),
        ("grant", "grants.csv", grants),
        ("flow", "flows.csv", flows),
        ("edge", "edges.csv", edges),
    ];
    let _ = writeln!(toml, "\n[csv]");
    for (table, file, text) in &files {
        let _ = writeln!(toml, "{table} = {}", q(file));
        write_atomic(&dir.join(file), text.as_bytes())?;
    }
    write_atomic(&dir.join("model.toml"), toml.as_bytes())
}
