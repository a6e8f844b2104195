//! A drawing's [`Scene`] as PNG bytes: the same polygons, lines and text as the SVG, drawn with
//! plotters into an RGB buffer, text set with the embedded font (`charts::text::Typeset`).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::scene::{EdgeShape, NodeShape, Scene, Text as SceneText};
use super::Rgb;
use crate::error::{Error, Result};
use crate::output::charts::draw::register_fonts;
use crate::output::charts::text::Typeset;

const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

fn colour(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn px(points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    points
        .iter()
        .map(|&(x, y)| (x.round() as i32, y.round() as i32))
        .collect()
}

/// The dashes of a polyline: `on` pixels drawn, `off` skipped.
fn dashes(points: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut phase = 0.0;
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        let mut t = 0.0;
        while t < len {
            let at = |d: f64| (x0 + (x1 - x0) * d / len, y0 + (y1 - y0) * d / len);
            let cycle = phase % (on + off);
            let (end, drawn) = if cycle < on {
                ((t + on - cycle).min(len), true)
            } else {
                ((t + on + off - cycle).min(len), false)
            };
            if drawn {
                out.push(vec![at(t), at(end)]);
            }
            phase += end - t;
            t = end;
        }
    }
    out
}

type Area<'a> = DrawingArea<Typeset<BitMapBackend<'a>>, plotters::coord::Shift>;

fn line(root: &Area, pts: &[(f64, f64)], c: Rgb, width: f64, dashed: bool) -> Result<()> {
    let style = colour(c).stroke_width(width.round().max(1.0) as u32);
    let parts = if dashed {
        dashes(pts, 5.0, 3.0)
    } else {
        vec![pts.to_vec()]
    };
    for p in parts {
        root.draw(&PathElement::new(px(&p), style))
            .map_err(failed)?;
    }
    Ok(())
}

fn text(root: &Area, t: &SceneText) -> Result<()> {
    let font = FontDesc::new(
        FontFamily::Name(FAMILY),
        t.size,
        if t.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        },
    );
    let h = if t.centred { HPos::Center } else { HPos::Left };
    let style = font.color(&colour(t.colour)).pos(Pos::new(h, VPos::Center));
    root.draw(&Text::new(
        t.text.clone(),
        (t.x.round() as i32, t.y.round() as i32),
        style,
    ))
    .map_err(failed)
}

fn node(root: &Area, n: &NodeShape) -> Result<()> {
    root.draw(&Polygon::new(px(&n.outline), colour(n.fill).filled()))
        .map_err(failed)?;
    let mut closed = n.outline.clone();
    closed.push(n.outline[0]);
    line(root, &closed, n.stroke, n.stroke_width, n.dashed)?;
    if !n.rim.is_empty() {
        line(root, &n.rim, n.stroke, 1.2, false)?;
    }
    n.lines.iter().try_for_each(|t| text(root, t))
}

fn edge(root: &Area, e: &EdgeShape, with_box: bool) -> Result<()> {
    line(root, &e.points, e.colour, e.width, e.dashed)?;
    root.draw(&Polygon::new(px(&e.arrow), colour(e.colour).filled()))
        .map_err(failed)?;
    if let Some((t, b)) = &e.label {
        if with_box {
            let (x0, y0) = (b[0].round() as i32, b[1].round() as i32);
            let (x1, y1) = ((b[0] + b[2]).round() as i32, (b[1] + b[3]).round() as i32);
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                WHITE.mix(0.85).filled(),
            ))
            .map_err(failed)?;
        }
        text(root, t)?;
    }
    Ok(())
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::Input(format!("cannot draw the attack graph: {e}"))
}

/// The scene as PNG bytes (8-bit RGB).
pub fn png(scene: &Scene) -> Result<Vec<u8>> {
    register_fonts();
    let (w, h) = (scene.width, scene.height);
    let mut pixels = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let backend = Typeset {
            inner: BitMapBackend::with_buffer(&mut pixels, (w, h)),
        };
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        scene.header.iter().try_for_each(|t| text(&root, t))?;
        scene.legend.iter().try_for_each(|n| node(&root, n))?;
        for e in &scene.legend_lines {
            edge(&root, e, false)?;
        }
        for e in &scene.edges {
            edge(&root, e, true)?;
        }
        scene.nodes.iter().try_for_each(|n| node(&root, n))?;
        root.present().map_err(failed)?;
    }
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(failed)?;
        writer.write_image_data(&pixels).map_err(failed)?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_line() {
        let d = dashes(&[(0.0, 0.0), (16.0, 0.0)], 5.0, 3.0);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], vec![(0.0, 0.0), (5.0, 0.0)]);
        assert_eq!(d[1], vec![(8.0, 0.0), (13.0, 0.0)]);
    }
}
