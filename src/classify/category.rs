//! The category of a score: WHO 1994 for T-scores, the ISCD wording for Z-scores.

use crate::decimal::{Decimal, dec};
use crate::vocabulary::Classification;

/// WHO 1994 on the reported one-decimal T-score: osteoporosis T <= -2.5, osteopenia (low
/// bone mass) -2.5 < T < -1.0, normal T >= -1.0. -2.4 is osteopenia.
pub fn who_category(t: Decimal) -> Classification {
    let t = t.round_to(1);
    if t <= dec!("-2.5") {
        Classification::Osteoporosis
    } else if t < dec!("-1.0") {
        Classification::Osteopenia
    } else {
        Classification::Normal
    }
}

/// ISCD wording for Z-scores (adults 20-49 and children): Z <= -2.0 is "below the expected
/// range for age", never osteoporosis from density alone.
pub fn z_wording(z: Decimal) -> Classification {
    if z.round_to(1) <= dec!("-2.0") {
        Classification::BelowExpectedRangeForAge
    } else {
        Classification::WithinExpectedRangeForAge
    }
}
