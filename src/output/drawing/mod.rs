//! Attack-graph drawings ([`AttackDrawing`]) as DOT, Mermaid, SVG and PNG. DOT and Mermaid
//! ([`text`]) name the nodes, steps, shapes and colours and leave the layout to Graphviz or
//! Mermaid; SVG and PNG are laid out here ([`layout`], a layered Sugiyama layout, left to
//! right) into a [`scene`] of shapes and text that [`svg`] writes as text and [`png`] rasterises
//! with plotters and the embedded font, so both show the same picture.
//!
//! Node kinds have a shape and an Okabe–Ito colour each (person: ellipse, sky blue; account:
//! rounded box, blue; group: hexagon, bluish green; system: box, orange; store: cylinder,
//! vermillion; a summary of left-out nodes: dashed grey box); entry points have a thick border;
//! choke points are thick reddish-purple steps. Every step is labelled with its kind and
//! probability, every store with its records.

pub mod layout;
pub mod png;
pub mod scene;
pub mod svg;
pub mod text;

use crate::results::drawing::AttackDrawing;

/// The formats a drawing is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawFormat {
    Dot,
    Mermaid,
    Svg,
}

/// The drawing as text in `format`.
pub fn render(drawing: &AttackDrawing, format: DrawFormat) -> String {
    match format {
        DrawFormat::Dot => text::dot(drawing),
        DrawFormat::Mermaid => text::mermaid(drawing),
        DrawFormat::Svg => svg::svg(drawing, &scene::scene(drawing)),
    }
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// The colour mixed with white, `white` of the way (0 to 1).
    pub fn tint(self, white: f64) -> Rgb {
        let mix = |c: u8| (c as f64 + (255.0 - c as f64) * white).round() as u8;
        Rgb(mix(self.0), mix(self.1), mix(self.2))
    }
}

pub const INK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
pub const MUTED: Rgb = Rgb(0x55, 0x55, 0x55);
/// Ordinary steps.
pub const STEP: Rgb = Rgb(0x70, 0x70, 0x70);
/// Choke points: Okabe–Ito reddish purple.
pub const CHOKE: Rgb = Rgb(0xCC, 0x79, 0xA7);

/// The shape of a node kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Ellipse,
    Rounded,
    Hexagon,
    Box,
    Cylinder,
    Dashed,
}

/// Shape, Okabe–Ito colour and legend name of each node kind.
pub fn style(kind: &str) -> (Shape, Rgb, &'static str) {
    match kind {
        "person" => (Shape::Ellipse, Rgb(0x56, 0xB4, 0xE9), "person"),
        "account" => (Shape::Rounded, Rgb(0x00, 0x72, 0xB2), "account"),
        "group" => (Shape::Hexagon, Rgb(0x00, 0x9E, 0x73), "group"),
        "system" => (Shape::Box, Rgb(0xE6, 0x9F, 0x00), "system"),
        "store" => (Shape::Cylinder, Rgb(0xD5, 0x5E, 0x00), "store"),
        _ => (Shape::Dashed, Rgb(0x99, 0x99, 0x99), "left out (summed)"),
    }
}

/// A node's label, one line each: its id, then what it holds and how likely its path is.
pub fn node_lines(n: &crate::results::drawing::DrawnNode) -> Vec<String> {
    use super::figures::{share, thousands};
    let mut lines = vec![n.id.clone()];
    if let Some((records, top)) = &n.records {
        if top.is_empty() {
            lines.push(format!("{} records", thousands(*records)));
        } else {
            lines.push(format!("{} records, most {top}", thousands(*records)));
        }
    }
    if let Some((_, records)) = n.hidden {
        if records > 0 {
            lines.push(format!("{} records", thousands(records)));
        }
    }
    if let Some(p) = n.probability {
        lines.push(format!("path probability {}", share(p)));
    }
    lines
}

/// A step's label: its kind and probability.
pub fn edge_label(e: &crate::results::drawing::DrawnEdge) -> String {
    match e.p {
        Some(p) => format!("{} {}", e.kind, super::figures::share(p)),
        None => e.kind.clone(),
    }
}
