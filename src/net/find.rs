//! C-FIND service user (Study Root, PS3.4 C.6.2): studies in a date range (and of one
//! patient), the series of a study, the instances of a series. `pull` asks down to the
//! instance level so that it can tell, per SOP Instance UID, what the archive already holds
//! before retrieving anything.

use dicom_core::{Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::association::{self, ConnectError, QUERY_SYNTAXES, STUDY_ROOT_FIND};
use super::client::{Client, text};
use super::dimse::{self, DimseError, Incoming, field, status};
use super::wire;
use super::{NetOptions, PeerAddress, StudyQuery};

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
}

/// An association for queries.
pub struct Finder {
    client: Client,
}

impl Finder {
    /// Associates with the PACS for Study Root C-FIND.
    pub fn connect(peer: &PeerAddress, net: &NetOptions) -> Result<Finder, ConnectError> {
        let contexts = [(
            STUDY_ROOT_FIND.to_string(),
            QUERY_SYNTAXES.iter().map(|s| s.to_string()).collect(),
        )];
        let association = association::connect(peer, net, &contexts, &[])?;
        let client = Client::on(
            association,
            STUDY_ROOT_FIND,
            wire::MAX_IDENTIFIER_BYTES as u64,
            peer,
            "it does not offer Study Root C-FIND",
        )?;
        Ok(Finder { client })
    }

    /// Studies in the date range (and of the patient) of `query`.
    pub fn studies(&mut self, query: &StudyQuery) -> Result<Vec<StudyMatch>, FindError> {
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
        let matches = self.find(&identifier)?;
        Ok(matches
            .iter()
            .filter_map(|m| {
                Some(StudyMatch {
                    study_uid: value(m, tags::STUDY_INSTANCE_UID)?,
                    modalities: value(m, tags::MODALITIES_IN_STUDY)
                        .map(|all| all.split('\\').map(|m| m.trim().to_string()).collect())
                        .unwrap_or_default(),
                })
            })
            .collect())
    }

    /// The series of a study.
    pub fn series(&mut self, study_uid: &str) -> Result<Vec<SeriesMatch>, FindError> {
        let identifier = InMemDicomObject::from_element_iter([
            text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, "SERIES"),
            text(tags::MODALITY, VR::CS, ""),
            text(tags::STUDY_INSTANCE_UID, VR::UI, study_uid),
            text(tags::SERIES_INSTANCE_UID, VR::UI, ""),
        ]);
        let matches = self.find(&identifier)?;
        Ok(matches
            .iter()
            .filter_map(|m| {
                Some(SeriesMatch {
                    series_uid: value(m, tags::SERIES_INSTANCE_UID)?,
                    modality: value(m, tags::MODALITY),
                })
            })
            .collect())
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
        let matches = self.find(&identifier)?;
        Ok(matches
            .iter()
            .filter_map(|m| {
                Some(InstanceMatch {
                    sop_instance: value(m, tags::SOP_INSTANCE_UID)?,
                    sop_class: value(m, tags::SOP_CLASS_UID),
                })
            })
            .collect())
    }

    /// Releases the association (errors ignored: the queries are done).
    pub fn release(self) {
        self.client.release();
    }

    fn find(&mut self, identifier: &InMemDicomObject) -> Result<Vec<InMemDicomObject>, FindError> {
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
                    dimse::Data::Received(bytes) => matches.push(
                        wire::parse_identifier(&self.client.syntax, &bytes)
                            .map_err(DimseError::from)?,
                    ),
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

fn value(object: &InMemDicomObject, tag: Tag) -> Option<String> {
    let text = object.get(tag)?.to_str().ok()?;
    let text = text.trim_matches(['\0', ' ']);
    (!text.is_empty()).then(|| text.to_string())
}
