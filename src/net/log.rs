//! The log of `pull` and `listen` on stderr (docs/service.md, "Logs"): one line per event,
//! with a UTC timestamp, as text (`2026-11-28T21:40:00.123Z dxa-ingest: listen: ...`) or
//! as one JSON object per line (`--log-format json`: time, level, event, peer, counts,
//! message) for a journal or a log collector.
//!
//! Whatever a peer sent (AE titles, UIDs, error comments, and every message that quotes
//! them) is escaped before it reaches a line: a calling AE title holding a newline or a
//! terminal escape sequence must not forge a log line or drive the terminal of whoever
//! reads the log.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::SystemTime;

use serde::Serialize;

use super::store::StoreCounts;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `TIME dxa-ingest: COMMAND: message`.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// How bad an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Normal operation.
    Info,
    /// Something refused or lost, the service goes on.
    Warn,
    /// The command fails.
    Error,
}

static FORMAT: OnceLock<LogFormat> = OnceLock::new();
static COMMAND: OnceLock<&'static str> = OnceLock::new();

/// Sets the format of every later line (once, at start-up; later calls are ignored).
pub fn set_format(format: LogFormat) {
    let _ = FORMAT.set(format);
}

/// Starts the log of `command` (`listen` or `pull`) in `format`, as the command line asks,
/// before the command line is checked: the errors that stop the command before it runs
/// (an unreadable `--config`, a refused option) are then lines of that log too.
pub fn start(command: &'static str, format: LogFormat) {
    let _ = COMMAND.set(command);
    set_format(format);
    // The warnings of the stages below (a rescan's `--lsc` serial that matches no scanner)
    // are lines of this log too.
    crate::warning::set_line(warning_line);
}

/// The line of an error that ends the process: `dxa-ingest: error: MESSAGE`, or, when the
/// log of a command was started as JSON, an `error` event of that command.
pub fn fatal_line(message: &str) -> String {
    match (format(), COMMAND.get()) {
        (LogFormat::Json, Some(command)) => {
            Event::new(command, Level::Error, "error", message).line(LogFormat::Json)
        }
        _ => format!("dxa-ingest: error: {message}"),
    }
}

/// The line of a warning given before the log of a command starts (a key file that ends
/// with a newline): `dxa-ingest: warning: MESSAGE`, or a `warn` event of the command whose
/// log was started as JSON.
pub fn warning_line(message: &str) -> String {
    match (format(), COMMAND.get()) {
        (LogFormat::Json, Some(command)) => {
            Event::new(command, Level::Warn, "warning", message).line(LogFormat::Json)
        }
        _ => format!("dxa-ingest: warning: {message}"),
    }
}

/// Whether error lines are JSON (the log was started as JSON).
pub fn json_started() -> bool {
    format() == LogFormat::Json && COMMAND.get().is_some()
}

fn format() -> LogFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Who an event is about.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Peer {
    /// The peer's AE title (escaped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ae_title: Option<String>,
    /// Its address, `IP:PORT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Peer {
    /// A peer known by its address only.
    pub fn at(address: impl ToString) -> Peer {
        Peer {
            ae_title: None,
            address: Some(address.to_string()),
        }
    }

    /// A peer with its AE title (escaped here).
    pub fn titled(ae_title: &str, address: impl ToString) -> Peer {
        Peer {
            ae_title: Some(escape(ae_title).into_owned()),
            address: Some(address.to_string()),
        }
    }
}

/// One log event.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// UTC, RFC 3339 with milliseconds.
    pub time: String,
    /// How bad.
    pub level: Level,
    /// What happened: `listening`, `association`, `refused`, `dropped`, `stopping`,
    /// `stopped`, `scan`, `pull`, `not_retrieved`, `warning`, `error`.
    pub event: &'static str,
    /// The command: `listen` or `pull`.
    pub command: &'static str,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<Peer>,
    /// Objects stored, already archived, refused, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<StoreCounts>,
    /// The text line's message (escaped).
    pub message: String,
}

impl Event {
    /// An event of `command`; `message` is escaped.
    pub fn new(command: &'static str, level: Level, event: &'static str, message: &str) -> Event {
        Event {
            time: timestamp(SystemTime::now()),
            level,
            event,
            command,
            peer: None,
            counts: None,
            message: escape(message).into_owned(),
        }
    }

    /// With the peer it is about.
    pub fn peer(mut self, peer: Peer) -> Event {
        self.peer = Some(peer);
        self
    }

    /// With counts.
    pub fn counts(mut self, counts: StoreCounts) -> Event {
        self.counts = Some(counts);
        self
    }

    /// The line, without its newline.
    pub fn line(&self, format: LogFormat) -> String {
        match format {
            LogFormat::Text => format!(
                "{} dxa-ingest: {}: {}",
                self.time, self.command, self.message
            ),
            LogFormat::Json => serde_json::to_string(self).unwrap_or_else(|_| self.message.clone()),
        }
    }

    /// Writes the line on stderr, in the format set at start-up.
    pub fn emit(&self) {
        eprintln!("{}", self.line(format()));
    }
}

/// Logs an event of `command` (a shorthand for the common case).
pub fn emit(command: &'static str, level: Level, event: &'static str, message: &str) {
    Event::new(command, level, event, message).emit();
}

/// A moment as RFC 3339 UTC with milliseconds (`2026-11-28T21:40:00.123Z`).
pub fn timestamp(at: SystemTime) -> String {
    let millis = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_millis());
    let seconds = crate::date::rfc3339(at);
    match seconds.strip_suffix('Z') {
        Some(head) => format!("{head}.{millis:03}Z"),
        None => seconds,
    }
}

/// Text from a peer, safe for one log line: printable ASCII is kept (a backslash doubled);
/// anything else (newlines, escape sequences, other control characters, non-ASCII) is
/// written `\xNN` or `\u{NNNN}`, so that it can neither break the line nor drive a
/// terminal, and what the peer sent can still be read.
pub fn escape(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'\\')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_text_cannot_break_a_line_or_drive_a_terminal() {
        assert_eq!(escape("HOLOGIC1"), "HOLOGIC1");
        assert!(matches!(escape("HOLOGIC 1"), Cow::Borrowed(_)));
        let forged = "X\ndxa-ingest: listen: ADMIN@1.2.3.4 -> DXA: 99 stored";
        let escaped = escape(forged);
        assert!(!escaped.contains('\n'));
        assert!(escaped.starts_with("X\\x0Adxa-ingest"), "{escaped}");
        assert_eq!(escape("\u{1b}[31mRED"), "\\x1B[31mRED");
        assert_eq!(escape("A\\B"), "A\\\\B");
        assert_eq!(escape("ÅSA\u{7f}"), "\\u{C5}SA\\x7F");
        assert_eq!(escape("\0"), "\\x00");
    }

    #[test]
    fn json_lines_are_one_object_with_the_fields() {
        let event = Event::new("listen", Level::Info, "association", "EVIL\nLINE")
            .peer(Peer::titled("EVIL\u{1b}", "127.0.0.1:4000"))
            .counts(StoreCounts {
                stored: 2,
                already_archived: 1,
                refused: 0,
                bytes: 10,
            });
        let line = event.line(LogFormat::Json);
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["level"], "info");
        assert_eq!(value["event"], "association");
        assert_eq!(value["command"], "listen");
        assert_eq!(value["peer"]["ae_title"], "EVIL\\x1B");
        assert_eq!(value["peer"]["address"], "127.0.0.1:4000");
        assert_eq!(value["counts"]["stored"], 2);
        assert_eq!(value["message"], "EVIL\\x0ALINE");
        assert!(value["time"].as_str().unwrap().ends_with('Z'));
        let text = event.line(LogFormat::Text);
        assert!(
            text.ends_with(" dxa-ingest: listen: EVIL\\x0ALINE"),
            "{text}"
        );
    }

    #[test]
    fn timestamps_have_milliseconds() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(86_400_000 + 61_005);
        assert_eq!(timestamp(at), "1970-01-02T00:01:01.005Z");
    }
}
