//! The chart kit: inline SVG charts drawn with `plotters`' SVG backend, with a title for
//! screen readers, value labels on the bars, and a colour-blind-safe palette.
//!
//! Drawing never panics: a chart plotters fails to draw becomes a short error paragraph.
//! Labels reach plotters through `html::chart_label` (no markup characters).

mod bars;
mod histogram;

use std::error::Error;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::{RangedCoordf64, RangedCoordu64};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::html::{chart_label, esc};

pub use bars::{columns_chart, grouped_chart, rows_chart};
pub use histogram::{band_colour, band_histogram};

/// What a chart-drawing function returns: any plotters error, boxed.
type DrawResult = Result<(), Box<dyn Error>>;

/// The whole SVG canvas of one chart.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

// The Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
/// Blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Sky blue.
pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Bluish green.
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Vermilion.
pub const VERMILION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Reddish purple.
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Grey, for "other".
pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Light grey.
pub const LIGHT_GREY: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
const INK: RGBColor = RGBColor(0x1F, 0x23, 0x28);
const MUTED: RGBColor = RGBColor(0x57, 0x60, 0x6A);
const GRID: RGBColor = RGBColor(0xE4, 0xE7, 0xEB);
const AXIS: RGBColor = RGBColor(0x8C, 0x95, 0x9F);

/// The font family written into the SVG `<text>` elements (no font file is loaded).
const FONT: &str = "sans-serif";

/// A colour as CSS text.
pub fn css_colour(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// One bar: its (sanitised) label, its value, its colour.
pub struct Bar {
    label: String,
    value: u64,
    colour: RGBColor,
}

impl Bar {
    /// A bar; the label is made safe for the chart.
    pub fn new(label: &str, value: u64, colour: RGBColor) -> Self {
        Bar {
            label: chart_label(label),
            value,
            colour,
        }
    }
}

/// A legend entry's mark.
pub enum Swatch {
    /// A filled square (bars).
    Fill(RGBColor),
}

/// A continuous f64 axis whose ticks (and labels) sit exactly at the given points: the
/// centres of category slots. (plotters' `with_key_points` has no default label formatter,
/// so `configure_mesh` is not available on it.)
struct Ticks {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticks {
    /// `n` slots of width 1 from 0, a tick at the centre of each.
    fn slots(n: usize) -> Self {
        Ticks {
            inner: (0.0..n as f64).into(),
            ticks: (0..n).map(|i| i as f64 + 0.5).collect(),
        }
    }
}

impl Ranged for Ticks {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A text style of `px` CSS pixels (plotters' SVG backend writes `font-size` = size / 1.24).
fn font(px: f64, colour: RGBColor) -> TextStyle<'static> {
    (FONT, px * 1.24).into_font().color(&colour)
}

/// A rough width in pixels of `text` at `px`, for sizing label areas (no font is loaded).
fn text_width(text: &str, px: f64) -> u32 {
    (text.chars().count() as f64 * px * 0.6).ceil() as u32
}

/// The axis end for counts: room above (or beside) the largest bar for its value label.
fn count_axis_end(max: u64, extra: u64) -> u64 {
    max.saturating_add(max.saturating_mul(extra) / 100)
        .saturating_add(1)
}

/// Room for the count labels of a vertical axis ending at `end`.
fn count_label_area(end: u64) -> u32 {
    (end.to_string().len() as u32 * 9 + 44).max(56)
}

/// The most digits of any value.
fn digits(values: impl Iterator<Item = u64>) -> usize {
    values.map(|v| v.to_string().len()).max().unwrap_or(1)
}

/// The grid, axes and labels every column chart shares (count on the y axis).
fn draw_column_mesh(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<Ticks, RangedCoordu64>>,
    x_labels: &dyn Fn(&f64) -> String,
    x_desc: Option<&str>,
    y_desc: &str,
) -> DrawResult {
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .y_labels(6)
        .x_label_formatter(x_labels)
        .y_label_formatter(&|v: &u64| v.to_string())
        .label_style(font(13.0, INK))
        .y_desc(y_desc)
        .axis_desc_style(font(13.0, MUTED));
    if let Some(x_desc) = x_desc {
        mesh.x_desc(x_desc);
    }
    mesh.draw()?;
    Ok(())
}

/// Draws a chart into a string; on any plotters error, returns an error paragraph instead.
/// The SVG gets `role="img"`, an `aria-label` and a `<title>`.
fn chart_svg(title: &str, size: (u32, u32), draw: impl FnOnce(&Area) -> DrawResult) -> String {
    let mut buf = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        draw(&root).and_then(|()| root.present().map_err(Into::into))
    };
    match result {
        Ok(()) => accessible(&buf, title),
        Err(e) => format!(
            "<p class=\"chart-error\">The chart “{}” could not be drawn: {}</p>\n",
            esc(title),
            esc(&e.to_string())
        ),
    }
}

/// Adds accessibility attributes and a `<title>` to the `<svg>` plotters wrote.
fn accessible(svg: &str, title: &str) -> String {
    let t = esc(title);
    let Some(rest) = svg.strip_prefix("<svg ") else {
        return svg.to_string();
    };
    let Some(end) = rest.find('>') else {
        return svg.to_string();
    };
    format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" {}>\n<title>{t}</title>{}",
        &rest[..end],
        &rest[end + 1..]
    )
}

/// Draws a legend in a row across the top strip of a chart.
fn draw_legend(area: &Area, entries: &[(String, Swatch)]) -> DrawResult {
    let px = 13.0;
    let y = 16;
    let mut x = 12i32;
    for (label, swatch) in entries {
        let Swatch::Fill(c) = swatch;
        area.draw(&Rectangle::new([(x, y - 6), (x + 12, y + 6)], c.filled()))?;
        let label = chart_label(label);
        let advance = (label.chars().count() as f64 * px * 0.55).ceil() as i32;
        area.draw(&Text::new(
            label,
            (x + 20, y),
            font(px, INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += 20 + advance + 26;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_gets_a_title_and_a_role() {
        let svg = chart_svg("A <title>", (100, 50), |root| {
            root.fill(&WHITE)?;
            Ok(())
        });
        assert!(
            svg.starts_with("<svg class=\"chart\" role=\"img\" aria-label=\"A &lt;title&gt;\"")
        );
        assert!(svg.contains("<title>A &lt;title&gt;</title>"));
        let failed = chart_svg("x", (10, 10), |_| Err("broken".into()));
        assert!(failed.contains("class=\"chart-error\"") && failed.contains("broken"));
    }

    #[test]
    fn axis_helpers() {
        assert_eq!(count_axis_end(100, 20), 121);
        assert_eq!(count_axis_end(u64::MAX, 20), u64::MAX);
        assert_eq!(digits([5, 1234, 0].into_iter()), 4);
        assert_eq!(css_colour(BLUE), "#0072B2");
    }
}
