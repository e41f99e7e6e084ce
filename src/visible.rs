//! The characters a reader would not see as they are, escaped alike wherever we write text a
//! person reads in a cell: text cells (`output::cell`, as `\u{XXXX}`) and paths
//! (`path_text`, as `\xNN` bytes); docs/columns.md, "Text cells" and "Paths".

/// Whether `c` would not show as itself: controls (Unicode general category Cc: C0, DEL,
/// C1), the bidirectional controls of Unicode UAX #9 (ALM U+061C, LRM, RLM, LRE, RLE, PDF,
/// LRO, RLO, LRI, RLI, FSI, PDI), the zero-width space, non-joiner and joiner
/// (U+200B-U+200D), the line and paragraph separators (U+2028, U+2029) and the byte-order
/// mark / zero-width no-break space (U+FEFF).
pub fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::hidden;

    #[test]
    fn what_hides_and_what_shows() {
        for c in [
            '\0', '\n', '\u{1B}', '\u{7F}', '\u{85}', '\u{61C}', '\u{200B}', '\u{200D}',
            '\u{200F}', '\u{202E}', '\u{2028}', '\u{2029}', '\u{2066}', '\u{2069}', '\u{FEFF}',
        ] {
            assert!(hidden(c), "{:X}", u32::from(c));
        }
        for c in [
            ' ', 'a', 'é', '\u{A0}', '\u{2010}', '\u{2030}', '\u{206A}', '日',
        ] {
            assert!(!hidden(c), "{:X}", u32::from(c));
        }
    }
}
