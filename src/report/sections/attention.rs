//! "Visits that need attention": the counts per concern with the CSV filter that finds
//! every such visit, the capped table (sortable by the page's script), and the BMD trend
//! of the patient picked in it, drawn by the script from data embedded as JSON.

use std::fmt::Write as _;

use crate::output::rows::verdict_word;
use crate::report::attention::{ATTENTION_CAP, AttentionRow, Concern, TrendSeries};
use crate::report::data::ReportData;
use crate::report::html::{esc, no_data, plural};
use crate::report::page::Section;

/// The section.
pub fn render(data: &ReportData) -> String {
    let attention = &data.attention;
    let mut s = Section::Attention.open(
        "Visits with osteoporosis, a Z-score at or below −2.0, a significant loss since the \
         prior visit (followup.csv), or discordant vertebrae. Sort the table by a column \
         heading; pick a patient to see their BMD over time at each monitored site, with the \
         least significant change (LSC) around the first visit.",
    );
    if attention.visits == 0 {
        s.push_str(&no_data("no visit needs attention by these criteria."));
        s.push_str("</section>\n");
        return s;
    }
    s.push_str(
        "<table class=\"data\" id=\"attention-counts\">\n<caption>Visits per reason (a visit \
         can have several)</caption>\n<thead><tr><th scope=\"col\">Reason</th>\
         <th scope=\"col\" class=\"num\">Visits</th><th scope=\"col\">Where the CSVs list them all</th>\
         </tr></thead>\n<tbody>\n",
    );
    for concern in Concern::ALL {
        let n = attention.by_concern.get(&concern).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "<tr data-concern=\"{}\"><td>{}</td><td class=\"num\">{n}</td><td><code>{}</code></td></tr>",
            concern.code(),
            concern.label(),
            esc(&concern.csv_filter())
        );
    }
    let _ = write!(
        s,
        "</tbody>\n<tfoot><tr><th scope=\"row\">Visits that need attention</th>\
         <td class=\"num\" id=\"attention-total\">{}</td><td></td></tr></tfoot>\n</table>\n",
        attention.visits
    );
    let not_listed = attention.not_listed();
    let _ = writeln!(
        s,
        "<p class=\"note\" id=\"attention-cap\" data-listed=\"{}\" data-more=\"{not_listed}\">\
         The table lists {}, newest first (then by patient ID){}</p>",
        attention.rows.len(),
        plural(attention.rows.len() as u64, "visit", "visits"),
        if not_listed > 0 {
            format!(
                ": at most {ATTENTION_CAP}. {not_listed} more {} in the CSVs: the filters \
                 above find them.",
                if not_listed == 1 {
                    "visit is"
                } else {
                    "visits are"
                }
            )
        } else {
            ": every visit that needs attention.".to_string()
        }
    );
    s.push_str("<div class=\"attention\">\n<div class=\"scroll tall\">\n");
    // The table and the series written into the section as they are made, room for
    // them given once: two more strings grown by doubling and then copied were a tenth of
    // the page's cost (docs/performance.md, "The end of a run").
    let points: usize = attention
        .trends
        .values()
        .flatten()
        .map(|series| series.points.len())
        .sum();
    s.reserve(4096 + attention.rows.len() * 640 + attention.trends.len() * 320 + points * 48);
    table(&mut s, &attention.rows, |p| {
        attention.trends.contains_key(p)
    });
    s.push_str("</div>\n<div class=\"trend\" id=\"trend\" aria-live=\"polite\">\n");
    s.push_str(
        "<p class=\"no-data\">Pick a patient in the table to draw their BMD over time (needs \
         the page's script).</p>\n</div>\n</div>\n",
    );
    s.push_str("<script type=\"application/json\" id=\"trend-data\">");
    push_trend_json(&mut s, attention);
    s.push_str("</script>\n</section>\n");
    s
}

/// The table of visits; `has_trend` says whether a patient has a series to draw.
fn table(t: &mut String, rows: &[AttentionRow], has_trend: impl Fn(&str) -> bool) {
    t.push_str(
        "<table class=\"data sortable\" id=\"attention-table\">\n<thead><tr>\
         <th scope=\"col\" data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Patient ID</button></th>\
         <th scope=\"col\" data-type=\"text\" aria-sort=\"descending\"><button type=\"button\">Date</button></th>\
         <th scope=\"col\" data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Classification</button></th>\
         <th scope=\"col\" class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Min T</button></th>\
         <th scope=\"col\" class=\"num\" data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Min Z</button></th>\
         <th scope=\"col\" data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Reasons</button></th>\
         <th scope=\"col\">Trend</th></tr></thead>\n<tbody>\n",
    );
    // Pushed, not formatted: up to `ATTENTION_CAP` rows (docs/performance.md).
    for row in rows {
        let mut reasons = String::new();
        for (i, c) in row.concerns.iter().enumerate() {
            if i > 0 {
                reasons.push_str("; ");
            }
            reasons.push_str(c.label());
            if *c == Concern::SignificantLoss && !row.losses.is_empty() {
                reasons.push_str(" (");
                reasons.push_str(&row.losses.join(", "));
                reasons.push(')');
            }
        }
        let patient = esc(&row.patient);
        t.push_str("<tr data-patient=\"");
        t.push_str(&patient);
        t.push_str("\" data-concerns=\"");
        for (i, c) in row.concerns.iter().enumerate() {
            if i > 0 {
                t.push(' ');
            }
            t.push_str(c.code());
        }
        t.push_str("\"><td class=\"id\">");
        t.push_str(&patient);
        t.push_str("</td><td>");
        if let Some(date) = row.date {
            t.push_str(&date.to_string());
        }
        t.push_str("</td><td>");
        t.push_str(&esc(row.classification));
        t.push_str("</td><td class=\"num\">");
        if let Some(min_t) = row.min_t {
            t.push_str(&min_t.to_plain(1));
        }
        t.push_str("</td><td class=\"num\">");
        if let Some(min_z) = row.min_z {
            t.push_str(&min_z.to_plain(1));
        }
        t.push_str("</td><td class=\"reasons\">");
        t.push_str(&esc(&reasons));
        t.push_str("</td><td>");
        if has_trend(&row.patient) {
            t.push_str("<button type=\"button\" class=\"pick\" data-patient=\"");
            t.push_str(&patient);
            t.push_str("\">Show</button>");
        } else {
            t.push_str("<span class=\"muted\">one visit</span>");
        }
        t.push_str("</td></tr>\n");
    }
    t.push_str("</tbody>\n</table>\n");
}

/// The listed patients' series as JSON: `{"patient": [{"site", "side", "lsc", "lscText",
/// "points": [[date, bmd, region, vs_prior], ...]}, ...]}`, safe inside a
/// `<script>` element.
#[cfg(test)]
fn trend_json(attention: &crate::report::attention::Attention) -> String {
    let mut out = String::new();
    push_trend_json(&mut out, attention);
    out
}

/// Appends `trend_json(attention)`.
fn push_trend_json(out: &mut String, attention: &crate::report::attention::Attention) {
    out.push('{');
    for (i, (patient, series)) in attention.trends.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, patient);
        out.push_str(":[");
        for (j, one) in series.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            series_json(one, out);
        }
        out.push(']');
    }
    out.push('}');
}

fn series_json(series: &TrendSeries, out: &mut String) {
    // Pushed, not formatted: a point per listed patient's visit and site (docs/performance.md).
    out.push_str("{\"site\":");
    push_json_string(out, series.family.as_str());
    out.push_str(",\"side\":");
    push_json_string(out, series.side.as_str());
    out.push_str(",\"lsc\":");
    match series.lsc_g_cm2 {
        Some(g) => out.push_str(&g.to_plain(3)),
        None => out.push_str("null"),
    }
    out.push_str(",\"lscText\":");
    push_json_string(out, &series.lsc_text());
    out.push_str(",\"points\":[");
    for (k, p) in series.points.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('[');
        match p.date.iso_digits() {
            Some(digits) => {
                out.push('"');
                out.push_str(std::str::from_utf8(&digits).expect("ASCII digits"));
                out.push('"');
            }
            None => push_json_string(out, &p.date.to_string()),
        }
        out.push(',');
        push_milli(out, p.bmd_milli);
        out.push(',');
        push_json_string(out, p.region.as_str());
        out.push(',');
        push_json_string(out, p.vs_prior.map_or("", verdict_word));
        out.push(']');
    }
    out.push_str("]}");
}

/// Thousandths as a decimal number: 800 -> "0.800", -5 -> "-0.005".
#[cfg(test)]
fn milli_text(milli: i32) -> String {
    let mut out = String::new();
    push_milli(&mut out, milli);
    out
}

/// Appends thousandths as a decimal number (`milli_text`).
fn push_milli(out: &mut String, milli: i32) {
    if milli < 0 {
        out.push('-');
    }
    let abs = milli.unsigned_abs();
    let _ = write!(out, "{}.", abs / 1000);
    let fraction = abs % 1000;
    for digit in [fraction / 100, fraction / 10 % 10, fraction % 10] {
        out.push(char::from(b'0' + digit as u8));
    }
}

/// A JSON string literal that is also safe inside an HTML `<script>` element: `<`, `>`
/// and `&` are written as escapes, so no `</script>` or `<!--` can appear.
#[cfg(test)]
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_json_string(&mut out, text);
    out
}

/// Appends `json_string(text)`.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    // Most texts (dates, sites, IDs) have nothing to escape: copied whole, not by character.
    if text
        .bytes()
        .all(|b| b >= 0x20 && !matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&') && b < 0x80)
    {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::decimal::Decimal;
    use crate::followup::Family;
    use crate::followup::lsc::{Lsc, LscSource};
    use crate::report::attention::{Attention, TrendPoint};
    use crate::vocabulary::{Laterality, Region};

    #[test]
    fn json_strings_cannot_close_the_script() {
        assert_eq!(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            json_string("</script><!--&"),
            "\"\\u003c/script\\u003e\\u003c!--\\u0026\""
        );
        assert_eq!(json_string("\n\u{1}"), "\"\\u000a\\u0001\"");
    }

    /// A text with nothing to escape is copied whole, one with something is escaped by
    /// character: the same JSON as escaping every text by character.
    #[test]
    fn json_strings_plain_or_escaped_alike() {
        let by_character = |text: &str| {
            let escaped: String = text
                .chars()
                .map(|c| match c {
                    '"' | '\\' => format!("\\{c}"),
                    '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => format!("\\u{:04x}", c as u32),
                    c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32),
                    c => c.to_string(),
                })
                .collect();
            format!("\"{escaped}\"")
        };
        let mut next = crate::test_rng::splitmix(5);
        let alphabet = [
            'a', '1', ' ', '-', '"', '\\', '<', '>', '&', '\n', '\u{7f}', 'é', '\u{2028}',
            '\u{2029}',
        ];
        for _ in 0..20_000 {
            let len = (next() % 8) as usize;
            let text: String = (0..len)
                .map(|_| {
                    // Mostly plain characters, so that half the texts need no escape.
                    let plain = next() % 5 != 0;
                    alphabet[(next() % if plain { 4 } else { alphabet.len() as u64 }) as usize]
                })
                .collect();
            assert_eq!(json_string(&text), by_character(&text), "{text:?}");
        }
    }

    #[test]
    fn thousandths() {
        assert_eq!(milli_text(800), "0.800");
        assert_eq!(milli_text(1234), "1.234");
        assert_eq!(milli_text(-5), "-0.005");
        assert_eq!(milli_text(0), "0.000");
    }

    #[test]
    fn trend_json_shape() {
        let mut attention = Attention::default();
        attention.trends.insert(
            "P<1>".to_string(),
            vec![TrendSeries {
                family: Family::TotalHip,
                side: Laterality::Left,
                lsc: (
                    Lsc::Percent(Decimal::parse("5.0").expect("decimal")),
                    LscSource::Default,
                ),
                lsc_g_cm2: Decimal::parse("0.040"),
                points: vec![TrendPoint {
                    date: Date::parse_da("20200101").expect("date"),
                    bmd_milli: 800,
                    region: Region::TotalHip,
                    vs_prior: None,
                }],
            }],
        );
        assert_eq!(
            trend_json(&attention),
            "{\"P\\u003c1\\u003e\":[{\"site\":\"total_hip\",\"side\":\"left\",\"lsc\":0.040,\
             \"lscText\":\"5.0 % of the first BMD (ISCD default)\",\"points\":[[\"2020-01-01\",0.800,\"total_hip\",\"\"]]}]}"
        );
    }
}
