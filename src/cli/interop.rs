//! `import` and `export`: other formats in and out (DESIGN.md "Other formats"). Imports write a
//! model directory and read it back through the model loader, so what they write is what `run`
//! and `validate` will see.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use blastradius::error::Diagnostic;
use blastradius::interop::opengraph::export as og_out;
use blastradius::interop::opengraph::{self, ImportSummary, Mapping};
use blastradius::interop::pairs::{self, Layout, PairsSummary};
use blastradius::load::load_model;
use blastradius::model::Model;
use blastradius::output::model_files::save_model;
use blastradius::Error;

use super::args::{FormatArg, OutputArgs};
use super::{emit, shown, Failure};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// BloodHound OpenGraph JSON files (or .zip archives of them) into a model directory
    Opengraph {
        /// OpenGraph JSON files or .zip archives; together they form one graph
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The model directory to write (model.toml, plus CSV side files with --csv)
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        /// Kind mapping (TOML), consulted before the built-in one
        #[arg(long, value_name = "MAP.toml")]
        mapping: Option<PathBuf>,
        /// Keep nodes and links in CSV files beside model.toml (for large graphs)
        #[arg(long)]
        csv: bool,
        /// Do not print warnings on standard error
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// `user permission` pair lists, optionally with a role decomposition, into a model
    /// directory where each user is an account and each permission a store
    Pairs {
        /// The pair file: `user permission` lines, or Amazon access rows (last column 1/0)
        file: PathBuf,
        /// Role decomposition: blocks of `role:`, `permissions:` and `users:` lines
        #[arg(long, value_name = "FILE")]
        roles: Option<PathBuf>,
        /// Column layout of the pair file
        #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
        layout: LayoutArg,
        /// Category of the one record each permission store holds
        #[arg(long, default_value = "permission")]
        category: String,
        /// The model directory to write
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        /// Keep nodes and links in CSV files beside model.toml (for large data sets)
        #[arg(long)]
        csv: bool,
        /// Do not print warnings on standard error
        #[arg(long, short = 'q')]
        quiet: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutArg {
    /// Two columns are pairs; three or more ending in 0/1 are amazon rows
    Auto,
    /// `user permission`
    Pairs,
    /// `user resource ... decision`: 1 granted, 0 denied
    Amazon,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The flat attack graph for graph libraries: nodes.csv and edges.csv, or GraphML
    Graph {
        /// Model file, or a folder holding model.toml
        model: PathBuf,
        /// Folder for nodes.csv and edges.csv (csv), or the GraphML file (graphml)
        #[arg(long, short = 'o', value_name = "DIR|FILE")]
        output: PathBuf,
        /// csv (nodes.csv + edges.csv, as shared/bench/baselines.py reads) or graphml
        #[arg(long, value_enum, default_value_t = GraphFormat::Csv)]
        format: GraphFormat,
    },
    /// A model, and optionally a run's JSON result, as BloodHound OpenGraph JSON
    Opengraph {
        /// Model file, or a folder holding model.toml
        model: PathBuf,
        /// A JSON result of `run` on this model, added as `br_` node properties
        #[arg(long, value_name = "RESULT.json")]
        results: Option<PathBuf>,
        /// Write to this file (atomically, owner-only) instead of standard output
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn stdout_only() -> OutputArgs {
    OutputArgs {
        format: FormatArg::Table,
        output: None,
    }
}

fn print_warnings(warnings: &[Diagnostic], quiet: bool) {
    if !quiet {
        for w in warnings {
            eprintln!("{w}");
        }
    }
}

/// Writes `model` to `dir` and reads it back through the model loader; returns the number of
/// lint warnings the loader found.
fn save_and_check(model: &Model, dir: &Path, csv: bool) -> Result<usize, Failure> {
    if csv {
        if let Some(n) = model.nodes.iter().find(|n| n.id.contains(';')) {
            return Err(Error::Input(format!(
                "id `{}` holds `;`, which separates lists in CSV side files; import without --csv",
                n.id
            ))
            .into());
        }
    }
    save_model(model, dir, csv)?;
    let loaded = load_model(dir, &shown(dir)).map_err(|e| {
        Error::Input(format!(
            "the imported model in `{}` does not load back, which is a bug in the importer:\n{e}",
            shown(dir)
        ))
    })?;
    Ok(loaded.warnings.len())
}

fn counts(model: &Model) -> String {
    blastradius::model::NodeKind::ALL
        .iter()
        .map(|&k| k.counted(model.nodes_of(k).count()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lint_line(lints: usize, dir: &Path) -> String {
    if lints == 0 {
        String::new()
    } else {
        format!(
            "The model has {lints} lint warning{}; `blastradius validate {}` lists them.\n",
            if lints == 1 { "" } else { "s" },
            shown(dir)
        )
    }
}

fn opengraph_report(s: &ImportSummary, model: &Model, dir: &Path, lints: usize) -> String {
    let dangling: usize = s.dangling.values().sum();
    let unknown: usize = s.unknown_kinds.values().sum();
    format!(
        "Imported {} OpenGraph document{} ({} nodes, {} edges) into {}\n\
         nodes: {}{}\n\
         links: {} attack steps, {} write links, {} flows; {} edges not traversable ignored; {} edges with a dangling end and {} self-loops skipped\n{}",
        s.documents,
        if s.documents == 1 { "" } else { "s" },
        s.nodes_read,
        s.edges_read,
        shown(dir),
        counts(model),
        if unknown > 0 {
            format!(" ({unknown} of unmapped kinds, as systems)")
        } else {
            String::new()
        },
        s.attack_edges,
        s.write_links,
        s.flows,
        s.ignored_edges,
        dangling,
        s.self_loops,
        lint_line(lints, dir)
    )
}

fn pairs_report(s: &PairsSummary, dir: &Path, lints: usize) -> String {
    let mut out = format!(
        "Imported {} users, {} permissions, {} granted pairs",
        s.users, s.permissions, s.granted
    );
    if s.denied > 0 {
        out.push_str(&format!(" ({} denied pairs grant nothing)", s.denied));
    }
    out.push_str(&format!(" into {}\n", shown(dir)));
    if s.roles > 0 {
        out.push_str(&format!(
            "roles: {} roles, {} memberships, {} role grants; {} pairs in no role became direct grants; roles give {} pairs the list lacks\n",
            s.roles, s.memberships, s.role_grants, s.direct_grants, s.role_extra
        ));
    } else {
        out.push_str(&format!("grants: {} direct read grants\n", s.direct_grants));
    }
    out.push_str(&lint_line(lints, dir));
    out
}

pub fn import(what: &ImportCommand) -> Result<(), Failure> {
    match what {
        ImportCommand::Opengraph {
            files,
            output,
            mapping,
            csv,
            quiet,
        } => {
            let mapping = match mapping {
                Some(path) => opengraph::load_mapping(path, &shown(path))?,
                None => Mapping::default(),
            };
            let names: Vec<String> = files.iter().map(|f| shown(f)).collect();
            let inputs: Vec<(&Path, &str)> = files
                .iter()
                .zip(&names)
                .map(|(f, n)| (f.as_path(), n.as_str()))
                .collect();
            let docs = opengraph::read_inputs(&inputs)?;
            let imported = opengraph::import(docs, &mapping)?;
            print_warnings(&imported.warnings, *quiet);
            let lints = save_and_check(&imported.model, output, *csv)?;
            let text = opengraph_report(&imported.summary, &imported.model, output, lints);
            emit(&stdout_only(), &text)
        }
        ImportCommand::Pairs {
            file,
            roles,
            layout,
            category,
            output,
            csv,
            quiet,
        } => {
            let layout = match layout {
                LayoutArg::Auto => Layout::Auto,
                LayoutArg::Pairs => Layout::Pairs,
                LayoutArg::Amazon => Layout::Amazon,
            };
            let roles_shown = roles.as_ref().map(|r| shown(r));
            let roles = roles.as_deref().zip(roles_shown.as_deref());
            let imported = pairs::import_pairs(file, &shown(file), layout, roles, category)?;
            print_warnings(&imported.warnings, *quiet);
            let lints = save_and_check(&imported.model, output, *csv)?;
            emit(
                &stdout_only(),
                &pairs_report(&imported.summary, output, lints),
            )
        }
    }
}

/// Layout of `export graph`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Csv,
    Graphml,
}

pub fn export(what: &ExportCommand) -> Result<(), Failure> {
    match what {
        ExportCommand::Graph {
            model,
            output,
            format,
        } => {
            let loaded = load_model(model, &model.display().to_string())?;
            let analysis = blastradius::Analysis::new(loaded.model);
            match format {
                GraphFormat::Csv => {
                    blastradius::output::graph_export::write_csv(&analysis, output)?
                }
                GraphFormat::Graphml => blastradius::output::write::write_atomic(
                    output,
                    blastradius::output::graph_export::graphml(&analysis).as_bytes(),
                )?,
            }
            Ok(())
        }
        ExportCommand::Opengraph {
            model,
            results,
            output,
        } => {
            let loaded = load_model(model, &shown(model))?;
            let overlay = match results {
                Some(path) => Some(opengraph::load_result(path, &shown(path))?),
                None => None,
            };
            let text = og_out::render(&loaded.model, overlay.as_ref())?;
            let out = OutputArgs {
                format: FormatArg::Json,
                output: output.clone(),
            };
            emit(&out, &text)
        }
    }
}
