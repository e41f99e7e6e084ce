//! The one record format of the run's temporary files and of `--partial` files: a frame is a
//! u32 (little endian) byte count, then the bytes; a record's bytes are a postcard encoding
//! of a serde value (postcard's wire format is stable since 1.0: docs/scale.md).

pub mod document;

use std::io::{self, BufRead, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The longest frame accepted when reading: a document is a few kilobytes, so a larger
/// length can only come from a corrupt or foreign file, and must not be allocated.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// Appends one frame: the length of `bytes` as a u32 (little endian), then `bytes`.
pub fn write_frame(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len =
        u32::try_from(bytes.len()).map_err(|_| io::Error::other("a record of more than 4 GiB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(bytes)
}

/// Reads the next frame into `bytes` (its allocation is reused); false at the end of the
/// input. A frame cut short is an `UnexpectedEof` error, a frame over `MAX_FRAME` an
/// `InvalidData` one.
pub fn read_frame(input: &mut impl BufRead, bytes: &mut Vec<u8>) -> io::Result<bool> {
    if input.fill_buf()?.is_empty() {
        return Ok(false);
    }
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a record of {len} bytes: the file is corrupt"),
        ));
    }
    bytes.clear();
    // `take` + `read_to_end` grows the buffer only as bytes arrive.
    let read = input.by_ref().take(len as u64).read_to_end(bytes)?;
    if read < len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file ends inside a record",
        ));
    }
    Ok(true)
}

/// Appends `value` encoded as one frame to `out`.
pub fn encode_frame<T: Serialize>(value: &T, out: &mut Vec<u8>) -> io::Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    let encoded = postcard::to_extend(value, std::mem::take(out)).map_err(invalid)?;
    *out = encoded;
    close_frame(out, start)
}

/// Starts a frame written by hand (`document`): its length's four bytes, set by
/// `close_frame(out, start)` with the `start` returned.
pub fn open_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    start
}

/// Sets the length of the frame `open_frame` started at `start`.
pub fn close_frame(out: &mut [u8], start: usize) -> io::Result<()> {
    let len = u32::try_from(out.len() - start - 4)
        .map_err(|_| io::Error::other("a record of more than 4 GiB"))?;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// Decodes a value from a frame's bytes (all of them).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> io::Result<T> {
    let (value, rest) = postcard::take_from_bytes(bytes).map_err(invalid)?;
    if !rest.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a record with trailing bytes: the file is corrupt",
        ));
    }
    Ok(value)
}

fn invalid(error: postcard::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a record cannot be decoded ({error}): the file is corrupt"),
    )
}

/// Frames in a byte slice, in order.
pub struct Frames<'a> {
    bytes: &'a [u8],
}

impl<'a> Frames<'a> {
    /// Frames of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Frames { bytes }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = io::Result<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        let Some((len, rest)) = self.bytes.split_first_chunk::<4>() else {
            self.bytes = &[];
            return Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file ends inside a record",
            )));
        };
        let len = u32::from_le_bytes(*len) as usize;
        if len > rest.len() {
            self.bytes = &[];
            return Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file ends inside a record",
            )));
        }
        let (frame, rest) = rest.split_at(len);
        self.bytes = rest;
        Some(Ok(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_cut_frame_is_an_error() {
        let mut bytes = Vec::new();
        for frame in [&b"first"[..], b"", b"third, longer"] {
            write_frame(&mut bytes, frame).unwrap();
        }
        let mut input = bytes.as_slice();
        let mut frame = Vec::new();
        let mut seen = Vec::new();
        while read_frame(&mut input, &mut frame).unwrap() {
            seen.push(frame.clone());
        }
        assert_eq!(seen, [&b"first"[..], b"", b"third, longer"]);
        let sliced: Vec<&[u8]> = Frames::new(&bytes).map(Result::unwrap).collect();
        assert_eq!(sliced, [&b"first"[..], b"", b"third, longer"]);

        let mut cut = &bytes[..bytes.len() - 1];
        let mut frames = 0;
        let error = loop {
            match read_frame(&mut cut, &mut frame) {
                Ok(true) => frames += 1,
                Ok(false) => panic!("a cut frame read as the end"),
                Err(error) => break error,
            }
        };
        assert_eq!(frames, 2);
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        let last = Frames::new(&bytes[..bytes.len() - 1]).nth(2).unwrap();
        assert_eq!(last.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_lying_length_is_refused_before_any_allocation() {
        let mut bytes = u32::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"short");
        let error = read_frame(&mut bytes.as_slice(), &mut Vec::new()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn values_round_trip_through_frames() {
        let mut out = Vec::new();
        encode_frame(&("a path", 42u64, Some(-7i32)), &mut out).unwrap();
        encode_frame(&vec!["x".to_string(); 3], &mut out).unwrap();
        let mut frames = Frames::new(&out);
        let first: (String, u64, Option<i32>) = decode(frames.next().unwrap().unwrap()).unwrap();
        assert_eq!(first, ("a path".to_string(), 42, Some(-7)));
        let second: Vec<String> = decode(frames.next().unwrap().unwrap()).unwrap();
        assert_eq!(second.len(), 3);
        assert!(frames.next().is_none());
        // Trailing bytes in a frame are corruption, not ignored.
        let error = decode::<u8>(&[1, 2]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }
}
