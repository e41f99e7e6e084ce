//! `--files-from LIST`: one path per line (docs/columns.md, "--files-from"). The list is
//! read a line at a time, each line bounded by PATH_MAX, so that a list that is not one
//! (`/dev/zero`, a binary file, a pipe that never sends a newline) ends the run with a
//! message instead of filling memory. Blank lines and lines starting with `#` are ignored;
//! spaces and tabs around a path are not part of it.

use std::ffi::OsStr;
use std::io::{BufRead, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::candidate::InputError;
use crate::path_text::path_text;

/// The longest line accepted: PATH_MAX on Linux (limits.h), the longest path `open` takes.
pub(super) const MAX_LINE: usize = 4096;

/// Reads the paths listed in `list` (`-`: standard input), in list order.
pub(super) fn read_list(list: &Path) -> Result<Vec<PathBuf>, InputError> {
    let name = if list.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        format!("list {}", path_text(list))
    };
    let read_error = |e: std::io::Error| InputError {
        path: list.to_path_buf(),
        message: format!("cannot read the {name}: {e}"),
    };
    let reader: Box<dyn BufRead> = if list.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(list).map_err(|e| InputError::unreadable(list, &e))?;
        Box::new(std::io::BufReader::with_capacity(64 * 1024, file))
    };
    parse_lines(reader, &name, list).map_err(|e| match e {
        ListError::Io(e) => read_error(e),
        ListError::Line(message) => InputError {
            path: list.to_path_buf(),
            message,
        },
    })
}

enum ListError {
    Io(std::io::Error),
    Line(String),
}

fn parse_lines(
    mut reader: impl BufRead,
    name: &str,
    list: &Path,
) -> Result<Vec<PathBuf>, ListError> {
    let mut paths = Vec::new();
    let mut line = Vec::with_capacity(256);
    for number in 1.. {
        line.clear();
        // One byte more than a line may hold, to tell "exactly at the limit" from "over".
        let got = (&mut reader)
            .take(MAX_LINE as u64 + 2)
            .read_until(b'\n', &mut line)
            .map_err(ListError::Io)?;
        if got == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if line.contains(&0) {
            return Err(ListError::Line(format!(
                "line {number} of the {name} holds a NUL byte: a list is text, one path per line \
                 (is {} a list?)",
                path_text(list)
            )));
        }
        if line.len() > MAX_LINE {
            return Err(ListError::Line(format!(
                "line {number} of the {name} is longer than {MAX_LINE} bytes (PATH_MAX): a list \
                 holds one path per line"
            )));
        }
        let path = trim(&line);
        if path.is_empty() || path[0] == b'#' {
            continue;
        }
        paths.push(PathBuf::from(OsStr::from_bytes(path)));
    }
    Ok(paths)
}

/// The line without the spaces, tabs and carriage return around it.
fn trim(line: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |p| p + 1);
    &line[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<Vec<String>, String> {
        parse_lines(bytes, "list l", Path::new("l"))
            .map(|paths| {
                paths
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect()
            })
            .map_err(|e| match e {
                ListError::Io(e) => e.to_string(),
                ListError::Line(m) => m,
            })
    }

    #[test]
    fn comments_blanks_and_spaces() {
        let list = b"# exported 2024-05-01\n  a/one.dcm  \n\n\t\nb/two.dcm\r\n./#three.dcm\n   # indented comment\nlast.dcm";
        assert_eq!(
            parse(list).unwrap(),
            ["a/one.dcm", "b/two.dcm", "./#three.dcm", "last.dcm"]
        );
        assert_eq!(parse(b"").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn lines_are_bounded() {
        let at_limit = vec![b'a'; MAX_LINE];
        assert_eq!(parse(&at_limit).unwrap()[0].len(), MAX_LINE);
        let mut over = vec![b'a'; MAX_LINE + 1];
        over.push(b'\n');
        let error = parse(&over).unwrap_err();
        assert!(
            error.contains("line 1") && error.contains("PATH_MAX"),
            "{error}"
        );
        // /dev/zero: a NUL on the first line, not a gigabyte read.
        let error = parse(&[0u8; 10_000]).unwrap_err();
        assert!(error.contains("NUL"), "{error}");
        let mut late = b"ok.dcm\n".repeat(3);
        late.extend_from_slice(b"bad\0name\n");
        assert!(parse(&late).unwrap_err().contains("line 4"));
    }
}
