//! Runs that died without cleaning up (killed with -9, a power cut): their staging folders
//! (beside the output folder, or inside it) and temporary files are removed by the next run
//! in that folder, never touching what is not dxa-ingest's (`discard`).

use std::fs;
use std::path::Path;

use super::names::{INSIDE_PREFIX, discard};

/// PIDs of the staging folders beside `target` and inside it (the runs that write it, or
/// died doing so).
pub(super) fn staging_pids(target: &Path) -> Vec<u32> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Vec::new();
    };
    let beside = format!(".{}.dxa-staging-", name.to_string_lossy());
    let mut pids: Vec<u32> = [(parent, beside.as_str()), (target, INSIDE_PREFIX)]
        .into_iter()
        .filter_map(|(folder, prefix)| Some((fs::read_dir(folder).ok()?, prefix)))
        .flat_map(|(entries, prefix)| {
            entries.flatten().filter_map(move |e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_prefix(prefix)
                    .and_then(|pid| pid.parse().ok())
            })
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// Whether a process exists: signal 0 reaches it, or it belongs to another user (EPERM),
/// whose temporary files are never taken for a dead run's.
pub(crate) fn process_alive(pid: u32) -> bool {
    rustix::process::Pid::from_raw(pid as i32).is_some_and(|pid| {
        match rustix::process::test_kill_process(pid) {
            Ok(()) => true,
            Err(error) => error == rustix::io::Errno::PERM,
        }
    })
}

/// Removes the staging folders of runs that died without cleaning up (killed with -9, a
/// power cut). We hold the folder's lock, so no live run is writing this folder; the PID
/// check keeps us from touching a folder of a run that is still starting.
pub(super) fn remove_dead_staging(parent: &Path, name: &str) {
    let target = parent.join(name);
    for pid in staging_pids(&target) {
        if pid != std::process::id() && !process_alive(pid) {
            discard(&parent.join(format!(".{name}.dxa-staging-{pid}")), &target);
            discard(&target.join(format!("{INSIDE_PREFIX}{pid}")), &target);
        }
    }
    // Temporary files of earlier versions, left by a killed run.
    if let Ok(entries) = fs::read_dir(&target) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let text = file_name.to_string_lossy();
            if let Some(pid) = text
                .rsplit_once(".partial-")
                .filter(|_| text.starts_with('.'))
                .and_then(|(_, pid)| pid.parse::<u32>().ok())
                && !process_alive(pid)
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
