//! measurements.csv: one row per region measurement of every ingested document, in path
//! order, then region order; rows of documents left out of their visit are kept, with
//! `used_for_diagnosis=false` and why.

use std::borrow::Cow;

use super::{append_plain_word, joined};
use crate::classify::{Note, RowAssessment};
use crate::document::Measurement;
use crate::field_bytes::{plain_field, quoted_as_it_is};
use crate::output::cell::{DateCell, DocText, Plain, Text};
use crate::output::table::{Cell, Column, ColumnType, Row, ToCell, row_struct};
use crate::pseudonym::{Ids, Vocabulary};
use crate::visit::LeftOut;
use crate::visit::{KeyText, VisitRows};

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
    path: KeyText<'a>,
    sop: KeyText<'a>,
    patient: KeyText<'a>,
    date: Option<crate::date::Date>,
    accession: Cow<'a, str>,
    /// The six fields, each followed by its comma.
    line: Vec<u8>,
}

/// The key cells of the visit member at `position`.
pub fn measurement_keys<'a>(view: &VisitRows<'a>, position: usize) -> MeasurementKeys<'a> {
    let member = view.member(position);
    // The first member's path and UID were checked with the visit's keys.
    let (path, sop) = if position == 0 {
        (view.keys.path.borrowed(), view.keys.member_sop.borrowed())
    } else {
        (
            KeyText::new(view.ids.path(&member.path)),
            KeyText::new(view.ids.uid(member.sop_instance_uid())),
        )
    };
    let mut keys = MeasurementKeys {
        visit_id: view.visit_id,
        path,
        sop,
        patient: view.keys.patient.borrowed(),
        date: view.date(view.visit.date),
        accession: view.ids.accession(&member.doc.accession_number),
        line: Vec::with_capacity(192),
    };
    let mut line = std::mem::take(&mut keys.line);
    for cell in [&view.keys.visit_id, &keys.path, &keys.sop, &keys.patient] {
        cell.append_csv(&mut line);
        line.push(b',');
    }
    DateCell(keys.date).append_csv(&mut line);
    line.push(b',');
    Text::from(&*keys.accession).append_csv(&mut line);
    line.push(b',');
    keys.line = line;
    keys
}

/// A row of measurements.csv: what its cells are made of, borrowed (a row is made and
/// written once per region measurement: a struct of its twenty cells, about 500 bytes, made
/// and moved per row cost more than writing most of them: docs/performance.md), and its
/// document's key fields already rendered.
pub struct MeasurementRow<'a> {
    view: &'a VisitRows<'a>,
    keys: &'a MeasurementKeys<'a>,
    m: &'a Measurement,
    assessment: &'a RowAssessment,
    left_out: Option<LeftOut>,
}

impl<'a> MeasurementRow<'a> {
    /// The row's note cell.
    fn note(&self) -> NoteCell<'a> {
        NoteCell {
            own: &self.m.notes,
            assessed: &self.assessment.notes,
            left_out: self.left_out.map(|why| left_out_note(self.view, why)),
            ids: self.view.ids,
        }
    }

    /// The row's cells.
    fn cells(&self) -> MeasurementCells<'a> {
        let (m, assessment, keys) = (self.m, self.assessment, self.keys);
        MeasurementCells {
            visit_id: Text::from(keys.visit_id),
            source_path: Text::from(&*keys.path.text),
            sop_instance_uid: Text::from(&*keys.sop.text),
            patient_id: Text::from(&*keys.patient.text),
            study_date: DateCell(keys.date),
            accession_number: Text::from(&*keys.accession),
            region: m.region.as_str(),
            laterality: m.laterality.as_str(),
            source_label: self.source_label(),
            bmd_g_cm2: Plain(m.bmd, BMD_DECIMALS),
            bmc_g: Plain(m.bmc, 0),
            area_cm2: Plain(m.area, 0),
            t_score: Plain(m.t_score, 0),
            z_score: Plain(m.z_score, 0),
            pct_young_adult: Plain(m.pct_young_adult, 0),
            pct_age_matched: Plain(m.pct_age_matched, 0),
            sbmd_mg_cm2: Plain(assessment.sbmd_mg_cm2, 0),
            t_score_nhanes: Plain(assessment.t_score_nhanes, NHANES_DECIMALS),
            used_for_diagnosis: assessment.used_for_diagnosis,
            note: self.note(),
        }
    }

    /// The row's source label cell.
    fn source_label(&self) -> DocText<'a> {
        DocText::new(self.view.ids, Vocabulary::RegionLabel, &self.m.source_label)
    }
}

/// docs/columns.md: BMD with 3+ decimals as given.
const BMD_DECIMALS: u32 = 3;
/// The NHANES III T-score with two decimals.
const NHANES_DECIMALS: u32 = 2;

impl Row for MeasurementRow<'_> {
    const COLUMNS: &'static [Column] = MeasurementCells::COLUMNS;

    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>)) {
        MeasurementRow::cells(self).cells(cell);
    }

    /// The key fields copied, then the others as `row_struct!` writes them, straight from
    /// the values (the two agree: `output::rows::tests::check`).
    fn append_csv(&self, out: &mut Vec<u8>) {
        let (m, assessment) = (self.m, self.assessment);
        out.extend_from_slice(&self.keys.line);
        // Each cell and its comma in turn, not a loop over an array of them made first (the
        // array's stores and loads were about 75 instructions a row).
        macro_rules! cell {
            ($cell:expr) => {
                $cell.append_csv(out);
                out.push(b',');
            };
        }
        // The region and side are our words, plain fields (`plain_words_are_plain_fields`).
        append_plain_word(out, m.region.as_str());
        out.push(b',');
        append_plain_word(out, m.laterality.as_str());
        out.push(b',');
        cell!(self.source_label());
        cell!(Plain(m.bmd, BMD_DECIMALS));
        cell!(Plain(m.bmc, 0));
        cell!(Plain(m.area, 0));
        cell!(Plain(m.t_score, 0));
        cell!(Plain(m.z_score, 0));
        cell!(Plain(m.pct_young_adult, 0));
        cell!(Plain(m.pct_age_matched, 0));
        cell!(Plain(assessment.sbmd_mg_cm2, 0));
        cell!(Plain(assessment.t_score_nhanes, NHANES_DECIMALS));
        assessment.used_for_diagnosis.append_csv(out);
        out.push(b',');
        self.note().append_csv(out);
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
        .map(move |(m, (assessment, left_out))| MeasurementRow {
            view,
            keys,
            m,
            assessment,
            left_out,
        })
}

/// A measurement row's note: the row's own notes, the classifier's, then why the row is
/// left out, `; `-joined. Written straight from its parts when they need no quoting or
/// escaping and nothing is pseudonymised (most notes), not joined into a `String` per row
/// first (docs/performance.md, "The end of a run").
#[derive(Debug)]
pub struct NoteCell<'a> {
    own: &'a [String],
    assessed: &'a [Note],
    left_out: Option<String>,
    ids: Ids<'a>,
}

impl NoteCell<'_> {
    /// The parts joined by `; `, as `joined` joins them: a separator once something is
    /// written.
    #[inline]
    fn append_joined(&self, out: &mut Vec<u8>) {
        let start = out.len();
        self.each_part(|part| {
            if out.len() > start {
                out.extend_from_slice(b"; ");
            }
            out.extend_from_slice(part.as_bytes());
            true
        });
    }

    /// Calls `f` on each part in order while it answers true; whether all did. The three
    /// sources walked in turn: `parts`' chained iterator, walked three times a note, was
    /// about a fifth of a whole-body row's note (docs/performance.md, "The end of a run").
    #[inline]
    fn each_part(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        for part in self.own {
            if !f(part) {
                return false;
            }
        }
        for part in self.assessed {
            if !f(part.as_ref()) {
                return false;
            }
        }
        self.left_out.as_deref().is_none_or(f)
    }

    fn parts(&self) -> impl Iterator<Item = &str> {
        self.own
            .iter()
            .map(String::as_str)
            .chain(self.assessed.iter().map(|n| n.as_ref()))
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
        // No part (a row the visit used, without a note): an empty cell.
        if self.own.is_empty() && self.assessed.is_empty() && self.left_out.is_none() {
            return;
        }
        // Each part plain (`plain_field`: printable ASCII, no comma or quote, not starting
        // as a formula), so their join with `; ` is: the same bytes `Text` writes.
        if self.ids.pseudonymizer.is_none() {
            if self.each_part(|p| plain_field(p.as_bytes())) {
                self.append_joined(out);
                return;
            }
            // Or only a comma keeping a part from being so (`quoted_as_it_is`: a whole-body
            // part's note): the join is written in quotes as `Text` writes it, without the
            // joined `String` made and read again (about 850 instructions a row of a
            // whole-body part: docs/performance.md, "The end of a run").
            if self.each_part(|p| quoted_as_it_is(p.as_bytes())) {
                out.push(b'"');
                self.append_joined(out);
                out.push(b'"');
                return;
            }
        }
        Text::from(self.text()).append_csv(out);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A note's cell is the bytes `Text` writes for the joined note: parts plain, with
    /// commas, quotes, formula characters, control and non-ASCII characters, empty, short
    /// and long, one to four of them.
    #[test]
    fn a_note_is_written_as_its_joined_text() {
        let pieces = [
            "",
            "a",
            "not used",
            ",",
            "a, b",
            "\"",
            "=1",
            "-2",
            "@x",
            "'q",
            "\t",
            "é",
            "whole-body part: no canonical region, not a diagnostic site",
            "superseded_by=1.2.3",
            "eight by",
            "x,",
            ";",
            " ",
        ];
        let mut next = crate::test_rng::splitmix(0x000A_07E5);
        let mut quoted = 0;
        for case in 0..20_000 {
            let mut parts: Vec<Vec<String>> = vec![Vec::new(), Vec::new()];
            for _ in 0..1 + next() % 4 {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                let piece = if next() % 3 == 0 {
                    format!("{piece}{}", pieces[(next() % pieces.len() as u64) as usize])
                } else {
                    piece.to_string()
                };
                parts[(next() % 2) as usize].push(piece);
            }
            let left_out = (next() % 4 == 0).then(|| "same_values_as=1.2, 3".to_string());
            let assessed: Vec<Note> = parts[1].iter().cloned().map(Note::from).collect();
            let note = NoteCell {
                own: &parts[0],
                assessed: &assessed,
                left_out,
                ids: Ids::default(),
            };
            let mut written = b"x,".to_vec();
            note.append_csv(&mut written);
            let mut expected = b"x,".to_vec();
            if !(note.own.is_empty() && note.assessed.is_empty() && note.left_out.is_none()) {
                Text::from(note.text()).append_csv(&mut expected);
            }
            quoted += usize::from(written.get(2) == Some(&b'"'));
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&expected),
                "case {case}: {parts:?}"
            );
        }
        assert!(quoted > 2_000, "{quoted}");
    }
}
