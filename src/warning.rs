//! Warnings on stderr from any stage (`dxa-ingest: warning: MESSAGE`), in the form of the
//! log a command started: `listen` and `pull` with `--log-format json` write a `warn` event
//! per line (docs/service.md, "Logs"), so that a warning of their scan is a JSON line
//! among JSON lines. Below every stage: the command that starts a log installs its form.

use std::sync::OnceLock;

static LINE: OnceLock<fn(&str) -> String> = OnceLock::new();

/// Sets how a warning becomes a line (once, when a command's log starts; later calls are
/// ignored).
pub fn set_line(line: fn(&str) -> String) {
    let _ = LINE.set(line);
}

/// The line of a warning: `dxa-ingest: warning: MESSAGE`, or the form a log installed.
pub fn line(message: &str) -> String {
    match LINE.get() {
        Some(line) => line(message),
        None => format!("dxa-ingest: warning: {message}"),
    }
}

/// Writes a warning to stderr.
pub fn warn(message: &str) {
    eprintln!("{}", line(message));
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_until_a_log_installs_its_form() {
        // Tests run in one process with no log started: the plain form.
        assert_eq!(super::line("x y"), "dxa-ingest: warning: x y");
    }
}
