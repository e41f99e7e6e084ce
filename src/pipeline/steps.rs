//! The spinner a run shows on a terminal after the last file (docs/columns.md, "Progress"),
//! naming the step being written until the last output is in place. Nothing on a pipe or
//! with `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether to draw at all: on a terminal, without `--quiet`.
pub fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// The spinner of the steps after the last file ("writing outputs: visits ...").
pub struct Steps {
    bar: ProgressBar,
}

impl Steps {
    /// A spinner on stderr when it is a terminal.
    pub fn new(quiet: bool) -> Steps {
        let bar = if visible(quiet) {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{elapsed_precise} {spinner} writing outputs: {msg}")
                    .expect("static template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Steps { bar }
    }

    /// Names the step now running.
    pub fn step(&self, what: &'static str) {
        self.bar.set_message(what);
    }

    /// Clears the spinner.
    pub fn done(&self) {
        self.bar.finish_and_clear();
    }
}
