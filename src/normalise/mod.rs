//! Normalisation across manufacturers: values into the contract's units (`units`; a body's
//! height and weight: `body`), and the published cross-calibration that makes Hologic, GE
//! Lunar and Norland BMD comparable for pooled cohorts (`standardise`: sBMD and NHANES III
//! T-scores).

pub mod body;
pub mod standardise;
pub mod units;

pub use standardise::{nhanes_t_score, standardised_bmd};
pub use units::{TreeUnits, UnitError, to_contract_unit};
