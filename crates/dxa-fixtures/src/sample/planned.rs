//! What the sample plans to write, one file at a time: its path, bytes and manifest entry,
//! made by the kind of file (an SR, a report image, a GE report, an enCORE export, other).

use crate::encoding::{Encoding, Ts};
use crate::evidence;
use crate::ge_report::{GeReport, ge_report_bytes};
use crate::header::Header;
use crate::hologic_report::{ApexDocument, ResultsDocument, report_image, report_image_with_text};
use crate::tree::{SrDoc, sr_bytes};

/// What to write: (relative path, bytes, manifest entry without path).
pub(super) struct Planned {
    pub(super) path: &'static str,
    pub(super) bytes: Vec<u8>,
    pub(super) kind: &'static str,
    pub(super) enc: Option<Encoding>,
    pub(super) notes: &'static str,
}

pub(super) fn sr(
    path: &'static str,
    doc: SrDoc,
    kind: &'static str,
    enc: Encoding,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes: sr_bytes(&doc, enc),
        kind,
        enc: Some(enc),
        notes,
    }
}

pub(super) fn other(
    path: &'static str,
    bytes: Vec<u8>,
    kind: &'static str,
    enc: Option<Encoding>,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes,
        kind,
        enc,
        notes,
    }
}

/// A report image of the sample.
pub(super) fn image(
    path: &'static str,
    header: Header,
    (body_part, laterality): (&str, &str),
    document: Option<&ResultsDocument>,
    enc: Encoding,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes: report_image(&header, body_part, laterality, document, (32, 24), enc),
        kind: "hologic report image",
        enc: Some(enc),
        notes,
    }
}

/// A report image of the sample whose document text is given (an `ApexDocument` shaped like
/// the real exports, or the empty skeleton).
pub(super) fn image_with_text(
    path: &'static str,
    header: Header,
    (body_part, laterality): (&str, &str),
    text: &str,
    notes: &'static str,
) -> Planned {
    let enc = Encoding::new(Ts::ExplicitLe, true);
    Planned {
        path,
        bytes: report_image_with_text(&header, body_part, laterality, Some(text), (32, 24), enc),
        kind: "hologic report image",
        enc: Some(enc),
        notes,
    }
}

/// A seed-visit document as the real exports are shaped: comment lines, the ISCD uniform
/// reference in Graph.js, the scanner's verdict in Fracture.js.
pub(super) fn with_real_shape(results: ResultsDocument, verdict: &str) -> String {
    ApexDocument {
        results,
        graph: evidence::white_female_graph(),
        fracture: evidence::fracture_risk(verdict),
    }
    .text()
}

/// A GE "DXA Report" SR of the sample.
pub(super) fn ge_sr(
    path: &'static str,
    report: &GeReport,
    enc: Encoding,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes: ge_report_bytes(report, enc),
        kind: "ge dxa report",
        enc: Some(enc),
        notes,
    }
}

/// An enCORE export file of the sample.
pub(super) fn encore(path: &'static str, bytes: Vec<u8>, notes: &'static str) -> Planned {
    other(path, bytes, "ge encore export", None, notes)
}
