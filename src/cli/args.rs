//! The command line as clap sees it. Nothing below the CLI sees these types.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Breach blast-radius simulator: which sensitive records leak when an account or system is
/// compromised, by which path, and which fixes shrink that exposure.
#[derive(Parser, Debug)]
#[command(name = "blastradius", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Permission bits of the files written, in octal (default 600: owner only)
    #[arg(long, global = true, value_name = "OCTAL", value_parser = parse_mode)]
    pub mode: Option<u32>,
}

fn parse_mode(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("`{s}` is not a permission mode in octal, such as 600 or 640"))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
}

/// Where results go.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write to this file (atomically, owner-only) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepKind {
    Account,
    System,
    Person,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectiveArg {
    WorstCase,
    Expected,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankArg {
    Exposure,
    People,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutArg {
    Auto,
    Toml,
    Csv,
}

/// Overrides of the scenario's `[simulation]`.
#[derive(clap::Args, Debug, Clone)]
pub struct SimulationArgs {
    /// Monte Carlo trials, at least 2 (default: the scenario's, else 10,000)
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub trials: Option<u32>,
    /// Master seed of the keyed random draws (default: the scenario's, else 1)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worst case only: skip the Monte Carlo simulation
    #[arg(long)]
    pub worst_case_only: bool,
    /// Add the designs of a design file ([[design]] tables); repeatable
    #[arg(long = "design", value_name = "FILE")]
    pub designs: Vec<PathBuf>,
    /// Also evaluate one design that applies every design's changes together, in order
    #[arg(long)]
    pub combine: bool,
    /// Replace person and account ids by stable pseudonyms in every output (keyed by
    /// BLASTRADIUS_REDACT_KEY when set); drops the scenario's and designs' descriptions
    #[arg(long)]
    pub redact: bool,
    /// With --format csv: leaked stores by category, or people affected and to notify
    #[arg(long, value_enum, default_value_t = CsvTable::Leaks)]
    pub csv_table: CsvTable,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    Leaks,
    People,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario: worst-case blast radius of its compromised nodes
    Run {
        /// Scenario file (TOML)
        scenario: PathBuf,
        #[command(flatten)]
        out: OutputArgs,
        #[command(flatten)]
        sim: SimulationArgs,
        /// Hide progress and lint notes on standard error
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Baseline beside every design: worst case, expected exposure, paired changes
    Compare {
        /// Scenario file (TOML)
        scenario: PathBuf,
        #[command(flatten)]
        out: OutputArgs,
        #[command(flatten)]
        sim: SimulationArgs,
        /// Hide progress and lint notes on standard error
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Charts (SVG and PNG) and a self-contained HTML report of a scenario, in a folder
    Report {
        /// Scenario file (TOML)
        scenario: PathBuf,
        /// Folder to write index.html, report.json and the charts into (created if missing)
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        #[command(flatten)]
        sim: SimulationArgs,
        /// Accounts in the riskiest identities chart (0 skips the sweep of accounts)
        #[arg(long, default_value_t = 15)]
        top: usize,
        /// Hide progress and lint notes on standard error
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Redraw the charts of a saved result (`run --format json`, or a report's report.json)
    Chart {
        /// A JSON result of `run`, or the report.json of `report`
        result: PathBuf,
        /// Folder to write the charts into (created if missing)
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        /// Replace person and account ids by stable pseudonyms (see `run --redact`)
        #[arg(long)]
        redact: bool,
    },
    /// Every account (or system, or person) as the sole compromised node, ranked
    Sweep {
        /// Model file, or a folder holding model.toml
        model: PathBuf,
        /// Which nodes to sweep
        #[arg(long, value_enum, default_value_t = SweepKind::Account)]
        kind: SweepKind,
        /// Rows in the table and JSON (CSV lists every node)
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Rank by worst-case exposure or by people affected (largest population)
        #[arg(long, value_enum, default_value_t = RankArg::Exposure)]
        by: RankArg,
        /// Replace person and account ids by stable pseudonyms (see `run --redact`)
        #[arg(long)]
        redact: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Write a synthetic organisation, deterministic from its seed
    Generate {
        /// People in the organisation
        #[arg(long)]
        people: usize,
        /// Seed: the same seed gives the same files
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write model.toml (and CSV side files) into
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        /// File layout: TOML only, TOML with CSV side files, or CSV above 2,000 people
        #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
        layout: LayoutArg,
        /// Replace a model already in the folder
        #[arg(long)]
        force: bool,
    },
    /// The fixes that buy the most exposure reduction under a budget, and choke points
    Recommend {
        /// Scenario file (TOML)
        scenario: PathBuf,
        /// Total cost the fixes may take (costs per fix: defaults or the scenario's [costs])
        #[arg(long, default_value_t = 10.0)]
        budget: f64,
        /// Minimise the worst-case or the expected (Monte Carlo) exposure
        #[arg(long, value_enum, default_value_t = ObjectiveArg::WorstCase)]
        objective: ObjectiveArg,
        /// Trials per candidate for the expected objective
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
        trials: u32,
        /// A retention cut sets a store's retention to this many days
        #[arg(long, default_value_t = 30)]
        retention_days: u32,
        /// Choke points listed
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Also rank choke points summed over every account as the compromised node
        #[arg(long)]
        all_accounts: bool,
        /// Let fixes cut the entry points' own links (left out by default)
        #[arg(long)]
        include_entry_links: bool,
        #[command(flatten)]
        out: OutputArgs,
        /// Hide progress on standard error
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Check a model: every problem found at once (the first 100 shown), plus lint warnings
    Validate {
        /// Model file, or a folder holding model.toml
        model: PathBuf,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Attack paths from one node to another, shortest first
    Paths {
        /// Model file, or a folder holding model.toml
        model: PathBuf,
        /// Where the attacker starts (any node id)
        #[arg(long)]
        from: String,
        /// Where the attacker wants to get (any node id)
        #[arg(long)]
        to: String,
        /// How many paths at most
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Every person, account, group, system and store that can reach a store in the worst case
    WhoCanReach {
        /// Model file, or a folder holding model.toml
        model: PathBuf,
        /// The store (any node id works)
        store: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Read another format into a model directory
    Import {
        #[command(subcommand)]
        what: super::interop::ImportCommand,
    },
    /// Write a model in another format
    Export {
        #[command(subcommand)]
        what: super::interop::ExportCommand,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
