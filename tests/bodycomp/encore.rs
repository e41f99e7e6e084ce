//! GE enCORE export sets: the three files read by their content, every unit
//! converted, one record per line, names never kept; a set in pounds and one in grams give
//! the same grams; Diff is Right - Left; bad bytes are a flag or a reason, never a panic.

use dxa_fixtures::encore::{ExportSet, Units, export_set, utf16le};
use dxa_ingest::bodycomp::check::Check;
use dxa_ingest::bodycomp::index::{Basis, BodyFlag, Cohort, Patient, assess};
use dxa_ingest::bodycomp::{BodyComposition, BodyRegion, Field, IndexKind, check};
use dxa_ingest::carrier::encore::{self, EncoreFlag, Export, ExportKind};

use crate::carriers::mapper;

fn read(bytes: &[u8]) -> Export {
    encore::read(bytes, &mapper()).expect("an enCORE export is read")
}

fn comp(export: &Export, record: usize) -> &BodyComposition {
    export.records[record]
        .body_composition
        .as_ref()
        .expect("a body composition")
}

fn grams(comp: &BodyComposition, region: BodyRegion, field: Field) -> String {
    comp.value(region, field)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The file with one cell replaced: `column` by its header, on data line `row` (from 1).
fn with_cell(bytes: &[u8], column: &str, row: usize, value: &str) -> Vec<u8> {
    let text = dxa_fixtures::encore::utf16le_text(bytes);
    let mut lines: Vec<Vec<String>> = text
        .split("\r\n")
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    let at = lines[0].iter().position(|h| h == column).expect("column");
    lines[row][at] = value.to_string();
    let joined: Vec<String> = lines.iter().map(|l| l.join("\t")).collect();
    utf16le(&joined.join("\r\n"))
}

#[test]
fn total_body_comp_in_pounds() {
    let set = export_set(Units::Pounds);
    let export = read(&set.comp);
    assert_eq!(export.kind, ExportKind::Composition);
    assert!(export.flags.is_empty(), "{:?}", export.flags);
    assert_eq!(export.records.len(), 3);
    let doe = &export.records[0];
    assert_eq!(doe.patient_id, "ENC000101");
    assert_eq!(doe.line, 2);
    assert_eq!(
        doe.measure_date.map(|d| d.to_string()).as_deref(),
        Some("2024-06-14")
    );
    assert!(doe.flags.is_empty(), "{:?}", doe.flags);
    let c = comp(&export, 0);
    assert_eq!(c.source.as_str(), "encore_export");
    // Arm Right fat 2.8 lb = 1270.06 g; Arms 5.5 lb = 2494.76 g.
    assert_eq!(grams(c, BodyRegion::ArmRight, Field::Fat), "1270");
    assert_eq!(grams(c, BodyRegion::Arms, Field::Fat), "2495");
    // Fat-Free Mass is lean with bone mineral; Region %Fat is fat / total mass.
    assert_eq!(grams(c, BodyRegion::ArmRight, Field::LeanBmc), "2540");
    assert_eq!(grams(c, BodyRegion::ArmRight, Field::FatPct), "33.3");
    assert_eq!(grams(c, BodyRegion::Android, Field::TissueFatPct), "41.7");
    let reading = c
        .region(BodyRegion::ArmRight)
        .unwrap()
        .fat
        .as_ref()
        .unwrap();
    assert_eq!(
        (c.unit(reading), reading.written.to_string()),
        ("lbs", "2.8".to_string())
    );
    assert_eq!(
        c.region(BodyRegion::Tblh),
        None,
        "an adult's TBLH cells are empty"
    );
    let regions: Vec<&str> = c.regions.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(
        regions,
        [
            "arm_left",
            "arm_right",
            "arms",
            "leg_left",
            "leg_right",
            "legs",
            "trunk",
            "trunk_left",
            "trunk_right",
            "android",
            "gynoid",
            "total",
            "total_left",
            "total_right"
        ]
    );
    // The child: TBLH filled; the date's day and month are both 12 or less, and the
    // file's other dates prove month first.
    let roe = &export.records[1];
    assert_eq!(
        roe.measure_date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-05")
    );
    assert_eq!(roe.flags, [EncoreFlag::MeasureDateOrderInferred]);
    // 40.1 lb of lean: arms, legs and trunk.
    assert_eq!(
        grams(comp(&export, 1), BodyRegion::Tblh, Field::Lean),
        "18189"
    );
    // The numbers agree with themselves (sides, masses, %fat within their rounding).
    for record in 0..3 {
        assert_eq!(
            check::inconsistencies(comp(&export, record)),
            Vec::<Check>::new()
        );
    }
}

#[test]
fn names_are_never_kept() {
    let set = export_set(Units::Pounds);
    for bytes in [&set.comp, &set.bmd, &set.core_scan] {
        let export = read(bytes);
        let seen = format!("{export:?}");
        for name in ["DOE", "ANNE", "ROE", "\"TIM", "POE", "\"MAX"] {
            assert!(!seen.contains(name), "{name} in {seen:.300}");
        }
        assert!(seen.contains("ENC000101"), "the patient ID is kept");
    }
}

#[test]
fn pounds_and_grams_give_the_same_grams() {
    let (pounds, metric) = (export_set(Units::Pounds), export_set(Units::Grams));
    let pairs = [
        (&pounds.comp, &metric.comp),
        (&pounds.core_scan, &metric.core_scan),
    ];
    for (a, b) in pairs {
        let (a, b) = (read(a), read(b));
        assert_eq!(a.records.len(), b.records.len());
        for (x, y) in a.records.iter().zip(&b.records) {
            let (x, y) = (
                x.body_composition.as_ref().unwrap(),
                y.body_composition.as_ref().unwrap(),
            );
            assert_eq!(x.regions.len(), y.regions.len());
            for (rx, ry) in x.regions.iter().zip(&y.regions) {
                for field in Field::ALL {
                    assert_eq!(rx.value(*field), ry.value(*field), "{} {field}", rx.region);
                }
            }
            for kind in IndexKind::ALL {
                let value = |c: &BodyComposition| c.index(*kind).map(|r| r.value);
                assert_eq!(value(x), value(y), "{kind}");
            }
        }
    }
    let metric = read(&metric.comp);
    let comp = metric.records[0].body_composition.as_ref().unwrap();
    let fat = comp
        .region(BodyRegion::Total)
        .unwrap()
        .fat
        .as_ref()
        .unwrap();
    assert_eq!(comp.unit(fat), "g", "the unit as written");
    assert!(metric.records.iter().all(|r| {
        r.flags
            .iter()
            .all(|f| *f == EncoreFlag::MeasureDateOrderInferred)
    }));
}

#[test]
fn diff_is_right_minus_left() {
    let set = export_set(Units::Pounds);
    // Arm Right 2.8 - Arm Left 2.7 lb: 0.1 as written; -0.1 (Left - Right) disagrees.
    let text = dxa_fixtures::encore::utf16le_text(&set.comp);
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .split('\t')
            .any(|c| c == "0.1 lbs")
    );
    let swapped = with_cell(&set.comp, "Arms Diff Fat Mass", 1, "-0.1 lbs");
    let export = read(&swapped);
    let diff = EncoreFlag::Inconsistent(Check::Diff);
    assert_eq!(export.records[0].flags, std::slice::from_ref(&diff));
    assert!(!export.records[1].flags.contains(&diff));
    let percent = with_cell(&set.comp, "Legs Diff Region %Fat", 3, "3.0%");
    assert_eq!(read(&percent).records[2].flags, [diff]);
}

#[test]
fn total_body_bmd_file() {
    let export = read(&export_set(Units::Pounds).bmd);
    assert_eq!(export.kind, ExportKind::Bone);
    let doe = &export.records[0];
    assert_eq!(doe.body_composition, None);
    let row = |record: usize, region: &str, side: &str, label: &str| {
        export.records[record]
            .measurements
            .iter()
            .find(|m| {
                m.region.as_str() == region
                    && m.laterality.as_str() == side
                    && m.source_label == label
            })
            .unwrap_or_else(|| {
                panic!(
                    "{region}/{side} {label}: {:#?}",
                    export.records[record].measurements
                )
            })
    };
    let total = row(0, "total_body", "", "Total");
    // 2 188 g over 2 011 cm²: `2,188` read with its thousands separator.
    assert_eq!(total.bmc.unwrap().to_string(), "2188");
    assert_eq!(total.bmd.unwrap().to_string(), "1.088");
    assert_eq!(
        (
            total.t_score.unwrap().to_string(),
            total.z_score.unwrap().to_string()
        ),
        ("-0.6".into(), "0.2".into())
    );
    let arm = row(0, "other", "left", "Arm Left");
    assert_eq!(arm.bmd.unwrap().to_string(), "0.789");
    assert!(
        arm.notes
            .iter()
            .any(|n| n.contains("not a diagnostic site"))
    );
    row(0, "other", "", "Ribs");
    assert!(
        !doe.measurements
            .iter()
            .any(|m| m.region.as_str() == "total_body_less_head"),
        "an adult's TBLH is empty"
    );
    // The child: TBLH with its Z-score, the total without T or Z.
    let tblh = row(1, "total_body_less_head", "", "TBLH");
    assert_eq!(tblh.z_score.unwrap().to_string(), "-1.1");
    assert_eq!(row(1, "total_body", "", "Total").z_score, None);
    assert!(export.records.iter().all(|r| {
        r.flags
            .iter()
            .all(|f| *f == EncoreFlag::MeasureDateOrderInferred)
    }));
}

#[test]
fn core_scan_vat_and_a_zero_mass() {
    let export = read(&export_set(Units::Pounds).core_scan);
    assert_eq!(export.kind, ExportKind::CoreScan);
    assert_eq!(export.records.len(), 2, "the child has no CoreScan line");
    let doe = comp(&export, 0);
    let value = |c: &BodyComposition, k| c.index(k).map(|r| r.value.to_string());
    // 1.01 lb = 458.13 g; 29.60 in³ = 485.06 cm³.
    assert_eq!(value(doe, IndexKind::VatMass).as_deref(), Some("458"));
    assert_eq!(value(doe, IndexKind::VatVolume).as_deref(), Some("485.1"));
    assert_eq!(
        check::inconsistencies(doe),
        Vec::<Check>::new(),
        "0.944 g/cm³"
    );
    let poe = comp(&export, 1);
    assert_eq!(
        value(poe, IndexKind::VatMass).as_deref(),
        Some("0"),
        "kept as written"
    );
    assert_eq!(check::inconsistencies(poe), [Check::VatDensity]);
}

#[test]
fn encore_indices_need_a_height() {
    let export = read(&export_set(Units::Pounds).comp);
    let c = comp(&export, 0);
    let woman = |height: Option<&str>| Patient {
        height_cm: height.map(|h| dxa_ingest::decimal::Decimal::parse(h).unwrap()),
        weight_kg: None,
        cohort: Some(Cohort::Women),
        age_years: Some(60),
    };
    let a = assess(c, &woman(None));
    assert_eq!(a.get(IndexKind::Almi), None);
    assert!(a.flags.contains(&BodyFlag::HeightUnknown), "{:?}", a.flags);
    // Total %fat: the Total's Region %Fat, as reported.
    let pct = a
        .get(IndexKind::TotalFatPct)
        .map(|i| (i.value.to_string(), i.basis));
    assert_eq!(pct, Some(("30.7".into(), Basis::Reported)));
    let a = assess(c, &woman(Some("162.0")));
    // Lean of the four limbs: 5.2 + 5.0 + 15.2 + 14.9 lb = 2359 + 2268 + 6895 + 6759 g,
    // over 1.62² m².
    let almi = a
        .get(IndexKind::Almi)
        .map(|i| (i.value.to_string(), i.basis));
    assert_eq!(almi, Some(("6.97".into(), Basis::Computed)));
}

#[test]
fn recognised_by_content() {
    let set = export_set(Units::Grams);
    for bytes in [&set.comp, &set.bmd, &set.core_scan] {
        assert!(encore::is_export(bytes));
    }
    let hologic =
        dxa_fixtures::whole_body::whole_body_document(dxa_fixtures::whole_body::Codes::Absent);
    assert!(!encore::is_export(hologic.as_bytes()));
    assert!(!encore::is_export(b""));
}

/// A small seeded generator (xorshift64*): the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The set's files damaged at random: bytes flipped, cut, tabs and line ends inserted,
/// lines repeated, cells swapped for units and numbers of other shapes. Every result is
/// records or a reason; a panic fails the test.
#[test]
fn damaged_exports_never_panic() {
    let ExportSet {
        comp,
        bmd,
        core_scan,
    } = export_set(Units::Pounds);
    let pieces: [&[u8]; 8] = [
        &[0x09, 0x00],
        &[0x0D, 0x00, 0x0A, 0x00],
        &[0x00, 0xD8],
        &[0x2C, 0x00],
        &[0x2E, 0x00],
        &[0xB3, 0x00],
        &[0x2D, 0x00, 0x2D, 0x00],
        &[0xFF],
    ];
    let mapper = mapper();
    let mut rng = Rng(0x5EED_B0D1);
    let (mut read_ok, mut reasons) = (0, 0);
    for round in 0..500 {
        let source = [&comp, &bmd, &core_scan][round % 3];
        let mut bytes = source.clone();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(bytes.len());
            match rng.below(5) {
                0 => bytes[at] ^= 1 << rng.below(8),
                1 => bytes.truncate(at.max(2)),
                2 => {
                    let piece = pieces[rng.below(pieces.len())];
                    bytes.splice(at..at, piece.iter().copied());
                }
                3 => {
                    let end = (at + 2 * rng.below(400)).min(bytes.len());
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => {
                    let end = (at + rng.below(64)).min(bytes.len());
                    bytes.drain(at..end);
                }
            }
        }
        match encore::read(&bytes, &mapper) {
            Ok(export) => {
                read_ok += 1;
                assert!(export.records.len() <= encore::MAX_ROWS);
            }
            Err(error) => {
                reasons += 1;
                assert!(!error.message.is_empty());
            }
        }
    }
    assert!(
        read_ok > 50 && reasons > 5,
        "both kinds seen: {read_ok} read, {reasons} reasons"
    );
}

/// The fuzz target's corpus (fuzz/corpus/encore) read on every test run.
#[test]
fn encore_fuzz_corpus_never_crashes() {
    let dir = crate::util::repo().join("fuzz/corpus/encore");
    let files = crate::util::files_under(&dir);
    assert!(files.len() >= 5, "{} corpus files", files.len());
    let mapper = mapper();
    let mut read = 0;
    for path in files {
        if encore::read(&std::fs::read(&path).unwrap(), &mapper).is_ok() {
            read += 1;
        }
    }
    assert!(read >= 5, "the seeds are exports: {read} read");
}
