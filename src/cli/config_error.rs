//! Why a command's configuration cannot be made from its arguments: the library says which
//! (a typed error), the binary says it and exits with its code (docs/columns.md, "Exit
//! codes").

use crate::ExitCode;
use crate::config::UsageError;
use crate::followup::lsc::LscError;
use crate::net::tls::TlsError;
use crate::pseudonym::KeyError;

/// A configuration that cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Options that do not go together, or an output folder among the inputs (exit 2).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The `--lsc` file cannot be used.
    #[error(transparent)]
    Lsc(#[from] LscError),
    /// The `--pseudonymize` key file cannot be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// TLS cannot be set up from the files given.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// `pull --since` after `--until`.
    #[error("--since {since} is after --until {until}")]
    SinceAfterUntil {
        /// `--since`.
        since: String,
        /// `--until`.
        until: String,
    },
    /// `pull --move-port` with TLS.
    #[error(
        "--move-port with TLS: the PACS's association back to us would not be encrypted; \
         retrieve with C-GET (leave out --move-port)"
    )]
    MoveWithTls,
}

impl ConfigError {
    /// The exit code the binary ends with: 2 for a usage error, else 1.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            ConfigError::Usage(_) => ExitCode::Usage,
            _ => ExitCode::Fatal,
        }
    }
}
