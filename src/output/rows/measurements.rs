//! measurements.csv: one row per region measurement of every ingested document, in path
//! order, then region order; rows of documents left out of their visit are kept, with
//! `used_for_diagnosis=false` and why.

use std::borrow::Cow;

use super::joined;
use crate::output::cell::{DateCell, DocText, Plain, Text, plain_field};
use crate::output::table::{Cell, Column, ColumnType, Row, ToCell, row_struct};
use crate::pseudonym::{Ids, Vocabulary};
use crate::visit::LeftOut;
use crate::visit::VisitRows;

row_struct! {
    /// measurements.csv's cells: its columns, and the cells a Parquet copy is made of.
    #[derive(Debug)]
    pub struct MeasurementCells<'a> {
        visit_id: Text<'a>,
        source_path: Text<'a>,
        sop_instance_uid: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        accession_number: Text<'a>,
        region: &'static str,
        laterality: &'static str,
        source_label: DocText<'a>,
        bmd_g_cm2: Plain,
        bmc_g: Plain,
        area_cm2: Plain,
        t_score: Plain,
        z_score: Plain,
        pct_young_adult: Plain,
        pct_age_matched: Plain,
        sbmd_mg_cm2: Plain,
        t_score_nhanes: Plain,
        used_for_diagnosis: bool,
        note: NoteCell<'a>,
    }
}

/// The key cells a document's measurement rows share (visit, path, SOP Instance UID,
/// patient, date, accession number), as written, and their CSV fields rendered once: a
/// document has about six rows, and each wrote these six text cells again (a third of a
/// row's cost: docs/performance.md, "The end of a run").
pub struct MeasurementKeys<'a> {
    visit_id: &'a str,
    path: Cow<'a, str>,
    sop: Cow<'a, str>,
    patient: Cow<'a, str>,
    date: Option<crate::date::Date>,
    accession: Cow<'a, str>,
    /// The six fields, each followed by its comma.
    line: Vec<u8>,
}

/// The key cells of the visit member at `position`.
pub fn measurement_keys<'a>(view: &VisitRows<'a>, position: usize) -> MeasurementKeys<'a> {
    let member = view.member(position);
    let mut keys = MeasurementKeys {
        visit_id: view.visit_id,
        path: view.ids.path(&member.path),
        sop: view.ids.uid(member.sop_instance_uid()),
        patient: view.patient(),
        date: view.date(view.visit.date),
        accession: view.ids.accession(&member.doc.accession_number),
        line: Vec::with_capacity(192),
    };
    let mut line = std::mem::take(&mut keys.line);
    for cell in [keys.visit_id, &keys.path, &keys.sop, &keys.patient] {
        Text::from(cell).append_csv(&mut line);
        line.push(b',');
    }
    DateCell(keys.date).append_csv(&mut line);
    line.push(b',');
    Text::from(&*keys.accession).append_csv(&mut line);
    line.push(b',');
    keys.line = line;
    keys
}

/// A row of measurements.csv: its cells, and its document's key fields already rendered.
#[derive(Debug)]
pub struct MeasurementRow<'a> {
    cells: MeasurementCells<'a>,
    keys_line: &'a [u8],
}

impl Row for MeasurementRow<'_> {
    const COLUMNS: &'static [Column] = MeasurementCells::COLUMNS;

    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>)) {
        self.cells.cells(cell);
    }

    /// The key fields copied, then the others as `row_struct!` writes them (the two
    /// agree: `output::rows::tests::check`).
    fn append_csv(&self, out: &mut Vec<u8>) {
        let c = &self.cells;
        out.extend_from_slice(self.keys_line);
        macro_rules! fields {
            ($($field:ident),+) => {
                $(
                    ToCell::append_csv(&c.$field, out);
                    out.push(b',');
                )+
            };
        }
        fields!(
            region,
            laterality,
            source_label,
            bmd_g_cm2,
            bmc_g,
            area_cm2,
            t_score,
            z_score,
            pct_young_adult,
            pct_age_matched,
            sbmd_mg_cm2,
            t_score_nhanes,
            used_for_diagnosis
        );
        c.note.append_csv(out);
        out.push(b'\n');
    }
}

/// The rows of the visit member at `position`, whose key cells are `keys`
/// (`measurement_keys` of the same member).
pub fn measurement_rows<'a>(
    view: &'a VisitRows<'a>,
    position: usize,
    keys: &'a MeasurementKeys<'a>,
) -> impl Iterator<Item = MeasurementRow<'a>> + 'a {
    let member = view.member(position);
    let doc = &member.doc;
    doc.measurements
        .iter()
        .zip(view.assessed.member_rows(position))
        .map(move |(m, (assessment, left_out))| {
            let note = NoteCell {
                own: &m.notes,
                assessed: &assessment.notes,
                left_out: left_out.map(|why| left_out_note(view, why)),
                ids: view.ids,
            };
            MeasurementRow {
                cells: MeasurementCells {
                    visit_id: Text::from(keys.visit_id),
                    source_path: Text::from(&*keys.path),
                    sop_instance_uid: Text::from(&*keys.sop),
                    patient_id: Text::from(&*keys.patient),
                    study_date: DateCell(keys.date),
                    accession_number: Text::from(&*keys.accession),
                    region: m.region.as_str(),
                    laterality: m.laterality.as_str(),
                    source_label: DocText::new(view.ids, Vocabulary::RegionLabel, &m.source_label),
                    // docs/columns.md: BMD with 3+ decimals as given.
                    bmd_g_cm2: Plain(m.bmd, 3),
                    bmc_g: Plain(m.bmc, 0),
                    area_cm2: Plain(m.area, 0),
                    t_score: Plain(m.t_score, 0),
                    z_score: Plain(m.z_score, 0),
                    pct_young_adult: Plain(m.pct_young_adult, 0),
                    pct_age_matched: Plain(m.pct_age_matched, 0),
                    sbmd_mg_cm2: Plain(assessment.sbmd_mg_cm2, 0),
                    t_score_nhanes: Plain(assessment.t_score_nhanes, 2),
                    used_for_diagnosis: assessment.used_for_diagnosis,
                    note,
                },
                keys_line: &keys.line,
            }
        })
}

/// A measurement row's note: the row's own notes, the classifier's, then why the row is
/// left out, `; `-joined. Written straight from its parts when they need no quoting or
/// escaping and nothing is pseudonymised (most notes), not joined into a `String` per row
/// first (docs/performance.md, "The end of a run").
#[derive(Debug)]
pub struct NoteCell<'a> {
    own: &'a [String],
    assessed: &'a [String],
    left_out: Option<String>,
    ids: Ids<'a>,
}

impl NoteCell<'_> {
    fn parts(&self) -> impl Iterator<Item = &str> {
        self.own
            .iter()
            .chain(self.assessed)
            .map(String::as_str)
            .chain(self.left_out.as_deref())
    }

    /// The note as written: joined, and under --pseudonymize with the quoted spans the
    /// vocabulary does not know hidden.
    fn text(&self) -> String {
        let note = joined(self.parts(), "; ");
        match self.ids.message(&note) {
            Cow::Borrowed(_) => note,
            Cow::Owned(written) => written,
        }
    }
}

impl ToCell for NoteCell<'_> {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Text::from(self.text()).cell().into_owned()
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        // Each part plain (`plain_field`: printable ASCII, no comma or quote, not starting
        // as a formula), so their join with `; ` is: the same bytes `Text` writes.
        if self.ids.pseudonymizer.is_none() && self.parts().all(|p| plain_field(p.as_bytes())) {
            // As `joined` joins: a separator once something is written.
            let start = out.len();
            for part in self.parts() {
                if out.len() > start {
                    out.extend_from_slice(b"; ");
                }
                out.extend_from_slice(part.as_bytes());
            }
        } else {
            Text::from(self.text()).append_csv(out);
        }
    }
}

/// Why a row is left out, as its note.
fn left_out_note(view: &VisitRows<'_>, why: LeftOut) -> String {
    match why {
        LeftOut::SupersededBy(doc) => format!("superseded_by={}", view.sop(doc)),
        LeftOut::DuplicateOf(doc) => format!("duplicate_of={}", view.sop(doc)),
        LeftOut::OrderUnknown => {
            "re-analysed in an order that cannot be told: not used".to_string()
        }
        LeftOut::SameAs(doc) => format!("same_values_as={}", view.sop(doc)),
        LeftOut::FraxOfOtherHip(doc) => format!("frax_of_other_hip_used={}", view.sop(doc)),
        LeftOut::FraxHipUndecided => {
            "the hips' FRAX differ and neither femoral neck is lower: not used".to_string()
        }
    }
}
