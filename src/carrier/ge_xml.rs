//! The XML copy of a GE Lunar SR's results in ImageComments (0020,4000), a second carrier
//! (docs/evidence.md): the newer `<DXA_RESULTS>` (SCAN type -> ROI region -> BMD, BMD_TSCORE,
//! ...; TREND region -> EXAM date -> BMD, CHANGE type; FRAX risks; LVA DEFORMITY) and the
//! older `<DENSITOMETRY_RESULTS>` (SCAN -> TREND -> TREND_ROI and EXAM children with
//! EXAM_DATE, BMD, YAT, AMZ; the last EXAM is the current one).
//!
//! The element structure (SCAN, ROI, TREND, EXAM and their attributes) is this format's;
//! what an element's name measures, which region a label names, which words are FRAX or a
//! vertebral grade come from the profiles. Parsed with quick-xml into a small tree first,
//! bounded in size, depth, element count and text length: anything beyond is an error
//! message (the document is flagged), never a partial read taken as whole.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::decimal::Decimal;
use crate::document::{HistoryEntry, HistorySource, VertebralFracture};
use crate::normalise::to_contract_unit;
use crate::profile::{FraxItem, HistoryField, Mapper};
use crate::sr::Code;
use crate::vocabulary::{Laterality, Measure, Region};

/// Largest XML accepted (the real ones are a few KiB).
pub const MAX_XML_BYTES: usize = 1 << 20;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// Most elements accepted.
pub const MAX_ELEMENTS: usize = 20_000;
/// Longest text or attribute value accepted.
pub const MAX_TEXT: usize = 4096;

/// One value the XML gives for the current exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlValue {
    /// Region.
    pub region: Region,
    /// Side.
    pub laterality: Laterality,
    /// The ROI label.
    pub source_label: String,
    /// The region rule's note.
    pub note: Option<String>,
    /// What it measures.
    pub measure: Measure,
    /// In the contract's unit, or why it was left out.
    pub value: Result<Decimal, String>,
}

/// What the XML holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlResults {
    /// Current values.
    pub values: Vec<XmlValue>,
    /// Earlier exams.
    pub history: Vec<HistoryEntry>,
    /// FRAX probabilities.
    pub frax: Vec<(FraxItem, Decimal)>,
    /// Vertebral fracture grades.
    pub vertebral_fractures: Vec<VertebralFracture>,
}

/// Whether ImageComments holds one of the two results XML forms.
pub fn is_results_xml(text: &str) -> bool {
    let head = &text[..text.len().min(4096)];
    head.contains("<DXA_RESULTS") || head.contains("<DENSITOMETRY_RESULTS")
}

/// One parsed element.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<usize>,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }
}

/// The parsed document: element 0 is a virtual root.
#[derive(Debug)]
struct Tree {
    elements: Vec<Element>,
}

impl Tree {
    fn children<'t>(&'t self, at: usize, name: &'t str) -> impl Iterator<Item = usize> + 't {
        self.elements[at]
            .children
            .iter()
            .copied()
            .filter(move |c| self.elements[*c].name.eq_ignore_ascii_case(name))
    }

    /// Descendants named `name`, in document order (the tree is in document order).
    fn descendants<'t>(&'t self, name: &'t str) -> impl Iterator<Item = usize> + 't {
        (1..self.elements.len())
            .filter(move |at| self.elements[*at].name.eq_ignore_ascii_case(name))
    }

    fn child_text(&self, at: usize, name: &str) -> Option<&str> {
        self.children(at, name)
            .next()
            .map(|c| self.elements[c].text.trim())
    }
}

fn parse(xml: &str) -> Result<Tree, String> {
    if xml.len() > MAX_XML_BYTES {
        return Err(format!("{} bytes, more than {MAX_XML_BYTES}", xml.len()));
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut elements = vec![Element::default()];
    let mut open = vec![0usize];
    let too_long = || format!("a text or attribute longer than {MAX_TEXT} characters");
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if elements.len() >= MAX_ELEMENTS {
                    return Err(format!("more than {MAX_ELEMENTS} elements"));
                }
                if open.len() > MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                let mut attributes = Vec::new();
                for attribute in start.attributes().take(32) {
                    let attribute = attribute.map_err(|e| e.to_string())?;
                    let value = attribute.unescape_value().map_err(|e| e.to_string())?;
                    if value.len() > MAX_TEXT {
                        return Err(too_long());
                    }
                    let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
                    attributes.push((key, value.into_owned()));
                }
                let at = elements.len();
                elements.push(Element {
                    name,
                    attributes,
                    ..Element::default()
                });
                let parent = *open.last().expect("the virtual root stays open");
                elements[parent].children.push(at);
                if !empty {
                    open.push(at);
                }
            }
            Event::End(_) => {
                if open.len() <= 1 {
                    return Err("an end tag without its start".to_string());
                }
                open.pop();
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|e| e.to_string())?;
                push_text(&mut elements, &open, &text)?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|e| e.to_string())?;
                push_text(&mut elements, &open, &text)?;
            }
            Event::GeneralRef(reference) => {
                let text = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => match &*reference {
                        b"amp" => "&".into(),
                        b"lt" => "<".into(),
                        b"gt" => ">".into(),
                        b"quot" => "\"".into(),
                        b"apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                push_text(&mut elements, &open, &text)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if open.len() > 1 {
        return Err("the document ends inside an element".to_string());
    }
    Ok(Tree { elements })
}

fn push_text(elements: &mut [Element], open: &[usize], text: &str) -> Result<(), String> {
    let at = *open.last().expect("the virtual root stays open");
    if elements[at].text.len() + text.len() > MAX_TEXT {
        return Err(format!(
            "a text or attribute longer than {MAX_TEXT} characters"
        ));
    }
    elements[at].text.push_str(text);
    Ok(())
}

/// Units as an attribute gives them (" g/cm2"), for the unit conversion.
fn units_code(units: Option<&str>) -> Option<Code<'_>> {
    units.map(|u| Code {
        value: u.trim(),
        scheme: "",
        meaning: "",
    })
}

/// A value in the contract's unit. A BMD without a units attribute is g/cm², the unit the
/// newer form states (" g/cm2"): docs/profiles.md lists this as a guess about the older form.
fn contract_value(
    measure: Measure,
    value: Decimal,
    units: Option<&str>,
) -> Result<Decimal, String> {
    let units = units.or((measure == Measure::Bmd).then_some("g/cm2"));
    to_contract_unit(measure, value, units_code(units).as_ref()).map_err(|e| e.to_string())
}

/// Reads the results XML of one SR.
pub fn read(xml: &str, mapper: &Mapper) -> Result<XmlResults, String> {
    let tree = parse(xml)?;
    let mut out = XmlResults::default();
    let older = tree.descendants("DENSITOMETRY_RESULTS").next().is_some();
    for scan in tree.descendants("SCAN") {
        let scan_type = tree.elements[scan]
            .attribute("type")
            .unwrap_or("")
            .to_string();
        if mapper.is_vfa_label(&scan_type) {
            read_vfa(&tree, scan, mapper, &mut out);
            continue;
        }
        for roi in tree.children(scan, "ROI") {
            let region = tree.elements[roi].attribute("region").unwrap_or("");
            read_values(&tree, roi, &[region, &scan_type], mapper, &mut out);
        }
        for trend in tree.children(scan, "TREND") {
            let exams: Vec<usize> = tree.children(trend, "EXAM").collect();
            let label = tree.elements[trend]
                .attribute("region")
                .or_else(|| tree.child_text(trend, "TREND_ROI"))
                .unwrap_or("")
                .to_string();
            for (n, exam) in exams.iter().enumerate() {
                if older && n + 1 == exams.len() {
                    // DENSITOMETRY_RESULTS: the last EXAM is this exam.
                    read_values(&tree, *exam, &[&label, &scan_type], mapper, &mut out);
                } else {
                    let entry = history_entry(&tree, *exam, &[&label, &scan_type], mapper);
                    out.history.push(entry);
                }
            }
        }
    }
    for at in 1..tree.elements.len() {
        let element = &tree.elements[at];
        if mapper.is_frax_label(&element.name)
            && let Some(item) = mapper.frax_item(&element.name)
            && item != FraxItem::Classification
            && let Some(value) = crate::decimal::reported_number(&element.text)
        {
            out.frax.push((item, value));
        }
    }
    Ok(out)
}

/// The measure children of an ROI (or of the current EXAM of the older form).
fn read_values(tree: &Tree, at: usize, labels: &[&str], mapper: &Mapper, out: &mut XmlResults) {
    let placed = mapper.place(labels);
    for &child in &tree.elements[at].children {
        let element = &tree.elements[child];
        let Some(measure) = mapper.measure_named(&element.name) else {
            continue;
        };
        if measure.is_study_level() {
            continue;
        }
        let Some(value) = crate::decimal::reported_number(&element.text) else {
            continue;
        };
        out.values.push(XmlValue {
            region: placed.region,
            laterality: placed.laterality,
            source_label: placed.source_label.clone(),
            note: placed.note.map(str::to_string),
            measure,
            value: contract_value(measure, value, element.attribute("units")),
        });
    }
}

/// One earlier exam: its date (attribute `date`, else an EXAM_DATE child), BMD, scores,
/// age and changes.
fn history_entry(tree: &Tree, exam: usize, labels: &[&str], mapper: &Mapper) -> HistoryEntry {
    let placed = mapper.place(labels);
    let date = tree.elements[exam]
        .attribute("date")
        .or_else(|| tree.child_text(exam, "EXAM_DATE"))
        .unwrap_or("")
        .to_string();
    let mut entry = HistoryEntry::placed(
        placed.region,
        placed.laterality,
        placed.source_label,
        date,
        HistorySource::GeXml,
    );
    for &child in &tree.elements[exam].children {
        let element = &tree.elements[child];
        // CHANGE type="PCHANGE_VS_PREVIOUS": the type names the field.
        let field = mapper.history_field(&element.name).or_else(|| {
            element
                .attribute("type")
                .and_then(|t| mapper.history_field(t))
        });
        let measure = mapper.measure_named(&element.name);
        let text = element.attribute("value").unwrap_or(&element.text);
        let Some(value) = crate::decimal::reported_number(text) else {
            continue;
        };
        let units = element.attribute("units");
        let value_in = |measure| contract_value(measure, value, units).ok();
        match (field, measure) {
            (Some(HistoryField::Age), _) => entry.age_years = Some(value),
            (Some(HistoryField::ChangeVsPrevious), _) => {
                entry.change_vs_previous_g_cm2 = value_in(Measure::Bmd)
            }
            (Some(HistoryField::ChangeVsBaseline), _) => {
                entry.change_vs_baseline_g_cm2 = value_in(Measure::Bmd)
            }
            (Some(HistoryField::PctChangeVsPrevious), _) => {
                entry.change_vs_previous_pct = Some(value)
            }
            (Some(HistoryField::PctChangeVsBaseline), _) => {
                entry.change_vs_baseline_pct = Some(value)
            }
            (None, Some(Measure::Bmd)) => entry.bmd = value_in(Measure::Bmd),
            (None, Some(Measure::TScore)) => entry.t_score = Some(value),
            (None, Some(Measure::ZScore)) => entry.z_score = Some(value),
            _ => {}
        }
    }
    entry
}

/// LVA: a grade per vertebra (ROI region), "None" when no deformity.
fn read_vfa(tree: &Tree, scan: usize, mapper: &Mapper, out: &mut XmlResults) {
    for roi in tree.children(scan, "ROI") {
        let vertebra = tree.elements[roi]
            .attribute("region")
            .unwrap_or("")
            .to_string();
        for &child in &tree.elements[roi].children {
            let element = &tree.elements[child];
            if mapper.is_vfa_grade(&element.name) {
                out.vertebral_fractures.push(VertebralFracture {
                    vertebra: vertebra.clone(),
                    grade: element.text.trim().to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper() -> Mapper {
        crate::profile::load(&[]).expect("built-ins")
    }

    #[test]
    fn bounded_parse() {
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(parse(&deep).unwrap_err().contains("deeper"));
        let long = format!("<a>{}</a>", "x".repeat(MAX_TEXT + 1));
        assert!(parse(&long).unwrap_err().contains("longer"));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").unwrap_err().contains("ends inside"));
        let big = "<a/>".repeat(MAX_XML_BYTES / 4 + 1);
        assert!(parse(&big).unwrap_err().contains("bytes"));
    }

    #[test]
    fn newer_form_values_trend_frax() {
        let xml = r#"<DXA_RESULTS><EXAM_DATE time="0830" id="1">22/01/2024</EXAM_DATE>
            <SCAN type="DualFemur"><ROI region="Neck Left"><BMD units=" g/cm2">0,812</BMD>
            <BMD_TSCORE>-1.6</BMD_TSCORE><BMC units=" g">4.12</BMC></ROI>
            <TREND region="Neck Left"><EXAM date="18/01/2021"><BMD units=" g/cm2">0.838</BMD>
            <CHANGE type="PCHANGE_VS_PREVIOUS">-3.1</CHANGE></EXAM></TREND></SCAN>
            <MAJOR_OSTEO_FRAC_RISK>12</MAJOR_OSTEO_FRAC_RISK><HIP_FRAC_RISK>1.8</HIP_FRAC_RISK>
            </DXA_RESULTS>"#;
        let results = read(xml, &mapper()).unwrap();
        let neck: Vec<_> = results
            .values
            .iter()
            .map(|v| {
                (
                    v.region,
                    v.laterality,
                    v.measure,
                    v.value.clone().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            neck,
            [
                (
                    Region::FemoralNeck,
                    Laterality::Left,
                    Measure::Bmd,
                    "0.812".into()
                ),
                (
                    Region::FemoralNeck,
                    Laterality::Left,
                    Measure::TScore,
                    "-1.6".into()
                ),
                (
                    Region::FemoralNeck,
                    Laterality::Left,
                    Measure::Bmc,
                    "4.12".into()
                ),
            ]
        );
        assert_eq!(results.history.len(), 1);
        let h = &results.history[0];
        assert_eq!(h.exam_date_text, "18/01/2021");
        assert_eq!(h.bmd.unwrap().to_string(), "0.838");
        assert_eq!(h.change_vs_previous_pct.unwrap().to_string(), "-3.1");
        assert_eq!(
            results.frax,
            [
                (FraxItem::Major(false), Decimal::parse("12").unwrap()),
                (FraxItem::Hip(false), Decimal::parse("1.8").unwrap())
            ]
        );
    }

    #[test]
    fn older_form_last_exam_is_current() {
        let xml = r#"<DENSITOMETRY_RESULTS><CURRENT_EXAM><SCAN type="AP Spine"><TREND>
            <TREND_ROI>L1-L4</TREND_ROI><BASELINE_EXAM_DATE>3/15/2019</BASELINE_EXAM_DATE>
            <EXAM><EXAM_DATE>3/15/2019</EXAM_DATE><BMD>1.101</BMD><YAT>-0.6</YAT></EXAM>
            <EXAM><EXAM_DATE>3/20/2024</EXAM_DATE><BMD>1.069</BMD><YAT>-0.9</YAT><AMZ>0.2</AMZ></EXAM>
            </TREND></SCAN></CURRENT_EXAM></DENSITOMETRY_RESULTS>"#;
        let results = read(xml, &mapper()).unwrap();
        assert_eq!(results.history.len(), 1);
        assert_eq!(results.history[0].bmd.unwrap().to_string(), "1.101");
        let current: Vec<_> = results
            .values
            .iter()
            .map(|v| (v.region, v.measure, v.value.clone().unwrap().to_string()))
            .collect();
        assert_eq!(
            current,
            [
                (Region::SpineL1L4, Measure::Bmd, "1.069".into()),
                (Region::SpineL1L4, Measure::TScore, "-0.9".into()),
                (Region::SpineL1L4, Measure::ZScore, "0.2".into()),
            ]
        );
    }
}
