//! Charts of a result, each as SVG and PNG: [`data`] says what each chart shows (pure, tested
//! against the result), [`draw`] draws it with plotters.

pub mod data;
pub mod draw;
pub mod text;

pub use data::{charts, Chart, Missing};

use crate::error::Result;

/// A chart drawn in both formats.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub chart: Chart,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Draws a chart as SVG and PNG.
pub fn render(chart: &Chart) -> Result<Rendered> {
    Ok(Rendered {
        chart: chart.clone(),
        svg: draw::svg(chart)?,
        png: draw::png(chart)?,
    })
}

/// A small evaluated scenario for the tests of the charts and the page.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::design::{Change, Design, Entry, Selector, SetDetection};
    use crate::engine::NoProgress;
    use crate::evaluate::{evaluate, Depth};
    use crate::load::parse_model;
    use crate::model::{Distribution, NodeKind};
    use crate::results::report::ReportData;
    use crate::results::sweep::{RankBy, SweepReport};
    use crate::results::RunReport;
    use crate::scenario::{Detection, Scenario, Simulation};
    use crate::Analysis;

    const MODEL: &str = r#"
[org]
name = "Fixture"
program_age_days = 730
[populations]
employees = 100
visitors = 40
[notification]
health_data = ["user.health"]
[categories]
"user.location" = 8
"user.identity" = 3
"user.health" = 10
[[person]]
id = "alice"
accounts = ["alice-u"]
[[person]]
id = "bob"
accounts = ["bob-u"]
[[account]]
id = "alice-u"
groups = ["staff"]
[[account]]
id = "bob-u"
[[group]]
id = "staff"
[[store]]
id = "badge-logs"
retention_days = 365
records = [{ category = "user.location", per_day = 100, subjects = "employees", coverage = 0.5 }]
[[store]]
id = "hr"
records = [
  { category = "user.identity", count = 50, subjects = "employees" },
  { category = "user.health", count = 10, subjects = "visitors", coverage = 0.25 },
]
[[grant]]
principal = "staff"
target = "badge-logs"
access = "read"
p = 0.5
[[grant]]
principal = "alice-u"
target = "hr"
access = "read"
p = 0.8
[[grant]]
principal = "bob-u"
target = "hr"
access = "read"
"#;

    /// The fixture's report: `alice` compromised, a retention design and a detection design,
    /// Monte Carlo (with a time model unless `worst_case_only`).
    pub fn report(worst_case_only: bool, detection: bool) -> RunReport {
        let model = parse_model(MODEL, "fixture.toml").unwrap().model;
        let badge = model.node_id("badge-logs").unwrap();
        let alice = model.node_id("alice").unwrap();
        let scenario = Scenario {
            name: "Fixture".into(),
            description: Some("alice is phished".into()),
            model_path: "fixture.toml".into(),
            costs: Default::default(),
            costs_per_year: None,
            frequency_per_year: None,
            vector: None,
            keep: Vec::new(),
            compromised: vec![alice],
            simulation: Simulation {
                trials: 400,
                seed: 3,
                detection: detection.then_some(Detection {
                    mean_days: 5.0,
                    distribution: Distribution::Exponential,
                }),
            },
            designs: vec![
                Design {
                    name: "retention-30d".into(),
                    description: None,
                    changes: vec![Entry::Model(Change::SetRetention {
                        store: Selector {
                            text: "badge-logs".into(),
                            nodes: vec![badge],
                        },
                        category: None,
                        days: 30,
                    })],
                    cost_per_year: None,
                },
                Design {
                    name: "detect-5d".into(),
                    description: None,
                    changes: vec![Entry::Detection(SetDetection { mean_days: 5.0 })],
                    cost_per_year: None,
                },
            ],
        };
        let depth = if worst_case_only {
            Depth::WorstCase
        } else {
            Depth::MonteCarlo
        };
        let e = evaluate(&scenario, model, depth, &NoProgress);
        RunReport::of(&scenario, &e)
    }

    /// Every account of the fixture compromised alone.
    pub fn sweep() -> SweepReport {
        let a = Analysis::new(parse_model(MODEL, "fixture.toml").unwrap().model);
        let sources: Vec<_> = a.model.nodes_of(NodeKind::Account).collect();
        let rows = crate::engine::sweep::sweep(&a.model, &a.graph, a.index(), &sources);
        SweepReport::of(
            &a.model,
            a.index(),
            "account",
            &rows,
            RankBy::Exposure,
            Some(15),
        )
    }

    pub fn data() -> ReportData {
        let mut d = ReportData::of_run(report(false, true));
        d.riskiest = Some(sweep());
        d
    }
}
