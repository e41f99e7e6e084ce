//! The canonical vocabulary every vendor's labels are mapped onto: regions, laterality,
//! measures and anatomical sites. The text forms are the contract's (docs/columns.md); the order
//! of `Region` is the row order of measurements.csv.

use std::fmt;
use std::str::FromStr;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text written in the CSV files and accepted in profiles.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} {other:?} (expected one of: {})",
                        stringify!($name).to_lowercase(),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The same closed sets of names for other vocabularies (bodycomp's regions, fields, indices).
pub(crate) use vocabulary;

vocabulary! {
    /// A canonical region of interest (docs/columns.md, measurements.csv `region`).
    Region {
        /// First lumbar vertebra.
        SpineL1 => "spine_L1",
        /// Second lumbar vertebra.
        SpineL2 => "spine_L2",
        /// Third lumbar vertebra.
        SpineL3 => "spine_L3",
        /// Fourth lumbar vertebra.
        SpineL4 => "spine_L4",
        /// L1-L2.
        SpineL1L2 => "spine_L1-L2",
        /// L1-L3.
        SpineL1L3 => "spine_L1-L3",
        /// L1-L4, the standard PA spine result.
        SpineL1L4 => "spine_L1-L4",
        /// L2-L3.
        SpineL2L3 => "spine_L2-L3",
        /// L2-L4.
        SpineL2L4 => "spine_L2-L4",
        /// L3-L4.
        SpineL3L4 => "spine_L3-L4",
        /// Femoral neck.
        FemoralNeck => "femoral_neck",
        /// Total hip (total proximal femur).
        TotalHip => "total_hip",
        /// Greater trochanter.
        Trochanter => "trochanter",
        /// Intertrochanteric region.
        Intertrochanter => "intertrochanter",
        /// Ward's triangle.
        Wards => "wards",
        /// Upper neck (GE).
        UpperNeck => "upper_neck",
        /// Femoral shaft (GE).
        Shaft => "shaft",
        /// Radius one third (33 %).
        Radius33 => "radius_33",
        /// Ultra-distal radius.
        RadiusUd => "radius_ud",
        /// Mid radius.
        RadiusMid => "radius_mid",
        /// Total radius.
        RadiusTotal => "radius_total",
        /// Ulna one third.
        Ulna33 => "ulna_33",
        /// Ultra-distal ulna.
        UlnaUd => "ulna_ud",
        /// Total ulna.
        UlnaTotal => "ulna_total",
        /// Radius and ulna, one third.
        Forearm33 => "forearm_33",
        /// Radius and ulna, ultra-distal.
        ForearmUd => "forearm_ud",
        /// Radius and ulna, total.
        ForearmTotal => "forearm_total",
        /// Total body.
        TotalBody => "total_body",
        /// Total body less head.
        TotalBodyLessHead => "total_body_less_head",
        /// A measurement whose region could not be identified.
        Other => "other",
    }
}

impl Region {
    /// The vertebrae a spine region covers, as (first, last) lumbar numbers.
    pub fn vertebrae(self) -> Option<(u8, u8)> {
        Some(match self {
            Region::SpineL1 => (1, 1),
            Region::SpineL2 => (2, 2),
            Region::SpineL3 => (3, 3),
            Region::SpineL4 => (4, 4),
            Region::SpineL1L2 => (1, 2),
            Region::SpineL1L3 => (1, 3),
            Region::SpineL1L4 => (1, 4),
            Region::SpineL2L3 => (2, 3),
            Region::SpineL2L4 => (2, 4),
            Region::SpineL3L4 => (3, 4),
            _ => return None,
        })
    }

    /// The scanned site the region belongs to; None for `other`.
    pub fn site(self) -> Option<Site> {
        Some(match self {
            r if r.vertebrae().is_some() => Site::Spine,
            Region::FemoralNeck
            | Region::TotalHip
            | Region::Trochanter
            | Region::Intertrochanter
            | Region::Wards
            | Region::UpperNeck
            | Region::Shaft => Site::Hip,
            Region::Radius33
            | Region::RadiusUd
            | Region::RadiusMid
            | Region::RadiusTotal
            | Region::Ulna33
            | Region::UlnaUd
            | Region::UlnaTotal
            | Region::Forearm33
            | Region::ForearmUd
            | Region::ForearmTotal => Site::Forearm,
            Region::TotalBody | Region::TotalBodyLessHead => Site::TotalBody,
            _ => return None,
        })
    }

    /// Whether the region has a side (hip and forearm regions do; spine and body do not).
    pub fn is_sided(self) -> bool {
        !matches!(
            self,
            Region::SpineL1
                | Region::SpineL2
                | Region::SpineL3
                | Region::SpineL4
                | Region::SpineL1L2
                | Region::SpineL1L3
                | Region::SpineL1L4
                | Region::SpineL2L3
                | Region::SpineL2L4
                | Region::SpineL3L4
                | Region::TotalBody
                | Region::TotalBodyLessHead
        )
    }
}

vocabulary! {
    /// Side of a measurement (docs/columns.md `laterality`; empty = midline or not stated).
    Laterality {
        /// No side: spine, total body, or not stated.
        None => "",
        /// Left.
        Left => "left",
        /// Right.
        Right => "right",
        /// Dual femur mean (or "bilateral").
        Mean => "mean",
    }
}

vocabulary! {
    /// What a NUM item measures (docs/sr-reading.md, "Deciding what a NUM item is").
    Measure {
        /// Bone mineral density.
        Bmd => "bmd",
        /// Bone mineral content.
        Bmc => "bmc",
        /// Projected area.
        Area => "area",
        /// T-score.
        TScore => "t_score",
        /// Z-score.
        ZScore => "z_score",
        /// Percent of young-adult (peak) reference (Hologic "PR").
        PctYoungAdult => "pct_young_adult",
        /// Percent of age-matched reference (Hologic "AM").
        PctAgeMatched => "pct_age_matched",
        /// FRAX 10-year probability of major osteoporotic fracture, %.
        FraxMajor => "frax_major",
        /// FRAX 10-year probability of hip fracture, %.
        FraxHip => "frax_hip",
        /// Trabecular bone score.
        Tbs => "tbs",
    }
}

impl Measure {
    /// Study-level measures (FRAX, TBS) belong to studies.csv, not to a region row.
    pub fn is_study_level(self) -> bool {
        matches!(self, Measure::FraxMajor | Measure::FraxHip | Measure::Tbs)
    }
}

vocabulary! {
    /// The scanned site a group of rows belongs to; it gives "Total" its meaning.
    Site {
        /// Lumbar spine (AP/PA).
        Spine => "spine",
        /// Proximal femur.
        Hip => "hip",
        /// Forearm.
        Forearm => "forearm",
        /// Total body.
        TotalBody => "total_body",
    }
}

vocabulary! {
    /// Normalised manufacturer (docs/columns.md studies.csv `manufacturer`).
    Manufacturer {
        /// Hologic (APEX: QDR, Discovery, Horizon).
        Hologic => "hologic",
        /// GE Healthcare Lunar (enCORE: Prodigy, iDXA, DPX).
        GeLunar => "ge_lunar",
        /// Anyone else, read through the generic and LOINC rules.
        Other => "other",
    }
}

vocabulary! {
    /// Which score and wording a study gets (clinical.md, "Who gets which score").
    Population {
        /// Women and men aged 50 and over: WHO categories from T-scores.
        AdultTScore => "adult_t_score",
        /// Aged 20 to 49: Z-score wording.
        AdultZScore => "adult_z_score",
        /// Under 20: Z-score wording, paediatric sites.
        Pediatric => "pediatric",
        /// No usable age.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// The densitometric category of a study (docs/columns.md studies.csv `classification`).
    Classification {
        /// T >= -1.0.
        Normal => "normal",
        /// -2.5 < T < -1.0 (low bone mass).
        Osteopenia => "osteopenia",
        /// T <= -2.5.
        Osteoporosis => "osteoporosis",
        /// Z <= -2.0.
        BelowExpectedRangeForAge => "below_expected_range_for_age",
        /// Z > -2.0.
        WithinExpectedRangeForAge => "within_expected_range_for_age",
        /// No diagnostic site has the score the population needs.
        Indeterminate => "indeterminate",
    }
}

/// Calibration sits with the vocabulary because profiles name it and documents carry it;
/// `normalise::standardise` holds its equations.
/// The scanner family whose calibration a BMD is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Calibration {
    /// Hologic: the scale NHANES III was measured on.
    Hologic,
    /// GE Lunar.
    GeLunar,
    /// Norland.
    Norland,
}

impl std::str::FromStr for Calibration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "hologic" => Ok(Calibration::Hologic),
            "ge_lunar" => Ok(Calibration::GeLunar),
            "norland" => Ok(Calibration::Norland),
            other => Err(format!(
                "unknown calibration {other:?} (expected hologic, ge_lunar, norland)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for region in Region::ALL {
            assert_eq!(region.as_str().parse::<Region>(), Ok(*region));
        }
        for measure in Measure::ALL {
            assert_eq!(measure.as_str().parse::<Measure>(), Ok(*measure));
        }
        assert!("hips".parse::<Site>().is_err());
    }

    #[test]
    fn region_order_is_contract_order() {
        assert!(Region::SpineL1 < Region::SpineL1L4);
        assert!(Region::SpineL3L4 < Region::FemoralNeck);
        assert!(Region::TotalBodyLessHead < Region::Other);
        assert_eq!(Region::ALL.len(), 30);
    }

    #[test]
    fn vertebrae_of_ranges() {
        assert_eq!(Region::SpineL2L4.vertebrae(), Some((2, 4)));
        assert_eq!(Region::FemoralNeck.vertebrae(), None);
        assert!(!Region::SpineL1L4.is_sided());
        assert!(Region::FemoralNeck.is_sided());
    }
}
