//! The Hologic APEX results document, read as text (docs/evidence.md): pseudo-XML
//! around JavaScript files of assignments, one per line (`ResultsTable1[ 1][ 3] = "0.585";`).
//! It is not well-formed XML and never evaluated: each statement is split off the line,
//! its name and indexes read, its quoted (or bare) value kept as text.
//!
//! Everything is bounded: the document's size, the table number, the indexes, a cell's
//! length, the number of cells. What is beyond a bound is left out and flagged, never
//! wrapped or truncated into a value.

use std::collections::BTreeMap;

use crate::document::DocFlag;

/// Largest results document read (the real ones are tens of KiB).
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;
/// Highest table number (`ResultsTable64`).
pub const MAX_TABLE: u32 = 64;
/// Highest row or column index.
pub const MAX_INDEX: u32 = 512;
/// Longest cell or value.
pub const MAX_CELL: usize = 1024;
/// Most cells in one document.
pub const MAX_CELLS: usize = 100_000;

/// One table (`ResultsTableN` and its `TableTypeN`, `TableTitleN`, ... companions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// `TableTypeN`.
    pub table_type: Option<u32>,
    /// `TableTitleN`.
    pub title: String,
    /// `TableColumnTypesN[c]`.
    pub column_types: BTreeMap<u32, u32>,
    /// `TableRowTypesN[r]`.
    pub row_types: BTreeMap<u32, u32>,
    /// `ResultsTableN[r][c]`, row 0 the header row.
    pub cells: BTreeMap<(u32, u32), String>,
}

impl Table {
    /// A cell as text, HTML removed (`<sup>`, `&nbsp;`), trimmed; empty when absent.
    pub fn cell(&self, row: u32, column: u32) -> String {
        self.cells
            .get(&(row, column))
            .map_or_else(String::new, |raw| plain_text(raw))
    }

    /// The rows that have any cell or a row type, in order (row 0 excluded).
    pub fn rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self
            .cells
            .keys()
            .map(|(r, _)| *r)
            .chain(self.row_types.keys().copied())
            .filter(|r| *r > 0)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// The document, as statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Plain assignments (`MenopauseAge = "44";`), first one of a name kept.
    pub values: BTreeMap<String, String>,
    /// Tables by number.
    pub tables: BTreeMap<u32, Table>,
    /// What was left out, and why (studies.csv flags).
    pub flags: Vec<DocFlag>,
}

impl Script {
    /// A plain value, trimmed; None when absent or blank (`" "`).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn flag(&mut self, flag: DocFlag) {
        crate::flag::flag_once(&mut self.flags, flag);
    }
}

/// Text without HTML tags and with `&nbsp;`, `&lt;`, `&gt;`, `&amp;` decoded. A `<` that
/// does not open a tag (not followed by a letter, `/` or `!`) is text: a censored FRAX
/// value is written `< 1.0%` (docs/evidence.md, "Round two").
pub fn plain_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_tag = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if !in_tag
                && chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!')) =>
            {
                in_tag = true
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Decodes the element's bytes: UTF-8 when valid, else Latin-1 (the charset APEX writes);
/// C1 control bytes (0x80-0x9F), which are not Latin-1 text, are flagged.
pub fn decode(bytes: &[u8], flags: &mut Vec<DocFlag>) -> String {
    let end = bytes
        .iter()
        .rposition(|b| *b != 0 && *b != b' ')
        .map_or(0, |p| p + 1);
    let bytes = &bytes[..end];
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            if bytes.iter().any(|b| (0x80..0xA0).contains(b)) {
                flags.push(DocFlag::HologicDocumentNotLatin1);
            }
            bytes.iter().map(|&b| char::from(b)).collect()
        }
    }
}

/// Reads the document's statements.
pub fn read(text: &str) -> Script {
    let mut script = Script::default();
    let mut cells = 0usize;
    let mut open_files = 0i32;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("<JavaScriptFile") {
            open_files += 1;
            continue;
        }
        if line.starts_with("</JavaScriptFile") {
            open_files -= 1;
            continue;
        }
        // Each JavaScriptFile section opens with `/ Filename = C:\QDR\...\X.js` and `//
        // Written By HologicDICOMControl` (docs/evidence.md, "Round two"): comments, not
        // statements (no name starts with `/`), never a statement cut short.
        if line.starts_with('<') || line.starts_with('/') || line.is_empty() {
            continue;
        }
        for statement in statements(line, &mut script) {
            let Some((name, indexes, value)) = parse_statement(statement, &mut script) else {
                continue;
            };
            if value.len() > MAX_CELL && value.chars().count() > MAX_CELL {
                script.flag(DocFlag::HologicCellTooLong);
                continue;
            }
            store(&mut script, &name, &indexes, value, &mut cells);
        }
    }
    if open_files != 0 {
        script.flag(DocFlag::HologicDocumentCutShort);
    }
    script
}

/// The statements of a line, split at `;` outside quotes; a quote left open means the
/// document was cut short.
fn statements<'l>(line: &'l str, script: &mut Script) -> Vec<&'l str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0usize, false, false);
    // The bytes looked for are ASCII, which no byte of a longer character equals.
    for (at, c) in line.bytes().enumerate() {
        match c {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                out.push(&line[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    if quoted {
        script.flag(DocFlag::HologicDocumentCutShort);
    } else if !line[start..].trim().is_empty() {
        // A statement without its `;` (the last line of a document cut short).
        script.flag(DocFlag::HologicDocumentCutShort);
    }
    out
}

/// `Name[ i][ j] = "value"` into its parts; None (flagged) when it is not an assignment.
fn parse_statement(statement: &str, script: &mut Script) -> Option<(String, Vec<u32>, String)> {
    let (left, right) = statement.split_once('=')?;
    let left = left.trim();
    let name_end = left.find('[').unwrap_or(left.len());
    let name = left[..name_end].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut indexes = Vec::new();
    let mut rest = &left[name_end..];
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']')? + open;
        let digits = rest[open + 1..close].trim();
        match digits.parse::<u64>() {
            Ok(n) if n <= u64::from(MAX_INDEX) => indexes.push(n as u32),
            _ => {
                script.flag(DocFlag::HologicIndexOutOfRange);
                return None;
            }
        }
        rest = &rest[close + 1..];
        if indexes.len() > 2 {
            return None;
        }
    }
    let right = right.trim();
    let value = match right.strip_prefix('"') {
        Some(quoted) => {
            let body = quoted.strip_suffix('"')?;
            if body.contains('\\') {
                body.replace("\\\"", "\"").replace("\\\\", "\\")
            } else {
                body.to_string()
            }
        }
        None => right.to_string(),
    };
    Some((name.to_string(), indexes, value))
}

/// The table number at the end of a name with one of the table prefixes.
fn table_name(name: &str) -> Option<(&'static str, u32)> {
    const PREFIXES: [&str; 5] = [
        "ResultsTable",
        "TableColumnTypes",
        "TableRowTypes",
        "TableType",
        "TableTitle",
    ];
    PREFIXES.iter().find_map(|prefix| {
        let digits = name.strip_prefix(prefix)?;
        let n: u32 = (!digits.is_empty() && digits.len() <= 3)
            .then(|| digits.parse().ok())
            .flatten()?;
        Some((*prefix, n))
    })
}

fn store(script: &mut Script, name: &str, indexes: &[u32], value: String, cells: &mut usize) {
    let Some((prefix, number)) = table_name(name) else {
        if indexes.is_empty() {
            script.values.entry(name.to_string()).or_insert(value);
        }
        return;
    };
    if number == 0 || number > MAX_TABLE {
        script.flag(DocFlag::HologicIndexOutOfRange);
        return;
    }
    *cells += 1;
    if *cells > MAX_CELLS {
        script.flag(DocFlag::HologicTooManyCells);
        return;
    }
    let table = script.tables.entry(number).or_default();
    let code = || value.trim().parse::<u32>().ok();
    match (prefix, indexes) {
        ("ResultsTable", [row, column]) => {
            table.cells.entry((*row, *column)).or_insert(value);
        }
        ("TableColumnTypes", [column]) => {
            if let Some(code) = code() {
                table.column_types.entry(*column).or_insert(code);
            }
        }
        ("TableRowTypes", [row]) => {
            if let Some(code) = code() {
                table.row_types.entry(*row).or_insert(code);
            }
        }
        ("TableType", []) => table.table_type = table.table_type.or(code()),
        ("TableTitle", []) if table.title.is_empty() => table.title = plain_text(&value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "<HologicHeader1> <Institution>X</Institution> </HologicHeader1>
<JavaScriptFile, filetype=1, filename=\"C:\\QDR\\PatInfo.js\">
PatientSex = \"Female\"; MenopauseAge = \"44\";
Height = \" \";
</JavaScriptFile>
<JavaScriptFile, filetype=3, filename=\"C:\\QDR\\Results.js\">
TableType1 = 1;
TableTitle1 = \"Results Summary:\";
TableColumnTypes1[ 3] = 3;  ResultsTable1[ 0][ 3] = \"BMD[g/cm<sup><small>2</small></sup>]\";
TableRowTypes1[ 1] = 10;    ResultsTable1[ 1][ 0] = \"Neck\";   ResultsTable1[ 1][ 3] = \"0.585\";
</JavaScriptFile>
";

    #[test]
    fn statements_and_tables() {
        let script = read(DOC);
        assert_eq!(script.value("MenopauseAge"), Some("44"));
        assert_eq!(script.value("PatientSex"), Some("Female"));
        assert_eq!(script.value("Height"), None, "a blank value is absent");
        let table = &script.tables[&1];
        assert_eq!(table.table_type, Some(1));
        assert_eq!(table.title, "Results Summary:");
        assert_eq!(table.cell(0, 3), "BMD[g/cm2]");
        assert_eq!(plain_text("< 1.0%"), "< 1.0%", "a bound is not a tag");
        assert_eq!(plain_text("<0.1%<br>x"), "<0.1%x");
        assert_eq!(table.cell(1, 3), "0.585");
        assert_eq!(table.row_types[&1], 10);
        assert_eq!(table.rows(), [1]);
        assert!(script.flags.is_empty(), "{:?}", script.flags);
    }

    #[test]
    fn comment_lines_are_skipped() {
        let with_comments = DOC.replace(
            "PatInfo.js\">\n",
            "PatInfo.js\">\n/ Filename = C:\\QDR\\PatInfo.js\n// Written By HologicDICOMControl\n",
        );
        assert_ne!(with_comments, DOC);
        let script = read(&with_comments);
        assert!(script.flags.is_empty(), "{:?}", script.flags);
        assert_eq!(script.value("MenopauseAge"), Some("44"));
    }

    #[test]
    fn bounds_and_damage_are_flagged() {
        let cut = &DOC[..DOC.find("0.585").unwrap() + 3];
        let script = read(cut);
        assert!(script.flags.contains(&DocFlag::HologicDocumentCutShort));
        assert_eq!(
            script.tables[&1].cell(1, 3),
            "",
            "the cut value is not taken"
        );

        let huge = "ResultsTable1[ 2147483648][ 0] = \"x\";\nResultsTable1[ 1][ 0] = \"Neck\";";
        let script = read(huge);
        assert!(script.flags.contains(&DocFlag::HologicIndexOutOfRange));
        assert_eq!(script.tables[&1].cell(1, 0), "Neck");

        let long = format!("ResultsTable1[ 1][ 3] = \"{}\";", "9".repeat(10_000));
        let script = read(&long);
        assert!(script.flags.contains(&DocFlag::HologicCellTooLong));
        assert!(script.tables.is_empty());

        let mut flags = Vec::new();
        assert_eq!(decode(b"Sm\xf6rg\xe5s\0", &mut flags), "Smörgås");
        assert!(flags.is_empty());
        decode(b"bad \x85 byte", &mut flags);
        assert_eq!(flags, [DocFlag::HologicDocumentNotLatin1]);
    }
}
