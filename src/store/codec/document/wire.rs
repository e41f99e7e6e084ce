//! The primitives of postcard's encoding that `document` and `body` write and read
//! (the wire format: `document`'s opening): varints, strings, options, decimals, dates,
//! and the values that go through serde.

use std::io;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::date::Date;
use crate::decimal::Decimal;

/// Appends `n` as a varint.
#[inline]
pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Appends a string: its length, then its bytes.
#[inline]
pub fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

#[inline]
pub(super) fn put_option<T>(
    out: &mut Vec<u8>,
    value: Option<T>,
    put: impl FnOnce(&mut Vec<u8>, T),
) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            put(out, value);
        }
    }
}

#[inline]
pub(super) fn put_decimal(out: &mut Vec<u8>, value: Decimal) {
    let (mantissa, scale) = value.to_parts();
    put_varint(out, zigzag(mantissa));
    put_varint(out, u64::from(scale));
}

/// A signed number as an unsigned one with small magnitudes small (0, -1, 1, -2 ... as 0,
/// 1, 2, 3 ...), as postcard writes signed integers; `Reader::decimal` undoes it.
#[inline]
pub(super) fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

#[inline]
pub(super) fn put_date(out: &mut Vec<u8>, date: Date) {
    put_varint(out, u64::from(date.year));
    out.push(date.month);
    out.push(date.day);
}

/// The most bytes of an optional decimal: its tag, a 64-bit varint (10 bytes) and a
/// 32-bit one (5).
pub(super) const MAX_OPTION_DECIMAL: usize = 1 + 10 + 5;

/// A few values written into a stack buffer, to be appended to a frame at once
/// (`bytes`); `N` bounds what is written (a write past it panics).
pub(super) struct Fixed<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Fixed<N> {
    #[inline]
    pub(super) fn new() -> Self {
        Fixed {
            buf: [0; N],
            len: 0,
        }
    }

    #[inline]
    pub(super) fn byte(&mut self, byte: u8) {
        self.buf[self.len] = byte;
        self.len += 1;
    }

    /// A varint, as `put_varint` writes it.
    #[inline]
    pub(super) fn varint(&mut self, mut n: u64) {
        // The length in a local for the loop: written back once, not stored per byte.
        let mut len = self.len;
        while n >= 0x80 {
            self.buf[len] = n as u8 | 0x80;
            len += 1;
            n >>= 7;
        }
        self.buf[len] = n as u8;
        self.len = len + 1;
    }

    /// A decimal, as `put_decimal` writes it.
    #[inline]
    pub(super) fn decimal(&mut self, value: Decimal) {
        let (mantissa, scale) = value.to_parts();
        self.varint(zigzag(mantissa));
        self.varint(u64::from(scale));
    }

    /// An optional decimal, as `put_option(.., put_decimal)` writes it.
    #[inline]
    pub(super) fn option_decimal(&mut self, value: Option<Decimal>) {
        match value {
            None => self.byte(0),
            Some(value) => {
                self.byte(1);
                self.decimal(value);
            }
        }
    }

    /// What was written.
    #[inline]
    pub(super) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// A value through serde (the fields seldom present).
pub(super) fn put_serde<T: Serialize>(out: &mut Vec<u8>, value: &T) -> io::Result<()> {
    *out = postcard::to_extend(value, std::mem::take(out)).map_err(crate::store::codec::invalid)?;
    Ok(())
}

/// A sequence or option through serde when it holds something, else its one byte 0.
pub(super) fn put_seldom<T: Serialize>(
    out: &mut Vec<u8>,
    value: &T,
    empty: bool,
) -> io::Result<()> {
    if empty {
        out.push(0);
        Ok(())
    } else {
        put_serde(out, value)
    }
}

/// Reads postcard's encoding from a frame's bytes, front to back.
pub struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

#[cold]
pub(super) fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a record cannot be decoded ({what}): the file is corrupt"),
    )
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// Ok when every byte was read, as `codec::decode` requires.
    pub fn finish(self) -> io::Result<()> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a record with trailing bytes: the file is corrupt",
            ))
        }
    }

    #[inline]
    pub(super) fn byte(&mut self) -> io::Result<u8> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| corrupt("the record ends early"))?;
        self.at += 1;
        Ok(byte)
    }

    /// A varint of an integer of `bits` bits, refused (as postcard does) when longer than
    /// such an integer's varint or with bits beyond it in its last byte.
    #[inline]
    pub(super) fn varint(&mut self, bits: u32) -> io::Result<u64> {
        // One byte below 0x80 (a length, a scale, a variant, most mantissas of a body
        // composition's readings): the value, whatever the integer's width.
        if let Some(&byte) = self.bytes.get(self.at)
            && byte < 0x80
        {
            self.at += 1;
            return Ok(u64::from(byte));
        }
        let max_bytes = bits.div_ceil(7);
        let last_max = (1u64 << (bits % 7)) - 1;
        let mut value = 0u64;
        for i in 0..max_bytes {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                if i == max_bytes - 1 && u64::from(byte) > last_max {
                    break;
                }
                return Ok(value);
            }
        }
        Err(corrupt("a bad varint"))
    }

    /// A u64 (or usize) varint.
    #[inline]
    pub fn u64(&mut self) -> io::Result<u64> {
        self.varint(64)
    }

    #[inline]
    pub(super) fn u32(&mut self) -> io::Result<u32> {
        Ok(self.varint(32)? as u32)
    }

    /// A borrowed byte string (its length, then its bytes).
    #[inline(always)]
    pub(super) fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let len = usize::try_from(self.u64()?).map_err(|_| corrupt("a bad length"))?;
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| corrupt("the record ends early"))?;
        let bytes = &self.bytes[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    /// A borrowed string.
    #[inline(always)]
    pub fn str(&mut self) -> io::Result<&'a str> {
        let bytes = self.bytes()?;
        // Almost every string is ASCII, which is checked a word at a time.
        if bytes.is_ascii() {
            // SAFETY: ASCII is UTF-8.
            Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else {
            std::str::from_utf8(bytes).map_err(|_| corrupt("a string not UTF-8"))
        }
    }

    /// An owned string.
    #[inline(always)]
    pub fn string(&mut self) -> io::Result<String> {
        Ok(self.str()?.to_owned())
    }

    /// An enum's variant index.
    #[inline]
    pub fn variant(&mut self) -> io::Result<u32> {
        self.u32()
    }

    #[inline(always)]
    pub(super) fn option<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> io::Result<T>,
    ) -> io::Result<Option<T>> {
        match self.byte()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(corrupt("a bad option")),
        }
    }

    /// Inlined wherever it is read: called, it cost about 45 instructions a number, half of
    /// them the call's (a body composition's hundred readings: docs/performance.md, "The
    /// end of a run").
    #[inline(always)]
    pub(super) fn decimal(&mut self) -> io::Result<Decimal> {
        let zigzag = self.u64()?;
        let mantissa = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        let scale = self.u32()?;
        Decimal::from_parts(mantissa, scale).ok_or_else(|| corrupt("a bad decimal"))
    }

    #[inline]
    pub(super) fn date(&mut self) -> io::Result<Date> {
        Ok(Date {
            year: self.varint(16)? as u16,
            month: self.byte()?,
            day: self.byte()?,
        })
    }

    #[inline]
    pub(super) fn unit_enum<T: Copy>(&mut self, all: &[T]) -> io::Result<T> {
        let index = self.variant()? as usize;
        all.get(index)
            .copied()
            .ok_or_else(|| corrupt("a bad variant"))
    }

    /// A value through serde (the fields seldom present).
    pub(super) fn serde<T: DeserializeOwned>(&mut self) -> io::Result<T> {
        let rest = &self.bytes[self.at..];
        let (value, left) =
            postcard::take_from_bytes(rest).map_err(crate::store::codec::invalid)?;
        self.at += rest.len() - left.len();
        Ok(value)
    }

    /// A sequence through serde when it holds something.
    pub(super) fn seldom_vec<T: DeserializeOwned>(&mut self) -> io::Result<Vec<T>> {
        if self.bytes.get(self.at) == Some(&0) {
            self.at += 1;
            return Ok(Vec::new());
        }
        self.serde()
    }

    /// An option through serde when it holds something.
    pub(super) fn seldom_option<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        if self.bytes.get(self.at) == Some(&0) {
            self.at += 1;
            return Ok(None);
        }
        self.serde()
    }

    #[inline(always)]
    pub(super) fn text(&mut self) -> io::Result<Option<String>> {
        self.option(Self::string)
    }

    /// An optional decimal: most present ones (a measurement's) read from a word
    /// (`short_decimal`), where `decimal` took a check per byte and was called through
    /// `option` out of line; any other, and a corrupt one, as before.
    #[inline(always)]
    pub(super) fn opt_decimal(&mut self) -> io::Result<Option<Decimal>> {
        if let Some(&[1, ref word @ ..]) = self.bytes[self.at..].first_chunk::<9>()
            && let Some((decimal, taken)) = short_decimal(u64::from_le_bytes(*word))
        {
            self.at += 1 + taken;
            return Ok(Some(decimal));
        }
        self.option(|r| r.decimal())
    }

    /// A sequence's count, refused when past the bytes left: each element takes a byte at
    /// least, so a longer count is a corrupt record, and must not be allocated.
    #[inline]
    pub(super) fn count(&mut self) -> io::Result<usize> {
        let len = self.u64()?;
        if len > (self.bytes.len() - self.at) as u64 {
            return Err(corrupt("a bad length"));
        }
        Ok(len as usize)
    }

    pub(super) fn vec<T>(
        &mut self,
        read: impl Fn(&mut Self) -> io::Result<T>,
    ) -> io::Result<Vec<T>> {
        let len = self.count()?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(read(self)?);
        }
        Ok(items)
    }
}

/// A decimal read from `word`, the next eight bytes of a record (the first the least
/// significant), when its mantissa's varint is at most seven bytes and its scale the one
/// byte after it: the decimal and the bytes it took. None otherwise (a mantissa of 2^48 or
/// more, a scale written in more bytes or past a decimal's), for `Reader::decimal` to read
/// or refuse. No check per byte that the record holds it, where `Reader::varint` takes a
/// byte at a time: a body composition's hundred readings are mostly numbers of two or three
/// bytes (docs/performance.md, "The end of a run").
#[inline(always)]
pub(super) fn short_decimal(word: u64) -> Option<(Decimal, usize)> {
    // Up to three bytes (a mass in grams to a tenth, a percent) byte by byte; longer ones
    // with their 7-bit groups gathered at once, which costs more for a short one.
    // The scale taken in each branch by a constant shift (one by the varint's length
    // cost a shift by a variable more).
    let (zigzag, bytes, scale) = if word & 0x80 == 0 {
        (word & 0x7f, 1, (word >> 8) as u8)
    } else if word & 0x8000 == 0 {
        (
            (word & 0x7f) | ((word >> 1) & 0x3f80),
            2,
            (word >> 16) as u8,
        )
    } else if word & 0x80_0000 == 0 {
        let low = (word & 0x7f) | ((word >> 1) & 0x3f80);
        (low | ((word >> 2) & 0x1f_c000), 3, (word >> 24) as u8)
    } else {
        let (zigzag, bytes) = long_varint(word)?;
        (zigzag, bytes, (word >> (8 * bytes)) as u8)
    };
    let mantissa = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
    let decimal = Decimal::from_parts(mantissa, u32::from(scale))?;
    Some((decimal, bytes as usize + 1))
}

/// A varint of four to seven bytes at the start of `word` (as `short_decimal` reads it):
/// its value and its bytes; None when longer.
#[inline(never)]
fn long_varint(word: u64) -> Option<(u64, u32)> {
    // The varint ends at the first byte without the continuation bit.
    let stops = !word & 0x0080_8080_8080_8080;
    if stops == 0 {
        return None;
    }
    let last_bit = stops.trailing_zeros();
    // Its bytes (up to the stop bit) without their continuation bits, their 7-bit groups
    // gathered two by two, then four by four, then all seven.
    let groups = word & (stops ^ (stops - 1)) & 0x7f7f_7f7f_7f7f_7f7f;
    let pairs = (groups & 0x007f_007f_007f_007f) | ((groups >> 1) & 0x3f80_3f80_3f80_3f80);
    let fours = (pairs & 0x0000_3fff_0000_3fff) | ((pairs >> 2) & 0x0fff_c000_0fff_c000);
    let value = (fours & 0x0fff_ffff) | ((fours >> 4) & 0x00ff_ffff_f000_0000);
    Some((value, (last_bit + 1) / 8))
}

/// A decimal as `put_decimal` writes it, as the bytes of a word (the first the least
/// significant) and their count, when its mantissa's zigzag varint is at most three bytes
/// (every number a body composition's readers make of a report's or an export's text);
/// None for a longer one.
#[inline(always)]
pub(super) fn short_decimal_bytes(value: Decimal) -> Option<(u64, usize)> {
    let (mantissa, scale) = value.to_parts();
    let n = zigzag(mantissa);
    // A decimal's scale is at most 18: one byte (a longer one would be written as it is).
    if scale >= 0x80 {
        return None;
    }
    let scale = u64::from(scale);
    // The scale placed in each branch by a constant shift (one by the varint's length cost
    // a shift by a variable more).
    if n < 0x80 {
        Some((n | scale << 8, 2))
    } else if n < 0x4000 {
        Some(((n & 0x7f) | 0x80 | ((n << 1) & 0x7f00) | scale << 16, 3))
    } else if n < 0x20_0000 {
        let low = (n & 0x7f) | 0x80 | ((n << 1) & 0x7f00) | 0x8000;
        Some((low | ((n << 2) & 0x7f_0000) | scale << 24, 4))
    } else {
        None
    }
}
