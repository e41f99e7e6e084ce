//! C-FIND service user (Study Root, PS3.4 C.6.2): studies in a date range (and of one
//! patient), the series of a study, the instances of a series. `pull` asks down to the
//! instance level so that it can tell, per SOP Instance UID, what the archive already holds
//! before retrieving anything.

use dicom_core::{Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::association::{self, ConnectError, QUERY_SYNTAXES, STUDY_ROOT_FIND};
use super::client::{Client, OperationDeadline, text};
use super::dimse::{self, DimseError, Incoming, field, status};
use super::wire;
use super::{NetOptions, PeerAddress, StudyQuery};

/// Series of one study kept from a C-FIND: a DXA study has a handful; more than this is not
/// a study a scanner wrote (docs/network.md, "Limits").
pub const MAX_SERIES_PER_STUDY: usize = 10_000;
/// Instances of one series kept from a C-FIND (a results series holds a few).
pub const MAX_INSTANCES_PER_SERIES: usize = 100_000;

/// A study the PACS matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyMatch {
    /// (0020,000D).
    pub study_uid: String,
    /// (0008,0061) Modalities in Study, when the PACS returned it (an optional key).
    pub modalities: Vec<String>,
}

/// A series of a study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesMatch {
    /// (0020,000E).
    pub series_uid: String,
    /// (0008,0060), when the PACS returned it.
    pub modality: Option<String>,
}

/// An instance of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceMatch {
    /// (0008,0018).
    pub sop_instance: String,
    /// (0008,0016), when the PACS returned it.
    pub sop_class: Option<String>,
}

/// A query that failed after the association was made.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// The exchange broke.
    #[error("C-FIND failed: {0}")]
    Dimse(#[from] DimseError),
    /// The PACS answered with a failure status.
    #[error("C-FIND refused by the PACS: status {status:04X}H{}", comment.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Status {
        /// The status.
        status: u16,
        /// Its Error Comment.
        comment: Option<String>,
    },
    /// The PACS ended the association in the middle of a query.
    #[error("the PACS ended the association during a query")]
    Ended,
    /// More matches than the limit: the query was abandoned.
    #[error("more than {limit} {what} match ({flag})")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// What raises it, or why it is fixed.
        flag: &'static str,
    },
}

/// An association for queries.
pub struct Finder {
    client: Client,
}

impl Finder {
    /// Associates with the PACS for Study Root C-FIND.
    pub fn connect(
        peer: &PeerAddress,
        net: &NetOptions,
        tls: Option<&std::sync::Arc<rustls::ClientConfig>>,
        deadline: Option<&OperationDeadline>,
    ) -> Result<Finder, ConnectError> {
        let contexts = [(
            STUDY_ROOT_FIND.to_string(),
            QUERY_SYNTAXES.iter().map(|s| s.to_string()).collect(),
        )];
        let association = association::connect(peer, net, tls, &contexts, &[])?;
        let client = Client::on(
            association,
            STUDY_ROOT_FIND,
            wire::MAX_IDENTIFIER_BYTES as u64,
            peer,
            "it does not offer Study Root C-FIND",
            deadline,
        )?;
        Ok(Finder { client })
    }

    /// Studies in the date range (and of the patient) of `query`, at most `max_studies`:
    /// one more ends the query with [`FindError::TooMany`].
    pub fn studies(
        &mut self,
        query: &StudyQuery,
        max_studies: usize,
    ) -> Result<Vec<StudyMatch>, FindError> {
        let date_range = match (&query.since, &query.until) {
            (None, None) => String::new(),
            (since, until) => format!(
                "{}-{}",
                since.as_deref().unwrap_or(""),
                until.as_deref().unwrap_or("")
            ),
        };
        let identifier = InMemDicomObject::from_element_iter([
            text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, "STUDY"),
            text(tags::STUDY_DATE, VR::DA, &date_range),
            text(tags::MODALITIES_IN_STUDY, VR::CS, ""),
            text(
                tags::PATIENT_ID,
                VR::LO,
                query.patient_id.as_deref().unwrap_or(""),
            ),
            text(tags::STUDY_INSTANCE_UID, VR::UI, ""),
        ]);
        self.find(
            &identifier,
            (max_studies, "studies", "--max-studies"),
            study_match,
        )
    }

    /// The series of a study.
    pub fn series(&mut self, study_uid: &str) -> Result<Vec<SeriesMatch>, FindError> {
        let identifier = InMemDicomObject::from_element_iter([
            text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, "SERIES"),
            text(tags::MODALITY, VR::CS, ""),
            text(tags::STUDY_INSTANCE_UID, VR::UI, study_uid),
            text(tags::SERIES_INSTANCE_UID, VR::UI, ""),
        ]);
        let limit = (MAX_SERIES_PER_STUDY, "series in one study", "a fixed limit");
        self.find(&identifier, limit, series_match)
    }

    /// The instances of a series.
    pub fn instances(
        &mut self,
        study_uid: &str,
        series_uid: &str,
    ) -> Result<Vec<InstanceMatch>, FindError> {
        let identifier = InMemDicomObject::from_element_iter([
            text(tags::SOP_CLASS_UID, VR::UI, ""),
            text(tags::SOP_INSTANCE_UID, VR::UI, ""),
            text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, "IMAGE"),
            text(tags::STUDY_INSTANCE_UID, VR::UI, study_uid),
            text(tags::SERIES_INSTANCE_UID, VR::UI, series_uid),
        ]);
        let limit = (
            MAX_INSTANCES_PER_SERIES,
            "instances in one series",
            "a fixed limit",
        );
        self.find(&identifier, limit, instance_match)
    }

    /// Releases the association (errors ignored: the queries are done).
    pub fn release(self) {
        self.client.release();
    }

    /// Runs one C-FIND; each match is turned into a `T` as it arrives (a match without the
    /// key `keep` needs is dropped), so that memory holds the UIDs kept, not the identifiers
    /// received. More than `limit.0` matches: the association is aborted (the PACS may still
    /// be sending) and the query fails.
    fn find<T>(
        &mut self,
        identifier: &InMemDicomObject,
        limit: (usize, &'static str, &'static str),
        keep: fn(&InMemDicomObject) -> Option<T>,
    ) -> Result<Vec<T>, FindError> {
        self.client.request(
            |id| dimse::request(field::C_FIND_RQ, id, STUDY_ROOT_FIND),
            identifier,
        )?;
        let mut matches = Vec::new();
        loop {
            let message = match self.client.receive()? {
                Incoming::Message(message) => message,
                Incoming::Released | Incoming::Aborted => return Err(FindError::Ended),
            };
            if message.command.field != field::C_FIND_RSP {
                return Err(DimseError::Protocol(format!(
                    "expected a C-FIND response, got command {:04X}H",
                    message.command.field
                ))
                .into());
            }
            let code = message.command.status.unwrap_or(status::SUCCESS);
            if status::is_pending(code) {
                match message.data {
                    dimse::Data::Received(bytes) => {
                        let identifier = wire::parse_identifier(&self.client.syntax, &bytes)
                            .map_err(DimseError::from)?;
                        if let Some(kept) = keep(&identifier) {
                            if matches.len() >= limit.0 {
                                return Err(FindError::TooMany {
                                    what: limit.1,
                                    limit: limit.0,
                                    flag: limit.2,
                                });
                            }
                            matches.push(kept);
                        }
                    }
                    dimse::Data::TooLarge(size) => {
                        return Err(DimseError::Wire(wire::WireError::TooLarge {
                            what: "identifier",
                            size: size as usize,
                            limit: wire::MAX_IDENTIFIER_BYTES,
                        })
                        .into());
                    }
                    dimse::Data::None => {}
                }
            } else if code == status::SUCCESS || status::is_warning(code) {
                return Ok(matches);
            } else {
                return Err(FindError::Status {
                    status: code,
                    comment: message.command.error_comment,
                });
            }
        }
    }
}

/// A study match: its UID (required) and its modalities (optional).
pub fn study_match(m: &InMemDicomObject) -> Option<StudyMatch> {
    Some(StudyMatch {
        study_uid: value(m, tags::STUDY_INSTANCE_UID)?,
        modalities: value(m, tags::MODALITIES_IN_STUDY)
            .map(|all| all.split('\\').map(|m| m.trim().to_string()).collect())
            .unwrap_or_default(),
    })
}

/// A series match: its UID (required) and modality (optional).
pub fn series_match(m: &InMemDicomObject) -> Option<SeriesMatch> {
    Some(SeriesMatch {
        series_uid: value(m, tags::SERIES_INSTANCE_UID)?,
        modality: value(m, tags::MODALITY),
    })
}

/// An instance match: its SOP Instance UID (required) and SOP class (optional).
pub fn instance_match(m: &InMemDicomObject) -> Option<InstanceMatch> {
    Some(InstanceMatch {
        sop_instance: value(m, tags::SOP_INSTANCE_UID)?,
        sop_class: value(m, tags::SOP_CLASS_UID),
    })
}

fn value(object: &InMemDicomObject, tag: Tag) -> Option<String> {
    let text = object.get(tag)?.to_str().ok()?;
    let text = text.trim_matches(['\0', ' ']);
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_core::PrimitiveValue;

    fn object(elements: &[(Tag, VR, &str)]) -> InMemDicomObject {
        InMemDicomObject::from_element_iter(elements.iter().map(|(tag, vr, value)| {
            dicom_core::DataElement::new(*tag, *vr, PrimitiveValue::from(*value))
        }))
    }

    #[test]
    fn matches_keep_their_keys_trimmed_and_need_their_uid() {
        let study = object(&[
            (tags::STUDY_INSTANCE_UID, VR::UI, "1.2.3\0"),
            (tags::MODALITIES_IN_STUDY, VR::CS, "CT\\SR "),
        ]);
        assert_eq!(
            study_match(&study),
            Some(StudyMatch {
                study_uid: "1.2.3".into(),
                modalities: vec!["CT".into(), "SR".into()],
            })
        );
        assert_eq!(
            study_match(&object(&[(tags::MODALITIES_IN_STUDY, VR::CS, "SR")])),
            None
        );
        let series = object(&[
            (tags::SERIES_INSTANCE_UID, VR::UI, "1.2.3.4"),
            (tags::MODALITY, VR::CS, "  "),
        ]);
        assert_eq!(
            series_match(&series),
            Some(SeriesMatch {
                series_uid: "1.2.3.4".into(),
                modality: None,
            })
        );
        let instance = object(&[
            (tags::SOP_INSTANCE_UID, VR::UI, "1.2.3.4.5"),
            (tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.88.22"),
        ]);
        assert_eq!(
            instance_match(&instance).map(|i| i.sop_class),
            Some(Some("1.2.840.10008.5.1.4.1.1.88.22".into()))
        );
        assert_eq!(instance_match(&object(&[])), None);
    }

    #[test]
    fn too_many_matches_say_what_raises_the_limit() {
        let error = FindError::TooMany {
            what: "studies",
            limit: 3,
            flag: "--max-studies",
        };
        assert_eq!(
            error.to_string(),
            "more than 3 studies match (--max-studies)"
        );
    }
}
