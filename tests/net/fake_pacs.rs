//! A hostile or scripted PACS for the `pull` tests, where Orthanc cannot misbehave on
//! purpose: dicom-ul's acceptor (not ours) on a port it binds itself, answering C-FIND with
//! as many matches as asked, or with pending responses forever, and C-MOVE by running
//! dcmtk's storescu towards the move port with whatever AE titles and files the test says.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;
use dicom_ul::ServerAssociationOptions;
use dxa_ingest::net::dimse::{self, Command, Incoming, MessageReader, field, status};
use dxa_ingest::net::link::Link;

use super::peers::storescu;

/// What the PACS does.
#[derive(Debug, Clone)]
pub enum Script {
    /// Answers a study-level C-FIND with this many matches (then success).
    ManyStudies(usize),
    /// Answers every C-FIND with a pending response (one match) every interval, forever.
    Drip(Duration),
    /// One study, series and instance for C-FIND; a C-MOVE makes storescu send, in order,
    /// each (calling AE title, file) to the move destination on 127.0.0.1:port, then
    /// answers success.
    Move {
        /// The study, series and SOP instance (a secondary capture) the queries return.
        study: String,
        series: String,
        instance: String,
        /// Where the move destination listens.
        port: u16,
        /// What storescu sends, as whom.
        sends: Vec<(String, PathBuf)>,
    },
}

/// A running fake PACS (AE title FAKEPACS).
pub struct FakePacs {
    /// Its port.
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakePacs {
    /// Starts serving `script`, one association at a time, on a port it binds.
    pub fn start(script: Script) -> FakePacs {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake PACS");
        let port = listener.local_addr().expect("address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).expect("blocking");
                let options = ServerAssociationOptions::new()
                    .accept_any()
                    .ae_title("FAKEPACS")
                    .with_abstract_syntax(uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_FIND)
                    .with_abstract_syntax(uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_MOVE);
                if let Ok(mut association) = options.establish(stream) {
                    serve(&mut association, &script, &stopping);
                }
            }
        });
        FakePacs {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for FakePacs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn text(tag: dicom_core::Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(value))
}

fn us(tag: dicom_core::Tag, value: u16) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::US, PrimitiveValue::from(value))
}

/// A response to `request`; with a data set (in the context's transfer syntax) when
/// `identifier` is given.
fn respond(
    association: &mut dyn Link,
    context_id: u8,
    request: &Command,
    response_field: u16,
    code: u16,
    identifier: Option<&InMemDicomObject>,
) -> bool {
    let command = InMemDicomObject::command_from_element_iter([
        text(tags::AFFECTED_SOP_CLASS_UID, VR::UI, &request.sop_class),
        us(tags::COMMAND_FIELD, response_field),
        us(tags::MESSAGE_ID_BEING_RESPONDED_TO, request.message_id),
        us(
            tags::COMMAND_DATA_SET_TYPE,
            if identifier.is_some() { 0x0001 } else { 0x0101 },
        ),
        us(tags::STATUS, code),
    ]);
    if dimse::send_command(association, context_id, &command).is_err() {
        return false;
    }
    match identifier {
        Some(identifier) => {
            let syntax = dxa_ingest::net::link::context(&*association, context_id)
                .map(|(_, ts)| ts.to_string())
                .expect("an accepted context");
            let bytes = dimse::encode(identifier, &syntax).expect("encode");
            dimse::send_data(association, context_id, &bytes).is_ok()
        }
        None => true,
    }
}

fn level(syntax: &str, identifier: &[u8]) -> String {
    let object =
        dxa_ingest::net::wire::parse_identifier(syntax, identifier).expect("an identifier");
    object
        .get(tags::QUERY_RETRIEVE_LEVEL)
        .and_then(|e| e.to_str().ok())
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

fn serve(association: &mut dyn Link, script: &Script, stop: &AtomicBool) {
    let mut reader = MessageReader::new(1 << 20);
    loop {
        let message = match reader.receive(association) {
            Ok(Incoming::Message(message)) => message,
            _ => return,
        };
        let request = &message.command;
        let identifier = match &message.data {
            dimse::Data::Received(bytes) => bytes.clone(),
            _ => Vec::new(),
        };
        let (id, pending) = (message.context_id, status::PENDING);
        match (request.field, script) {
            (field::C_FIND_RQ, Script::ManyStudies(n)) => {
                for i in 0..*n {
                    let study = InMemDicomObject::from_element_iter([
                        text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, "STUDY"),
                        text(
                            tags::STUDY_INSTANCE_UID,
                            VR::UI,
                            &format!("2.25.{}", 1000 + i),
                        ),
                        text(tags::MODALITIES_IN_STUDY, VR::CS, "SR"),
                    ]);
                    if !respond(
                        association,
                        id,
                        request,
                        field::C_FIND_RSP,
                        pending,
                        Some(&study),
                    ) {
                        return;
                    }
                }
                respond(
                    association,
                    id,
                    request,
                    field::C_FIND_RSP,
                    status::SUCCESS,
                    None,
                );
            }
            (field::C_FIND_RQ, Script::Drip(every)) => {
                let study = InMemDicomObject::from_element_iter([
                    text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, "STUDY"),
                    text(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.1"),
                ]);
                while !stop.load(Ordering::SeqCst)
                    && respond(
                        association,
                        id,
                        request,
                        field::C_FIND_RSP,
                        pending,
                        Some(&study),
                    )
                {
                    std::thread::sleep(*every);
                }
                return;
            }
            (
                field::C_FIND_RQ,
                Script::Move {
                    study,
                    series,
                    instance,
                    ..
                },
            ) => {
                let syntax = dxa_ingest::net::link::context(&*association, id)
                    .map(|(_, ts)| ts.to_string())
                    .expect("an accepted context");
                let level = level(&syntax, &identifier);
                let mut found = vec![
                    text(tags::QUERY_RETRIEVE_LEVEL, VR::CS, &level),
                    text(tags::STUDY_INSTANCE_UID, VR::UI, study),
                ];
                match level.as_str() {
                    "STUDY" => found.push(text(tags::MODALITIES_IN_STUDY, VR::CS, "OT")),
                    "SERIES" => {
                        found.push(text(tags::SERIES_INSTANCE_UID, VR::UI, series));
                        found.push(text(tags::MODALITY, VR::CS, "OT"));
                    }
                    _ => {
                        found.push(text(tags::SERIES_INSTANCE_UID, VR::UI, series));
                        found.push(text(tags::SOP_INSTANCE_UID, VR::UI, instance));
                        found.push(text(
                            tags::SOP_CLASS_UID,
                            VR::UI,
                            uids::SECONDARY_CAPTURE_IMAGE_STORAGE,
                        ));
                    }
                }
                let found = InMemDicomObject::from_element_iter(found);
                respond(
                    association,
                    id,
                    request,
                    field::C_FIND_RSP,
                    pending,
                    Some(&found),
                );
                respond(
                    association,
                    id,
                    request,
                    field::C_FIND_RSP,
                    status::SUCCESS,
                    None,
                );
            }
            (field::C_MOVE_RQ, Script::Move { port, sends, .. }) => {
                for (calling, file) in sends {
                    // Refusals are the point: storescu's own exit status is not.
                    let _ = storescu(calling, "ANY", *port, &[file.as_path()]);
                }
                respond(
                    association,
                    id,
                    request,
                    field::C_MOVE_RSP,
                    status::SUCCESS,
                    None,
                );
            }
            _ => {
                respond(
                    association,
                    id,
                    request,
                    request.field | 0x8000,
                    0x0211,
                    None,
                );
            }
        }
    }
}
