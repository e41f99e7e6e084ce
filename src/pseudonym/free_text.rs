//! Free text from the documents under `--pseudonymize` (docs/privacy.md, "Free text"): a
//! FRAX remark "not reported because NILSSON KAR is under 50", a title, a label typed at the
//! scanner can hold a name or an ID, which no keyed hash can find. So the rule is the other
//! way round: a document text is written only when its column's vocabulary
//! (`vocabulary.toml`, data beside this file) knows it, and anything else is left out and
//! counted (run.json `free_text_withheld`).
//!
//! One mechanism for every output: a column of document text is a `DocText` cell, which
//! only `DocText::new` makes, naming the column's vocabulary; text of ours that quotes
//! document text (a files.csv message, a note, a flag) goes through `Ids::message`, which
//! checks every quoted span (`"..."`, as `{:?}` writes it). A new column of document text
//! is a new `DocText` field and, if no vocabulary fits, a new table in vocabulary.toml.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

/// The vocabularies, one per kind of document text (the tables of vocabulary.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vocabulary {
    /// documents.csv `document_title`.
    DocumentTitle,
    /// `source_label` of measurements.csv and history.csv.
    RegionLabel,
    /// studies.csv `reference_database`, and its flag.
    ReferenceDatabase,
    /// studies.csv `ethnicity`.
    Ethnicity,
    /// studies.csv `frax_not_reported`.
    FraxRemark,
    /// The vertebra of studies.csv `vertebral_fractures`.
    Vertebra,
    /// The grade of studies.csv `vertebral_fractures`.
    FractureGrade,
    /// history.csv `exam_date_as_written`.
    DateAsWritten,
    /// The scanner's own classification text, where a column shows it.
    VendorClassification,
    /// Document text quoted in a message, a note or a flag.
    Quoted,
}

impl Vocabulary {
    /// Every vocabulary, in run.json's order.
    pub const ALL: [Vocabulary; 10] = [
        Vocabulary::DocumentTitle,
        Vocabulary::RegionLabel,
        Vocabulary::ReferenceDatabase,
        Vocabulary::Ethnicity,
        Vocabulary::FraxRemark,
        Vocabulary::Vertebra,
        Vocabulary::FractureGrade,
        Vocabulary::DateAsWritten,
        Vocabulary::VendorClassification,
        Vocabulary::Quoted,
    ];

    /// Its table in vocabulary.toml, and its name in run.json.
    pub fn name(self) -> &'static str {
        match self {
            Vocabulary::DocumentTitle => "document_title",
            Vocabulary::RegionLabel => "region_label",
            Vocabulary::ReferenceDatabase => "reference_database",
            Vocabulary::Ethnicity => "ethnicity",
            Vocabulary::FraxRemark => "frax_remark",
            Vocabulary::Vertebra => "vertebra",
            Vocabulary::FractureGrade => "fracture_grade",
            Vocabulary::DateAsWritten => "date_as_written",
            Vocabulary::VendorClassification => "vendor_classification",
            Vocabulary::Quoted => "quoted",
        }
    }

    fn table(self) -> &'static Table {
        static TABLES: OnceLock<BTreeMap<String, Table>> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            toml::from_str(include_str!("vocabulary.toml")).expect("vocabulary.toml is valid")
        });
        tables
            .get(self.name())
            .unwrap_or_else(|| panic!("vocabulary.toml has no [{}]", self.name()))
    }

    /// What may be written of `text`: all of it, an opening of it followed by " …" (the
    /// rest withheld), or nothing (None).
    pub fn keep(self, text: &str) -> Option<Kept<'_>> {
        let table = self.table();
        let normal = normalise(text);
        if normal.is_empty()
            || table.phrases.iter().any(|p| normalise(p) == normal)
            || words_of(&normal).all(|word| table.knows(word))
        {
            return Some(Kept::Whole(text));
        }
        table
            .openings
            .iter()
            .find(|o| normal.starts_with(&normalise(o)))
            .map(|opening| Kept::Opening(format!("{opening} …")))
    }
}

/// What a vocabulary keeps of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept<'t> {
    /// All of it.
    Whole(&'t str),
    /// Its opening, the rest withheld (`"FRAX not reported because …"`).
    Opening(String),
}

impl<'t> Kept<'t> {
    /// The text written.
    pub fn text(self) -> Cow<'t, str> {
        match self {
            Kept::Whole(text) => Cow::Borrowed(text),
            Kept::Opening(text) => Cow::Owned(text),
        }
    }
}

/// One table of vocabulary.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    openings: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    vertebrae: bool,
}

impl Table {
    fn knows(&self, word: &str) -> bool {
        let digits = word.bytes().all(|b| b.is_ascii_digit());
        (digits && word.len() <= 4)
            || self.words.iter().any(|w| w == word)
            || (self.vertebrae && is_vertebra(word))
    }
}

/// C1-C7, T1-T12, L1-L5, S1-S5 (lower case).
fn is_vertebra(word: &str) -> bool {
    let (level, number) = word.split_at(word.len().min(1));
    let Ok(number) = number.parse::<u8>() else {
        return false;
    };
    !number.to_string().starts_with('0')
        && match level {
            "c" => (1..=7).contains(&number),
            "t" => (1..=12).contains(&number),
            "l" | "s" => (1..=5).contains(&number),
            _ => false,
        }
}

/// Lower case, spacing collapsed.
fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The words of a normalised text.
fn words_of(normal: &str) -> impl Iterator<Item = &str> {
    normal
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '-' | '/' | '(' | ')' | ',' | '.' | ':' | ';' | '%' | '|' | '{' | '}' | '='
                )
        })
        .filter(|w| !w.is_empty())
}

/// Cells (or quoted spans) left out since the run started, per vocabulary. One run at a
/// time in a process (`listen` runs its scans one after another), as for bytes read.
static WITHHELD: [AtomicU64; Vocabulary::ALL.len()] =
    [const { AtomicU64::new(0) }; Vocabulary::ALL.len()];

/// Starts a run's counts from zero.
pub fn start_counting_withheld() {
    for count in &WITHHELD {
        count.store(0, Ordering::Relaxed);
    }
}

/// What is written of `text` under --pseudonymize: what `vocabulary` keeps of it, else
/// `instead`; a text left out in whole or in part is counted.
pub(super) fn checked<'t>(vocabulary: Vocabulary, text: &'t str, instead: &'t str) -> Cow<'t, str> {
    let kept = vocabulary.keep(text);
    if !matches!(kept, Some(Kept::Whole(_))) {
        WITHHELD[vocabulary as usize].fetch_add(1, Ordering::Relaxed);
    }
    kept.map_or(Cow::Borrowed(instead), Kept::text)
}

/// The counts since the run started, by vocabulary name (run.json).
pub fn withheld() -> BTreeMap<&'static str, u64> {
    Vocabulary::ALL
        .iter()
        .map(|v| (v.name(), WITHHELD[*v as usize].load(Ordering::Relaxed)))
        .collect()
}

/// Calls `span` on each quoted span of `text` (`"..."`, with `\"` and `\\` escapes, as
/// `{:?}` writes a string) and copies the rest; what `span` returns replaces the span's
/// inside.
pub(super) fn map_quoted(text: &str, mut span: impl FnMut(&str) -> Cow<'_, str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in inside.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        match end {
            Some(end) => {
                out.push_str(&span(&inside[..end]));
                out.push('"');
                rest = &inside[end + 1..];
            }
            None => {
                // An unclosed quote: what follows is the document's, all of it.
                out.push_str(&span(inside));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_text_stays_and_a_name_goes() {
        let keep = |v: Vocabulary, t: &str| v.keep(t).map(|k| k.text().into_owned());
        assert_eq!(
            keep(Vocabulary::DocumentTitle, "Bone Densitometry Report").as_deref(),
            Some("Bone Densitometry Report")
        );
        assert!(keep(Vocabulary::DocumentTitle, "Lunar enCORE DXA Report").is_some());
        assert_eq!(keep(Vocabulary::DocumentTitle, "Report for DOE JANE"), None);
        assert_eq!(
            keep(
                Vocabulary::FraxRemark,
                "FRAX not reported because NILSSON KAR is under 50"
            )
            .as_deref(),
            Some("FRAX not reported because …")
        );
        assert_eq!(
            keep(
                Vocabulary::FraxRemark,
                "FRAX not reported because the patient is under 50 and premenopausal criteria apply"
            )
            .as_deref(),
            Some(
                "FRAX not reported because the patient is under 50 and premenopausal criteria apply"
            )
        );
        assert_eq!(keep(Vocabulary::FraxRemark, "Call Dr Svensson"), None);
        for label in [
            "L1-L4",
            "Neck Left",
            "Radius 33%",
            "|Diff.|",
            "Ward's",
            "1/3",
        ] {
            assert!(keep(Vocabulary::RegionLabel, label).is_some(), "{label}");
        }
        assert_eq!(keep(Vocabulary::RegionLabel, "Neck HOL000123"), None);
        assert_eq!(
            keep(Vocabulary::RegionLabel, "Neck 301234"),
            None,
            "5+ digits"
        );
        assert!(keep(Vocabulary::Vertebra, "T12").is_some());
        assert_eq!(keep(Vocabulary::Vertebra, "T13"), None);
        assert!(keep(Vocabulary::FractureGrade, "Grade 1 (mild) wedge").is_some());
        assert!(keep(Vocabulary::DateAsWritten, "15-Jan-2019").is_some());
        assert!(keep(Vocabulary::DateAsWritten, "04/19/2022").is_some());
        assert_eq!(keep(Vocabulary::DateAsWritten, "ask Karin"), None);
        assert!(
            keep(
                Vocabulary::VendorClassification,
                "Fracture Risk: Increased; WHO Classification: Osteopenia"
            )
            .is_some()
        );
        assert!(
            keep(Vocabulary::Ethnicity, "").is_some(),
            "empty is nothing to hide"
        );
    }

    #[test]
    fn quoted_spans_are_found_whatever_they_hold() {
        fn upper(s: &str) -> Cow<'_, str> {
            Cow::Owned(s.to_uppercase())
        }
        assert_eq!(
            map_quoted(r#"SR "a \"b\" c": 0 items, "d""#, upper),
            r#"SR "A \"B\" C": 0 items, "D""#
        );
        assert_eq!(map_quoted("no quotes", upper), "no quotes");
        assert_eq!(map_quoted(r#"cut "open"#, upper), r#"cut "OPEN"#);
    }

    #[test]
    fn every_label_of_the_built_in_profiles_is_a_known_region_label() {
        let mut labels = Vec::new();
        fn collect(value: &toml::Value, key: &str, out: &mut Vec<String>) {
            match value {
                toml::Value::Table(table) => {
                    for (k, v) in table {
                        collect(v, k, out);
                    }
                }
                toml::Value::Array(items) => items.iter().for_each(|v| collect(v, key, out)),
                toml::Value::String(s) if matches!(key, "labels" | "label" | "words") => {
                    out.push(s.clone())
                }
                _ => {}
            }
        }
        for (_, text) in crate::profile::BUILTIN {
            collect(&toml::from_str(text).unwrap(), "", &mut labels);
        }
        assert!(labels.len() > 50, "{labels:?}");
        for label in &labels {
            assert!(
                Vocabulary::RegionLabel.keep(label).is_some(),
                "{label:?}: add its words to [region_label] in src/pseudonym/vocabulary.toml"
            );
        }
    }
}
