//! The bar a scan shows on a terminal while files are read (docs/columns.md, "Progress"):
//! elapsed, bar, files done of total, files per second as a whole number, time left, fit to
//! the terminal's width (80 columns included). Nothing on a pipe or with `--quiet`; the
//! steps after the last file are `pipeline::Steps`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

pub use crate::pipeline::visible;

/// Files per second as a whole number: `4114/s`, not `4,114.0833/s`.
fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{}/s", state.per_sec().round() as u64);
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
