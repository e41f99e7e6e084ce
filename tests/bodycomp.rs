//! Body composition (the reading side): a Hologic whole-body report image read
//! into total-body measurements and a body composition by its labels, the indices and
//! cut-offs on what it gives, and GE enCORE export sets, in pounds and in grams.

use dxa_fixtures::evidence::hologic_header;
use dxa_fixtures::whole_body::{self, Codes};
use dxa_ingest::Document;
use dxa_ingest::bodycomp::{BodyRegion, Field, IndexKind};

use crate::carriers::{mapper, read};

mod encore;
mod exports;
mod followup;
mod scan;

/// The whole-body report image, read by `extract` as a scan reads it.
fn whole_body(codes: Codes, mapper: &dxa_ingest::Mapper) -> Document {
    let text = whole_body::whole_body_document(codes);
    whole_body_text(&text, mapper)
}

fn whole_body_text(text: &str, mapper: &dxa_ingest::Mapper) -> Document {
    let header = hologic_header(
        "t/whole-body",
        "t/whole-body",
        ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
        ("20240603", "101500"),
        "Horizon A",
        "300888M",
    );
    let bytes = whole_body::whole_body_image(&header, text);
    dxa_ingest::extract(&bytes, mapper, &dxa_ingest::sr::Limits::default())
        .expect("a whole-body report image is read")
}

/// The document's flags as documents.csv spells them.
fn flags(doc: &Document) -> Vec<String> {
    doc.flags.iter().map(ToString::to_string).collect()
}

fn value(doc: &Document, region: BodyRegion, field: Field) -> String {
    let comp = doc.body_composition.as_ref().expect("a body composition");
    comp.value(region, field)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

#[test]
fn hologic_whole_body_bmd_table_gives_total_body_rows() {
    let doc = read(&whole_body::whole_body_image(
        &hologic_header(
            "t/wb-rows",
            "t/wb-rows",
            ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
            ("20240603", "101500"),
            "Horizon A",
            "300888M",
        ),
        &whole_body::whole_body_document(Codes::Absent),
    ))
    .expect("read");
    let find = |region: &str, side: &str, label: &str| {
        doc.measurements
            .iter()
            .find(|m| {
                m.region.as_str() == region
                    && m.laterality.as_str() == side
                    && m.source_label == label
            })
            .unwrap_or_else(|| panic!("no {region}/{side} {label}: {:#?}", doc.measurements))
    };
    let total = find("total_body", "", "Total");
    // 2 296.69 g over 2 013.52 cm² (the parts' sums).
    assert_eq!(total.bmd.unwrap().to_string(), "1.141");
    assert_eq!(total.z_score.unwrap().to_string(), "0.4");
    assert_eq!(total.t_score, None, "blank T");
    let subtotal = find("total_body_less_head", "", "Subtotal");
    assert_eq!(subtotal.bmc.unwrap().to_string(), "1771.82");
    let arm = find("other", "left", "L Arm");
    assert_eq!(arm.bmd.unwrap().to_string(), "0.788");
    assert!(
        arm.notes
            .iter()
            .any(|n| n.contains("not a diagnostic site")),
        "{:?}",
        arm.notes
    );
    find("other", "", "T Spine");
    find("other", "right", "R Ribs");
    assert_eq!(doc.measurements.len(), 12, "{:#?}", doc.measurements);
    assert!(
        !flags(&doc).iter().any(|f| f.starts_with("hologic_table")),
        "whole-body tables are not unknown tables: {:?}",
        doc.flags
    );
}

#[test]
fn hologic_whole_body_composition_by_labels() {
    let doc = whole_body(Codes::Absent, &mapper());
    let comp = doc.body_composition.as_ref().expect("a body composition");
    assert_eq!(comp.source.as_str(), "hologic_results_document");
    // The ancillary table's tenths win over the composition table's whole grams.
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::Fat), "1201.4");
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::Lean), "2224.6");
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::Bmc), "150.12");
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::LeanBmc), "2374.7");
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::TotalMass), "3576.1");
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::FatPct), "33.6");
    assert_eq!(value(&doc, BodyRegion::Total, Field::Fat), "20657.1");
    // Android and gynoid are only in the composition table, to the gram.
    assert_eq!(value(&doc, BodyRegion::Android, Field::Fat), "1450");
    assert_eq!(value(&doc, BodyRegion::Gynoid, Field::LeanBmc), "5101");
    let regions: Vec<&str> = comp.regions.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(
        regions,
        [
            "arm_left",
            "arm_right",
            "leg_left",
            "leg_right",
            "trunk",
            "head",
            "android",
            "gynoid",
            "subtotal",
            "total"
        ]
    );
    let arm = comp.region(BodyRegion::ArmLeft).unwrap();
    assert_eq!(arm.label, "L Arm");
    let fat = arm.fat.as_ref().unwrap();
    assert_eq!(
        (comp.unit(fat), fat.written.to_string()),
        ("g", "1201.4".to_string())
    );
    let index = |kind| comp.index(kind).map(|r| r.value.to_string());
    assert_eq!(index(IndexKind::Fmi).as_deref(), Some("7.59"));
    assert_eq!(index(IndexKind::VatMass).as_deref(), Some("450"));
    assert_eq!(index(IndexKind::VatVolume).as_deref(), Some("487"));
    assert_eq!(index(IndexKind::VatArea).as_deref(), Some("93.4"));
    assert_eq!(index(IndexKind::Almi).as_deref(), Some("6.63"));
    let unit = comp.unit(comp.index(IndexKind::VatVolume).unwrap());
    assert_eq!(unit, "cm3", "as written, HTML removed");
    assert!(
        flags(&doc).contains(&"body_composition_read_by_label".to_string()),
        "{:?}",
        doc.flags
    );
}

#[test]
fn hologic_whole_body_indices_cut_offs_and_checks() {
    use dxa_ingest::bodycomp::index::{Basis, BodyFlag, Cohort, FmiClass, Patient, assess};
    let doc = whole_body(Codes::Absent, &mapper());
    let comp = doc.body_composition.as_ref().expect("a body composition");
    let patient = Patient {
        height_cm: doc.height_cm,
        weight_kg: doc.weight_kg,
        cohort: Some(Cohort::Women),
        age_years: Some(54),
    };
    let a = assess(comp, &patient);
    let index = |kind| a.get(kind).map(|i| (i.value.to_string(), i.basis));
    assert_eq!(
        index(IndexKind::Fmi),
        Some(("7.59".into(), Basis::Reported))
    );
    assert_eq!(
        index(IndexKind::TotalFatPct),
        Some(("32.1".into(), Basis::Reported))
    );
    assert_eq!(
        index(IndexKind::Lmi),
        Some(("15.2".into(), Basis::Reported))
    );
    // ALM/BMI is never printed: 18.0495 kg / (66.0 kg / 1.65² m²).
    assert_eq!(
        index(IndexKind::AlmBmi),
        Some(("0.745".into(), Basis::Computed))
    );
    assert_eq!(
        index(IndexKind::VatVolume),
        Some(("487".into(), Basis::Reported))
    );
    // The document's numbers agree with themselves: only the FMI class is flagged.
    assert_eq!(a.flags, [BodyFlag::FmiClass(FmiClass::Normal)]);
    // Without the document's height, what it reported stays; nothing is computed.
    let without = assess(comp, &Patient::default());
    let fmi = without
        .get(IndexKind::Fmi)
        .map(|i| (i.value.to_string(), i.basis));
    assert_eq!(fmi, Some(("7.59".into(), Basis::Reported)));
    assert_eq!(without.get(IndexKind::AlmBmi), None);
    assert_eq!(without.flags, [BodyFlag::HeightUnknown]);
}

#[test]
fn a_site_reads_whole_body_rows_by_the_codes_it_adds() {
    use dxa_fixtures::whole_body::{PLACEHOLDER_COLUMN, PLACEHOLDER_ROW};
    // A French site: its labels are not the built-ins'.
    let text = whole_body::whole_body_document(Codes::Placeholder)
        .replace("\"L Arm\"", "\"Bras G\"")
        .replace("\"Fat[(g)]\"", "\"Graisse[(g)]\"");
    let doc = whole_body_text(&text, &mapper());
    let comp = doc.body_composition.as_ref().expect("a body composition");
    assert_eq!(
        comp.region(BodyRegion::ArmLeft).map(|r| r.fat.is_some()),
        None
    );
    assert_eq!(
        comp.value(BodyRegion::Total, Field::Fat),
        None,
        "no fat column"
    );
    for flag in [
        "body_composition_row_unknown",
        "body_composition_column_unknown",
    ] {
        assert!(
            flags(&doc).contains(&flag.to_string()),
            "{flag}: {:?}",
            doc.flags
        );
    }
    // Its profile gives the codes it sees.
    let profile = format!(
        "name = \"site\"\n\
         [[body_composition_rows]]\ntypes = [{}]\nregion = \"arm_left\"\n\
         [[body_composition_columns]]\ntypes = [{}]\nfield = \"fat\"\n",
        PLACEHOLDER_ROW,
        PLACEHOLDER_COLUMN + 6
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.toml");
    std::fs::write(&path, profile).unwrap();
    let site = dxa_ingest::profile::load(&[path]).expect("the site's profile loads");
    let doc = whole_body_text(&text, &site);
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::Fat), "1201.4");
    assert_eq!(value(&doc, BodyRegion::Total, Field::Fat), "20657.1");
    let comp = doc.body_composition.as_ref().unwrap();
    let arm = comp.region(BodyRegion::ArmLeft).unwrap();
    assert_eq!(arm.label, "Bras G", "the label as written");
    assert_eq!(
        comp.unit(arm.fat.as_ref().unwrap()),
        "g",
        "the unit of the column's header (Graisse[(g)])"
    );
    let row = doc
        .measurements
        .iter()
        .find(|m| m.source_label == "Bras G")
        .expect("the BMD table's row, by its code");
    assert_eq!(row.bmd.unwrap().to_string(), "0.788");
}

#[test]
fn damaged_whole_body_cells_are_left_out_and_flagged() {
    let text = whole_body::whole_body_document(Codes::Absent)
        .replace("\"Lean[(g)]\"", "\"Lean[(oz)]\"")
        .replace(
            "ResultsTable2[ 1][ 1] = \"1201\"",
            "ResultsTable2[ 1][ 1] = \"12O1\"",
        )
        .replace(
            "\"BMD[g/cm<sup><small>2</small></sup>]\"",
            "\"BMD[mg/cm<sup>2</sup>]\"",
        );
    let doc = whole_body_text(&text, &mapper());
    for flag in [
        "body_composition_unit_unknown=arm_left:lean",
        "body_composition_value_unreadable=arm_left:fat",
        "body_composition_unit_unknown=bmd",
    ] {
        assert!(
            flags(&doc).contains(&flag.to_string()),
            "{flag}: {:?}",
            doc.flags
        );
    }
    assert_eq!(
        value(&doc, BodyRegion::ArmLeft, Field::Lean),
        "",
        "oz is not guessed"
    );
    // The ancillary table still gives the fat to the tenth.
    assert_eq!(value(&doc, BodyRegion::ArmLeft, Field::Fat), "1201.4");
    assert!(
        doc.measurements.iter().all(|m| m.bmd.is_none()),
        "no BMD in mg read as g"
    );
}
