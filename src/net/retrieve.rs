//! C-GET and C-MOVE service users (Study Root, PS3.4 C.4.2 and C.4.3).
//!
//! C-GET (the default) brings objects back on the association that asked for them: the PACS
//! sends a C-STORE request per object, which we answer as a storage SCP (role selection
//! negotiated per storage SOP class, PS3.7 D.3.3.4), between its pending C-GET responses.
//! C-MOVE asks the PACS to open its own association to our AE title, where `pull` runs a
//! storage SCP on `--move-port` (the PACS must know that title, host and port).

use dicom_core::VR;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use std::sync::Arc;

use super::archive::Archive;
use super::association::{
    self, ConnectError, QUERY_SYNTAXES, STUDY_ROOT_GET, STUDY_ROOT_MOVE, get_contexts,
};
use super::client::{Client, OperationDeadline, text};
use super::dimse::{self, DimseError, Incoming, SubOperations, field, status};
use super::link::trim_uid;
use super::store::{self, Admission, StoreCounts, StoreObserver};
use super::{NetOptions, PeerAddress};

/// What to retrieve: a whole series, or one instance of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// (0020,000D).
    pub study_uid: String,
    /// (0020,000E).
    pub series_uid: String,
    /// (0008,0018) for one instance; None for the whole series.
    pub sop_instance: Option<String>,
}

impl Target {
    fn identifier(&self) -> InMemDicomObject {
        let level = if self.sop_instance.is_some() {
            "IMAGE"
        } else {
            "SERIES"
        };
        let mut elements = vec![
            text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, level),
            text(tags::STUDY_INSTANCE_UID, VR::UI, &self.study_uid),
            text(tags::SERIES_INSTANCE_UID, VR::UI, &self.series_uid),
        ];
        if let Some(sop) = &self.sop_instance {
            elements.push(text(tags::SOP_INSTANCE_UID, VR::UI, sop));
        }
        InMemDicomObject::from_element_iter(elements)
    }
}

/// The final response of a retrieve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Its status (0000H success, B000H some sub-operations failed, ...).
    pub status: u16,
    /// Its sub-operation counts.
    pub sub_operations: SubOperations,
    /// Its Error Comment.
    pub comment: Option<String>,
    /// Objects stored on this association (C-GET only).
    pub counts: StoreCounts,
}

/// A retrieve that broke: the association cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum RetrieveError {
    /// The exchange broke.
    #[error("retrieve failed: {0}")]
    Dimse(#[from] DimseError),
    /// The PACS ended the association in the middle of a retrieve.
    #[error("the PACS ended the association during a retrieve")]
    Ended,
}

/// An association for C-GET.
pub struct Getter {
    client: Client,
}

impl Getter {
    /// Associates for Study Root C-GET, offering to store objects of `classes`.
    pub fn connect(
        peer: &PeerAddress,
        net: &NetOptions,
        tls: Option<&Arc<rustls::ClientConfig>>,
        deadline: Option<&OperationDeadline>,
        classes: &[String],
    ) -> Result<Getter, ConnectError> {
        let association = association::connect(peer, net, tls, &get_contexts(classes), classes)?;
        let client = Client::on(
            association,
            STUDY_ROOT_GET,
            net.max_object_bytes,
            peer,
            "it does not offer C-GET (try --move-port)",
            deadline,
        )?;
        let contexts = client.association.contexts();
        let storable = classes.iter().any(|class| {
            client.association.scp_role_accepted(class)
                && contexts
                    .iter()
                    .any(|pc| trim_uid(&pc.abstract_syntax) == class)
        });
        if !storable {
            return Err(ConnectError::Refused {
                peer: peer.to_string(),
                reason: "it accepted none of the storage roles C-GET needs (try --move-port)"
                    .to_string(),
            });
        }
        Ok(Getter { client })
    }

    /// Retrieves `target`, storing every object that arrives (of the study asked for: the
    /// PACS is trusted no further than that).
    pub fn get(
        &mut self,
        target: &Target,
        archive: &Archive,
        observer: &dyn StoreObserver,
    ) -> Result<Finished, RetrieveError> {
        let admission = Admission::only_studies([target.study_uid.clone()]);
        self.client.request(
            |id| dimse::request(field::C_GET_RQ, id, STUDY_ROOT_GET),
            &target.identifier(),
        )?;
        let mut counts = StoreCounts::default();
        loop {
            let message = match self.client.receive()? {
                Incoming::Message(message) => message,
                Incoming::Released | Incoming::Aborted => return Err(RetrieveError::Ended),
            };
            match message.command.field {
                field::C_STORE_RQ => {
                    let outcome = store::handle_store(
                        &mut *self.client.association,
                        archive,
                        &admission,
                        message,
                    )
                    .map_err(|e| self.client.explain(e))?;
                    counts.count(&outcome);
                    observer.object(&outcome);
                }
                field::C_GET_RSP => {
                    let code = message.command.status.unwrap_or(status::SUCCESS);
                    if !status::is_pending(code) {
                        return Ok(Finished {
                            status: code,
                            sub_operations: message.command.sub_operations,
                            comment: message.command.error_comment,
                            counts,
                        });
                    }
                }
                other => {
                    return Err(DimseError::Protocol(format!(
                        "unexpected command {other:04X}H during a C-GET"
                    ))
                    .into());
                }
            }
        }
    }

    /// Releases the association.
    pub fn release(self) {
        self.client.release();
    }
}

/// An association for C-MOVE.
pub struct Mover {
    client: Client,
    destination: String,
}

impl Mover {
    /// Associates for Study Root C-MOVE; objects go to `net.ae_title`.
    pub fn connect(
        peer: &PeerAddress,
        net: &NetOptions,
        tls: Option<&Arc<rustls::ClientConfig>>,
        deadline: Option<&OperationDeadline>,
    ) -> Result<Mover, ConnectError> {
        let contexts = [(
            STUDY_ROOT_MOVE.to_string(),
            QUERY_SYNTAXES.iter().map(|s| s.to_string()).collect(),
        )];
        let association = association::connect(peer, net, tls, &contexts, &[])?;
        // A response's identifier (the failed instances) is not used: read to its end and dropped.
        let client = Client::on(
            association,
            STUDY_ROOT_MOVE,
            0,
            peer,
            "it does not offer Study Root C-MOVE",
            deadline,
        )?;
        Ok(Mover {
            client,
            destination: net.ae_title.clone(),
        })
    }

    /// Asks the PACS to send `target` to us and waits for its final response. The objects
    /// arrive on the storage SCP `pull` runs meanwhile.
    pub fn move_to_us(&mut self, target: &Target) -> Result<Finished, RetrieveError> {
        let destination = &self.destination;
        self.client.request(
            |id| dimse::move_request(id, STUDY_ROOT_MOVE, destination),
            &target.identifier(),
        )?;
        loop {
            let message = match self.client.receive()? {
                Incoming::Message(message) => message,
                Incoming::Released | Incoming::Aborted => return Err(RetrieveError::Ended),
            };
            if message.command.field != field::C_MOVE_RSP {
                return Err(DimseError::Protocol(format!(
                    "unexpected command {:04X}H during a C-MOVE",
                    message.command.field
                ))
                .into());
            }
            let code = message.command.status.unwrap_or(status::SUCCESS);
            if !status::is_pending(code) {
                return Ok(Finished {
                    status: code,
                    sub_operations: message.command.sub_operations,
                    comment: message.command.error_comment,
                    counts: StoreCounts::default(),
                });
            }
        }
    }

    /// Releases the association.
    pub fn release(self) {
        self.client.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_dictionary_std::tags;

    fn uid(object: &InMemDicomObject, tag: dicom_core::Tag) -> Option<String> {
        object
            .get(tag)
            .and_then(|e| e.to_str().ok())
            .map(|t| t.to_string())
    }

    #[test]
    fn a_target_asks_for_its_series_or_its_instance() {
        let series = Target {
            study_uid: "1.2".into(),
            series_uid: "1.2.3".into(),
            sop_instance: None,
        };
        let identifier = series.identifier();
        assert_eq!(
            uid(&identifier, tags::QUERY_RETRIEVE_LEVEL).as_deref(),
            Some("SERIES")
        );
        assert_eq!(
            uid(&identifier, tags::SERIES_INSTANCE_UID).as_deref(),
            Some("1.2.3")
        );
        assert!(identifier.get(tags::SOP_INSTANCE_UID).is_none());
        let one = Target {
            sop_instance: Some("1.2.3.4".into()),
            ..series
        };
        let identifier = one.identifier();
        assert_eq!(
            uid(&identifier, tags::QUERY_RETRIEVE_LEVEL).as_deref(),
            Some("IMAGE")
        );
        assert_eq!(
            uid(&identifier, tags::STUDY_INSTANCE_UID).as_deref(),
            Some("1.2")
        );
        assert_eq!(
            uid(&identifier, tags::SOP_INSTANCE_UID).as_deref(),
            Some("1.2.3.4")
        );
    }
}
