//! The archive folder that `pull` and `listen` fill and `scan` reads: one Part 10 file per
//! SOP Instance UID at `ARCHIVE/<StudyInstanceUID>/<SOPInstanceUID>.dcm` (docs/network.md).
//!
//! - UIDs come from the peer and name files: each must be a UID (digits and dots, at most
//!   64 characters, PS3.5 9.1), so that none can name `..`, a separator or a hidden file.
//! - An object is written under a temporary name in `ARCHIVE/.incoming/`, synced, renamed to
//!   its final name, and the folder synced, before success is answered: a crash, a full disk
//!   or a sender that dies leaves either the whole object or nothing under a final name.
//! - The study comes from the data set itself, so C-STORE, C-GET and C-MOVE place an object
//!   the same way, and an object already archived is never written again.
//! - A rescan takes the gate exclusively: no temporary file exists while the scan walks the
//!   archive (it would be read as a truncated file). Temporary files of a process that
//!   died (or older than an hour) are removed when an archive is opened.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockWriteGuard};
use std::time::{Duration, SystemTime};

use super::dimse::status;
use super::wire;
use crate::error::Reason;
use crate::sr::Limits;

/// The folder of temporary files, inside the archive (same file system: rename is atomic);
/// a walk never goes into it.
pub use crate::discover::INCOMING;
/// Temporary files older than this at start-up were left by a crash and are removed.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Whether `text` can name an archive file: a UID of digits and dots, 1-64 characters, no
/// empty component (PS3.5 9.1). Leading zeros are tolerated: some devices write them.
pub fn is_uid(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !text.starts_with('.')
        && !text.ends_with('.')
        && !text.contains("..")
}

/// A stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Written now.
    New {
        /// Its final path.
        path: PathBuf,
        /// File size.
        bytes: u64,
    },
    /// Already in the archive: nothing written.
    AlreadyArchived {
        /// Its path.
        path: PathBuf,
    },
}

/// Why an object was not stored, with the status the sender gets (PS3.4 B.2.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The C-STORE-RSP status.
    pub status: u16,
    /// For the log and the response's Error Comment.
    pub message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

/// Which objects an association may store, beyond being well-formed: any (`listen`), or
/// only those of the studies asked for (the C-GET and C-MOVE of `pull`: a PACS, or whoever
/// reaches the C-MOVE port, cannot fill the archive with what was not requested).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admission {
    studies: Option<std::collections::HashSet<String>>,
}

impl Admission {
    /// Any object.
    pub fn any() -> Admission {
        Admission::default()
    }

    /// Only objects of these studies.
    pub fn only_studies(studies: impl IntoIterator<Item = String>) -> Admission {
        Admission {
            studies: Some(studies.into_iter().collect()),
        }
    }

    /// Whether an object of `study` may be stored.
    pub fn check(&self, study: &str) -> Result<(), Refusal> {
        match &self.studies {
            Some(studies) if !studies.contains(study) => Err(Refusal::new(
                status::NOT_AUTHORIZED,
                format!("an object of study {study}, which was not asked for"),
            )),
            _ => Ok(()),
        }
    }
}

/// An archive folder open for writing.
#[derive(Debug)]
pub struct Archive {
    root: PathBuf,
    incoming: PathBuf,
    limits: Limits,
    next_temp: AtomicU64,
    /// Writers hold it shared while a temporary file exists; a rescan holds it exclusively.
    gate: RwLock<()>,
}

impl Archive {
    /// Creates the folder (and `.incoming`) if missing and removes stale temporary files.
    /// `max_object_bytes` is the scan's `--max-file-size`: a larger object is refused.
    pub fn open(root: &Path, max_object_bytes: u64) -> io::Result<Archive> {
        let incoming = root.join(INCOMING);
        fs::create_dir_all(&incoming)?;
        let now = SystemTime::now();
        for entry in fs::read_dir(&incoming)? {
            let entry = entry?;
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age > STALE_AFTER);
            let orphan = writer_pid(&entry.file_name().to_string_lossy())
                .is_some_and(|pid| !crate::output::folder::process_alive(pid));
            if old || orphan {
                let _ = fs::remove_file(entry.path());
            }
        }
        // Fail now, not at the first object, if the folder cannot be written.
        let probe = incoming.join(format!(".probe-{}", std::process::id()));
        File::create(&probe)?;
        fs::remove_file(&probe)?;
        Ok(Archive {
            root: root.to_path_buf(),
            incoming,
            limits: Limits {
                max_file_bytes: max_object_bytes,
                ..Limits::default()
            },
            next_temp: AtomicU64::new(0),
            gate: RwLock::new(()),
        })
    }

    /// The largest object stored (`--max-file-size`).
    pub fn max_object_bytes(&self) -> u64 {
        self.limits.max_file_bytes
    }

    /// The archive folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where an object goes; None when either UID cannot name a file.
    pub fn path_for(&self, study: &str, sop_instance: &str) -> Option<PathBuf> {
        (is_uid(study) && is_uid(sop_instance))
            .then(|| self.root.join(study).join(format!("{sop_instance}.dcm")))
    }

    /// Whether the object is archived already.
    pub fn contains(&self, study: &str, sop_instance: &str) -> bool {
        self.path_for(study, sop_instance)
            .is_some_and(|path| path.is_file())
    }

    /// Holds off writers while the archive is scanned.
    pub fn exclusive(&self) -> RwLockWriteGuard<'_, ()> {
        self.gate.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores one received data set (`transfer_syntax` as negotiated; `sop_class` and
    /// `sop_instance` as the command stated them; `source_ae` the sender), if `admission`
    /// lets its study in. Returns only once the file and its name are on disk.
    pub fn store(
        &self,
        transfer_syntax: &str,
        sop_class: &str,
        sop_instance: &str,
        source_ae: &str,
        dataset: Vec<u8>,
        admission: &Admission,
    ) -> Result<Stored, Refusal> {
        let file = wire::part10_file(transfer_syntax, sop_class, sop_instance, source_ae, dataset)
            .map_err(|e| Refusal::new(status::CANNOT_UNDERSTAND, e.message))?;
        if file.len() as u64 > self.limits.max_file_bytes {
            return Err(refuse_too_large(file.len() as u64, self.max_object_bytes()));
        }
        let ids = wire::object_ids(&file, &self.limits).map_err(|e| {
            let status = match e.reason {
                Reason::TooLarge => status::OUT_OF_RESOURCES,
                _ => status::CANNOT_UNDERSTAND,
            };
            Refusal::new(status, format!("{}: {}", e.reason.code(), e.message))
        })?;
        if ids.sop_instance != sop_instance || ids.sop_class != sop_class {
            return Err(Refusal::new(
                status::DATA_SET_MISMATCH,
                format!(
                    "the data set is {} of class {}, the command said {} of class {}",
                    ids.sop_instance, ids.sop_class, sop_instance, sop_class
                ),
            ));
        }
        let path = self
            .path_for(&ids.study_instance, &ids.sop_instance)
            .ok_or_else(|| {
                Refusal::new(
                    status::CANNOT_UNDERSTAND,
                    format!(
                        "Study Instance UID {:?} or SOP Instance UID {:?} is not a UID",
                        ids.study_instance, ids.sop_instance
                    ),
                )
            })?;
        admission.check(&ids.study_instance)?;
        if path.is_file() {
            return Ok(Stored::AlreadyArchived { path });
        }
        let _shared = self.gate.read().unwrap_or_else(PoisonError::into_inner);
        self.write_atomically(&path, &ids.sop_instance, &file)
            .map_err(|e| Refusal::new(status::OUT_OF_RESOURCES, format!("cannot store: {e}")))?;
        Ok(Stored::New {
            path,
            bytes: file.len() as u64,
        })
    }

    fn write_atomically(&self, path: &Path, sop_instance: &str, bytes: &[u8]) -> io::Result<()> {
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .incoming
            .join(format!("{sop_instance}.{}-{n}.partial", std::process::id()));
        let written = (|| {
            let mut file = File::create_new(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            let folder = path.parent().expect("archive paths have a study folder");
            if !folder.is_dir() {
                fs::create_dir_all(folder)?;
                sync_folder(&self.root)?;
            }
            fs::rename(&temp, path)?;
            sync_folder(folder)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written
    }
}

/// The process that wrote a temporary file: `<sop>.<pid>-<n>.partial`.
fn writer_pid(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".partial")?;
    let (_, tail) = stem.rsplit_once('.')?;
    tail.split_once('-')?.0.parse().ok()
}

/// The refusal of an object over the cap (stored or dropped by the reader).
pub fn refuse_too_large(size: u64, cap: u64) -> Refusal {
    Refusal::new(
        status::OUT_OF_RESOURCES,
        format!("object of {size} bytes is larger than --max-file-size ({cap} bytes)"),
    )
}

/// Makes a rename or a new entry durable (the folder's own metadata).
fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::wire::EXPLICIT_VR_LE;
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;
    use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
    use dicom_object::InMemDicomObject;
    use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

    const SR: &str = "1.2.840.10008.5.1.4.1.1.88.22";

    fn dataset(sop: &str, study: &str) -> Vec<u8> {
        let obj = InMemDicomObject::from_element_iter([
            DataElement::new(tags::SOP_CLASS_UID, VR::UI, PrimitiveValue::from(SR)),
            DataElement::new(tags::SOP_INSTANCE_UID, VR::UI, PrimitiveValue::from(sop)),
            DataElement::new(
                tags::STUDY_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from(study),
            ),
        ]);
        let mut out = Vec::new();
        obj.write_dataset_with_ts(
            &mut out,
            TransferSyntaxRegistry.get(EXPLICIT_VR_LE).unwrap(),
        )
        .unwrap();
        out
    }

    #[test]
    fn uids_that_could_escape_are_refused() {
        assert!(is_uid("1.2.840.10008.5.1.4.1.1.88.22"));
        assert!(is_uid("2.25.0123"));
        for bad in [
            "",
            ".",
            "..",
            "../1",
            "1..2",
            "1.2.",
            ".1",
            "1/2",
            "1.2 ",
            &"1".repeat(65),
        ] {
            assert!(!is_uid(bad), "{bad:?}");
        }
    }

    #[test]
    fn stores_once_under_the_study_and_never_twice() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), 1 << 20).unwrap();
        let data = dataset("1.2.3.4", "1.2.3");
        let first = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.3.4",
                "SCANNER",
                data.clone(),
                &Admission::any(),
            )
            .unwrap();
        let path = dir.path().join("1.2.3").join("1.2.3.4.dcm");
        assert_eq!(
            first,
            Stored::New {
                path: path.clone(),
                bytes: fs::metadata(&path).unwrap().len()
            }
        );
        assert!(archive.contains("1.2.3", "1.2.3.4"));
        let again = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.3.4",
                "SCANNER",
                data.clone(),
                &Admission::any(),
            )
            .unwrap();
        assert_eq!(again, Stored::AlreadyArchived { path: path.clone() });
        // The file is the data set as received, after a preamble and a meta group.
        let file = fs::read(&path).unwrap();
        assert!(file.ends_with(&data));
        assert_eq!(&file[128..132], b"DICM");
        // Nothing left in .incoming.
        assert_eq!(fs::read_dir(dir.path().join(INCOMING)).unwrap().count(), 0);
    }

    #[test]
    fn temporary_files_of_dead_writers_are_removed_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let incoming = dir.path().join(INCOMING);
        fs::create_dir_all(&incoming).unwrap();
        // pid 0 is never a process of /proc; our own pid is alive.
        let dead = incoming.join("1.2.3.0-0.partial");
        let alive = incoming.join(format!("1.2.4.{}-0.partial", std::process::id()));
        fs::write(&dead, b"half").unwrap();
        fs::write(&alive, b"half").unwrap();
        assert_eq!(writer_pid("1.2.3.4.123-7.partial"), Some(123));
        assert_eq!(writer_pid("notes.txt"), None);
        Archive::open(dir.path(), 1 << 20).unwrap();
        assert!(!dead.exists());
        assert!(alive.exists());
    }

    #[test]
    fn bad_objects_get_failure_statuses() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), 4096).unwrap();
        let data = dataset("1.2.3.4", "1.2.3");
        let mismatch = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.3.5",
                "",
                data.clone(),
                &Admission::any(),
            )
            .unwrap_err();
        assert_eq!(mismatch.status, status::DATA_SET_MISMATCH);
        let hostile = dataset("1.2.3.4", "../../etc");
        let escape = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.3.4",
                "",
                hostile,
                &Admission::any(),
            )
            .unwrap_err();
        assert_eq!(escape.status, status::CANNOT_UNDERSTAND);
        let junk = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.3.4",
                "",
                b"\x08\x00\x18\x00UI\xff\xff".to_vec(),
                &Admission::any(),
            )
            .unwrap_err();
        assert_eq!(junk.status, status::CANNOT_UNDERSTAND, "{}", junk.message);
        let big = [data.clone(), vec![0; 5000]].concat();
        let too_big = archive
            .store(EXPLICIT_VR_LE, SR, "1.2.3.4", "", big, &Admission::any())
            .unwrap_err();
        assert_eq!(too_big.status, status::OUT_OF_RESOURCES);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "only .incoming"
        );
    }

    #[test]
    fn objects_of_studies_not_asked_for_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), 1 << 20).unwrap();
        let asked = Admission::only_studies(["1.2.3".to_string()]);
        let other = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.9.4",
                "PACS",
                dataset("1.2.9.4", "1.2.9"),
                &asked,
            )
            .unwrap_err();
        assert_eq!(other.status, status::NOT_AUTHORIZED);
        assert!(other.message.contains("1.2.9"), "{}", other.message);
        assert!(!dir.path().join("1.2.9").exists());
        let wanted = archive
            .store(
                EXPLICIT_VR_LE,
                SR,
                "1.2.3.4",
                "PACS",
                dataset("1.2.3.4", "1.2.3"),
                &asked,
            )
            .unwrap();
        assert!(matches!(wanted, Stored::New { .. }));
    }
}
