//! `import` and `export`: other formats in and out (DESIGN.md "Other formats"). Imports write a
//! model directory and read it back through the model loader, so what they write is what `run`
//! and `validate` will see.

use std::path::{Path, PathBuf};

use blastradius::error::Diagnostic;
use blastradius::interop::aws::{self, AwsSummary};
use blastradius::interop::collection::{self, Collection, Format as InputFormat};
use blastradius::interop::fides;
use blastradius::interop::graph;
use blastradius::interop::opengraph::export as og_out;
use blastradius::interop::opengraph::{self, ImportSummary, Mapping};
use blastradius::interop::pairs::{self, PairsSummary};
use blastradius::load::{apply_overlays_with_datasets, load_model, load_model_unlinted};
use blastradius::model::{counted, Model};
use blastradius::output::write::{write_all_atomic, write_atomic, FolderLock};
use blastradius::Error;

use super::args::{
    ExportCommand, ExportGraphArgs, ExportOpengraphArgs, GraphFormat, ImportArgs, ImportAwsArgs,
    ImportFidesArgs, ImportGraphArgs, ImportPairsArgs, OverlayArgs,
};
use super::output::{check_model_dir, save_model_folder, shown, write_text, Failure};
use super::requests::ImportRequest;

fn print_warnings(warnings: &[Diagnostic], quiet: bool) {
    if !quiet {
        for w in warnings {
            eprintln!("{w}");
        }
    }
}

/// Writes `model` to `dir` and reads it back through the model loader; returns the number of
/// lint warnings the loader found. With `force` (the folder may have held a model), side files of
/// the earlier model that this one does not rewrite are removed after the save. The folder's
/// lock is held from the save to the end of the read-back ([`save_model_folder`]).
fn save_and_check(model: &Model, dir: &Path, csv: bool, force: bool) -> Result<usize, Failure> {
    if csv {
        if let Some(n) = model.nodes.iter().find(|n| n.id.contains(';')) {
            return Err(Error::Input(format!(
                "id `{}` holds `;`, which separates lists in CSV side files; import without --csv",
                n.id
            ))
            .into());
        }
    }
    // Read back under the lock: what this run wrote, not another run's model.
    let loaded = save_model_folder(model, dir, csv, force, || {
        load_model(dir, &shown(dir)).map_err(|e| {
            Failure::Error(Error::Input(format!(
                "the imported model in `{}` does not load back, which is a bug in the importer:\n{e}",
                shown(dir)
            )))
        })
    })?;
    Ok(loaded.warnings.len())
}

/// Applies the `--overlay` files to an imported model, in order, printing their warnings.
/// Every import command calls this between importing and saving.
pub(super) fn with_overlays(
    model: Model,
    args: &OverlayArgs,
    quiet: bool,
) -> Result<Model, Failure> {
    if args.overlays.is_empty() {
        return Ok(model);
    }
    let paths: Vec<(&Path, String)> = args
        .overlays
        .iter()
        .map(|p| (p.as_path(), shown(p)))
        .collect();
    let overlaid = blastradius::load::apply_overlays(model, &paths)?;
    print_warnings(&overlaid.warnings, quiet);
    Ok(overlaid.model)
}

/// The import summary's line about the `--overlay` files (empty without any).
fn overlay_line(args: &OverlayArgs, model: &Model) -> String {
    if args.overlays.is_empty() {
        return String::new();
    }
    let stores: std::collections::BTreeSet<_> = model.record_sets.iter().map(|r| r.store).collect();
    format!(
        "overlays: {} applied; {} record sets in {} stores\n",
        args.overlays
            .iter()
            .map(|p| shown(p))
            .collect::<Vec<_>>()
            .join(", "),
        model.record_sets.len(),
        stores.len()
    )
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
    graph_report("OpenGraph document", s, model, dir, lints)
}

/// The import's figures; `what` names the documents read ("OpenGraph document").
fn graph_report(what: &str, s: &ImportSummary, model: &Model, dir: &Path, lints: usize) -> String {
    let dangling: usize = s.dangling.values().sum();
    let unknown: usize = s.unknown_kinds.values().sum();
    format!(
        "Imported {} {what}{} ({} nodes, {} edges) into {}\n\
         {}nodes: {}{}\n\
         links: {} attack steps, {} write links, {} flows; {} edges not traversable ignored; {} edges with a dangling end and {} self-loops skipped\n{}",
        s.documents,
        if s.documents == 1 { "" } else { "s" },
        s.nodes_read,
        s.edges_read,
        shown(dir),
        s.profile_line(),
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

/// Lines about the SharpHound files: what they held and which relations became steps.
fn sharphound_lines(c: &Collection) -> String {
    let Some(s) = &c.sharphound else {
        return String::new();
    };
    let list = |m: &std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<(&String, &usize)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let steps: usize = s.attack_edges.values().sum();
    let other: usize = s.other_edges.values().sum();
    let mut out = format!(
        "SharpHound: {} users ({} enabled, {} disabled, {} with an SPN as service accounts); {steps} attack steps ({}); {other} relations not followed ({})\n",
        s.users_enabled + s.users_disabled,
        s.users_enabled,
        s.users_disabled,
        s.service_accounts,
        list(&s.attack_edges),
        list(&s.other_edges),
    );
    if !s.unknown_types.is_empty() {
        out.push_str(&format!(
            "SharpHound object types without a BloodHound kind here, imported as systems: {}\n",
            list(&s.unknown_types)
        ));
    }
    out
}

pub fn import(args: &ImportArgs) -> Result<(), Failure> {
    match args.request() {
        ImportRequest::Graph(InputFormat::OpenGraph, a) => import_opengraph(a),
        ImportRequest::Graph(format, a) => import_graph(format, a),
        ImportRequest::Pairs(a) => import_pairs(a),
        ImportRequest::Fides(a) => import_fides(a),
        ImportRequest::Aws(a) => import_aws(a),
    }
}

/// The kind mapping, the inputs (path, name shown) and the output directory of a graph import.
fn graph_inputs(args: &ImportGraphArgs) -> Result<(Mapping, Vec<String>, &Path), Failure> {
    let mapping = match &args.mapping {
        Some(path) => opengraph::load_mapping(path, &shown(path))?,
        None => Mapping::default(),
    };
    let names: Vec<String> = args.files.iter().map(|f| shown(f)).collect();
    let output = args
        .output
        .as_deref()
        .ok_or_else(|| Error::Input("import needs an output directory: -o DIR".into()))?;
    check_model_dir(output, args.force)?;
    Ok((mapping, names, output))
}

/// Each input path beside the name it is shown by.
fn named<'a>(files: &'a [PathBuf], names: &'a [String]) -> Vec<(&'a Path, &'a str)> {
    files
        .iter()
        .zip(names)
        .map(|(f, n)| (f.as_path(), n.as_str()))
        .collect()
}

fn import_opengraph(args: &ImportGraphArgs) -> Result<(), Failure> {
    let (mapping, names, output) = graph_inputs(args)?;
    let inputs = named(&args.files, &names);
    let docs = opengraph::read_inputs(&inputs)?;
    let imported = opengraph::import(docs, &mapping)?;
    print_warnings(&imported.warnings, args.quiet);
    let model = with_overlays(imported.model, &args.overlay, args.quiet)?;
    let lints = save_and_check(&model, output, args.csv, args.force)?;
    let mut text = opengraph_report(&imported.summary, &model, output, lints);
    text.push_str(&overlay_line(&args.overlay, &model));
    write_text(None, &text)
}

/// `import` (each file recognised) and `import sharphound`.
fn import_graph(format: InputFormat, args: &ImportGraphArgs) -> Result<(), Failure> {
    let (mapping, names, output) = graph_inputs(args)?;
    let inputs = named(&args.files, &names);
    let c = collection::import_collection(&inputs, format, &mapping)?;
    print_warnings(&c.imported.warnings, args.quiet);
    let mut text = String::new();
    for input in &c.inputs {
        text.push_str(&format!("{}: {}\n", input.name, input.describe()));
    }
    text.push_str(&sharphound_lines(&c));
    let model = with_overlays(c.imported.model, &args.overlay, args.quiet)?;
    let lints = save_and_check(&model, output, args.csv, args.force)?;
    text.push_str(&graph_report(
        "document",
        &c.imported.summary,
        &model,
        output,
        lints,
    ));
    text.push_str(&overlay_line(&args.overlay, &model));
    write_text(None, &text)
}

fn import_pairs(args: &ImportPairsArgs) -> Result<(), Failure> {
    check_model_dir(&args.to.output, args.to.force)?;
    let file = &args.file;
    let roles_shown = args.roles.as_ref().map(|r| shown(r));
    let roles = args.roles.as_deref().zip(roles_shown.as_deref());
    let imported = pairs::import_pairs(
        file,
        &shown(file),
        args.layout.into(),
        roles,
        &args.category,
    )?;
    print_warnings(&imported.warnings, args.to.quiet);
    let model = with_overlays(imported.model, &args.to.overlay, args.to.quiet)?;
    let lints = save_and_check(&model, &args.to.output, args.to.csv, args.to.force)?;
    let mut text = pairs_report(&imported.summary, &args.to.output, lints);
    text.push_str(&overlay_line(&args.to.overlay, &model));
    write_text(None, &text)
}

/// `import fides`: systems and datasets into a model, the datasets' record sets with the rows
/// the overlays' `[fides]` table gives.
fn import_fides(args: &ImportFidesArgs) -> Result<(), Failure> {
    check_model_dir(&args.to.output, args.to.force)?;
    let names: Vec<String> = args.files.iter().map(|f| shown(f)).collect();
    let inputs = named(&args.files, &names);
    let manifests = fides::read_manifests(&inputs)?;
    print_warnings(&manifests.warnings, args.to.quiet);
    let (model, s) = fides::import(&manifests)?;
    let paths: Vec<(&Path, String)> = args
        .to
        .overlay
        .overlays
        .iter()
        .map(|p| (p.as_path(), shown(p)))
        .collect();
    let overlaid = apply_overlays_with_datasets(model, &paths, &manifests.datasets)?;
    print_warnings(&overlaid.warnings, args.to.quiet);
    let model = overlaid.model;
    let lints = save_and_check(&model, &args.to.output, args.to.csv, args.to.force)?;
    let stores: std::collections::BTreeSet<_> = model.record_sets.iter().map(|r| r.store).collect();
    let text = format!(
        "Imported {} Fides systems and {} datasets ({} collections, {} fields, {} with categories, {} distinct categories) into {}\n\
         nodes: {}\n\
         links: {} service accounts, {} data access links, {}, {} flows from {} data movements ({} flows left out as cycles, {} ends at users skipped)\n\
         records: {} record sets in {} stores{}\n{}",
        s.systems,
        s.datasets,
        s.collections,
        s.fields,
        s.categorised_fields,
        s.categories,
        shown(&args.to.output),
        counts(&model),
        s.systems,
        s.access_links,
        counted(s.write_links, "write link", "write links"),
        s.flows,
        s.movements,
        s.cyclic_flows,
        s.user_ends,
        model.record_sets.len(),
        stores.len(),
        if paths.is_empty() {
            " (no overlay: every collection holds 1 row)".to_string()
        } else {
            format!("; overlays: {}", names_of(&paths))
        },
        lint_line(lints, &args.to.output)
    );
    write_text(None, &text)
}

fn names_of(paths: &[(&Path, String)]) -> String {
    paths
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The summary of `import aws`.
fn aws_report(s: &AwsSummary, model: &Model, dir: &Path, lints: usize) -> String {
    let mut out = format!(
        "Imported AWS account {}: {}, {}, {}, {}, {}, {} into {}\n\
         stores: {} listed, {} named in policies only (no records: an overlay says what they hold); {} compute with a role\n\
         grants: {} read, {} write, {} admin; {} attack steps\n\
         nodes: {}\n",
        if s.account.is_empty() { "(unknown id)" } else { &s.account },
        counted(s.users, "user", "users"), counted(s.groups, "group", "groups"),
        counted(s.roles, "role", "roles"),
        counted(s.instance_profiles, "instance profile", "instance profiles"),
        counted(s.managed_policies, "managed policy", "managed policies"),
        counted(s.memberships, "membership", "memberships"),
        shown(dir),
        s.stores_listed, s.stores_named, s.compute,
        s.grants[0], s.grants[1], s.grants[2], s.attack_steps(),
        counts(model),
    );
    let mut steps: Vec<(&String, &usize)> = s.steps.iter().collect();
    steps.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    out.push_str(&format!(
        "steps: {}\n",
        steps
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for (entry, roles) in &s.external {
        out.push_str(&format!(
            "external entry point {entry} may assume {}\n",
            roles.join(", ")
        ));
    }
    for g in &s.resource_grants {
        out.push_str(&format!("bucket policy: {g}\n"));
    }
    out.push_str(&format!(
        "administrator (full control of the account) directly from {}: {}\n",
        counted(s.administrators.len(), "principal", "principals"),
        s.administrators.join(", ")
    ));
    if !s.unlisted_principals.is_empty() {
        out.push_str(&format!(
            "principals named but not in the details (no policies known): {}\n",
            s.unlisted_principals.join(", ")
        ));
    }
    if !s.conditional.is_empty() {
        out.push_str(&format!(
            "{} grants and steps rest on a condition (not evaluated, treated as holding):\n",
            s.conditional.len()
        ));
        for c in &s.conditional {
            out.push_str(&format!("  {c}\n"));
        }
    }
    out.push_str(&lint_line(lints, dir));
    out
}

fn import_aws(args: &ImportAwsArgs) -> Result<(), Failure> {
    check_model_dir(&args.to.output, args.to.force)?;
    let names: Vec<String> = args.listings.iter().map(|f| shown(f)).collect();
    let listings = named(&args.listings, &names);
    let imported = aws::import_aws((&args.details, &shown(&args.details)), &listings)?;
    print_warnings(&imported.warnings, args.to.quiet);
    let model = with_overlays(imported.model, &args.to.overlay, args.to.quiet)?;
    let lints = save_and_check(&model, &args.to.output, args.to.csv, args.to.force)?;
    let mut text = aws_report(&imported.summary, &model, &args.to.output, lints);
    text.push_str(&overlay_line(&args.to.overlay, &model));
    write_text(None, &text)
}

pub fn export(what: &ExportCommand) -> Result<(), Failure> {
    match what {
        ExportCommand::Graph(args) => export_graph(args),
        ExportCommand::Opengraph(args) => export_opengraph(args),
    }
}

fn export_graph(args: &ExportGraphArgs) -> Result<(), Failure> {
    let model = load_model_unlinted(&args.model, &args.model.display().to_string())?;
    let analysis = blastradius::Analysis::new(model);
    match args.format {
        GraphFormat::Csv => {
            // Both files are rendered before the first is written, as one set under the
            // folder's lock: two exports into one folder never mix their files.
            let flat = graph::flat_csv(&analysis);
            let _lock = FolderLock::take(&args.output)?;
            write_all_atomic(&[
                (args.output.join("nodes.csv"), flat.nodes.as_bytes()),
                (args.output.join("edges.csv"), flat.edges.as_bytes()),
            ])?
        }
        GraphFormat::Graphml => write_atomic(&args.output, graph::graphml(&analysis).as_bytes())?,
    }
    Ok(())
}

fn export_opengraph(args: &ExportOpengraphArgs) -> Result<(), Failure> {
    let model = load_model_unlinted(&args.model, &shown(&args.model))?;
    let overlay = match &args.results {
        Some(path) => Some(opengraph::load_result(path, &shown(path))?),
        None => None,
    };
    let text = og_out::render(&model, overlay.as_ref())?;
    write_text(args.output.as_deref(), &text)
}
