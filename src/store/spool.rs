//! Append-only bytes that wait in memory under the run's budget (`budget`), or, once the
//! budget has no room for them, in an unlinked temporary file created then: a partition
//! of documents, a piece of one, a part of a giant group. Read back once, frame by frame.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::budget::{Budget, Held};
use super::codec;

/// The most bytes a spool holds in memory, whatever the budget: one larger goes to a file.
/// A partition larger than this is cut into pieces at the end (it is
/// `pipeline::finish::pieces::PIECE_BYTES`): a run of about 10^6 files, or a giant group,
/// whose visit step needs the memory for its pieces (docs/performance.md, "The end of a run").
pub const SPOOL_BYTES: u64 = 384 * 1024;

/// Bytes being appended.
#[derive(Debug)]
pub struct Spool {
    data: Data,
    /// Bytes appended (written or buffered).
    len: u64,
    /// Where its file goes if it spills.
    dir: PathBuf,
}

#[derive(Debug)]
enum Data {
    Memory(Held),
    File(BufWriter<File>),
}

impl Spool {
    /// Nothing yet, held under `budget`; a file (in `dir`) only when it spills.
    pub fn new(dir: &Path, budget: &Budget) -> Spool {
        Spool {
            data: Data::Memory(Held::new(budget)),
            len: 0,
            dir: dir.to_path_buf(),
        }
    }

    /// Appends `bytes`; returns where they start.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.len;
        match &mut self.data {
            Data::File(file) => file.write_all(bytes)?,
            Data::Memory(held) => {
                if at + bytes.len() as u64 > SPOOL_BYTES || !held.try_extend(bytes) {
                    let budget = held.budget().clone();
                    let mut file = BufWriter::with_capacity(8192, budget.tempfile(&self.dir)?);
                    file.write_all(held.bytes())?;
                    file.write_all(bytes)?;
                    // The held bytes are given back to the budget here.
                    self.data = Data::File(file);
                }
            }
        }
        self.len += bytes.len() as u64;
        Ok(at)
    }

    /// Reads `out.len()` bytes from `at` (what `append` wrote there).
    pub fn read_at(&mut self, at: u64, out: &mut [u8]) -> io::Result<()> {
        match &mut self.data {
            Data::Memory(held) => {
                let bytes = usize::try_from(at)
                    .ok()
                    .and_then(|at| held.bytes().get(at..at.checked_add(out.len())?))
                    .ok_or_else(|| io::Error::other("a read past the end of a partition"))?;
                out.copy_from_slice(bytes);
                Ok(())
            }
            Data::File(file) => {
                file.flush()?;
                std::os::unix::fs::FileExt::read_exact_at(file.get_ref(), out, at)
            }
        }
    }

    /// How many bytes were appended.
    #[cfg(test)]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it went to a temporary file.
    #[cfg(test)]
    pub fn spilled(&self) -> bool {
        matches!(self.data, Data::File(_))
    }

    /// What was appended, to be read back.
    pub fn finish(self) -> io::Result<Spooled> {
        Ok(match self.data {
            Data::Memory(held) => Spooled(Stored::Memory(held)),
            Data::File(writer) => {
                let mut file = writer.into_inner().map_err(|e| e.into_error())?;
                file.seek(SeekFrom::Start(0))?;
                Spooled(Stored::File(file, self.len))
            }
        })
    }
}

/// Appended bytes to be read back (frames: `codec`), in memory or in a file.
#[derive(Debug)]
pub struct Spooled(Stored);

#[derive(Debug)]
enum Stored {
    Memory(Held),
    File(File, u64),
}

impl Spooled {
    /// A file's bytes from where it is to its end.
    #[cfg(test)]
    pub fn file(mut file: File) -> io::Result<Spooled> {
        let len = file.metadata()?.len() - file.stream_position()?;
        Ok(Spooled(Stored::File(file, len)))
    }

    /// How many bytes.
    pub fn len(&self) -> u64 {
        match &self.0 {
            Stored::Memory(held) => held.bytes().len() as u64,
            Stored::File(_, len) => *len,
        }
    }

    /// Calls `each` with every frame's bytes, in order (borrowed from memory, or read from
    /// the file into one buffer); the memory is given back at the end.
    pub fn for_each_frame(self, mut each: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        match self.0 {
            Stored::Memory(held) => {
                for frame in codec::Frames::new(held.bytes()) {
                    each(frame?)?;
                }
            }
            Stored::File(file, _) => {
                let mut input = BufReader::with_capacity(64 * 1024, file);
                let mut frame = Vec::new();
                while codec::read_frame(&mut input, &mut frame)? {
                    each(&frame)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(spooled: Spooled) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        spooled
            .for_each_frame(|frame| {
                out.push(frame.to_vec());
                Ok(())
            })
            .unwrap();
        out
    }

    /// A spool larger than `SPOOL_BYTES` goes to a file even when the budget has room.
    #[test]
    fn a_large_spool_goes_to_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let budget = Budget::new(usize::MAX);
        let mut spool = Spool::new(dir.path(), &budget);
        let chunk = vec![5u8; 1000];
        while spool.len() + 1000 <= SPOOL_BYTES {
            spool.append(&chunk).unwrap();
        }
        assert!(!spool.spilled());
        spool.append(&chunk).unwrap();
        assert!(spool.spilled());
        assert_eq!(budget.held(), 0, "its memory given back");
        assert_eq!(budget.files_created(), 1);
    }

    /// The same frames come back whether they waited in memory or spilled to a file
    /// part way, and a file is created only when the budget has no room.
    #[test]
    fn frames_come_back_the_same_in_memory_or_spilled() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<Vec<u8>> = (0..500u32)
            .map(|i| format!("record {i} ").repeat(i as usize % 13).into_bytes())
            .collect();
        let mut results = Vec::new();
        for limit in [usize::MAX, 40 * 1024, 0] {
            let budget = Budget::new(limit);
            let mut spool = Spool::new(dir.path(), &budget);
            let mut framed = Vec::new();
            let mut starts = Vec::new();
            for record in &records {
                framed.clear();
                codec::write_frame(&mut framed, record).unwrap();
                starts.push(spool.append(&framed).unwrap());
            }
            // Read back by position (a re-send compared with its document).
            let mut back = vec![0; records[12].len()];
            spool.read_at(starts[12] + 4, &mut back).unwrap();
            assert_eq!(back, records[12]);
            assert_eq!(spool.spilled(), limit != usize::MAX, "limit {limit}");
            assert_eq!(budget.files_created(), usize::from(limit != usize::MAX));
            let len = spool.len();
            let spooled = spool.finish().unwrap();
            assert_eq!(spooled.len(), len);
            results.push(frames(spooled));
            assert_eq!(budget.held(), 0, "given back once read");
        }
        assert_eq!(results[0], records);
        assert_eq!(results[1], records);
        assert_eq!(results[2], records);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
