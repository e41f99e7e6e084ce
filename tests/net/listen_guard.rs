//! `listen` against peers that try to shut it out or to fool it (docs/network.md, "Slots
//! and deadlines", "Shutdown", "Hostile peers"): senders that drip bytes, AE titles that
//! forge log lines, C-STOREs of classes that store nothing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;
use dicom_ul::pdu::{AssociationRQ, PresentationContextProposed, UserVariableItem};
use dicom_ul::{ClientAssociationOptions, Pdu, write_pdu};
use dxa_ingest::net::dimse::{self, Incoming, MessageReader, field};
use dxa_ingest::net::link::{self, Link};

use super::checks::wait_until;
use super::objects::{archive_objects, fixture_objects};
use super::peers::{Listener, storescu};
use crate::util::stderr;

/// An association to `port` as `calling` that sends nothing until released.
pub fn idle_association(port: u16, calling: &str) -> Box<dyn Link> {
    Box::new(
        ClientAssociationOptions::new()
            .calling_ae_title(calling)
            .with_abstract_syntax(uids::VERIFICATION)
            .establish(("127.0.0.1", port))
            .expect("an association"),
    )
}

/// The bytes of an A-ASSOCIATE-RQ from `calling` proposing Verification.
fn association_request(calling: &str) -> Vec<u8> {
    let request = Pdu::AssociationRQ(AssociationRQ {
        protocol_version: 1,
        calling_ae_title: calling.into(),
        called_ae_title: "DXA".into(),
        application_context_name: "1.2.840.10008.3.1.1.1".into(),
        presentation_contexts: vec![PresentationContextProposed {
            id: 1,
            abstract_syntax: uids::VERIFICATION.into(),
            transfer_syntaxes: vec![uids::IMPLICIT_VR_LITTLE_ENDIAN.into()],
        }],
        user_variables: vec![UserVariableItem::MaxLength(16_384)],
    });
    let mut bytes = Vec::new();
    write_pdu(&mut bytes, &request).expect("encode");
    bytes
}

/// Connections that send the first byte of a request and then nothing (one byte a
/// minute would do the same): they used to hold every association slot.
fn slow_senders(port: u16, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream.write_all(&[0x01]).expect("one byte");
            stream
        })
        .collect()
}

#[test]
fn slow_senders_cannot_shut_listen_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = fixture_objects();
    let (file, id) = fixtures.values().next().expect("a fixture").clone();
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--max-associations",
            "2",
            "--max-negotiating",
            "4",
            "--request-timeout",
            "3",
            // Reads may wait this long: only the deadline of the whole request cuts them.
            "--timeout",
            "600",
        ],
    );
    // Eight, as in the report: more than the slots, and more than may negotiate at once.
    let slow = slow_senders(listener.port, 8);
    let sent = storescu("SCANNER", "DXA", listener.port, &[file.as_path()]);
    assert!(
        sent.status.success(),
        "{}\n{}",
        stderr(&sent),
        listener.log()
    );
    assert!(archive_objects(&dir.path().join("archive")).contains_key(&id.sop_instance));
    // The oldest were closed to make room; the rest at their deadline.
    wait_until(
        "the slow senders to be cut",
        Duration::from_secs(60),
        || {
            listener
                .log()
                .matches("closed: no whole association request within 3 s")
                .count()
                >= 1
        },
    );
    let log = listener.log();
    assert!(log.contains("the oldest is closed"), "{log}");
    drop(slow);
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
}

/// `--allow` is checked on the first 42 bytes of the request: a sender that is not allowed
/// is told at once, however slowly the rest of its request would come.
#[test]
fn allow_is_checked_before_the_rest_of_the_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--allow",
            "SCANNER",
            "--timeout",
            "600",
        ],
    );
    let request = association_request("INTRUDER");
    let mut stream = TcpStream::connect(("127.0.0.1", listener.port)).expect("connect");
    stream.write_all(&request[..42]).expect("the titles");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut answer = [0u8; 10];
    stream
        .read_exact(&mut answer)
        .expect("an answer before the rest of the request");
    assert_eq!(answer[0], 0x03, "A-ASSOCIATE-RJ: {answer:?}");
    assert_eq!(answer[7], 0x01, "permanent");
    assert_eq!(answer[9], 0x03, "calling AE title not recognized");
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert!(
        log.contains("INTRUDER@127.0.0.1") && log.contains("not recognized (--allow)"),
        "{log}"
    );
}

/// SIGTERM closes a connection still negotiating at once, and gives an association in
/// progress `--grace` seconds; neither can hold listen (reads here may wait 600 s).
#[test]
fn sigterm_does_not_wait_for_slow_peers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = Listener::start(
        dir.path(),
        &["--archive", "archive", "--timeout", "600", "--grace", "2"],
    );
    let negotiating = slow_senders(listener.port, 1);
    // An association that starts a C-STORE and stalls mid-object.
    let mut stalled: Box<dyn Link> = Box::new(
        ClientAssociationOptions::new()
            .calling_ae_title("STALLED")
            .with_presentation_context(
                uids::SECONDARY_CAPTURE_IMAGE_STORAGE,
                vec![uids::EXPLICIT_VR_LITTLE_ENDIAN],
            )
            .establish(("127.0.0.1", listener.port))
            .expect("an association"),
    );
    let command = dimse::request(field::C_STORE_RQ, 1, uids::SECONDARY_CAPTURE_IMAGE_STORAGE);
    dimse::send_command(&mut *stalled, 1, &command).expect("command");
    stalled
        .send_pdu(&Pdu::PData {
            data: vec![dicom_ul::pdu::PDataValue {
                presentation_context_id: 1,
                value_type: dicom_ul::pdu::PDataValueType::Data,
                is_last: false,
                data: vec![0; 100],
            }],
        })
        .expect("part of a data set");
    super::peers::signal(listener.pid(), libc::SIGTERM);
    // Long before any read timeout: the negotiation is cut at once, the association at the
    // end of its grace.
    let (exit, log) = listener.wait_at_most(Duration::from_secs(60));
    assert_eq!(exit, 0, "{log}");
    assert!(
        log.contains("closed at shutdown, still negotiating"),
        "{log}"
    );
    assert!(
        log.lines().any(|l| l.contains("STALLED@")
            && l.contains("end of the association after the shutdown signal within 2 s")),
        "{log}"
    );
    drop(negotiating);
    let archive = dir.path().join("archive");
    assert!(archive_objects(&archive).is_empty());
}

/// A calling AE title holding a newline and a terminal escape sequence reaches the log
/// escaped: it cannot forge a line, nor colour a terminal.
#[test]
fn peer_text_is_escaped_in_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = Listener::start(dir.path(), &["--archive", "archive"]);
    let forged = "EVIL\nFORGED\u{1b}[31m";
    let mut association = ClientAssociationOptions::new()
        .calling_ae_title(forged)
        .with_abstract_syntax(uids::VERIFICATION)
        .establish(("127.0.0.1", listener.port))
        .expect("an association");
    let echo = InMemDicomObject::command_from_element_iter([
        DataElement::new(
            tags::AFFECTED_SOP_CLASS_UID,
            VR::UI,
            PrimitiveValue::from(uids::VERIFICATION),
        ),
        DataElement::new(
            tags::COMMAND_FIELD,
            VR::US,
            PrimitiveValue::from(field::C_ECHO_RQ),
        ),
        DataElement::new(tags::MESSAGE_ID, VR::US, PrimitiveValue::from(1u16)),
        // No data set follows (PS3.7 E.1-1).
        DataElement::new(
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(0x0101u16),
        ),
    ]);
    dimse::send_command(&mut association, 1, &echo).expect("echo");
    let mut reader = MessageReader::new(1 << 16);
    assert!(matches!(
        reader.receive(&mut association),
        Ok(Incoming::Message(_))
    ));
    association.release().expect("release");
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
    assert!(
        !log.lines().any(|l| l.starts_with("FORGED")),
        "a forged line: {log}"
    );
    assert!(log.contains("EVIL\\x0AFORGED\\x1B[31m@127.0.0.1"), "{log}");
}

/// A C-STORE of a class that is no storage class, or not its context's, is refused with
/// 0122H (SOP class not supported) and nothing is written.
#[test]
fn a_c_store_of_no_storage_class_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = Listener::start(dir.path(), &["--archive", "archive"]);
    let mut association = ClientAssociationOptions::new()
        .calling_ae_title("TRICKSTER")
        .with_presentation_context(uids::VERIFICATION, vec![uids::IMPLICIT_VR_LITTLE_ENDIAN])
        .with_presentation_context(
            uids::CT_IMAGE_STORAGE,
            vec![uids::IMPLICIT_VR_LITTLE_ENDIAN],
        )
        .establish(("127.0.0.1", listener.port))
        .expect("an association");
    let mut reader = MessageReader::new(1 << 16);
    let contexts: Vec<(u8, String)> = association
        .presentation_contexts()
        .iter()
        .map(|pc| (pc.id, link::trim_uid(&pc.abstract_syntax).to_string()))
        .collect();
    let context_of = |class: &str| contexts.iter().find(|(_, c)| c == class).expect(class).0;
    for (n, (class, context, study)) in [
        ("1.2.3.4.5", context_of(uids::VERIFICATION), "1.2.3"),
        (
            uids::ENHANCED_SR_STORAGE,
            context_of(uids::CT_IMAGE_STORAGE),
            "1.2.4",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let sop = format!("1.2.3.{}", n + 10);
        let data = InMemDicomObject::from_element_iter([
            DataElement::new(tags::SOP_CLASS_UID, VR::UI, PrimitiveValue::from(class)),
            DataElement::new(
                tags::SOP_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from(sop.as_str()),
            ),
            DataElement::new(
                tags::STUDY_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from(study),
            ),
        ]);
        let mut command = dimse::request(field::C_STORE_RQ, n as u16 + 1, class);
        command.put(DataElement::new(
            tags::AFFECTED_SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from(sop.as_str()),
        ));
        dimse::send_command(&mut association, context, &command).expect("command");
        let bytes = dimse::encode(&data, uids::IMPLICIT_VR_LITTLE_ENDIAN).expect("encode");
        dimse::send_data(&mut association, context, &bytes).expect("data");
        let Ok(Incoming::Message(answer)) = reader.receive(&mut association) else {
            panic!("no answer: {}", listener.log());
        };
        assert_eq!(answer.command.field, field::C_STORE_RSP);
        assert_eq!(answer.command.status, Some(0x0122), "{class}: {answer:?}");
    }
    association.release().expect("release");
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert!(log.contains("2 refused"), "{log}");
    assert!(
        log.contains(
            "a C-STORE of class 1.2.3.4.5 on the presentation context of 1.2.840.10008.1.1"
        ),
        "{log}"
    );
    assert!(archive_objects(&dir.path().join("archive")).is_empty());
}
