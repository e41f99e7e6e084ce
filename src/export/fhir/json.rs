//! The JSON of a Bundle, written by hand (every text we do not own through serde_json's
//! string escaping): ids, codings, and the parts every entry shares.

use sha2::{Digest, Sha256};

use super::template::{Key, Template};
use crate::export::codes;

/// A name-based UUID (RFC 9562 version 8, from SHA-256 of the name that `parts` make end to
/// end), as text: the same name gives the same id in every run. Neither the name nor the
/// text is built on the heap: a Bundle takes one per Observation, and the allocations and
/// formatting were a third of what writing the file cost (docs/performance.md).
pub(super) fn uuid_of_parts(parts: &[&[u8]]) -> [u8; 36] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        out[at] = HEX[usize::from(byte >> 4)];
        out[at + 1] = HEX[usize::from(byte & 0x0f)];
        at += 2;
    }
    out
}

/// A JSON string of any text: as it is between quotes when no byte of it needs an escape
/// (serde_json escapes only `"`, `\\` and control characters, and writes every other
/// character as it is), else escaped by serde_json. Most texts of a Bundle are our own
/// displays, which need none: serde_json's escaping was a tenth of what a Bundle cost.
pub(super) fn text(out: &mut Vec<u8>, value: &str) {
    if value.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
        return;
    }
    out.reserve(value.len() + 2);
    out.push(b'"');
    out.extend_from_slice(value.as_bytes());
    out.push(b'"');
}

/// `{"system":S,"code":C[,"display":D]}` of our own (JSON-safe) texts.
pub(super) fn coding(out: &mut Vec<u8>, system: &str, code: &str, display: Option<&str>) {
    out.extend_from_slice(b"{\"system\":\"");
    out.extend_from_slice(system.as_bytes());
    out.extend_from_slice(b"\",\"code\":\"");
    out.extend_from_slice(code.as_bytes());
    out.push(b'"');
    if let Some(display) = display {
        out.extend_from_slice(b",\"display\":");
        text(out, display);
    }
    out.push(b'}');
}

/// The opening of an entry, up to the resource's own elements: fullUrl, resourceType, id.
pub(super) fn open_entry(out: &mut Vec<u8>, kind: &str, id: &[u8]) {
    out.extend_from_slice(b"{\"fullUrl\":\"urn:uuid:");
    out.extend_from_slice(id);
    out.extend_from_slice(b"\",\"resource\":{\"resourceType\":\"");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\",\"id\":\"");
    out.extend_from_slice(id);
    out.push(b'"');
}

/// The end of an entry: the resource closed, the PUT of its id.
pub(super) fn close_entry(out: &mut Vec<u8>, kind: &str, id: &[u8]) {
    open_request(out, kind);
    out.extend_from_slice(id);
    out.extend_from_slice(b"\"}}");
}

/// `,"subject":{"reference":"urn:uuid:<patient_id>"}[,"effectiveDateTime":"..."]`.
pub(super) fn subject_and_date(out: &mut Vec<u8>, patient_id: &[u8], date: &str) {
    out.extend_from_slice(b",\"subject\":{\"reference\":\"urn:uuid:");
    out.extend_from_slice(patient_id);
    out.extend_from_slice(b"\"}");
    if !date.is_empty() {
        out.extend_from_slice(b",\"effectiveDateTime\":\"");
        out.extend_from_slice(date.as_bytes());
        out.push(b'"');
    }
}

/// An imaging Observation's opening after its id, up to the opening of its `code.coding`
/// list (every Observation of a Bundle, a BMD value's or a body composition value's,
/// starts so after `open_entry`'s part; the id's closing quote first).
pub(super) fn open_observation_code(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\",\"status\":\"final\",\"category\":[{\"coding\":[");
    coding(
        out,
        codes::OBSERVATION_CATEGORY,
        codes::IMAGING.0,
        Some(codes::IMAGING.1),
    );
    out.extend_from_slice(b"]}],\"code\":{\"coding\":[");
}

/// The end of an entry up to the request's id: the resource closed, the PUT to `kind/`.
pub(super) fn open_request(out: &mut Vec<u8>, kind: &str) {
    out.extend_from_slice(b"},\"request\":{\"method\":\"PUT\",\"url\":\"");
    out.extend_from_slice(kind.as_bytes());
    out.push(b'/');
}

/// Closes a `valueQuantity` whose value is written: its UCUM unit (text and code).
pub(super) fn close_ucum_quantity(out: &mut Vec<u8>, unit_code: &str, unit_text: &str) {
    out.extend_from_slice(b",\"unit\":\"");
    out.extend_from_slice(unit_text.as_bytes());
    out.extend_from_slice(b"\",\"system\":\"");
    out.extend_from_slice(codes::UCUM.as_bytes());
    out.extend_from_slice(b"\",\"code\":\"");
    out.extend_from_slice(unit_code.as_bytes());
    out.extend_from_slice(b"\"}");
}

/// An Observation's resource type between its two ids, a constant piece (`Key::Constant`;
/// `fhir` has 1).
const OBSERVATION_OPEN: u8 = 0;

/// `","subject":{"reference":"urn:uuid:` up to a subject's id.
pub(super) const SUBJECT: &[u8] = b",\"subject\":{\"reference\":\"urn:uuid:";
/// The opening of an Observation's value, the end of `after_patient`.
pub(super) const VALUE_OPEN: &[u8] = b",\"valueQuantity\":{\"value\":";

/// An Observation's opening up to its two ids, written; the rest of its opening is the
/// piece that follows (`open_observation_code`).
pub(super) fn open_observation_ids(t: &mut Template<'_>, id: &[u8]) {
    let out = t.lit();
    out.extend_from_slice(b"{\"fullUrl\":\"urn:uuid:");
    out.extend_from_slice(id);
    t.piece(Key::Constant(OBSERVATION_OPEN), |out| {
        out.extend_from_slice(b"\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"");
    });
    t.lit().extend_from_slice(id);
}

/// The request's id and the entry's end (after `open_request` in the piece before).
pub(super) fn close_request(t: &mut Template<'_>, id: &[u8]) {
    let out = t.lit();
    out.extend_from_slice(id);
    out.extend_from_slice(b"\"}}");
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn a_text_is_written_as_serde_json_writes_it() {
        let mut every_byte = String::new();
        for c in (0u8..=0x7f).map(char::from).chain(['é', '\u{2028}', '😀']) {
            every_byte.push(c);
            let texts = [c.to_string(), format!("a{c}b"), every_byte.clone()];
            for value in texts {
                let mut ours = Vec::new();
                text(&mut ours, &value);
                assert_eq!(ours, serde_json::to_vec(&value).unwrap(), "{value:?}");
            }
        }
    }
}
