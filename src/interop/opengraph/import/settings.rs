//! The model-wide settings of blastradius's own export (its one `BR_Model` node): name,
//! programme age, category weights, populations, notification regimes and the probability and
//! time defaults, `[money]` and `[entry]`.

use std::collections::{BTreeMap, BTreeSet};

use super::index::OgNode;
use super::reader::Reader;
use super::{Draft, Target};
use crate::error::did_you_mean;
use crate::interop::opengraph::document::Props;
use crate::interop::opengraph::vocab::br;
use crate::model::money::{is_currency_code, Money};
use crate::model::{Categories, Distribution, Model};

impl Draft<'_> {
    /// The model-wide settings, before any node is added: records and probabilities depend on
    /// them. Category weights are the built-in mapping's, then each `BR_Model` node's, then the
    /// mapping file's; the mapping's `[org]` wins over the input's name and programme age.
    pub(super) fn settings(
        &mut self,
        nodes: &[OgNode],
        targets: &[Target],
        source_kinds: &BTreeSet<String>,
    ) {
        let mapping = self.mapping;
        let model = &mut self.model;
        let mut builtin_and_user_weights: Vec<Vec<(String, f64)>> = mapping
            .tiers
            .iter()
            .rev()
            .map(|t| t.weights.clone())
            .collect();
        for (n, t) in nodes.iter().zip(targets) {
            if let Target::Settings = t {
                let mut r = Reader {
                    file: &self.files[n.doc],
                    at: n.at(),
                    problems: &mut self.problems,
                };
                read_model_node(model, &n.props, &mut r);
                builtin_and_user_weights.insert(1, model.categories.declared().to_vec());
            }
        }
        let mut weights: BTreeMap<String, f64> = BTreeMap::new();
        for tier in builtin_and_user_weights {
            weights.extend(tier);
        }
        model.categories = Categories::new(weights.into_iter().collect());
        if let Some(age) = mapping.program_age_days {
            model.program_age_days = Some(age);
        }
        model.name = mapping
            .name
            .clone()
            .or_else(|| (!model.name.is_empty()).then(|| model.name.clone()))
            .unwrap_or_else(|| {
                if source_kinds.is_empty() {
                    "OpenGraph import".to_string()
                } else {
                    format!(
                        "{} (OpenGraph import)",
                        source_kinds.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                }
            });
    }
}

/// `[money]` from a `BR_Model` node, checked as the model file's `[money]` is: a currency of
/// three capital letters, amounts finite and 0 or more, per-person regimes the model declares.
fn read_money(
    model: &mut Model,
    currency: String,
    mut per_record: Vec<(String, f64)>,
    per_person: Vec<(String, f64)>,
    props: &Props,
    r: &mut Reader,
) {
    let before = r.problems.len();
    if !is_currency_code(&currency) {
        r.fail(format!(
            "property `{}` must be an ISO 4217 code of three capital letters, not \"{currency}\"",
            br::MONEY_CURRENCY
        ));
    }
    let amount = |r: &mut Reader, x: f64, what: &str| {
        if !(x.is_finite() && x >= 0.0) {
            r.fail(format!(
                "{what} must be a finite amount, 0 or more, not {x}"
            ));
        }
        x
    };
    let per_incident = r
        .num(props, br::MONEY_PER_INCIDENT)
        .map_or(0.0, |x| amount(r, x, "money per incident"));
    for (c, x) in &per_record {
        amount(r, *x, &format!("money per record of `{c}`"));
    }
    for (regime, x) in &per_person {
        amount(r, *x, &format!("money per person of `{regime}`"));
        if !model.notification.contains_key(regime) {
            let near = did_you_mean(regime, model.notification.keys().map(String::as_str));
            r.fail(format!(
                "money per person names the notification regime `{regime}`, which the model does not declare{near}"
            ));
        }
    }
    let ok = r.problems.len() == before;
    if ok {
        per_record.sort_by(|a, b| a.0.cmp(&b.0));
        model.money = Some(Money {
            currency,
            per_incident,
            per_record,
            per_person: per_person.into_iter().collect(),
        });
    }
}

/// `[entry]` from a `BR_Model` node: the vectors' names and, aligned with them, a probability
/// per MFA level; `service` probabilities for the vectors named beside them.
fn read_entry(model: &mut Model, props: &Props, r: &mut Reader) {
    let Some(names) = r.strs(props, br::ENTRY_VECTORS) else {
        return;
    };
    let mut by_mfa = vec![[0.0; 3]; names.len()];
    for (i, level) in crate::model::Mfa::NAMES.iter().enumerate() {
        let key = format!("{}{level}", br::ENTRY_MFA_PREFIX);
        match r.nums(props, &key) {
            Some(p) if p.len() == names.len() => {
                for (v, x) in p.into_iter().enumerate() {
                    let what = format!("`{key}` of vector `{}`", names[v]);
                    by_mfa[v][i] = r.probability(x, &what).unwrap_or(0.0);
                }
            }
            _ => r.fail(format!(
                "`{key}` must be an array of probabilities as long as `{}`",
                br::ENTRY_VECTORS
            )),
        }
    }
    let service: BTreeMap<String, f64> = match (
        r.strs(props, br::ENTRY_SERVICE_VECTORS),
        r.nums(props, br::ENTRY_SERVICE),
    ) {
        (Some(n), Some(p)) if n.len() == p.len() => n.into_iter().zip(p).collect(),
        (None, None) => BTreeMap::new(),
        _ => {
            r.fail(format!(
                "`{}` and `{}` must be arrays of the same length",
                br::ENTRY_SERVICE_VECTORS,
                br::ENTRY_SERVICE
            ));
            BTreeMap::new()
        }
    };
    for (name, p) in names.into_iter().zip(by_mfa) {
        let service = service.get(&name).and_then(|&x| {
            r.probability(x, &format!("`{}` of vector `{name}`", br::ENTRY_SERVICE))
        });
        model
            .entry
            .by_name
            .insert(name, crate::model::entry::Vector { by_mfa: p, service });
    }
}

/// Reads the model-wide settings of a `BR_Model` node into `model`.
fn read_model_node(model: &mut Model, props: &Props, r: &mut Reader) {
    if let Some(name) = r.str(props, "name") {
        model.name = name;
    }
    if let Some(age) = r.days(props, br::PROGRAM_AGE_DAYS) {
        model.program_age_days = Some(age);
    }
    let pairs_s = |r: &mut Reader, a: &str, b: &str| -> Vec<(String, String)> {
        match (r.strs(props, a), r.strs(props, b)) {
            (Some(x), Some(y)) if x.len() == y.len() => x.into_iter().zip(y).collect(),
            (None, None) => Vec::new(),
            _ => {
                r.fail(format!("`{a}` and `{b}` must be arrays of the same length"));
                Vec::new()
            }
        }
    };
    let pairs_n = |r: &mut Reader, a: &str, b: &str| -> Vec<(String, f64)> {
        match (r.strs(props, a), r.nums(props, b)) {
            (Some(x), Some(y)) if x.len() == y.len() => x.into_iter().zip(y).collect(),
            (None, None) => Vec::new(),
            _ => {
                r.fail(format!("`{a}` and `{b}` must be arrays of the same length"));
                Vec::new()
            }
        }
    };
    let weights = pairs_n(r, br::CATEGORY_NAMES, br::CATEGORY_WEIGHTS);
    if !weights.is_empty() {
        model.categories = Categories::new(weights);
    }
    for (name, size) in pairs_n(r, br::POPULATION_NAMES, br::POPULATION_SIZES) {
        if let Some(n) = r.whole(size, &format!("population `{name}`")) {
            model.populations.insert(name, n);
        }
    }
    for (regime, prefix) in pairs_s(r, br::NOTIFICATION_REGIMES, br::NOTIFICATION_PREFIXES) {
        model.notification.entry(regime).or_default().push(prefix);
    }
    if let Some(currency) = r.str(props, br::MONEY_CURRENCY) {
        let per_record = pairs_n(r, br::MONEY_RECORD_CATEGORIES, br::MONEY_RECORD_COSTS);
        let per_person = pairs_n(r, br::MONEY_PERSON_REGIMES, br::MONEY_PERSON_COSTS);
        read_money(model, currency, per_record, per_person, props, r);
    }
    read_entry(model, props, r);
    let p = &mut model.probabilities;
    for (key, slot) in [
        ("owns", &mut p.owns),
        ("member", &mut p.member),
        ("grant", &mut p.grant),
        ("access", &mut p.access),
        ("edge", &mut p.edge),
        ("credential_none", &mut p.credential_none),
        ("credential_otp", &mut p.credential_otp),
        (
            "credential_phishing_resistant",
            &mut p.credential_phishing_resistant,
        ),
    ] {
        let name = format!("{}{key}", br::P_PREFIX);
        if let Some(x) = r.num(props, &name) {
            if let Some(x) = r.probability(x, &format!("property `{name}`")) {
                *slot = x;
            }
        }
    }
    let custom = pairs_n(
        r,
        &format!("{}{}", br::P_PREFIX, br::CUSTOM_KINDS),
        &format!("{}{}", br::P_PREFIX, br::CUSTOM_VALUES),
    );
    for (k, x) in custom {
        if let Some(x) = r.probability(x, &format!("p of `{k}`")) {
            model.probabilities.custom.insert(k, x);
        }
    }
    let t = &mut model.times;
    for (key, slot) in [
        ("owns", &mut t.owns),
        ("member", &mut t.member),
        ("grant", &mut t.grant),
        ("access", &mut t.access),
        ("credential", &mut t.credential),
        ("edge", &mut t.edge),
    ] {
        let name = format!("{}{key}", br::TIME_PREFIX);
        if let Some(x) = r.num(props, &name) {
            *slot = x.max(0.0);
        }
    }
    let name = format!("{}distribution", br::TIME_PREFIX);
    if let Some(d) = r.str(props, &name) {
        match Distribution::parse(&d) {
            Some(d) => model.times.distribution = d,
            None => r.fail(format!(
                "property `{name}` must be exponential or fixed, not `{d}`"
            )),
        }
    }
    let custom = pairs_n(
        r,
        &format!("{}{}", br::TIME_PREFIX, br::CUSTOM_KINDS),
        &format!("{}{}", br::TIME_PREFIX, br::CUSTOM_VALUES),
    );
    for (k, x) in custom {
        model.times.custom.insert(k, x.max(0.0));
    }
}
