//! DIMSE messages (PS3.7) carried by dicom-ul's P-DATA PDUs: a message is a command set,
//! then for some commands a data set, each split into fragments (PDVs, PS3.8 9.3.5) that may
//! share a PDU or span many. [`MessageReader`] puts fragments back together, whatever the
//! PDU boundaries; the senders write commands with dicom-object (implicit VR little endian,
//! PS3.7 6.3.1) and data sets through dicom-ul's `PDataWriter`, which splits them to the
//! peer's maximum PDU length.

use std::collections::VecDeque;

use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;
use dicom_ul::Pdu;
use dicom_ul::pdu::{PDataValue, PDataValueType};

pub use super::command::{Command, SubOperations, field, move_request, request, response, status};
pub use super::link::DimseError;
use super::link::{Link, quick_ack};
use super::wire::{self, IMPLICIT_VR_LE, MAX_COMMAND_BYTES, WireError};

/// A message's data set, as far as it was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// The command has none.
    None,
    /// The bytes as received.
    Received(Vec<u8>),
    /// More than the limit arrived: the bytes were read and dropped (their count).
    TooLarge(u64),
}

/// One reassembled message.
#[derive(Debug, Clone)]
pub struct Message {
    /// The presentation context it came on.
    pub context_id: u8,
    /// Its command.
    pub command: Command,
    /// Its data set.
    pub data: Data,
}

/// What the peer did next.
#[derive(Debug)]
pub enum Incoming {
    /// Sent a message.
    Message(Message),
    /// Asked to release the association (answered: the association is over).
    Released,
    /// Aborted the association.
    Aborted,
}

/// The fragments of the current PDU not yet consumed, and the data set size limit.
#[derive(Debug)]
pub struct MessageReader {
    pending: VecDeque<PDataValue>,
    max_data: u64,
}

enum Next {
    Fragment(PDataValue),
    Released,
    Aborted,
}

impl MessageReader {
    /// A reader that keeps data sets of at most `max_data` bytes.
    pub fn new(max_data: u64) -> MessageReader {
        MessageReader {
            pending: VecDeque::new(),
            max_data,
        }
    }

    /// Reads the next message (or the end of the association). A data set larger than the
    /// limit is read to its end and dropped: the association stays usable, and the
    /// message says `Data::TooLarge` so that it can be refused.
    pub fn receive(&mut self, association: &mut dyn Link) -> Result<Incoming, DimseError> {
        let mut command_bytes = Vec::new();
        let context_id = loop {
            let fragment = match self.next(association)? {
                Next::Fragment(fragment) => fragment,
                Next::Released if command_bytes.is_empty() => return Ok(Incoming::Released),
                Next::Released => {
                    return Err(DimseError::Protocol(
                        "release requested in the middle of a command".into(),
                    ));
                }
                Next::Aborted => return Ok(Incoming::Aborted),
            };
            if fragment.value_type != PDataValueType::Command {
                return Err(DimseError::Protocol(
                    "a data fragment arrived where a command was expected".into(),
                ));
            }
            if command_bytes.len() + fragment.data.len() > MAX_COMMAND_BYTES {
                return Err(DimseError::Wire(WireError::TooLarge {
                    what: "command set",
                    size: command_bytes.len() + fragment.data.len(),
                    limit: MAX_COMMAND_BYTES,
                }));
            }
            command_bytes.extend_from_slice(&fragment.data);
            if fragment.is_last {
                break fragment.presentation_context_id;
            }
        };
        let command = Command::from_object(&wire::parse_command(&command_bytes)?)?;
        if !command.has_data {
            return Ok(Incoming::Message(Message {
                context_id,
                command,
                data: Data::None,
            }));
        }
        let mut data = Vec::new();
        let mut size: u64 = 0;
        loop {
            let fragment = match self.next(association)? {
                Next::Fragment(fragment) => fragment,
                Next::Released => {
                    return Err(DimseError::Protocol(
                        "release requested in the middle of a data set".into(),
                    ));
                }
                Next::Aborted => return Ok(Incoming::Aborted),
            };
            if fragment.value_type != PDataValueType::Data
                || fragment.presentation_context_id != context_id
            {
                return Err(DimseError::Protocol(
                    "a data set was interrupted by another message".into(),
                ));
            }
            size += fragment.data.len() as u64;
            if size <= self.max_data {
                if data.is_empty() {
                    data = fragment.data;
                } else {
                    data.extend_from_slice(&fragment.data);
                }
            } else if !data.is_empty() {
                // Over the limit: what was kept is freed now, not when the object ends.
                data = Vec::new();
            }
            if fragment.is_last {
                break;
            }
        }
        let data = if size > self.max_data {
            Data::TooLarge(size)
        } else {
            Data::Received(data)
        };
        Ok(Incoming::Message(Message {
            context_id,
            command,
            data,
        }))
    }

    fn next(&mut self, association: &mut dyn Link) -> Result<Next, DimseError> {
        loop {
            if let Some(fragment) = self.pending.pop_front() {
                return Ok(Next::Fragment(fragment));
            }
            quick_ack(association.tcp());
            match association.receive_pdu()? {
                Pdu::PData { data } => self.pending.extend(data),
                Pdu::ReleaseRQ => {
                    association.send_pdu(&Pdu::ReleaseRP)?;
                    return Ok(Next::Released);
                }
                Pdu::AbortRQ { .. } => return Ok(Next::Aborted),
                other => {
                    return Err(DimseError::Protocol(format!(
                        "unexpected {} during the association",
                        other.short_description()
                    )));
                }
            }
        }
    }
}

/// Sends a command set (one fragment: command sets are far below the smallest PDU).
pub fn send_command(
    association: &mut dyn Link,
    context_id: u8,
    command: &InMemDicomObject,
) -> Result<(), DimseError> {
    let bytes = encode(command, IMPLICIT_VR_LE)?;
    association.send_pdu(&Pdu::PData {
        data: vec![PDataValue {
            presentation_context_id: context_id,
            value_type: PDataValueType::Command,
            is_last: true,
            data: bytes,
        }],
    })
}

/// Sends a data set, split to the peer's maximum PDU length.
pub fn send_data(
    association: &mut dyn Link,
    context_id: u8,
    bytes: &[u8],
) -> Result<(), DimseError> {
    association.send_data(context_id, bytes)
}

/// Encodes a data set (or command set) in a transfer syntax.
pub fn encode(object: &InMemDicomObject, transfer_syntax: &str) -> Result<Vec<u8>, DimseError> {
    let ts = TransferSyntaxRegistry
        .get(transfer_syntax)
        .ok_or_else(|| WireError::TransferSyntax(transfer_syntax.to_string()))?;
    let mut bytes = Vec::with_capacity(256);
    object
        .write_dataset_with_ts(&mut bytes, ts)
        .map_err(|e| DimseError::Protocol(format!("cannot encode a message: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_ul::association::Association;
    use dicom_ul::{ClientAssociationOptions, ServerAssociationOptions};
    use std::net::TcpListener;

    const SR: &str = "1.2.840.10008.5.1.4.1.1.88.22";

    fn fragment(kind: PDataValueType, is_last: bool, data: &[u8]) -> PDataValue {
        PDataValue {
            presentation_context_id: 1,
            value_type: kind,
            is_last,
            data: data.to_vec(),
        }
    }

    /// Messages cut across PDUs, and PDUs holding the end of one message and the whole of
    /// the next, come out as the messages sent; an over-limit data set is dropped whole and
    /// the association goes on.
    #[test]
    fn fragments_are_reassembled_whatever_the_pdu_boundaries() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut association = ServerAssociationOptions::new()
                .with_abstract_syntax(SR)
                .establish(stream)
                .unwrap();
            let mut reader = MessageReader::new(8);
            let mut seen = Vec::new();
            loop {
                match reader.receive(&mut association).unwrap() {
                    Incoming::Message(message) => seen.push((message.command, message.data)),
                    Incoming::Released => return seen,
                    Incoming::Aborted => panic!("aborted"),
                }
            }
        });
        let mut client = ClientAssociationOptions::new()
            .with_abstract_syntax(SR)
            .establish(address)
            .unwrap();
        let store = Command {
            field: field::C_STORE_RQ,
            message_id: 1,
            sop_class: SR.into(),
            sop_instance: "1.2.3".into(),
            has_data: true,
            ..Command::default()
        };
        let command = encode(&request(field::C_STORE_RQ, 1, SR), IMPLICIT_VR_LE).unwrap();
        let echo = encode(&response(field::C_ECHO_RQ, &store, 0, None), IMPLICIT_VR_LE).unwrap();
        let (head, tail) = command.split_at(10);
        use PDataValueType::{Command as C, Data as D};
        for pdu in [
            vec![fragment(C, false, head)],
            vec![fragment(C, true, tail), fragment(D, false, b"abc")],
            vec![fragment(D, true, b"defg"), fragment(C, true, &echo)],
            // Over the 8-byte limit: dropped, the next message still read.
            vec![fragment(C, true, &command), fragment(D, false, b"0123456")],
            vec![fragment(D, true, b"789")],
            vec![fragment(C, true, &echo)],
        ] {
            client.send(&Pdu::PData { data: pdu }).unwrap();
        }
        client.release().unwrap();
        let seen = server.join().unwrap();
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[0].0.field, field::C_STORE_RQ);
        assert_eq!(seen[0].1, Data::Received(b"abcdefg".to_vec()));
        assert_eq!(seen[1].0.field, field::C_ECHO_RQ);
        assert_eq!(seen[1].1, Data::None);
        assert_eq!(seen[2].1, Data::TooLarge(10));
        assert_eq!(seen[3].0.field, field::C_ECHO_RQ);
    }

    #[test]
    fn a_data_fragment_instead_of_a_command_is_a_protocol_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut association = ServerAssociationOptions::new()
                .with_abstract_syntax(SR)
                .establish(stream)
                .unwrap();
            let peer = Association::peer_ae_title(&association).to_string();
            (MessageReader::new(8).receive(&mut association), peer)
        });
        let mut client = ClientAssociationOptions::new()
            .with_abstract_syntax(SR)
            .establish(address)
            .unwrap();
        client
            .send(&Pdu::PData {
                data: vec![fragment(PDataValueType::Data, true, b"x")],
            })
            .unwrap();
        let (result, peer) = server.join().unwrap();
        assert_eq!(peer, "THIS-SCU");
        assert!(matches!(result, Err(DimseError::Protocol(_))), "{result:?}");
    }
}
