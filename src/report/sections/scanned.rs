//! "What was scanned": the counts of the run, the visit dates, the options that change the
//! outputs and the profiles with their SHA-256. No input path and no clock (docs/report.md:
//! a `merge` of partial scans writes the same page as one `scan`).

use crate::report::data::ReportData;
use crate::report::html::{esc, no_data, plural};
use crate::report::page::Section;
use crate::report::run::RunInfo;

/// The section.
pub fn render(data: &ReportData, run: &RunInfo, version: &str) -> String {
    let mut s = Section::Scanned.open(
        "Every entry of the input accounted for, the visit dates, and what decided how the \
         files were read and classified. Input paths and times are left out on purpose: the \
         page depends only on the files read and the options.",
    );
    let dates = match data.visit_dates {
        Some((first, last)) if first == last => first.to_string(),
        Some((first, last)) => format!("{first} to {last}"),
        None => "none".to_string(),
    };
    let undated = if data.visits_without_date > 0 {
        format!(
            "{} without a date",
            plural(data.visits_without_date, "visit", "visits")
        )
    } else {
        String::new()
    };
    let rows: [(&str, String, String); 7] = [
        ("Tool", esc(version), String::new()),
        (
            "Files seen",
            data.files_seen.to_string(),
            "regular files and other entries accounted for".into(),
        ),
        (
            "Documents ingested",
            data.ingested.to_string(),
            "DXA results documents read into the tables (documents.csv)".into(),
        ),
        (
            "Visits",
            data.studies.to_string(),
            "one patient, day and device (studies.csv rows)".into(),
        ),
        ("Visit dates", esc(&dates), undated),
        (
            "Files skipped",
            data.skipped.to_string(),
            "left out on purpose (see Files not ingested)".into(),
        ),
        (
            "Files with errors",
            data.errors.to_string(),
            "could not be read (see Files not ingested)".into(),
        ),
    ];
    s.push_str("<div class=\"figure\">\n<div>\n<table class=\"data summary\">\n<caption>This run</caption>\n<tbody>\n");
    for (label, value, note) in rows {
        let class = if value.bytes().all(|b| b.is_ascii_digit()) {
            "num"
        } else {
            "text"
        };
        s.push_str(&format!(
            "<tr><th scope=\"row\">{label}</th><td class=\"{class}\">{value}</td><td>{note}</td></tr>\n"
        ));
    }
    s.push_str("</tbody>\n</table>\n</div>\n<div class=\"side\">\n");
    s.push_str(&pairs_table(
        "Options that change the outputs",
        ("Option", "Value"),
        &run.options,
        false,
    ));
    s.push_str(&pairs_table(
        "Profiles, in the order their rules are consulted",
        ("Profile", "SHA-256"),
        &run.profiles,
        true,
    ));
    s.push_str("</div>\n</div>\n");
    if data.files_seen == 0 && data.ingested == 0 {
        s.push_str(&no_data("no input file was seen in this run."));
    }
    s.push_str("</section>\n");
    s
}

/// A two-column table of (name, value) pairs; `code` sets the values in monospace.
fn pairs_table(
    caption: &str,
    heads: (&str, &str),
    pairs: &[(String, String)],
    code: bool,
) -> String {
    let mut t = format!(
        "<table class=\"data pairs\">\n<caption>{caption}</caption>\n<thead><tr>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        heads.0, heads.1
    );
    if pairs.is_empty() {
        t.push_str("<tr><td colspan=\"2\">not recorded</td></tr>\n");
    }
    for (name, value) in pairs {
        let value = if code {
            format!("<code>{}</code>", esc(value))
        } else {
            esc(value)
        };
        t.push_str(&format!(
            "<tr><td>{}</td><td>{value}</td></tr>\n",
            esc(name)
        ));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}
