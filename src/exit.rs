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
}
