//! `pull`'s error (exit 1): what it was doing, with the peer, and why; `into_cause` gives
//! the binary the error a chain starts at (a scan's: its stage's own error), so that its
//! causes (an I/O error's kind) are found (docs/columns.md, "Exit codes").

use super::association::ConnectError;
use super::find::FindError;
use super::rescan::OutputFolderError;
use super::retrieve::RetrieveError;
use crate::pipeline::Cause;
use crate::scan::ScanError;

/// Why `pull` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// `--out` cannot be used.
    #[error(transparent)]
    OutputFolder(#[from] OutputFolderError),
    /// The archive folder cannot be created or written in.
    #[error("cannot write the archive {path}")]
    Archive {
        /// The archive folder, as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The PACS cannot be reached, or refuses the association.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The query matches more studies than `--max-studies`.
    #[error(
        "{peer} has more than {limit} studies matching the query: nothing was retrieved. \
         Narrow it (--since, --until, --patient) or raise --max-studies"
    )]
    TooManyStudies {
        /// The PACS.
        peer: String,
        /// `--max-studies`.
        limit: usize,
    },
    /// A query failed: what was queried (`querying PEER`, `querying the series of study
    /// UID`, ...).
    #[error("{doing}")]
    Find {
        /// What was queried.
        doing: String,
        /// Why it failed (boxed: the error stays small).
        #[source]
        source: Box<FindError>,
    },
    /// A C-GET or C-MOVE failed.
    #[error("retrieving from {peer}")]
    Retrieve {
        /// The PACS.
        peer: String,
        /// Why it failed (boxed: the error stays small).
        #[source]
        source: Box<RetrieveError>,
    },
    /// `--move-port` cannot be bound.
    #[error("cannot listen on port {port} for C-MOVE (--move-port)")]
    MovePort {
        /// The port.
        port: u16,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The PACS does not know our AE title as a C-MOVE destination.
    #[error(
        "{peer} does not know the AE title {ae_title}: add it to the PACS's modalities \
         with this host and port {port} (docs/network.md)"
    )]
    DestinationUnknown {
        /// The PACS.
        peer: String,
        /// Our AE title.
        ae_title: String,
        /// `--move-port`.
        port: u16,
    },
    /// The C-MOVE receiver's thread panicked.
    #[error("the C-MOVE receiver failed")]
    Receiver,
    /// The C-MOVE receiver's port failed.
    #[error("the C-MOVE receiving port failed")]
    Receiving(#[source] std::io::Error),
    /// The scan of the archive failed.
    #[error(transparent)]
    Scan(#[from] ScanError),
}

impl PullError {
    /// The error for a chain that starts at it.
    pub fn into_cause(self) -> Cause {
        match self {
            PullError::OutputFolder(e) => Box::new(e),
            PullError::Connect(e) => Box::new(e),
            PullError::Scan(e) => e.into_cause(),
            other => Box::new(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_causes() {
        let error = PullError::TooManyStudies {
            peer: "PACS@127.0.0.1:4242".into(),
            limit: 2,
        };
        assert_eq!(
            error.to_string(),
            "PACS@127.0.0.1:4242 has more than 2 studies matching the query: nothing was \
             retrieved. Narrow it (--since, --until, --patient) or raise --max-studies"
        );
        let refused = std::io::Error::new(std::io::ErrorKind::AddrInUse, "in use");
        let error = anyhow::Error::from_boxed(
            PullError::MovePort {
                port: 11113,
                source: refused,
            }
            .into_cause(),
        );
        assert_eq!(
            format!("{error:#}"),
            "cannot listen on port 11113 for C-MOVE (--move-port): in use"
        );
        assert!(error.chain().any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
        }));
    }
}
