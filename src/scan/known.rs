//! `scan --known PART...`: an incremental scan reads only the files that no earlier partial
//! recorded (docs/scale.md, "Nightly"). The walk and the partials are both in path order,
//! so the filter is a merge-join: no set of paths is kept in memory, whatever the archive.

use std::path::PathBuf;

use crate::discover::Candidates;
use crate::partial::{PartialError, Reader};
use crate::store::path_key;

/// The candidates whose paths no known partial holds; the error of a partial that cannot
/// be opened.
pub fn without_known(
    candidates: Candidates,
    known: &[PathBuf],
) -> Result<Candidates, PartialError> {
    if known.is_empty() {
        return Ok(candidates);
    }
    let mut readers = Vec::with_capacity(known.len());
    for path in known {
        readers.push(KnownPaths {
            reader: Reader::open(path)?,
            head: None,
            done: false,
        });
    }
    Ok(Box::new(candidates.filter_map(move |candidate| {
        let key = path_key(&candidate.path);
        let mut seen = false;
        for reader in &mut readers {
            match reader.advance_to(&key) {
                Ok(found) => seen |= found,
                // A partial that turns out to be unreadable: its files are read again (and
                // the merge will refuse that partial and say why).
                Err(error) => {
                    crate::warning::warn(&format!("--known {error}; its files are read again"));
                    reader.done = true;
                }
            }
        }
        (!seen).then_some(candidate)
    })))
}

/// One known partial's paths, read forward as the walk advances.
struct KnownPaths {
    reader: Reader,
    head: Option<Vec<u8>>,
    done: bool,
}

impl KnownPaths {
    /// Skips paths before `key`; whether `key` itself is there.
    fn advance_to(&mut self, key: &[u8]) -> Result<bool, PartialError> {
        loop {
            if self.done {
                return Ok(false);
            }
            if self.head.is_none() {
                match self.reader.next_record()? {
                    Some(record) => self.head = Some(path_key(record.path())),
                    None => {
                        self.done = true;
                        return Ok(false);
                    }
                }
            }
            let head = self.head.as_deref().expect("set above");
            match head.cmp(key) {
                std::cmp::Ordering::Less => self.head = None,
                std::cmp::Ordering::Equal => return Ok(true),
                std::cmp::Ordering::Greater => return Ok(false),
            }
        }
    }
}
