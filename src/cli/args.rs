//! Layer 1: the command line as clap sees it, one `Args` struct per subcommand. Nothing here
//! is converted or checked beyond what clap does; `requests.rs` turns these values into the
//! library's, and nothing below the CLI sees these types.

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

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario: worst-case blast radius of its compromised nodes
    Run(RunArgs),
    /// Baseline beside every design: worst case, expected exposure, paired changes
    Compare(RunArgs),
    /// Charts (SVG and PNG) and a self-contained HTML report of a scenario, in a folder
    Report(ReportArgs),
    /// Redraw the charts of a saved result (`run --format json`, or a report's report.json)
    Chart(ChartArgs),
    /// Every account (or system, or person) as the sole compromised node, ranked
    Sweep(SweepArgs),
    /// Two versions of a model: what changed, whose blast radius changed, and which change did
    /// it (exit status 3 when a --fail-if condition holds)
    Diff(DiffArgs),
    /// Write a synthetic organisation, deterministic from its seed
    Generate(GenerateArgs),
    /// The fixes that buy the most exposure reduction under a budget, and choke points
    Recommend(RecommendArgs),
    /// Check a model: every problem found at once (the first 100 shown), plus lint warnings
    Validate(ValidateArgs),
    /// Attack paths from one node to another, shortest first
    Paths(PathsArgs),
    /// Every person, account, group, system and store that can reach a store in the worst case
    WhoCanReach(WhoCanReachArgs),
    /// Read other tools' files into a model directory: OpenGraph and SharpHound files and
    /// zips, each recognised, or a format named by a subcommand
    Import(ImportArgs),
    /// Write a model in another format
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
}

/// Output format of `paths` and `who-can-reach`: a report format, or the attack graph drawn.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormatArg {
    Table,
    Json,
    Csv,
    /// The attack graph in Graphviz DOT
    Dot,
    /// The attack graph as a Mermaid flowchart
    Mermaid,
    /// The attack graph drawn as SVG (layered, left to right)
    Svg,
}

/// Where the results of `paths` and `who-can-reach` go.
#[derive(clap::Args, Debug, Clone)]
pub struct QueryOutputArgs {
    /// Output format (dot, mermaid and svg draw the attack graph)
    #[arg(long, short = 'f', value_enum, default_value_t = QueryFormatArg::Table)]
    pub format: QueryFormatArg,
    /// Write to this file (atomically, owner-only) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// With --format csv: leaked stores by category, people affected and to notify, or the
    /// loss in money (models with [money])
    #[arg(long, value_enum, default_value_t = CsvTable::Leaks)]
    pub csv_table: CsvTable,
    /// Evaluate as if the programme were N days old: every retention window is capped at N
    /// days in place of [org] program_age_days ("what will this hold at maturity?")
    #[arg(long, value_name = "N")]
    pub horizon_days: Option<u32>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    Leaks,
    People,
    Loss,
}

/// The arguments of `run` and of `compare`, which take the same.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Hide progress and lint notes on standard error
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The arguments of `report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    /// Folder to write index.html, report.json and the charts into (created if missing)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Accounts in the riskiest identities chart (0 skips the sweep of accounts)
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Hide progress and lint notes on standard error
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The arguments of `chart`.
#[derive(clap::Args, Debug)]
pub struct ChartArgs {
    /// A JSON result of `run`, or the report.json of `report`
    pub result: PathBuf,
    /// Folder to write the charts into (created if missing)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Replace person and account ids by stable pseudonyms (see `run --redact`)
    #[arg(long)]
    pub redact: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepKind {
    Account,
    System,
    Person,
}

/// What `sweep --by` ranks by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RankArg {
    Exposure,
    /// Records reached (with --category or --regime: of that focus)
    Records,
    /// People affected: all populations together, or one named population.
    People(Option<String>),
    /// Worst-case loss in money (models with [money])
    Loss,
    /// Entry probability × worst-case exposure (with --vector)
    Expected,
}

/// `--by`: exposure, records, people, people:POPULATION, loss or expected.
fn parse_rank(s: &str) -> Result<RankArg, String> {
    match s {
        "exposure" => Ok(RankArg::Exposure),
        "records" => Ok(RankArg::Records),
        "people" => Ok(RankArg::People(None)),
        "loss" => Ok(RankArg::Loss),
        "expected" => Ok(RankArg::Expected),
        _ => match s.strip_prefix("people:") {
            Some(p) if !p.is_empty() => Ok(RankArg::People(Some(p.to_string()))),
            _ => Err(format!(
                "expected exposure, records, people, people:POPULATION, loss or expected{}",
                blastradius::error::did_you_mean(
                    s,
                    ["exposure", "records", "people", "loss", "expected"]
                )
            )),
        },
    }
}

/// The arguments of `sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Model file, or a folder holding model.toml
    pub model: PathBuf,
    /// Which nodes to sweep
    #[arg(long, value_enum, default_value_t = SweepKind::Account)]
    pub kind: SweepKind,
    /// Rows in the table and JSON (CSV lists every node)
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Rank by worst-case exposure, records, people affected (all populations, or
    /// `people:POPULATION` for one), worst-case loss, or expected exposure (entry probability ×
    /// worst case; needs --vector) [default: exposure; records with --category or --regime]
    #[arg(long, value_parser = parse_rank)]
    pub by: Option<RankArg>,
    /// An attack vector of the model's [entry] table: adds each source's entry probability and
    /// expected exposure (accounts and people only)
    #[arg(long, value_name = "VECTOR")]
    pub vector: Option<String>,
    /// Evaluate as if the programme were N days old (see `run --horizon-days`)
    #[arg(long, value_name = "N")]
    pub horizon_days: Option<u32>,
    /// With --vector: also the Monte Carlo expectation of one attempt on each listed source
    /// (entry and every attack step drawn), from N trials each
    #[arg(long, value_name = "N", requires = "vector", conflicts_with_all = ["category", "regime"], value_parser = clap::value_parser!(u32).range(2..))]
    pub trials: Option<u32>,
    /// Seed of the keyed draws for --trials
    #[arg(long, default_value_t = 1, requires = "trials")]
    pub seed: u64,
    /// Count only the records of this category and those below it (`user.health` covers
    /// `user.health.*`), own or flowed copies
    #[arg(long, value_name = "C", conflicts_with = "regime")]
    pub category: Option<String>,
    /// Count only the records a notification regime of the model's [notification] covers
    #[arg(long, value_name = "R")]
    pub regime: Option<String>,
    /// Replace person and account ids by stable pseudonyms (see `run --redact`)
    #[arg(long)]
    pub redact: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// The arguments of `diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The old model: a file, or a folder holding model.toml
    pub old: PathBuf,
    /// The new model: a file, or a folder holding model.toml
    pub new: PathBuf,
    /// Which nodes are the sources swept on each side
    #[arg(long, value_enum, default_value_t = SweepKind::Account)]
    pub kind: SweepKind,
    /// Sources listed in the table and JSON (CSV lists every one)
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Exit with status 3 when this holds, e.g. 'exposure_increase > 5%',
    /// 'source_increase > 1000', 'new_reach:user.health' (repeatable)
    #[arg(long = "fail-if", value_name = "CONDITION")]
    pub fail_if: Vec<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutArg {
    Auto,
    Toml,
    Csv,
}

/// The arguments of `generate`.
#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// People in the organisation
    #[arg(long)]
    pub people: usize,
    /// Seed: the same seed gives the same files
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder to write model.toml (and CSV side files) into
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// File layout: TOML only, TOML with CSV side files, or CSV above 2,000 people
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    pub layout: LayoutArg,
    /// Replace a model already in the folder
    #[arg(long)]
    pub force: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectiveArg {
    WorstCase,
    Expected,
    /// Expected annual loss in money (needs [money] and a frequency; fix costs a year from
    /// [costs_per_year], else [costs] effort × 1,000)
    Loss,
    /// Organisation-wide: the worst-case exposure of every node of --kind as the sole
    /// compromised node, summed (the scenario's entry points are not used)
    Org,
}

/// The arguments of `recommend`.
#[derive(clap::Args, Debug)]
pub struct RecommendArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    /// Total cost the fixes may take (costs per fix: defaults or the scenario's [costs]) [default:
    /// 10]; with --objective loss, money a year [default: no limit]
    #[arg(long)]
    pub budget: Option<f64>,
    /// Minimise the worst-case or the expected (Monte Carlo) exposure, or the expected annual
    /// loss in money
    #[arg(long, value_enum, default_value_t = ObjectiveArg::WorstCase)]
    pub objective: ObjectiveArg,
    /// Trials per candidate for the simulated objectives [default: 1000 for expected, the
    /// scenario's [simulation] trials for loss]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub trials: Option<u32>,
    /// A retention cut sets a store's retention to this many days
    #[arg(long, default_value_t = 30)]
    pub retention_days: u32,
    /// Choke points listed
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Also rank choke points summed over every account as the compromised node
    #[arg(long)]
    pub all_accounts: bool,
    /// Let fixes cut the entry points' own links (left out by default)
    #[arg(long)]
    pub include_entry_links: bool,
    /// Stop at the cheapest plan found that cuts this share of the starting objective, e.g.
    /// 50% (the budget is then unlimited unless --budget is given)
    #[arg(long, value_name = "PERCENT")]
    pub target: Option<String>,
    /// The sources of --objective org
    #[arg(long, value_enum, default_value_t = SweepKind::Account)]
    pub kind: SweepKind,
    /// With --objective org: weigh each source's worst case by its entry probability under
    /// this attack vector of the model's [entry] (accounts and people only)
    #[arg(long, value_name = "VECTOR")]
    pub vector: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Hide progress on standard error
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The arguments of `validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Model file, or a folder holding model.toml
    pub model: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// The arguments of `paths`.
#[derive(clap::Args, Debug)]
pub struct PathsArgs {
    /// Model file, or a folder holding model.toml
    pub model: PathBuf,
    /// Where the attacker starts (any node id)
    #[arg(long)]
    pub from: String,
    /// Where the attacker wants to get (any node id)
    #[arg(long)]
    pub to: String,
    /// How many paths at most
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    #[command(flatten)]
    pub out: QueryOutputArgs,
}

/// The arguments of `who-can-reach`.
#[derive(clap::Args, Debug)]
pub struct WhoCanReachArgs {
    /// Model file, or a folder holding model.toml
    pub model: PathBuf,
    /// The store (any node id works)
    #[arg(required_unless_present_any = ["category", "regime"], conflicts_with_all = ["category", "regime"])]
    pub store: Option<String>,
    /// Instead of one store: every store holding records of this category or below it
    /// (`user.health` covers `user.health.*`), own or flowed copies
    #[arg(long, value_name = "C", conflicts_with = "regime")]
    pub category: Option<String>,
    /// Instead of one store: every store holding records a notification regime covers
    #[arg(long, value_name = "R")]
    pub regime: Option<String>,
    #[command(flatten)]
    pub out: QueryOutputArgs,
}

/// The arguments of `import`: files of any recognised format, or a subcommand that names one.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: Option<ImportCommand>,
    #[command(flatten)]
    pub graph: ImportGraphArgs,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// BloodHound OpenGraph JSON files (or .zip archives of them) into a model directory
    Opengraph(ImportGraphArgs),
    /// SharpHound CE JSON files (format 5 or 6, or the collector's .zip) into a model directory
    Sharphound(ImportGraphArgs),
    /// `user permission` pair lists, optionally with a role decomposition, into a model
    /// directory where each user is an account and each permission a store
    Pairs(ImportPairsArgs),
    /// Fides manifests (systems and datasets, YAML) into a model directory; an overlay's
    /// `[fides]` table gives each collection's rows
    Fides(ImportFidesArgs),
    /// AWS IAM `get-account-authorization-details` JSON, with optional resource listings
    /// (S3, RDS, Redshift, DynamoDB, Secrets Manager, Elasticsearch, Lambda, EC2), into a model
    /// directory
    Aws(ImportAwsArgs),
}

/// Where an import's model goes and how: the output folder, overlays, CSV side files, quiet,
/// force (the same for `import pairs`, `import fides` and `import aws`).
#[derive(clap::Args, Debug)]
pub struct ImportModelArgs {
    /// The model directory to write
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub overlay: OverlayArgs,
    /// Keep nodes and links in CSV files beside model.toml (for large models)
    #[arg(long)]
    pub csv: bool,
    /// Do not print warnings on standard error
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Replace a model already in the output folder
    #[arg(long)]
    pub force: bool,
}

/// The arguments of `import fides`.
#[derive(clap::Args, Debug)]
pub struct ImportFidesArgs {
    /// Fides manifest files (YAML): `system` lists with privacy declarations, `dataset` lists,
    /// custom `data_category` lists
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub to: ImportModelArgs,
}

/// The arguments of `import aws`.
#[derive(clap::Args, Debug)]
pub struct ImportAwsArgs {
    /// The output of `aws iam get-account-authorization-details`
    #[arg(value_name = "AUTH_DETAILS.json")]
    pub details: PathBuf,
    /// Resource listings (`aws s3api list-buckets`, `aws rds describe-db-instances`, …);
    /// files of other calls are skipped with a warning
    #[arg(value_name = "LISTING.json")]
    pub listings: Vec<PathBuf>,
    #[command(flatten)]
    pub to: ImportModelArgs,
}

/// The arguments of `import`, `import opengraph` and `import sharphound`.
#[derive(clap::Args, Debug)]
pub struct ImportGraphArgs {
    /// JSON files or .zip archives; together they form one graph
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The model directory to write (model.toml, plus CSV side files with --csv)
    #[arg(long, short = 'o', value_name = "DIR", required = true)]
    pub output: Option<PathBuf>,
    /// Kind mapping (TOML), consulted before the built-in one
    #[arg(long, value_name = "MAP.toml")]
    pub mapping: Option<PathBuf>,
    #[command(flatten)]
    pub overlay: OverlayArgs,
    /// Keep nodes and links in CSV files beside model.toml (for large graphs)
    #[arg(long)]
    pub csv: bool,
    /// Do not print warnings on standard error
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Replace a model already in the output folder
    #[arg(long)]
    pub force: bool,
}

/// Data-inventory overlays, shared by every import command (flattened into each).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct OverlayArgs {
    /// Data-inventory overlay (TOML: record sets, retention, flows, grants…) applied to the
    /// imported model; repeatable, applied in the order given
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairsLayoutArg {
    /// Two columns are pairs; three or more ending in 0/1 are amazon rows
    Auto,
    /// `user permission`
    Pairs,
    /// `user resource ... decision`: 1 granted, 0 denied
    Amazon,
}

/// The arguments of `import pairs`.
#[derive(clap::Args, Debug)]
pub struct ImportPairsArgs {
    /// The pair file: `user permission` lines, or Amazon access rows (last column 1/0)
    pub file: PathBuf,
    /// Role decomposition: blocks of `role:`, `permissions:` and `users:` lines
    #[arg(long, value_name = "FILE")]
    pub roles: Option<PathBuf>,
    /// Column layout of the pair file
    #[arg(long, value_enum, default_value_t = PairsLayoutArg::Auto)]
    pub layout: PairsLayoutArg,
    /// Category of the one record each permission store holds
    #[arg(long, default_value = "permission")]
    pub category: String,
    #[command(flatten)]
    pub to: ImportModelArgs,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The flat attack graph for graph libraries: nodes.csv and edges.csv, or GraphML
    Graph(ExportGraphArgs),
    /// A model, and optionally a run's JSON result, as BloodHound OpenGraph JSON
    Opengraph(ExportOpengraphArgs),
}

/// Layout of `export graph`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Csv,
    Graphml,
}

/// The arguments of `export graph`.
#[derive(clap::Args, Debug)]
pub struct ExportGraphArgs {
    /// Model file, or a folder holding model.toml
    pub model: PathBuf,
    /// Folder for nodes.csv and edges.csv (csv), or the GraphML file (graphml)
    #[arg(long, short = 'o', value_name = "DIR|FILE")]
    pub output: PathBuf,
    /// csv (nodes.csv + edges.csv, as shared/bench/baselines.py reads) or graphml
    #[arg(long, value_enum, default_value_t = GraphFormat::Csv)]
    pub format: GraphFormat,
}

/// The arguments of `export opengraph`.
#[derive(clap::Args, Debug)]
pub struct ExportOpengraphArgs {
    /// Model file, or a folder holding model.toml
    pub model: PathBuf,
    /// A JSON result of `run` on this model, added as `br_` node properties
    #[arg(long, value_name = "RESULT.json")]
    pub results: Option<PathBuf>,
    /// Write to this file (atomically, owner-only) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
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
