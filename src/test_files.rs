//! The files under a folder, for the crate's tests that read a tree of inputs or compare the
//! outputs of two runs; a named pipe, for the tests of what is not a regular file.

use std::path::{Path, PathBuf};

/// Every file under `root`, depth first, each folder's entries in name order (panics on
/// an unreadable folder: a test's own).
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    add_files_under(root, &mut files);
    files
}

/// Makes a named pipe at `path` (`mkfifo`; panics if it cannot).
pub fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo {}: {e}", path.display()));
    assert!(status.success(), "mkfifo {}: {status}", path.display());
}

fn add_files_under(root: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            add_files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_are_listed_depth_first_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b/z", "b/a/y", "a", "c"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, name).unwrap();
        }
        let names: Vec<String> = super::files_under(dir.path())
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a", "b/a/y", "b/z", "c"]);
    }
}
