//! A `Decimal`'s plain text (never an exponent), written right to left into a stack
//! buffer: every number of every row is rendered (the row writers, docs/performance.md).

use super::{Decimal, MAX_DIGITS, PLAIN_MAX, POW10};

/// `plain_right`'s buffer: 39 digits of a u128, the point and the sign, with room.
const PLAIN_RIGHT: usize = 48;

/// "00" to "99", two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// `value`'s decimal digits written right-aligned ending at `at`, zero-padded to at least
/// `least` digits; returns where they start.
#[inline(always)]
fn digits_right(mut value: u64, least: usize, text: &mut [u8], mut at: usize) -> usize {
    let end = at;
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = value as usize * 2;
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        text[at] = b'0' + value as u8;
    }
    while end - at < least {
        at -= 1;
        text[at] = b'0';
    }
    at
}

/// 10^0 to 10^19: the powers a u64's digit count is read against.
const POW10_U64: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut at = 1;
    while at < powers.len() {
        powers[at] = powers[at - 1] * 10;
        at += 1;
    }
    powers
};

/// How many decimal digits `value` has (0 has one): its bit length times log10(2) is the
/// count less one or the count less two, and one comparison says which, where a loop
/// compared a power per digit.
#[inline]
pub(super) fn digit_count(value: u64) -> usize {
    // `| 1` changes no count (only 10^k - 1, odd, would pass a power by one) and gives 0
    // the count of 1.
    let value = value | 1;
    let bits = 64 - value.leading_zeros() as usize;
    let floor_log = (bits * 1233) >> 12;
    floor_log + usize::from(value >= POW10_U64[floor_log])
}

impl Decimal {
    /// Plain decimal text with at least `min_decimals` decimals (never an exponent).
    pub fn to_plain(self, min_decimals: u32) -> String {
        let mut buf = [0u8; PLAIN_MAX];
        self.write_plain(min_decimals, &mut buf).to_string()
    }

    /// `to_plain` into a caller's stack buffer, for the row writers: every number of every
    /// row is formatted, and a `String` each was a tenth of the writing cost (callgrind).
    pub fn write_plain(self, min_decimals: u32, buf: &mut [u8; PLAIN_MAX]) -> &str {
        let mut text = [0u8; PLAIN_RIGHT];
        let start = self.plain_right(min_decimals, &mut text);
        let len = PLAIN_RIGHT - start;
        buf[..len].copy_from_slice(&text[start..]);
        std::str::from_utf8(&buf[..len]).expect("ASCII digits")
    }

    /// `to_plain` appended to `out` (the CSV lines: no `str` made, so no UTF-8 check).
    pub fn append_plain(self, min_decimals: u32, out: &mut Vec<u8>) {
        let mut text = [0u8; PLAIN_RIGHT];
        let start = self.plain_right(min_decimals, &mut text);
        out.extend_from_slice(&text[start..]);
    }

    /// `to_plain(0)` written into `out` from `at`, left to right; returns where it ends.
    /// Its length is known first (`digit_count`), so the digits go straight to their place:
    /// a row of numbers is written into one buffer, where each number was written into a
    /// buffer of its own, then copied (a copy call each: docs/performance.md, "The end of
    /// a run"). `out` holds `PLAIN_MAX` bytes from `at`, else this panics.
    #[inline]
    pub fn put_plain(self, out: &mut [u8], from: usize) -> usize {
        let out = &mut out[from..from + PLAIN_MAX];
        let magnitude = self.mantissa.unsigned_abs();
        let mut at = 0;
        if self.mantissa < 0 {
            out[0] = b'-';
            at = 1;
        }
        let end = if self.scale == 0 {
            let end = at + digit_count(magnitude);
            digits_right(magnitude, 1, out, end);
            end
        } else {
            // scale <= MAX_DIGITS (18): 10^scale fits a u64.
            let scale = self.scale as usize;
            let unit = POW10[scale].unsigned_abs();
            let whole = magnitude / unit;
            let end = at + digit_count(whole) + 1 + scale;
            let point = digits_right(magnitude % unit, scale, out, end) - 1;
            out[point] = b'.';
            digits_right(whole, 1, out, point);
            end
        };
        from + end
    }

    /// The plain text written right-aligned into `text`, right to left; returns where it
    /// starts. Two digits at a time from a table (most values have three to five digits, so
    /// a digit at a time spent about twenty instructions each).
    #[inline]
    fn plain_right(self, min_decimals: u32, text: &mut [u8; PLAIN_RIGHT]) -> usize {
        let scale = self.scale.max(min_decimals.min(MAX_DIGITS));
        // Powers of ten from a table (`pow` was a loop, for every number written, and a
        // u128 product where nearly every value needs no padding zeros).
        let Some(narrow) = self
            .mantissa
            .unsigned_abs()
            .checked_mul(POW10[(scale - self.scale) as usize].unsigned_abs())
        else {
            let wide = u128::from(self.mantissa.unsigned_abs())
                * u128::from(POW10[(scale - self.scale) as usize].unsigned_abs());
            return self.plain_right_wide(scale as usize, wide, text);
        };
        let mut at = PLAIN_RIGHT;
        if scale > 0 {
            // scale <= MAX_DIGITS (18): 10^scale fits a u64.
            let unit = POW10[scale as usize].unsigned_abs();
            at = digits_right(narrow % unit, scale as usize, text, at);
            at -= 1;
            text[at] = b'.';
            at = digits_right(narrow / unit, 1, text, at);
        } else {
            at = digits_right(narrow, 1, text, at);
        }
        if self.mantissa < 0 {
            at -= 1;
            text[at] = b'-';
        }
        at
    }

    /// `plain_right` for a value whose digits pass u64's range (in practice none): a digit
    /// at a time, u128 division being a library call.
    #[cold]
    fn plain_right_wide(self, scale: usize, mut wide: u128, text: &mut [u8; PLAIN_RIGHT]) -> usize {
        let mut at = PLAIN_RIGHT;
        let mut n = 0;
        // At least one digit before the point.
        while wide > 0 || n <= scale {
            at -= 1;
            text[at] = b'0' + (wide % 10) as u8;
            wide /= 10;
            n += 1;
            if n == scale {
                at -= 1;
                text[at] = b'.';
            }
        }
        if self.mantissa < 0 {
            at -= 1;
            text[at] = b'-';
        }
        at
    }
}
