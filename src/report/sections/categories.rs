//! "Diagnostic categories": visits per category, in clinical order (studies.csv
//! `classification`).

use super::{CLASSIFICATION_ORDER, classification_colour, ordered};
use crate::report::chart::{Bar, css_colour, rows_chart};
use crate::report::data::ReportData;
use crate::report::html::{count_table, figure, no_data};
use crate::report::page::Section;

/// The section.
pub fn render(data: &ReportData) -> String {
    let mut s = Section::Categories.open(
        "Visits per diagnostic category (studies.csv classification), in clinical order: the \
         WHO categories from T-scores, the Z-score wording used where T-scores do not apply \
         (adults under 50, children), then indeterminate.",
    );
    if data.by_classification.is_empty() {
        s.push_str(&no_data("no visit was classified."));
    } else {
        let entries = ordered(&data.by_classification, &CLASSIFICATION_ORDER);
        let bars: Vec<Bar> = entries
            .iter()
            .map(|(k, v)| Bar::new(k, *v, classification_colour(k)))
            .collect();
        let colour = |k: &str| css_colour(classification_colour(k));
        s.push_str(&figure(
            &rows_chart("Visits per diagnostic category", &bars, &[]),
            &count_table(
                "Visits per category",
                "Category",
                "Visits",
                &entries,
                Some(&colour),
            ),
        ));
    }
    s.push_str("</section>\n");
    s
}
