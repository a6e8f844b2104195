//! A drawing's [`Scene`] as an SVG document. Each node is a `<g class="node">` and each step a
//! `<g class="edge">` carrying the model ids, kinds, probability (a target's: its drawn path's,
//! entry included) and layer as `data-` attributes, so a reader (or a test) can take the graph
//! back out of the picture.

use std::fmt::Write;

use super::scene::{EdgeShape, NodeShape, Scene, Text};
use crate::output::html::escape;
use crate::results::drawing::AttackDrawing;

const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(s: &mut String, t: &Text) {
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{:.2}\"{}{} dominant-baseline=\"central\" fill=\"{}\">{}</text>",
        t.x,
        t.y,
        t.size / 1.24,
        if t.bold { " font-weight=\"bold\"" } else { "" },
        if t.centred { " text-anchor=\"middle\"" } else { "" },
        t.colour.hex(),
        escape(&t.text)
    );
}

fn node(s: &mut String, n: &NodeShape) {
    let _ = writeln!(
        s,
        "<polygon points=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
        points(&n.outline),
        n.fill.hex(),
        n.stroke.hex(),
        n.stroke_width,
        if n.dashed {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        }
    );
    if !n.rim.is_empty() {
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\"/>",
            points(&n.rim),
            n.stroke.hex()
        );
    }
    for t in &n.lines {
        text(s, t);
    }
}

fn edge(s: &mut String, e: &EdgeShape, with_box: bool) {
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
        points(&e.points),
        e.colour.hex(),
        e.width,
        if e.dashed {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "<polygon points=\"{}\" fill=\"{}\"/>",
        points(&e.arrow),
        e.colour.hex()
    );
    if let Some((t, b)) = &e.label {
        if with_box {
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>",
                b[0], b[1], b[2], b[3]
            );
        }
        text(s, t);
    }
}

/// The scene of `d` as an SVG document.
pub fn svg(d: &AttackDrawing, scene: &Scene) -> String {
    let mut s = String::with_capacity(16 * 1024);
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"attack-graph\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FAMILY}\" role=\"img\" aria-label=\"{}\">",
        escape(&d.title),
        w = scene.width,
        h = scene.height
    );
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        scene.width, scene.height
    );
    s.push_str("<g class=\"legend\">\n");
    for t in &scene.header {
        text(&mut s, t);
    }
    for n in &scene.legend {
        node(&mut s, n);
    }
    for e in &scene.legend_lines {
        edge(&mut s, e, false);
    }
    s.push_str("</g>\n");
    for e in &scene.edges {
        let de = &d.edges[e.index];
        let p = de.p.map(|p| format!(" data-p=\"{p}\"")).unwrap_or_default();
        let _ = writeln!(
            s,
            "<g class=\"edge{}\" data-from=\"{}\" data-to=\"{}\" data-kind=\"{}\"{p}>",
            if de.choke { " choke" } else { "" },
            escape(&d.nodes[de.from].id),
            escape(&d.nodes[de.to].id),
            escape(&de.kind)
        );
        edge(&mut s, e, true);
        s.push_str("</g>\n");
    }
    for n in &scene.nodes {
        let dn = &d.nodes[n.index];
        let p = dn
            .probability
            .map(|p| format!(" data-p=\"{p}\""))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<g class=\"node\" data-id=\"{}\" data-kind=\"{}\" data-role=\"{}\" data-layer=\"{}\"{p}>",
            escape(&dn.id),
            escape(&dn.kind),
            format!("{:?}", dn.role).to_lowercase(),
            n.layer
        );
        node(&mut s, n);
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}
