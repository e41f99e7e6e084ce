//! "Body composition": the visits with a whole-body exam's composition, by fat mass index
//! class (Kelly 2009), and how many fall below the low muscle and lean mass cut-offs
//! (docs/clinical.md, "Body composition": research aids, never a diagnosis).

use crate::bodycomp::index::FmiClass;
use crate::report::data::ReportData;
use crate::report::html::{count_table, esc, no_data};
use crate::report::page::Section;

/// The section.
pub fn render(data: &ReportData) -> String {
    let mut s = Section::BodyComposition.open(
        "Visits with a whole-body exam's body composition (body_composition.csv), by fat mass \
         index class (Kelly 2009, adults whose sex is stated), and the findings of \
         studies.csv's flags: research aids, never a diagnosis (ISCD).",
    );
    let body = &data.body;
    if body.visits == 0 {
        s.push_str(&no_data(
            "no visit with a whole-body exam's body composition.",
        ));
        s.push_str("</section>\n");
        return s;
    }
    let classes: Vec<(String, u64)> = FmiClass::ALL
        .iter()
        .map(|c| {
            let name = c.as_str().to_string();
            let n = body.fmi_class.get(&name).copied().unwrap_or(0);
            (name, n)
        })
        .collect();
    s.push_str(&count_table(
        "Visits per FMI class",
        "FMI class",
        "Visits",
        &classes,
        None,
    ));
    s.push_str(
        "<table class=\"data\">\n<caption>Findings</caption>\n<thead><tr>\
         <th scope=\"col\">Finding</th><th scope=\"col\" class=\"num\">Visits</th></tr></thead>\n<tbody>\n",
    );
    for (label, n) in [
        ("visits with a body composition", body.visits),
        ("low_muscle_mass_ewgsop2", body.low_muscle_mass),
        ("low_lean_mass_fnih", body.low_lean_mass),
        ("height_unknown (indices not computed)", body.height_unknown),
        ("body_composition_inconsistent", body.inconsistent),
    ] {
        s.push_str(&format!(
            "<tr><td class=\"label\">{}</td><td class=\"num\">{n}</td></tr>\n",
            esc(label)
        ));
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
    s
}
