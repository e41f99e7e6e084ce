//! body_composition.csv: one row per visit and region of a whole-body exam's composition,
//! in the order of studies.csv (each visit's first document in path order), then region
//! order (docs/columns.md, "body_composition.csv"). The visit's composition, indices,
//! cut-offs and checks are `body_visit`'s.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use super::{append_plain_word, joined};
use crate::bodycomp::{Field, Reading, RegionComposition};
use crate::date::Date;
use crate::decimal::{Decimal, PLAIN_MAX};
use crate::output::cell::{DateCell, DocText, Plain, Text};
use crate::output::table::{Cell, Column, Row, ToCell, row_struct};
use crate::pseudonym::{Ids, Vocabulary};
use crate::short_bytes::same_bytes;
pub use crate::visit::VisitBody;
use crate::visit::VisitRows;

row_struct! {
    /// body_composition.csv's cells: its columns, and the cells a Parquet copy is made of.
    #[derive(Debug)]
    pub struct BodyCompositionCells<'a> {
        visit_id: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        region: &'static str,
        region_label: DocText<'a>,
        fat_g: Plain,
        lean_g: Plain,
        bmc_g: Plain,
        lean_bmc_g: Plain,
        total_mass_g: Plain,
        fat_pct: Plain,
        computed: &'static str,
        source: &'static str,
        unit: Text<'a>,
    }
}

/// A row's units joined by `;`: the one unit as it is, and the combinations most rows
/// write (a carrier's mass unit and `%`) borrowed rather than joined into a new `String`,
/// matched as constants (a search of a table of them through `memcmp` calls cost about a
/// hundred instructions a row: docs/performance.md, "The end of a run").
fn units_text<'a>(units: &[&'a str]) -> Text<'a> {
    match units {
        [] => Text::from(""),
        [unit] => Text::from(*unit),
        ["g", "%"] => Text::from("g;%"),
        ["lbs", "%"] => Text::from("lbs;%"),
        _ => Text::from(joined(units.iter().copied(), ";")),
    }
}

/// The key cells a visit's composition rows share (visit, patient, date), as written, and
/// their CSV fields rendered once: a visit has about thirteen region rows, and each wrote
/// these cells again (docs/performance.md, "The end of a run").
pub struct BodyKeys<'a> {
    visit_id: &'a str,
    patient: Cow<'a, str>,
    date: Option<Date>,
    /// The three fields, each followed by its comma.
    line: Vec<u8>,
    /// The end of the visit's last row written (`RowTail`).
    tail: RefCell<RowTail>,
}

/// The end of a row after its numbers as last written: the computed, source and unit
/// fields and the line's end, with what they were made of. A visit's rows nearly all end
/// alike (`,,encore_export,lbs;%`), and each row gathered its units' texts, joined them and
/// checked the cell (docs/performance.md, "The end of a run"); now a row whose readings'
/// units and computed cells are the last row's copies its end.
struct RowTail {
    /// The composition's units and source the end was written from (their addresses):
    /// a tail is only reused for the composition it was made of.
    units: usize,
    source: usize,
    /// The row's units (`UnitRun`) and computed cells (`Computed`) as a key; 0 when none is
    /// held.
    key: u128,
    /// The fields, each after its comma, and the line's end.
    bytes: Vec<u8>,
    /// Where a row's numbers are written: made once a visit, where each row zeroed a
    /// buffer of its own on the stack (docs/performance.md, "The end of a run").
    scratch: [u8; NUMBERS_MAX],
}

/// The key cells of a visit's composition rows.
pub fn body_keys<'a>(view: &VisitRows<'a>) -> BodyKeys<'a> {
    let keys: &'a crate::visit::VisitKeys<'a> = view.keys;
    let patient = Cow::Borrowed(&*keys.patient.text);
    let date = view.date(view.visit.date);
    let mut line = Vec::with_capacity(96);
    view.keys.visit_id.append_csv(&mut line);
    line.push(b',');
    view.keys.patient.append_csv(&mut line);
    line.push(b',');
    DateCell(date).append_csv(&mut line);
    line.push(b',');
    BodyKeys {
        visit_id: view.visit_id,
        patient,
        date,
        line,
        // Room for a row's end (`,,encore_export,lbs;%` and longer), made once.
        tail: RefCell::new(RowTail {
            units: 0,
            source: 0,
            key: 0,
            bytes: Vec::with_capacity(64),
            scratch: [0; NUMBERS_MAX],
        }),
    }
}

/// A row of body_composition.csv: its region borrowed, its visit's key fields already
/// rendered.
pub struct BodyCompositionRow<'a> {
    keys: &'a BodyKeys<'a>,
    region: &'a RegionComposition,
    /// The units of the region's composition, which its readings' units index.
    units: &'a [Arc<str>],
    source: &'static str,
    ids: Ids<'a>,
}

/// A row's lean without BMC and %fat, and which of them it computed.
struct LeanAndPct {
    lean: Option<Decimal>,
    pct: Option<Decimal>,
    computed: Computed,
}

/// Which of lean and %fat a row computed (the `computed` cell).
#[derive(Clone, Copy)]
struct Computed {
    lean: bool,
    pct: bool,
}

impl Computed {
    /// The `computed` cell.
    fn as_str(self) -> &'static str {
        match (self.lean, self.pct) {
            (true, true) => "lean_g;fat_pct",
            (true, false) => "lean_g",
            (false, true) => "fat_pct",
            (false, false) => "",
        }
    }

    /// The two as the low bits of a tail's key.
    fn bits(self) -> u128 {
        u128::from(self.lean) | u128::from(self.pct) << 1
    }
}

/// Lean without BMC (as reported, else lean with BMC less BMC) and %fat (as reported, else
/// fat / total mass), the region's fields read once (`RegionComposition::lean_without_bmc`
/// and `fat_pct_of_masses` give the computed ones).
#[inline]
fn lean_and_pct(region: &RegionComposition) -> LeanAndPct {
    let (lean, lean_computed) = match region.lean {
        Some(reported) => (Some(reported.value), false),
        None => {
            let lean = region.lean_without_bmc();
            (lean, lean.is_some())
        }
    };
    let (pct, pct_computed) = match region.fat_pct {
        Some(reported) => (Some(reported.value), false),
        None => {
            let pct = region.fat_pct_of_masses();
            (pct, pct.is_some())
        }
    };
    LeanAndPct {
        lean,
        pct,
        computed: Computed {
            lean: lean_computed,
            pct: pct_computed,
        },
    }
}

/// The units of a region's readings as a key: the index plus one of each reading's unit
/// in field order, a reading in the previous one's unit left out, a byte each (at most
/// eight readings, so the key's low 64 bits); None for a unit past the 255th. The units
/// cell is a function of it (`Derived::unit` gathers the same units in the same order).
/// The eight fields are read in turn, not through `readings()`' array of options and a
/// flattening iterator (some 80 instructions a row: docs/performance.md, "The end of a
/// run").
#[inline]
fn unit_run(region: &RegionComposition) -> Option<u64> {
    let mut key = 0u64;
    // Ids are an index plus one: 0 is no unit yet.
    let mut previous = 0;
    let mut fits = true;
    let mut add = |slot: &Option<Reading>| {
        if let Some(reading) = slot {
            let id = reading.unit.index() + 1;
            if id != previous {
                previous = id;
                fits &= id <= usize::from(u8::MAX);
                key = key << 8 | id as u64;
            }
        }
    };
    // `Field::ALL`'s order, as `RegionComposition::readings` gives them.
    add(&region.fat);
    add(&region.lean);
    add(&region.bmc);
    add(&region.lean_bmc);
    add(&region.tissue);
    add(&region.total_mass);
    add(&region.fat_pct);
    add(&region.tissue_fat_pct);
    fits.then_some(key)
}

/// What a region's row computes: lean without BMC, %fat, which of the two it computed,
/// and the units of its readings joined.
struct Derived<'a> {
    lean: Option<Decimal>,
    pct: Option<Decimal>,
    computed: &'static str,
    unit: Text<'a>,
}

impl<'a> BodyCompositionRow<'a> {
    fn derived(&self) -> Derived<'a> {
        // As the fields' own functions give them: the cells' way, which `append_csv`'s
        // (`lean_and_pct`) is held to (`output::rows::tests`).
        let region = self.region;
        let lean_reported = region.value(Field::Lean);
        let lean = region.lean_without_bmc();
        let pct_reported = region.value(Field::FatPct);
        let pct = pct_reported.or_else(|| region.fat_pct_of_masses());
        let computed = Computed {
            lean: lean.is_some() && lean_reported.is_none(),
            pct: pct.is_some() && pct_reported.is_none(),
        }
        .as_str();
        // The distinct units, at most one per field. A region's readings nearly all share
        // one unit: a reading whose unit is the previous reading's (the same id) was already
        // counted or left out, and is passed without its text compared (docs/performance.md,
        // "The end of a run").
        let mut units = [""; Field::ALL.len()];
        let mut count = 0;
        let mut previous = None;
        for reading in region.readings().into_iter().flatten() {
            if previous == Some(reading.unit) {
                continue;
            }
            previous = Some(reading.unit);
            let unit: &'a str = &self.units[reading.unit.index()];
            if !unit.is_empty()
                && !units[..count]
                    .iter()
                    .any(|u| same_bytes(u.as_bytes(), unit.as_bytes()))
            {
                units[count] = unit;
                count += 1;
            }
        }
        Derived {
            lean,
            pct,
            computed,
            unit: units_text(&units[..count]),
        }
    }

    fn region_label(&self) -> DocText<'a> {
        DocText::new(self.ids, Vocabulary::RegionLabel, &self.region.label)
    }

    /// The row's cells.
    fn cells(&self) -> BodyCompositionCells<'a> {
        let (region, keys) = (self.region, self.keys);
        let derived = self.derived();
        BodyCompositionCells {
            visit_id: Text::from(keys.visit_id),
            patient_id: Text::from(&*keys.patient),
            study_date: DateCell(keys.date),
            region: region.region.as_str(),
            region_label: self.region_label(),
            fat_g: Plain(region.value(Field::Fat), 0),
            lean_g: Plain(derived.lean, 0),
            bmc_g: Plain(region.value(Field::Bmc), 0),
            lean_bmc_g: Plain(region.value(Field::LeanBmc), 0),
            total_mass_g: Plain(region.value(Field::TotalMass), 0),
            fat_pct: Plain(derived.pct, 0),
            computed: derived.computed,
            source: self.source,
            unit: derived.unit,
        }
    }
}

/// Room for a row's six numbers, each after its comma: `Decimal::put_plain` asks for
/// `PLAIN_MAX` bytes where it starts.
const NUMBERS_MAX: usize = 6 * (PLAIN_MAX + 1);

impl Row for BodyCompositionRow<'_> {
    const COLUMNS: &'static [Column] = BodyCompositionCells::COLUMNS;

    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>)) {
        BodyCompositionRow::cells(self).cells(cell);
    }

    /// The key fields copied, then the others as `row_struct!` writes them, straight from
    /// the values (the two agree: `output::rows::tests::check`); the row's end copied when
    /// it is the visit's last row's (`RowTail`).
    fn append_csv(&self, out: &mut Vec<u8>) {
        let region = self.region;
        let LeanAndPct {
            lean,
            pct,
            computed,
        } = lean_and_pct(region);
        out.extend_from_slice(&self.keys.line);
        append_plain_word(out, region.region.as_str());
        out.push(b',');
        match region.label.plain() {
            // A kept label is a plain field, written as `DocText` writes it when nothing is
            // pseudonymised (`output::rows::tests`): its text not checked again per row.
            Some(text) if self.ids.pseudonymizer.is_none() => {
                out.extend_from_slice(text.as_bytes());
            }
            _ => self.region_label().append_csv(out),
        }
        // The six numbers written into one buffer, each straight to its place, and
        // appended at once (as `Plain(value, 0)` writes each: `Decimal::put_plain`).
        // The values in an array read by index, which ones are present in a mask: one call
        // of `put_plain`, which the build inlines (written once per number it was a call
        // each; an array of the six `Option<Decimal>`s was moved through an iterator).
        const NONE: Decimal = Decimal::lit("0");
        let mut present = 0u8;
        let mut value_of = |at: u8, value: Option<Decimal>| {
            present |= u8::from(value.is_some()) << at;
            value.unwrap_or(NONE)
        };
        let values = [
            value_of(0, region.fat.as_ref().map(|r| r.value)),
            value_of(1, lean),
            value_of(2, region.bmc.as_ref().map(|r| r.value)),
            value_of(3, region.lean_bmc.as_ref().map(|r| r.value)),
            value_of(4, region.total_mass.as_ref().map(|r| r.value)),
            value_of(5, pct),
        ];
        let mut tail = self.keys.tail.borrow_mut();
        let tail = &mut *tail;
        let numbers = &mut tail.scratch;
        let mut at = 0;
        for (which, value) in values.iter().enumerate() {
            numbers[at] = b',';
            at += 1;
            if present >> which & 1 != 0 {
                at = value.put_plain(numbers, at);
            }
        }
        let Some(units) = unit_run(region) else {
            out.extend_from_slice(&numbers[..at]);
            self.append_tail(computed, out);
            return;
        };
        // The unit bytes in the high half, the computed bits and a mark in the low: never 0.
        let key = u128::from(units) << 64 | computed.bits() << 1 | 1;
        let (units, source) = (self.units.as_ptr() as usize, self.source.as_ptr() as usize);
        if tail.key != key || tail.units != units || tail.source != source {
            tail.bytes.clear();
            self.append_tail(computed, &mut tail.bytes);
            tail.key = key;
            (tail.units, tail.source) = (units, source);
        }
        out.extend_from_slice(&tail.scratch[..at]);
        out.extend_from_slice(&tail.bytes);
    }
}

impl BodyCompositionRow<'_> {
    /// The fields after the numbers (computed, source, unit), each after its comma, and
    /// the line's end.
    fn append_tail(&self, computed: Computed, out: &mut Vec<u8>) {
        out.push(b',');
        append_plain_word(out, computed.as_str());
        out.push(b',');
        append_plain_word(out, self.source);
        out.push(b',');
        self.derived().unit.append_csv(out);
        out.push(b'\n');
    }
}

/// The rows of a visit's composition, whose key cells are `keys` (`body_keys` of the same
/// visit).
pub fn body_composition_rows<'a>(
    view: &'a VisitRows<'a>,
    body: &'a VisitBody<'a>,
    keys: &'a BodyKeys<'a>,
) -> impl Iterator<Item = BodyCompositionRow<'a>> + 'a {
    let source = body.composition.source.as_str();
    body.composition
        .regions
        .iter()
        .map(move |region| BodyCompositionRow {
            keys,
            region,
            units: &body.composition.units,
            source,
            ids: view.ids,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `append_plain_word` writes as they are: every region's, source's and
    /// computed columns' name, and measurements.csv's regions and sides, is a plain field
    /// (or empty), as `append_field` would write it.
    #[test]
    fn plain_words_are_plain_fields() {
        use crate::bodycomp::{BodyRegion, BodySource};
        let sources = [BodySource::HologicResultsDocument, BodySource::EncoreExport];
        let words = BodyRegion::ALL
            .iter()
            .map(|r| r.as_str())
            .chain(sources.map(BodySource::as_str))
            .chain(["lean_g;fat_pct", "lean_g", "fat_pct"])
            .chain(crate::vocabulary::Region::ALL.iter().map(|r| r.as_str()))
            .chain(
                crate::vocabulary::Laterality::ALL
                    .iter()
                    .map(|l| l.as_str()),
            );
        for word in words {
            assert!(
                word.is_empty() || crate::field_bytes::plain_field(word.as_bytes()),
                "{word:?}"
            );
            let mut written = Vec::new();
            crate::output::table::ToCell::append_csv(&word, &mut written);
            assert_eq!(written, word.as_bytes());
        }
    }

    #[test]
    fn units_joined_as_written_common_ones_borrowed() {
        fn text<'a>(units: &[&'a str]) -> std::borrow::Cow<'a, str> {
            units_text(units).0
        }
        assert_eq!(text(&[]), "");
        assert_eq!(text(&["kg"]), "kg");
        assert!(matches!(
            text(&["lbs", "%"]),
            std::borrow::Cow::Borrowed("lbs;%")
        ));
        assert!(matches!(
            text(&["g", "%"]),
            std::borrow::Cow::Borrowed("g;%")
        ));
        // Not a common combination (or not in its order): joined.
        assert!(matches!(text(&["%", "g"]), std::borrow::Cow::Owned(ref t) if t == "%;g"));
        assert_eq!(text(&["kg", "%", "cm\u{b3}"]), "kg;%;cm\u{b3}");
        assert_eq!(text(&["g", "%", "lbs"]), "g;%;lbs");
        assert_eq!(text(&["g"]), "g");
    }

    /// `units_text` is the units joined by `;`, for one to three units among the written
    /// ones, the empty one, and ones holding a `;` (`same_bytes`, which finds a unit already listed, is held to `==` in `short_bytes`).
    #[test]
    fn units_text_is_the_units_joined() {
        let pieces = [
            "g", "%", "lbs", "", ";", "g;", ";%", "lbs;%", "l", "bs", "kg",
        ];
        let mut next = crate::test_rng::splitmix(0x0B0D_7E57);
        let mut borrowed = 0;
        for _ in 0..20_000 {
            let units: Vec<&str> = (0..1 + next() % 3)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let text = units_text(&units).0;
            borrowed += usize::from(units.len() == 2 && matches!(text, Cow::Borrowed(_)));
            assert_eq!(text, joined(units.iter().copied(), ";"), "{units:?}");
        }
        assert!(borrowed > 100, "{borrowed}");
    }
}
