//! Exit codes (docs/columns.md), one enum and one conversion, so that they are documented and
//! tested in one place.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Every candidate file ingested, or skipped for a stated reason.
    Success,
    /// Fatal: an input root cannot be read, or the output cannot be written.
    Fatal,
    /// Usage error (clap reports these itself, with the same code).
    Usage,
    /// Finished, but at least one file is listed as `error` in files.csv.
    FilesFailed,
    /// Finished, but not one results document was ingested (the outputs have their header
    /// rows only): a misconfigured export must not look like a quiet night.
    NothingIngested,
}

impl ExitCode {
    /// Every exit code, for the test that docs/columns.md lists each.
    pub const ALL: [ExitCode; 5] = [
        ExitCode::Success,
        ExitCode::Fatal,
        ExitCode::Usage,
        ExitCode::FilesFailed,
        ExitCode::NothingIngested,
    ];
}

impl From<ExitCode> for i32 {
    fn from(code: ExitCode) -> i32 {
        match code {
            ExitCode::Success => 0,
            ExitCode::Fatal => 1,
            ExitCode::Usage => 2,
            ExitCode::FilesFailed => 3,
            ExitCode::NothingIngested => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_codes() {
        assert_eq!(i32::from(ExitCode::Success), 0);
        assert_eq!(i32::from(ExitCode::Fatal), 1);
        assert_eq!(i32::from(ExitCode::Usage), 2);
        assert_eq!(i32::from(ExitCode::FilesFailed), 3);
        assert_eq!(i32::from(ExitCode::NothingIngested), 4);
    }

    /// docs/columns.md's "Exit codes" table has a row for every code, and for the signals'
    /// codes (128 + the signal, which the binary exits with: `output::folder::Interruption`).
    #[test]
    fn every_code_is_in_the_docs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/columns.md");
        let docs = std::fs::read_to_string(path).expect("docs/columns.md");
        let documented: Vec<String> = docs
            .lines()
            .skip_while(|l| *l != "## Exit codes")
            .skip(3)
            .take_while(|l| l.starts_with('|'))
            .flat_map(|l| {
                let codes = l.split('|').nth(1).unwrap_or("");
                codes
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut expected: Vec<String> = ExitCode::ALL
            .iter()
            .map(|c| i32::from(*c).to_string())
            .collect();
        expected.extend([130, 143].map(|c: i32| c.to_string()));
        assert_eq!(documented, expected);
    }
}
