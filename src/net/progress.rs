//! `pull`'s progress bar on a terminal: a spinner while the PACS is queried (study n of
//! N), then a bar of objects retrieved, with the study being retrieved and the bytes
//! written. Hidden off a terminal and with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::archive::{Refusal, Stored};
use super::store::StoreObserver;

/// The progress bar (studies, objects, bytes) on a terminal; hidden otherwise.
pub struct PullProgress {
    /// The bar (hidden off a terminal or with --quiet).
    pub bar: ProgressBar,
    /// Bytes written so far.
    pub bytes: AtomicU64,
    study: AtomicU64,
    studies: AtomicU64,
}

impl PullProgress {
    /// A spinner for the queries, on a terminal unless `quiet`.
    pub fn new(quiet: bool) -> PullProgress {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} {spinner} {msg}")
                .expect("static template is valid"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        PullProgress {
            bar,
            bytes: AtomicU64::new(0),
            study: AtomicU64::new(0),
            studies: AtomicU64::new(0),
        }
    }

    /// Switches from the query spinner to the retrieve bar.
    pub fn retrieving(&self, objects: usize, studies: usize) {
        self.studies.store(studies as u64, Ordering::Relaxed);
        self.bar.set_length(objects as u64);
        self.bar.set_position(0);
        self.bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:24}] {pos}/{len} objects, {msg}")
                .expect("static template is valid")
                .progress_chars("=> "),
        );
        self.update();
    }

    /// The study being retrieved (1-based).
    pub fn at_study(&self, study: usize) {
        self.study.store(study as u64, Ordering::Relaxed);
        self.update();
    }

    fn update(&self) {
        self.bar.set_message(format!(
            "study {}/{}, {}",
            self.study.load(Ordering::Relaxed),
            self.studies.load(Ordering::Relaxed),
            HumanBytes(self.bytes.load(Ordering::Relaxed))
        ));
    }
}

impl StoreObserver for PullProgress {
    fn object(&self, outcome: &Result<Stored, Refusal>) {
        if let Ok(Stored::New { bytes, .. }) = outcome {
            self.bytes.fetch_add(*bytes, Ordering::Relaxed);
        }
        self.bar.inc(1);
        self.update();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_objects_and_the_bytes_of_new_ones() {
        let progress = PullProgress::new(true);
        assert!(progress.bar.is_hidden(), "--quiet");
        progress.retrieving(3, 2);
        progress.at_study(1);
        progress.object(&Ok(Stored::New {
            path: "a.dcm".into(),
            bytes: 2048,
        }));
        progress.object(&Ok(Stored::AlreadyArchived {
            path: "b.dcm".into(),
        }));
        progress.at_study(2);
        assert_eq!(progress.bar.position(), 2);
        assert_eq!(progress.bar.length(), Some(3));
        assert_eq!(progress.bytes.load(Ordering::Relaxed), 2048);
        assert_eq!(progress.bar.message(), "study 2/2, 2.00 KiB");
    }
}
