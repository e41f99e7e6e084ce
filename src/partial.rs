//! Partial scans (docs/scale.md): `scan --partial FILE` records what each file gave, in path
//! order, with no cross-file step; `merge` reads any number of partials, in any split, and
//! feeds their records, in path order, to the same write side `scan` uses, so that the
//! outputs are those of one scan of all the files by construction.
//!
//! File format (every number little endian; records are `store::codec` frames):
//! - the magic `DXAPART\x05`;
//! - a frame holding the `Header`: the tool version, and a SHA-256 of every option and
//!   profile that changes what a file gives (two partials merge only when they agree);
//! - one frame per file: a `Record` (the path's bytes as walked, and its `Outcome`);
//! - a last frame, `Trailer`, with the number of records: a partial cut short (a killed
//!   scan, a full disk, a truncated copy) has none, and is refused;
//! - the SHA-256 of every byte before it (32 bytes): the partial as it was written.
//!
//! The checksum is verified before the first record is used (`Reader::open` reads the whole
//! file once), and again as the records are read: a partial with one bit flipped, cut short
//! or grown is refused (exit 1, nothing written), never merged into other numbers. A
//! partial is written under a temporary name beside its final name and renamed when its
//! trailer and checksum are on disk.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::outcome::Outcome;
use crate::path_text::path_text;
use crate::store::codec;

/// The first bytes of every partial (`\x01` was the format without a checksum, `\x02` the
/// one whose documents' flags were text, `\x04` the one whose body composition readings
/// held their column's header).
const MAGIC: &[u8; 8] = b"DXAPART\x05";

/// The checksum at the end of a partial: SHA-256 of every byte before it.
const CHECKSUM_BYTES: u64 = 32;

/// What must agree between partials that are merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// `dxa-ingest` version that wrote it.
    pub version: String,
    /// SHA-256 (hex) of the extraction options and profiles (`Header::new`).
    pub options_sha256: String,
    /// The extraction options as text (for the report and run.json of a merge).
    pub extraction: String,
    /// The profiles' names and SHA-256, for the report.
    pub profiles: Vec<(String, String)>,
}

impl Header {
    /// The header of this build, for extraction options described by `options` (a stable
    /// text: every option that changes what one file gives) and the profiles in use.
    pub fn new(options: &str, profiles: &[(String, String)]) -> Header {
        let mut hash = Sha256::new();
        hash.update(options.as_bytes());
        for (name, digest) in profiles {
            hash.update(b"\0profile\0");
            hash.update(name.as_bytes());
            hash.update(b"\0");
            hash.update(digest.as_bytes());
        }
        Header {
            version: env!("CARGO_PKG_VERSION").to_string(),
            options_sha256: hex::encode(hash.finalize()),
            extraction: options.to_string(),
            profiles: profiles.to_vec(),
        }
    }
}

/// One file's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// The path's bytes, as walked (or the tar member's name).
    pub path: Vec<u8>,
    /// What it gave.
    pub outcome: Outcome,
}

impl Record {
    /// The path.
    pub fn path(&self) -> &Path {
        Path::new(OsStr::from_bytes(&self.path))
    }
}

#[derive(Debug, Serialize, Deserialize)]
enum Frame {
    Header(Header),
    Record(Record),
    Trailer { records: u64 },
}

/// A partial being written.
pub struct Writer {
    out: BufWriter<File>,
    /// Every byte written so far.
    checksum: Sha256,
    temp: PathBuf,
    target: PathBuf,
    records: u64,
    buffer: Vec<u8>,
}

impl Writer {
    /// Starts `target` (under a temporary name beside it).
    pub fn create(target: &Path, header: Header) -> io::Result<Writer> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "--partial needs a file name")
        })?;
        let temp = target.with_file_name(format!(
            ".{}.dxa-partial-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let out = BufWriter::with_capacity(256 * 1024, File::create(&temp)?);
        let mut writer = Writer {
            out,
            checksum: Sha256::new(),
            temp,
            target: target.to_path_buf(),
            records: 0,
            buffer: Vec::new(),
        };
        writer.write(MAGIC)?;
        writer.frame(&Frame::Header(header))?;
        Ok(writer)
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.checksum.update(bytes);
        self.out.write_all(bytes)
    }

    fn frame(&mut self, frame: &Frame) -> io::Result<()> {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        codec::encode_frame(frame, &mut buffer)?;
        let written = self.write(&buffer);
        self.buffer = buffer;
        written
    }

    /// Appends one file's record (files arrive in path order).
    pub fn record(&mut self, record: Record) -> io::Result<()> {
        self.records += 1;
        self.frame(&Frame::Record(record))
    }

    /// Writes the trailer and the checksum, syncs, and renames the partial to its name;
    /// returns the count.
    pub fn finish(mut self) -> io::Result<u64> {
        let records = self.records;
        self.frame(&Frame::Trailer { records })?;
        let checksum = std::mem::take(&mut self.checksum).finalize();
        self.out.write_all(&checksum)?;
        let file = std::mem::replace(&mut self.out, BufWriter::new(tempfile::tempfile()?))
            .into_inner()
            .map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.temp, &self.target)?;
        self.temp = PathBuf::new();
        Ok(records)
    }
}

impl Drop for Writer {
    /// An unfinished partial is removed.
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Why a partial cannot be merged.
#[derive(Debug, thiserror::Error)]
#[error("partial {}: {message}", path_text(path))]
pub struct PartialError {
    /// The partial.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

/// A partial being read, record by record.
pub struct Reader {
    path: PathBuf,
    /// The file up to its checksum.
    input: BufReader<io::Take<File>>,
    /// The checksum the whole file was verified against, and what is read now (a file
    /// changed between the two readings is refused too).
    expected: [u8; 32],
    checksum: Sha256,
    frame: Vec<u8>,
    records: u64,
    /// The header.
    pub header: Header,
    done: bool,
}

/// The SHA-256 of the first `len` bytes of `file` (read from where it is).
fn digest_of(file: &mut File, len: u64) -> io::Result<[u8; 32]> {
    let mut hash = Sha256::new();
    let mut input = BufReader::with_capacity(1024 * 1024, file.take(len));
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        hash.update(chunk);
        let n = chunk.len();
        input.consume(n);
    }
    Ok(hash.finalize().into())
}

impl Reader {
    /// Opens a partial, verifies its checksum over the whole file, and reads its header.
    pub fn open(path: &Path) -> Result<Reader, PartialError> {
        let error = |message: String| PartialError {
            path: path.to_path_buf(),
            message,
        };
        let corrupt = || {
            error(
                "its checksum does not match its bytes: the file is corrupt, cut short or \
                 changed since it was written (copy it again, or scan again)"
                    .into(),
            )
        };
        let mut file = File::open(path).map_err(|e| error(e.to_string()))?;
        let size = file.metadata().map_err(|e| error(e.to_string()))?.len();
        let mut magic = [0u8; 8];
        file.read_exact(&mut magic)
            .map_err(|_| error("not a dxa-ingest partial (too short)".into()))?;
        if &magic[..7] == b"DXAPART" && magic != *MAGIC {
            return Err(error(
                "a partial of another dxa-ingest version (another format): scan again".into(),
            ));
        }
        if &magic != MAGIC {
            return Err(error(
                "not a dxa-ingest partial (made by `dxa-ingest scan --partial`)".into(),
            ));
        }
        let body = size
            .checked_sub(CHECKSUM_BYTES)
            .filter(|&body| body >= MAGIC.len() as u64)
            .ok_or_else(corrupt)?;
        file.rewind().map_err(|e| error(e.to_string()))?;
        let actual = digest_of(&mut file, body).map_err(|e| error(e.to_string()))?;
        let mut expected = [0u8; 32];
        file.read_exact(&mut expected).map_err(|_| corrupt())?;
        if actual != expected {
            return Err(corrupt());
        }
        file.rewind().map_err(|e| error(e.to_string()))?;
        let mut checksum = Sha256::new();
        checksum.update(MAGIC);
        file.seek(io::SeekFrom::Start(MAGIC.len() as u64))
            .map_err(|e| error(e.to_string()))?;
        let mut input = BufReader::with_capacity(256 * 1024, file.take(body - MAGIC.len() as u64));
        let mut frame = Vec::new();
        let read = codec::read_frame(&mut input, &mut frame).map_err(|e| error(e.to_string()))?;
        let header = match read.then(|| codec::decode::<Frame>(&frame)) {
            Some(Ok(Frame::Header(header))) => header,
            _ => {
                return Err(error(
                    "its header cannot be read: the file is corrupt".into(),
                ));
            }
        };
        hash_frame(&mut checksum, &frame);
        Ok(Reader {
            path: path.to_path_buf(),
            input,
            expected,
            checksum,
            frame,
            records: 0,
            header,
            done: false,
        })
    }

    /// The partial's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next record; None after the trailer. A partial without its trailer, or whose
    /// trailer disagrees with its records, is an error.
    pub fn next_record(&mut self) -> Result<Option<Record>, PartialError> {
        if self.done {
            return Ok(None);
        }
        let error = |message: String| PartialError {
            path: self.path.clone(),
            message,
        };
        let cut = "it ends before its last record: a scan that did not finish, or a copy cut short";
        match codec::read_frame(&mut self.input, &mut self.frame) {
            Ok(true) => {}
            Ok(false) => return Err(error(cut.into())),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(error(cut.into())),
            Err(e) => return Err(error(e.to_string())),
        }
        hash_frame(&mut self.checksum, &self.frame);
        match codec::decode::<Frame>(&self.frame).map_err(|e| error(e.to_string()))? {
            Frame::Record(record) => {
                self.records += 1;
                Ok(Some(record))
            }
            Frame::Trailer { records } if records == self.records => {
                self.done = true;
                let mut rest = [0u8; 1];
                if self
                    .input
                    .read(&mut rest)
                    .map_err(|e| error(e.to_string()))?
                    != 0
                {
                    return Err(error("bytes after its trailer: the file is corrupt".into()));
                }
                let read: [u8; 32] = std::mem::take(&mut self.checksum).finalize().into();
                if read != self.expected {
                    return Err(error(
                        "it changed while it was read: its checksum no longer matches".into(),
                    ));
                }
                Ok(None)
            }
            Frame::Trailer { records } => Err(error(format!(
                "its trailer counts {records} records, the file holds {}",
                self.records
            ))),
            Frame::Header(_) => Err(error("a second header: the file is corrupt".into())),
        }
    }
}

/// Adds one frame as it is in the file (its length, then its bytes) to a checksum.
fn hash_frame(checksum: &mut Sha256, frame: &[u8]) {
    checksum.update((frame.len() as u32).to_le_bytes());
    checksum.update(frame);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{FileError, Reason};

    fn record(path: &str) -> Record {
        Record {
            path: path.as_bytes().to_vec(),
            outcome: Outcome::NotIngested(FileError::new(Reason::NotDicom, "x")),
        }
    }

    #[test]
    fn written_then_read_back_and_cut_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.part");
        let header = Header::new("opts", &[("hologic".into(), "abc".into())]);
        let mut writer = Writer::create(&path, header.clone()).unwrap();
        assert!(!path.exists(), "not under its name until finished");
        writer.record(record("in/a.dcm")).unwrap();
        writer.record(record("in/b.dcm")).unwrap();
        assert_eq!(writer.finish().unwrap(), 2);
        let mut reader = Reader::open(&path).unwrap();
        assert_eq!(reader.header, header);
        let mut seen = Vec::new();
        while let Some(r) = reader.next_record().unwrap() {
            seen.push(String::from_utf8(r.path).unwrap());
        }
        assert_eq!(seen, ["in/a.dcm", "in/b.dcm"]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // Every cut of the file is refused, naming it.
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 5, 8, 12, bytes.len() - 10, bytes.len() - 1] {
            let cut_path = dir.path().join("cut.part");
            std::fs::write(&cut_path, &bytes[..cut]).unwrap();
            let result = Reader::open(&cut_path).and_then(|mut r| {
                while r.next_record()?.is_some() {}
                Ok(())
            });
            let error = result.expect_err(&format!("a cut at {cut} was accepted"));
            assert!(error.to_string().contains("cut.part"), "{error}");
        }
    }

    #[test]
    fn a_partial_of_an_older_format_is_refused_as_another_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.part");
        let mut writer = Writer::create(&path, Header::new("opts", &[])).unwrap();
        writer.record(record("in/a.dcm")).unwrap();
        writer.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // `\x04`: the readings of a body composition held their column's header.
        for older in 1..=4u8 {
            let mut old = bytes.clone();
            old[7] = older;
            let old_path = dir.path().join("old.part");
            std::fs::write(&old_path, &old).unwrap();
            let Err(error) = Reader::open(&old_path) else {
                panic!("a partial of format {older} was accepted");
            };
            assert!(
                error.to_string().contains("another dxa-ingest version"),
                "{error}"
            );
        }
    }

    #[test]
    fn every_flipped_bit_and_every_cut_is_refused_before_a_record_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.part");
        let mut writer = Writer::create(&path, Header::new("opts", &[])).unwrap();
        for i in 0..20 {
            writer.record(record(&format!("in/{i:03}.dcm"))).unwrap();
        }
        writer.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let bad = dir.path().join("bad.part");
        for position in 0..bytes.len() {
            for bit in [0, 3, 7] {
                let mut flipped = bytes.clone();
                flipped[position] ^= 1 << bit;
                std::fs::write(&bad, &flipped).unwrap();
                let error = Reader::open(&bad)
                    .err()
                    .unwrap_or_else(|| panic!("bit {bit} of byte {position} flipped: opened"));
                assert!(error.to_string().contains("bad.part"), "{error}");
            }
        }
        for cut in 0..bytes.len() {
            std::fs::write(&bad, &bytes[..cut]).unwrap();
            assert!(Reader::open(&bad).is_err(), "cut at {cut}: opened");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        std::fs::write(&bad, &longer).unwrap();
        assert!(Reader::open(&bad).is_err(), "a byte more: opened");
    }

    #[test]
    fn an_abandoned_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.part");
        let mut writer = Writer::create(&path, Header::new("o", &[])).unwrap();
        writer.record(record("x")).unwrap();
        drop(writer);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn headers_differ_with_options_and_profiles() {
        let a = Header::new("max=64", &[]);
        assert_eq!(a, Header::new("max=64", &[]));
        assert_ne!(a, Header::new("max=32", &[]));
        assert_ne!(a, Header::new("max=64", &[("x".into(), "1".into())]));
    }
}
