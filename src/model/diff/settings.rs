//! The changes `diff` finds outside links, record sets and flows: the organisation's name,
//! the `[probabilities]` and `[times]` tables, `program_age_days`, `[money]`, `[entry]`, and each node's
//! account kind and display name. A table is one change (its description lists every entry that differs), so its
//! effect alone is the whole table's.

use std::collections::BTreeMap;

use super::pairing::Pairing;
use super::{Op, Status};
use crate::model::entry::EntryVectors;
use crate::model::money::Money;
use crate::model::{AccountKind, Model, NodeKind, Probabilities, Times};

/// Adds to `push` every change of these fields from `old` to `new`, in a fixed order (the
/// organisation's name, tables, program age, money, then account kinds and names by id).
pub(super) fn changes(
    old: &Model,
    new: &Model,
    pairing: &Pairing,
    push: &mut impl FnMut(Status, &'static str, String, Op),
) {
    if old.name != new.name {
        let d = format!("org name: \"{}\" → \"{}\"", old.name, new.name);
        push(
            Status::Changed,
            "org_name",
            d,
            Op::OrgName(new.name.clone()),
        );
    }
    if old.probabilities != new.probabilities {
        let d = entries(&probability_entries(&old.probabilities), &{
            probability_entries(&new.probabilities)
        });
        let op = Op::Probabilities(Box::new(new.probabilities.clone()));
        push(
            Status::Changed,
            "probabilities",
            format!("probabilities: {d}"),
            op,
        );
    }
    if old.times != new.times {
        let d = entries(&time_entries(&old.times), &time_entries(&new.times));
        let op = Op::Times(Box::new(new.times.clone()));
        push(Status::Changed, "times", format!("times: {d}"), op);
    }
    if old.program_age_days != new.program_age_days {
        let d = |x: Option<u32>| x.map_or("none".into(), |v| format!("{v} days"));
        let description = format!(
            "program_age_days: {} → {}",
            d(old.program_age_days),
            d(new.program_age_days)
        );
        let status = super::keyed_status(old.program_age_days, new.program_age_days);
        push(
            status,
            "program_age",
            description,
            Op::ProgramAge(new.program_age_days),
        );
    }
    if old.money != new.money {
        let none = BTreeMap::new();
        let (o, n) = (
            old.money.as_ref().map(money_entries),
            new.money.as_ref().map(money_entries),
        );
        let d = entries(o.as_ref().unwrap_or(&none), n.as_ref().unwrap_or(&none));
        let status = super::keyed_status(old.money.as_ref(), new.money.as_ref());
        let op = Op::Money(new.money.clone().map(Box::new));
        push(status, "money", format!("money: {d}"), op);
    }
    if old.entry != new.entry {
        let d = entries(&entry_entries(&old.entry), &entry_entries(&new.entry));
        let status = super::keyed_status(
            (!old.entry.is_empty()).then_some(()),
            (!new.entry.is_empty()).then_some(()),
        );
        let op = Op::Entry(Box::new(new.entry.clone()));
        push(status, "entry", format!("entry: {d}"), op);
    }
    node_fields(old, new, pairing, push);
}

/// Account kinds and display names of the nodes both versions have, by id.
fn node_fields(
    old: &Model,
    new: &Model,
    pairing: &Pairing,
    push: &mut impl FnMut(Status, &'static str, String, Op),
) {
    for p in &pairing.pairs {
        let Some((a, b)) = p.both() else {
            continue;
        };
        let id = p.id;
        if new.kind(b) == NodeKind::Account {
            let (x, y) = (old.account_kind[a as usize], new.account_kind[b as usize]);
            if x != y {
                let d = format!("account kind {id}: {} → {}", kind(x), kind(y));
                push(
                    Status::Changed,
                    "account_kind",
                    d,
                    Op::AccountKind(id.into(), y),
                );
            }
        }
        let (x, y) = (old.name_of(a), new.name_of(b));
        if x != y {
            let q = |v: Option<&str>| v.map_or("none".into(), |v| format!("\"{v}\""));
            let d = format!("name {id}: {} → {}", q(x), q(y));
            let op = Op::Name(id.into(), y.map(str::to_string));
            push(super::keyed_status(x, y), "name", d, op);
        }
    }
}

fn kind(k: AccountKind) -> &'static str {
    match k {
        AccountKind::Human => "human",
        AccountKind::Service => "service",
    }
}

/// "credential_none 0.6 → 0.3, custom.AdminTo none → 0.5": the entries that differ.
fn entries(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> String {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let none = "none".to_string();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| {
            let (x, y) = (old.get(k).unwrap_or(&none), new.get(k).unwrap_or(&none));
            format!("{k} {x} → {y}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn probability_entries(p: &Probabilities) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = p
        .named()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in &p.custom {
        m.insert(format!("custom.{k}"), v.to_string());
    }
    m
}

fn time_entries(t: &Times) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = t
        .named()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in &t.custom {
        m.insert(format!("custom.{k}"), v.to_string());
    }
    m.insert("distribution".into(), t.distribution.as_str().to_string());
    m
}

/// Each vector's probability per MFA level (and for service accounts), as `phishing.none`.
fn entry_entries(e: &EntryVectors) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, v) in &e.by_name {
        for (level, p) in ["none", "otp", "phishing_resistant"].iter().zip(v.by_mfa) {
            out.insert(format!("{name}.{level}"), p.to_string());
        }
        if let Some(p) = v.service {
            out.insert(format!("{name}.service"), p.to_string());
        }
    }
    out
}

fn money_entries(m: &Money) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("currency".to_string(), m.currency.clone());
    out.insert("per_incident".to_string(), m.per_incident.to_string());
    for (k, v) in &m.per_record {
        out.insert(format!("per_record.{k}"), v.to_string());
    }
    for (k, v) in &m.per_person {
        out.insert(format!("per_person.{k}"), v.to_string());
    }
    out
}
