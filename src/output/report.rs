//! The files of a report folder, rendered in memory before anything is written: each chart as
//! `NAME.svg` and `NAME.png`, the attack graph as `attack-graph.svg` and `.png`, `report.json` (what the charts are drawn from) and, for `report`,
//! `index.html`. The page comes last so a writer that goes in order replaces it only once
//! everything it shows is in place.

use super::charts::{self, data::CHART_NAMES, data::MONEY_CHART_NAMES};
use super::drawing::{png::png, scene::scene, svg::svg};
use super::{html, json};
use crate::error::Result;
use crate::results::drawing::AttackDrawing;
use crate::results::report::ReportData;

/// The file name (without extension) of a report's attack graph.
pub const ATTACK_GRAPH: &str = "attack-graph";

/// One file of a report folder: a name inside the folder and its bytes.
pub type File = (String, Vec<u8>);

/// The chart files (and with `page`, `report.json` and `index.html`), in writing order.
pub fn files(data: &ReportData, page: bool) -> Result<Vec<File>> {
    let (shown, missing) = charts::charts(data);
    let rendered = shown
        .iter()
        .map(charts::render)
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for r in &rendered {
        out.push((format!("{}.svg", r.chart.name), r.svg.clone().into_bytes()));
        out.push((format!("{}.png", r.chart.name), r.png.clone()));
    }
    let drawing = AttackDrawing::of_run(&data.run);
    let drawn = scene(&drawing);
    let graph = svg(&drawing, &drawn);
    out.push((format!("{ATTACK_GRAPH}.svg"), graph.clone().into_bytes()));
    out.push((format!("{ATTACK_GRAPH}.png"), png(&drawn)?));
    if page {
        out.push(("report.json".into(), json::render(data).into_bytes()));
        out.push((
            "index.html".into(),
            html::page(data, &rendered, &missing, &graph).into_bytes(),
        ));
    }
    Ok(out)
}

/// Chart files an earlier report may have left that this one does not draw.
pub fn stale(files: &[File]) -> Vec<String> {
    CHART_NAMES
        .iter()
        .chain(&MONEY_CHART_NAMES)
        .chain(&[ATTACK_GRAPH])
        .flat_map(|n| [format!("{n}.svg"), format!("{n}.png")])
        .filter(|f| !files.iter().any(|(name, _)| name == f))
        .collect()
}
