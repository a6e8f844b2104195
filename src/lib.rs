//! blastradius: which sensitive records leak when an account or system is compromised, by
//! which path, and which fixes shrink that exposure.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load (TOML files) → model (validated) → graph (CSR attack graph) → engine (worst case,
//! paths, reach) → results (plain report structs) → output (table, JSON, CSV) → cli
//! ```
//!
//! ```
//! use blastradius::{load::parse_model, Analysis};
//!
//! let loaded = parse_model(r#"
//! [org]
//! program_age_days = 730
//! [categories]
//! "user.location" = 8
//! [[person]]
//! id = "alice"
//! accounts = ["alice-u"]
//! [[account]]
//! id = "alice-u"
//! [[store]]
//! id = "badge-logs"
//! retention_days = 365
//! records = [{ category = "user.location", per_day = 100 }]
//! [[grant]]
//! principal = "alice-u"
//! target = "badge-logs"
//! access = "read"
//! "#, "inline.toml").unwrap();
//! let analysis = Analysis::new(loaded.model);
//! let alice = analysis.model.node_id("alice").unwrap();
//! let wc = analysis.worst_case(&[alice]);
//! assert_eq!(wc.exposure.records_total, 36_500);
//! assert_eq!(wc.exposure.exposure, 292_000.0);
//! ```

pub mod design;
pub mod engine;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod graph;
pub mod interop;
pub mod load;
pub mod model;
pub mod output;
pub mod results;
pub mod scenario;

pub use error::{Error, Result};

use graph::AttackGraph;
use model::records::Holdings;
use model::{Model, NodeId};

/// A model made ready for questions: its attack graph and what every store holds.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub model: Model,
    pub graph: AttackGraph,
    pub holdings: Holdings,
    /// Made the first time it is asked for: the worst case alone never asks.
    index: std::sync::OnceLock<engine::tally::ExposureIndex>,
}

impl Analysis {
    pub fn new(model: Model) -> Analysis {
        // Independent; the holdings are worked out on one thread, beside the graph's build.
        let (graph, holdings) =
            rayon::join(|| AttackGraph::build(&model), || Holdings::compute(&model));
        Analysis {
            model,
            graph,
            holdings,
            index: std::sync::OnceLock::new(),
        }
    }

    /// What each store's record sets add up to, for the simulation and the sweep.
    pub fn index(&self) -> &engine::tally::ExposureIndex {
        self.index
            .get_or_init(|| engine::tally::ExposureIndex::new(&self.model, &self.holdings))
    }

    /// The sweep: every node of `kind` as the sole compromised node, worst case, run in as
    /// little memory as it allows. The exposure index and the graph's condensation are made side
    /// by side; then the links and holdings the index is made from (a third of a large model's
    /// memory) and the graph (a fifth at 100k people) are freed on another thread while the sweep
    /// starts, before its own bitsets are made. The analysis keeps what the sweep's report reads,
    /// the model's nodes and the index, and answers no question about links or paths afterwards.
    pub fn sweep_releasing(&mut self, kind: model::NodeKind) -> Vec<engine::sweep::SweepRow> {
        self.release_links();
        let (_, condensation) = rayon::join(
            || self.index(),
            || engine::sweep::Condensation::new(&self.graph),
        );
        let sources = self.release_for_sweep(kind);
        engine::sweep::sweep_condensed(&self.model, condensation, self.index(), &sources)
    }

    /// Frees the links before the index and condensation are made: neither reads them (the
    /// graph has its steps already), and at 1M people they are 250 MB that would otherwise sit
    /// beside the condensation's working memory, the sweep command's peak.
    fn release_links(&mut self) {
        drop(std::mem::take(&mut self.model.links));
    }

    /// Frees the links, holdings and graph on another thread (a sweep over the condensation
    /// reads none of them) and gives the sweep's sources.
    fn release_for_sweep(&mut self, kind: model::NodeKind) -> Vec<NodeId> {
        let freed = (
            std::mem::take(&mut self.model.links),
            std::mem::take(&mut self.holdings),
            std::mem::take(&mut self.graph),
        );
        rayon::spawn(move || drop(freed));
        self.model.nodes_of(kind).collect()
    }

    /// [`Analysis::sweep_releasing`] counting only the records of a category or regime: the
    /// same sweep on an exposure index of the focus's holdings, returned with the rows (the
    /// report reads its populations).
    pub fn sweep_focus_releasing(
        &mut self,
        kind: model::NodeKind,
        focus: &engine::focus::Focus,
    ) -> (Vec<engine::sweep::SweepRow>, engine::tally::ExposureIndex) {
        self.release_links();
        let (index, condensation) = rayon::join(
            || focus.index(&self.model, &self.holdings),
            || engine::sweep::Condensation::new(&self.graph),
        );
        let sources = self.release_for_sweep(kind);
        let rows = engine::sweep::sweep_condensed(&self.model, condensation, &index, &sources);
        (rows, index)
    }

    /// The worst-case blast radius of the given compromised nodes.
    pub fn worst_case(&self, compromised: &[NodeId]) -> engine::WorstCase {
        engine::worst_case(&self.model, &self.graph, &self.holdings, compromised)
    }

    /// Runs the Monte Carlo trials of a simulation from the compromised nodes.
    pub fn simulate(
        &self,
        compromised: &[NodeId],
        simulation: &scenario::Simulation,
        progress: &dyn engine::Progress,
    ) -> engine::monte_carlo::Trials {
        self.simulate_entry(compromised, None, simulation, progress)
    }

    /// [`Analysis::simulate`] from entry points taken each with its own probability (in the
    /// order of `sources`; `None`: always), as `engine::entry::entry_points` gives them.
    pub fn simulate_entry(
        &self,
        sources: &[NodeId],
        entry: Option<&[f64]>,
        simulation: &scenario::Simulation,
        progress: &dyn engine::Progress,
    ) -> engine::monte_carlo::Trials {
        let spec = engine::monte_carlo::SimulationSpec {
            sources,
            entry,
            trials: simulation.trials,
            seed: simulation.seed,
            detection: simulation.detection,
            edge_times: self.model.times.distribution,
        };
        engine::monte_carlo::simulate(&self.model, &self.graph, self.index(), &spec, progress)
    }

    /// The Monte Carlo summary of trials run from `compromised`.
    pub fn monte_carlo_result(
        &self,
        compromised: &[NodeId],
        simulation: &scenario::Simulation,
        trials: &engine::monte_carlo::Trials,
    ) -> results::monte_carlo::MonteCarlo {
        self.monte_carlo_result_entry(compromised, None, simulation, trials)
    }

    /// [`Analysis::monte_carlo_result`] of trials run from entry points taken each with its
    /// probability (as [`Analysis::simulate_entry`] takes them): the most likely path to each
    /// store weighs its entry point's probability too.
    pub fn monte_carlo_result_entry(
        &self,
        sources: &[NodeId],
        entry: Option<&[f64]>,
        simulation: &scenario::Simulation,
        trials: &engine::monte_carlo::Trials,
    ) -> results::monte_carlo::MonteCarlo {
        results::monte_carlo::MonteCarlo::of(
            &self.model,
            &self.graph,
            self.index(),
            trials,
            sources,
            entry,
            simulation.detection.as_ref(),
        )
    }
}
