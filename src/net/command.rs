//! DIMSE command sets (PS3.7 9.3, E.1): the Command Field values and statuses this program
//! uses, the fields it reads from a received command, and the requests and responses it
//! sends, built with dicom-object (`command_from_element_iter` computes the group length).

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::wire::WireError;

/// Command Field values (PS3.7 E.1-1).
pub mod field {
    /// C-STORE-RQ.
    pub const C_STORE_RQ: u16 = 0x0001;
    /// C-STORE-RSP.
    pub const C_STORE_RSP: u16 = 0x8001;
    /// C-GET-RQ.
    pub const C_GET_RQ: u16 = 0x0010;
    /// C-GET-RSP.
    pub const C_GET_RSP: u16 = 0x8010;
    /// C-FIND-RQ.
    pub const C_FIND_RQ: u16 = 0x0020;
    /// C-FIND-RSP.
    pub const C_FIND_RSP: u16 = 0x8020;
    /// C-MOVE-RQ.
    pub const C_MOVE_RQ: u16 = 0x0021;
    /// C-MOVE-RSP.
    pub const C_MOVE_RSP: u16 = 0x8021;
    /// C-ECHO-RQ.
    pub const C_ECHO_RQ: u16 = 0x0030;
    /// C-ECHO-RSP.
    pub const C_ECHO_RSP: u16 = 0x8030;
    /// C-CANCEL-RQ.
    pub const C_CANCEL_RQ: u16 = 0x0FFF;
}

/// Status values (PS3.7 Annex C; PS3.4 B.2.3 for C-STORE, C.4.1.1.4 / C.4.2.1.5 /
/// C.4.3.1.4 for C-FIND, C-MOVE and C-GET).
pub mod status {
    /// Success.
    pub const SUCCESS: u16 = 0x0000;
    /// Pending (matches or sub-operations continue).
    pub const PENDING: u16 = 0xFF00;
    /// Pending, with optional keys not supported (C-FIND).
    pub const PENDING_WARNING: u16 = 0xFF01;
    /// Cancelled.
    pub const CANCEL: u16 = 0xFE00;
    /// C-STORE refused: out of resources (disk full, object too large, unwritable archive).
    pub const OUT_OF_RESOURCES: u16 = 0xA700;
    /// C-STORE error: the data set does not match the SOP class (or the command's UIDs).
    pub const DATA_SET_MISMATCH: u16 = 0xA900;
    /// C-STORE error: cannot understand (the data set cannot be read).
    pub const CANNOT_UNDERSTAND: u16 = 0xC000;
    /// Refused: SOP class not supported (PS3.7 C.5.7): not a storage class, or not the
    /// presentation context's abstract syntax.
    pub const SOP_CLASS_NOT_SUPPORTED: u16 = 0x0122;
    /// Refused: not authorized (PS3.7 C.5.15): an object `pull` did not ask for.
    pub const NOT_AUTHORIZED: u16 = 0x0124;
    /// A DIMSE service this SCP does not provide (PS3.7 C.5.6: unrecognized operation).
    pub const UNRECOGNIZED_OPERATION: u16 = 0x0211;
    /// C-GET / C-MOVE warning: some sub-operations failed (PS3.4 C.4.2.1.5).
    pub const SUB_OPERATIONS_FAILED: u16 = 0xB000;

    /// Whether more responses follow.
    pub fn is_pending(status: u16) -> bool {
        status == PENDING || status == PENDING_WARNING
    }

    /// Warnings: 0001, Bxxx, 0107, 0116 (PS3.7 C.3).
    pub fn is_warning(status: u16) -> bool {
        status == 0x0001 || status & 0xF000 == 0xB000 || status == 0x0107 || status == 0x0116
    }
}

/// The sub-operation counts of a C-GET or C-MOVE response (PS3.7 9.3.3.2, 9.3.4.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubOperations {
    /// Not yet done.
    pub remaining: Option<u16>,
    /// Stored successfully.
    pub completed: Option<u16>,
    /// Failed.
    pub failed: Option<u16>,
    /// Stored with a warning.
    pub warning: Option<u16>,
}

/// The fields of a command set this program reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    /// (0000,0100).
    pub field: u16,
    /// (0000,0110) of a request, or (0000,0120) of a response.
    pub message_id: u16,
    /// (0000,0002), or (0000,0003) when only the requested class is given.
    pub sop_class: String,
    /// (0000,1000).
    pub sop_instance: String,
    /// (0000,0900), responses only.
    pub status: Option<u16>,
    /// (0000,0902).
    pub error_comment: Option<String>,
    /// (0000,0800) is not 0101H: a data set follows.
    pub has_data: bool,
    /// (0000,1020)-(0000,1023).
    pub sub_operations: SubOperations,
}

impl Command {
    /// Reads the fields of a parsed command set.
    pub fn from_object(object: &InMemDicomObject) -> Result<Command, WireError> {
        let invalid = |message: &str| WireError::Invalid {
            what: "command set",
            message: message.to_string(),
        };
        let number = |tag| object.get(tag).and_then(|e| e.to_int::<u16>().ok());
        let text = |tag| {
            object
                .get(tag)
                .and_then(|e| e.to_str().ok())
                .map(|t| t.trim_end_matches(['\0', ' ']).to_string())
        };
        let field = number(tags::COMMAND_FIELD).ok_or_else(|| invalid("no Command Field"))?;
        let message_id = number(tags::MESSAGE_ID)
            .or_else(|| number(tags::MESSAGE_ID_BEING_RESPONDED_TO))
            .unwrap_or(0);
        let data_set_type = number(tags::COMMAND_DATA_SET_TYPE)
            .ok_or_else(|| invalid("no Command Data Set Type"))?;
        Ok(Command {
            field,
            message_id,
            sop_class: text(tags::AFFECTED_SOP_CLASS_UID)
                .or_else(|| text(tags::REQUESTED_SOP_CLASS_UID))
                .unwrap_or_default(),
            sop_instance: text(tags::AFFECTED_SOP_INSTANCE_UID).unwrap_or_default(),
            status: number(tags::STATUS),
            error_comment: text(tags::ERROR_COMMENT),
            has_data: data_set_type != 0x0101,
            sub_operations: SubOperations {
                remaining: number(tags::NUMBER_OF_REMAINING_SUBOPERATIONS),
                completed: number(tags::NUMBER_OF_COMPLETED_SUBOPERATIONS),
                failed: number(tags::NUMBER_OF_FAILED_SUBOPERATIONS),
                warning: number(tags::NUMBER_OF_WARNING_SUBOPERATIONS),
            },
        })
    }
}

fn us(tag: dicom_core::Tag, value: u16) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::US, PrimitiveValue::from(value))
}

fn ui(tag: dicom_core::Tag, value: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::UI, PrimitiveValue::from(value))
}

/// Command Data Set Type: no data set follows (PS3.7 E.1-1).
const NO_DATA_SET: u16 = 0x0101;
/// Command Data Set Type: a data set follows (any other value; dcmtk and dicom-rs use 1).
const DATA_SET: u16 = 0x0001;
/// Priority MEDIUM (PS3.7 E.1-1).
const MEDIUM: u16 = 0x0000;

/// A request with a data set (C-FIND, C-GET; C-MOVE adds its destination).
pub fn request(field: u16, message_id: u16, sop_class: &str) -> InMemDicomObject {
    InMemDicomObject::command_from_element_iter([
        ui(tags::AFFECTED_SOP_CLASS_UID, sop_class),
        us(tags::COMMAND_FIELD, field),
        us(tags::MESSAGE_ID, message_id),
        us(tags::PRIORITY, MEDIUM),
        us(tags::COMMAND_DATA_SET_TYPE, DATA_SET),
    ])
}

/// A C-MOVE-RQ to `destination` (our AE title).
pub fn move_request(message_id: u16, sop_class: &str, destination: &str) -> InMemDicomObject {
    InMemDicomObject::command_from_element_iter([
        ui(tags::AFFECTED_SOP_CLASS_UID, sop_class),
        us(tags::COMMAND_FIELD, field::C_MOVE_RQ),
        us(tags::MESSAGE_ID, message_id),
        us(tags::PRIORITY, MEDIUM),
        us(tags::COMMAND_DATA_SET_TYPE, DATA_SET),
        DataElement::new(
            tags::MOVE_DESTINATION,
            VR::AE,
            PrimitiveValue::from(destination),
        ),
    ])
}

/// A response without a data set: C-STORE-RSP, C-ECHO-RSP, or a failure to an operation
/// this program does not serve. The error comment is cut to 64 characters (LO).
pub fn response(
    field: u16,
    request: &Command,
    status: u16,
    error_comment: Option<&str>,
) -> InMemDicomObject {
    let mut elements = vec![
        ui(tags::AFFECTED_SOP_CLASS_UID, &request.sop_class),
        us(tags::COMMAND_FIELD, field),
        us(tags::MESSAGE_ID_BEING_RESPONDED_TO, request.message_id),
        us(tags::COMMAND_DATA_SET_TYPE, NO_DATA_SET),
        us(tags::STATUS, status),
    ];
    if !request.sop_instance.is_empty() {
        elements.push(ui(tags::AFFECTED_SOP_INSTANCE_UID, &request.sop_instance));
    }
    if let Some(comment) = error_comment {
        let comment: String = comment
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control() && *c != '\\')
            .take(64)
            .collect();
        elements.push(DataElement::new(
            tags::ERROR_COMMENT,
            VR::LO,
            PrimitiveValue::from(comment),
        ));
    }
    InMemDicomObject::command_from_element_iter(elements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::dimse::encode;
    use crate::net::wire::{self, IMPLICIT_VR_LE};

    fn round_trip(object: &InMemDicomObject) -> Command {
        let bytes = encode(object, IMPLICIT_VR_LE).unwrap();
        Command::from_object(&wire::parse_command(&bytes).unwrap()).unwrap()
    }

    #[test]
    fn requests_and_responses_round_trip() {
        let find = round_trip(&request(field::C_FIND_RQ, 3, "1.2.840.10008.5.1.4.1.2.2.1"));
        assert_eq!(find.field, field::C_FIND_RQ);
        assert_eq!(find.message_id, 3);
        assert!(find.has_data);
        let store = Command {
            field: field::C_STORE_RQ,
            message_id: 9,
            sop_class: "1.2.840.10008.5.1.4.1.1.88.22".into(),
            sop_instance: "1.2.3.4".into(),
            ..Command::default()
        };
        let long = "x".repeat(100);
        let rsp = round_trip(&response(
            field::C_STORE_RSP,
            &store,
            status::OUT_OF_RESOURCES,
            Some(&long),
        ));
        assert_eq!(rsp.field, field::C_STORE_RSP);
        assert_eq!(rsp.message_id, 9);
        assert_eq!(rsp.status, Some(status::OUT_OF_RESOURCES));
        assert_eq!(rsp.sop_instance, "1.2.3.4");
        assert_eq!(rsp.error_comment.as_deref().map(str::len), Some(64));
        assert!(!rsp.has_data);
        let moved = round_trip(&move_request(4, "1.2.840.10008.5.1.4.1.2.2.2", "DXA"));
        assert_eq!(moved.field, field::C_MOVE_RQ);
    }

    #[test]
    fn status_classes() {
        assert!(status::is_pending(0xFF00));
        assert!(status::is_pending(0xFF01));
        assert!(!status::is_pending(0x0000));
        assert!(status::is_warning(0xB000));
        assert!(status::is_warning(0x0001));
        assert!(!status::is_warning(0xA700));
    }
}
