//! One association to a PACS for one query/retrieve service: the accepted presentation
//! context and its transfer syntax, the message reader, the message IDs. What the C-FIND,
//! C-GET and C-MOVE service users (`find`, `retrieve`) share.

use std::net::TcpStream;

use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_object::InMemDicomObject;
use dicom_ul::ClientAssociation;

use super::PeerAddress;
use super::association::ConnectError;
use super::dimse::{self, DimseError, Incoming, MessageReader};

/// A query/retrieve association on the context of one SOP class.
pub struct Client {
    /// The association (C-GET also answers C-STORE requests on it).
    pub association: ClientAssociation<TcpStream>,
    context_id: u8,
    /// The context's transfer syntax (identifiers are encoded and read in it).
    pub syntax: String,
    reader: MessageReader,
    next_message_id: u16,
}

impl Client {
    /// The client of an association on its accepted context for `abstract_syntax`; data
    /// sets received over `max_data` bytes are refused. `refused` is the reason given when
    /// the PACS accepted no such context.
    pub fn on(
        association: ClientAssociation<TcpStream>,
        abstract_syntax: &str,
        max_data: u64,
        peer: &PeerAddress,
        refused: &str,
    ) -> Result<Client, ConnectError> {
        let context = association
            .presentation_contexts()
            .iter()
            .find(|pc| pc.abstract_syntax.trim_end_matches('\0') == abstract_syntax)
            .ok_or_else(|| ConnectError::Refused {
                peer: peer.to_string(),
                reason: refused.to_string(),
            })?;
        let (context_id, syntax) = (
            context.id,
            context.transfer_syntax.trim_end_matches('\0').to_string(),
        );
        Ok(Client {
            association,
            context_id,
            syntax,
            reader: MessageReader::new(max_data),
            next_message_id: 1,
        })
    }

    /// Sends a request: the command `command` builds for the next message ID, then its
    /// identifier.
    pub fn request(
        &mut self,
        command: impl FnOnce(u16) -> InMemDicomObject,
        identifier: &InMemDicomObject,
    ) -> Result<(), DimseError> {
        let message_id = self.next_message_id;
        self.next_message_id = self.next_message_id.wrapping_add(1).max(1);
        dimse::send_command(&mut self.association, self.context_id, &command(message_id))?;
        let bytes = dimse::encode(identifier, &self.syntax)?;
        dimse::send_data(&mut self.association, self.context_id, &bytes)
    }

    /// The next message from the PACS.
    pub fn receive(&mut self) -> Result<Incoming, DimseError> {
        self.reader.receive(&mut self.association)
    }

    /// Releases the association (errors ignored: the exchange is done).
    pub fn release(self) {
        let _ = self.association.release();
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
