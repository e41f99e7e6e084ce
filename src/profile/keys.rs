//! Lookup keys that compare the way profiles match, without building a new string per
//! lookup: a meaning is looked up by its normalised characters (case, spaces, apostrophes)
//! streamed into the hasher, a code by its scheme compared case-insensitively. The stored
//! keys hold the normalised form; the borrowed probes hash and compare equal to them
//! (hashbrown's `Equivalent`).

use std::hash::{Hash, Hasher};

use hashbrown::Equivalent;

use crate::decimal::trim;

/// The characters of `text` as profiles compare them: lower case, runs of whitespace and
/// underscores as one space, no leading or trailing space, typographic apostrophes plain.
pub fn normalised_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.split(|c: char| c.is_whitespace() || c == '_')
        .filter(|word| !word.is_empty())
        .enumerate()
        .flat_map(|(i, word)| {
            (i > 0)
                .then_some(' ')
                .into_iter()
                .chain(word.chars().flat_map(|c| match c {
                    '\u{2019}' | '\u{2018}' | '`' => Some('\'').into_iter().chain(None),
                    c => {
                        let mut lower = c.to_lowercase();
                        let first = lower.next();
                        first.into_iter().chain(lower.next())
                    }
                }))
        })
}

/// `normalised_chars` collected; ASCII text (nearly every label) takes a byte-wise path.
pub fn normalise_label(text: &str) -> String {
    if !text.is_ascii() {
        return normalised_chars(text).collect();
    }
    let mut out = vec![0u8; text.len()];
    let len = normalise_ascii(text.as_bytes(), &mut out);
    out.truncate(len);
    // SAFETY: `normalise_ascii` writes ASCII bytes only (it reads ASCII text).
    unsafe { String::from_utf8_unchecked(out) }
}

/// `normalised_chars` of ASCII `text` written into `out` (at least as long as `text`: the
/// normalised form is never longer); returns its length.
fn normalise_ascii(text: &[u8], out: &mut [u8]) -> usize {
    let out = &mut out[..text.len()];
    let mut len = 0;
    let mut pending_space = false;
    for &b in text {
        if b.is_ascii_whitespace() || b == b'_' {
            pending_space = len > 0;
            continue;
        }
        if pending_space {
            out[len] = b' ';
            len += 1;
            pending_space = false;
        }
        out[len] = match b {
            b'`' => b'\'',
            b => b.to_ascii_lowercase(),
        };
        len += 1;
    }
    len
}

/// Calls `f` with `text` normalised: on the stack for short ASCII text (a probe's label),
/// without allocating; else through `normalise_label`.
fn with_normalised<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    const STACK: usize = 96;
    if text.len() <= STACK && text.is_ascii() {
        let mut buf = [0u8; STACK];
        let len = normalise_ascii(text.as_bytes(), &mut buf);
        // SAFETY: `normalise_ascii` writes ASCII bytes only (it reads ASCII text).
        return f(unsafe { std::str::from_utf8_unchecked(&buf[..len]) });
    }
    f(&normalise_label(text))
}

/// Stored labels and normalised probes hash their bytes; `LabelRef` normalises first.
fn hash_normalised<H: Hasher>(normalised: &str, state: &mut H) {
    state.write(normalised.as_bytes());
    state.write_u8(0xFF);
}

/// A stored meaning or label, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(Box<str>);

impl Label {
    /// Normalises `text`.
    pub fn new(text: &str) -> Label {
        Label(normalise_label(text).into_boxed_str())
    }
}

impl Hash for Label {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_normalised(&self.0, state);
    }
}

/// A probe: any text, compared as if normalised.
#[derive(Debug, Clone, Copy)]
pub struct LabelRef<'t>(pub &'t str);

impl Hash for LabelRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        with_normalised(self.0, |normalised| hash_normalised(normalised, state));
    }
}

impl Equivalent<Label> for LabelRef<'_> {
    fn equivalent(&self, key: &Label) -> bool {
        with_normalised(self.0, |normalised| normalised == &*key.0)
    }
}

/// A probe already in normalised form (lower case, single spaces): hashed and compared as
/// it is, without normalising again.
#[derive(Debug, Clone, Copy)]
pub struct NormalisedRef<'t>(pub &'t str);

impl Hash for NormalisedRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_normalised(self.0, state);
    }
}

impl Equivalent<Label> for NormalisedRef<'_> {
    fn equivalent(&self, key: &Label) -> bool {
        self.0 == &*key.0
    }
}

/// A stored (scheme, code): the scheme upper-cased, both trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeKey {
    scheme: Box<str>,
    code: Box<str>,
}

impl CodeKey {
    /// From a rule's scheme and code.
    pub fn new(scheme: &str, code: &str) -> CodeKey {
        CodeKey {
            scheme: scheme.trim().to_ascii_uppercase().into_boxed_str(),
            code: code.trim().into(),
        }
    }
}

/// A code's hash is its value's alone: values rarely repeat across schemes, and the
/// scheme, compared case-insensitively, would have to be upper-cased to be hashed (it is
/// compared in `equivalent` instead, on the few entries the hash finds).
fn hash_code<H: Hasher>(code: &str, state: &mut H) {
    trim(code).hash(state);
}

impl Hash for CodeKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_code(&self.code, state);
    }
}

/// A probe: a concept's scheme and code as found in a file.
#[derive(Debug, Clone, Copy)]
pub struct CodeRef<'t> {
    /// CodingSchemeDesignator.
    pub scheme: &'t str,
    /// CodeValue.
    pub code: &'t str,
}

impl Hash for CodeRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_code(self.code, state);
    }
}

impl Equivalent<CodeKey> for CodeRef<'_> {
    fn equivalent(&self, key: &CodeKey) -> bool {
        // The stored scheme is upper case: only the probe's needs folding, and files mostly
        // write it in upper case already (one comparison of bytes, not a folded byte loop).
        let scheme = trim(self.scheme).as_bytes();
        trim(self.code) == &*key.code
            && (scheme == key.scheme.as_bytes()
                || scheme.len() == key.scheme.len()
                    && scheme
                        .iter()
                        .zip(key.scheme.bytes())
                        .all(|(a, b)| a.to_ascii_uppercase() == b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hashbrown::HashMap;

    #[test]
    fn labels_normalise() {
        assert_eq!(normalise_label("  Left   HIP_Total "), "left hip total");
        assert_eq!(normalise_label("Ward\u{2019}s"), "ward's");
        assert_eq!(normalise_label("İ"), "i\u{307}");
        assert_eq!(normalise_label("_a__B_ `c`"), "a b 'c'");
        // The byte-wise ASCII path and the char path agree.
        for text in ["  Left   HIP_Total ", "Ward`s", "a\tb\nc", "", "   "] {
            assert_eq!(
                normalise_label(text),
                normalised_chars(text).collect::<String>()
            );
        }
    }

    /// The stack buffer's path agrees with the plain form, on ASCII and other text, short
    /// and past the stack buffer.
    #[test]
    fn fast_paths_agree() {
        let long = "Left Femoral Neck ".repeat(8);
        for text in [
            "",
            " ",
            "BMD",
            " BMD",
            "BMD ",
            "\tBMD\n",
            "Ward\u{2019}s",
            "\u{a0}LN\u{a0}",
            "  Left   HIP_Total ",
            &long,
            "x\u{2019}",
        ] {
            assert_eq!(
                with_normalised(text, str::to_string),
                normalised_chars(text).collect::<String>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn probes_find_stored_keys() {
        let mut meanings = HashMap::new();
        meanings.insert(Label::new("Young-Adult T-Score"), 1);
        assert_eq!(meanings.get(&LabelRef("young-adult  t-score ")), Some(&1));
        assert_eq!(meanings.get(&LabelRef("YOUNG-ADULT_T-SCORE")), Some(&1));
        assert_eq!(meanings.get(&LabelRef("Young-Adult T")), None);

        assert_eq!(
            meanings.get(&NormalisedRef("young-adult t-score")),
            Some(&1)
        );

        let mut codes = HashMap::new();
        codes.insert(CodeKey::new("99hologic", "BMD"), 2);
        let long_scheme = "X".repeat(40);
        codes.insert(CodeKey::new(&long_scheme.to_lowercase(), "1"), 3);
        let probe_long = CodeRef {
            scheme: &long_scheme,
            code: "1",
        };
        assert_eq!(codes.get(&probe_long), Some(&3));
        let probe = CodeRef {
            scheme: "99HOLOGIC ",
            code: "BMD",
        };
        assert_eq!(codes.get(&probe), Some(&2));
        // A scheme in another case is found by folding, not only by equal bytes.
        let lower_scheme = CodeRef {
            scheme: " 99Hologic",
            code: "BMD",
        };
        assert_eq!(codes.get(&lower_scheme), Some(&2));
        let other_scheme = CodeRef {
            scheme: "99HOLOGIX",
            code: "BMD",
        };
        assert_eq!(codes.get(&other_scheme), None);
        let wrong_case_code = CodeRef {
            scheme: "99HOLOGIC",
            code: "bmd",
        };
        assert_eq!(
            codes.get(&wrong_case_code),
            None,
            "code values are case-sensitive"
        );
    }
}
