//! Layer 2: the parsed command line turned into what the library takes. Every clap enum is
//! converted to its library twin here and only here (`From` impls), and the settings a command
//! hands the library (the scenario's overrides, a recommendation search) are made here from the
//! flags, so the commands work in the library's terms.

use blastradius::engine::focus::Focus;
use blastradius::engine::recommend::{Objective, Search};
use blastradius::evaluate::Depth;
use blastradius::interop::collection::Format as InputFormat;
use blastradius::interop::pairs::Layout;
use blastradius::model::{Model, NodeKind};
use blastradius::output::drawing::DrawFormat;
use blastradius::output::{Format, QueryFormat, RunCsv};
use blastradius::results::sweep::RankBy;
use blastradius::scenario::{Costs, Scenario};
use blastradius::Error;

use super::args::{
    CsvTable, FormatArg, ImportArgs, ImportAwsArgs, ImportCommand, ImportFidesArgs,
    ImportGraphArgs, ImportPairsArgs, LayoutArg, ObjectiveArg, PairsLayoutArg, QueryFormatArg,
    RankArg, RecommendArgs, SimulationArgs, SweepArgs, SweepKind, WhoCanReachArgs,
};

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
        }
    }
}

impl From<QueryFormatArg> for QueryFormat {
    fn from(f: QueryFormatArg) -> QueryFormat {
        match f {
            QueryFormatArg::Table => QueryFormat::Report(Format::Table),
            QueryFormatArg::Json => QueryFormat::Report(Format::Json),
            QueryFormatArg::Csv => QueryFormat::Report(Format::Csv),
            QueryFormatArg::Dot => QueryFormat::Drawing(DrawFormat::Dot),
            QueryFormatArg::Mermaid => QueryFormat::Drawing(DrawFormat::Mermaid),
            QueryFormatArg::Svg => QueryFormat::Drawing(DrawFormat::Svg),
        }
    }
}

impl From<CsvTable> for RunCsv {
    fn from(t: CsvTable) -> RunCsv {
        match t {
            CsvTable::Leaks => RunCsv::Leaks,
            CsvTable::People => RunCsv::People,
            CsvTable::Loss => RunCsv::Loss,
        }
    }
}

impl From<SweepKind> for NodeKind {
    fn from(k: SweepKind) -> NodeKind {
        match k {
            SweepKind::Account => NodeKind::Account,
            SweepKind::System => NodeKind::System,
            SweepKind::Person => NodeKind::Person,
        }
    }
}

impl From<&RankArg> for RankBy {
    fn from(r: &RankArg) -> RankBy {
        match r {
            RankArg::Exposure => RankBy::Exposure,
            RankArg::Records => RankBy::Records,
            RankArg::People(_) => RankBy::People,
            RankArg::Loss => RankBy::Loss,
            RankArg::Expected => RankBy::Expected,
        }
    }
}

impl From<PairsLayoutArg> for Layout {
    fn from(l: PairsLayoutArg) -> Layout {
        match l {
            PairsLayoutArg::Auto => Layout::Auto,
            PairsLayoutArg::Pairs => Layout::Pairs,
            PairsLayoutArg::Amazon => Layout::Amazon,
        }
    }
}

/// What `import` was asked to read.
pub enum ImportRequest<'a> {
    /// Graph files: recognised one by one (`Auto`), or of the format a subcommand named.
    Graph(InputFormat, &'a ImportGraphArgs),
    Pairs(&'a ImportPairsArgs),
    Fides(&'a ImportFidesArgs),
    Aws(&'a ImportAwsArgs),
}

impl ImportArgs {
    /// The format to read, from the subcommand (none: recognise each file).
    pub fn request(&self) -> ImportRequest<'_> {
        match &self.what {
            None => ImportRequest::Graph(InputFormat::Auto, &self.graph),
            Some(ImportCommand::Opengraph(a)) => ImportRequest::Graph(InputFormat::OpenGraph, a),
            Some(ImportCommand::Sharphound(a)) => ImportRequest::Graph(InputFormat::SharpHound, a),
            Some(ImportCommand::Pairs(a)) => ImportRequest::Pairs(a),
            Some(ImportCommand::Fides(a)) => ImportRequest::Fides(a),
            Some(ImportCommand::Aws(a)) => ImportRequest::Aws(a),
        }
    }
}

impl LayoutArg {
    /// Whether `generate` writes CSV side files for an organisation of `people`.
    pub fn csv_files(self, people: usize) -> bool {
        match self {
            LayoutArg::Auto => people > 2000,
            LayoutArg::Toml => false,
            LayoutArg::Csv => true,
        }
    }
}

impl SimulationArgs {
    /// How far the evaluation goes.
    pub fn depth(&self) -> Depth {
        if self.worst_case_only {
            Depth::WorstCase
        } else {
            Depth::MonteCarlo
        }
    }

    /// The scenario's `[simulation]` with the trials and seed given on the command line.
    pub fn override_simulation(&self, scenario: &mut Scenario) {
        if let Some(t) = self.trials {
            scenario.simulation.trials = t;
        }
        if let Some(seed) = self.seed {
            scenario.simulation.seed = seed;
        }
    }
}

impl RecommendArgs {
    /// Refuses a budget that is negative or not a number, and a target outside (0, 100%)
    /// (before the scenario is read).
    pub fn check(&self) -> Result<(), Error> {
        if let Some(b) = self.budget.filter(|b| !(*b >= 0.0 && b.is_finite())) {
            return Err(Error::Input(format!("--budget must be 0 or more, not {b}")));
        }
        self.target_fraction()?;
        Ok(())
    }

    /// `--target` as a fraction in (0, 1): `50%` or `50` is 0.5. A bare number of at most 1
    /// (`0.5`) is refused as ambiguous (a fraction, or a percentage?): `0.5%` is taken.
    pub fn target_fraction(&self) -> Result<Option<f64>, Error> {
        let Some(t) = &self.target else {
            return Ok(None);
        };
        let with_percent = t.trim().ends_with('%');
        let number = t.trim().trim_end_matches('%').trim();
        match number.parse::<f64>() {
            // A bare 0.5 reads as a fraction (half) to some and as 0.5% to others: ask.
            Ok(p) if !with_percent && p > 0.0 && p <= 1.0 => Err(Error::Input(format!(
                "--target `{t}` is ambiguous: write {half}% for {p} of the starting objective, \
                 or {t}% for {t} percent",
                half = p * 100.0
            ))),
            Ok(p) if p > 0.0 && p < 100.0 => Ok(Some(p / 100.0)),
            Ok(_) => Err(Error::Input(format!(
                "--target `{t}` must be more than 0% and less than 100% of the starting objective"
            ))),
            Err(_) => Err(Error::Input(format!(
                "--target `{t}` is not a percentage; write it as 50% (half the starting objective)"
            ))),
        }
    }

    /// The search on `scenario` and its `model`: the flags' budget and objective, the
    /// scenario's `[costs]` over the default costs, the simulated objectives on the scenario's
    /// seed. The loss objective needs the model's `[money]` and the scenario's frequency; its
    /// costs are money a year ([`Costs::per_year`]), its budget money a year (unlimited by
    /// default), and its trials default to the scenario's.
    pub fn search(&self, scenario: &Scenario, model: &Model) -> Result<Search, Error> {
        let (objective, costs) = match self.objective {
            ObjectiveArg::WorstCase => (Objective::WorstCase, scenario.costs.clone()),
            ObjectiveArg::Expected => (
                Objective::Expected {
                    trials: self.trials.unwrap_or(1000),
                    seed: scenario.simulation.seed,
                    detection: scenario.simulation.detection,
                },
                scenario.costs.clone(),
            ),
            ObjectiveArg::Loss => loss_objective(self.trials, scenario, model)?,
            ObjectiveArg::Org => (
                Objective::Org {
                    kind: NodeKind::from(self.kind),
                },
                scenario.costs.clone(),
            ),
        };
        let target = self.target_fraction()?;
        let budget = match (self.budget, self.objective) {
            (Some(b), _) => b,
            (None, ObjectiveArg::Loss) => f64::INFINITY,
            (None, _) if target.is_some() => f64::INFINITY,
            (None, _) => 10.0,
        };
        Ok(Search {
            objective,
            budget,
            costs,
            retention_days: self.retention_days,
            include_entry_links: self.include_entry_links,
            target,
            keep: scenario.keep.clone(),
            weights: self.org_weights(model)?,
        })
    }

    /// `--vector` (organisation-wide objective only): each source's entry probability, in
    /// [`Model::nodes_of`] order. Constant through the search: the organisation-wide search
    /// proposes no MFA change, the one fix that would move it.
    fn org_weights(&self, model: &Model) -> Result<Option<Vec<f64>>, Error> {
        let Some(v) = &self.vector else {
            return Ok(None);
        };
        if self.objective != ObjectiveArg::Org {
            return Err(Error::Input(format!(
                "--vector {v} weighs the organisation-wide objective; add --objective org (the other objectives start from the scenario's compromised nodes)"
            )));
        }
        let Some(table) = model.entry.get(v) else {
            return Err(Error::Input(if model.entry.is_empty() {
                format!("--vector {v}: the model has no [entry] table to give entry probabilities (see README, \"Entry likelihood\")")
            } else {
                format!(
                    "unknown --vector `{v}`; the model's [entry] has {}{}",
                    model.entry.names().collect::<Vec<_>>().join(", "),
                    blastradius::error::did_you_mean(v, model.entry.names())
                )
            }));
        };
        let kind = NodeKind::from(self.kind);
        match blastradius::engine::entry::probabilities(model, table, kind) {
            Some(p) => Ok(Some(p)),
            None => Err(Error::Input(format!(
                "--vector applies to accounts and people, not {}s: an attack vector takes an account by its MFA",
                kind.as_str()
            ))),
        }
    }
}

/// The loss objective and its costs a year, or what the scenario or model lacks for it.
fn loss_objective(
    trials: Option<u32>,
    scenario: &Scenario,
    model: &Model,
) -> Result<(Objective, Costs), Error> {
    let lacks = |what: &str| {
        Err(Error::Input(format!(
            "recommend --objective loss needs {what}; see README \"Money\""
        )))
    };
    if model.money.is_none() {
        return lacks(&format!(
            "a [money] table in the model {} (currency, per_incident, per_record, per_person)",
            scenario.model_path
        ));
    }
    let Some(frequency) = scenario.frequency_per_year else {
        return lacks("[attack] frequency_per_year in the scenario (incidents expected a year)");
    };
    let costs = scenario.costs.per_year(scenario.costs_per_year.as_ref());
    let objective = Objective::Loss {
        trials: trials.unwrap_or(scenario.simulation.trials),
        seed: scenario.simulation.seed,
        frequency,
        detection: scenario.simulation.detection,
    };
    Ok((objective, costs))
}

impl WhoCanReachArgs {
    /// The category or regime asked about, if any.
    pub fn focus(&self) -> Option<Focus> {
        focus(&self.category, &self.regime)
    }
}

impl SweepArgs {
    /// The category or regime asked about, if any.
    pub fn focus(&self) -> Option<Focus> {
        focus(&self.category, &self.regime)
    }
}

fn focus(category: &Option<String>, regime: &Option<String>) -> Option<Focus> {
    match (category, regime) {
        (Some(c), _) => Some(Focus::Category(c.clone())),
        (None, Some(r)) => Some(Focus::Regime(r.clone())),
        (None, None) => None,
    }
}
