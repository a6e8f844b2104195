//! `[money]` (DESIGN.md "Money"): the currency, the cost of an incident, per record by category
//! prefix and per notifiable person by regime, each figure checked at its position.

use toml::Spanned;

use crate::error::did_you_mean;
use crate::load::raw::RawMoney;
use crate::load::source::Source;
use crate::model::money::{is_currency_code, Money};
use crate::model::Model;

use super::scalars::{key_in, name_fits, span};

/// A sum of money: finite and 0 or more.
fn amount(src: &mut Source, v: &Spanned<f64>, what: &str) -> Option<f64> {
    let x = *v.get_ref();
    if x.is_finite() && x >= 0.0 {
        Some(x)
    } else {
        src.error(
            span(v),
            format!("[money] {what} must be a finite amount, 0 or more, not {x}"),
        );
        None
    }
}

/// Reads `[money]` after `[notification]`, whose regimes `per_person` must name.
pub(super) fn read_money(raw: Option<&RawMoney>, src: &mut Source, model: &mut Model) {
    let Some(raw) = raw else { return };
    let currency = match &raw.currency {
        Some(c) if !is_currency_code(c.get_ref()) => {
            src.error(
                span(c),
                format!(
                    "[money] currency must be an ISO 4217 code of three capital letters (\"USD\", \"EUR\"), not \"{}\"",
                    c.get_ref()
                ),
            );
            String::new()
        }
        Some(c) => c.get_ref().clone(),
        None => "USD".to_string(),
    };
    let per_incident = raw
        .per_incident
        .as_ref()
        .and_then(|v| amount(src, v, "per_incident"))
        .unwrap_or(0.0);
    let mut per_record = Vec::new();
    for (category, v) in raw.per_record.iter().flatten() {
        let at = key_in(src.text(), category).or(span(v));
        if !name_fits(src, at, "a [money.per_record] category", category) {
            continue;
        }
        if let Some(x) = amount(src, v, &format!("per_record `{category}`")) {
            per_record.push((category.clone(), x));
        }
    }
    per_record.sort_by(|a, b| a.0.cmp(&b.0));
    let mut per_person = std::collections::BTreeMap::new();
    for (regime, v) in raw.per_person.iter().flatten() {
        let at = key_in(src.text(), regime).or(span(v));
        if !name_fits(src, at, "a [money.per_person] regime", regime) {
            continue;
        }
        if !model.notification.contains_key(regime) {
            let known = model.notification.keys().map(String::as_str);
            let hint = if model.notification.is_empty() {
                "; the model has no [notification] table".to_string()
            } else {
                let near = did_you_mean(regime, known);
                if near.is_empty() {
                    let all: Vec<String> = model
                        .notification
                        .keys()
                        .map(|k| format!("`{k}`"))
                        .collect();
                    format!("; [notification] has {}", all.join(", "))
                } else {
                    near
                }
            };
            src.error(
                span(v),
                format!("[money.per_person] unknown notification regime `{regime}`{hint}"),
            );
            continue;
        }
        if let Some(x) = amount(src, v, &format!("per_person `{regime}`")) {
            per_person.insert(regime.clone(), x);
        }
    }
    model.money = Some(Money {
        currency,
        per_incident,
        per_record,
        per_person,
    });
}
