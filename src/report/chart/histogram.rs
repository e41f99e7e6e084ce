//! The T-score histogram: one column per bin of `bands::BINS`, each coloured by the WHO
//! band all its values are in, and dashed lines between the bands. Bins never straddle a
//! threshold, so a band's columns add up to its count.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    GREEN, INK, MUTED, ORANGE, Swatch, Ticks, VERMILION, chart_svg, count_axis_end,
    count_label_area, digits, draw_column_mesh, draw_legend, font,
};
use crate::report::bands::{BINS, Band, tenths_text};

/// A band's colour.
pub fn band_colour(band: Band) -> RGBColor {
    match band {
        Band::Osteoporosis => VERMILION,
        Band::Osteopenia => ORANGE,
        Band::Normal => GREEN,
    }
}

/// The legend text of a band: its rule on one-decimal values.
fn band_legend(band: Band) -> String {
    match band {
        Band::Osteoporosis => "osteoporosis: T ≤ −2.5".to_string(),
        Band::Osteopenia => "osteopenia: −2.4 to −1.1".to_string(),
        Band::Normal => "normal: T ≥ −1.0".to_string(),
    }
}

/// The two label lines under a bin: "−2.9" / "to −2.5", or "≤ −4.5" alone.
fn bin_lines(index: usize) -> (String, String) {
    let bin = BINS[index];
    match (bin.low, bin.high) {
        (Some(low), Some(high)) => (tenths_text(low), format!("to {}", tenths_text(high))),
        _ => (bin.label(), String::new()),
    }
}

/// The histogram of `counts` (one per bin of `BINS`), `size` pixels.
pub fn band_histogram(
    title: &str,
    counts: &[u64; BINS.len()],
    size: (u32, u32),
    y_desc: &str,
) -> String {
    let (width, height) = size;
    let n = BINS.len();
    let slot_px = (width.saturating_sub(110)) as f64 / n as f64;
    let value_px = (slot_px / (digits(counts.iter().copied()) as f64 * 0.62)).clamp(7.0, 12.0);
    let legend: Vec<(String, Swatch)> = Band::ALL
        .iter()
        .map(|b| (band_legend(*b), Swatch::Fill(band_colour(*b))))
        .collect();
    // Where one band ends and the next begins, in slot units.
    let borders: Vec<f64> = (1..n)
        .filter(|&i| BINS[i].band() != BINS[i - 1].band())
        .map(|i| i as f64)
        .collect();
    chart_svg(title, (width, height), |root| {
        root.fill(&WHITE)?;
        let (top, body) = root.split_vertically(32);
        draw_legend(&top, &legend)?;
        let max = counts.iter().copied().max().unwrap_or(0);
        let end = count_axis_end(max, 20);
        let mut chart = ChartBuilder::on(&body)
            .margin_top(8)
            .margin_right(20)
            .margin_left(10)
            .margin_bottom(6)
            .x_label_area_size(52)
            .y_label_area_size(count_label_area(end))
            .build_cartesian_2d(Ticks::slots(n), 0u64..end)?;
        draw_column_mesh(
            &mut chart,
            &|_: &f64| String::new(),
            Some("T-score, as reported (one decimal)"),
            y_desc,
        )?;
        chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
            let x = i as f64;
            Rectangle::new(
                [(x + 0.08, 0), (x + 0.92, *c)],
                band_colour(BINS[i].band()).filled(),
            )
        }))?;
        chart.draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| {
                    EmptyElement::at((i as f64 + 0.5, *c))
                        + Text::new(
                            c.to_string(),
                            (0, -3),
                            font(value_px, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )
                }),
        )?;
        // The bin labels, two lines each, under the axis.
        chart.draw_series((0..n).map(|i| {
            let (first, second) = bin_lines(i);
            EmptyElement::at((i as f64 + 0.5, 0))
                + Text::new(
                    first,
                    (0, 7),
                    font(11.0, INK).pos(Pos::new(HPos::Center, VPos::Top)),
                )
                + Text::new(
                    second,
                    (0, 21),
                    font(11.0, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
                )
        }))?;
        for x in &borders {
            chart.draw_series(DashedLineSeries::new(
                vec![(*x, 0u64), (*x, end)],
                6,
                4,
                INK.stroke_width(1),
            ))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_coloured_by_band_and_labelled() {
        let mut counts = [0u64; BINS.len()];
        counts[crate::report::bands::bin_of(-25)] = 7;
        counts[crate::report::bands::bin_of(-24)] = 3;
        let svg = band_histogram("T", &counts, (900, 330), "Visits");
        assert!(svg.starts_with("<svg"), "{svg}");
        // plotters writes each text on its own line.
        assert!(svg.contains("\n7\n") && svg.contains("\n3\n"));
        assert!(svg.contains("to −2.5") && svg.contains("≤ −4.5") && svg.contains("≥ 2.0"));
        assert!(svg.contains("osteopenia: −2.4 to −1.1"));
        for band in Band::ALL {
            let colour = super::super::css_colour(band_colour(band));
            assert!(svg.to_uppercase().contains(&colour), "{band:?} {colour}");
        }
        assert_eq!(bin_lines(0), ("≤ −4.5".to_string(), String::new()));
        assert_eq!(bin_lines(4), ("−2.9".to_string(), "to −2.5".to_string()));
    }
}
