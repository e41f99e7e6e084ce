//! Diagnostic sites (clinical.md, "Diagnostic sites"; ISCD Official Positions 2019/2023):
//! - PA lumbar spine: the reported L1-L4, else the widest reported range of >= 2 vertebrae;
//!   never a single vertebra;
//! - femoral neck and total hip, each side; never the dual-femur mean (ISCD 2023);
//! - the 33 % radius only when no valid spine or hip result exists (or by option);
//! - children: PA spine and total body less head (ISCD pediatric positions).
//!
//! Every row not used gets a note that says why.

use super::exam::{ClassifyOptions, Exam};
use super::flag::AssessmentFlag;
use super::row::{Note, RowAssessment};
use crate::decimal::Decimal;
use crate::document::Measurement;
use crate::vocabulary::{Laterality, Population, Region};

/// The rows that are diagnostic sites, and those of them that have the needed score.
pub struct Selection {
    /// Diagnostic-site rows, whether or not they have the score.
    pub candidates: Vec<usize>,
    /// Candidates with the population's score: they decide.
    pub used: Vec<usize>,
    /// The flag to raise when nothing is used.
    pub why_none: AssessmentFlag,
}

/// The score the population is classified on, at its reported one decimal.
pub fn score(m: &Measurement, population: Population) -> Option<Decimal> {
    match population {
        Population::AdultTScore => m.t_score,
        Population::AdultZScore | Population::Pediatric => m.z_score,
        Population::Unknown => None,
    }
    .map(|s| s.round_to(1))
}

fn score_name(population: Population) -> &'static str {
    match population {
        Population::AdultTScore => "T-score",
        _ => "Z-score",
    }
}

/// Chooses the diagnostic sites and notes every row.
pub fn select(
    exam: &Exam,
    population: Population,
    options: &ClassifyOptions,
    rows: &mut [RowAssessment],
) -> Selection {
    let ms = &exam.measurements;
    let spine = pa_spine(ms);
    let pediatric = population == Population::Pediatric;
    let mut candidates = Vec::new();
    let mut radius = Vec::new();

    for (i, m) in ms.iter().enumerate() {
        let note = match m.region {
            _ if Some(i) == spine => {
                candidates.push(i);
                None
            }
            r if r.vertebrae().is_some_and(|(a, b)| a == b) => {
                Some("single vertebra: not a diagnostic site".into())
            }
            r if r.vertebrae().is_some() => Some(
                [
                    r.as_str(),
                    " not used: ",
                    spine.map_or("-", |s| ms[s].region.as_str()),
                    " is the reported PA spine",
                ]
                .concat()
                .into(),
            ),
            Region::FemoralNeck | Region::TotalHip if pediatric => {
                Some("hip: not a diagnostic site in children (ISCD pediatric)".into())
            }
            Region::FemoralNeck | Region::TotalHip if m.laterality == Laterality::Mean => Some(
                "dual femur mean: not used for diagnosis (ISCD 2023), for monitoring".into(),
            ),
            Region::FemoralNeck | Region::TotalHip => {
                candidates.push(i);
                None
            }
            Region::Radius33 if !pediatric && m.laterality != Laterality::Mean => {
                radius.push(i);
                None
            }
            Region::TotalBodyLessHead if pediatric => {
                candidates.push(i);
                None
            }
            Region::TotalBody if pediatric => Some(
                "total body with head: children are assessed on total body less head (ISCD pediatric)"
                    .into(),
            ),
            Region::TotalBody | Region::TotalBodyLessHead => {
                Some("total body: not a diagnostic site in adults".into())
            }
            Region::Other => Some("region not identified".into()),
            // Concatenated, not formatted: a note on most rows of most visits.
            r => Some([r.as_str(), ": not a diagnostic site (ISCD)"].concat().into()),
        };
        if let Some(note) = note {
            rows[i].notes.push(note);
        }
    }

    let has_score = |i: &usize| score(ms[*i], population).is_some();
    // ISCD: the 33 % radius when hip and spine cannot be measured or interpreted.
    let spine_or_hip_valid = candidates.iter().any(has_score);
    for &i in &radius {
        if options.radius_diagnostic || !spine_or_hip_valid {
            candidates.push(i);
        } else {
            rows[i]
                .notes
                .push("radius_33 not used: hip/spine available".into());
        }
    }
    candidates.sort_unstable();

    let mut used = Vec::new();
    for &i in &candidates {
        if population == Population::Unknown {
            rows[i].notes.push("not classified: age unknown".into());
        } else if has_score(&i) {
            rows[i].used_for_diagnosis = true;
            used.push(i);
            if let Some(raw) = match population {
                Population::AdultTScore => ms[i].t_score,
                _ => ms[i].z_score,
            }
            .filter(|raw| *raw != raw.round_to(1))
            {
                rows[i].notes.push(Note::from(format!(
                    "{} {raw} classified at one decimal as {}",
                    score_name(population),
                    raw.round_to(1)
                )));
            }
        } else {
            // Fail closed: never substitute the other score (clinical.md).
            rows[i].notes.push(Note::from(format!(
                "no {} reported: not usable for this population",
                score_name(population)
            )));
        }
    }

    let why_none = if candidates.is_empty() {
        AssessmentFlag::NoDiagnosticSite
    } else {
        match population {
            Population::AdultTScore => AssessmentFlag::NoTScoreAtDiagnosticSites,
            _ => AssessmentFlag::NoZScoreAtDiagnosticSites,
        }
    };
    Selection {
        candidates,
        used,
        why_none,
    }
}

/// The PA spine row: L1-L4, else the widest range of two or more vertebrae (ties: the
/// first in region order, i.e. the most cranial).
pub fn pa_spine(ms: &[&Measurement]) -> Option<usize> {
    if let Some(i) = ms.iter().position(|m| m.region == Region::SpineL1L4) {
        return Some(i);
    }
    ms.iter()
        .enumerate()
        .filter_map(|(i, m)| m.region.vertebrae().map(|(a, b)| (b - a, i)))
        .filter(|(width, _)| *width >= 1)
        .min_by(|(wa, ia), (wb, ib)| wb.cmp(wa).then(ia.cmp(ib)))
        .map(|(_, i)| i)
}

/// Whether `name` is `m.site_name()` (`region` or `region/side`), without making it: the
/// basis site is looked for among a visit's rows (docs/performance.md).
pub fn is_site(m: &crate::document::Measurement, name: &str) -> bool {
    let region = m.region.as_str();
    match m.laterality {
        crate::vocabulary::Laterality::None => name == region,
        side => name
            .strip_prefix(region)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| rest == side.as_str()),
    }
}

/// `m.site_name()` pushed, not `format!`ed (a basis site per visit: docs/performance.md).
pub fn site_text(m: &crate::document::Measurement) -> String {
    let region = m.region.as_str();
    match m.laterality {
        crate::vocabulary::Laterality::None => region.to_string(),
        side => {
            let side = side.as_str();
            let mut name = String::with_capacity(region.len() + 1 + side.len());
            name.push_str(region);
            name.push('/');
            name.push_str(side);
            name
        }
    }
}

#[cfg(test)]
mod site_tests {
    use super::{is_site, site_text};
    use crate::document::Measurement;
    use crate::vocabulary::{Laterality, Region};

    /// `is_site` answers as comparing with `site_name` does, for every region and side
    /// against every name.
    #[test]
    fn is_site_is_the_site_name_compared() {
        let all: Vec<Measurement> = Region::ALL
            .iter()
            .flat_map(|&r| {
                Laterality::ALL
                    .iter()
                    .map(move |&l| Measurement::new(r, l, ""))
            })
            .collect();
        let mut names: Vec<String> = all.iter().map(Measurement::site_name).collect();
        names
            .extend(["", "/", "total_hip/", "total_hipleft", "total_hip/left/x"].map(String::from));
        let mut matched = 0;
        for m in &all {
            assert_eq!(site_text(m), m.site_name(), "{m:?}");
            for name in &names {
                assert_eq!(is_site(m, name), m.site_name() == *name, "{m:?} {name}");
                matched += usize::from(is_site(m, name));
            }
        }
        assert_eq!(matched, all.len());
    }
}
