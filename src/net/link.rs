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

use super::dimse::DimseError;

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
