//! What a partition holds per document (docs/performance.md, "Giant visits"): the document
//! itself, or, for an identical re-send, a few bytes: its own identity and the document it
//! re-sends. An identical re-send is a document with results whose every field but its SOP
//! Instance UID equals an earlier document's of the run, in the same (non-empty) study: the
//! same study puts it in the same partition, piece and visit, and the visit step shares the
//! earlier document's values with it (`visit::Ingested::resent_as`), so its rows are the
//! rows it had when it was held whole, and a study re-sent thousands of times holds one
//! document's values.

use serde::{Deserialize, Serialize};

use std::io;
use std::sync::Arc;

use crate::document::Document;
use crate::store::codec::{self, document as wire};

/// A partition record's third part, after (seq, path), as read.
#[derive(Debug, Deserialize)]
pub enum Held {
    /// A document (shared as it is read: the visit step holds it so, `visit::Ingested`).
    Document(Arc<Document>),
    /// An identical re-send of the document of `seq` `kept` (earlier in path order, in
    /// the same partition), under its own SOP Instance UID `sop`.
    Resend {
        /// Its own SOP Instance UID.
        sop: String,
        /// The `seq` of the document it re-sends.
        kept: u64,
    },
}

/// `Held` as written (the same encoding, borrowed).
#[derive(Clone, Copy, Serialize)]
pub enum HeldRef<'a> {
    /// A document.
    Document(&'a Document),
    /// An identical re-send.
    Resend {
        /// Its own SOP Instance UID.
        sop: &'a str,
        /// The `seq` of the document it re-sends.
        kept: u64,
    },
}

/// Appends the frame of (`seq`, `path`, `held`): the bytes `codec::encode_frame` writes for
/// that tuple, the document written by hand (`store::codec::document`).
pub fn encode_frame(seq: u64, path: &str, held: HeldRef<'_>, out: &mut Vec<u8>) -> io::Result<()> {
    let start = codec::open_frame(out);
    wire::put_varint(out, seq);
    wire::put_str(out, path);
    match held {
        HeldRef::Document(doc) => {
            wire::put_varint(out, 0);
            wire::put_document(out, doc)?;
        }
        HeldRef::Resend { sop, kept } => {
            wire::put_varint(out, 1);
            wire::put_str(out, sop);
            wire::put_varint(out, kept);
        }
    }
    codec::close_frame(out, start)
}

/// Reads a frame's bytes (all of them) that `encode_frame` wrote: what
/// `codec::decode::<(u64, String, Held)>` reads, the document read by hand.
pub fn decode(bytes: &[u8]) -> io::Result<(u64, String, Held)> {
    let mut input = wire::Reader::new(bytes);
    let seq = input.u64()?;
    let path = input.string()?;
    let held = match input.variant()? {
        0 => Held::Document(Arc::new(input.document()?)),
        1 => Held::Resend {
            sop: input.string()?,
            kept: input.u64()?,
        },
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a record cannot be decoded (a bad variant): the file is corrupt",
            ));
        }
    };
    input.finish()?;
    Ok((seq, path, held))
}

/// Whether a document may be recognised as an identical re-send: it has results (a copy
/// without results is not one, `visit::resolve`), a SOP Instance UID and a study, which
/// keeps it with the document it re-sends.
pub fn may_be_resent(doc: &Document) -> bool {
    !doc.sop_instance_uid.is_empty()
        && !doc.study_instance_uid.is_empty()
        && crate::visit::has_parts(doc)
}

/// Where, in the frame of (seq, path, `HeldRef::Document(doc)`) that `encode_frame` wrote
/// at the start of a buffer, the document's encoding starts after its SOP Instance UID:
/// every field that an identical re-send shares. postcard writes a u64 and a length as a
/// varint, a string as its length then its bytes, a variant as its index (a varint, 0).
pub fn body_start(seq: u64, path: &str, doc: &Document) -> usize {
    let sop = doc.sop_instance_uid.len();
    4 + varint_len(seq)
        + varint_len(path.len() as u64)
        + path.len()
        + 1
        + varint_len(sop as u64)
        + sop
}

/// The bytes of postcard's varint of `n`: 7 bits a byte.
fn varint_len(n: u64) -> usize {
    (64 - (n | 1).leading_zeros() as usize).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec;

    #[test]
    fn the_body_is_the_document_after_its_sop_instance_uid() {
        for (seq, path, sop) in [
            (0u64, "", ""),
            (127, "a.dcm", "1.2.3"),
            (128, &"p".repeat(300) as &str, &"9".repeat(64) as &str),
            (u64::MAX, "ü/ß.dcm", "1.2"),
        ] {
            let doc = Document {
                sop_instance_uid: sop.into(),
                study_instance_uid: "7.7".into(),
                title: "Lumbar Spine".into(),
                ..Document::default()
            };
            let mut frame = Vec::new();
            codec::encode_frame(&(seq, path, HeldRef::Document(&doc)), &mut frame).unwrap();
            let alone = postcard::to_allocvec(&doc).unwrap();
            let sop_part = postcard::to_allocvec(sop).unwrap().len();
            assert_eq!(
                frame[body_start(seq, path, &doc)..],
                alone[sop_part..],
                "seq {seq}"
            );
            let (s, p, held): (u64, String, Held) = codec::decode(&frame[4..]).unwrap();
            assert_eq!((s, p.as_str()), (seq, path));
            assert!(matches!(held, Held::Document(d) if *d == doc));
            let mut ours = vec![1, 2];
            encode_frame(seq, path, HeldRef::Document(&doc), &mut ours).unwrap();
            assert_eq!(ours[2..], frame[..], "seq {seq}");
            let (s, p, held) = decode(&frame[4..]).unwrap();
            assert_eq!((s, p.as_str()), (seq, path));
            assert!(matches!(held, Held::Document(d) if *d == doc));
        }
        let mut frame = Vec::new();
        let resend = HeldRef::Resend {
            sop: "1.9",
            kept: 300,
        };
        codec::encode_frame(&(5u64, "b", resend), &mut frame).unwrap();
        let (_, _, held): (u64, String, Held) = codec::decode(&frame[4..]).unwrap();
        assert!(matches!(held, Held::Resend { sop, kept: 300 } if sop == "1.9"));
        let mut ours = Vec::new();
        encode_frame(5, "b", resend, &mut ours).unwrap();
        assert_eq!(ours, frame);
        let (_, _, held) = decode(&frame[4..]).unwrap();
        assert!(matches!(held, Held::Resend { sop, kept: 300 } if sop == "1.9"));
        // A variant beyond Resend's, and trailing bytes, are corrupt records.
        let mut bad = frame[4..].to_vec();
        bad[3] = 2;
        assert!(decode(&bad).is_err());
        let mut trailing = frame[4..].to_vec();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
    }
}
