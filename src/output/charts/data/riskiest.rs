//! The riskiest identities: the accounts that expose the most when compromised alone.

use super::{BarSeries, Bars, Chart, Plot, Unit, TOP_IDENTITIES};
use crate::output::figures::figure;
use crate::results::sweep::SweepReport;

/// The accounts with the largest worst-case exposure when each is the sole compromised node.
pub fn riskiest(s: &SweepReport) -> Option<Chart> {
    let top: Vec<_> = s.entries.iter().take(TOP_IDENTITIES).collect();
    if top.is_empty() {
        return None;
    }
    Some(Chart {
        name: "riskiest-identities",
        note: "Every account compromised on its own, worst case: the accounts whose compromise would expose the most, whatever this scenario’s entry points are.".into(),
        title: format!("Riskiest identities: top {} {}s", top.len(), s.kind),
        subtitle: format!(
            "{} · each of {} {}s compromised alone, worst case",
            s.model,
            figure(s.swept as f64),
            s.kind
        ),
        plot: Plot::Bars(Bars {
            rows: top.iter().map(|e| e.id.clone()).collect(),
            series: vec![BarSeries {
                name: "worst-case exposure".into(),
                values: top.iter().map(|e| e.exposure).collect(),
                bounds: None,
            }],
            value_label: "worst-case exposure (records × sensitivity weight)".into(),
            unit: Unit::Count,
            value_labels: true,
            log: false,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn riskiest_ranks_the_sweep_entries() {
        let s = fixture::sweep();
        let c = riskiest(&s).unwrap();
        let b = bars(&c);
        let ids: Vec<&str> = s.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(b.rows, ids);
        assert_eq!(
            b.series[0].values,
            s.entries.iter().map(|e| e.exposure).collect::<Vec<_>>()
        );
        assert_eq!(b.rows[0], "alice-u");
    }
}
