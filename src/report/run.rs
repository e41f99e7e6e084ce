//! What the page says about the run itself: the tool's version, the options that change
//! the outputs, the profiles with their SHA-256. Never the input paths and never a clock:
//! a `merge` of partial scans must write the same page as one `scan` of the same files
//! (docs/report.md, docs/scale.md), and the same inputs always give the same bytes.

use crate::config::{FollowupMode, OutputOptions};
use crate::followup::Family;
use crate::followup::lsc::{Lsc, LscSource};

/// The run's description, filled by the caller of `render`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// "dxa-ingest 0.1.0".
    pub version: String,
    /// The options that change the outputs, as (name, value), in the order shown.
    pub options: Vec<(String, String)>,
    /// The profiles consulted, as (name, SHA-256 of the file's bytes, lowercase hex), in
    /// the order their rules are consulted.
    pub profiles: Vec<(String, String)>,
}

impl RunInfo {
    /// This build's version line.
    pub fn this_version() -> String {
        format!("dxa-ingest {}", env!("CARGO_PKG_VERSION"))
    }

    /// The version, the options that change the outputs (those `scan` and `merge` share,
    /// and the extraction options the files were read with, `extraction`: the same text in
    /// a scan and in the partials of a merge), and the profiles with their SHA-256.
    pub fn new(
        options: &OutputOptions,
        extraction: &str,
        profiles: Vec<(String, String)>,
    ) -> RunInfo {
        let on_off = |on: bool| if on { "on" } else { "off" }.to_string();
        // The LSC each site gets on a device the --lsc file does not name.
        let lsc = [Family::Spine, Family::FemoralNeck, Family::TotalHip]
            .iter()
            .map(|&family| {
                let (lsc, source) = options.lsc.lookup(family, "");
                let value = match lsc {
                    Lsc::Grams(g) => format!("{} g/cm²", g.to_plain(3)),
                    Lsc::Percent(p) => format!("{} %", p.to_plain(1)),
                };
                let source = match source {
                    LscSource::Default => "ISCD default",
                    LscSource::File => "--lsc file",
                };
                format!("{} {value} ({source})", family.as_str())
            })
            .collect::<Vec<_>>()
            .join("; ");
        let followup = match options.followup {
            FollowupMode::Auto => "auto",
            FollowupMode::Always => "always",
            FollowupMode::Never => "never",
        };
        let format = if options.parquet {
            "csv, parquet"
        } else {
            "csv"
        };
        let pairs = [
            (
                "--radius-diagnostic",
                on_off(options.classify.radius_diagnostic),
            ),
            ("--lsc (all devices)", lsc),
            ("--followup", followup.to_string()),
            ("--pseudonymize", on_off(options.pseudonymize.is_some())),
            ("--shift-dates", on_off(options.shift_dates)),
            ("--format", format.to_string()),
            ("--fhir", on_off(options.fhir)),
            ("--omop", on_off(options.omop)),
            ("--excel", on_off(options.excel)),
            ("reading", extraction.replace(';', ", ")),
        ];
        RunInfo {
            version: Self::this_version(),
            options: pairs
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
            // A profile's path can name a patient's folder: pseudonymised like the rest.
            profiles: crate::provenance::shown_profiles(options, &profiles),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_options_are_described() {
        let mut options = OutputOptions::default();
        let profiles = vec![("built-in hologic".to_string(), "ab".repeat(32))];
        let info = RunInfo::new(
            &options,
            "max_file_bytes=64;follow_symlinks=false",
            profiles.clone(),
        );
        let value = |info: &RunInfo, name: &str| {
            info.options
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(info.version, RunInfo::this_version());
        assert_eq!(value(&info, "--followup"), "auto");
        assert_eq!(value(&info, "--format"), "csv");
        assert_eq!(
            value(&info, "reading"),
            "max_file_bytes=64, follow_symlinks=false"
        );
        assert_eq!(
            value(&info, "--lsc (all devices)"),
            "spine 5.3 % (ISCD default); femoral_neck 6.9 % (ISCD default); \
             total_hip 5.0 % (ISCD default)"
        );
        options.parquet = true;
        options.classify.radius_diagnostic = true;
        options.followup = FollowupMode::Never;
        let info = RunInfo::new(&options, "", profiles.clone());
        assert_eq!(value(&info, "--format"), "csv, parquet");
        assert_eq!(value(&info, "--radius-diagnostic"), "on");
        assert_eq!(value(&info, "--followup"), "never");
        assert_eq!(info.profiles, profiles);
    }
}
