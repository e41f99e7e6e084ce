//! Carriers of results besides the SR content tree (docs/evidence.md): the XML copy in a
//! GE SR's ImageComments, the Hologic results document in a private element of a report
//! image, GE enCORE's export files of whole-body exams; and the date forms all carriers
//! write.

pub mod dates;
pub mod encore;
pub mod ge_xml;
pub mod hologic;

/// `str::trim`, the ASCII whitespace cut byte by byte (nearly every line, name, value and
/// cell a carrier reads is ASCII); `str::trim` only where a byte of a longer character is
/// at an end (it may be whitespace: U+00A0, a Latin-1 document's 0xA0).
#[inline]
pub(crate) fn trim(text: &str) -> &str {
    // The ASCII characters `char::is_whitespace` holds (`u8::is_ascii_whitespace` leaves
    // out U+000B).
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |p| p + 1);
    let cut = &text[start..end];
    match cut.as_bytes() {
        [first, ..] if !first.is_ascii() => cut.trim(),
        [.., last] if !last.is_ascii() => cut.trim(),
        _ => cut,
    }
}
