//! One established association, whoever negotiated it: dicom-ul's client associations
//! (`pull`'s, plain or TLS) and our own acceptor's ([`super::acceptor::ServerLink`], for
//! `listen` and the C-MOVE receiver). The DIMSE layer ([`super::dimse`], [`super::store`])
//! only needs PDUs in and out, the accepted presentation contexts and the socket, so it is
//! written once against this trait.

use std::io::Write;
use std::net::TcpStream;

use dicom_ul::Pdu;
use dicom_ul::association::{Association, CloseSocket, SyncAssociation};
use dicom_ul::pdu::PresentationContextNegotiated;
use dicom_ul::{ClientAssociation, ServerAssociation};

use super::wire::WireError;

/// An established association.
pub trait Link: Send {
    /// The next PDU from the peer.
    fn receive_pdu(&mut self) -> Result<Pdu, DimseError>;
    /// Sends one PDU.
    fn send_pdu(&mut self, pdu: &Pdu) -> Result<(), DimseError>;
    /// Sends a data set on a presentation context, split to the peer's maximum PDU length.
    fn send_data(&mut self, context_id: u8, bytes: &[u8]) -> Result<(), DimseError>;
    /// The presentation contexts, accepted or not.
    fn contexts(&self) -> &[PresentationContextNegotiated];
    /// The peer's AE title, as it sent it (escape it before logging it).
    fn peer_ae_title(&self) -> &str;
    /// Whether the peer accepted that we act as SCP for this SOP class (C-GET's storage
    /// sub-operations, PS3.7 D.3.3.4).
    fn scp_role_accepted(&self, sop_class: &str) -> bool;
    /// The TCP socket underneath (TLS or not).
    fn tcp(&mut self) -> &TcpStream;
    /// Releases the association (errors ignored: the exchange is over).
    fn release(self: Box<Self>);
    /// Aborts the association.
    fn abort(self: Box<Self>);
}

/// The TCP socket under a stream, plain or TLS.
pub trait OverTcp {
    /// The socket.
    fn tcp(&self) -> &TcpStream;
}

impl OverTcp for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl<C> OverTcp for rustls::StreamOwned<C, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
}

/// The context's accepted abstract syntax and transfer syntax (trailing padding removed).
pub fn context(link: &dyn Link, context_id: u8) -> Option<(&str, &str)> {
    link.contexts()
        .iter()
        .find(|pc| pc.id == context_id)
        .map(|pc| (trim_uid(&pc.abstract_syntax), trim_uid(&pc.transfer_syntax)))
}

/// A UID as carried in a PDU, without its padding.
pub fn trim_uid(uid: &str) -> &str {
    uid.trim_end_matches(['\0', ' '])
}

macro_rules! dicom_ul_link {
    ($association:ident) => {
        impl<S> Link for $association<S>
        where
            S: std::io::Read + std::io::Write + CloseSocket + OverTcp + Send,
        {
            fn receive_pdu(&mut self) -> Result<Pdu, DimseError> {
                Ok(SyncAssociation::receive(self)?)
            }

            fn send_pdu(&mut self, pdu: &Pdu) -> Result<(), DimseError> {
                Ok(SyncAssociation::send(self, pdu)?)
            }

            fn send_data(&mut self, context_id: u8, bytes: &[u8]) -> Result<(), DimseError> {
                let mut writer = SyncAssociation::send_pdata(self, context_id);
                writer.write_all(bytes)?;
                writer.finish()?;
                Ok(())
            }

            fn contexts(&self) -> &[PresentationContextNegotiated] {
                Association::presentation_contexts(self)
            }

            fn peer_ae_title(&self) -> &str {
                Association::peer_ae_title(self)
            }

            fn scp_role_accepted(&self, sop_class: &str) -> bool {
                self.requestor_roles_for(sop_class).scp
            }

            fn tcp(&mut self) -> &TcpStream {
                SyncAssociation::inner_stream(self).tcp()
            }

            fn release(self: Box<Self>) {
                let _ = SyncAssociation::release(*self);
            }

            fn abort(self: Box<Self>) {
                let _ = SyncAssociation::abort(*self);
            }
        }
    };
}

dicom_ul_link!(ClientAssociation);
dicom_ul_link!(ServerAssociation);

/// A broken exchange: the association cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum DimseError {
    /// The upper layer failed (connection closed, timeout, bad PDU).
    #[error(transparent)]
    Association(#[from] dicom_ul::association::Error),
    /// A command or identifier could not be read.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The peer broke the order of fragments or messages.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Writing to (or reading from) the connection failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The watchdog closed the connection: a deadline passed (docs/network.md).
    #[error("{0}")]
    Deadline(String),
}

/// Acknowledges the next segments at once. Peers that keep Nagle's algorithm (Orthanc, as
/// DCMTK builds it, unless started with `TCP_NODELAY=1`) hold each response PDU until the
/// previous one is acknowledged, and Linux delays acknowledgements by 40 ms: without this,
/// every C-FIND took 45 ms against Orthanc, with it under 5 ms (docs/network.md). The kernel
/// leaves quick-ack mode by itself, so it is set again before every read.
pub fn quick_ack(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        // Only a latency matter, as for `no_delay`.
        let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stream;
}

/// Sends small writes at once. A message is a command PDU then a data PDU: with Nagle's
/// algorithm the second waits for the peer's delayed acknowledgement of the first, 40 ms
/// on Linux, per message (measured: 60 ms per C-FIND against Orthanc without this).
pub fn no_delay(stream: &TcpStream) {
    // Only a latency matter: a failure leaves a slower but working association.
    let _ = stream.set_nodelay(true);
}

/// An association in memory, for the unit tests of what is written against [`Link`]: it
/// records what is sent and has the contexts it is given; its socket is one end of a
/// loopback connection nobody writes to.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use dicom_ul::pdu::PresentationContextResultReason;

    /// What was sent: the PDUs, and the data sets as (context, bytes).
    #[derive(Default)]
    pub(crate) struct Sent {
        pub(crate) pdus: Vec<Pdu>,
        pub(crate) data: Vec<(u8, Vec<u8>)>,
    }

    pub(crate) struct FakeLink {
        contexts: Vec<PresentationContextNegotiated>,
        /// Shared with the test, which gives the link away.
        pub(crate) sent: std::sync::Arc<std::sync::Mutex<Sent>>,
        tcp: TcpStream,
        _other_end: TcpStream,
    }

    impl FakeLink {
        /// With these contexts: (id, abstract syntax, transfer syntax, accepted).
        pub(crate) fn new(contexts: &[(u8, &str, &str, bool)]) -> FakeLink {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let tcp = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
            let (other_end, _) = listener.accept().expect("accept");
            FakeLink {
                contexts: contexts
                    .iter()
                    .map(|&(id, abstract_syntax, transfer_syntax, accepted)| {
                        PresentationContextNegotiated {
                            id,
                            reason: if accepted {
                                PresentationContextResultReason::Acceptance
                            } else {
                                PresentationContextResultReason::AbstractSyntaxNotSupported
                            },
                            abstract_syntax: abstract_syntax.to_string(),
                            transfer_syntax: transfer_syntax.to_string(),
                        }
                    })
                    .collect(),
                sent: Default::default(),
                tcp,
                _other_end: other_end,
            }
        }
    }

    impl Link for FakeLink {
        fn receive_pdu(&mut self) -> Result<Pdu, DimseError> {
            Err(DimseError::Protocol("nothing to receive".into()))
        }
        fn send_pdu(&mut self, pdu: &Pdu) -> Result<(), DimseError> {
            self.sent.lock().expect("sent").pdus.push(pdu.clone());
            Ok(())
        }
        fn send_data(&mut self, context_id: u8, bytes: &[u8]) -> Result<(), DimseError> {
            let mut sent = self.sent.lock().expect("sent");
            sent.data.push((context_id, bytes.to_vec()));
            Ok(())
        }
        fn contexts(&self) -> &[PresentationContextNegotiated] {
            &self.contexts
        }
        fn peer_ae_title(&self) -> &str {
            "PACS"
        }
        fn scp_role_accepted(&self, _sop_class: &str) -> bool {
            false
        }
        fn tcp(&mut self) -> &TcpStream {
            &self.tcp
        }
        fn release(self: Box<Self>) {}
        fn abort(self: Box<Self>) {}
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeLink;
    use super::*;

    const SR: &str = "1.2.840.10008.5.1.4.1.1.88.22";
    const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

    #[test]
    fn uids_lose_their_pdu_padding_only() {
        assert_eq!(trim_uid("1.2.840.10008.1.2\0"), "1.2.840.10008.1.2");
        assert_eq!(trim_uid("1.2.3 \0 "), "1.2.3");
        assert_eq!(trim_uid("1.2.3"), "1.2.3");
        assert_eq!(trim_uid(" 1.2"), " 1.2", "only trailing padding");
    }

    #[test]
    fn a_context_is_found_by_its_id_with_its_syntaxes_trimmed() {
        let link = FakeLink::new(&[
            (1, "1.2.840.10008.1.1\0", "1.2.840.10008.1.2\0", true),
            (3, SR, &format!("{EXPLICIT_LE} "), false),
        ]);
        assert_eq!(
            context(&link, 1),
            Some(("1.2.840.10008.1.1", "1.2.840.10008.1.2"))
        );
        // Accepted or not: the context the peer used is named by its id.
        assert_eq!(context(&link, 3), Some((SR, EXPLICIT_LE)));
        assert_eq!(context(&link, 5), None);
    }

    #[test]
    fn small_writes_go_at_once_and_acknowledgements_are_quick() {
        let mut link = FakeLink::new(&[]);
        let stream = link.tcp();
        no_delay(stream);
        assert!(stream.nodelay().expect("TCP_NODELAY"));
        quick_ack(stream);
        #[cfg(target_os = "linux")]
        assert!(
            socket2::SockRef::from(stream)
                .tcp_quickack()
                .expect("TCP_QUICKACK")
        );
    }
}
