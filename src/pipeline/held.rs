//! What a partition holds per document (docs/performance.md, "Giant visits"): the document
//! itself, or, for an identical re-send, a few bytes: its own identity and the document it
//! re-sends. An identical re-send is a document with results whose every field but its SOP
//! Instance UID equals an earlier document's of the run, in the same (non-empty) study: the
//! same study puts it in the same partition, piece and visit, and the visit step shares the
//! earlier document's values with it (`visit::Ingested::resent_as`), so its rows are the
//! rows it had when it was held whole, and a study re-sent thousands of times holds one
//! document's values.

use serde::{Deserialize, Serialize};

use crate::document::Document;

/// A partition record's third part, after (seq, path), as read.
#[derive(Debug, Deserialize)]
pub enum Held {
    /// A document.
    Document(Box<Document>),
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
#[derive(Serialize)]
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
        }
        let mut frame = Vec::new();
        let resend = HeldRef::Resend {
            sop: "1.9",
            kept: 300,
        };
        codec::encode_frame(&(5u64, "b", resend), &mut frame).unwrap();
        let (_, _, held): (u64, String, Held) = codec::decode(&frame[4..]).unwrap();
        assert!(matches!(held, Held::Resend { sop, kept: 300 } if sop == "1.9"));
    }
}
