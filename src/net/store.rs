//! The storage service, on whichever association objects arrive: `listen`'s (a scanner's
//! C-STORE requests and C-ECHO), the PACS's association to the C-MOVE destination of
//! `pull`, and the C-STORE sub-operations inside a C-GET of `pull` (same association as the
//! C-GET). Each object is answered after the archive has it on disk, or with the failure
//! status that says why not (docs/network.md, "Statuses").

use std::time::{Duration, Instant};

use dicom_ul::Pdu;

pub use super::archive::Admission;
use super::archive::{self, Archive, Refusal, Stored};
use super::dimse::{
    self, Command, Data, DimseError, Incoming, Message, MessageReader, field, status,
};
use super::link::{self, Link};
use super::storage_classes::STORAGE_SOP_CLASSES;

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
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

/// The transfer syntax to store an object in, if its command may be served on its context:
/// the context must be accepted, its abstract syntax must be the command's SOP class
/// (PS3.7 9.3.1.1: the Affected SOP Class UID is the context's), and that class a storage
/// class (a C-STORE on the Verification context, or of a class that stores nothing, is
/// refused before its data set is looked at).
pub fn check_class<'a>(
    context: Option<(&str, &'a str)>,
    sop_class: &str,
) -> Result<&'a str, Refusal> {
    let Some((abstract_syntax, transfer_syntax)) = context else {
        return Err(Refusal {
            status: status::CANNOT_UNDERSTAND,
            message: "a C-STORE on a presentation context that was not accepted".to_string(),
        });
    };
    if abstract_syntax != sop_class {
        return Err(Refusal {
            status: status::SOP_CLASS_NOT_SUPPORTED,
            message: format!(
                "a C-STORE of class {sop_class} on the presentation context of {abstract_syntax}"
            ),
        });
    }
    if !STORAGE_SOP_CLASSES.contains(&sop_class) {
        return Err(Refusal {
            status: status::SOP_CLASS_NOT_SUPPORTED,
            message: format!("{sop_class} is not a storage SOP class"),
        });
    }
    Ok(transfer_syntax)
}

/// Stores the object of a C-STORE-RQ, if `admission` lets it in, and answers it. The
/// outcome is returned; an error is the association failing (the response could not be
/// sent).
pub fn handle_store(
    association: &mut dyn Link,
    archive: &Archive,
    admission: &Admission,
    message: Message,
) -> Result<Result<Stored, Refusal>, DimseError> {
    let peer = association.peer_ae_title().trim().to_string();
    let Message {
        context_id,
        command,
        data,
    } = message;
    let context = link::context(&*association, context_id);
    let outcome = match (data, check_class(context, &command.sop_class)) {
        (_, Err(refusal)) => Err(refusal),
        (Data::Received(bytes), Ok(syntax)) => {
            let syntax = syntax.to_string();
            archive.store(
                &syntax,
                &command.sop_class,
                &command.sop_instance,
                &peer,
                bytes,
                admission,
            )
        }
        (Data::TooLarge(size), Ok(_)) => {
            Err(archive::refuse_too_large(size, archive.max_object_bytes()))
        }
        (Data::None, Ok(_)) => Err(Refusal {
            status: status::CANNOT_UNDERSTAND,
            message: "C-STORE request without a data set".to_string(),
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
/// aborts it, or it breaks (then it is aborted). Other requests are answered "unrecognized
/// operation".
pub fn serve(
    association: &mut dyn Link,
    archive: &Archive,
    admission: &Admission,
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
        let message = match reader.receive(association) {
            Ok(Incoming::Message(message)) => message,
            Ok(Incoming::Released) => break Ending::Released,
            Ok(Incoming::Aborted) => break Ending::Aborted,
            Err(error) => break Ending::Broken(error.to_string()),
        };
        let answered = match message.command.field {
            field::C_STORE_RQ => {
                handle_store(association, archive, admission, message).map(|outcome| {
                    if let Err(refusal) = &outcome
                        && served.first_refusal.is_none()
                    {
                        served.first_refusal = Some(refusal.message.clone());
                    }
                    served.counts.count(&outcome);
                    observer.object(&outcome);
                })
            }
            field::C_ECHO_RQ => {
                served.echoes += 1;
                answer(association, &message, field::C_ECHO_RSP, status::SUCCESS)
            }
            // A cancel has no response (PS3.7 9.3.2.3); nothing of ours is cancellable.
            field::C_CANCEL_RQ => Ok(()),
            other => answer(
                association,
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
        let _ = association.send_pdu(&Pdu::AbortRQ {
            source: dicom_ul::pdu::AbortRQSource::ServiceProvider(
                dicom_ul::pdu::AbortRQServiceProviderReason::ReasonNotSpecified,
            ),
        });
        let _ = association.tcp().shutdown(std::net::Shutdown::Both);
    }
    served.elapsed = started.elapsed();
    served
}

fn answer(
    association: &mut dyn Link,
    message: &Message,
    response_field: u16,
    code: u16,
) -> Result<(), DimseError> {
    let request: &Command = &message.command;
    let response = dimse::response(response_field, request, code, None);
    dimse::send_command(association, message.context_id, &response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: &str = "1.2.840.10008.5.1.4.1.1.88.22";
    const TS: &str = "1.2.840.10008.1.2.1";

    #[test]
    fn only_storage_classes_on_their_own_context_are_stored() {
        assert_eq!(check_class(Some((SR, TS)), SR), Ok(TS));
        let verification = check_class(Some(("1.2.840.10008.1.1", TS)), "1.2.840.10008.1.1");
        assert_eq!(
            verification.unwrap_err().status,
            status::SOP_CLASS_NOT_SUPPORTED
        );
        let other_context = check_class(Some(("1.2.840.10008.1.1", TS)), SR).unwrap_err();
        assert_eq!(other_context.status, status::SOP_CLASS_NOT_SUPPORTED);
        assert!(other_context.message.contains("presentation context"));
        let invented = check_class(Some(("1.2.3.4.5", TS)), "1.2.3.4.5").unwrap_err();
        assert_eq!(invented.message, "1.2.3.4.5 is not a storage SOP class");
        assert_eq!(
            check_class(None, SR).unwrap_err().status,
            status::CANNOT_UNDERSTAND
        );
    }

    #[test]
    fn counts_add_up() {
        let mut counts = StoreCounts::default();
        counts.count(&Ok(Stored::New {
            path: "a".into(),
            bytes: 10,
        }));
        counts.count(&Ok(Stored::AlreadyArchived { path: "b".into() }));
        counts.count(&Err(Refusal {
            status: status::OUT_OF_RESOURCES,
            message: "full".into(),
        }));
        assert_eq!(
            counts,
            StoreCounts {
                stored: 1,
                already_archived: 1,
                refused: 1,
                bytes: 10
            }
        );
        let mut total = StoreCounts::default();
        total.add(&counts);
        total.add(&counts);
        assert_eq!(total.stored, 2);
        assert_eq!(total.bytes, 20);
    }
}
