use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use dicom_ul::pdu::{AssociationRJ, PresentationContextProposed};

use super::*;

const SR: &str = "1.2.840.10008.5.1.4.1.1.88.22";
const EXPLICIT: &str = "1.2.840.10008.1.2.1";
const IMPLICIT: &str = "1.2.840.10008.1.2";

fn acceptor(allow: &[&str]) -> Acceptor {
    Acceptor {
        ae_title: "DXA".into(),
        allow: allow.iter().map(|a| a.to_string()).collect(),
        abstract_syntaxes: [SR.to_string()].into_iter().collect(),
        transfer_syntaxes: [EXPLICIT.to_string(), IMPLICIT.to_string()]
            .into_iter()
            .collect(),
        max_pdu: 16_384,
    }
}

fn request(calling: &str) -> AssociationRQ {
    AssociationRQ {
        protocol_version: 1,
        calling_ae_title: calling.into(),
        called_ae_title: "DXA".into(),
        application_context_name: APPLICATION_CONTEXT.into(),
        presentation_contexts: vec![
            PresentationContextProposed {
                id: 1,
                abstract_syntax: format!("{SR}\0"),
                transfer_syntaxes: vec![
                    "1.2.840.10008.1.2.4.50".into(),
                    IMPLICIT.into(),
                    EXPLICIT.into(),
                ],
            },
            PresentationContextProposed {
                id: 3,
                abstract_syntax: "1.2.3.4.5".into(),
                transfer_syntaxes: vec![EXPLICIT.into()],
            },
        ],
        user_variables: vec![UserVariableItem::MaxLength(32_768)],
    }
}

fn encoded(pdu: &Pdu) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_pdu(&mut bytes, pdu).unwrap();
    bytes
}

/// A connected pair: (the test's end, the acceptor's end).
fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    (client, listener.accept().unwrap().0)
}

fn read_answer(stream: &mut TcpStream) -> Pdu {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Ok(Some(pdu)) = read_pdu(&bytes[..], 16_384, false) {
            return pdu;
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed without an answer");
        bytes.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn the_proposers_first_storable_syntax_is_chosen_and_unknown_classes_rejected() {
    let (accept, contexts, peer_max) = acceptor(&[]).negotiate(&request("SCANNER"));
    assert_eq!(peer_max, 32_768);
    assert_eq!(contexts[0].abstract_syntax, SR);
    assert_eq!(
        contexts[0].reason,
        PresentationContextResultReason::Acceptance
    );
    assert_eq!(
        contexts[0].transfer_syntax, IMPLICIT,
        "first of the proposer's list we keep"
    );
    assert_eq!(
        contexts[1].reason,
        PresentationContextResultReason::AbstractSyntaxNotSupported
    );
    assert_eq!(accept.presentation_contexts.len(), 2);
    assert!(
        accept
            .user_variables
            .contains(&UserVariableItem::MaxLength(16_384))
    );
}

#[test]
fn allow_lists_ignore_padding() {
    assert!(allowed(&[], "ANYONE"));
    let list = ["HOLOGIC".to_string()];
    assert!(allowed(&list, "HOLOGIC   "));
    assert!(allowed(&list, "HOLOGIC\0"));
    assert!(!allowed(&list, "INTRUDER"));
}

/// A calling AE title not allowed is rejected on the first 42 bytes: the rest of the
/// request is never waited for (a slow sender is told at once, and holds nothing).
#[test]
fn a_calling_ae_title_not_allowed_is_rejected_before_the_rest_arrives() {
    let (mut client, server) = pair();
    let bytes = encoded(&Pdu::AssociationRQ(request("INTRUDER")));
    client.write_all(&bytes[..6 + TITLES_END]).unwrap();
    let slots = Slots::new(1);
    let tcp = server.try_clone().unwrap();
    let refused = acceptor(&["HOLOGIC"])
        .accept(Box::new(server), tcp, &slots)
        .err()
        .unwrap();
    assert_eq!(
        refused,
        Refused::Rejected {
            calling: Some("INTRUDER".into()),
            reason: "calling AE title not recognized (--allow)".to_string(),
        }
    );
    match read_answer(&mut client) {
        Pdu::AssociationRJ(AssociationRJ { result, .. }) => {
            assert_eq!(result, AssociationRJResult::Permanent)
        }
        other => panic!("{other:?}"),
    }
}

/// With every slot taken, a whole request gets a transient rejection (to retry); a slot
/// freed is taken by the next one.
#[test]
fn a_full_server_rejects_transiently_then_accepts() {
    let slots = Slots::new(1);
    let held = slots.take().unwrap();
    let bytes = encoded(&Pdu::AssociationRQ(request("SCANNER")));
    let (mut client, server) = pair();
    client.write_all(&bytes).unwrap();
    let tcp = server.try_clone().unwrap();
    let refused = acceptor(&[]).accept(Box::new(server), tcp, &slots).err();
    assert!(
        matches!(refused, Some(Refused::Rejected { .. })),
        "{refused:?}"
    );
    match read_answer(&mut client) {
        Pdu::AssociationRJ(AssociationRJ { result, .. }) => {
            assert_eq!(result, AssociationRJResult::Transient)
        }
        other => panic!("{other:?}"),
    }
    drop(held);
    let (mut client, server) = pair();
    client.write_all(&bytes).unwrap();
    let tcp = server.try_clone().unwrap();
    let (mut link, _slot) = acceptor(&[]).accept(Box::new(server), tcp, &slots).unwrap();
    assert!(matches!(read_answer(&mut client), Pdu::AssociationAC(_)));
    assert!(slots.take().is_none(), "the association holds the slot");
    assert_eq!(link.peer_ae_title(), "SCANNER");
    assert_eq!(link.called_ae_title(), "DXA");
    // Whole PDUs come through; a release request is one.
    client.write_all(&encoded(&Pdu::ReleaseRQ)).unwrap();
    assert_eq!(link.receive_pdu().unwrap(), Pdu::ReleaseRQ);
}

#[test]
fn a_tls_hello_on_a_plain_port_is_named() {
    let (mut client, server) = pair();
    client
        .write_all(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
        .unwrap();
    let tcp = server.try_clone().unwrap();
    let slots = Slots::new(1);
    match acceptor(&[]).accept(Box::new(server), tcp, &slots) {
        Err(Refused::Broken(why)) => assert!(why.contains("TLS handshake"), "{why}"),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn data_sets_are_split_to_the_peers_maximum() {
    let (mut client, server) = pair();
    let bytes = encoded(&Pdu::AssociationRQ(AssociationRQ {
        user_variables: vec![UserVariableItem::MaxLength(1024)],
        ..request("SCANNER")
    }));
    client.write_all(&bytes).unwrap();
    let tcp = server.try_clone().unwrap();
    let slots = Slots::new(1);
    let (mut link, _slot) = acceptor(&[]).accept(Box::new(server), tcp, &slots).unwrap();
    let _ = read_answer(&mut client);
    let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    link.send_data(1, &data).unwrap();
    drop(link);
    let mut received = Vec::new();
    client.read_to_end(&mut received).unwrap();
    let mut joined = Vec::new();
    let mut rest = &received[..];
    let mut pdus = 0;
    while !rest.is_empty() {
        let length = u32::from_be_bytes([rest[2], rest[3], rest[4], rest[5]]) as usize;
        assert!(length <= 1024, "{length}");
        match read_pdu(&rest[..6 + length], 16_384, false)
            .unwrap()
            .unwrap()
        {
            Pdu::PData { data } => {
                for value in data {
                    joined.extend_from_slice(&value.data);
                }
            }
            other => panic!("{other:?}"),
        }
        rest = &rest[6 + length..];
        pdus += 1;
    }
    assert_eq!(joined, data);
    assert_eq!(pdus, 3);
}
