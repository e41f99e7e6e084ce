//! A Bundle as a partition keeps it until the file is written: its line of JSON as
//! literal bytes and references to pieces, the parts that come back from Bundle to Bundle
//! (an Observation's category and coding, its unit and body site, a report's codings)
//! each kept once in a table of the process. About 690 of an Observation's 850 bytes are
//! such parts: the runs of Bundles, written to a temporary file and read back once, are
//! about a third of the JSON, and a piece already in the table is not rendered again
//! (docs/performance.md, "The research exports"). `expand` gives back the JSON.
//!
//! A template is a sequence of operations: `LITERAL`, a length (u32, little endian) and
//! that many bytes; `PIECE` and a piece's index (u32, little endian).

use std::cell::RefCell;
use std::io;
use std::sync::{Arc, Mutex};

use hashbrown::HashMap;

use crate::vocabulary::{Classification, Laterality, Region};

use super::codes::Quantity;

const LITERAL: u8 = 0;
const PIECE: u8 = 1;

/// What a piece is, for the pieces whose bytes follow from it alone (the same key, the
/// same bytes, in every Bundle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Key {
    /// An Observation's elements between its id and its subject's reference.
    ObservationCode(Quantity, Option<(Region, Laterality)>),
    /// An Observation's unit, body site and request, up to the request's id.
    ObservationTail(Quantity, Option<(Region, Laterality)>),
    /// A constant part of every Bundle (`write_bundle` numbers them).
    Constant(u8),
    /// The DiagnosticReport's conclusion codes and request, up to the request's id.
    Conclusion(Classification),
}

/// Every piece of the process, by index: only ever added to, so that an index stays valid
/// (a template holds only indexes of pieces added before it was written).
static PIECES: Mutex<Vec<Arc<[u8]>>> = Mutex::new(Vec::new());

/// A thread's indexes of the pieces it used, by key and by bytes, and a buffer to render
/// a piece into.
#[derive(Default)]
struct Local {
    by_key: HashMap<Key, u32>,
    by_bytes: HashMap<Box<[u8]>, u32>,
    scratch: Vec<u8>,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::default());
}

/// Adds `bytes` to the table; returns its index.
fn add(bytes: &[u8]) -> u32 {
    let mut pieces = PIECES.lock().unwrap_or_else(|e| e.into_inner());
    let index = u32::try_from(pieces.len()).expect("fewer than 2^32 pieces");
    pieces.push(Arc::from(bytes));
    index
}

/// The pieces added so far (for `expand`).
pub(crate) fn pieces() -> Vec<Arc<[u8]>> {
    PIECES.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A template being written into a vector (after whatever it holds).
pub(super) struct Template<'a> {
    out: &'a mut Vec<u8>,
    /// Where the open literal's length is, if one is open.
    open: Option<usize>,
}

impl<'a> Template<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Template<'a> {
        Template { out, open: None }
    }

    /// The vector to append literal bytes to (a literal opened if none is).
    pub(super) fn lit(&mut self) -> &mut Vec<u8> {
        if self.open.is_none() {
            self.out.push(LITERAL);
            self.open = Some(self.out.len());
            self.out.extend_from_slice(&[0; 4]);
        }
        self.out
    }

    /// Closes the open literal, if any: its length written.
    fn close(&mut self) {
        if let Some(at) = self.open.take() {
            let len = u32::try_from(self.out.len() - at - 4).expect("a literal under 4 GiB");
            self.out[at..at + 4].copy_from_slice(&len.to_le_bytes());
        }
    }

    fn push_piece(&mut self, index: u32) {
        self.close();
        self.out.push(PIECE);
        self.out.extend_from_slice(&index.to_le_bytes());
    }

    /// The piece of `key`, which `render` writes (only when this thread has not used it
    /// yet).
    pub(super) fn piece(&mut self, key: Key, render: impl FnOnce(&mut Vec<u8>)) {
        let index = LOCAL.with(|local| {
            let local = &mut *local.borrow_mut();
            if let Some(&index) = local.by_key.get(&key) {
                return index;
            }
            local.scratch.clear();
            render(&mut local.scratch);
            let index = add(&local.scratch);
            local.by_key.insert(key, index);
            index
        });
        self.push_piece(index);
    }

    /// The piece that `render` writes, found by its bytes (for parts with no small key).
    pub(super) fn piece_of(&mut self, render: impl FnOnce(&mut Vec<u8>)) {
        let index = LOCAL.with(|local| {
            let local = &mut *local.borrow_mut();
            local.scratch.clear();
            render(&mut local.scratch);
            if let Some(&index) = local.by_bytes.get(local.scratch.as_slice()) {
                return index;
            }
            let index = add(&local.scratch);
            local
                .by_bytes
                .insert(local.scratch.as_slice().into(), index);
            index
        });
        self.push_piece(index);
    }

    /// Ends the template (its last literal closed).
    pub(super) fn finish(mut self) {
        self.close();
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a corrupt Bundle template")
}

/// Gives `out` the bytes of `template` one part after another: literals and pieces (of
/// `pieces`, the table at the time, `pieces()`).
pub(crate) fn expand(
    mut template: &[u8],
    pieces: &[Arc<[u8]>],
    mut out: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    while let Some((&op, rest)) = template.split_first() {
        let (number, rest) = rest.split_first_chunk::<4>().ok_or_else(corrupt)?;
        let number = u32::from_le_bytes(*number) as usize;
        match op {
            LITERAL => {
                let (bytes, rest) = rest.split_at_checked(number).ok_or_else(corrupt)?;
                out(bytes)?;
                template = rest;
            }
            PIECE => {
                out(pieces.get(number).ok_or_else(corrupt)?)?;
                template = rest;
            }
            _ => return Err(corrupt()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(template: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        expand(template, &pieces(), |bytes| {
            out.extend_from_slice(bytes);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn a_template_expands_to_its_literals_and_pieces_in_order() {
        let mut template = Vec::new();
        let mut t = Template::new(&mut template);
        t.lit().extend_from_slice(b"{\"a\":");
        t.lit().extend_from_slice(b"1,");
        t.piece(Key::Constant(200), |out| out.extend_from_slice(b"\"b\":2,"));
        // Not rendered again: the thread has the piece of that key.
        t.piece(Key::Constant(200), |_| panic!("rendered twice"));
        t.piece_of(|out| out.extend_from_slice(b"\"c\":"));
        t.piece_of(|out| out.extend_from_slice(b"\"c\":"));
        t.lit().extend_from_slice(b"\"\x01\x00\"}\n");
        t.finish();
        assert_eq!(
            expanded(&template),
            b"{\"a\":1,\"b\":2,\"b\":2,\"c\":\"c\":\"\x01\x00\"}\n"
        );
        // Two literals (one closed by a piece) and four pieces.
        let ops = 5 + 7 + 4 * 5 + 5 + 6;
        assert_eq!(template.len(), ops);
        assert_eq!(expanded(&[]), b"");
    }

    #[test]
    fn a_cut_or_unknown_template_is_an_error_not_a_panic() {
        let mut template = Vec::new();
        let mut t = Template::new(&mut template);
        t.lit().extend_from_slice(b"abc");
        t.piece_of(|out| out.extend_from_slice(b"def"));
        t.finish();
        let pieces = pieces();
        for end in 0..template.len() {
            let result = expand(&template[..end], &pieces, |_| Ok(()));
            assert_eq!(result.is_ok(), end == 0 || end == 8, "{end}");
        }
        let mut unknown = template.clone();
        unknown[0] = 7;
        assert!(expand(&unknown, &pieces, |_| Ok(())).is_err());
        let beyond = [PIECE, 0xff, 0xff, 0xff, 0xff];
        assert!(expand(&beyond, &pieces, |_| Ok(())).is_err());
    }
}
