//! Small HTML pieces the sections share: escaping, the figure layout, count tables.
//!
//! Text from the data (manufacturers, models, reasons, paths, patient IDs) is escaped with
//! `esc` wherever it enters the page; `chart_label` makes it safe for the charts.

use crate::visible::hidden;

/// Longest category label drawn inside a chart (the tables show it whole).
pub const LABEL_MAX_CHARS: usize = 34;

/// Escapes text for HTML element content and quoted attribute values; a character that
/// would not show as itself (`crate::visible`, as CSV cells and paths escape them) becomes
/// U+FFFD, a tab stays.
pub fn esc(text: &str) -> String {
    // Most texts (IDs, dates, words) are printable ASCII without markup: copied whole.
    if text
        .bytes()
        .all(|b| (0x20..0x7F).contains(&b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if hidden(c) && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A label for plotters: markup characters replaced by harmless look-alikes (plotters-svg
/// escapes text itself; this keeps the page safe whatever its version, and nothing is
/// escaped twice), hidden characters (`crate::visible`) by spaces, long labels shortened with an ellipsis.
pub fn chart_label(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '+',
            '"' => '\'',
            c if hidden(c) => ' ',
            c => c,
        })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() > LABEL_MAX_CHARS {
        let mut short: String = clean.chars().take(LABEL_MAX_CHARS - 1).collect();
        short.push('…');
        short
    } else {
        clean.to_string()
    }
}

/// A chart (or its error paragraph) with its table beside it.
pub fn figure(chart: &str, side: &str) -> String {
    format!(
        "<div class=\"figure\">\n<div class=\"chart-box\">{chart}</div>\n\
         <div class=\"side\">{side}</div>\n</div>\n"
    )
}

/// The "no data" sentence of an empty section or chart.
pub fn no_data(what: &str) -> String {
    format!("<p class=\"no-data\">No data: {what}</p>\n")
}

/// A coloured square before a label.
pub fn swatch(colour: &str) -> String {
    format!("<span class=\"swatch\" style=\"background:{colour}\"></span>")
}

/// A label / count / share table with a total row; `colour` gives a swatch per label.
pub fn count_table(
    caption: &str,
    label: &str,
    unit: &str,
    entries: &[(String, u64)],
    colour: Option<&dyn Fn(&str) -> String>,
) -> String {
    let total = entries.iter().fold(0u64, |a, (_, v)| a.saturating_add(*v));
    let mut t = format!(
        "<table class=\"data\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">Share</th>\
         </tr></thead>\n<tbody>\n",
        esc(caption),
        esc(label),
        esc(unit)
    );
    for (k, v) in entries {
        let mark = colour.map(|c| swatch(&c(k))).unwrap_or_default();
        t.push_str(&format!(
            "<tr><td class=\"label\">{mark}{}</td><td class=\"num\">{v}</td>\
             <td class=\"num\">{}</td></tr>\n",
            esc(k),
            share(*v, total)
        ));
    }
    t.push_str(&format!(
        "</tbody>\n<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">{total}</td>\
         <td class=\"num\"></td></tr></tfoot>\n</table>\n"
    ));
    t
}

/// "12.5%" (one decimal), or an empty string for an empty total.
pub fn share(value: u64, total: u64) -> String {
    if total == 0 {
        String::new()
    } else {
        format!("{:.1}%", value as f64 * 100.0 / total as f64)
    }
}

/// "1 visit", "2 visits".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_labels() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(esc("a\u{7}b"), "a\u{FFFD}b");
        // Printable ASCII without markup is copied whole; DEL is a control character.
        assert_eq!(esc(" P-12_x~ (a; b) "), " P-12_x~ (a; b) ");
        assert_eq!(esc("a\u{7F}"), "a\u{FFFD}");
        // What a CSV cell or a path escapes (crate::visible) cannot reorder the page either:
        // `exe.dcm` behind a right-to-left override.
        assert_eq!(esc("x\u{202E}mcd.exe"), "x\u{FFFD}mcd.exe");
        assert_eq!(esc("a\u{2028}\u{200B}b\tc"), "a\u{FFFD}\u{FFFD}b\tc");
        assert_eq!(chart_label("x\u{202E}mcd\u{FEFF}.exe"), "x mcd .exe");
        assert_eq!(chart_label("<b>&\"x\""), "‹b›+'x'");
        assert_eq!(
            chart_label(&"m".repeat(50)).chars().count(),
            LABEL_MAX_CHARS
        );
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(1, 0), "");
        assert_eq!(plural(1, "visit", "visits"), "1 visit");
        assert_eq!(plural(0, "visit", "visits"), "0 visits");
    }

    #[test]
    fn count_tables_total_their_rows() {
        let entries = vec![("a<".to_string(), 2), ("b".to_string(), 3)];
        let table = count_table("Caption", "Label", "Visits", &entries, None);
        assert!(table.contains("<td class=\"num\">5</td>"), "{table}");
        assert!(table.contains("a&lt;"));
        assert!(table.contains("40.0%"));
    }
}
