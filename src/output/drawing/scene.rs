//! A laid-out drawing as shapes and text in pixels: a header (title, note, legend), then the
//! graph from [`super::layout`] with every node's outline as a polygon, so the SVG and the PNG
//! draw the very same points. Text is measured with the embedded DejaVu Sans.

use std::f64::consts::PI;

use super::layout::{layout, Graph, Layout};
use super::{edge_label, node_lines, style, Rgb, Shape, CHOKE, INK, MUTED, STEP};
use crate::output::charts::text::measure;
use crate::results::drawing::{AttackDrawing, Role};

/// Text sizes in plotters' convention (the em is size / 1.24).
pub const TITLE: f64 = 20.0;
pub const TEXT: f64 = 14.0;
pub const SMALL: f64 = 12.0;
const LINE: f64 = 15.0;
const PAD_X: f64 = 12.0;
const PAD_Y: f64 = 8.0;
/// Height of a store's cylinder caps.
const CAP: f64 = 5.0;
const MARGIN: f64 = 20.0;
const MIN_WIDTH: f64 = 640.0;

/// A line of text, anchored at its left end (or its centre) and vertical middle.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub bold: bool,
    pub centred: bool,
    pub colour: Rgb,
}

/// A node: outline polygon, an extra line (a cylinder's front rim), colours and text.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeShape {
    pub index: usize,
    pub layer: usize,
    pub outline: Vec<(f64, f64)>,
    pub rim: Vec<(f64, f64)>,
    pub fill: Rgb,
    pub stroke: Rgb,
    pub stroke_width: f64,
    pub dashed: bool,
    pub lines: Vec<Text>,
}

/// A step: polyline, arrowhead, colour and label (with the box behind it).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeShape {
    pub index: usize,
    pub points: Vec<(f64, f64)>,
    pub arrow: [(f64, f64); 3],
    pub colour: Rgb,
    pub width: f64,
    pub dashed: bool,
    pub label: Option<(Text, [f64; 4])>,
}

/// Everything drawn, in drawing order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub header: Vec<Text>,
    /// Legend entries: a sample shape (a node outline, or a line for steps) and its text.
    pub legend: Vec<NodeShape>,
    pub legend_lines: Vec<EdgeShape>,
    pub edges: Vec<EdgeShape>,
    pub nodes: Vec<NodeShape>,
    pub layout: Layout,
}

fn width_of(text: &str, size: f64, bold: bool) -> f64 {
    measure(text, size, bold).0 as f64
}

/// The outline of `shape` in the box (x, y top-left, w, h), and a cylinder's front rim.
/// A line of points.
type Points = Vec<(f64, f64)>;

fn outline(shape: Shape, x: f64, y: f64, w: f64, h: f64) -> (Points, Points) {
    let (cx, cy, rx) = (x + w / 2.0, y + h / 2.0, w / 2.0);
    let arc = |cx: f64, cy: f64, rx: f64, ry: f64, from: f64, to: f64, n: usize| {
        (0..=n)
            .map(|i| {
                let t = from + (to - from) * i as f64 / n as f64;
                (cx + rx * t.cos(), cy + ry * t.sin())
            })
            .collect::<Vec<_>>()
    };
    match shape {
        Shape::Ellipse => {
            let mut pts = arc(cx, cy, rx, h / 2.0, 0.0, 2.0 * PI, 48);
            pts.pop();
            (pts, Vec::new())
        }
        Shape::Rounded => {
            let r = 8.0f64.min(h / 2.0);
            let mut pts = arc(x + w - r, y + r, r, r, -PI / 2.0, 0.0, 4);
            pts.extend(arc(x + w - r, y + h - r, r, r, 0.0, PI / 2.0, 4));
            pts.extend(arc(x + r, y + h - r, r, r, PI / 2.0, PI, 4));
            pts.extend(arc(x + r, y + r, r, r, PI, 1.5 * PI, 4));
            (pts, Vec::new())
        }
        Shape::Hexagon => {
            let k = 10.0f64.min(w / 4.0);
            let pts = vec![
                (x + k, y),
                (x + w - k, y),
                (x + w, cy),
                (x + w - k, y + h),
                (x + k, y + h),
                (x, cy),
            ];
            (pts, Vec::new())
        }
        Shape::Box | Shape::Dashed => (
            vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h)],
            Vec::new(),
        ),
        Shape::Cylinder => {
            let mut pts = arc(cx, y + CAP, rx, CAP, PI, 2.0 * PI, 16);
            pts.extend(arc(cx, y + h - CAP, rx, CAP, 0.0, PI, 16));
            (pts, arc(cx, y + CAP, rx, CAP, 0.0, PI, 16))
        }
    }
}

/// Extra room a shape needs around its text.
fn pad(shape: Shape) -> (f64, f64) {
    match shape {
        Shape::Ellipse => (PAD_X * 2.2, PAD_Y + 3.0),
        Shape::Hexagon => (PAD_X + 8.0, PAD_Y),
        Shape::Cylinder => (PAD_X, PAD_Y + CAP * 1.5),
        _ => (PAD_X, PAD_Y),
    }
}

fn node_shape(
    index: usize,
    layer: usize,
    kind: &str,
    entry: bool,
    lines: &[String],
    (x, y, w, h): (f64, f64, f64, f64),
) -> NodeShape {
    let (shape, colour, _) = style(kind);
    let (outline, rim) = outline(shape, x, y, w, h);
    let (_, py) = pad(shape);
    let top = y
        + py
        + if shape == Shape::Cylinder {
            CAP / 2.0
        } else {
            0.0
        };
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, l)| Text {
            text: l.clone(),
            x: x + w / 2.0,
            y: top + LINE * (i as f64 + 0.5),
            size: if i == 0 { TEXT } else { SMALL },
            bold: i == 0 && entry,
            centred: true,
            colour: if i == 0 { INK } else { MUTED },
        })
        .collect();
    NodeShape {
        index,
        layer,
        outline,
        rim,
        fill: colour.tint(0.82),
        stroke: colour,
        stroke_width: if entry { 3.0 } else { 1.2 },
        dashed: shape == Shape::Dashed,
        lines,
    }
}

fn box_size(kind: &str, lines: &[String]) -> (f64, f64) {
    let (px, py) = pad(style(kind).0);
    let w = lines
        .iter()
        .enumerate()
        .map(|(i, l)| width_of(l, if i == 0 { TEXT } else { SMALL }, i == 0))
        .fold(0.0, f64::max);
    (
        (w + 2.0 * px).ceil(),
        (LINE * lines.len() as f64 + 2.0 * py).ceil(),
    )
}

/// Splits `text` into lines no wider than `max` at `size`.
fn wrap(text: &str, size: f64, max: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && width_of(&candidate, size, false) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    lines
}

/// The legend's samples, laid out in rows from (x, y), `max` wide; returns the height used.
fn legend(d: &AttackDrawing, x0: f64, y0: f64, max: f64, s: &mut Scene) -> f64 {
    let mut kinds: Vec<&str> = ["person", "account", "group", "system", "store", "more"]
        .into_iter()
        .filter(|k| d.nodes.iter().any(|n| n.kind == *k))
        .collect();
    kinds.dedup();
    let (mut x, mut y) = (x0, y0);
    let row = 24.0;
    let place = |w: f64, x: &mut f64, y: &mut f64| {
        if *x > x0 && *x + w > x0 + max {
            *x = x0;
            *y += row;
        }
        let at = *x;
        *x += w + 18.0;
        at
    };
    for k in kinds {
        let name = style(k).2;
        let w = 26.0 + 6.0 + width_of(name, SMALL, false);
        let at = place(w, &mut x, &mut y);
        let mut n = node_shape(0, 0, k, false, &[], (at, y, 26.0, 16.0));
        n.lines.push(Text {
            text: name.into(),
            x: at + 32.0,
            y: y + 8.0,
            size: SMALL,
            bold: false,
            centred: false,
            colour: INK,
        });
        s.legend.push(n);
    }
    let samples = [
        ("entry point: thick border", None),
        ("step, with kind and probability", Some((STEP, 1.5))),
        ("choke point", Some((CHOKE, 4.0))),
    ];
    for (name, line) in samples {
        let w = 32.0 + width_of(name, SMALL, false);
        let at = place(w, &mut x, &mut y);
        let text = Text {
            text: name.into(),
            x: at + if line.is_some() { 32.0 } else { 0.0 },
            y: y + 8.0,
            size: SMALL,
            bold: false,
            centred: false,
            colour: INK,
        };
        match line {
            Some((colour, width)) => s.legend_lines.push(EdgeShape {
                index: 0,
                points: vec![(at, y + 8.0), (at + 20.0, y + 8.0)],
                arrow: [
                    (at + 26.0, y + 8.0),
                    (at + 19.0, y + 4.5),
                    (at + 19.0, y + 11.5),
                ],
                colour,
                width,
                dashed: false,
                label: Some((text, [0.0; 4])),
            }),
            None => s.header.push(text),
        }
    }
    y + row - y0
}

/// The arrowhead at the end of `points`.
fn arrow(points: &[(f64, f64)]) -> [(f64, f64); 3] {
    let (x1, y1) = points[points.len() - 1];
    let (x0, y0) = points[points.len() - 2];
    let (dx, dy) = (x1 - x0, y1 - y0);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (x1 - 8.0 * ux, y1 - 8.0 * uy);
    [
        (x1, y1),
        (bx - 4.0 * uy, by + 4.0 * ux),
        (bx + 4.0 * uy, by - 4.0 * ux),
    ]
}

/// Spreads the ends of the steps that meet at one side of a node over that side, in the order
/// of where they come from (go to), so fans of arrows stay apart.
fn spread_ports(d: &AttackDrawing, lay: &Layout, routes: &mut [Vec<(f64, f64)>]) {
    for v in 0..d.nodes.len() {
        let h = lay.nodes[v].h;
        for incoming in [true, false] {
            let mut ends: Vec<(f64, usize)> = (0..d.edges.len())
                .filter(|&e| routes[e].len() >= 2)
                .filter(|&e| {
                    if incoming {
                        d.edges[e].to == v
                    } else {
                        d.edges[e].from == v
                    }
                })
                .map(|e| {
                    let r = &routes[e];
                    let other = if incoming { r[r.len() - 2].1 } else { r[1].1 };
                    (other, e)
                })
                .collect();
            if ends.len() < 2 {
                continue;
            }
            ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let step = (h * 0.7 / (ends.len() - 1) as f64).min(8.0);
            let mid = (ends.len() - 1) as f64 / 2.0;
            for (k, &(_, e)) in ends.iter().enumerate() {
                let r = &mut routes[e];
                let at = if incoming { r.len() - 1 } else { 0 };
                r[at].1 += (k as f64 - mid) * step;
            }
        }
    }
}

/// The steps as lines with arrowheads and labels, `at` placing layout points on the page.
fn edge_shapes(
    d: &AttackDrawing,
    lay: &Layout,
    labels: &[String],
    at: impl Fn((f64, f64)) -> (f64, f64),
) -> Vec<EdgeShape> {
    let mut edges = Vec::with_capacity(d.edges.len());
    let mut routes: Vec<Vec<(f64, f64)>> = lay
        .edges
        .iter()
        .map(|pts| pts.iter().map(|&p| at(p)).collect())
        .collect();
    spread_ports(d, lay, &mut routes);
    let (mut fan_in, mut fan_out) = (vec![0; d.nodes.len()], vec![0; d.nodes.len()]);
    for e in &d.edges {
        fan_in[e.to] += 1;
        fan_out[e.from] += 1;
    }
    for (i, e) in d.edges.iter().enumerate() {
        let points = std::mem::take(&mut routes[i]);
        let label = (!labels[i].is_empty()).then(|| {
            let w = width_of(&labels[i], SMALL, false);
            // Beside the arrowhead when the target has one way in, else beside the source
            // when it has one way out, else halfway.
            let last = points.len() - 1;
            let ((x0, y0), (x1, y1), cx) = if fan_in[e.to] == 1 || last > 1 && fan_out[e.from] > 1 {
                let (a, b) = (points[last - 1], points[last]);
                (a, b, b.0 - 10.0 - w / 2.0)
            } else if fan_out[e.from] == 1 {
                let (a, b) = (points[0], points[1]);
                (a, b, a.0 + 6.0 + w / 2.0)
            } else {
                let (a, b) = (points[0], points[1]);
                (a, b, (a.0 + b.0) / 2.0)
            };
            let t = if (x1 - x0).abs() < 1e-9 {
                1.0
            } else {
                ((cx - x0) / (x1 - x0)).clamp(0.0, 1.0)
            };
            let cy = y0 + (y1 - y0) * t;
            let bg = [cx - w / 2.0 - 3.0, cy - 8.0, w + 6.0, 16.0];
            (
                Text {
                    text: labels[i].clone(),
                    x: cx,
                    y: cy,
                    size: SMALL,
                    bold: false,
                    centred: true,
                    colour: INK,
                },
                bg,
            )
        });
        edges.push(EdgeShape {
            index: i,
            arrow: arrow(&points),
            points,
            colour: if e.choke { CHOKE } else { STEP },
            width: if e.choke { 4.0 } else { 1.5 },
            dashed: e.p.is_none(),
            label,
        });
    }
    edges
}

/// Lays the drawing out and turns it into shapes.
pub fn scene(d: &AttackDrawing) -> Scene {
    let lines: Vec<Vec<String>> = d.nodes.iter().map(node_lines).collect();
    let labels: Vec<String> = d.edges.iter().map(edge_label).collect();
    let graph = Graph {
        sizes: d
            .nodes
            .iter()
            .zip(&lines)
            .map(|(n, l)| box_size(&n.kind, l))
            .collect(),
        edges: d.edges.iter().map(|e| (e.from, e.to)).collect(),
        entry: d.nodes.iter().map(|n| n.role == Role::Entry).collect(),
        target: d
            .nodes
            .iter()
            .map(|n| matches!(n.role, Role::Target | Role::More))
            .collect(),
        label_width: labels
            .iter()
            .map(|l| width_of(l, SMALL, false) + 16.0)
            .collect(),
    };
    let lay = layout(&graph);
    let width = (lay.width + 2.0 * MARGIN).max(MIN_WIDTH);
    let mut s = Scene {
        width: 0,
        height: 0,
        header: Vec::new(),
        legend: Vec::new(),
        legend_lines: Vec::new(),
        edges: Vec::new(),
        nodes: Vec::new(),
        layout: lay.clone(),
    };
    let text = |t: &str, y: f64, size: f64, bold: bool, colour: Rgb| Text {
        text: t.to_string(),
        x: MARGIN,
        y,
        size,
        bold,
        centred: false,
        colour,
    };
    let mut y = MARGIN + 10.0;
    s.header.push(text(&d.title, y, TITLE, true, INK));
    y += 24.0;
    for l in wrap(&d.note, SMALL, width - 2.0 * MARGIN) {
        s.header.push(text(&l, y, SMALL, false, MUTED));
        y += LINE;
    }
    y += 8.0;
    y += legend(d, MARGIN, y, width - 2.0 * MARGIN, &mut s);
    let top = y + 8.0;
    let at = |(x, y): (f64, f64)| (x + MARGIN, y + top);
    s.edges = edge_shapes(d, &lay, &labels, at);
    for (i, n) in d.nodes.iter().enumerate() {
        let p = lay.nodes[i];
        let (x, y) = at((p.x, p.y - p.h / 2.0));
        s.nodes.push(node_shape(
            i,
            p.layer,
            &n.kind,
            n.role == Role::Entry,
            &lines[i],
            (x, y, p.w, p.h),
        ));
    }
    s.width = width.ceil() as u32;
    s.height = (top + lay.height + MARGIN).ceil() as u32;
    s
}
