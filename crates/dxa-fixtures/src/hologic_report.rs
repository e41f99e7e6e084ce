//! Hologic APEX report images as the field evidence describes them (shared
//! docs/evidence.md; synthesized, never copied from an export): a Secondary Capture image
//! (Modality OT, RGB pixel data) whose private element (0019,1000) holds the results
//! document, a pseudo-XML text of JavaScript assignments read by table type codes.
//!
//! ```text
//! <HologicHeader1> <Institution>..</Institution> <GeneralData> <ScanID>..</ScanID> </GeneralData> </HologicHeader1>
//! <JavaScriptFile, filetype=1, filename="C:\QDR\qdrdicom\html2\PatInfo.js">
//! PatientSex = "Female"; Height = "162.0"; Weight = "61.5"; MenopauseAge = "50"; ...
//! </JavaScriptFile>
//! <JavaScriptFile, filetype=2, filename="C:\QDR\qdrdicom\html2\ScanInfo.js">
//! Scan = "April 15, 2024 - A04152401"; ScanMode = "f Left Hip"; Model = "Horizon A (S/N300123)"; ...
//! </JavaScriptFile>
//! <JavaScriptFile, filetype=3, filename="C:\QDR\qdrdicom\html2\Results.js">
//! TableType1 = 1; TableColumnTypes1[ c] = code; TableRowTypes1[ r] = code; ResultsTable1[ r][ c] = "..";
//! </JavaScriptFile>
//! ```

use dicom_core::{Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;
use dicom_object::mem::InMemElement;

use crate::encoding::{Encoding, binary, encode_file, text, us};
use crate::header::Header;

/// Column type codes (docs/evidence.md).
pub mod column {
    /// Region label.
    pub const LABEL: u32 = 1;
    /// Area, cm².
    pub const AREA: u32 = 2;
    /// BMD, g/cm².
    pub const BMD: u32 = 3;
    /// BMC, g.
    pub const BMC: u32 = 4;
    /// T-score.
    pub const T: u32 = 5;
    /// Z-score.
    pub const Z: u32 = 6;
    /// PR (% young adult).
    pub const PR: u32 = 7;
    /// AM (% age matched).
    pub const AM: u32 = 13;
    /// Scan date.
    pub const DATE: u32 = 16;
    /// Age.
    pub const AGE: u32 = 17;
    /// BMD change vs baseline.
    pub const CHANGE_BASELINE: u32 = 18;
    /// BMD change vs previous.
    pub const CHANGE_PREVIOUS: u32 = 19;
    /// FRAX label.
    pub const FRAX_LABEL: u32 = 20;
    /// FRAX without prior fracture.
    pub const FRAX: u32 = 32;
    /// FRAX with prior fracture.
    pub const FRAX_PRIOR: u32 = 33;
}

/// Row type codes (docs/evidence.md).
pub mod row {
    /// Header row.
    pub const HEADER: u32 = 1;
    /// L1..L4.
    pub const L1: u32 = 5;
    /// L2.
    pub const L2: u32 = 6;
    /// L3.
    pub const L3: u32 = 7;
    /// L4.
    pub const L4: u32 = 8;
    /// Total.
    pub const TOTAL: u32 = 3;
    /// Neck.
    pub const NECK: u32 = 10;
    /// 1/3 radius.
    pub const THIRD: u32 = 14;
    /// MID.
    pub const MID: u32 = 15;
    /// UD.
    pub const UD: u32 = 16;
    /// Dual hip Left.
    pub const LEFT: u32 = 133;
    /// Dual hip Right.
    pub const RIGHT: u32 = 134;
    /// Dual hip Mean.
    pub const MEAN: u32 = 135;
    /// Dual hip |Diff.|.
    pub const DIFF: u32 = 136;
    /// History date row.
    pub const DATE: u32 = 4;
    /// FRAX major.
    pub const FRAX_MAJOR: u32 = 71;
    /// FRAX hip.
    pub const FRAX_HIP: u32 = 72;
    /// FRAX free text.
    pub const FRAX_TEXT: u32 = 73;
    /// FRAX header.
    pub const FRAX_HEADER: u32 = 112;
}

/// One table: type, title, columns (type code, header text), rows (type code, cells).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HTable {
    /// TableType.
    pub table_type: u32,
    /// TableTitle.
    pub title: String,
    /// (column type code, header cell).
    pub columns: Vec<(u32, String)>,
    /// (row type code, cells in column order; "" = blank " ").
    pub rows: Vec<(u32, Vec<String>)>,
}

impl HTable {
    /// A table without rows.
    pub fn new(table_type: u32, title: &str, columns: &[(u32, &str)]) -> Self {
        HTable {
            table_type,
            title: title.to_string(),
            columns: columns.iter().map(|(c, h)| (*c, h.to_string())).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn row(mut self, row_type: u32, cells: &[&str]) -> Self {
        self.rows
            .push((row_type, cells.iter().map(|c| c.to_string()).collect()));
        self
    }
}

/// The scalar assignments and tables of one results document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultsDocument {
    /// PatInfo.js assignments (name, value).
    pub patient: Vec<(String, String)>,
    /// ScanInfo.js assignments.
    pub scan: Vec<(String, String)>,
    /// Results.js tables, numbered from 1.
    pub tables: Vec<HTable>,
}

/// The file sections of a document: (filetype, file name, assignment lines).
pub(crate) type Section = (u32, &'static str, String);

impl ResultsDocument {
    /// The document text, without the comment lines and the Graph.js / Fracture.js sections
    /// of a real export (`ApexDocument` has them).
    pub fn text(&self) -> String {
        render(&self.sections(), false)
    }

    fn sections(&self) -> Vec<Section> {
        let assignments = |lines: &[(String, String)]| {
            lines
                .iter()
                .map(|(k, v)| format!("{k} = \"{v}\";\r\n"))
                .collect::<String>()
        };
        let mut results = String::new();
        for (i, t) in self.tables.iter().enumerate() {
            let n = i + 1;
            results.push_str(&format!(
                "IncludeTable{n} = true;\r\nMAXROWS{n} = {};\r\nMAXCOLS{n} = {};\r\n",
                t.rows.len() + 1,
                t.columns.len()
            ));
            results.push_str(&format!(
                "TableTitle{n} = \"{}\";\r\nTableType{n} = {};\r\n",
                t.title, t.table_type
            ));
            results.push_str(&format!("TableRowTypes{n}[ 0] = 1;\r\n"));
            for (c, (code, header)) in t.columns.iter().enumerate() {
                results.push_str(&format!("TableColumnTypes{n}[ {c}] = {code};\r\n"));
                results.push_str(&format!("ResultsTable{n}[ 0][ {c}] = \"{header}\";\r\n"));
            }
            for (r, (code, cells)) in t.rows.iter().enumerate() {
                let r = r + 1;
                results.push_str(&format!("TableRowTypes{n}[ {r}] = {code};\r\n"));
                for (c, cell) in cells.iter().enumerate() {
                    let cell = if cell.is_empty() { " " } else { cell.as_str() };
                    results.push_str(&format!("ResultsTable{n}[ {r}][ {c}] = \"{cell}\";\r\n"));
                }
            }
        }
        vec![
            (1, "PatInfo.js", assignments(&self.patient)),
            (2, "ScanInfo.js", assignments(&self.scan)),
            (3, "Results.js", results),
            (4, "Image.js", "ImageFile = \"image.bmp\";\r\n".to_string()),
        ]
    }
}

/// A results document as the real exports of one US site are shaped (docs/evidence.md,
/// "Round two"): each JavaScriptFile section opens with two comment lines (`/ Filename =
/// ...` and `// Written By HologicDICOMControl`, no `;`), and Graph.js (`GraphTitle2`, the
/// reference populations) and Fracture.js (`FractureRiskStr`, the scanner's WHO
/// classification) follow the results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApexDocument {
    /// PatInfo.js, ScanInfo.js and the tables.
    pub results: ResultsDocument,
    /// Graph.js assignments (`GraphTitle2`).
    pub graph: Vec<(String, String)>,
    /// Fracture.js assignments (`FractureRiskStr`).
    pub fracture: Vec<(String, String)>,
}

impl ApexDocument {
    /// The document text, with the comment lines.
    pub fn text(&self) -> String {
        let mut sections = self.results.sections();
        let assignments = |lines: &[(String, String)]| {
            lines
                .iter()
                .map(|(k, v)| format!("{k} = \"{v}\";\r\n"))
                .collect::<String>()
        };
        if !self.graph.is_empty() {
            sections.push((5, "Graph.js", assignments(&self.graph)));
        }
        if !self.fracture.is_empty() {
            sections.push((7, "Fracture.js", assignments(&self.fracture)));
        }
        render(&sections, true)
    }
}

/// The empty skeleton that 16 % of the real report images carry instead of a results
/// document (docs/evidence.md, "Round two"): the header with an empty Institution and
/// GeneralData, and no JavaScriptFile section at all.
pub const EMPTY_SKELETON: &str = "<HologicHeader1> <Institution></Institution> <GeneralData></GeneralData> </HologicHeader1>\r\n";

pub(crate) fn render(sections: &[Section], comments: bool) -> String {
    let mut out = String::from(
        "<HologicHeader1> <Institution>Example Bone Clinic</Institution> <GeneralData> \
         <ScanID>A0001</ScanID> <RefCurveID>1</RefCurveID> </GeneralData> </HologicHeader1>\r\n",
    );
    for (filetype, name, body) in sections {
        let path = format!("C:\\QDR\\qdrdicom\\html2\\{name}");
        out.push_str(&format!(
            "<JavaScriptFile, filetype={filetype}, filename=\"{path}\">\r\n"
        ));
        if comments {
            out.push_str(&format!(
                "/ Filename = {path}\r\n// Written By HologicDICOMControl\r\n"
            ));
        }
        out.push_str(body);
        out.push_str("</JavaScriptFile>\r\n");
    }
    out
}

/// A report image: `header` (its SOP class is replaced by Secondary Capture), RGB pixel
/// data of `width` x `height`, and the results document (None: an image without one).
pub fn report_image(
    header: &Header,
    body_part: &str,
    laterality: &str,
    document: Option<&ResultsDocument>,
    size: (u16, u16),
    enc: Encoding,
) -> Vec<u8> {
    let text = document.map(ResultsDocument::text);
    report_image_with_text(header, body_part, laterality, text.as_deref(), size, enc)
}

/// A report image whose private element holds `text` (any document text: an
/// `ApexDocument`, `EMPTY_SKELETON`, a damaged one); None: an image without one.
pub fn report_image_with_text(
    header: &Header,
    body_part: &str,
    laterality: &str,
    document_text: Option<&str>,
    (width, height): (u16, u16),
    enc: Encoding,
) -> Vec<u8> {
    let sop = uids::SECONDARY_CAPTURE_IMAGE_STORAGE;
    let h = header;
    let mut e: Vec<InMemElement> = vec![
        text(
            tags::SPECIFIC_CHARACTER_SET,
            VR::CS,
            &h.specific_character_set,
        ),
        text(tags::IMAGE_TYPE, VR::CS, "DERIVED\\SECONDARY"),
        text(tags::SOP_CLASS_UID, VR::UI, sop),
        text(tags::SOP_INSTANCE_UID, VR::UI, &h.sop_uid),
        text(tags::STUDY_DATE, VR::DA, &h.study_date),
        text(tags::CONTENT_DATE, VR::DA, &h.content_date),
        text(tags::STUDY_TIME, VR::TM, &h.study_time),
        text(tags::CONTENT_TIME, VR::TM, &h.content_time),
        text(tags::ACCESSION_NUMBER, VR::SH, &h.accession),
        text(tags::MODALITY, VR::CS, "OT"),
        text(tags::CONVERSION_TYPE, VR::CS, "WSD"),
        text(tags::MANUFACTURER, VR::LO, &h.manufacturer),
        text(tags::INSTITUTION_NAME, VR::LO, &h.institution),
        text(tags::REFERRING_PHYSICIAN_NAME, VR::PN, ""),
        text(tags::SERIES_DESCRIPTION, VR::LO, "DXA Report"),
        text(tags::MANUFACTURER_MODEL_NAME, VR::LO, &h.model),
        text(tags::PATIENT_NAME, VR::PN, &h.patient_name),
        text(tags::PATIENT_ID, VR::LO, &h.patient_id),
        text(
            tags::PATIENT_BIRTH_DATE,
            VR::DA,
            h.birth_date.as_deref().unwrap_or(""),
        ),
        text(tags::PATIENT_SEX, VR::CS, h.sex.as_deref().unwrap_or("")),
        text(tags::BODY_PART_EXAMINED, VR::CS, body_part),
        text(tags::SOFTWARE_VERSIONS, VR::LO, &h.software_version),
        text(tags::STUDY_INSTANCE_UID, VR::UI, &h.study_uid),
        text(tags::SERIES_INSTANCE_UID, VR::UI, &h.series_uid),
        text(tags::STUDY_ID, VR::SH, &h.study_id),
        text(tags::SERIES_NUMBER, VR::IS, &h.series_number),
        text(tags::INSTANCE_NUMBER, VR::IS, &h.instance_number),
        text(tags::PATIENT_ORIENTATION, VR::CS, ""),
        text(tags::LATERALITY, VR::CS, laterality),
    ];
    if let Some(age) = &h.age {
        e.push(text(tags::PATIENT_AGE, VR::AS, age));
    }
    if !h.device_serial.is_empty() {
        e.push(text(tags::DEVICE_SERIAL_NUMBER, VR::LO, &h.device_serial));
    }
    if let Some(document) = document_text {
        e.push(text(Tag(0x0019, 0x0010), VR::LO, "HOLOGIC, Inc."));
        let mut bytes = document.as_bytes().to_vec();
        if bytes.len() % 2 == 1 {
            bytes.push(0);
        }
        e.push(binary(Tag(0x0019, 0x1000), VR::OB, bytes));
    }
    e.extend([
        us(tags::SAMPLES_PER_PIXEL, 3),
        text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "RGB"),
        us(tags::PLANAR_CONFIGURATION, 0),
        us(tags::ROWS, height),
        us(tags::COLUMNS, width),
        us(tags::BITS_ALLOCATED, 8),
        us(tags::BITS_STORED, 8),
        us(tags::HIGH_BIT, 7),
        us(tags::PIXEL_REPRESENTATION, 0),
    ]);
    let n = usize::from(width) * usize::from(height) * 3;
    let mut pixels: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
    if pixels.len() % 2 == 1 {
        pixels.push(0);
    }
    e.push(binary(tags::PIXEL_DATA, VR::OB, pixels));
    encode_file(InMemDicomObject::from_element_iter(e), sop, &h.sop_uid, enc)
}
