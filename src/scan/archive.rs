//! Archives read as `--tar` reads a tar (docs/columns.md, "Archives"): a ZIP export (GE's
//! `SDY00000/SRS00000/IMG00000` layout), a gzip-compressed tar or a tar, told by their
//! content whatever their name, found in a walk or given to `--tar`. Every member is a file
//! of the run, bounded like one:
//! - a member larger than `--max-file-size` is a `too_large` row, never read (a ZIP
//!   member's declared size can lie: what is inflated stops at the cap either way);
//! - an archive holds at most `MAX_MEMBERS` members, and a ZIP's directory at most
//!   `MAX_DIRECTORY_BYTES`, checked before it is read: more is a row for the archive;
//! - a ZIP whose members overlap (the "better zip bomb", one compressed block inflated by
//!   every member) is refused before a member is inflated; a member's own ratio is
//!   deflate's (at most about 1 000), so what an archive inflates is bounded by its size;
//! - an archive inside an archive is not opened (its member row says what it is);
//! - member names are path text like any path (`path_text`): a control character or a
//!   right-to-left override cannot hide in a row.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use crate::error::{FileError, Reason};

/// Members an archive may hold (a GE export of a year holds a few thousand).
pub const MAX_MEMBERS: u64 = 100_000;

/// Bytes of a ZIP's central directory read at most (about 300 000 entries of ordinary
/// names): the zip crate holds all of it in memory.
const MAX_DIRECTORY_BYTES: u64 = 64 * 1024 * 1024;

/// The archives read by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A POSIX tar.
    Tar,
    /// A tar inside a gzip stream (`.tar.gz`, `.tgz`).
    GzipTar,
    /// A ZIP archive.
    Zip,
}

impl Kind {
    /// The kind of archive whose first bytes are `head` (a few KiB: a gzip stream is
    /// inflated far enough to see a tar header inside), or None.
    pub fn of(head: &[u8]) -> Option<Kind> {
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(Kind::Zip)
        } else if is_tar(head) {
            Some(Kind::Tar)
        } else if head.starts_with(b"\x1F\x8B") {
            let mut inner = Vec::with_capacity(512);
            let _ = flate2::read::MultiGzDecoder::new(head)
                .take(512)
                .read_to_end(&mut inner);
            is_tar(&inner).then_some(Kind::GzipTar)
        } else {
            None
        }
    }

    /// How the row of an archive names it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tar => "a tar archive",
            Kind::GzipTar => "a gzip-compressed tar archive",
            Kind::Zip => "a ZIP archive",
        }
    }
}

/// POSIX tar: "ustar" at byte 257 (POSIX.1-1988; GNU tar writes "ustar  ").
fn is_tar(bytes: &[u8]) -> bool {
    bytes.len() >= 262 && &bytes[257..262] == b"ustar"
}

/// The kind of archive the file at `path` is, from its first 4 KiB.
pub fn kind_of_file(path: &Path) -> Option<Kind> {
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    Kind::of(&head)
}

/// One member.
pub enum Member {
    /// Its bytes (at most the cap).
    Bytes(Vec<u8>),
    /// Not read, and why.
    NotRead(FileError),
}

/// A member's name as a path inside the archive: its own components, a leading `/` (or
/// `./`) dropped, so that `ARCHIVE/NAME` names it; `..` stays a component as written (never
/// resolved: nothing is extracted).
pub fn member_path(name: &Path) -> PathBuf {
    name.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_os_string()),
            Component::ParentDir => Some("..".into()),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// Reads a member of `size` bytes (as its header says) from `reader`, up to `cap`.
fn read_member(reader: &mut impl Read, size: u64, cap: u64) -> Result<Member, io::Error> {
    if size > cap {
        return Ok(Member::NotRead(too_large(size, cap)));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    reader.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        // A ZIP member that inflates beyond what its header says.
        return Ok(Member::NotRead(too_large(bytes.len() as u64, cap)));
    }
    crate::provenance::count_bytes_read(bytes.len() as u64);
    Ok(Member::Bytes(bytes))
}

fn too_large(size: u64, cap: u64) -> FileError {
    FileError::new(
        Reason::TooLarge,
        format!("{size} bytes or more exceeds the {cap}-byte cap (--max-file-size)"),
    )
}

/// Why an archive stopped being read (the members read so far are rows all the same).
#[derive(Debug)]
pub struct Stopped {
    /// The reason of the archive's row.
    pub error: FileError,
}

fn stopped(reason: Reason, message: impl Into<String>) -> Stopped {
    Stopped {
        error: FileError::new(reason, message),
    }
}

/// Gives every member of a tar stream (`gzip`: inside a gzip stream) to `each`, in the
/// stream's order: (its path inside the archive, the member). Folders are not members.
/// The archive's own faults stop it (`Stopped`); an error is `each`'s, given back as is.
pub fn tar_members<E>(
    input: impl Read,
    gzip: bool,
    cap: u64,
    mut each: impl FnMut(PathBuf, Member) -> Result<(), E>,
) -> Result<Result<u64, Stopped>, E> {
    let input: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(input)))
    } else {
        Box::new(input)
    };
    let mut archive = tar::Archive::new(input);
    let cut = |what: &str| {
        stopped(
            Reason::Truncated,
            format!("{what}: the archive is cut short or broken"),
        )
    };
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => return Ok(Err(cut(&e.to_string()))),
    };
    let mut count = 0u64;
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => return Ok(Err(cut(&format!("after {count} members, {e}")))),
        };
        let Ok(name) = entry.path().map(|p| member_path(&p)) else {
            return Ok(Err(stopped(
                Reason::Malformed,
                format!("member {} has a name that cannot be read", count + 1),
            )));
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        count += 1;
        if count > MAX_MEMBERS {
            return Ok(Err(too_many()));
        }
        let member = if !kind.is_file() {
            Member::NotRead(FileError::new(
                Reason::NotRegularFile,
                format!("tar member of type {kind:?}, not a regular file"),
            ))
        } else {
            let size = entry.size();
            match read_member(&mut entry, size, cap) {
                Ok(member) => member,
                Err(e) => return Ok(Err(cut(&format!("member {}: {e}", count)))),
            }
        };
        each(name, member)?;
    }
    Ok(Ok(count))
}

fn too_many() -> Stopped {
    stopped(
        Reason::TooLarge,
        format!("more than {MAX_MEMBERS} members: the rest are not read"),
    )
}

/// Gives every member of the ZIP archive `file` to `each`, in the order of its directory.
/// Its directory is checked first (members, size, overlapping members).
/// An error is `each`'s, given back as is.
pub fn zip_members<E>(
    mut file: File,
    cap: u64,
    mut each: impl FnMut(PathBuf, Member) -> Result<(), E>,
) -> Result<Result<u64, Stopped>, E> {
    match directory(&mut file) {
        Ok((entries, _)) if entries > MAX_MEMBERS => return Ok(Err(too_many())),
        Ok((_, bytes)) if bytes > MAX_DIRECTORY_BYTES => {
            return Ok(Err(stopped(
                Reason::TooLarge,
                format!("a directory of {bytes} bytes (more than {MAX_DIRECTORY_BYTES})"),
            )));
        }
        Ok(_) => {}
        Err(error) => return Ok(Err(error)),
    }
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(archive) => archive,
        Err(e) => {
            return Ok(Err(stopped(
                Reason::Malformed,
                format!("its directory: {e}"),
            )));
        }
    };
    match archive.has_overlapping_files() {
        Ok(false) => {}
        Ok(true) => {
            return Ok(Err(stopped(
                Reason::Malformed,
                "members that share their compressed bytes (a zip bomb): not read",
            )));
        }
        Err(e) => {
            return Ok(Err(stopped(
                Reason::Malformed,
                format!("its directory: {e}"),
            )));
        }
    }
    let mut count = 0;
    for index in 0..archive.len() {
        let name_of = archive
            .name_for_index(index)
            .map(|n| member_path(Path::new(n)))
            .unwrap_or_else(|| PathBuf::from(format!("member-{index}")));
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::UnsupportedArchive(what)) => {
                let name = name_of;
                count += 1;
                each(
                    name,
                    Member::NotRead(FileError::new(
                        Reason::Malformed,
                        format!("a ZIP member that cannot be read here: {what}"),
                    )),
                )?;
                continue;
            }
            Err(e) => {
                return Ok(Err(stopped(
                    Reason::Truncated,
                    format!(
                        "member {}: {e}: the archive is cut short or broken",
                        index + 1
                    ),
                )));
            }
        };
        if entry.is_dir() {
            continue;
        }
        count += 1;
        let name = member_path(Path::new(
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(entry.name_raw()),
        ));
        let member = if entry.is_symlink() {
            Member::NotRead(FileError::new(
                Reason::NotRegularFile,
                "ZIP member that is a symbolic link, not a regular file",
            ))
        } else {
            let size = entry.size();
            match read_member(&mut entry, size, cap) {
                Ok(member) => member,
                Err(e) => Member::NotRead(FileError::new(
                    Reason::Malformed,
                    format!("cannot be inflated: {e}"),
                )),
            }
        };
        each(name, member)?;
    }
    Ok(Ok(count))
}

/// A ZIP's number of entries and directory size, from its end of central directory record
/// (APPNOTE 4.3.16; ZIP64 4.3.14-15), read before the directory itself.
fn directory(file: &mut File) -> Result<(u64, u64), Stopped> {
    let broken = |what: &str| {
        stopped(
            Reason::Truncated,
            format!("{what}: the archive is cut short"),
        )
    };
    let size = file.metadata().map_err(|e| broken(&e.to_string()))?.len();
    let tail_len = size.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(size - tail_len))
        .and_then(|_| file.read_exact(&mut tail))
        .map_err(|e| broken(&e.to_string()))?;
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(|| broken("no end of central directory"))?;
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([tail[i], tail[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(tail[i..i + 4].try_into().unwrap()));
    let (entries, bytes) = (u16_at(at + 10), u32_at(at + 12));
    if entries != 0xFFFF && bytes != 0xFFFF_FFFF {
        return Ok((entries, bytes));
    }
    // ZIP64: the locator, 20 bytes before, gives where the ZIP64 record is.
    let locator = at
        .checked_sub(20)
        .filter(|&l| tail[l..].starts_with(b"PK\x06\x07"))
        .ok_or_else(|| broken("no ZIP64 locator"))?;
    let record_at = u64::from_le_bytes(tail[locator + 8..locator + 16].try_into().unwrap());
    let mut record = [0u8; 56];
    file.seek(SeekFrom::Start(record_at))
        .and_then(|_| file.read_exact(&mut record))
        .map_err(|e| broken(&e.to_string()))?;
    if !record.starts_with(b"PK\x06\x06") {
        return Err(broken("no ZIP64 end of central directory"));
    }
    let u64_at = |i: usize| u64::from_le_bytes(record[i..i + 8].try_into().unwrap());
    Ok((u64_at(32), u64_at(40)))
}

/// A reader whose first bytes were already read (to tell what it is), put back in front.
pub fn with_head(head: Vec<u8>, rest: impl Read) -> impl Read {
    io::Cursor::new(head).chain(rest)
}

/// The first bytes of a stream, for `Kind::of`, read without losing them.
pub fn peek(input: &mut impl BufRead, want: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(want);
    input.take(want as u64).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_stay_inside_the_archive_row() {
        assert_eq!(
            member_path(Path::new("/etc/passwd")),
            Path::new("etc/passwd")
        );
        assert_eq!(
            member_path(Path::new("./SDY00000/IMG1")),
            Path::new("SDY00000/IMG1")
        );
        assert_eq!(member_path(Path::new("a/../b")), Path::new("a/../b"));
    }

    #[test]
    fn kinds_by_content() {
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(Kind::of(&tar), Some(Kind::Tar));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, &tar).unwrap();
        assert_eq!(Kind::of(&gz.finish().unwrap()), Some(Kind::GzipTar));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, b"DICM, gzipped alone").unwrap();
        assert_eq!(
            Kind::of(&gz.finish().unwrap()),
            None,
            "a gzipped file is no archive"
        );
        assert_eq!(Kind::of(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(Kind::of(b"DICM"), None);
    }
}
