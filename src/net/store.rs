//! The storage service, on whichever association objects arrive: `listen`'s (a scanner's
//! C-STORE requests and C-ECHO), the PACS's association to the C-MOVE destination of
//! `pull`, and the C-STORE sub-operations inside a C-GET of `pull` (same association as the
//! C-GET). Each object is answered after the archive has it on disk, or with the failure
//! status that says why not (docs/network.md, "Statuses").

use std::net::TcpStream;
use std::time::{Duration, Instant};

use dicom_ul::association::{Association, SyncAssociation};

use super::archive::{self, Archive, Refusal, Stored};
use super::dimse::{
    self, Command, Data, DimseError, Incoming, Message, MessageReader, field, status,
};

/// Told about every object stored or refused (progress bars, the rescan clock).
pub trait StoreObserver: Sync {
    /// One object's outcome.
    fn object(&self, outcome: &Result<Stored, Refusal>);
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unobserved;

impl StoreObserver for Unobserved {
    fn object(&self, _outcome: &Result<Stored, Refusal>) {}
}

/// Counts of one association, for its log line and for `pull`'s summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounts {
    /// Objects written.
    pub stored: u64,
    /// Objects already archived (success answered, nothing written).
    pub already_archived: u64,
    /// Objects refused (failure status answered).
    pub refused: u64,
    /// Bytes written.
    pub bytes: u64,
}

impl StoreCounts {
    /// Adds one outcome.
    pub fn count(&mut self, outcome: &Result<Stored, Refusal>) {
        match outcome {
            Ok(Stored::New { bytes, .. }) => {
                self.stored += 1;
                self.bytes += bytes;
            }
            Ok(Stored::AlreadyArchived { .. }) => self.already_archived += 1,
            Err(_) => self.refused += 1,
        }
    }

    /// Adds another association's counts.
    pub fn add(&mut self, other: &StoreCounts) {
        self.stored += other.stored;
        self.already_archived += other.already_archived;
        self.refused += other.refused;
        self.bytes += other.bytes;
    }
}

/// The transfer syntax of a presentation context, as accepted.
pub fn context_syntax<A: Association>(association: &A, context_id: u8) -> Option<String> {
    association
        .presentation_contexts()
        .iter()
        .find(|pc| pc.id == context_id)
        .map(|pc| pc.transfer_syntax.trim_end_matches(['\0', ' ']).to_string())
}

/// Stores the object of a C-STORE-RQ and answers it. The outcome is returned; an error is
/// the association failing (the response could not be sent).
pub fn handle_store<A: SyncAssociation<TcpStream>>(
    association: &mut A,
    archive: &Archive,
    message: Message,
) -> Result<Result<Stored, Refusal>, DimseError> {
    let peer = association.peer_ae_title().trim().to_string();
    let Message {
        context_id,
        command,
        data,
    } = message;
    let outcome = match (data, context_syntax(association, context_id)) {
        (Data::Received(bytes), Some(syntax)) => archive.store(
            &syntax,
            &command.sop_class,
            &command.sop_instance,
            &peer,
            bytes,
        ),
        (Data::TooLarge(size), _) => {
            Err(archive::refuse_too_large(size, archive.max_object_bytes()))
        }
        (Data::None, _) => Err(Refusal {
            status: status::CANNOT_UNDERSTAND,
            message: "C-STORE request without a data set".to_string(),
        }),
        (Data::Received(_), None) => Err(Refusal {
            status: status::CANNOT_UNDERSTAND,
            message: format!("unknown presentation context {context_id}"),
        }),
    };
    let (code, comment) = match &outcome {
        Ok(_) => (status::SUCCESS, None),
        Err(refusal) => (refusal.status, Some(refusal.message.as_str())),
    };
    let response = dimse::response(field::C_STORE_RSP, &command, code, comment);
    dimse::send_command(association, context_id, &response)?;
    Ok(outcome)
}

/// How an association ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The peer released it.
    Released,
    /// The peer aborted it (a sender killed mid-transfer: its object is dropped).
    Aborted,
    /// It broke (timeout, closed connection, protocol error), with what happened.
    Broken(String),
}

/// One served association, for its log line.
#[derive(Debug, Clone)]
pub struct Served {
    /// Objects.
    pub counts: StoreCounts,
    /// C-ECHO requests answered.
    pub echoes: u64,
    /// How it ended.
    pub ending: Ending,
    /// How long it lasted.
    pub elapsed: Duration,
    /// The first refusal, for the log.
    pub first_refusal: Option<String>,
}

/// Serves C-STORE and C-ECHO on an established association until the peer releases or
/// aborts it, or it breaks. Other requests are answered "unrecognized operation".
pub fn serve<A: SyncAssociation<TcpStream>>(
    mut association: A,
    archive: &Archive,
    observer: &dyn StoreObserver,
) -> Served {
    let started = Instant::now();
    let mut reader = MessageReader::new(archive.max_object_bytes());
    let mut served = Served {
        counts: StoreCounts::default(),
        echoes: 0,
        ending: Ending::Released,
        elapsed: Duration::ZERO,
        first_refusal: None,
    };
    served.ending = loop {
        let message = match reader.receive(&mut association) {
            Ok(Incoming::Message(message)) => message,
            Ok(Incoming::Released) => break Ending::Released,
            Ok(Incoming::Aborted) => break Ending::Aborted,
            Err(error) => break Ending::Broken(error.to_string()),
        };
        let answered = match message.command.field {
            field::C_STORE_RQ => handle_store(&mut association, archive, message).map(|outcome| {
                if let Err(refusal) = &outcome
                    && served.first_refusal.is_none()
                {
                    served.first_refusal = Some(refusal.message.clone());
                }
                served.counts.count(&outcome);
                observer.object(&outcome);
            }),
            field::C_ECHO_RQ => {
                served.echoes += 1;
                answer(
                    &mut association,
                    &message,
                    field::C_ECHO_RSP,
                    status::SUCCESS,
                )
            }
            // A cancel has no response (PS3.7 9.3.2.3); nothing of ours is cancellable.
            field::C_CANCEL_RQ => Ok(()),
            other => answer(
                &mut association,
                &message,
                other | 0x8000,
                status::UNRECOGNIZED_OPERATION,
            ),
        };
        if let Err(error) = answered {
            break Ending::Broken(error.to_string());
        }
    };
    if let Ending::Broken(_) = served.ending {
        let _ = association.abort();
    }
    served.elapsed = started.elapsed();
    served
}

fn answer<A: SyncAssociation<TcpStream>>(
    association: &mut A,
    message: &Message,
    response_field: u16,
    code: u16,
) -> Result<(), DimseError> {
    let request: &Command = &message.command;
    let response = dimse::response(response_field, request, code, None);
    dimse::send_command(association, message.context_id, &response)
}
