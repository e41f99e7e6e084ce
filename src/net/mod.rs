//! The DICOM network: `pull` (query a PACS, retrieve the objects that can carry results) and
//! `listen` (a storage SCP for scanners), both into one archive folder that `scan` reads.
//! docs/network.md is the user's description; this is the map of the code:
//!
//! - [`wire`]: what arrives from a peer is checked (the scan's own element walk) before
//!   dicom-object parses it;
//! - [`link`]: one established association, dicom-ul's (client) or ours (server);
//! - [`acceptor`]: our association acceptor: `--allow` on the first bytes of the request,
//!   a slot only once the whole request is in;
//! - [`deadline`]: the watchdog that cuts connections past their deadline;
//! - [`tls`]: DICOM TLS configurations (rustls);
//! - [`log`]: timestamped text or JSON log lines, peer text escaped;
//! - [`command`]: DIMSE command sets: fields, statuses, the requests and responses sent;
//! - [`dimse`]: DIMSE messages over dicom-ul's P-DATA: reassembly of fragments into
//!   messages, sending commands and data sets;
//! - [`association`]: the presentation contexts we propose (pull) and accept (listen);
//! - [`archive`]: the archive writer: layout, UID checks, temp name + fsync + rename;
//! - [`store`]: the C-STORE / C-ECHO service used by `listen`, by C-MOVE and by C-GET;
//! - [`server`]: a storage SCP on a port (`listen`, the C-MOVE destination of `pull`);
//! - [`storage_classes`]: every standard storage SOP class, accepted by `listen`;
//! - [`find`] and [`retrieve`]: the C-FIND, C-GET and C-MOVE service users of `pull`;
//! - `options`: what both commands take (our AE title, limits, the peer, the query);
//! - [`pull`] (with its [`progress`] bar) and [`listen`]: the two commands; [`rescan`]: the
//!   scan of the archive.
//!
//! Nothing here knows clap: `cli.rs` builds a [`PullConfig`] or a [`ListenConfig`].

pub mod acceptor;
pub mod archive;
pub mod association;
pub mod client;
pub mod command;
pub mod deadline;
pub mod dimse;
pub mod find;
pub mod link;
pub mod listen;
pub mod log;
mod options;
pub mod plan;
pub mod progress;
pub mod pull;
mod pull_error;
pub mod rescan;
pub mod retrieve;
pub mod server;
pub mod storage_classes;
pub mod store;
pub mod tls;
pub mod wire;

pub use listen::ListenConfig;
pub use options::{
    DEFAULT_AE_TITLE, DEFAULT_MAX_PDU, NetOptions, PeerAddress, RetrieveMethod, StudyQuery,
    check_ae_title, check_date,
};
pub use pull::{DEFAULT_MAX_STUDIES, PullConfig};
