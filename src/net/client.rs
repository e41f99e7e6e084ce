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
