//! Association set-up with dicom-ul: the presentation contexts `pull` proposes and the ones
//! `listen` accepts, the transfer syntaxes we can store as received, the calling AE title
//! check, and error messages that name the peer and say what went wrong.

use std::collections::HashSet;
use std::sync::Arc;

use dicom_dictionary_std::uids;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;
use dicom_ul::ClientAssociationOptions;

use super::acceptor::Acceptor;
use super::link::Link;
pub use super::link::{no_delay, quick_ack};

use super::storage_classes::STORAGE_SOP_CLASSES;
use super::wire::{DEFLATED_EXPLICIT_VR_LE, EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE};
use super::{NetOptions, PeerAddress};

/// Study Root Query/Retrieve Information Model - FIND (PS3.4 C.6.2).
pub const STUDY_ROOT_FIND: &str = uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_FIND;
/// Study Root Query/Retrieve Information Model - GET.
pub const STUDY_ROOT_GET: &str = uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_GET;
/// Study Root Query/Retrieve Information Model - MOVE.
pub const STUDY_ROOT_MOVE: &str = uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_MOVE;
/// Verification (C-ECHO).
pub const VERIFICATION: &str = uids::VERIFICATION;

/// Queries and retrieve requests: the two little endian syntaxes every SCP supports.
pub const QUERY_SYNTAXES: [&str; 2] = [EXPLICIT_VR_LE, IMPLICIT_VR_LE];

/// The SOP classes that can carry DXA results, proposed for C-GET when the PACS did not say
/// which classes a series holds: every SR storage class (GE results, docs/profiles.md) and
/// the secondary capture classes (Hologic report images, docs/profiles.md).
pub fn result_classes() -> impl Iterator<Item = &'static str> {
    STORAGE_SOP_CLASSES.iter().copied().filter(|uid| {
        uid.starts_with("1.2.840.10008.5.1.4.1.1.88.")
            || *uid == uids::SECONDARY_CAPTURE_IMAGE_STORAGE
            || uid.starts_with("1.2.840.10008.5.1.4.1.1.7.")
    })
}

/// The transfer syntaxes an object may arrive in and be stored as received: the four the
/// scan reads (docs/network.md) and every encapsulated (compressed pixel data) syntax of the
/// registry, whose data sets are explicit VR little endian (PS3.5 A.4).
pub fn storable_syntaxes() -> Vec<&'static str> {
    let mut syntaxes = vec![
        EXPLICIT_VR_LE,
        IMPLICIT_VR_LE,
        DEFLATED_EXPLICIT_VR_LE,
        EXPLICIT_VR_BE,
    ];
    let mut encapsulated: Vec<&'static str> = TransferSyntaxRegistry
        .iter()
        .filter(|ts| ts.is_encapsulated_pixel_data() && !ts.is_unsupported())
        .map(|ts| ts.uid())
        .collect();
    encapsulated.sort_unstable();
    syntaxes.extend(encapsulated);
    syntaxes
}

/// The presentation contexts proposed for the storage sub-operations of a C-GET: per SOP
/// class, one context with the two uncompressed little endian syntaxes, then one per other
/// storable syntax, so that the PACS can send each object as it holds it instead of
/// converting it (PS3.4 C.4.3.1: one transfer syntax per accepted context). At most
/// `MAX_CONTEXTS` in all (PS3.8 9.3.2.2: context IDs are odd numbers below 256).
pub fn get_contexts(classes: &[String]) -> Vec<(String, Vec<String>)> {
    const MAX_CONTEXTS: usize = 127;
    let syntaxes = storable_syntaxes();
    let mut contexts = vec![(
        STUDY_ROOT_GET.to_string(),
        QUERY_SYNTAXES.iter().map(|s| s.to_string()).collect(),
    )];
    // The uncompressed context of every class first: it alone makes a class retrievable.
    for class in classes {
        contexts.push((
            class.clone(),
            vec![EXPLICIT_VR_LE.to_string(), IMPLICIT_VR_LE.to_string()],
        ));
    }
    'extra: for syntax in &syntaxes[2..] {
        for class in classes {
            if contexts.len() >= MAX_CONTEXTS {
                break 'extra;
            }
            contexts.push((class.clone(), vec![syntax.to_string()]));
        }
    }
    contexts.truncate(MAX_CONTEXTS);
    contexts
}

/// Why an association with a peer could not be made: for messages naming the peer.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No TCP connection.
    #[error("cannot reach {peer}: {cause}")]
    Unreachable {
        /// The peer.
        peer: String,
        /// What the system said (in the message: not a `source`, so not printed twice).
        cause: std::io::Error,
    },
    /// The peer rejected the association.
    #[error("{peer} refused the association: {reason}")]
    Refused {
        /// The peer.
        peer: String,
        /// Its stated reason.
        reason: String,
    },
    /// Any other failure of the negotiation.
    #[error("association with {peer} failed")]
    Failed {
        /// The peer.
        peer: String,
        /// dicom-ul's error (boxed: it carries a backtrace).
        source: Box<dicom_ul::association::Error>,
    },
}

/// Requests an association with `peer`, proposing `contexts` (abstract syntax, transfer
/// syntaxes); `scp_role_for` lists the SOP classes for which we ask to act as SCP (the
/// storage sub-operations of C-GET, PS3.7 D.3.3.4). With `tls`, over DICOM TLS, the
/// PACS's certificate checked against the host of `peer`.
pub fn connect(
    peer: &PeerAddress,
    net: &NetOptions,
    tls: Option<&Arc<rustls::ClientConfig>>,
    contexts: &[(String, Vec<String>)],
    scp_role_for: &[String],
) -> Result<Box<dyn Link>, ConnectError> {
    let mut options = ClientAssociationOptions::new()
        .calling_ae_title(net.ae_title.as_str())
        .called_ae_title(peer.ae_title.as_str())
        .max_pdu_length(net.max_pdu)
        .connection_timeout(net.timeout)
        .read_timeout(net.timeout)
        .write_timeout(net.timeout);
    for (abstract_syntax, syntaxes) in contexts {
        options = options.with_presentation_context(
            abstract_syntax.as_str(),
            syntaxes.iter().map(String::as_str).collect(),
        );
    }
    for class in scp_role_for {
        options = options.with_role_selection(class.as_str(), false, true);
    }
    let name = peer.to_string();
    let address = (peer.host.as_str(), peer.port);
    let mut link: Box<dyn Link> = match tls {
        Some(config) => Box::new(
            options
                .tls_config(Arc::clone(config))
                .server_name(&peer.host)
                .establish_tls(address)
                .map_err(|error| describe(&name, error))?,
        ),
        None => Box::new(
            options
                .establish(address)
                .map_err(|error| describe(&name, error))?,
        ),
    };
    no_delay(link.tcp());
    Ok(link)
}

fn describe(peer: &str, error: dicom_ul::association::Error) -> ConnectError {
    use dicom_ul::association::Error;
    let peer = peer.to_string();
    match error {
        Error::Connect { source, .. } | Error::ToAddress { source, .. } => {
            ConnectError::Unreachable {
                peer,
                cause: source,
            }
        }
        Error::Rejected { association_rj, .. } => ConnectError::Refused {
            peer,
            reason: association_rj.source.to_string(),
        },
        Error::NoAcceptedPresentationContexts { .. } => ConnectError::Refused {
            peer,
            reason: "it accepted none of the services proposed".to_string(),
        },
        source => ConnectError::Failed {
            peer,
            source: Box::new(source),
        },
    }
}

/// The acceptor of a storage SCP (`listen`, and the C-MOVE receiver of `pull`):
/// Verification and every standard storage class, in any storable transfer syntax, from the
/// calling AE titles of `allow`. The called AE title is not checked: a scanner configured
/// with another title for this node still gets its objects stored (docs/network.md).
pub fn storage_acceptor(net: &NetOptions, allow: &[String]) -> Acceptor {
    let mut abstract_syntaxes: HashSet<String> =
        STORAGE_SOP_CLASSES.iter().map(|c| c.to_string()).collect();
    abstract_syntaxes.insert(VERIFICATION.to_string());
    Acceptor {
        ae_title: net.ae_title.clone(),
        allow: allow.to_vec(),
        abstract_syntaxes,
        transfer_syntaxes: storable_syntaxes().iter().map(|s| s.to_string()).collect(),
        max_pdu: net.max_pdu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_classes_are_sr_and_secondary_capture() {
        let classes: Vec<&str> = result_classes().collect();
        assert!(classes.contains(&uids::ENHANCED_SR_STORAGE));
        assert!(classes.contains(&uids::COMPREHENSIVE_SR_STORAGE));
        assert!(classes.contains(&uids::SECONDARY_CAPTURE_IMAGE_STORAGE));
        assert!(classes.contains(&uids::MULTI_FRAME_TRUE_COLOR_SECONDARY_CAPTURE_IMAGE_STORAGE));
        assert!(!classes.contains(&uids::CT_IMAGE_STORAGE));
        assert!(!classes.contains(&uids::MR_IMAGE_STORAGE));
    }

    #[test]
    fn storable_syntaxes_start_with_the_four_the_scan_reads() {
        let syntaxes = storable_syntaxes();
        assert_eq!(
            &syntaxes[..4],
            &[
                EXPLICIT_VR_LE,
                IMPLICIT_VR_LE,
                DEFLATED_EXPLICIT_VR_LE,
                EXPLICIT_VR_BE
            ]
        );
        // JPEG baseline is encapsulated: stored as received.
        assert!(syntaxes.contains(&"1.2.840.10008.1.2.4.50"));
    }

    #[test]
    fn get_contexts_stay_within_the_protocol_limit() {
        let classes: Vec<String> = result_classes().map(String::from).collect();
        let contexts = get_contexts(&classes);
        assert!(contexts.len() <= 127);
        assert_eq!(contexts[0].0, STUDY_ROOT_GET);
        // Every class has its uncompressed context, whatever the truncation.
        for class in &classes {
            assert!(
                contexts
                    .iter()
                    .any(|(c, ts)| c == class && ts.contains(&EXPLICIT_VR_LE.to_string())),
                "{class}"
            );
        }
        let two = get_contexts(&[uids::ENHANCED_SR_STORAGE.to_string()]);
        assert_eq!(two.len(), 1 + storable_syntaxes().len() - 1);
    }

    #[test]
    fn the_storage_acceptor_serves_storage_and_verification_only() {
        let net = NetOptions {
            ae_title: "DXA".into(),
            max_pdu: 16_384,
            max_object_bytes: 1 << 20,
            timeout: std::time::Duration::from_secs(1),
        };
        let acceptor = storage_acceptor(&net, &["HOLOGIC".into()]);
        assert!(acceptor.abstract_syntaxes.contains(VERIFICATION));
        assert!(
            acceptor
                .abstract_syntaxes
                .contains(uids::ENHANCED_SR_STORAGE)
        );
        assert!(!acceptor.abstract_syntaxes.contains(STUDY_ROOT_FIND));
        assert!(acceptor.transfer_syntaxes.contains(EXPLICIT_VR_LE));
        assert_eq!(acceptor.allow, vec!["HOLOGIC".to_string()]);
    }
}
