//! Our association acceptor (PS3.8 9.3.2-9.3.4), for `listen` and the C-MOVE receiver of
//! `pull`. dicom-ul's acceptor reads the whole A-ASSOCIATE-RQ before it looks at it and
//! answers only after, so whoever holds a connection open holds whatever the server
//! reserved for it. This one reads the request as it arrives (docs/network.md, "Slots and
//! deadlines"):
//!
//! 1. the PDU header and the first 36 bytes (version, called and calling AE titles): a
//!    calling AE title not in `--allow` is rejected there, before the rest is read;
//! 2. the rest of the request (within the deadline the server set: a sender dripping bytes
//!    is cut by the [`super::deadline::Watchdog`]);
//! 3. only then is an association slot taken; none free: a transient rejection ("local
//!    limit exceeded", PS3.8 9.3.4), which senders retry;
//! 4. the presentation contexts: an abstract syntax we serve, with the first transfer
//!    syntax of the proposer's list that we can keep as received.
//!
//! The association then runs on a [`ServerLink`]: whole PDUs in (each one renews the
//! association's idle deadline), PDUs out.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dicom_ul::Pdu;
use dicom_ul::pdu::{
    AssociationAC, AssociationRJ, AssociationRJResult,
    AssociationRJServiceProviderPresentationReason, AssociationRJServiceUserReason,
    AssociationRJSource, AssociationRQ, PresentationContextNegotiated, PresentationContextResult,
    PresentationContextResultReason, UserVariableItem, read_pdu, write_pdu,
};

use super::deadline::{Phase, Watch};
use super::dimse::DimseError;
use super::link::{Link, trim_uid};
use super::wire::{IMPLEMENTATION_CLASS_UID, implementation_version_name};

/// The DICOM application context (PS3.7 A.2.1).
const APPLICATION_CONTEXT: &str = "1.2.840.10008.3.1.1.1";
/// PDU types (PS3.8 9.3.1).
const A_ASSOCIATE_RQ: u8 = 0x01;
/// A TLS handshake record starts with this byte (RFC 8446 5.1): a TLS client on a plain port.
const TLS_HANDSHAKE: u8 = 0x16;
/// Bytes of an A-ASSOCIATE-RQ after its header up to the end of the calling AE title.
const TITLES_END: usize = 36;

/// A byte stream to a peer: a TCP socket, or a TLS stream over one.
pub trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// Association slots: at most `max` associations at once.
#[derive(Debug)]
pub struct Slots {
    max: usize,
    taken: AtomicUsize,
}

/// A slot held by an association; freed when dropped.
#[derive(Debug)]
pub struct Slot<'a>(&'a Slots);

impl Slots {
    /// At most `max` (at least one).
    pub fn new(max: usize) -> Slots {
        Slots {
            max: max.max(1),
            taken: AtomicUsize::new(0),
        }
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A slot, if one is free.
    pub fn take(&self) -> Option<Slot<'_>> {
        self.taken
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.taken.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What we accept: our AE title, the calling AE titles allowed, the abstract and transfer
/// syntaxes, our maximum PDU length.
#[derive(Debug, Clone)]
pub struct Acceptor {
    /// Our AE title (not checked against the called AE title: docs/network.md).
    pub ae_title: String,
    /// Calling AE titles accepted; empty: any.
    pub allow: Vec<String>,
    /// Abstract syntaxes served.
    pub abstract_syntaxes: HashSet<String>,
    /// Transfer syntaxes we can keep as received.
    pub transfer_syntaxes: HashSet<String>,
    /// Largest PDU we accept (the request too).
    pub max_pdu: u32,
}

/// Why no association was made, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Rejected with an A-ASSOCIATE-RJ; the calling AE title when it was read.
    Rejected {
        /// The calling AE title (raw: escape it to log it).
        calling: Option<String>,
        /// Why.
        reason: String,
    },
    /// The connection ended or broke before a request was read.
    Broken(String),
}

/// Whether `calling` (as sent: padded) is allowed by `allow` (empty: anyone).
pub fn allowed(allow: &[String], calling: &str) -> bool {
    let calling = calling.trim_matches([' ', '\0']);
    allow.is_empty() || allow.iter().any(|a| a == calling)
}

fn ae_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_matches([' ', '\0'])
        .to_string()
}

impl Acceptor {
    /// Negotiates an association on `stream` (TLS already set up if any), taking a slot from
    /// `slots` once the whole request has arrived. `tcp` is the socket underneath.
    pub fn accept<'s>(
        &self,
        stream: Box<dyn Stream>,
        tcp: TcpStream,
        slots: &'s Slots,
    ) -> Result<(ServerLink, Slot<'s>), Refused> {
        let mut reader = BufReader::new(stream);
        let broken = |what: &str, e: std::io::Error| Refused::Broken(format!("{what}: {e}"));
        let mut header = [0u8; 6];
        if let Err(e) = reader.read_exact(&mut header) {
            return Err(match e.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    Refused::Broken("connection closed by peer".to_string())
                }
                _ => broken("no association request", e),
            });
        }
        if header[0] != A_ASSOCIATE_RQ {
            return Err(Refused::Broken(if header[0] == TLS_HANDSHAKE {
                "a TLS handshake on a port without TLS (is the sender set up for TLS?)".to_string()
            } else {
                format!("not an association request (PDU type {:02X}H)", header[0])
            }));
        }
        let length = u32::from_be_bytes([header[2], header[3], header[4], header[5]]);
        let reject = |reader: &mut BufReader<Box<dyn Stream>>,
                      result: AssociationRJResult,
                      source: AssociationRJSource,
                      calling: Option<String>,
                      note: &str| {
            let reason = format!("{source}{note}");
            let mut bytes = Vec::new();
            if write_pdu(
                &mut bytes,
                &Pdu::AssociationRJ(AssociationRJ { result, source }),
            )
            .is_ok()
            {
                let _ = reader.get_mut().write_all(&bytes);
                let _ = reader.get_mut().flush();
            }
            Refused::Rejected { calling, reason }
        };
        if length > self.max_pdu || (length as usize) < TITLES_END {
            return Err(reject(
                &mut reader,
                AssociationRJResult::Permanent,
                AssociationRJSource::ServiceUser(AssociationRJServiceUserReason::NoReasonGiven),
                None,
                &format!(": a request of {length} bytes (--max-pdu {})", self.max_pdu),
            ));
        }
        let mut body = vec![0u8; length as usize];
        reader
            .read_exact(&mut body[..TITLES_END])
            .map_err(|e| broken("association request cut short", e))?;
        let calling = ae_text(&body[20..36]);
        if !allowed(&self.allow, &calling) {
            return Err(reject(
                &mut reader,
                AssociationRJResult::Permanent,
                AssociationRJSource::ServiceUser(
                    AssociationRJServiceUserReason::CallingAETitleNotRecognized,
                ),
                Some(calling),
                " (--allow)",
            ));
        }
        reader
            .read_exact(&mut body[TITLES_END..])
            .map_err(|e| broken("association request cut short", e))?;
        let mut pdu = header.to_vec();
        pdu.extend_from_slice(&body);
        let request = match read_pdu(&pdu[..], self.max_pdu.max(16_384), false) {
            Ok(Some(Pdu::AssociationRQ(request))) => request,
            Ok(_) => return Err(Refused::Broken("an unreadable association request".into())),
            Err(e) => {
                return Err(Refused::Broken(format!(
                    "an unreadable association request: {}",
                    crate::sr::error_chain(&e)
                )));
            }
        };
        let Some(slot) = slots.take() else {
            return Err(reject(
                &mut reader,
                AssociationRJResult::Transient,
                AssociationRJSource::ServiceProviderPresentation(
                    AssociationRJServiceProviderPresentationReason::LocalLimitExceeded,
                ),
                Some(calling),
                &format!(
                    ": {} associations already in progress (--max-associations)",
                    slots.max()
                ),
            ));
        };
        if request.application_context_name.trim_end_matches('\0') != APPLICATION_CONTEXT {
            return Err(reject(
                &mut reader,
                AssociationRJResult::Permanent,
                AssociationRJSource::ServiceUser(
                    AssociationRJServiceUserReason::ApplicationContextNameNotSupported,
                ),
                Some(calling),
                "",
            ));
        }
        let (accept, contexts, peer_max_pdu) = self.negotiate(&request);
        let mut bytes = Vec::new();
        write_pdu(&mut bytes, &Pdu::AssociationAC(accept))
            .map_err(|e| Refused::Broken(format!("cannot encode the acceptance: {e}")))?;
        reader
            .get_mut()
            .write_all(&bytes)
            .and_then(|()| reader.get_mut().flush())
            .map_err(|e| broken("cannot answer", e))?;
        Ok((
            ServerLink {
                reader,
                tcp,
                contexts,
                peer_ae_title: request
                    .calling_ae_title
                    .trim_matches([' ', '\0'])
                    .to_string(),
                called_ae_title: request
                    .called_ae_title
                    .trim_matches([' ', '\0'])
                    .to_string(),
                peer_max_pdu,
                max_pdu: self.max_pdu,
                watch: None,
                buffer: Vec::new(),
            },
            slot,
        ))
    }

    /// The acceptance of a request: per proposed context, an abstract syntax we serve with
    /// the first of the proposer's transfer syntaxes we can keep. Returns the A-ASSOCIATE-AC,
    /// the contexts and the peer's maximum PDU length.
    pub fn negotiate(
        &self,
        request: &AssociationRQ,
    ) -> (AssociationAC, Vec<PresentationContextNegotiated>, u32) {
        let contexts: Vec<PresentationContextNegotiated> = request
            .presentation_contexts
            .iter()
            .map(|pc| {
                let abstract_syntax = trim_uid(&pc.abstract_syntax).to_string();
                let chosen = pc
                    .transfer_syntaxes
                    .iter()
                    .map(|ts| trim_uid(ts))
                    .find(|ts| self.transfer_syntaxes.contains(*ts));
                let (reason, transfer_syntax) =
                    if !self.abstract_syntaxes.contains(&abstract_syntax) {
                        (
                            PresentationContextResultReason::AbstractSyntaxNotSupported,
                            None,
                        )
                    } else if let Some(ts) = chosen {
                        (PresentationContextResultReason::Acceptance, Some(ts))
                    } else {
                        (
                            PresentationContextResultReason::TransferSyntaxesNotSupported,
                            None,
                        )
                    };
                PresentationContextNegotiated {
                    id: pc.id,
                    reason,
                    // A rejected context still names a syntax in the AC (PS3.8 9.3.3.2).
                    transfer_syntax: transfer_syntax.unwrap_or("1.2.840.10008.1.2").to_string(),
                    abstract_syntax,
                }
            })
            .collect();
        let peer_max_pdu = request
            .user_variables
            .iter()
            .find_map(|v| match v {
                UserVariableItem::MaxLength(n) => Some(*n),
                _ => None,
            })
            .filter(|n| *n > 0)
            .unwrap_or(dicom_ul::pdu::MAXIMUM_PDU_SIZE)
            .clamp(
                dicom_ul::pdu::MINIMUM_PDU_SIZE,
                dicom_ul::pdu::MAXIMUM_PDU_SIZE,
            );
        let accept = AssociationAC {
            protocol_version: 1,
            calling_ae_title: request.calling_ae_title.clone(),
            called_ae_title: request.called_ae_title.clone(),
            application_context_name: APPLICATION_CONTEXT.to_string(),
            presentation_contexts: contexts
                .iter()
                .map(|pc| PresentationContextResult {
                    id: pc.id,
                    reason: pc.reason.clone(),
                    transfer_syntax: pc.transfer_syntax.clone(),
                })
                .collect(),
            user_variables: vec![
                UserVariableItem::MaxLength(self.max_pdu),
                UserVariableItem::ImplementationClassUID(IMPLEMENTATION_CLASS_UID.to_string()),
                UserVariableItem::ImplementationVersionName(implementation_version_name()),
            ],
        };
        (accept, contexts, peer_max_pdu)
    }
}

/// An association accepted by [`Acceptor`].
pub struct ServerLink {
    reader: BufReader<Box<dyn Stream>>,
    tcp: TcpStream,
    contexts: Vec<PresentationContextNegotiated>,
    peer_ae_title: String,
    called_ae_title: String,
    peer_max_pdu: u32,
    max_pdu: u32,
    /// Renewed at every whole PDU: the idle deadline.
    watch: Option<(Watch, Duration)>,
    buffer: Vec<u8>,
}

impl ServerLink {
    /// The AE title the peer called.
    pub fn called_ae_title(&self) -> &str {
        &self.called_ae_title
    }

    /// Renew `watch` to `idle` after every whole PDU received.
    pub fn renew_on_each_pdu(&mut self, watch: Watch, idle: Duration) {
        watch.renew(Phase::Associated, idle, "whole PDU (--timeout)");
        self.watch = Some((watch, idle));
    }

    /// Why the watchdog cut the connection, if it did.
    pub fn cut(&self) -> Option<String> {
        self.watch.as_ref().and_then(|(watch, _)| watch.cut())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), DimseError> {
        let stream = self.reader.get_mut();
        stream.write_all(bytes)?;
        stream.flush()?;
        Ok(())
    }
}

impl Link for ServerLink {
    fn receive_pdu(&mut self) -> Result<Pdu, DimseError> {
        let mut header = [0u8; 6];
        // A peer that closes between PDUs: said plainly (dicom-ul's wording, kept by the log).
        if self.reader.fill_buf()?.is_empty() {
            return Err(DimseError::Protocol("connection closed by peer".into()));
        }
        self.reader.read_exact(&mut header)?;
        let length = u32::from_be_bytes([header[2], header[3], header[4], header[5]]);
        if length > self.max_pdu {
            return Err(DimseError::Protocol(format!(
                "a PDU of {length} bytes, more than the {} of --max-pdu",
                self.max_pdu
            )));
        }
        self.buffer.clear();
        self.buffer.extend_from_slice(&header);
        self.buffer.resize(6 + length as usize, 0);
        self.reader.read_exact(&mut self.buffer[6..])?;
        let pdu = read_pdu(&self.buffer[..], self.max_pdu.max(16_384), false)
            .map_err(|e| DimseError::Protocol(crate::sr::error_chain(&e)))?
            .ok_or_else(|| DimseError::Protocol("an incomplete PDU".into()))?;
        if let Some((watch, idle)) = &self.watch {
            watch.renew(Phase::Associated, *idle, "whole PDU (--timeout)");
        }
        Ok(pdu)
    }

    fn send_pdu(&mut self, pdu: &Pdu) -> Result<(), DimseError> {
        let mut bytes = Vec::new();
        write_pdu(&mut bytes, pdu).map_err(|e| DimseError::Protocol(e.to_string()))?;
        self.write(&bytes)
    }

    fn send_data(&mut self, context_id: u8, bytes: &[u8]) -> Result<(), DimseError> {
        // One fragment per PDU: PDV length (4), context ID, control header (PS3.8 9.3.5.1).
        let room = (self.peer_max_pdu as usize).saturating_sub(6).max(1);
        let mut chunks = bytes.chunks(room).peekable();
        if chunks.peek().is_none() {
            return self.send_pdu(&Pdu::PData {
                data: vec![dicom_ul::pdu::PDataValue {
                    presentation_context_id: context_id,
                    value_type: dicom_ul::pdu::PDataValueType::Data,
                    is_last: true,
                    data: Vec::new(),
                }],
            });
        }
        while let Some(chunk) = chunks.next() {
            let last = chunks.peek().is_none();
            let mut pdu = Vec::with_capacity(12 + chunk.len());
            pdu.extend_from_slice(&[0x04, 0]);
            pdu.extend_from_slice(&(chunk.len() as u32 + 6).to_be_bytes());
            pdu.extend_from_slice(&(chunk.len() as u32 + 2).to_be_bytes());
            pdu.push(context_id);
            pdu.push(if last { 0x02 } else { 0x00 });
            pdu.extend_from_slice(chunk);
            self.write(&pdu)?;
        }
        Ok(())
    }

    fn contexts(&self) -> &[PresentationContextNegotiated] {
        &self.contexts
    }

    fn peer_ae_title(&self) -> &str {
        &self.peer_ae_title
    }

    fn scp_role_accepted(&self, _sop_class: &str) -> bool {
        // We are the acceptor: the requestor keeps its default role (SCU).
        false
    }

    fn tcp(&mut self) -> &TcpStream {
        &self.tcp
    }

    fn release(self: Box<Self>) {}

    fn abort(mut self: Box<Self>) {
        let _ = self.send_pdu(&Pdu::AbortRQ {
            source: dicom_ul::pdu::AbortRQSource::ServiceProvider(
                dicom_ul::pdu::AbortRQServiceProviderReason::ReasonNotSpecified,
            ),
        });
        let _ = self.tcp.shutdown(std::net::Shutdown::Both);
    }
}

#[cfg(test)]
mod tests;
