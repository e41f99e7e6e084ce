//! The indices of a body composition and their cut-offs (docs/clinical.md, "Body
//! composition"), a pure function of the composition and the patient on the day.
//!
//! An index the scanner reported is taken as reported; one it did not is computed (and said
//! so) from the regions and the height; without a height it is left out, flagged
//! `height_unknown`. Fat mass index, lean mass index and appendicular lean mass index are in
//! kg/m² with lean mass **without** bone mineral (docs/evidence.md: Hologic's `Lean/Height²`
//! and `Appen. Lean/Height²` are, and EWGSOP2 and FNIH define appendicular lean mass so).

use serde::{Deserialize, Serialize};

use super::check::{Check, inconsistencies};
use super::{BodyComposition, BodyRegion, Field, IndexKind};
use crate::decimal::{Decimal, dec};
use crate::flag::flag_enum;

/// The cohort a cut-off was derived in: the papers give one per sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cohort {
    /// Men.
    Men,
    /// Women.
    Women,
}

/// The patient on the day of the exam, as far as the indices need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patient {
    /// Height, cm.
    pub height_cm: Option<Decimal>,
    /// Weight, kg.
    pub weight_kg: Option<Decimal>,
    /// The cohort whose cut-offs apply; None: no cut-off is applied.
    pub cohort: Option<Cohort>,
    /// Age in completed years; the cut-offs are adults' (20 and over, docs/clinical.md).
    pub age_years: Option<u32>,
}

/// Where an index's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The scanner reported it (an index, or a region's value that is the index).
    Reported,
    /// Computed here from the regions (and the height, the weight).
    Computed,
}

impl Basis {
    /// The text of the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Reported => "reported",
            Basis::Computed => "computed",
        }
    }
}

/// One index's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    /// Which index.
    pub kind: IndexKind,
    /// Its value (%, kg/m², a ratio, g, cm³, cm²).
    pub value: Decimal,
    /// Reported or computed.
    pub basis: Basis,
}

/// The fat mass index classes of Kelly, Wilson and Heymsfield, PLoS ONE 2009;4(9):e7038
/// (NHANES 1999-2004, Hologic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FmiClass {
    /// Severe fat deficit.
    SevereDeficit,
    /// Moderate fat deficit.
    ModerateDeficit,
    /// Mild fat deficit.
    MildDeficit,
    /// Normal.
    Normal,
    /// Excess fat.
    Excess,
    /// Obese class I.
    ObeseClass1,
    /// Obese class II.
    ObeseClass2,
    /// Obese class III.
    ObeseClass3,
}

impl FmiClass {
    /// Every class, from the lowest FMI.
    pub const ALL: [FmiClass; 8] = [
        FmiClass::SevereDeficit,
        FmiClass::ModerateDeficit,
        FmiClass::MildDeficit,
        FmiClass::Normal,
        FmiClass::Excess,
        FmiClass::ObeseClass1,
        FmiClass::ObeseClass2,
        FmiClass::ObeseClass3,
    ];

    /// The text of the flag `fmi_class=<class>`.
    pub fn as_str(self) -> &'static str {
        match self {
            FmiClass::SevereDeficit => "severe_deficit",
            FmiClass::ModerateDeficit => "moderate_deficit",
            FmiClass::MildDeficit => "mild_deficit",
            FmiClass::Normal => "normal",
            FmiClass::Excess => "excess",
            FmiClass::ObeseClass1 => "obese_class_1",
            FmiClass::ObeseClass2 => "obese_class_2",
            FmiClass::ObeseClass3 => "obese_class_3",
        }
    }
}

flag_enum! {
    /// A finding about a body composition (docs/clinical.md, "Body composition"; spelled
    /// `height_unknown`, `weight_unknown`, `low_muscle_mass_ewgsop2`, `low_lean_mass_fnih`,
    /// `fmi_class=<class>`, `body_composition_inconsistent=<check>`).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub enum BodyFlag / BodyFlagKind {
        /// An index needed a height the exam does not state: not computed.
        HeightUnknown,
        /// ALM/BMI needed a weight the exam does not state: not computed.
        WeightUnknown,
        /// ALMI below the EWGSOP2 cut-off.
        LowMuscleMassEwgsop2,
        /// ALM/BMI below the FNIH cut-off.
        LowLeanMassFnih,
        /// The FMI class.
        FmiClass(FmiClass),
        /// The numbers disagree with themselves.
        Inconsistent(Check),
    }
}

/// The indices, the FMI class and the flags of one exam.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    /// Every index known, in `IndexKind` order.
    pub indices: Vec<Index>,
    /// The FMI class (adults with a cohort).
    pub fmi_class: Option<FmiClass>,
    /// What was found, in that order: the height and weight missing, the cut-offs, the
    /// checks failed.
    pub flags: Vec<BodyFlag>,
}

/// A visit's body composition (its documents' together) and what `assess` made of it for
/// the patient on the day: computed once per visit, read by every output.
#[derive(Debug, Clone)]
pub struct VisitBody {
    /// The composition.
    pub composition: BodyComposition,
    /// The indices, the FMI class, the flags.
    pub assessment: Assessment,
}

impl Assessment {
    /// An index's value.
    pub fn get(&self, kind: IndexKind) -> Option<&Index> {
        self.indices.iter().find(|i| i.kind == kind)
    }
}

/// Age from which the adult cut-offs apply (docs/clinical.md, section 1: the project's
/// adult populations start at 20).
const ADULT_AGE: u32 = 20;

/// Low appendicular lean mass index, kg/m²: EWGSOP2 (Cruz-Jentoft et al., Age Ageing
/// 2019;48(1):16-31, table 3): below 7.0 in men, 5.5 in women.
fn ewgsop2_almi(cohort: Cohort) -> Decimal {
    match cohort {
        Cohort::Men => dec!("7.0"),
        Cohort::Women => dec!("5.5"),
    }
}

/// Low lean mass: FNIH Sarcopenia Project (Studenski et al., J Gerontol A Biol Sci Med Sci
/// 2014;69(5):547-558): ALM (kg) / BMI below 0.789 in men, 0.512 in women.
fn fnih_alm_bmi(cohort: Cohort) -> Decimal {
    match cohort {
        Cohort::Men => dec!("0.789"),
        Cohort::Women => dec!("0.512"),
    }
}

/// The FMI class (Kelly 2009, table of FMI classes; docs/clinical.md says what to verify):
/// men < 2 severe, < 2.3 moderate, < 3 mild deficit, <= 6 normal, <= 9 excess, <= 12 obese
/// I, <= 15 obese II, above obese III; women < 3.5, < 4, < 5, <= 9, <= 13, <= 17, <= 21.
pub fn fmi_class(fmi: Decimal, cohort: Cohort) -> FmiClass {
    let (deficits, upper) = match cohort {
        Cohort::Men => (
            [dec!("2"), dec!("2.3"), dec!("3")],
            [dec!("6"), dec!("9"), dec!("12"), dec!("15")],
        ),
        Cohort::Women => (
            [dec!("3.5"), dec!("4"), dec!("5")],
            [dec!("9"), dec!("13"), dec!("17"), dec!("21")],
        ),
    };
    let below = [
        FmiClass::SevereDeficit,
        FmiClass::ModerateDeficit,
        FmiClass::MildDeficit,
    ];
    let up_to = [
        FmiClass::Normal,
        FmiClass::Excess,
        FmiClass::ObeseClass1,
        FmiClass::ObeseClass2,
    ];
    below
        .iter()
        .zip(deficits)
        .find(|(_, limit)| fmi < *limit)
        .or_else(|| up_to.iter().zip(upper).find(|(_, limit)| fmi <= *limit))
        .map_or(FmiClass::ObeseClass3, |(class, _)| *class)
}

/// `grams` / height² in kg/m² (grams x 10 / cm²), two decimals.
fn per_height_squared(grams: Decimal, height_cm: Decimal) -> Option<Decimal> {
    let squared = height_cm.checked_mul(height_cm)?;
    grams.checked_mul(dec!("10"))?.div_rounded(squared, 2)
}

/// Appendicular lean mass without bone mineral, g: both arms and both legs, else GE's
/// `Arms` and `Legs`.
fn appendicular_lean(comp: &BodyComposition) -> Option<Decimal> {
    let lean = |region| comp.region(region)?.lean_without_bmc();
    let sum = |regions: &[BodyRegion]| {
        regions
            .iter()
            .try_fold(dec!("0"), |sum, &r| sum.checked_add(lean(r)?))
    };
    sum(&[
        BodyRegion::ArmLeft,
        BodyRegion::ArmRight,
        BodyRegion::LegLeft,
        BodyRegion::LegRight,
    ])
    .or_else(|| sum(&[BodyRegion::Arms, BodyRegion::Legs]))
}

/// A region's %fat: as reported, else fat / total mass.
fn fat_pct(comp: &BodyComposition, region: BodyRegion) -> Option<(Decimal, Basis)> {
    let r = comp.region(region)?;
    if let Some(reported) = r.value(Field::FatPct) {
        return Some((reported, Basis::Reported));
    }
    let computed = r.fat_pct_of_masses()?;
    Some((computed, Basis::Computed))
}

/// What `assess` needs to compute the height indices, and what it lacked.
struct Inputs {
    height: Option<Decimal>,
    missing_height: bool,
}

impl Inputs {
    /// `grams` / height², or None (noting that the height was missing).
    fn per_height(&mut self, grams: Option<Decimal>) -> Option<Decimal> {
        let grams = grams?;
        match self.height {
            Some(height) => per_height_squared(grams, height),
            None => {
                self.missing_height = true;
                None
            }
        }
    }
}

/// The indices of `comp` for `patient`, the FMI class and the flags.
pub fn assess(comp: &BodyComposition, patient: &Patient) -> Assessment {
    let mut inputs = Inputs {
        height: patient.height_cm.filter(|h| *h > dec!("0")),
        missing_height: false,
    };
    let total = comp.region(BodyRegion::Total);
    let alm = appendicular_lean(comp);
    let mut weight_missing = false;
    // Room for every index and a few flags at once: grown from empty, each visit's two
    // vectors were reallocated as they filled (docs/performance.md, "The end of a run").
    let mut out = Assessment {
        indices: Vec::with_capacity(IndexKind::ALL.len()),
        flags: Vec::with_capacity(4),
        ..Assessment::default()
    };
    for &kind in IndexKind::ALL {
        let reported = comp.index(kind).map(|r| (r.value, Basis::Reported));
        let found = match kind {
            _ if reported.is_some() => reported,
            IndexKind::TotalFatPct => fat_pct(comp, BodyRegion::Total),
            IndexKind::Fmi => inputs
                .per_height(total.and_then(|t| t.value(Field::Fat)))
                .map(|v| (v, Basis::Computed)),
            IndexKind::Lmi => inputs
                .per_height(total.and_then(|t| t.lean_without_bmc()))
                .map(|v| (v, Basis::Computed)),
            IndexKind::Almi => inputs.per_height(alm).map(|v| (v, Basis::Computed)),
            IndexKind::AlmBmi => match (alm, inputs.height, patient.weight_kg) {
                (Some(alm), Some(height), Some(weight)) if weight > dec!("0") => alm
                    .checked_mul(height.checked_mul(height).unwrap_or(dec!("0")))
                    .and_then(|n| n.div_rounded(weight.checked_mul(dec!("10000000"))?, 3))
                    .map(|v| (v, Basis::Computed)),
                (Some(_), None, _) => {
                    inputs.missing_height = true;
                    None
                }
                (Some(_), Some(_), _) => {
                    weight_missing = true;
                    None
                }
                _ => None,
            },
            IndexKind::AndroidGynoidRatio => {
                match (
                    fat_pct(comp, BodyRegion::Android),
                    fat_pct(comp, BodyRegion::Gynoid),
                ) {
                    (Some((android, _)), Some((gynoid, _))) => {
                        android.div_rounded(gynoid, 2).map(|v| (v, Basis::Computed))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((value, basis)) = found {
            out.indices.push(Index { kind, value, basis });
        }
    }
    if inputs.missing_height {
        out.flags.push(BodyFlag::HeightUnknown);
    }
    if weight_missing {
        out.flags.push(BodyFlag::WeightUnknown);
    }
    cut_offs(&mut out, patient);
    out.flags.extend(
        inconsistencies(comp)
            .into_iter()
            .map(BodyFlag::Inconsistent),
    );
    out
}

/// The adult cut-offs, for a patient whose cohort and age are known.
fn cut_offs(out: &mut Assessment, patient: &Patient) {
    let (Some(cohort), Some(age)) = (patient.cohort, patient.age_years) else {
        return;
    };
    if age < ADULT_AGE {
        return;
    }
    let value = |kind| out.get(kind).map(|i| i.value);
    let mut flags = Vec::new();
    if value(IndexKind::Almi).is_some_and(|almi| almi < ewgsop2_almi(cohort)) {
        flags.push(BodyFlag::LowMuscleMassEwgsop2);
    }
    if value(IndexKind::AlmBmi).is_some_and(|ratio| ratio < fnih_alm_bmi(cohort)) {
        flags.push(BodyFlag::LowLeanMassFnih);
    }
    if let Some(fmi) = value(IndexKind::Fmi) {
        let class = fmi_class(fmi, cohort);
        out.fmi_class = Some(class);
        flags.push(BodyFlag::FmiClass(class));
    }
    out.flags.extend(flags);
}

#[cfg(test)]
mod tests;
