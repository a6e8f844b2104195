//! Layer 2: the parsed command line turned into what the library takes. Every clap enum is
//! converted to its library twin here and only here (`From` impls), and the settings a command
//! hands the library (the scenario's overrides, a recommendation search) are made here from the
//! flags, so the commands work in the library's terms.

use blastradius::engine::recommend::{Objective, Search};
use blastradius::evaluate::Depth;
use blastradius::interop::collection::Format as InputFormat;
use blastradius::interop::pairs::Layout;
use blastradius::model::{Model, NodeKind};
use blastradius::output::{Format, RunCsv};
use blastradius::results::sweep::RankBy;
use blastradius::scenario::{Costs, Scenario};
use blastradius::Error;

use super::args::{
    CsvTable, FormatArg, ImportArgs, ImportAwsArgs, ImportCommand, ImportGraphArgs,
    ImportPairsArgs, LayoutArg, ObjectiveArg, PairsLayoutArg, RankArg, RecommendArgs,
    SimulationArgs, SweepKind,
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

impl From<RankArg> for RankBy {
    fn from(r: RankArg) -> RankBy {
        match r {
            RankArg::Exposure => RankBy::Exposure,
            RankArg::People => RankBy::People,
            RankArg::Loss => RankBy::Loss,
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
    /// Refuses a budget that is negative or not a number (before the scenario is read).
    pub fn check(&self) -> Result<(), Error> {
        if let Some(b) = self.budget.filter(|b| !(*b >= 0.0 && b.is_finite())) {
            return Err(Error::Input(format!("--budget must be 0 or more, not {b}")));
        }
        Ok(())
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
                },
                scenario.costs.clone(),
            ),
            ObjectiveArg::Loss => loss_objective(self.trials, scenario, model)?,
        };
        let budget = match (self.budget, self.objective) {
            (Some(b), _) => b,
            (None, ObjectiveArg::Loss) => f64::INFINITY,
            (None, _) => 10.0,
        };
        Ok(Search {
            objective,
            budget,
            costs,
            retention_days: self.retention_days,
            include_entry_links: self.include_entry_links,
        })
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
