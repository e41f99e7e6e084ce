//! The output folder holds one complete run, or the previous one, never a mix
//! (docs/columns.md, "The output folder"):
//! - every output of a run is written into a staging folder beside the output folder
//!   (`.NAME.dxa-staging-PID`, same parent, so the same file system), which gets the
//!   folder's owner, group, mode and ACLs (`access`);
//! - at the end the two folders are exchanged in one step (`renameat2(RENAME_EXCHANGE)`):
//!   a reader sees the old set or the new set, never half of each; files of an earlier run
//!   that this run does not produce are gone with the old folder;
//! - where folders cannot be exchanged (the output folder is a mount point, or belongs to a
//!   user this run cannot give a folder to), the staging folder is inside the output folder
//!   (`.dxa-staging-PID`) and the files are renamed into place one by one, run.json last
//!   (`in_place`): a folder that holds run.json holds one complete run;
//! - files in the output folder that this tool did not write are carried over (hard links,
//!   so they never leave it) and named in a warning;
//! - one run writes a folder at a time: an advisory lock (`flock`) on the output folder,
//!   taken before any work; a second run exits 1 naming the process that holds it;
//! - a run's staging folder is removed on any error, on SIGINT and SIGTERM, and, when a run
//!   was killed outright, by the next run in that folder. Removing it never deletes what is
//!   not ours: our outputs are removed, anything else is put back into the output folder.
//!
//! Signals (docs/columns.md, "Interrupted runs"): on SIGINT or SIGTERM the run stops, its
//! staging folder is removed, the output folder is left as it was (or, when the signal
//! arrives after the commit, as this run left it), one message says which, and the exit
//! code is 128 + the signal (130, 143), as shells report it: the library settles the folders
//! and returns an `Interruption`, the binary says it and ends the process. The commit holds
//! the lock the interruption holds: a signal sees the folders before the exchange or after
//! it, never during.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use std::sync::{Mutex, MutexGuard, PoisonError};

use rustix::fs::{FlockOperation, RenameFlags, flock, renameat_with};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::path_text::path_text;

mod access;
mod dead;
mod in_place;
mod names;
mod sync;

use access::Access;
pub use access::is_mount_point;
pub(crate) use dead::process_alive;
use dead::{remove_dead_staging, staging_pids};
use names::{INSIDE_PREFIX, discard, our_folder, ours};
pub use names::{OUTPUT_FOLDERS, OUTPUT_NAMES};
pub use sync::{WritingBack, start_writeback, start_writeback_range};

/// The run's staging folder while it exists, and whether its outputs were committed.
#[derive(Debug)]
struct Run {
    staging: Option<PathBuf>,
    target: Option<PathBuf>,
    committed: bool,
}

static RUN: Mutex<Run> = Mutex::new(Run {
    staging: None,
    target: None,
    committed: false,
});

fn run_state() -> MutexGuard<'static, Run> {
    RUN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A SIGINT or SIGTERM that stopped the run, its outputs settled: the run's staging folder,
/// if it had one and had not committed, is removed. While this is held the run cannot
/// commit (it holds the commit's lock), so the binary ends the process with `exit_code`
/// before dropping it; the library itself never exits the process.
#[derive(Debug)]
pub struct Interruption {
    /// What happened to the output folder, one line for stderr.
    pub message: String,
    /// 128 + the signal (130, 143), as shells report it; 130 for a run abandoned on
    /// `listen`'s second signal.
    pub exit_code: i32,
    _commit: MutexGuard<'static, Run>,
}

/// Removes the run's staging folder if it has not committed (`listen`'s second signal, whose
/// `message` says why); the binary exits with the returned interruption's code.
pub fn abandon(message: &str) -> Interruption {
    let state = run_state();
    if let (Some(staging), Some(target), false) = (&state.staging, &state.target, state.committed) {
        discard_while_written(staging, target);
    }
    Interruption {
        message: message.to_string(),
        exit_code: 130,
        _commit: state,
    }
}

/// SIGINT and SIGTERM, caught from `catch_signals` on (docs/columns.md, "Interrupted runs").
pub struct Interrupts(Signals);

impl std::fmt::Debug for Interrupts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Interrupts")
    }
}

/// Catches SIGINT and SIGTERM: from now on they no longer end the process, they arrive
/// through `Interrupts`.
pub fn catch_signals() -> io::Result<Interrupts> {
    Signals::new([SIGINT, SIGTERM]).map(Interrupts)
}

impl Interrupts {
    /// Waits for the next SIGINT or SIGTERM; the signal number.
    pub fn next_signal(&mut self) -> Option<i32> {
        self.0.forever().next()
    }

    /// Waits for the next SIGINT or SIGTERM and settles the run's outputs for it (see
    /// `Interruption`).
    pub fn next_interruption(&mut self) -> Option<Interruption> {
        let signal = self.next_signal()?;
        let name = if signal == SIGINT {
            "SIGINT"
        } else {
            "SIGTERM"
        };
        let state = run_state();
        let message = match (&state.staging, &state.target, state.committed) {
            (_, Some(target), true) => format!(
                "interrupted ({name}) after the outputs were written: {} holds this run's outputs",
                path_text(target)
            ),
            (Some(staging), Some(target), false) => {
                discard_while_written(staging, target);
                format!(
                    "interrupted ({name}); nothing in {} was replaced: it holds what it held before",
                    path_text(target)
                )
            }
            _ => format!("interrupted ({name}); no output was written"),
        };
        Some(Interruption {
            message: format!("dxa-ingest: {message}"),
            exit_code: 128 + signal,
            _commit: state,
        })
    }
}

/// `discard` of a staging folder that the run's other threads may still be writing into:
/// the process ends right after, but a file created after the folder was listed (the
/// sink's first file, just after the folder: `tests/integrity.rs` caught it left behind)
/// keeps the folder. Listed again until it is gone, a bounded number of times: once it is
/// gone, a file can no longer be created in it.
fn discard_while_written(staging: &Path, target: &Path) {
    for _ in 0..DISCARD_PASSES {
        discard(staging, target);
        if fs::symlink_metadata(staging).is_err() {
            return;
        }
        std::thread::yield_now();
    }
}

/// How many times `discard_while_written` lists a staging folder that is still there.
const DISCARD_PASSES: usize = 1000;

/// Where a run's staging folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Beside the output folder: the two are exchanged in one step.
    Beside,
    /// Inside it: the files are renamed into place one by one (`in_place`).
    Inside,
}

/// A locked output folder and the run's staging folder beside it.
#[derive(Debug)]
pub struct OutputFolder {
    /// The output folder (canonical).
    target: PathBuf,
    /// Where this run writes.
    staging: PathBuf,
    /// Where that is.
    placement: Placement,
    /// The folder's permissions, which the new set keeps.
    access: Access,
    /// Held for the whole run: the lock.
    _lock: File,
}

/// What a commit did, for the messages.
#[derive(Debug, Default)]
pub struct Committed {
    /// Files of someone else's that were carried over into the new set.
    pub foreign: Vec<String>,
    /// The folders could not be exchanged in one step: files were renamed one by one,
    /// and why.
    pub one_by_one: Option<&'static str>,
}

impl OutputFolder {
    /// Creates (if needed) and locks the output folder, removes staging folders of dead
    /// runs, and creates this run's staging folder.
    pub fn open(out: &Path) -> io::Result<OutputFolder> {
        let named = |e: io::Error, what: &str| {
            io::Error::new(e.kind(), format!("{what} {}: {e}", path_text(out)))
        };
        if out.exists() && !out.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "--out {} is a file, not a folder: choose a folder (it is created if missing)",
                    path_text(out)
                ),
            ));
        }
        fs::create_dir_all(out).map_err(|e| named(e, "cannot create output folder"))?;
        let target = out
            .canonicalize()
            .map_err(|e| named(e, "cannot resolve output folder"))?;
        let (lock, target) = lock_folder(&target)?;
        let parent = target.parent().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output folder cannot be the root folder",
            )
        })?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_dead_staging(parent, &name);
        let access = Access::of(&target).map_err(|e| named(e, "cannot read output folder"))?;
        let mut placement = if is_mount_point(&target)? {
            Placement::Inside
        } else {
            Placement::Beside
        };
        // Created and recorded under the signal handler's lock: a signal sees no staging
        // folder, or one it knows about (and removes).
        let mut state = run_state();
        let beside = match placement {
            Placement::Beside => create_staging(&target, Placement::Beside).and_then(|staging| {
                match access.prepare(&staging) {
                    Ok(()) => Ok(Some(staging)),
                    Err(error) => {
                        discard(&staging, &target);
                        Err(error)
                    }
                }
            }),
            Placement::Inside => Ok(None),
        };
        // A folder in a parent this user cannot write, or of another user (or group), cannot
        // be replaced by a new folder that looks the same: the folder itself stays, and the
        // files are renamed into it.
        let staging = match beside {
            Ok(Some(staging)) => staging,
            Err(error) if error.kind() != io::ErrorKind::PermissionDenied => return Err(error),
            _ => {
                placement = Placement::Inside;
                create_staging(&target, placement)?
            }
        };
        state.staging = Some(staging.clone());
        state.target = Some(target.clone());
        state.committed = false;
        drop(state);
        Ok(OutputFolder {
            target,
            staging,
            placement,
            access,
            _lock: lock,
        })
    }

    /// Where this run writes its outputs.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The output folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the staged outputs in place of the folder's contents, as one step.
    pub fn commit(self) -> io::Result<Committed> {
        self.commit_with(&sync::System)
    }

    /// `commit`, its flushes through `disk`.
    fn commit_with(self, disk: &impl sync::Disk) -> io::Result<Committed> {
        self.access.restrict_files(&self.staging)?;
        sync::sync_with(&self.staging, disk)?;
        let mut committed = Committed::default();
        let mut guard = run_state();
        if self.placement == Placement::Inside {
            committed.one_by_one = Some(if is_mount_point(&self.target)? {
                "it is a mount point"
            } else {
                "this user cannot make a folder beside it with its owner and group"
            });
            in_place::replace_in_place(&self.staging, &self.target)?;
            guard.committed = true;
            drop(guard);
            discard(&self.staging, &self.target);
            return Ok(committed);
        }
        for entry in fs::read_dir(&self.target)? {
            let entry = entry?;
            let name = entry.file_name();
            let text = name.to_string_lossy();
            let is_dir = entry.file_type()?.is_dir();
            // Our names are files; a folder of that name is someone else's.
            if ours(&text) && !is_dir {
                continue;
            }
            // A folder of ours: what else it holds is carried over into the new one.
            if let (Some(files), true) = (our_folder(&text), is_dir) {
                committed.foreign.extend(names::carry_over_folder(
                    &entry.path(),
                    &self.staging.join(&name),
                    files,
                )?);
                continue;
            }
            let from = entry.path();
            let to = self.staging.join(&name);
            if to.exists() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} is not a file dxa-ingest wrote, and this run writes a file of that name: \
                         move it away, or choose another --out",
                        path_text(&from)
                    ),
                ));
            }
            // Files stay in the folder throughout (a second link); folders move.
            if is_dir {
                fs::rename(&from, &to)?;
            } else {
                fs::hard_link(&from, &to)?;
            }
            committed.foreign.push(path_text(Path::new(&name)));
        }
        self.access.apply(&self.staging)?;
        match renameat_with(
            rustix::fs::CWD,
            &self.staging,
            rustix::fs::CWD,
            &self.target,
            RenameFlags::EXCHANGE,
        ) {
            Ok(()) => {
                guard.committed = true;
                drop(guard);
                // The old set is now at the staging name.
                discard(&self.staging, &self.target);
            }
            Err(error)
                if error == rustix::io::Errno::INVAL
                    || error == rustix::io::Errno::NOSYS
                    || error == rustix::io::Errno::XDEV
                    || error == rustix::io::Errno::BUSY =>
            {
                committed.one_by_one = Some("its file system cannot exchange folders");
                in_place::replace_in_place(&self.staging, &self.target)?;
                guard.committed = true;
                drop(guard);
                discard(&self.staging, &self.target);
            }
            Err(error) => return Err(io::Error::from(error)),
        }
        if let Some(parent) = self.target.parent() {
            File::open(parent)?.sync_all()?;
        }
        Ok(committed)
    }
}

/// Creates a run's staging folder, private (0700) while the run writes into it.
fn create_staging(target: &Path, placement: Placement) -> io::Result<PathBuf> {
    let staging = match placement {
        Placement::Beside => {
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            target.with_file_name(format!(".{name}.dxa-staging-{}", std::process::id()))
        }
        Placement::Inside => target.join(format!("{INSIDE_PREFIX}{}", std::process::id())),
    };
    if staging.exists() {
        discard(&staging, target);
    }
    std::os::unix::fs::DirBuilderExt::mode(&mut fs::DirBuilder::new(), 0o700)
        .create(&staging)
        .map_err(|e| {
            let place = match placement {
                Placement::Beside => "beside",
                Placement::Inside => "in",
            };
            io::Error::new(
                e.kind(),
                format!(
                    "cannot write {place} the output folder (the staging folder {}): {e}",
                    path_text(&staging)
                ),
            )
        })?;
    Ok(staging)
}

impl Drop for OutputFolder {
    /// An uncommitted staging folder is abandoned: remove it (no-op after a commit).
    fn drop(&mut self) {
        let mut state = run_state();
        if self.staging.exists() {
            discard(&self.staging, &self.target);
        }
        state.staging = None;
    }
}

/// Locks the folder; retries when the folder was replaced (by a commit) between opening
/// and locking, so that the lock held is the lock of the folder at that path.
fn lock_folder(target: &Path) -> io::Result<(File, PathBuf)> {
    for _ in 0..100 {
        let dir = File::open(target)?;
        if let Err(error) = flock(&dir, FlockOperation::NonBlockingLockExclusive) {
            if error == rustix::io::Errno::WOULDBLOCK {
                let holder = staging_pids(target)
                    .first()
                    .map(|pid| format!(" (process {pid})"))
                    .unwrap_or_default();
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "the output folder {} is being written by another dxa-ingest run{holder}: \
                         wait for it to finish, or choose another --out",
                        path_text(target)
                    ),
                ));
            }
            return Err(io::Error::from(error));
        }
        let (locked, now) = (dir.metadata()?, fs::metadata(target)?);
        if (locked.dev(), locked.ino()) == (now.dev(), now.ino()) {
            return Ok((dir, target.to_path_buf()));
        }
    }
    Err(io::Error::other(format!(
        "the output folder {} keeps being replaced by other runs",
        path_text(target)
    )))
}

#[cfg(test)]
mod tests;
