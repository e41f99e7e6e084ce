//! The numbers of the synthetic whole body the report image carries (invented): each
//! region's fat, lean and bone mineral, the bone table's areas, height, weight and VAT,
//! and the sums and indices the report's tables print, worked out as APEX rounds them.

use super::ROW_LABELS;

/// One region's composition: fat and lean (without bone mineral) in tenths of a gram,
/// bone mineral in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The row label.
    pub label: &'static str,
    /// Fat, 0.1 g.
    pub fat: i64,
    /// Lean without BMC, 0.1 g.
    pub lean: i64,
    /// BMC, 0.01 g.
    pub bmc: i64,
}

const fn part(label: &'static str, fat: i64, lean: i64, bmc: i64) -> Part {
    Part {
        label,
        fat,
        lean,
        bmc,
    }
}

/// The five regions of the subtotal, in table order, then the head.
pub const PARTS: [Part; 6] = [
    part("L Arm", 12014, 22246, 15012),
    part("R Arm", 12503, 23498, 16035),
    part("Trunk", 98022, 202305, 61048),
    part("L Leg", 37106, 67002, 42066),
    part("R Leg", 36901, 67749, 43021),
    part("Head", 10025, 30953, 52487),
];

/// The android and gynoid regions.
pub const ANDROID_GYNOID: [Part; 2] = [
    part("Android (A)", 14502, 25607, 4011),
    part("Gynoid (G)", 33204, 49806, 12052),
];

/// The whole-body BMD table's parts: (label, area in 0.01 cm², BMC in 0.01 g). The ribs,
/// spines and pelvis make up the trunk's BMC.
pub const BONE: [(&str, i64, i64); 10] = [
    ("L Arm", 19045, 15012),
    ("R Arm", 19812, 16035),
    ("L Ribs", 14020, 9530),
    ("R Ribs", 14105, 9612),
    ("T Spine", 12033, 11045),
    ("L Spine", 6010, 6237),
    ("Pelvis", 23040, 24624),
    ("L Leg", 35022, 42066),
    ("R Leg", 35210, 43021),
    ("Head", 23055, 52487),
];

/// The patient's height, cm, and weight, kg, as PatInfo writes them.
pub const HEIGHT_CM: &str = "165.0";
/// Weight, kg.
pub const WEIGHT_KG: &str = "66.0";
/// The estimated VAT: mass g, volume cm³, area cm² (0.924 g/cm³, Hologic's density).
pub const VAT: (&str, &str, &str) = ("450", "487", "93.4");

/// `value` (in units of 10^-`scale`) written with `places` decimals, half away from zero.
pub fn fixed(value: i64, scale: u32, places: u32) -> String {
    let drop = 10i64.pow(scale - places);
    let rounded = (value.abs() * 2 + drop) / (2 * drop) * value.signum();
    let unit = 10i64.pow(places);
    let sign = if rounded < 0 { "-" } else { "" };
    let (whole, fraction) = (rounded.abs() / unit, rounded.abs() % unit);
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction:0width$}", width = places as usize)
    }
}

/// A part's sums in hundredths of a gram: (fat, lean, bmc, lean + bmc, total).
pub fn hundredths(p: &Part) -> (i64, i64, i64, i64, i64) {
    let (fat, lean) = (p.fat * 10, p.lean * 10);
    (fat, lean, p.bmc, lean + p.bmc, fat + lean + p.bmc)
}

/// The sum of parts, labelled.
pub fn sum(label: &'static str, parts: &[Part]) -> Part {
    let mut out = part(label, 0, 0, 0);
    for p in parts {
        out.fat += p.fat;
        out.lean += p.lean;
        out.bmc += p.bmc;
    }
    out
}

/// A whole body's composition: the five regions of the subtotal then the head, and the
/// android and gynoid regions. [`BODY`] is the one [`whole_body_document`] writes; a test of
/// follow-up writes another exam of the patient with [`whole_body_document_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Body {
    /// As [`PARTS`].
    pub parts: [Part; 6],
    /// As [`ANDROID_GYNOID`].
    pub android_gynoid: [Part; 2],
}

/// The composition of [`whole_body_document`].
pub const BODY: Body = Body {
    parts: PARTS,
    android_gynoid: ANDROID_GYNOID,
};

impl Body {
    /// The subtotal (the five regions) and the total (and the head).
    pub fn subtotal_and_total(&self) -> (Part, Part) {
        (sum("Subtotal", &self.parts[..5]), sum("Total", &self.parts))
    }
}

/// The subtotal (the five regions) and the total (and the head) of [`BODY`].
pub fn subtotal_and_total() -> (Part, Part) {
    BODY.subtotal_and_total()
}

/// Fat / total mass, %, as the tables write it (one decimal).
pub fn fat_pct(p: &Part) -> String {
    let (fat, .., total) = hundredths(p);
    fixed(fat * 10_000 / total, 2, 1)
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}", a / b)
}

/// The "Adipose Indices" and "Lean Indices" rows of [`BODY`]: (label, result).
pub fn indices() -> Vec<(&'static str, String)> {
    indices_of(&BODY)
}

/// The "Adipose Indices" and "Lean Indices" rows of a body: (label, result).
pub fn indices_of(body: &Body) -> Vec<(&'static str, String)> {
    let (_, total) = body.subtotal_and_total();
    let (parts, android_gynoid) = (&body.parts, &body.android_gynoid);
    let h2 = (165.0f64 / 100.0).powi(2);
    let kg = |tenths: i64| tenths as f64 / 10_000.0;
    let pct = |p: &Part| fat_pct(p).parse::<f64>().expect("a number");
    let legs = sum("Legs", &[parts[3], parts[4]]);
    let limbs = sum("Limbs", &[parts[0], parts[1], parts[3], parts[4]]);
    let legs_pct = hundredths(&legs).0 as f64 / hundredths(&legs).4 as f64 * 100.0;
    vec![
        (ROW_LABELS[15], fat_pct(&total)),
        (ROW_LABELS[16], format!("{:.2}", kg(total.fat) / h2)),
        (
            ROW_LABELS[17],
            ratio(pct(&android_gynoid[0]), pct(&android_gynoid[1])),
        ),
        (ROW_LABELS[18], ratio(pct(&parts[2]), legs_pct)),
        (ROW_LABELS[19], ratio(parts[2].fat as f64, limbs.fat as f64)),
        (ROW_LABELS[20], VAT.0.to_string()),
        (ROW_LABELS[21], VAT.1.to_string()),
        (ROW_LABELS[22], VAT.2.to_string()),
        (ROW_LABELS[23], format!("{:.1}", kg(total.lean) / h2)),
        (ROW_LABELS[24], format!("{:.2}", kg(limbs.lean) / h2)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_half_away_from_zero() {
        assert_eq!(fixed(12345, 2, 1), "123.5");
        assert_eq!(fixed(-12345, 2, 1), "-123.5");
        assert_eq!(fixed(12344, 2, 0), "123");
        assert_eq!(fixed(5, 2, 2), "0.05");
        assert_eq!(fixed(150, 2, 0), "2");
    }
}
