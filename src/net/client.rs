//! One association to a PACS for one query/retrieve service: the accepted presentation
//! context and its transfer syntax, the message reader, the message IDs, and the deadline of
//! each operation (`--deadline`: a PACS that drips pending responses, or bytes, cannot hold
//! `pull` forever). What the C-FIND, C-GET and C-MOVE service users (`find`, `retrieve`)
//! share.

use std::time::Duration;

use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_object::InMemDicomObject;

use super::PeerAddress;
use super::association::ConnectError;
use super::deadline::{Phase, Watch, Watchdog};
use super::dimse::{self, DimseError, Incoming, MessageReader};
use super::link::{Link, trim_uid};

/// The deadline of each operation on a client association, and the watchdog that enforces it.
#[derive(Debug, Clone)]
pub struct OperationDeadline {
    /// The watchdog (checked by `pull` while it runs).
    pub watchdog: Watchdog,
    /// How long one operation (a C-FIND, a C-GET, a C-MOVE) may take, to its final response.
    pub limit: Duration,
}

/// A query/retrieve association on the context of one SOP class.
pub struct Client {
    /// The association (C-GET also answers C-STORE requests on it).
    pub association: Box<dyn Link>,
    context_id: u8,
    /// The context's transfer syntax (identifiers are encoded and read in it).
    pub syntax: String,
    reader: MessageReader,
    next_message_id: u16,
    /// This association's deadline, renewed at each request.
    watch: Option<(Watch, Duration)>,
}

impl Client {
    /// The client of an association on its accepted context for `abstract_syntax`; data
    /// sets received over `max_data` bytes are refused. `refused` is the reason given when
    /// the PACS accepted no such context.
    pub fn on(
        mut association: Box<dyn Link>,
        abstract_syntax: &str,
        max_data: u64,
        peer: &PeerAddress,
        refused: &str,
        deadline: Option<&OperationDeadline>,
    ) -> Result<Client, ConnectError> {
        let context = association
            .contexts()
            .iter()
            .find(|pc| {
                trim_uid(&pc.abstract_syntax) == abstract_syntax
                    && pc.reason == dicom_ul::pdu::PresentationContextResultReason::Acceptance
            })
            .ok_or_else(|| ConnectError::Refused {
                peer: peer.to_string(),
                reason: refused.to_string(),
            })?;
        let (context_id, syntax) = (context.id, trim_uid(&context.transfer_syntax).to_string());
        let watch = deadline.and_then(|d| {
            d.watchdog
                .watch(
                    association.tcp(),
                    Phase::Associated,
                    d.limit,
                    "final response (--deadline)",
                )
                .map(|watch| (watch, d.limit))
        });
        Ok(Client {
            association,
            context_id,
            syntax,
            reader: MessageReader::new(max_data),
            next_message_id: 1,
            watch,
        })
    }

    /// Sends a request: the command `command` builds for the next message ID, then its
    /// identifier.
    pub fn request(
        &mut self,
        command: impl FnOnce(u16) -> InMemDicomObject,
        identifier: &InMemDicomObject,
    ) -> Result<(), DimseError> {
        if let Some((watch, limit)) = &self.watch {
            watch.renew(Phase::Associated, *limit, "final response (--deadline)");
        }
        let message_id = self.next_message_id;
        self.next_message_id = self.next_message_id.wrapping_add(1).max(1);
        let sent = (|| {
            dimse::send_command(
                &mut *self.association,
                self.context_id,
                &command(message_id),
            )?;
            let bytes = dimse::encode(identifier, &self.syntax)?;
            dimse::send_data(&mut *self.association, self.context_id, &bytes)
        })();
        sent.map_err(|e| self.explain(e))
    }

    /// The next message from the PACS.
    pub fn receive(&mut self) -> Result<Incoming, DimseError> {
        self.reader
            .receive(&mut *self.association)
            .map_err(|e| self.explain(e))
    }

    /// An error on a connection the watchdog cut says so.
    pub fn explain(&self, error: DimseError) -> DimseError {
        match self.watch.as_ref().and_then(|(watch, _)| watch.cut()) {
            Some(why) => DimseError::Deadline(format!("the PACS did not answer in time: {why}")),
            None => error,
        }
    }

    /// Releases the association (errors ignored: the exchange is done).
    pub fn release(self) {
        self.association.release();
    }
}

/// A text element of an identifier (empty: a universal match key).
pub fn text(tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    if value.is_empty() {
        DataElement::new(tag, vr, PrimitiveValue::Empty)
    } else {
        DataElement::new(tag, vr, PrimitiveValue::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::link::fake::{FakeLink, Sent};
    use dicom_dictionary_std::tags;
    use dicom_ul::Pdu;
    use dicom_ul::pdu::PDataValueType;
    use std::sync::{Arc, Mutex};

    const FIND: &str = "1.2.840.10008.5.1.4.1.2.2.1";
    const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";
    const IMPLICIT_LE: &str = "1.2.840.10008.1.2";

    fn pacs() -> PeerAddress {
        PeerAddress {
            ae_title: "PACS".into(),
            host: "127.0.0.1".into(),
            port: 104,
        }
    }

    fn client(contexts: &[(u8, &str, &str, bool)]) -> Result<Client, ConnectError> {
        client_recording(contexts).0
    }

    /// The client, and what its association sends.
    fn client_recording(
        contexts: &[(u8, &str, &str, bool)],
    ) -> (Result<Client, ConnectError>, Arc<Mutex<Sent>>) {
        let link = FakeLink::new(contexts);
        let sent = Arc::clone(&link.sent);
        let client = Client::on(Box::new(link), FIND, 1 << 20, &pacs(), "no C-FIND", None);
        (client, sent)
    }

    #[test]
    fn a_client_takes_the_accepted_context_of_its_sop_class() {
        let client = client(&[
            (1, FIND, IMPLICIT_LE, false),
            (3, "1.2.840.10008.1.1", IMPLICIT_LE, true),
            (5, &format!("{FIND}\0"), &format!("{EXPLICIT_LE}\0"), true),
        ])
        .unwrap_or_else(|_| panic!("an accepted C-FIND context"));
        assert_eq!(client.context_id, 5);
        assert_eq!(client.syntax, EXPLICIT_LE, "padding removed");
    }

    #[test]
    fn no_accepted_context_is_a_refusal_with_the_reason_given() {
        let Err(error) = client(&[(1, FIND, IMPLICIT_LE, false)]) else {
            panic!("a rejected context is not one to use");
        };
        match error {
            ConnectError::Refused { peer, reason } => {
                assert_eq!(peer, pacs().to_string());
                assert_eq!(reason, "no C-FIND");
            }
            other => panic!("{other}"),
        }
    }

    /// The message ID of a command PDU.
    fn message_id(pdu: &Pdu) -> u16 {
        let Pdu::PData { data } = pdu else {
            panic!("{pdu:?}")
        };
        assert_eq!(data[0].value_type, PDataValueType::Command);
        let command = InMemDicomObject::read_dataset_with_ts(
            data[0].data.as_slice(),
            &dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
        )
        .expect("a command set");
        command
            .get(tags::MESSAGE_ID)
            .and_then(|e| e.to_int::<u16>().ok())
            .expect("a message ID")
    }

    #[test]
    fn requests_go_on_the_context_with_message_ids_that_skip_zero() {
        let (client, sent) = client_recording(&[(7, FIND, EXPLICIT_LE, true)]);
        let mut client = client.unwrap_or_else(|_| panic!("an accepted context"));
        let command = |id: u16| {
            InMemDicomObject::from_element_iter([DataElement::new(
                tags::MESSAGE_ID,
                VR::US,
                PrimitiveValue::from(id),
            )])
        };
        let identifier =
            InMemDicomObject::from_element_iter([text(tags::PATIENT_ID, VR::LO, "P1")]);
        client.request(command, &identifier).expect("sent");
        client.request(command, &identifier).expect("sent");
        client.next_message_id = u16::MAX;
        client.request(command, &identifier).expect("sent");
        client.request(command, &identifier).expect("sent");
        client.release();
        let link = sent.lock().expect("sent");
        let ids: Vec<u16> = link.pdus.iter().map(message_id).collect();
        assert_eq!(ids, [1, 2, u16::MAX, 1]);
        assert_eq!(link.data.len(), 4);
        assert!(link.data.iter().all(|(context, _)| *context == 7));
        let sent = InMemDicomObject::read_dataset_with_ts(
            link.data[0].1.as_slice(),
            &dicom_transfer_syntax_registry::entries::EXPLICIT_VR_LITTLE_ENDIAN.erased(),
        )
        .expect("the identifier, in the context's syntax");
        assert_eq!(
            sent.get(tags::PATIENT_ID)
                .and_then(|e| e.to_str().ok())
                .as_deref(),
            Some("P1")
        );
    }

    #[test]
    fn an_empty_value_is_a_universal_match() {
        let empty = text(tags::PATIENT_NAME, VR::PN, "");
        assert_eq!(empty.value().primitive(), Some(&PrimitiveValue::Empty));
        assert_eq!(empty.vr(), VR::PN);
        let given = text(tags::PATIENT_ID, VR::LO, "P1");
        assert_eq!(given.to_str().ok().as_deref(), Some("P1"));
        assert_eq!(given.vr(), VR::LO);
    }
}
