//! The compiled `[[hologic_values]]` and `[[hologic_history]]` sections (profile/rules.rs):
//! which named values of a Hologic results document fill which field of the document, the
//! words each field's text follows, and the region a site's history table trends when the
//! table names none. Earlier profiles win: their rules are tried first.

use super::fields::parse_field;
use crate::profile::{ProfileError, ProfileFile};
use crate::vocabulary::Site;

/// A field of the document that a named value fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueField {
    /// The population the T-scores are referred to.
    TReference,
    /// The population the Z-scores are referred to.
    ZReference,
    /// The scanner's own WHO classification.
    ScannerClassification,
    /// The date of the scan (`Scan = "March 5, 2024 - A03052401"`).
    ScanDate,
    /// The date of the analysis.
    AnalysisDate,
    /// The date the report was made.
    ReportDate,
}

impl std::str::FromStr for ValueField {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "t_reference" => ValueField::TReference,
            "z_reference" => ValueField::ZReference,
            "scanner_classification" => ValueField::ScannerClassification,
            "scan_date" => ValueField::ScanDate,
            "analysis_date" => ValueField::AnalysisDate,
            "report_date" => ValueField::ReportDate,
            other => {
                return Err(format!(
                    "unknown field {other:?} (expected t_reference, z_reference, \
                     scanner_classification, scan_date, analysis_date, report_date)"
                ));
            }
        })
    }
}

/// One compiled value rule.
#[derive(Debug)]
struct ValueRule {
    field: ValueField,
    names: Vec<String>,
    after: Vec<String>,
    source: Vec<String>,
}

/// The compiled sections.
#[derive(Debug, Default)]
pub(super) struct HologicValues {
    rules: Vec<ValueRule>,
    history_labels: Vec<(Site, String)>,
}

impl HologicValues {
    pub(super) fn add(&mut self, profile: &ProfileFile, name: &str) -> Result<(), ProfileError> {
        for (n, rule) in profile.hologic_values.iter().enumerate() {
            self.rules.push(ValueRule {
                field: parse_field(&rule.field, name, "hologic_values", n)?,
                names: rule.names.clone(),
                after: rule.after.clone(),
                source: rule.source.clone(),
            });
        }
        for (n, rule) in profile.hologic_history.iter().enumerate() {
            let site = parse_field(&rule.site, name, "hologic_history", n)?;
            self.history_labels.push((site, rule.label.clone()));
        }
        Ok(())
    }
}

/// A field's text found in a document: the text, and for a reference its data source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundValue {
    /// The text after the rule's words, up to the next `<br>` or `;` (HTML left in).
    pub text: String,
    /// For a reference: the text after the rule's `source` words, cut off `text`.
    pub source: Option<String>,
}

/// Where `word` starts in `text`, ignoring ASCII case.
fn find_ignoring_case(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    text.to_ascii_lowercase().find(&word.to_ascii_lowercase())
}

/// `text` up to the first `<br>` (any case) or `;`.
fn up_to_break(text: &str) -> &str {
    let mut end = text.len();
    if let Some(at) = find_ignoring_case(text, "<br") {
        end = end.min(at);
    }
    if let Some(at) = text.find(';') {
        end = end.min(at);
    }
    &text[..end]
}

impl HologicValues {
    /// The text of `field` in a document whose named values `value` looks up: the first
    /// rule (in profile order) whose name is present and whose words the value holds.
    pub fn hologic_value<'v>(
        &self,
        field: ValueField,
        value: impl Fn(&str) -> Option<&'v str>,
    ) -> Option<FoundValue> {
        self.rules
            .iter()
            .filter(|rule| rule.field == field)
            .find_map(|rule| {
                rule.names.iter().find_map(|name| {
                    let whole = value(name)?;
                    let text = if rule.after.is_empty() {
                        whole
                    } else {
                        let (word, at) = rule
                            .after
                            .iter()
                            .find_map(|w| Some((w, find_ignoring_case(whole, w)?)))?;
                        up_to_break(&whole[at + word.len()..])
                    };
                    let (text, source) = match rule
                        .source
                        .iter()
                        .find_map(|w| Some((w, find_ignoring_case(text, w)?)))
                    {
                        Some((word, at)) => {
                            (&text[..at], Some(text[at + word.len()..].to_string()))
                        }
                        None => (text, None),
                    };
                    Some(FoundValue {
                        text: text.to_string(),
                        source,
                    })
                })
            })
    }

    /// The region label a history table of `site` trends when it names none ("Total" when
    /// no rule names the site).
    pub fn hologic_history_label(&self, site: Option<Site>) -> &str {
        self.history_labels
            .iter()
            .find(|(s, _)| Some(*s) == site)
            .map_or("Total", |(_, label)| label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_after_their_words() {
        let mapper = crate::profile::load(&[]).expect("built-ins");
        let graph = "T-score vs. Hispanic Female. Source:NHANES.<br> Z-score vs. White Female";
        let lookup = |name: &str| (name == "GraphTitle2").then_some(graph);
        let t = mapper
            .hologic_value(ValueField::TReference, lookup)
            .expect("T");
        assert_eq!(t.text.trim(), "Hispanic Female.");
        assert_eq!(t.source.as_deref().map(str::trim), Some("NHANES."));
        let z = mapper
            .hologic_value(ValueField::ZReference, lookup)
            .expect("Z");
        assert_eq!(z.text.trim(), "White Female");
        assert_eq!(z.source, None);
        let verdict = "Fracture Risk: Low; WHO Classification on Bolded Results: Normal<BR>*";
        let found = mapper
            .hologic_value(ValueField::ScannerClassification, |name| {
                (name == "FractureRiskStr").then_some(verdict)
            })
            .expect("verdict");
        assert_eq!(found.text.trim(), "Normal");
        assert_eq!(
            mapper.hologic_value(ValueField::ScannerClassification, |_| Some(
                "no verdict here"
            )),
            None
        );
        assert_eq!(mapper.hologic_history_label(Some(Site::Forearm)), "1/3");
        assert_eq!(mapper.hologic_history_label(Some(Site::Hip)), "Total");
    }
}
