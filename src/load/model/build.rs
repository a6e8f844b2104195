//! A build, phase by phase: raw entries and side files into a model, every reference and range
//! checked and every problem reported to the [`Source`].

use crate::load::csv_files::{par_rows, SideFile};
use crate::load::input::text_too_long;
use crate::load::raw::RawModel;
use crate::load::source::Source;
use crate::model::records::flow_order;
use std::sync::Mutex;

use crate::model::{Amount, Categories, Link, Model};

use super::builder::{Additions, Builder};
use super::declare::declare_nodes;
use super::entry::read_entry;
use super::lint::lint;
use super::money::read_money;
use super::scalars::{days, key_in, name_fits, non_negative, span};
use super::tables::{flatten_weights, read_probabilities, read_times};
use super::Lints;

/// Raw entries and side files → validated model. Problems go to `src`; the returned model is
/// only meaningful when `src` has no errors.
pub(super) fn build(raw: RawModel, side: Vec<SideFile>, src: &mut Source, warn: Lints) -> Model {
    let mut model = Model::default();
    // Size the links once: growing them copies tens of megabytes at 100k people.
    model.links.reserve(link_count(&raw, &side));
    let org = raw.org.clone().unwrap_or_default();
    for (field, text) in [("name", &org.name), ("description", &org.description)] {
        let Some(text) = text else { continue };
        if let Some(e) = text_too_long(&format!("the organisation's {field}"), text.get_ref()) {
            src.error(span(text), e);
        }
    }
    model.name = org
        .name
        .map_or_else(|| "unnamed organisation".into(), |n| n.into_inner().into());
    model.program_age_days = org
        .program_age_days
        .as_ref()
        .and_then(|v| days(src, v, "program_age_days"));

    // Nodes first, so that references may point forward.
    declare_nodes(&raw, &side, src, &mut model);
    read_tables(&raw, src, &mut model);
    check_entries(&raw, src, &mut model);
    check_side_rows(side, src, &mut model);
    read_notification(&raw, src, &mut model);
    read_money(raw.money.as_ref(), src, &mut model);
    model.entry = read_entry(src, raw.entry.as_ref());
    check_flows(src, &model);
    if warn == Lints::Run && !src.has_errors() {
        lint(&model, src);
    }
    model
}

/// At least how many links the entries and side files add.
fn link_count(raw: &RawModel, side: &[SideFile]) -> usize {
    let toml_links = raw.person.iter().map(|p| p.accounts.len()).sum::<usize>()
        + raw.account.iter().map(|a| a.groups.len()).sum::<usize>()
        + raw.group.iter().map(|g| g.groups.len()).sum::<usize>()
        + raw.membership.len()
        + raw
            .system
            .iter()
            .map(|s| s.credentials.len() + s.access.len())
            .sum::<usize>()
        + raw.store.iter().map(|s| s.credentials.len()).sum::<usize>()
        + raw.grant.len()
        + raw.edge.len();
    let side_links: usize = side
        .iter()
        .filter(|f| !matches!(f.table.name, "records" | "flow"))
        .map(|f| f.size.items)
        .sum();
    toml_links + side_links
}

/// `[categories]`, `[probabilities]`, `[times]` and `[populations]`.
fn read_tables(raw: &RawModel, src: &mut Source, model: &mut Model) {
    let mut weights = Vec::new();
    if let Some(table) = &raw.categories {
        flatten_weights(src, "", table, &mut weights);
    }
    model.categories = Categories::new(weights);
    if let Some(table) = &raw.probabilities {
        model.probabilities = read_probabilities(src, table);
    }
    if let Some(table) = &raw.times {
        model.times = read_times(src, table);
    }
    for (name, size) in raw.populations.iter().flatten() {
        let at = key_in(src.text(), name).or(span(size));
        if !name_fits(src, at, "a [populations] name", name) {
            continue;
        }
        if let Some(n) = non_negative(src, size, &format!("population `{name}`")) {
            model.populations.insert(name.clone(), n);
        }
    }
}

/// The TOML entries, kind by kind.
fn check_entries(raw: &RawModel, src: &mut Source, model: &mut Model) {
    let mut b = Builder::new(model);
    for p in &raw.person {
        b.person(src, p);
    }
    for a in &raw.account {
        b.account(src, a);
    }
    for g in &raw.group {
        b.group(src, g);
    }
    for m in &raw.membership {
        b.membership(src, m);
    }
    for s in &raw.system {
        b.system(src, s);
    }
    for s in &raw.store {
        b.store(src, s);
    }
    for g in &raw.grant {
        b.grant(src, g);
    }
    for e in &raw.edge {
        b.edge(src, e);
    }
    for f in &raw.flow {
        b.flow(src, f);
    }
    let toml = b.out;
    toml.add_to(model);
}

/// Side files in dependency order (a store's row before its record sets), each in parallel
/// pieces whose additions and problems are taken in file order as they are read. Each file's
/// text is freed once its rows are checked.
fn check_side_rows(side: Vec<SideFile>, src: &mut Source, model: &mut Model) {
    for side_file in side {
        // Rows of node tables were read once already, to declare their nodes, and their
        // malformed rows reported then.
        let report = side_file.table.declares.is_none();
        let table = side_file.table;
        // The model's links (room made for all of them) take each piece's as it comes.
        let mut added = Additions {
            links: std::mem::take(&mut model.links),
            ..Additions::default()
        };
        // Accounts' kinds and MFA (which no check reads) go straight into the model's lists as
        // each piece is taken, instead of being gathered for the whole file first: 11 MB at a
        // million people, held at the load's peak.
        let mut account_kind = std::mem::take(&mut model.account_kind);
        let mut mfa = std::mem::take(&mut model.mfa);
        if table.name != "account" {
            added.reserve_rows(table.name, side_file.size.rows);
        }
        // The emptied link lists of pieces taken, for the next pieces to fill: their memory is
        // written again instead of freed and touched afresh (a fault per page).
        let spare: Mutex<Vec<Vec<Link>>> = Mutex::default();
        let nodes: &Model = model;
        par_rows(
            &side_file,
            report,
            |size| {
                let links = spare
                    .lock()
                    .ok()
                    .and_then(|mut s| s.pop())
                    .unwrap_or_default();
                Builder::with_room(nodes, table.name, size, links)
            },
            |b, problems, row, at| {
                if let Some(row) = (table.parse)(problems, row, at) {
                    b.side_row(problems, &row);
                    row.recycle();
                }
            },
            |mut b, problems| {
                problems.add_to(src);
                for (n, kind, m) in b.out.accounts.drain(..) {
                    account_kind[n as usize] = kind;
                    mfa[n as usize] = m;
                }
                added.append(&mut b.out);
                if let Ok(mut s) = spare.lock() {
                    s.push(b.out.links);
                }
            },
        );
        model.account_kind = account_kind;
        model.mfa = mfa;
        added.add_to(model);
        side_file.release(src);
    }
}

/// `[notification]`: regimes and the category prefixes they cover, warned of when no record
/// set falls under a prefix.
fn read_notification(raw: &RawModel, src: &mut Source, model: &mut Model) {
    for (regime, prefixes) in raw.notification.iter().flatten() {
        let at = key_in(src.text(), regime);
        if !name_fits(src, at, "a [notification] regime", regime) {
            continue;
        }
        let mut list = Vec::new();
        for p in prefixes {
            let prefix = p.get_ref();
            if !name_fits(src, span(p), "a [notification] category", prefix) {
                continue;
            }
            if !model
                .record_sets
                .iter()
                .any(|s| crate::model::category_matches(&s.category, prefix))
            {
                src.warning(
                    span(p),
                    format!("notification regime `{regime}`: no record set has a category under `{prefix}`"),
                );
            }
            list.push(prefix.clone());
        }
        model.notification.insert(regime.clone(), list);
    }
}

/// Flows: copies into a store without retention need the programme age, and flows may not
/// form a cycle.
pub(super) fn check_flows(src: &mut Source, model: &Model) {
    if model.program_age_days.is_none() {
        let rate_sets = model
            .record_sets
            .iter()
            .any(|s| matches!(s.amount, Amount::PerDay(_)));
        for f in &model.flows {
            if rate_sets && model.store_policy[f.to as usize].retention_days.is_none() {
                src.error(
                    None,
                    format!(
                        "store `{}` receives flowed records but has no retention_days, and [org] has no program_age_days to bound them",
                        model.id(f.to)
                    ),
                );
            }
        }
    }

    if let Err(cycle) = flow_order(model) {
        let mut names: Vec<&str> = cycle.iter().map(|&s| model.id(s)).collect();
        names.push(names[0]);
        src.error(None, format!("flows form a cycle: {}", names.join(" → ")));
    }
}
