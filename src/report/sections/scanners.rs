//! "Scanners and study years": visits per normalised manufacturer, per scanner model (the
//! model named once, its manufacturer in its own column) and per year.

use std::collections::BTreeMap;

use super::sort_by_count;
use crate::report::chart::{BLUE, Bar, GREY, columns_chart, rows_chart};
use crate::report::data::ReportData;
use crate::report::html::{count_table, esc, figure, no_data, share};
use crate::report::page::Section;

/// Models drawn as their own bar; the rest are summed into "other".
const TOP_MODELS: usize = 15;
/// Models listed in the full table behind the chart.
const MODELS_LISTED: usize = 200;

/// The section.
pub fn render(data: &ReportData) -> String {
    let mut s = Section::Scanners.open(
        "Visits per normalised manufacturer, per scanner model (as written in the files) and \
         per year of the visit.",
    );
    s.push_str("<h3>Per manufacturer</h3>\n");
    if data.by_manufacturer.is_empty() {
        s.push_str(&no_data("no visit was found."));
    } else {
        let mut entries: Vec<(String, u64)> = data
            .by_manufacturer
            .iter()
            .map(|(k, v)| {
                (
                    if k.is_empty() {
                        "(not stated)".to_string()
                    } else {
                        k.clone()
                    },
                    *v,
                )
            })
            .collect();
        sort_by_count(&mut entries);
        let bars: Vec<Bar> = entries.iter().map(|(k, v)| Bar::new(k, *v, BLUE)).collect();
        s.push_str(&figure(
            &rows_chart("Visits per manufacturer", &bars, &[]),
            &count_table(
                "Visits per manufacturer",
                "Manufacturer",
                "Visits",
                &entries,
                None,
            ),
        ));
    }

    s.push_str("<h3>Per scanner model</h3>\n");
    if data.by_model.is_empty() {
        s.push_str(&no_data("no visit was found."));
    } else {
        s.push_str(&models(&data.by_model));
    }

    s.push_str("<h3>Per year</h3>\n");
    if data.by_year.is_empty() {
        s.push_str(&no_data("no visit had a date."));
    } else {
        let bars: Vec<Bar> = year_series(&data.by_year)
            .iter()
            .map(|(y, v)| Bar::new(&y.to_string(), *v, BLUE))
            .collect();
        let entries: Vec<(String, u64)> = data
            .by_year
            .iter()
            .map(|(y, v)| (y.to_string(), *v))
            .collect();
        s.push_str(&figure(
            &columns_chart("Visits per year", &bars),
            &count_table("Visits per year", "Year", "Visits", &entries, None),
        ));
        s.push_str("<p class=\"note\">Visits without a date are not counted here.</p>\n");
    }
    s.push_str("</section>\n");
    s
}

/// The models: a chart of the most frequent (labelled by model alone, the manufacturer
/// added only where two manufacturers use the same model name) and a table with the
/// manufacturer in its own column.
fn models(by_model: &BTreeMap<(String, String), u64>) -> String {
    let mut entries: Vec<(&str, &str, u64)> = by_model
        .iter()
        .map(|((maker, model), v)| (maker.as_str(), model.as_str(), *v))
        .collect();
    entries.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
    let label = |maker: &str, model: &str| -> String {
        let model_shown = if model.is_empty() {
            "(no model)"
        } else {
            model
        };
        let shared = entries
            .iter()
            .filter(|(_, other, _)| *other == model)
            .count()
            > 1;
        if shared {
            format!("{model_shown} ({maker})")
        } else {
            model_shown.to_string()
        }
    };
    let mut bars: Vec<Bar> = entries
        .iter()
        .take(TOP_MODELS)
        .map(|(maker, model, v)| Bar::new(&label(maker, model), *v, BLUE))
        .collect();
    if entries.len() > TOP_MODELS {
        let rest = &entries[TOP_MODELS..];
        let sum = rest.iter().fold(0u64, |a, e| a.saturating_add(e.2));
        bars.push(Bar::new(
            &format!("other ({} models)", rest.len()),
            sum,
            GREY,
        ));
    }
    let total = entries.iter().fold(0u64, |a, e| a.saturating_add(e.2));
    let mut table = String::from(
        "<table class=\"data\">\n<caption>Visits per model</caption>\n<thead><tr>\
         <th scope=\"col\">Model</th><th scope=\"col\">Manufacturer (as written)</th>\
         <th scope=\"col\" class=\"num\">Visits</th><th scope=\"col\" class=\"num\">Share</th>\
         </tr></thead>\n<tbody>\n",
    );
    for (maker, model, v) in entries.iter().take(MODELS_LISTED) {
        table.push_str(&format!(
            "<tr><td class=\"label\">{}</td><td class=\"label\">{}</td><td class=\"num\">{v}</td>\
             <td class=\"num\">{}</td></tr>\n",
            esc(if model.is_empty() {
                "(no model)"
            } else {
                model
            }),
            esc(maker),
            share(*v, total)
        ));
    }
    if entries.len() > MODELS_LISTED {
        table.push_str(&format!(
            "<tr><td colspan=\"4\">… {} more models (studies.csv model)</td></tr>\n",
            entries.len() - MODELS_LISTED
        ));
    }
    table.push_str(&format!(
        "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th>\
         <td class=\"num\">{total}</td><td></td></tr></tfoot>\n</table>\n"
    ));
    let side = if entries.len() > TOP_MODELS {
        format!(
            "<details><summary>All {} models</summary>\n{table}</details>\n",
            entries.len()
        )
    } else {
        table
    };
    let title = if entries.len() > TOP_MODELS {
        format!("Visits per scanner model, top {TOP_MODELS} and other")
    } else {
        "Visits per scanner model".to_string()
    };
    figure(&rows_chart(&title, &bars, &[]), &side)
}

/// Years with their counts; gaps filled with zero when the span is short enough to draw.
fn year_series(by_year: &BTreeMap<u16, u64>) -> Vec<(u16, u64)> {
    let (Some((&first, _)), Some((&last, _))) =
        (by_year.first_key_value(), by_year.last_key_value())
    else {
        return Vec::new();
    };
    if last - first < 40 {
        (first..=last)
            .map(|y| (y, by_year.get(&y).copied().unwrap_or(0)))
            .collect()
    } else {
        by_year.iter().map(|(y, v)| (*y, *v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_named_once() {
        let mut by_model = BTreeMap::new();
        by_model.insert(("HOLOGIC".to_string(), "Horizon A".to_string()), 3);
        by_model.insert(("GE Healthcare".to_string(), "Lunar iDXA".to_string()), 2);
        by_model.insert(("Acme".to_string(), "X1".to_string()), 1);
        by_model.insert(("Other Corp".to_string(), "X1".to_string()), 1);
        let html = models(&by_model);
        assert!(
            !html.contains("HOLOGIC Horizon A"),
            "manufacturer repeated in a label"
        );
        assert!(html.contains(">Horizon A<"));
        assert!(html.contains(">HOLOGIC<"));
        // The same model name from two manufacturers is told apart in the chart.
        assert!(html.contains("X1 (Acme)") && html.contains("X1 (Other Corp)"));
    }

    #[test]
    fn years_fill_short_gaps() {
        let years: BTreeMap<u16, u64> = [(2010, 1), (2013, 2)].into_iter().collect();
        assert_eq!(year_series(&years).len(), 4);
        let far: BTreeMap<u16, u64> = [(1900, 1), (2013, 2)].into_iter().collect();
        assert_eq!(year_series(&far).len(), 2);
    }
}
