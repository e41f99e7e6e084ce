//! Bar charts: horizontal bars (categories), columns (years), grouped columns (follow-up).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    AXIS, Bar, GRID, INK, MUTED, Swatch, Ticks, chart_svg, count_axis_end, count_label_area,
    digits, draw_column_mesh, draw_legend, font, text_width,
};
use crate::report::html::chart_label;

/// Horizontal bars, first bar on top, value at the end of each bar; an optional legend.
pub fn rows_chart(title: &str, bars: &[Bar], legend: &[(String, Swatch)]) -> String {
    let label_px = 13.0;
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.label, label_px))
        .max()
        .unwrap_or(0)
        .clamp(40, 300)
        + 14;
    let legend_h = if legend.is_empty() { 0 } else { 32 };
    let width = 380 + label_w;
    let height = 24 + legend_h + 56 + 26 * bars.len() as u32;
    chart_svg(title, (width, height), |root| {
        root.fill(&WHITE)?;
        let (top, body) = root.split_vertically(legend_h);
        if !legend.is_empty() {
            draw_legend(&top, legend)?;
        }
        let n = bars.len();
        let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
        let end = count_axis_end(max, 18);
        let mut chart = ChartBuilder::on(&body)
            .margin_top(12)
            .margin_right(24)
            .margin_left(8)
            .margin_bottom(6)
            .x_label_area_size(44)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0u64..end, Ticks::slots(n))?;
        let label_of = |y: &f64| -> String {
            let row = y.floor();
            if row < 0.0 {
                return String::new();
            }
            n.checked_sub(1 + row as usize)
                .and_then(|i| bars.get(i))
                .map(|b| b.label.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS)
            .x_labels(6)
            .x_label_formatter(&|v: &u64| v.to_string())
            .y_label_formatter(&label_of)
            .label_style(font(label_px, INK))
            .x_desc("Count")
            .axis_desc_style(font(13.0, MUTED))
            .draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(0, y + 0.18), (b.value, y + 0.82)], b.colour.filled())
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let y = (n - 1 - i) as f64 + 0.5;
            EmptyElement::at((b.value, y))
                + Text::new(
                    b.value.to_string(),
                    (5, 0),
                    font(12.5, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                )
        }))?;
        Ok(())
    })
}

/// Vertical columns (study years), value above each column.
pub fn columns_chart(title: &str, bars: &[Bar]) -> String {
    let n = bars.len();
    let width = (160 + 46 * n as u32).clamp(420, 900);
    let height = 340;
    let plot_w = width.saturating_sub(100).max(1) as f64;
    let slot = plot_w / n.max(1) as f64;
    // Every k-th label when the slots are narrower than a label.
    let widest = bars
        .iter()
        .map(|b| text_width(&b.label, 13.0))
        .max()
        .unwrap_or(0) as f64;
    let step = ((widest + 8.0) / slot).ceil().max(1.0) as usize;
    let value_px = (slot / (digits(bars.iter().map(|b| b.value)) as f64 * 0.62)).clamp(8.0, 12.5);
    chart_svg(title, (width, height), |root| {
        root.fill(&WHITE)?;
        let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
        let end = count_axis_end(max, 12);
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .x_label_area_size(36)
            .y_label_area_size(count_label_area(end))
            .build_cartesian_2d(Ticks::slots(n), 0u64..end)?;
        let label_of = |x: &f64| -> String {
            let i = x.floor();
            if i < 0.0 || (i as usize) % step != 0 {
                return String::new();
            }
            bars.get(i as usize)
                .map(|b| b.label.clone())
                .unwrap_or_default()
        };
        draw_column_mesh(&mut chart, &label_of, None, "Count")?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let x = i as f64;
            Rectangle::new([(x + 0.15, 0), (x + 0.85, b.value)], b.colour.filled())
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            EmptyElement::at((i as f64 + 0.5, b.value))
                + Text::new(
                    b.value.to_string(),
                    (0, -3),
                    font(value_px, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
        }))?;
        Ok(())
    })
}

/// Grouped columns: one group per site, one column per series (`colours`, named by the
/// legend), value above each column.
pub fn grouped_chart(
    title: &str,
    groups: &[(String, Vec<u64>)],
    colours: &[RGBColor],
    legend: &[(String, Swatch)],
    y_desc: &str,
) -> String {
    let n = groups.len();
    let k = colours.len().max(1);
    let width = (220 + (60 * k as u32 + 40) * n as u32).clamp(560, 1000);
    let height = 370;
    let plot_w = width.saturating_sub(110) as f64;
    let group_px = plot_w / n.max(1) as f64;
    let column_px = group_px * 0.84 / k as f64;
    let max_digits = digits(groups.iter().flat_map(|(_, v)| v.iter().copied()));
    let value_px = (column_px / (max_digits as f64 * 0.62)).clamp(7.0, 12.5);
    let max_label_chars = ((group_px - 6.0) / (13.0 * 0.62)).floor().max(3.0) as usize;
    let labels: Vec<String> = groups
        .iter()
        .map(|(site, _)| {
            let l = chart_label(site);
            if l.chars().count() > max_label_chars {
                let mut s: String = l.chars().take(max_label_chars - 1).collect();
                s.push('…');
                s
            } else {
                l
            }
        })
        .collect();
    chart_svg(title, (width, height), |root| {
        root.fill(&WHITE)?;
        let (top, body) = root.split_vertically(32);
        draw_legend(&top, legend)?;
        let max = groups
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .max()
            .unwrap_or(0);
        let end = count_axis_end(max, 12);
        let mut chart = ChartBuilder::on(&body)
            .margin_top(8)
            .margin_right(20)
            .margin_left(10)
            .margin_bottom(6)
            .x_label_area_size(40)
            .y_label_area_size(count_label_area(end))
            .build_cartesian_2d(Ticks::slots(n), 0u64..end)?;
        let label_of = |x: &f64| -> String {
            let i = x.floor();
            if i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        };
        draw_column_mesh(&mut chart, &label_of, None, y_desc)?;
        let width_each = 0.84 / k as f64;
        for (j, colour) in colours.iter().enumerate() {
            chart.draw_series(groups.iter().enumerate().map(|(g, (_, values))| {
                let v = values.get(j).copied().unwrap_or(0);
                let a = g as f64 + 0.08 + j as f64 * width_each;
                Rectangle::new([(a + 0.01, 0), (a + width_each - 0.01, v)], colour.filled())
            }))?;
            chart.draw_series(groups.iter().enumerate().map(|(g, (_, values))| {
                let v = values.get(j).copied().unwrap_or(0);
                let mid = g as f64 + 0.08 + (j as f64 + 0.5) * width_each;
                EmptyElement::at((mid, v))
                    + Text::new(
                        v.to_string(),
                        (0, -3),
                        font(value_px, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )
            }))?;
        }
        Ok(())
    })
}
