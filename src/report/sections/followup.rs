//! "Follow-up outcomes": followup.csv rows per site family and `vs_prior` outcome.

use plotters::style::RGBColor;

use super::{OUTCOME_ORDER, ordered, outcome_colour, site_order};
use crate::report::chart::{Swatch, css_colour, grouped_chart};
use crate::report::data::ReportData;
use crate::report::html::{chart_label, esc, no_data, swatch};
use crate::report::page::Section;

/// The section.
pub fn render(data: &ReportData) -> String {
    let mut s = Section::FollowUp.open(
        "Follow-up rows (followup.csv) per site family, by the outcome of the comparison with \
         the prior visit (vs_prior): a loss or gain of at least the least significant change, \
         stable, or not comparable (another device or region).",
    );
    let sites: Vec<(String, Vec<(String, u64)>)> = site_order(data.followup.keys())
        .into_iter()
        .filter_map(|site| {
            data.followup
                .get(&site)
                .map(|m| (site, ordered(m, &OUTCOME_ORDER)))
        })
        .collect();
    if !sites.iter().any(|(_, o)| o.iter().any(|(_, v)| *v > 0)) {
        s.push_str(&no_data("no follow-up comparison was made."));
        s.push_str("</section>\n");
        return s;
    }
    // Every outcome that appears somewhere, in display order.
    let mut outcomes: Vec<String> = OUTCOME_ORDER.iter().map(|o| o.to_string()).collect();
    for (_, o) in &sites {
        for (k, _) in o {
            if !outcomes.contains(k) {
                outcomes.push(k.clone());
            }
        }
    }
    let groups: Vec<(String, Vec<u64>)> = sites
        .iter()
        .map(|(site, o)| {
            let values = outcomes
                .iter()
                .map(|name| {
                    o.iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| *v)
                        .unwrap_or(0)
                })
                .collect();
            (site.clone(), values)
        })
        .collect();
    let colours: Vec<RGBColor> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| outcome_colour(o, i))
        .collect();

    let mut table = String::from(
        "<table class=\"data\">\n<caption>Follow-up rows per site and outcome</caption>\n\
         <thead><tr><th scope=\"col\">Site</th>",
    );
    for (o, colour) in outcomes.iter().zip(&colours) {
        table.push_str(&format!(
            "<th scope=\"col\" class=\"num\">{}{}</th>",
            swatch(&css_colour(*colour)),
            esc(o)
        ));
    }
    table.push_str("<th scope=\"col\" class=\"num\">Total</th></tr></thead>\n<tbody>\n");
    for (site, values) in &groups {
        table.push_str(&format!("<tr><th scope=\"row\">{}</th>", esc(site)));
        for v in values {
            table.push_str(&format!("<td class=\"num\">{v}</td>"));
        }
        let total = values.iter().fold(0u64, |a, v| a.saturating_add(*v));
        table.push_str(&format!("<td class=\"num\">{total}</td></tr>\n"));
    }
    table.push_str("</tbody>\n</table>\n");

    let legend: Vec<(String, Swatch)> = outcomes
        .iter()
        .zip(&colours)
        .map(|(o, c)| (chart_label(o), Swatch::Fill(*c)))
        .collect();
    let chart = grouped_chart(
        "Follow-up rows per site family and outcome",
        &groups,
        &colours,
        &legend,
        "Follow-up rows",
    );
    // The table is wide: below the chart rather than beside it.
    s.push_str(&format!(
        "<div class=\"chart-box\">{chart}</div>\n<div class=\"side below\">{table}</div>\n"
    ));
    s.push_str("</section>\n");
    s
}
