//! The one-sentence answer that opens the report page (and that `report` prints): who is
//! compromised, how much leaks (in records, or in money when the model has `[money]`), and the
//! design that helps most, in words that match their numbers.

use super::figures::{about, figure, money_prose, percent, share};
use crate::results::RunReport;

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The design with the largest reduction, and that reduction in percent (negative): by
/// expected exposure when Monte Carlo ran, else by worst-case exposure.
pub fn best_design(r: &RunReport) -> Option<(&str, f64)> {
    r.designs
        .iter()
        .map(|d| {
            let pct = match d.delta.monte_carlo.as_ref() {
                Some(mc) => mc.exposure.percent,
                None => d.delta.exposure_percent,
            };
            (d.name.as_str(), pct)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)))
}

/// The one-sentence answer: "If dana-okafor is compromised, about 17,000,000 records (the
/// largest category, user.behavior.app_usage, 44% of them) of about 11,850 people are exposed;
/// review-and-minimise cuts the expected weighted exposure by 52.1%." The words follow the
/// numbers: "most of them" only for a category over half the records. Records are the worst case's, counted once; people
/// are the expected people affected summed over the declared populations (taken as disjoint);
/// the cut is in expected weighted exposure when Monte Carlo ran, else in the worst case's.
pub fn headline(r: &RunReport) -> String {
    if let Some(s) = money_headline(r) {
        return s;
    }
    let entry = if r.entry_points.is_empty() || r.entry_points.len() > 3 {
        format!("the entry points of “{}”", r.scenario)
    } else {
        and_list(&r.entry_points)
    };
    let verb = if r.entry_points.len() == 1 {
        "is"
    } else {
        "are"
    };
    let d = &r.baseline.deterministic;
    let largest = d
        .records_by_category
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    let Some((category, &largest)) = largest else {
        return format!(
            "If {entry} {verb} compromised, no records are exposed, even in the worst case."
        );
    };
    let part = share(largest as f64 / d.records_total.max(1) as f64);
    let which = if largest * 2 > d.records_total {
        format!("most of them, {part}, {category}")
    } else {
        format!("the largest category, {category}, {part} of them")
    };
    let mut s = format!(
        "If {entry} {verb} compromised, about {} records ({which})",
        about(d.records_total as f64)
    );
    if !d.people_affected.is_empty() {
        let people: f64 = d.people_affected.values().map(|p| p.expected).sum();
        s.push_str(&format!(" of about {} people", about(people)));
    }
    s.push_str(" are exposed");
    let measure = if r.baseline.monte_carlo.is_some() {
        "expected weighted exposure"
    } else {
        "worst-case weighted exposure"
    };
    match best_design(r) {
        Some((name, pct)) if pct < 0.0 => {
            s.push_str(&format!("; {name} cuts the {measure} by {}", percent(pct)));
        }
        Some(_) => {
            let n = r.designs.len();
            s.push_str(&format!(
                "; {} reduces it",
                if n == 1 {
                    "the design considered never".to_string()
                } else {
                    format!("none of the {n} designs considered")
                }
            ));
        }
        None => {}
    }
    s.push('.');
    s
}

/// The one-sentence answer in money, when the model has `[money]` (DESIGN.md "Money"): "If
/// dana-okafor is compromised, the expected cost is $4.1 M (95% of outcomes under $6.0 M);
/// about 1 such incident is expected every 5 years; retention-90d saves $310 k a year for
/// $40 k." The design named is the one with the largest net benefit a year when designs have
/// costs, else the largest cut of the expected (or worst-case) loss.
fn money_headline(r: &RunReport) -> Option<String> {
    let d = &r.baseline.deterministic;
    let (loss, cur) = (d.loss?, d.currency.as_deref()?);
    let entry = if r.entry_points.is_empty() || r.entry_points.len() > 3 {
        format!("the entry points of “{}”", r.scenario)
    } else {
        and_list(&r.entry_points)
    };
    let verb = if r.entry_points.len() == 1 {
        "is"
    } else {
        "are"
    };
    let mc_loss = r.baseline.monte_carlo.as_ref().and_then(|m| m.loss);
    let mut s = match mc_loss {
        Some(l) => format!(
            "If {entry} {verb} compromised, the expected cost is {} (95% of outcomes under {})",
            money_prose(l.mean, cur),
            money_prose(l.p95, cur)
        ),
        None => format!(
            "If {entry} {verb} compromised, the worst-case cost is {}",
            money_prose(loss, cur)
        ),
    };
    if let Some(f) = r.frequency_per_year.filter(|f| *f > 0.0) {
        if f < 1.0 {
            let years = figure((1.0 / f).round());
            s.push_str(&format!(
                "; about 1 such incident is expected every {years} years"
            ));
        } else if f.round() == 1.0 {
            s.push_str("; about 1 such incident is expected a year");
        } else {
            s.push_str(&format!(
                "; about {} such incidents are expected a year",
                figure(f.round())
            ));
        }
    }
    let net = r
        .designs
        .iter()
        .filter_map(|x| Some((x, x.delta.net_benefit_per_year?)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.name.cmp(&a.0.name)));
    let cut = |x: &crate::results::DesignResult| {
        let l = x.delta.loss?;
        Some(l.paired.map_or(l.worst_case, |p| p.mean))
    };
    if let Some((best, net)) = net {
        let saved = best.delta.loss.and_then(|l| l.annual_mean).unwrap_or(0.0);
        let cost = best.cost_per_year.unwrap_or(0.0);
        if net > 0.0 {
            s.push_str(&format!(
                "; {} saves {} a year for {}",
                best.name,
                money_prose(-saved, cur),
                money_prose(cost, cur)
            ));
        } else {
            s.push_str(&format!(
                "; no design saves more a year than it costs (the closest, {}, saves {} for {})",
                best.name,
                money_prose(-saved, cur),
                money_prose(cost, cur)
            ));
        }
    } else if let Some((best, change)) = r
        .designs
        .iter()
        .filter_map(|x| Some((x, cut(x)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.name.cmp(&b.0.name)))
        .filter(|(_, c)| *c < 0.0)
    {
        s.push_str(&format!(
            "; {} cuts the cost of an incident by {}",
            best.name,
            money_prose(-change, cur)
        ));
    }
    s.push('.');
    Some(s)
}
