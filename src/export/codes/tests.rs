use super::*;
use crate::vocabulary::Laterality;

/// Whether a LOINC code's check digit is right (LOINC's mod 10 algorithm, which is Luhn's).
pub fn loinc_check_digit_ok(code: &str) -> bool {
    let Some((digits, check)) = code.split_once('-') else {
        return false;
    };
    if digits.is_empty()
        || check.len() != 1
        || !code.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let twice = d * 2;
                twice / 10 + twice % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check.as_bytes()[0] - b'0')
}

/// Whether a SNOMED CT identifier's check digit is right (Verhoeff's dihedral check, SNOMED
/// CT Technical Implementation Guide, "SCTID check-digit").
pub fn sctid_check_digit_ok(sctid: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    if sctid.len() < 6 || !sctid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut c = 0u8;
    for (i, b) in sctid.bytes().rev().enumerate() {
        c = D[usize::from(c)][usize::from(P[i % 8][usize::from(b - b'0')])];
    }
    c == 0
}

#[test]
fn every_loinc_check_digit_is_right() {
    let mut all: Vec<&str> = DXA_CODES.iter().map(|(.., c)| c.loinc).collect();
    all.extend([FRAX_MAJOR.loinc, FRAX_HIP.loinc, PANEL.0, BODY_FAT_PCT.0]);
    for code in &all {
        assert!(loinc_check_digit_ok(code), "{code}");
    }
    // The check fails on a wrong digit: the test can fail.
    assert!(!loinc_check_digit_ok("24966-5"));
    assert!(!loinc_check_digit_ok("80948-2"));
    assert!(!loinc_check_digit_ok("8094x-3"));
}

#[test]
fn every_snomed_check_digit_is_right() {
    let mut all: Vec<&str> = Vec::new();
    for region in [
        Region::FemoralNeck,
        Region::TotalHip,
        Region::SpineL1L4,
        Region::Radius33,
    ] {
        for side in Laterality::ALL {
            all.extend(body_site(region, *side));
        }
    }
    for category in Classification::ALL {
        all.extend(snomed_category(*category).map(|(code, _)| code));
    }
    assert!(all.len() >= 8, "{all:?}");
    for code in &all {
        assert!(sctid_check_digit_ok(code), "{code}");
    }
    // An id one repository lists as "lumbar spine structure" fails Verhoeff's check.
    assert!(!sctid_check_digit_ok("82834004"));
    assert!(!sctid_check_digit_ok("64859007"));
}

#[test]
fn every_bone_side_and_quantity_has_one_code() {
    use Bone::*;
    for bone in [LumbarSpine, Femur, Hip, RadiusAndUlna] {
        for side in [Laterality::None, Laterality::Left, Laterality::Right] {
            for quantity in [Quantity::Bmd, Quantity::TScore, Quantity::ZScore] {
                let n = DXA_CODES
                    .iter()
                    .filter(|(b, s, q, _)| *b == bone && *s == side && *q == quantity)
                    .count();
                let expected = usize::from(bone != LumbarSpine || side == Laterality::None);
                assert_eq!(n, expected, "{bone:?} {side:?} {quantity:?}");
            }
        }
    }
    let mut loincs: Vec<&str> = DXA_CODES.iter().map(|(.., c)| c.loinc).collect();
    loincs.sort_unstable();
    loincs.dedup();
    assert_eq!(loincs.len(), DXA_CODES.len(), "no code twice");
}

#[test]
fn sides_take_their_own_codes_and_the_mean_none() {
    let code = |region, side, q| dxa_code(region, side, q).map(|c| c.loinc);
    assert_eq!(
        code(Region::FemoralNeck, Laterality::Left, Quantity::TScore),
        Some("80948-3")
    );
    assert_eq!(
        code(Region::TotalHip, Laterality::Left, Quantity::Bmd),
        Some("46278-8")
    );
    assert_eq!(
        code(Region::SpineL1L4, Laterality::None, Quantity::Bmd),
        Some("24966-4")
    );
    assert_eq!(
        code(Region::SpineL2L4, Laterality::None, Quantity::TScore),
        Some("38267-1")
    );
    assert_eq!(
        code(Region::Radius33, Laterality::None, Quantity::TScore),
        Some("38265-5")
    );
    assert_eq!(
        code(Region::TotalHip, Laterality::Mean, Quantity::Bmd),
        None
    );
    assert_eq!(code(Region::SpineL1, Laterality::None, Quantity::Bmd), None);
    assert_eq!(
        code(Region::Trochanter, Laterality::Left, Quantity::Bmd),
        None
    );
    assert!(negative_allowed(3049654), "lumbar spine T");
    assert!(!negative_allowed(0), "FRAX: no verified concept");
    assert!(!negative_allowed(8554));
}

/// The rows of docs/interop.md's "Codes" table: (system, code, name, OMOP concept id).
fn documented() -> Vec<(String, String, String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/interop.md");
    let text = std::fs::read_to_string(&path).expect("docs/interop.md");
    let table = text
        .split("\n## Codes\n")
        .nth(1)
        .expect("a '## Codes' section");
    table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cells: Vec<String> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect();
            assert!(cells.len() >= 5, "{line}");
            (
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            )
        })
        .collect()
}

#[test]
fn docs_interop_lists_every_code_as_the_exports_write_it() {
    let docs = documented();
    let find = |system: &str, code: &str| {
        docs.iter()
            .find(|(s, c, ..)| s == system && c == code)
            .unwrap_or_else(|| panic!("docs/interop.md lacks {system} {code}"))
    };
    for (.., c) in DXA_CODES.iter().chain([
        &(Bone::Hip, Laterality::None, Quantity::FraxMajor, FRAX_MAJOR),
        &(Bone::Hip, Laterality::None, Quantity::FraxHip, FRAX_HIP),
    ]) {
        let (_, _, name, concept) = find(LOINC, c.loinc);
        assert_eq!(name, c.name, "{}", c.loinc);
        assert_eq!(concept, &c.concept_id.to_string(), "{}", c.loinc);
    }
    assert_eq!(find(LOINC, PANEL.0).2, PANEL.1);
    for region in [
        Region::FemoralNeck,
        Region::TotalHip,
        Region::SpineL1L4,
        Region::Radius33,
    ] {
        for side in Laterality::ALL {
            if let Some(code) = body_site(region, *side) {
                find(SNOMED, code);
            }
        }
    }
    for category in Classification::ALL {
        if let Some((code, _)) = snomed_category(*category) {
            find(SNOMED, code);
        }
        let (.., name, _) = find(CATEGORY_SYSTEM, category.as_str());
        assert_eq!(name, category_display(*category));
    }
    for quantity in [Quantity::Bmd, Quantity::TScore, Quantity::FraxMajor] {
        find(UCUM, quantity.ucum().0);
    }
    // And nothing documented that no code here writes (a LOINC row the exports dropped).
    for (system, code, ..) in docs.iter().filter(|(s, ..)| s == LOINC) {
        let known = DXA_CODES.iter().any(|(.., c)| c.loinc == code)
            || [
                FRAX_MAJOR.loinc,
                FRAX_HIP.loinc,
                PANEL.0,
                RADIOLOGY_LOINC.0,
                BODY_FAT_PCT.0,
            ]
            .contains(&code.as_str());
        assert!(
            known,
            "docs/interop.md lists {system} {code}, which no export writes"
        );
    }
}

#[test]
fn docs_interop_lists_every_body_composition_code_as_the_exports_write_it() {
    use crate::export::body::{Measure, REGION_COLUMNS, field_display, index_display};
    use crate::output::rows::INDEX_COLUMNS;
    let docs = documented();
    let find = |system: &str, code: &str| {
        docs.iter()
            .find(|(s, c, ..)| s == system && c == code)
            .unwrap_or_else(|| panic!("docs/interop.md lacks {system} {code}"))
    };
    let (_, _, name, concept) = find(LOINC, BODY_FAT_PCT.0);
    assert_eq!((name.as_str(), concept.as_str()), (BODY_FAT_PCT.1, "0"));
    for (_, kind) in INDEX_COLUMNS {
        let measure = Measure::Index(kind);
        let (.., name, concept) = find(BODY_COMPOSITION_SYSTEM, &measure.code());
        assert_eq!(name, index_display(kind));
        assert_eq!(concept, "0", "no OMOP concept verified");
        find(UCUM, measure.ucum().0);
    }
    // A region's codes are documented once, with `<region>` for any region.
    for (field, column) in REGION_COLUMNS {
        let (.., name, concept) = find(BODY_COMPOSITION_SYSTEM, &format!("<region> {column}"));
        assert_eq!(name, field_display(field));
        assert_eq!(concept, "0");
        find(
            UCUM,
            Measure::Region(crate::bodycomp::BodyRegion::Arms, field)
                .ucum()
                .0,
        );
    }
    assert!(loinc_check_digit_ok(BODY_FAT_PCT.0));
}
