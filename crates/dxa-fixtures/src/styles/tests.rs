use super::*;
use crate::header::Header;

fn study() -> DxaStudy {
    DxaStudy::new(Header::new("t"))
        .group(
            Group::new("Left Hip").lat(Lat::Left).row(
                Row::new("Femoral Neck")
                    .bmd("0.585")
                    .t("-2.4")
                    .z("-0.9")
                    .bmc("2.86"),
            ),
        )
        .group(Group::new("Lumbar Spine").row(Row::new("L1-L4").bmd("0.930").t("-1.1")))
        .frax("18", "2.9")
        .tbs("1.287")
        .reference_db("NHANES")
}

#[test]
fn hologic_shape() {
    let d = hologic_style(&study());
    let kids = d.root.children();
    assert_eq!(kids[0].concept().value, "REFDB");
    assert_eq!(kids[1].concept().meaning, "Left Hip");
    let row = &kids[1].children()[0];
    assert_eq!(row.concept().meaning, "Femoral Neck");
    assert_eq!(row.children().len(), 4);
    assert_eq!(kids[3].concept().value, "FRAX");
    assert_eq!(kids[4].concept().value, "TBS-GRP");
}

#[test]
fn ge_row_has_finding_site_first() {
    let d = ge_style(&study());
    let row = &d.root.children()[1].children()[0];
    match &row.children()[0] {
        Item::Code { value, rel, .. } => {
            assert_eq!(*rel, HAS_CONCEPT_MOD);
            assert_eq!(value.value, "FEMORAL_NECK");
            assert_eq!(value.meaning, "Femoral Neck");
        }
        other => panic!("expected CODE, got {other:?}"),
    }
    assert_eq!(
        d.root.children().last().map(|i| i.concept().value.as_str()),
        Some("TBS")
    );
}

#[test]
fn loinc_codes_by_site() {
    let d = loinc_style(&study());
    let hip = &d.root.children()[1];
    assert!(matches!(&hip.children()[0], Item::Code { value, .. } if value.value == "7771000"));
    let neck = &hip.children()[1];
    let names: Vec<_> = neck
        .children()
        .iter()
        .map(|i| i.concept().value.as_str())
        .collect();
    assert_eq!(names, ["46278-8", "80946-7", "80938-4"]);
    let spine = &d.root.children()[2].children()[0];
    assert_eq!(spine.children()[0].concept().meaning, "L-spine BMD");
}

#[test]
fn flat_meanings_and_numbers() {
    let d = flat_style(&study());
    let meanings: Vec<_> = d
        .root
        .children()
        .iter()
        .map(|i| i.concept().meaning.clone())
        .collect();
    assert_eq!(
        meanings,
        [
            "Left Hip Femoral Neck BMD",
            "Left Hip Femoral Neck T-Score",
            "Left Hip Femoral Neck Z-Score",
            "Lumbar Spine L1-L4 BMD",
            "Lumbar Spine L1-L4 T-Score"
        ]
    );
    assert_eq!(d.root.children()[4].concept().value, "N5");
}
