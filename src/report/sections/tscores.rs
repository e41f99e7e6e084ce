//! "T-scores and WHO bands": the deciding T-score of every visit classified on T-scores,
//! binned so that no bin straddles a WHO threshold (its band counts are studies.csv's
//! counts of normal, osteopenia and osteoporosis), then the T-scores per site.

use std::collections::BTreeMap;

use super::site_order;
use crate::report::bands::{self, BINS, Band};
use crate::report::chart::{band_histogram, css_colour};
use crate::report::data::ReportData;
use crate::report::html::{esc, no_data, share, swatch};
use crate::report::page::Section;

/// The section.
pub fn render(data: &ReportData) -> String {
    let mut s = Section::TScores.open(
        "Adults who get T-scores only (postmenopausal women, men from 50; docs/clinical.md): \
         visits classified on Z-scores (under 50, children) or left indeterminate are not \
         here. The bands are the classifier's, on the reported one-decimal T: osteoporosis \
         T ≤ −2.5, osteopenia −2.5 &lt; T &lt; −1.0, normal T ≥ −1.0. No bin straddles a \
         threshold: −2.5 is in the last osteoporosis bin, −1.0 in the first normal one.",
    );
    s.push_str("<h3>The deciding T-score of each visit</h3>\n");
    if data.deciding_t.values().all(|&n| n == 0) {
        s.push_str(&no_data("no visit was classified on a T-score."));
    } else {
        let counts = bands::binned(&data.deciding_t);
        let chart = band_histogram(
            "Visits by deciding (lowest) T-score, coloured by WHO band",
            &counts,
            (900, 330),
            "Visits",
        );
        let table = band_table(
            "deciding-bands",
            "Visits per band (= studies.csv classification)",
            "Visits",
            &data.deciding_t,
        );
        s.push_str(&format!("<div class=\"chart-box\">{chart}</div>\n"));
        s.push_str(&format!(
            "<div class=\"side\">{table}<p class=\"note\">The lowest T-score among the sites \
             used for diagnosis decides the visit's category (studies.csv min_t_score).</p>\
             {}</div>\n",
            bin_details(&counts)
        ));
    }

    s.push_str(
        "<h3>Per site, not per visit</h3>\n<p class=\"note\">Each diagnostic row used counts \
         once: a visit with a spine and both hips adds three or more values. A site's band is \
         not the patient's category (the lowest site decides).</p>\n",
    );
    let sites: Vec<(String, &BTreeMap<i32, u64>)> = site_order(data.t_score_histograms.keys())
        .into_iter()
        .filter_map(|k| data.t_score_histograms.get(&k).map(|v| (k, v)))
        .filter(|(_, counts)| counts.values().any(|&n| n > 0))
        .collect();
    if sites.is_empty() {
        s.push_str(&no_data("no T-score was counted at a diagnostic site."));
    } else {
        s.push_str(&site_table(&sites));
    }
    for (site, counts) in &sites {
        s.push_str(&format!("<h4>{} (per site)</h4>\n", esc(site)));
        let chart = band_histogram(
            &format!("T-scores at {site}, per site: rows used for diagnosis"),
            &bands::binned(*counts),
            (900, 260),
            "Rows",
        );
        s.push_str(&format!("<div class=\"chart-box\">{chart}</div>\n"));
    }
    s.push_str("</section>\n");
    s
}

/// The band / rule / count / share table of counts by tenth.
fn band_table(id: &str, caption: &str, unit: &str, counts: &BTreeMap<i32, u64>) -> String {
    let per_band = bands::per_band(counts);
    let total = per_band.iter().fold(0u64, |a, n| a.saturating_add(*n));
    let id = if id.is_empty() {
        String::new()
    } else {
        format!(" id=\"{id}\"")
    };
    let mut t = format!(
        "<table class=\"data bands\"{id}>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">Band</th>\
         <th scope=\"col\">T (one decimal)</th><th scope=\"col\" class=\"num\">{unit}</th>\
         <th scope=\"col\" class=\"num\">Share</th></tr></thead>\n<tbody>\n",
        esc(caption)
    );
    for band in Band::ALL {
        let n = per_band[band as usize];
        t.push_str(&format!(
            "<tr data-band=\"{name}\"><td>{}{name}</td><td>{}</td><td class=\"num\">{n}</td>\
             <td class=\"num\">{}</td></tr>\n",
            swatch(&css_colour(crate::report::chart::band_colour(band))),
            band.rule(),
            share(n, total),
            name = band.as_str(),
        ));
    }
    t.push_str(&format!(
        "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th><td class=\"num\">{total}</td>\
         <td></td></tr></tfoot>\n</table>\n"
    ));
    t
}

/// Rows per site and band, one line per site.
fn site_table(sites: &[(String, &BTreeMap<i32, u64>)]) -> String {
    let mut t = String::from(
        "<table class=\"data bands\" id=\"site-bands\">\n<caption>Rows used for diagnosis, \
         per site and band</caption>\n<thead><tr><th scope=\"col\">Site</th>",
    );
    for band in Band::ALL {
        t.push_str(&format!(
            "<th scope=\"col\" class=\"num\">{}{} ({})</th>",
            swatch(&css_colour(crate::report::chart::band_colour(band))),
            band.as_str(),
            band.rule()
        ));
    }
    t.push_str("<th scope=\"col\" class=\"num\">Rows</th></tr></thead>\n<tbody>\n");
    for (site, counts) in sites {
        let per_band = bands::per_band(*counts);
        t.push_str(&format!(
            "<tr data-site=\"{0}\"><th scope=\"row\">{0}</th>",
            esc(site)
        ));
        for n in per_band {
            t.push_str(&format!("<td class=\"num\">{n}</td>"));
        }
        let total = per_band.iter().fold(0u64, |a, n| a.saturating_add(*n));
        t.push_str(&format!("<td class=\"num\">{total}</td></tr>\n"));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

/// The counts per bin, as a table behind a disclosure.
fn bin_details(counts: &[u64; BINS.len()]) -> String {
    let mut d = String::from(
        "<details><summary>Counts per bin</summary>\n<table class=\"data\">\n<thead><tr>\
         <th scope=\"col\">T (one decimal)</th><th scope=\"col\">Band</th>\
         <th scope=\"col\" class=\"num\">Visits</th></tr></thead>\n<tbody>\n",
    );
    for (bin, n) in BINS.iter().zip(counts) {
        d.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>\n",
            bin.label(),
            bin.band().as_str()
        ));
    }
    d.push_str("</tbody>\n</table>\n</details>\n");
    d
}
