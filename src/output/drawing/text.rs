//! A drawing as Graphviz DOT and as a Mermaid flowchart, left to right: nodes `n0`, `n1`, … in
//! the drawing's order with their id (and records) as label, their kind's shape and colour;
//! steps labelled with kind and probability, choke points thick. Graphviz and Mermaid lay them
//! out themselves.

use std::fmt::Write;

use super::{edge_label, node_lines, style, Shape, CHOKE, INK, STEP};
use crate::results::drawing::{AttackDrawing, Role};

/// A DOT double-quoted string.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot_shape(shape: Shape) -> (&'static str, &'static str) {
    match shape {
        Shape::Ellipse => ("ellipse", "filled"),
        Shape::Rounded => ("box", "filled,rounded"),
        Shape::Hexagon => ("hexagon", "filled"),
        Shape::Box => ("box", "filled"),
        Shape::Cylinder => ("cylinder", "filled"),
        Shape::Dashed => ("box", "filled,dashed"),
    }
}

/// The drawing in Graphviz DOT.
pub fn dot(d: &AttackDrawing) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph attack_graph {{");
    let _ = writeln!(s, "  rankdir=LR;");
    let _ = writeln!(
        s,
        "  graph [label={}, labelloc=t, fontname=\"DejaVu Sans\"];",
        dot_quote(&d.title)
    );
    let _ = writeln!(s, "  node [fontname=\"DejaVu Sans\", fontsize=11];");
    let _ = writeln!(s, "  edge [fontname=\"DejaVu Sans\", fontsize=9];");
    for (i, n) in d.nodes.iter().enumerate() {
        let (shape, colour, _) = style(&n.kind);
        let (name, st) = dot_shape(shape);
        let width = if n.role == Role::Entry { 3 } else { 1 };
        let _ = writeln!(
            s,
            "  n{i} [label={}, shape={name}, style={}, fillcolor=\"{}\", color=\"{}\", penwidth={width}];",
            dot_quote(&node_lines(n).join("\n")),
            dot_quote(st),
            colour.tint(0.8).hex(),
            colour.hex()
        );
    }
    for e in &d.edges {
        let (colour, width) = if e.choke { (CHOKE, 3) } else { (STEP, 1) };
        let style = if e.p.is_none() { ", style=dashed" } else { "" };
        let _ = writeln!(
            s,
            "  n{} -> n{} [label={}, color=\"{}\", fontcolor=\"{}\", penwidth={width}{style}];",
            e.from,
            e.to,
            dot_quote(&edge_label(e)),
            colour.hex(),
            INK.hex()
        );
    }
    for (role, rank) in [(Role::Entry, "source"), (Role::Target, "sink")] {
        let ids: Vec<String> = (0..d.nodes.len())
            .filter(|&i| d.nodes[i].role == role)
            .map(|i| format!("n{i};"))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(s, "  {{ rank={rank}; {} }}", ids.join(" "));
        }
    }
    s.push_str("}\n");
    s
}

/// Text inside a Mermaid `"…"` label: quotes and markup characters as entity codes, lines
/// joined with `<br/>`.
fn mermaid_text(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| match c {
                    '"' => "#quot;".to_string(),
                    '<' => "#lt;".to_string(),
                    '>' => "#gt;".to_string(),
                    '#' => "#35;".to_string(),
                    c if c.is_control() => String::new(),
                    c => c.to_string(),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("<br/>")
}

/// The drawing as a Mermaid flowchart.
pub fn mermaid(d: &AttackDrawing) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "---\ntitle: {}\n---",
        mermaid_text(std::slice::from_ref(&d.title))
    );
    s.push_str("flowchart LR\n");
    for (i, n) in d.nodes.iter().enumerate() {
        let label = mermaid_text(&node_lines(n));
        let (shape, _, _) = style(&n.kind);
        let (open, close) = match shape {
            Shape::Ellipse => ("([", "])"),
            Shape::Rounded => ("(", ")"),
            Shape::Hexagon => ("{{", "}}"),
            Shape::Box | Shape::Dashed => ("[", "]"),
            Shape::Cylinder => ("[(", ")]"),
        };
        let _ = writeln!(s, "  n{i}{open}\"{label}\"{close}");
    }
    for e in &d.edges {
        let arrow = match (e.choke, e.p.is_some()) {
            (true, _) => "==>",
            (false, true) => "-->",
            (false, false) => "-.->",
        };
        let label = mermaid_text(&[edge_label(e)]);
        let _ = if label.is_empty() {
            writeln!(s, "  n{} {arrow} n{}", e.from, e.to)
        } else {
            writeln!(s, "  n{} {arrow}|\"{label}\"| n{}", e.from, e.to)
        };
    }
    // Links are numbered in the order written: the choke points take the drawing's colour.
    let chokes: Vec<String> = (0..d.edges.len())
        .filter(|&i| d.edges[i].choke)
        .map(|i| i.to_string())
        .collect();
    if !chokes.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:{},stroke-width:4px",
            chokes.join(","),
            CHOKE.hex()
        );
    }
    let mut kinds: Vec<&str> = d.nodes.iter().map(|n| n.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    for k in kinds {
        let (shape, colour, _) = style(k);
        let dash = if shape == Shape::Dashed {
            ",stroke-dasharray:4 3"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  classDef {k} fill:{},stroke:{}{dash}",
            colour.tint(0.8).hex(),
            colour.hex()
        );
        let members: Vec<String> = (0..d.nodes.len())
            .filter(|&i| d.nodes[i].kind == k)
            .map(|i| format!("n{i}"))
            .collect();
        let _ = writeln!(s, "  class {} {k}", members.join(","));
    }
    let entries: Vec<String> = (0..d.nodes.len())
        .filter(|&i| d.nodes[i].role == Role::Entry)
        .map(|i| format!("n{i}"))
        .collect();
    if !entries.is_empty() {
        let _ = writeln!(s, "  classDef entry stroke-width:3px");
        let _ = writeln!(s, "  class {} entry", entries.join(","));
    }
    s
}
