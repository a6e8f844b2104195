//! Layer 2: the parsed command line turned into what the library takes. Every clap enum is
//! converted to its library twin here and only here (`From` impls), and the settings a command
//! hands the library (the scenario's overrides, a recommendation search) are made here from the
//! flags, so the commands work in the library's terms.

use blastradius::engine::recommend::{Objective, Search};
use blastradius::evaluate::Depth;
use blastradius::interop::collection::Format as InputFormat;
use blastradius::interop::pairs::Layout;
use blastradius::model::NodeKind;
use blastradius::output::{Format, RunCsv};
use blastradius::results::sweep::RankBy;
use blastradius::scenario::Scenario;
use blastradius::Error;

use super::args::{
    CsvTable, FormatArg, ImportArgs, ImportCommand, ImportGraphArgs, ImportPairsArgs, LayoutArg,
    ObjectiveArg, PairsLayoutArg, RankArg, RecommendArgs, SimulationArgs, SweepKind,
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
}

impl ImportArgs {
    /// The format to read, from the subcommand (none: recognise each file).
    pub fn request(&self) -> ImportRequest<'_> {
        match &self.what {
            None => ImportRequest::Graph(InputFormat::Auto, &self.graph),
            Some(ImportCommand::Opengraph(a)) => ImportRequest::Graph(InputFormat::OpenGraph, a),
            Some(ImportCommand::Sharphound(a)) => ImportRequest::Graph(InputFormat::SharpHound, a),
            Some(ImportCommand::Pairs(a)) => ImportRequest::Pairs(a),
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
        if !(self.budget >= 0.0 && self.budget.is_finite()) {
            return Err(Error::Input(format!(
                "--budget must be 0 or more, not {}",
                self.budget
            )));
        }
        Ok(())
    }

    /// The search on `scenario`: the flags' budget and objective, the scenario's `[costs]`
    /// over the default costs, the expected objective on the scenario's seed.
    pub fn search(&self, scenario: &Scenario) -> Search {
        let objective = match self.objective {
            ObjectiveArg::WorstCase => Objective::WorstCase,
            ObjectiveArg::Expected => Objective::Expected {
                trials: self.trials,
                seed: scenario.simulation.seed,
            },
        };
        Search {
            objective,
            budget: self.budget,
            costs: scenario.costs.clone(),
            retention_days: self.retention_days,
            include_entry_links: self.include_entry_links,
        }
    }
}
