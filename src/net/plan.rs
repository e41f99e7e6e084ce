//! What `pull` retrieves (docs/network.md, "`pull`"): which studies, series and instances
//! can carry results, and, of those, what the archive lacks, in the order to ask for it.

use std::collections::BTreeSet;

use super::association::result_classes;
use super::find::InstanceMatch;
use super::retrieve::Target;

/// Whether a series of this modality can carry results: SR, or OT (secondary capture).
/// A series whose modality the PACS did not return is kept (its instances' classes decide).
pub fn series_carries_results(modality: Option<&str>) -> bool {
    modality.is_none_or(|m| {
        let m = m.trim();
        m.eq_ignore_ascii_case("SR") || m.eq_ignore_ascii_case("OT")
    })
}

/// Whether a study can hold results, by its Modalities in Study: any SR or OT series, or
/// unknown (a PACS need not return that key). Image-only studies are not queried further:
/// in a PACS they are nearly all the studies of a date range.
pub fn study_carries_results(modalities: &[String]) -> bool {
    modalities.is_empty() || modalities.iter().any(|m| series_carries_results(Some(m)))
}

/// Whether an instance of this SOP class can carry results (unknown: kept).
pub fn instance_carries_results(sop_class: Option<&str>) -> bool {
    sop_class.is_none_or(|class| result_classes().any(|c| c == class))
}

/// What one series needs.
#[derive(Debug)]
pub struct SeriesPlan {
    /// (0020,000D).
    pub study_uid: String,
    /// (0020,000E).
    pub series_uid: String,
    /// Every instance of the series is a result object and missing: one series-level
    /// retrieve is enough.
    pub whole: bool,
    /// The result instances not archived.
    pub missing: Vec<InstanceMatch>,
}

/// What the queries found, and what is to retrieve.
#[derive(Debug, Default)]
pub struct Plan {
    /// Studies the PACS matched.
    pub studies: usize,
    /// Series with something to retrieve.
    pub series: Vec<SeriesPlan>,
    /// Result objects the PACS listed.
    pub listed: usize,
    /// Of which already archived.
    pub archived: usize,
    /// Series with results of which everything is archived (not in `series`).
    pub fully_archived: usize,
}

impl Plan {
    /// Objects to retrieve.
    pub fn missing(&self) -> usize {
        self.series.iter().map(|s| s.missing.len()).sum()
    }

    /// The SOP classes to retrieve (every result class for an instance of unknown class).
    pub fn classes(&self) -> Vec<String> {
        let mut classes = BTreeSet::new();
        for instance in self.series.iter().flat_map(|s| &s.missing) {
            match &instance.sop_class {
                Some(class) => classes.insert(class.clone()),
                None => {
                    classes.extend(result_classes().map(String::from));
                    false
                }
            };
        }
        classes.into_iter().collect()
    }

    /// Studies with something to retrieve.
    pub fn studies_to_retrieve(&self) -> usize {
        self.series
            .iter()
            .map(|s| &s.study_uid)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// What to ask for, in order, each with the (1-based) number of its study.
    pub fn targets(&self) -> Vec<(usize, Target)> {
        let mut targets = Vec::new();
        let mut study = 0;
        let mut previous: Option<&str> = None;
        for series in &self.series {
            if previous != Some(series.study_uid.as_str()) {
                study += 1;
                previous = Some(&series.study_uid);
            }
            let target = |sop_instance| Target {
                study_uid: series.study_uid.clone(),
                series_uid: series.series_uid.clone(),
                sop_instance,
            };
            if series.whole {
                targets.push((study, target(None)));
            } else {
                for instance in &series.missing {
                    targets.push((study, target(Some(instance.sop_instance.clone()))));
                }
            }
        }
        targets
    }

    /// The studies with something to retrieve: what the C-MOVE receiver accepts.
    pub fn study_uids(&self) -> impl Iterator<Item = String> + '_ {
        self.series.iter().map(|s| s.study_uid.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_result_series_are_kept() {
        assert!(series_carries_results(Some("SR")));
        assert!(series_carries_results(Some("OT ")));
        assert!(series_carries_results(Some("sr")));
        assert!(series_carries_results(None));
        for image in ["CT", "MR", "DX", "PT", "DOC", "BMD"] {
            assert!(!series_carries_results(Some(image)), "{image}");
        }
    }

    #[test]
    fn image_only_studies_are_not_queried_further() {
        let list = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(study_carries_results(&list(&["CT", "SR"])));
        assert!(study_carries_results(&list(&["OT"])));
        assert!(study_carries_results(&list(&[])), "not returned: kept");
        assert!(!study_carries_results(&list(&["CT", "MR"])));
    }

    #[test]
    fn only_result_instances_are_kept() {
        assert!(instance_carries_results(Some(
            "1.2.840.10008.5.1.4.1.1.88.22"
        )));
        assert!(instance_carries_results(Some("1.2.840.10008.5.1.4.1.1.7")));
        assert!(instance_carries_results(None));
        // Encapsulated PDF in an OT series: not read by the scan, not fetched.
        assert!(!instance_carries_results(Some(
            "1.2.840.10008.5.1.4.1.1.104.1"
        )));
    }

    #[test]
    fn a_partly_archived_series_is_retrieved_instance_by_instance() {
        let instance = |sop: &str| InstanceMatch {
            sop_instance: sop.into(),
            sop_class: Some("1.2.840.10008.5.1.4.1.1.88.22".into()),
        };
        let plan = Plan {
            studies: 1,
            series: vec![
                SeriesPlan {
                    study_uid: "1.1".into(),
                    series_uid: "1.1.1".into(),
                    whole: true,
                    missing: vec![instance("1.1.1.1"), instance("1.1.1.2")],
                },
                SeriesPlan {
                    study_uid: "1.1".into(),
                    series_uid: "1.1.2".into(),
                    whole: false,
                    missing: vec![instance("1.1.2.2")],
                },
            ],
            listed: 4,
            archived: 1,
            fully_archived: 0,
        };
        let targets = plan.targets();
        assert_eq!(targets.len(), 2);
        assert_eq!(
            targets[0],
            (
                1,
                Target {
                    study_uid: "1.1".into(),
                    series_uid: "1.1.1".into(),
                    sop_instance: None,
                }
            )
        );
        assert_eq!(targets[1].1.sop_instance.as_deref(), Some("1.1.2.2"));
        assert_eq!(targets[1].0, 1, "same study");
        assert_eq!(plan.studies_to_retrieve(), 1);
        assert_eq!(plan.missing(), 3);
        assert_eq!(
            plan.classes(),
            vec!["1.2.840.10008.5.1.4.1.1.88.22".to_string()]
        );
    }
}
