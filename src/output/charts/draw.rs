//! Drawing the charts of [`super::data`] with plotters, as SVG text or PNG bytes. Text is set
//! in DejaVu Sans, embedded in the binary (see `assets/fonts/`), so PNGs render the same on a
//! machine without font packages; SVG names the same family and lets the viewer fall back to
//! any sans-serif face.
//!
//! Layout: a header (title, subtitle, legend) above the plot. Bars are horizontal so long
//! names fit; each row's label is set to the left of its bars. Colours follow Okabe and Ito's
//! colour-blind-safe palette; the baseline is dark grey.

use std::sync::Once;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{Bars, Chart, Lines, Plot, Unit, BASELINE};
use super::text::{measure, Typeset, BOLD, REGULAR};
use crate::error::{Error, Result};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 800;

/// The font family as SVG names it (and as the embedded font is registered with plotters).
const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Registers the embedded font with plotters once per process.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let ok = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD).is_ok();
        debug_assert!(ok, "the embedded fonts parse");
    });
}

const BASELINE_COLOUR: RGBColor = RGBColor(0x4d, 0x4d, 0x4d);
/// Okabe–Ito, most distinct first; yellow last (weak on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];
const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// The colour of each series: grey for the baseline, the palette in order for the others, so
/// designs keep their colour from chart to chart.
pub fn colours<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<RGBColor> {
    let mut k = 0;
    names
        .into_iter()
        .map(|name| {
            if name == BASELINE {
                BASELINE_COLOUR
            } else {
                k += 1;
                PALETTE[(k - 1) % PALETTE.len()]
            }
        })
        .collect()
}

fn series_colours(chart: &Chart) -> Vec<RGBColor> {
    match &chart.plot {
        Plot::Bars(b) if b.series.len() == 1 => vec![PALETTE[0]],
        Plot::Bars(b) => colours(b.series.iter().map(|s| s.name.as_str())),
        Plot::Lines(l) => colours(l.series.iter().map(|s| s.name.as_str())),
    }
}

fn font(size: u32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size as f64, FontStyle::Normal)
}

fn bold(size: u32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size as f64, FontStyle::Bold)
}

fn text_width(text: &str, size: u32) -> u32 {
    measure(text, size as f64, false).0
}

/// The largest font size, from `size` down to [`SMALLEST`], at which every one of `texts` is at
/// most `max` pixels wide: names are shown whole in a smaller type rather than cut.
fn fitting_size<'a>(texts: impl IntoIterator<Item = &'a str> + Clone, size: u32, max: u32) -> u32 {
    (SMALLEST..=size)
        .rev()
        .find(|&s| texts.clone().into_iter().all(|t| text_width(t, s) <= max))
        .unwrap_or(SMALLEST)
}

/// The smallest type a name is shrunk to before it is cut.
const SMALLEST: u32 = 11;

/// Shortens `text` with an ellipsis until it is at most `max` pixels wide at `size`: the last
/// resort, for a name too long to show whole even at [`SMALLEST`].
fn fit(text: &str, size: u32, max: u32) -> String {
    if text_width(text, size) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if text_width(&s, size) <= max {
            return s;
        }
    }
    "…".into()
}

const MARGIN: i32 = 16;
/// Top of the legend: below the title and subtitle.
const HEADER: i32 = 74;
// plotters sizes: the em is size / 1.24 (22 → 17.7 px).
const TITLE_SIZE: u32 = 28;
const SUBTITLE_SIZE: u32 = 18;
const LEGEND_SIZE: u32 = 18;
const LABEL_SIZE: u32 = 18;
const VALUE_SIZE: u32 = 16;
const AXIS_SIZE: u32 = 19;
const LEGEND_LINE: i32 = 24;

/// Series names laid out in lines across the width: (line, x) of each.
fn legend_layout(names: &[String]) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    let (mut line, mut x) = (0, MARGIN);
    for name in names {
        let w = 16 + 6 + text_width(name, LEGEND_SIZE) as i32 + 22;
        if x > MARGIN && x + w > WIDTH as i32 - MARGIN {
            line += 1;
            x = MARGIN;
        }
        out.push((line, x));
        x += w;
    }
    out
}

fn legend_names(chart: &Chart) -> Vec<String> {
    match &chart.plot {
        Plot::Bars(b) if b.series.len() > 1 => b.series.iter().map(|s| s.name.clone()).collect(),
        Plot::Lines(l) if l.series.len() > 1 => l
            .series
            .iter()
            .map(|s| legend_name(&s.name, s.points.is_empty()))
            .collect(),
        _ => Vec::new(),
    }
}

fn legend_name(name: &str, empty: bool) -> String {
    if empty {
        format!("{name} (never above 0)")
    } else {
        name.to_string()
    }
}

fn header_height(chart: &Chart) -> u32 {
    let names = legend_names(chart);
    let lines = legend_layout(&names).last().map_or(0, |&(l, _)| l + 1);
    (HEADER + lines * LEGEND_LINE + 4) as u32
}

const BAR: f64 = 16.0;
const SINGLE_BAR: f64 = 26.0;
const ROW_GAP: f64 = 12.0;
const X_AXIS_AREA: u32 = 56;
const LINES_PLOT: u32 = 420;

fn bar_geometry(b: &Bars) -> (f64, f64) {
    let bar = if b.series.len() == 1 { SINGLE_BAR } else { BAR };
    let row = bar * b.series.len() as f64 + ROW_GAP;
    (bar, row)
}

/// The chart's height in pixels (its width is [`WIDTH`]).
pub fn height(chart: &Chart) -> u32 {
    let plot = match &chart.plot {
        Plot::Bars(b) => {
            let (_, row) = bar_geometry(b);
            (row * b.rows.len() as f64).ceil() as u32 + X_AXIS_AREA + 12
        }
        Plot::Lines(_) => LINES_PLOT,
    };
    header_height(chart) + plot + 8
}

type DrawResult<E> = std::result::Result<(), DrawingAreaErrorKind<E>>;

fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> DrawResult<DB::ErrorType> {
    let room = WIDTH - 2 * MARGIN as u32;
    let title = fitting_size([chart.title.as_str()], TITLE_SIZE, room);
    root.draw(&Text::new(
        fit(&chart.title, title, room),
        (MARGIN, 12),
        bold(title).color(&INK),
    ))?;
    let subtitle = fitting_size([chart.subtitle.as_str()], SUBTITLE_SIZE, room);
    root.draw(&Text::new(
        fit(&chart.subtitle, subtitle, room),
        (MARGIN, 46),
        font(subtitle).color(&MUTED),
    ))?;
    let names = legend_names(chart);
    let colours = series_colours(chart);
    for (i, (name, (line, x))) in names.iter().zip(legend_layout(&names)).enumerate() {
        let y = HEADER + line * LEGEND_LINE;
        let c = colours[i];
        root.draw(&Rectangle::new([(x, y), (x + 16, y + 16)], c.filled()))?;
        root.draw(&Text::new(
            name.clone(),
            (x + 22, y + 8),
            font(LEGEND_SIZE)
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    chart: &Chart,
) -> DrawResult<DB::ErrorType> {
    root.fill(&WHITE)?;
    draw_header(&root, chart)?;
    let (_, plot) = root.split_vertically(header_height(chart));
    match &chart.plot {
        Plot::Bars(b) => draw_bars(&root, &plot, b)?,
        Plot::Lines(l) => draw_lines(&plot, l)?,
    }
    root.present()
}

/// How many tick labels fit along `width` pixels when the widest reads like `widest`.
fn tick_count(width: u32, widest: &str) -> usize {
    (width / (text_width(widest, LABEL_SIZE) + 28)).clamp(2, 10) as usize
}

fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        1.0
    } else {
        max
    }
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    b: &Bars,
) -> DrawResult<DB::ErrorType> {
    let label_max = 360;
    let label_size = fitting_size(b.rows.iter().map(String::as_str), LABEL_SIZE, label_max);
    let labels: Vec<String> = b
        .rows
        .iter()
        .map(|r| fit(r, label_size, label_max))
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, label_size))
        .max()
        .unwrap_or(0)
        + 14;
    let mut max = 0.0f64;
    for s in &b.series {
        for (i, &v) in s.values.iter().enumerate() {
            max = max.max(v);
            if let Some(bounds) = &s.bounds {
                max = max.max(bounds[i].1);
            }
        }
    }
    let is_probability = b.unit == Unit::Probability;
    let x_max = if is_probability {
        1.0
    } else {
        nice_max(max) * if b.value_labels { 1.22 } else { 1.06 }
    };
    let axis = BarAxis {
        label_w,
        label_size,
        labels,
    };
    if b.log {
        // Whole decades from the smallest bar's to past the largest, with room for the
        // value labels (a factor of 3).
        let lo = b
            .series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let (a, z) = if lo.is_finite() {
            decades(lo, max * 3.0)
        } else {
            (1.0, 10.0)
        };
        let x: plotters::coord::combinators::LogCoord<f64> = (a..z).log_scale().into();
        bars_on(root, area, b, &axis, x, a)
    } else {
        let x: RangedCoordf64 = (0f64..x_max).into();
        bars_on(root, area, b, &axis, x, 0.0)
    }
}

/// The row labels of a bar chart, as fitted, and the width and type size they take.
struct BarAxis {
    label_w: u32,
    label_size: u32,
    labels: Vec<String>,
}

/// The bars on a value axis `x` (linear or log) whose bars start at `x_start`.
fn bars_on<DB, X>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    b: &Bars,
    axis: &BarAxis,
    x: X,
    x_start: f64,
) -> DrawResult<DB::ErrorType>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let n = b.rows.len() as f64;
    let (bar, row) = bar_geometry(b);
    let (label_w, label_size, labels) = (axis.label_w, axis.label_size, &axis.labels);
    let x_max = x.range().end;
    let value_size = if b.series.len() == 1 {
        LABEL_SIZE
    } else {
        VALUE_SIZE
    };
    let mut chart = ChartBuilder::on(area)
        .margin_left(MARGIN as u32)
        .margin_right(60)
        .margin_bottom(12)
        .x_label_area_size(X_AXIS_AREA)
        .y_label_area_size(label_w)
        .build_cartesian_2d(x, 0f64..n)?;
    let unit = b.unit;
    let tick = move |v: &f64| unit.label(*v);
    let ticks = tick_count(chart.plotting_area().dim_in_pixel().0, &unit.label(x_max));
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(ticks)
        .x_label_formatter(&tick)
        .x_desc(b.value_label.as_str())
        .axis_desc_style(font(AXIS_SIZE).color(&INK))
        .label_style(font(LABEL_SIZE).color(&INK))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .draw()?;
    let frac = |px: f64| px / row;
    let colours = if b.series.len() == 1 {
        vec![PALETTE[0]]
    } else {
        colours(b.series.iter().map(|s| s.name.as_str()))
    };
    for (r, label) in labels.iter().enumerate() {
        let top = n - r as f64 - frac(ROW_GAP / 2.0);
        for (k, s) in b.series.iter().enumerate() {
            let c = colours[k];
            let y1 = top - frac(bar) * k as f64;
            let y0 = y1 - frac(bar);
            let v = s.values[r];
            if v > x_start {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x_start, y0), (v.min(x_max), y1)],
                    c.filled(),
                )))?;
            }
            let mut end = v;
            if let Some(bounds) = &s.bounds {
                let (lo, hi) = bounds[r];
                let mid = (y0 + y1) / 2.0;
                let cap = frac(bar) * 0.3;
                let ink = INK.stroke_width(2);
                chart.draw_series([
                    PathElement::new(vec![(lo, mid), (hi, mid)], ink),
                    PathElement::new(vec![(lo, mid - cap), (lo, mid + cap)], ink),
                    PathElement::new(vec![(hi, mid - cap), (hi, mid + cap)], ink),
                ])?;
                end = end.max(hi);
            }
            if b.value_labels {
                let (px, py) = chart.backend_coord(&(end, (y0 + y1) / 2.0));
                root.draw(&Text::new(
                    unit.label(v),
                    (px + 6, py),
                    font(value_size)
                        .color(&INK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        let (px, py) = chart.backend_coord(&(0.0, n - r as f64 - 0.5));
        root.draw(&Text::new(
            label.clone(),
            (px - 8, py),
            font(label_size)
                .color(&INK)
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Whole decades around the positive values, so a log axis always shows labelled powers of ten.
fn decades(lo: f64, hi: f64) -> (f64, f64) {
    let a = 10f64.powf(lo.log10().floor());
    let mut b = 10f64.powf(hi.log10().ceil());
    if b <= a {
        b = a * 10.0;
    }
    (a, b)
}

fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Lines,
) -> DrawResult<DB::ErrorType> {
    let xs = l.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = l.series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let y_hi = ys.fold(0.0f64, f64::max);
    // Room above the largest value, so a curve at the top is not drawn on the frame (and
    // cannot hide a baseline there); probabilities that stay low (the chance of a loss in a
    // year) get an axis up to just above their largest, not a flat line along 0%.
    let y_max = if l.y_unit == Unit::Probability {
        if y_hi > 0.0 {
            (y_hi * 1.1).min(1.06)
        } else {
            1.06
        }
    } else {
        nice_max(y_hi) * 1.06
    };
    if l.log_x {
        let (a, b) = if x_lo.is_finite() && x_lo > 0.0 {
            decades(x_lo, x_hi)
        } else {
            (1.0, 10.0)
        };
        let x: plotters::coord::combinators::LogCoord<f64> = (a..b).log_scale().into();
        plot_lines(area, l, x, y_max)
    } else {
        let (a, b) = if x_lo.is_finite() && x_hi > x_lo {
            (x_lo, x_hi)
        } else {
            (0.0, 1.0)
        };
        let x: RangedCoordf64 = (a..b).into();
        plot_lines(area, l, x, y_max)
    }
}

fn plot_lines<DB, X>(
    area: &DrawingArea<DB, Shift>,
    l: &Lines,
    x: X,
    y_max: f64,
) -> DrawResult<DB::ErrorType>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let widest = text_width(&l.y_unit.label(y_max), LABEL_SIZE);
    let mut chart = ChartBuilder::on(area)
        .margin_left(MARGIN as u32)
        .margin_right(56)
        .margin_bottom(12)
        .x_label_area_size(X_AXIS_AREA)
        .y_label_area_size(widest + 48)
        .build_cartesian_2d(x, 0f64..y_max)?;
    let (xu, yu) = (l.x_unit, l.y_unit);
    let xt = move |v: &f64| xu.label(*v);
    let yt = move |v: &f64| yu.label(*v);
    let x_end = chart.x_range().end;
    let ticks = tick_count(chart.plotting_area().dim_in_pixel().0, &xu.label(x_end));
    chart
        .configure_mesh()
        .x_labels(ticks)
        .y_labels(6)
        .x_label_formatter(&xt)
        .y_label_formatter(&yt)
        .x_desc(l.x_label.as_str())
        .y_desc(l.y_label.as_str())
        .axis_desc_style(font(AXIS_SIZE).color(&INK))
        .label_style(font(LABEL_SIZE).color(&INK))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .draw()?;
    let colours = colours(l.series.iter().map(|s| s.name.as_str()));
    // The baseline first and wider, so a design that matches it shows as a line inside a halo.
    for (k, s) in l.series.iter().enumerate() {
        let c = colours[k];
        let width = if s.name == BASELINE { 5 } else { 2 };
        chart.draw_series(LineSeries::new(
            s.points.iter().copied(),
            c.stroke_width(width),
        ))?;
        if l.markers {
            let r = if s.name == BASELINE { 5 } else { 3 };
            chart.draw_series(s.points.iter().map(|&p| Circle::new(p, r, c.filled())))?;
        }
    }
    Ok(())
}

fn failed(chart: &Chart, e: impl std::fmt::Display) -> Error {
    Error::Input(format!("cannot draw chart `{}`: {e}", chart.name))
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> Result<String> {
    register_fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height(chart))).into_drawing_area();
        draw(root, chart).map_err(|e| failed(chart, e))?;
    }
    Ok(out)
}

/// The chart as PNG bytes (8-bit RGB).
pub fn png(chart: &Chart) -> Result<Vec<u8>> {
    register_fonts();
    let (w, h) = (WIDTH, height(chart));
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let backend = Typeset {
            inner: BitMapBackend::with_buffer(&mut pixels, (w, h)),
        };
        let root = backend.into_drawing_area();
        draw(root, chart).map_err(|e| failed(chart, e))?;
    }
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| failed(chart, e))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| failed(chart, e))?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn every_chart_draws_as_svg_and_png_of_its_size() {
        let (charts, _) = super::super::charts(&fixture::data());
        for c in &charts {
            let svg = svg(c).unwrap();
            assert!(svg.starts_with("<svg"), "{}", c.name);
            assert!(svg.contains(&format!("width=\"{WIDTH}\"")));
            assert!(
                svg.contains(&html_text(&c.title)),
                "{}: title missing",
                c.name
            );
            let png = png(c).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            // IHDR: width and height, big-endian, at bytes 16..24.
            assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), WIDTH);
            assert_eq!(
                u32::from_be_bytes(png[20..24].try_into().unwrap()),
                height(c)
            );
        }
    }

    fn html_text(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    #[test]
    fn designs_keep_their_colour_and_the_baseline_is_grey() {
        let c = colours(["baseline", "a", "b"]);
        assert_eq!(c, [BASELINE_COLOUR, PALETTE[0], PALETTE[1]]);
        assert_eq!(colours(["a"]), [PALETTE[0]]);
    }

    #[test]
    fn long_labels_are_shortened_with_an_ellipsis() {
        let long = "a-very-long-account-name-that-goes-on-and-on-and-on-and-on-forever";
        let short = fit(long, LABEL_SIZE, 200);
        assert!(short.ends_with('…') && text_width(&short, LABEL_SIZE) <= 200);
        assert_eq!(fit("short", LABEL_SIZE, 200), "short");
    }

    #[test]
    fn decades_always_hold_two_powers_of_ten() {
        assert_eq!(decades(9_000.0, 18_000_000.0), (1_000.0, 100_000_000.0));
        assert_eq!(decades(100.0, 100.0), (100.0, 1_000.0));
    }
}
