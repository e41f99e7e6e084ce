//! What `pull` and `listen` both take: our AE title and limits, a peer's address, the
//! query and the retrieve method, checked as they are read.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::date::Date;

/// Our AE title when none is given.
pub const DEFAULT_AE_TITLE: &str = "DXA-INGEST";

/// Largest P-DATA PDU we accept by default (bytes of the PDU's variable field). PS3.8 9.3.1
/// lets each side state its own maximum; dcmtk and Orthanc default to 16 KiB, and fewer,
/// larger PDUs cost fewer system calls per object.
pub const DEFAULT_MAX_PDU: u32 = 64 * 1024;

/// Limits and timeouts shared by `pull` and `listen` (documented in `--help`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetOptions {
    /// Our AE title (calling AE title of `pull`, called AE title of `listen`).
    pub ae_title: String,
    /// Largest PDU we accept, in bytes.
    pub max_pdu: u32,
    /// Largest object accepted (the scan's `--max-file-size`): larger ones are refused.
    pub max_object_bytes: u64,
    /// Connecting, and every wait for the peer's next PDU: an association on which no whole
    /// PDU arrives for this long is dropped (`listen`), and no read waits longer (`pull`).
    pub timeout: Duration,
}

/// A remote application entity: `AET@HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAddress {
    /// Its AE title (the called AE title of our requests).
    pub ae_title: String,
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl fmt::Display for PeerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}@[{}]:{}", self.ae_title, self.host, self.port)
        } else {
            write!(f, "{}@{}:{}", self.ae_title, self.host, self.port)
        }
    }
}

impl FromStr for PeerAddress {
    type Err = String;

    /// `AET@HOST:PORT`; an IPv6 host in brackets (`PACS@[::1]:104`).
    fn from_str(text: &str) -> Result<PeerAddress, String> {
        let (ae_title, address) = text
            .split_once('@')
            .ok_or_else(|| format!("`{text}` is not AET@HOST:PORT (no `@`)"))?;
        let ae_title = check_ae_title(ae_title)?;
        let (host, port) = address
            .rsplit_once(':')
            .ok_or_else(|| format!("`{address}` is not HOST:PORT (no `:`)"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("`{text}` has no host"));
        }
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{port}` is not a TCP port (1-65535)"))?;
        Ok(PeerAddress {
            ae_title,
            host: host.to_string(),
            port,
        })
    }
}

/// Checks an AE title: 1 to 16 characters of the default repertoire, no backslash, no
/// control characters, not only spaces (PS3.5 6.2, VR AE). Leading and trailing spaces are
/// not significant and are removed.
pub fn check_ae_title(text: &str) -> Result<String, String> {
    let trimmed = text.trim_matches(' ');
    if trimmed.is_empty() {
        return Err("an AE title cannot be empty".to_string());
    }
    if trimmed.len() > 16 {
        return Err(format!("AE title `{trimmed}` is longer than 16 characters"));
    }
    if let Some(bad) = trimmed
        .chars()
        .find(|c| !c.is_ascii() || c.is_ascii_control() || *c == '\\')
    {
        return Err(format!(
            "AE title `{trimmed}` contains {bad:?}: only printable ASCII, no backslash"
        ));
    }
    Ok(trimmed.to_string())
}

/// Checks a `YYYYMMDD` date (for `--since` and `--until`): a real calendar date, as the
/// date module reads DICOM dates (years 1800-9999).
pub fn check_date(text: &str) -> Result<String, String> {
    let eight_digits = text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit());
    match eight_digits.then(|| Date::parse_da(text)).flatten() {
        Some(_) => Ok(text.to_string()),
        None => Err(format!("`{text}` is not a date YYYYMMDD")),
    }
}

/// What `pull` asks the PACS for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyQuery {
    /// First study date, `YYYYMMDD`, inclusive.
    pub since: Option<String>,
    /// Last study date, `YYYYMMDD`, inclusive.
    pub until: Option<String>,
    /// Only this patient.
    pub patient_id: Option<String>,
}

/// How `pull` retrieves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrieveMethod {
    /// C-GET: the objects come back on the same association (no port to open).
    Get,
    /// C-MOVE: the PACS opens an association to us, on this port, to our AE title.
    Move {
        /// The port our storage SCP listens on while the move runs.
        port: u16,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_addresses() {
        let peer: PeerAddress = "ORTHANC@pacs.example.org:4242".parse().unwrap();
        assert_eq!(peer.ae_title, "ORTHANC");
        assert_eq!(peer.host, "pacs.example.org");
        assert_eq!(peer.port, 4242);
        assert_eq!(peer.to_string(), "ORTHANC@pacs.example.org:4242");
        let v6: PeerAddress = "PACS@[::1]:104".parse().unwrap();
        assert_eq!(v6.host, "::1");
        assert_eq!(v6.to_string(), "PACS@[::1]:104");
        for bad in [
            "pacs:104",
            "@pacs:104",
            "PACS@pacs",
            "PACS@:104",
            "PACS@pacs:0",
            "PACS@pacs:70000",
            "WAY-TOO-LONG-AE-TITLE@pacs:104",
            "BAD\\AE@pacs:104",
        ] {
            assert!(bad.parse::<PeerAddress>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn ae_titles() {
        assert_eq!(check_ae_title(" DXA ").unwrap(), "DXA");
        assert!(check_ae_title("    ").is_err());
        assert!(check_ae_title("A\u{7}B").is_err());
        assert!(check_ae_title("ÅSTRÖM").is_err());
        assert_eq!(check_ae_title("0123456789ABCDEF").unwrap().len(), 16);
    }

    #[test]
    fn dates() {
        assert!(check_date("20240229").is_ok());
        assert!(check_date("20230229").is_err());
        assert!(check_date("19000229").is_err());
        assert!(check_date("20000229").is_ok());
        assert!(check_date("20241301").is_err());
        assert!(check_date("20240431").is_err());
        assert!(check_date("2024-04-01").is_err());
        assert!(check_date("00000101").is_err());
        assert!(
            check_date("17991231").is_err(),
            "before the dates DICOM files hold"
        );
        assert!(
            check_date("2024.04.01").is_err(),
            "eight digits, nothing else"
        );
    }
}
