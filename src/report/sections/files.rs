//! "Files not ingested": counts per status and reason with the next step for each, then
//! the first files by name (errors first; files.csv lists them all).

use crate::report::chart::{BLUE, Bar, GREY, Swatch, VERMILION, css_colour, rows_chart};
use crate::report::data::ReportData;
use crate::report::files::{FILES_CAP, FileEntry, next_step, reason_of};
use crate::report::html::{esc, no_data, plural, swatch};
use crate::report::page::Section;
use plotters::style::RGBColor;

/// (status, reason) pairs drawn as their own bar; the rest are summed.
const TOP_REASONS: usize = 20;

/// The section.
pub fn render(data: &ReportData) -> String {
    let mut s = Section::NotIngested.open(
        "Files that were not ingested (files.csv), per status and reason, with what to do next. \
         Skipped files were left out on purpose (not DXA, duplicates, ...); errors are files \
         that should have been read and could not be.",
    );
    if data.files_by_reason.is_empty() {
        s.push_str(&no_data("no file was skipped or failed."));
        s.push_str("</section>\n");
        return s;
    }
    let mut entries: Vec<(&str, &str, u64)> = data
        .files_by_reason
        .iter()
        .map(|((status, reason), v)| (status.as_str(), reason.as_str(), *v))
        .collect();
    entries.sort_by(|a, b| {
        status_rank(a.0)
            .cmp(&status_rank(b.0))
            .then(b.2.cmp(&a.2))
            .then(a.0.cmp(b.0))
            .then(a.1.cmp(b.1))
    });

    let mut bars: Vec<Bar> = entries
        .iter()
        .take(TOP_REASONS)
        .map(|(status, reason, v)| {
            Bar::new(&format!("{status}: {reason}"), *v, status_colour(status))
        })
        .collect();
    if entries.len() > TOP_REASONS {
        let rest = &entries[TOP_REASONS..];
        let sum = rest.iter().fold(0u64, |a, e| a.saturating_add(e.2));
        bars.push(Bar::new(
            &format!("other ({} reasons)", rest.len()),
            sum,
            GREY,
        ));
    }
    let mut legend: Vec<(String, Swatch)> = Vec::new();
    for status in ["error", "skipped"] {
        if entries.iter().any(|e| e.0 == status) {
            legend.push((status.to_string(), Swatch::Fill(status_colour(status))));
        }
    }
    if entries.iter().any(|e| status_rank(e.0) == 2) || entries.len() > TOP_REASONS {
        legend.push(("other".to_string(), Swatch::Fill(GREY)));
    }
    s.push_str(&format!(
        "<div class=\"chart-box\">{}</div>\n",
        rows_chart("Files not ingested per status and reason", &bars, &legend)
    ));

    let mut table = String::from(
        "<table class=\"data wide\" id=\"reasons\">\n<caption>Files not ingested, per reason, \
         and the next step</caption>\n<thead><tr><th scope=\"col\">Status</th>\
         <th scope=\"col\">Reason</th><th scope=\"col\" class=\"num\">Files</th>\
         <th scope=\"col\">Next step</th></tr></thead>\n<tbody>\n",
    );
    let mut total = 0u64;
    for (status, reason, v) in &entries {
        total = total.saturating_add(*v);
        let step = reason_of(reason).map_or("See the message in files.csv.", next_step);
        table.push_str(&format!(
            "<tr><td class=\"status {}\">{}{}</td><td class=\"label\">{}</td>\
             <td class=\"num\">{v}</td><td class=\"step\">{}</td></tr>\n",
            status_class(status),
            swatch(&css_colour(status_colour(status))),
            esc(status),
            esc(reason),
            code_spans(step),
        ));
    }
    table.push_str(&format!(
        "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th>\
         <td class=\"num\">{total}</td><td></td></tr></tfoot>\n</table>\n"
    ));
    s.push_str(&table);
    s.push_str(&file_list(data));
    s.push_str("</section>\n");
    s
}

/// The files by name: errors first, then skipped files, each in path order.
fn file_list(data: &ReportData) -> String {
    let files = &data.not_ingested;
    let listed = (files.errors.len() + files.skipped.len()) as u64;
    let all = data.errors.saturating_add(data.skipped).max(listed);
    let mut out = format!(
        "<h3>Files by name</h3>\n<p class=\"note\">Errors first, then skipped files, each in \
         path order: the first {FILES_CAP} of each status. {}</p>\n",
        if all > listed {
            format!(
                "{} more are in files.csv (filter on status and reason).",
                plural(all - listed, "file", "files")
            )
        } else {
            "Every file not ingested is listed.".to_string()
        }
    );
    out.push_str(
        "<div class=\"scroll\">\n<table class=\"data wide\" id=\"not-ingested-files\">\n<thead><tr>\
         <th scope=\"col\">Status</th><th scope=\"col\">Reason</th><th scope=\"col\">File</th>\
         <th scope=\"col\">Message</th></tr></thead>\n<tbody>\n",
    );
    for entry in files.errors.iter().chain(&files.skipped) {
        out.push_str(&file_row(entry));
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out
}

fn file_row(entry: &FileEntry) -> String {
    let status = entry.reason.status().as_str();
    format!(
        "<tr><td class=\"status {}\">{}</td><td>{}</td><td class=\"path\">{}</td><td>{}</td></tr>\n",
        status_class(status),
        status,
        entry.reason.code(),
        esc(&entry.path),
        esc(&entry.message)
    )
}

/// Text with `command` spans set in `<code>` (the next steps name commands and options).
fn code_spans(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", esc(part)));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// Errors first, then skipped, then any other status.
fn status_rank(status: &str) -> u8 {
    match status {
        "error" => 0,
        "skipped" => 1,
        _ => 2,
    }
}

fn status_colour(status: &str) -> RGBColor {
    match status {
        "error" => VERMILION,
        "skipped" => BLUE,
        _ => GREY,
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "error" => "status-error",
        "skipped" => "status-skipped",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_code() {
        assert_eq!(
            code_spans("run `dxa-ingest inspect FILE` <now>"),
            "run <code>dxa-ingest inspect FILE</code> &lt;now&gt;"
        );
    }
}
