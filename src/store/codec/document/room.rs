//! Bytes written in place past a vector's end, in its spare capacity, then kept: what a
//! body composition's region writes (its presence byte and readings), where they were
//! written into a buffer on the stack and copied to the vector by a call
//! (docs/performance.md, "The end of a run").

use std::mem::MaybeUninit;

/// Offsets of the room's writes are taken below this (`& OFFSETS`), so that the compiler
/// sees each write, of at most 32 bytes, within the room and checks none; what is
/// written must stay within it (`keep` refuses more).
const OFFSETS: usize = 0x1ff;

/// The room's bytes: every offset, and 32 bytes after the last (`short_bytes`).
const ROOM: usize = OFFSETS + 1 + 32;

/// The most bytes `Room::short_bytes` writes.
pub(super) const SHORT_BYTES: usize = 32;

/// The bytes past a vector's end (`in_place`), written from the front.
pub(super) struct Room<'a> {
    bytes: &'a mut [MaybeUninit<u8>; ROOM],
    /// The bytes written, each of the first `len` (only `byte`, `set`, `two_words` and
    /// `varint` write, and each moves `len` only past what it wrote).
    len: usize,
}

/// Writes into the vector's room through `write` and keeps the bytes it wrote, which must
/// be at most 512 (a region's variant, short label, presence byte and readings are at
/// most 2 + 32 + 321): more panics, and nothing is kept.
#[inline(always)]
pub(super) fn in_place(out: &mut Vec<u8>, write: impl FnOnce(&mut Room<'_>)) {
    out.reserve(ROOM);
    let start = out.len();
    let Some(bytes) = out.spare_capacity_mut().first_chunk_mut::<ROOM>() else {
        unreachable!("the room was reserved");
    };
    let mut room = Room { bytes, len: 0 };
    write(&mut room);
    let written = room.len;
    assert!(written <= OFFSETS + 1, "past the room");
    // SAFETY: the first `written` bytes past the end were written (`Room::len`), within
    // the capacity (`written` is at most the room's bytes, all reserved).
    unsafe { out.set_len(start + written) };
}

impl Room<'_> {
    #[inline(always)]
    pub(super) fn byte(&mut self, byte: u8) {
        self.bytes[self.len & OFFSETS] = MaybeUninit::new(byte);
        self.len += 1;
    }

    /// The bytes written.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Sets the byte written at `at` (one written before what follows it was known).
    #[inline(always)]
    pub(super) fn set(&mut self, at: usize, byte: u8) {
        if at < self.len {
            self.bytes[at & OFFSETS] = MaybeUninit::new(byte);
        }
    }

    /// `bytes`, at most `SHORT_BYTES` (else false, with nothing written): two stores of
    /// their first and last bytes (overlapping), where a copy of a variable length was a
    /// call.
    #[inline(always)]
    pub(super) fn short_bytes(&mut self, bytes: &[u8]) -> bool {
        let n = bytes.len();
        if n > SHORT_BYTES {
            return false;
        }
        let at = self.len & OFFSETS;
        let to = &mut self.bytes[at..at + SHORT_BYTES];
        fn put<const K: usize>(to: &mut [MaybeUninit<u8>], from: &[u8]) {
            let (Some(to), Some(from)) = (to.first_chunk_mut::<K>(), from.first_chunk::<K>())
            else {
                unreachable!("the caller's lengths");
            };
            *to = from.map(MaybeUninit::new);
        }
        match n {
            16.. => {
                put::<16>(to, bytes);
                put::<16>(&mut to[n - 16..], &bytes[n - 16..]);
            }
            8.. => {
                put::<8>(to, bytes);
                put::<8>(&mut to[n - 8..], &bytes[n - 8..]);
            }
            4.. => {
                put::<4>(to, bytes);
                put::<4>(&mut to[n - 4..], &bytes[n - 4..]);
            }
            _ => {
                for (to, &byte) in to.iter_mut().zip(bytes) {
                    *to = MaybeUninit::new(byte);
                }
            }
        }
        self.len += n;
        true
    }

    /// A varint, as `wire::put_varint` writes it.
    #[inline]
    pub(super) fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.byte(n as u8 | 0x80);
            n >>= 7;
        }
        self.byte(n as u8);
    }

    /// The first `first_len` bytes of `first` (least significant first), then the first
    /// `second_len` of `second`, each at most eight: two stores (the bytes past those
    /// written are left as whatever they are, and are not kept). False, with nothing
    /// written, for a longer part.
    #[inline(always)]
    pub(super) fn two_words(
        &mut self,
        (first, first_len): (u64, usize),
        (second, second_len): (u64, usize),
    ) -> bool {
        if first_len > 8 || second_len > 8 {
            return false;
        }
        let at = self.len & OFFSETS;
        let word = |n: u64| n.to_le_bytes().map(MaybeUninit::new);
        // The second word stored after the first, over the first's bytes past
        // `first_len`.
        *self.bytes[at..]
            .first_chunk_mut::<8>()
            .unwrap_or_else(|| unreachable!()) = word(first);
        *self.bytes[at + first_len..]
            .first_chunk_mut::<8>()
            .unwrap_or_else(|| unreachable!()) = word(second);
        self.len += first_len + second_len;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is written in place is what is kept, after the bytes there before, whatever
    /// the vector's capacity; writing past the room panics.
    #[test]
    fn what_is_written_in_place_is_kept() {
        for before in [0usize, 1, 7, 600] {
            let mut out: Vec<u8> = (0..before).map(|i| i as u8).collect();
            in_place(&mut out, |room| {
                room.byte(0);
                room.varint(300);
                assert!(room.two_words((0x0102_0304, 3), (0xaabb, 2)));
                assert!(!room.two_words((1, 9), (2, 1)));
                room.set(0, 9);
                room.set(100, 7);
            });
            assert_eq!(out.len(), before + 1 + 2 + 3 + 2);
            assert_eq!(out[before..], [9, 0xac, 0x02, 0x04, 0x03, 0x02, 0xbb, 0xaa]);
            assert!(out[..before].iter().enumerate().all(|(i, &b)| b == i as u8));
        }
        // Short byte strings of every length, after any offset: the same bytes.
        for offset in [0usize, 1, 5, 300] {
            for n in 0..=SHORT_BYTES + 1 {
                let text: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
                let mut out = vec![0xee];
                let mut wrote = false;
                in_place(&mut out, |room| {
                    (0..offset).for_each(|_| room.byte(0xdd));
                    wrote = room.short_bytes(&text);
                    room.byte(0xcc);
                });
                assert_eq!(wrote, n <= SHORT_BYTES, "{n}");
                let mut expected = vec![0xee];
                expected.extend(std::iter::repeat_n(0xdd, offset));
                if wrote {
                    expected.extend(&text);
                }
                expected.push(0xcc);
                assert_eq!(out, expected, "{offset} {n}");
            }
        }
        let past = std::panic::catch_unwind(|| {
            let mut out = Vec::new();
            in_place(&mut out, |room| (0..513).for_each(|_| room.byte(1)));
        });
        assert!(past.is_err());
    }
}
