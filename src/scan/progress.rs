//! What a run shows on a terminal (docs/columns.md, "Progress"): a bar while files are read
//! (elapsed, bar, files done of total, files per second as a whole number, time left), fit
//! to the terminal's width (80 columns included); then a spinner naming the step being
//! written until the last output is in place. Nothing on a pipe or with `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Files per second as a whole number: `4114/s`, not `4,114.0833/s`.
fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{}/s", state.per_sec().round() as u64);
}

/// Whether to draw at all.
pub fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// The bar of the files being read; `total` when the inputs could be counted first.
pub fn files_bar(total: Option<u64>, quiet: bool) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    files_bar_to(total, ProgressDrawTarget::stderr())
}

/// `files_bar` drawn to a given target (tests draw to a fixed-width buffer).
pub fn files_bar_to(total: Option<u64>, target: ProgressDrawTarget) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(total, target);
    // `wide_bar` takes what the terminal's width leaves: the line never wraps.
    let template = if total.is_some() {
        "{elapsed_precise} [{wide_bar}] {pos}/{len} {rate} ETA {eta}"
    } else {
        "{elapsed_precise} {spinner} {pos} files {rate}"
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("static template is valid")
            .with_key("rate", rate)
            .progress_chars("=> "),
    );
    bar
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
