//! The WHO bands of a T-score and the histogram bins the report draws them with.
//!
//! The classifier decides on the reported one-decimal T (docs/clinical.md, "Categories";
//! WHO 1994): osteoporosis T <= -2.5, osteopenia -2.5 < T < -1.0, normal T >= -1.0. So
//! -2.5 is osteoporosis and -1.0 is normal. T-scores are counted in tenths (the integer
//! `round(T x 10)`), and every bin is a run of whole tenths that lies inside one band: a bin
//! never straddles a threshold, and a band's count is the sum of its bins (docs/report.md,
//! "WHO bands").

use crate::decimal::Decimal;

/// The highest T, in tenths, that is osteoporosis: -2.5 (docs/clinical.md; WHO 1994).
pub const OSTEOPOROSIS_MAX_TENTHS: i32 = -25;
/// The lowest T, in tenths, that is normal: -1.0 (docs/clinical.md; WHO 1994).
pub const NORMAL_MIN_TENTHS: i32 = -10;
/// T-scores are kept within +-10.0 (counts beyond go to the end bins anyway), so that a
/// nonsense value cannot grow the counts.
const TENTHS_LIMIT: i32 = 100;

/// A WHO band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    /// T <= -2.5.
    Osteoporosis,
    /// -2.5 < T < -1.0.
    Osteopenia,
    /// T >= -1.0.
    Normal,
}

impl Band {
    /// The three bands, lowest T first.
    pub const ALL: [Band; 3] = [Band::Osteoporosis, Band::Osteopenia, Band::Normal];

    /// The classification it matches in studies.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Osteoporosis => "osteoporosis",
            Band::Osteopenia => "osteopenia",
            Band::Normal => "normal",
        }
    }

    /// Its rule on the one-decimal T, as the page writes it.
    pub fn rule(self) -> &'static str {
        match self {
            Band::Osteoporosis => "T ≤ −2.5",
            Band::Osteopenia => "−2.5 < T < −1.0",
            Band::Normal => "T ≥ −1.0",
        }
    }
}

/// The band of a T-score given in tenths.
pub fn band(tenths: i32) -> Band {
    if tenths <= OSTEOPOROSIS_MAX_TENTHS {
        Band::Osteoporosis
    } else if tenths < NORMAL_MIN_TENTHS {
        Band::Osteopenia
    } else {
        Band::Normal
    }
}

/// A T-score as whole tenths of its one-decimal value (rounded as the classifier rounds),
/// kept within +-10.0.
pub fn tenths(t: Decimal) -> i32 {
    let (mantissa, scale) = t.round_to(1).to_parts();
    let tenths = if scale == 0 {
        mantissa.saturating_mul(10)
    } else {
        mantissa
    };
    tenths.clamp(-i64::from(TENTHS_LIMIT), i64::from(TENTHS_LIMIT)) as i32
}

/// One histogram bin: the tenths from `low` to `high`, both included; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bin {
    /// Lowest tenth counted, or every lower value.
    pub low: Option<i32>,
    /// Highest tenth counted, or every higher value.
    pub high: Option<i32>,
}

/// The bins, lowest first: half a point wide, except that the osteopenia band
/// (-2.4 to -1.1, fourteen tenths) ends with a bin of four tenths so that -1.0 starts the
/// normal band. Osteoporosis bins end on -2.5, -3.0, ...; normal bins start on -1.0, -0.5, ...
pub const BINS: [Bin; 15] = [
    Bin {
        low: None,
        high: Some(-45),
    },
    Bin {
        low: Some(-44),
        high: Some(-40),
    },
    Bin {
        low: Some(-39),
        high: Some(-35),
    },
    Bin {
        low: Some(-34),
        high: Some(-30),
    },
    Bin {
        low: Some(-29),
        high: Some(-25),
    },
    Bin {
        low: Some(-24),
        high: Some(-20),
    },
    Bin {
        low: Some(-19),
        high: Some(-15),
    },
    Bin {
        low: Some(-14),
        high: Some(-11),
    },
    Bin {
        low: Some(-10),
        high: Some(-6),
    },
    Bin {
        low: Some(-5),
        high: Some(-1),
    },
    Bin {
        low: Some(0),
        high: Some(4),
    },
    Bin {
        low: Some(5),
        high: Some(9),
    },
    Bin {
        low: Some(10),
        high: Some(14),
    },
    Bin {
        low: Some(15),
        high: Some(19),
    },
    Bin {
        low: Some(20),
        high: None,
    },
];

impl Bin {
    /// Whether the bin counts this tenth.
    pub fn holds(self, tenths: i32) -> bool {
        self.low.is_none_or(|low| tenths >= low) && self.high.is_none_or(|high| tenths <= high)
    }

    /// The band every value of the bin is in.
    pub fn band(self) -> Band {
        band(self.low.or(self.high).unwrap_or(0))
    }

    /// The bin as the page labels it: "≤ −4.5", "−2.9 to −2.5", "≥ 2.0".
    pub fn label(self) -> String {
        match (self.low, self.high) {
            (None, Some(high)) => format!("≤ {}", tenths_text(high)),
            (Some(low), None) => format!("≥ {}", tenths_text(low)),
            (Some(low), Some(high)) => format!("{} to {}", tenths_text(low), tenths_text(high)),
            (None, None) => "all".to_string(),
        }
    }
}

/// The index of the bin that counts a tenth.
pub fn bin_of(tenths: i32) -> usize {
    BINS.iter()
        .position(|b| b.holds(tenths))
        .expect("the bins cover every tenth: open at both ends")
}

/// Counts by tenth gathered into the bins.
pub fn binned<'a>(counts: impl IntoIterator<Item = (&'a i32, &'a u64)>) -> [u64; BINS.len()] {
    let mut out = [0u64; BINS.len()];
    for (&tenths, &n) in counts {
        let bin = &mut out[bin_of(tenths)];
        *bin = bin.saturating_add(n);
    }
    out
}

/// Counts by tenth summed per band, in `Band::ALL` order.
pub fn per_band<'a>(counts: impl IntoIterator<Item = (&'a i32, &'a u64)>) -> [u64; 3] {
    let mut out = [0u64; 3];
    for (&tenths, &n) in counts {
        let i = band(tenths) as usize;
        out[i] = out[i].saturating_add(n);
    }
    out
}

/// "−2.5": one decimal, with a true minus sign.
pub fn tenths_text(tenths: i32) -> String {
    let sign = if tenths < 0 { "−" } else { "" };
    let abs = tenths.unsigned_abs();
    format!("{sign}{}.{}", abs / 10, abs % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> i32 {
        tenths(Decimal::parse(text).expect("decimal"))
    }

    #[test]
    fn thresholds_match_the_classifier() {
        // -2.5 is osteoporosis, -2.4 osteopenia, -1.1 osteopenia, -1.0 normal.
        assert_eq!(band(t("-2.5")), Band::Osteoporosis);
        assert_eq!(band(t("-2.4")), Band::Osteopenia);
        assert_eq!(band(t("-1.1")), Band::Osteopenia);
        assert_eq!(band(t("-1.0")), Band::Normal);
        // The same decisions as classify::who_category on the same one-decimal values,
        // including values written with more decimals (-2.45 rounds to -2.5).
        for text in [
            "-2.5", "-2.4", "-1.0", "-1.1", "-2.45", "-2.44", "-1.05", "-1.04", "-6", "3.2",
        ] {
            let value = Decimal::parse(text).expect("decimal");
            assert_eq!(
                band(tenths(value)).as_str(),
                crate::classify::who_category(value).as_str(),
                "{text}"
            );
        }
    }

    #[test]
    fn bins_sit_inside_one_band_and_cover_every_tenth() {
        for pair in BINS.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert_eq!(
                a.high.map(|h| h + 1),
                b.low,
                "{a:?} then {b:?}: no gap, no overlap"
            );
        }
        for bin in BINS {
            if let (Some(low), Some(high)) = (bin.low, bin.high) {
                assert_eq!(band(low), band(high), "{bin:?} straddles a threshold");
            }
        }
        for tenths in -120..=120 {
            assert_eq!(BINS[bin_of(tenths)].band(), band(tenths), "{tenths}");
        }
    }

    #[test]
    fn threshold_values_land_in_the_right_bins() {
        let at = |text: &str| BINS[bin_of(t(text))];
        assert_eq!(at("-2.5").label(), "−2.9 to −2.5");
        assert_eq!(at("-2.4").label(), "−2.4 to −2.0");
        assert_eq!(at("-1.1").label(), "−1.4 to −1.1");
        assert_eq!(at("-1.0").label(), "−1.0 to −0.6");
        assert_eq!(at("-7.3").label(), "≤ −4.5");
        assert_eq!(at("2.0").label(), "≥ 2.0");
        assert_eq!(at("0.0").label(), "0.0 to 0.4");
        assert_eq!(at("-0.1").label(), "−0.5 to −0.1");
    }

    #[test]
    fn counts_go_to_bins_and_bands() {
        let counts: std::collections::BTreeMap<i32, u64> =
            [(-25, 2), (-24, 3), (-11, 4), (-10, 5), (-90, 1), (45, 1)]
                .into_iter()
                .collect();
        let bins = binned(&counts);
        assert_eq!(bins[bin_of(-25)], 2);
        assert_eq!(bins[bin_of(-24)], 3);
        assert_eq!(bins[bin_of(-11)], 4);
        assert_eq!(bins[bin_of(-10)], 5);
        assert_eq!(bins[0], 1);
        assert_eq!(bins[BINS.len() - 1], 1);
        assert_eq!(per_band(&counts), [3, 7, 6]);
        assert_eq!(bins.iter().sum::<u64>(), 16);
    }

    #[test]
    fn tenths_round_and_clamp() {
        assert_eq!(t("-2.45"), -25);
        assert_eq!(t("-2.44"), -24);
        assert_eq!(t("-3"), -30);
        assert_eq!(t("0.04"), 0);
        assert_eq!(t("-99"), -100);
        assert_eq!(t("1e3"), 100);
        assert_eq!(tenths_text(-25), "−2.5");
        assert_eq!(tenths_text(-5), "−0.5");
        assert_eq!(tenths_text(0), "0.0");
        assert_eq!(tenths_text(12), "1.2");
    }
}
