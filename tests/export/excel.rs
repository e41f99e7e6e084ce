//! `--excel` (docs/columns.md, "--excel"): every CSV file starts with a UTF-8 byte order
//! mark, and is otherwise the same bytes (the decimal point kept); Parquet is unchanged.

use crate::fhir::scan_sample_with;
use crate::util::files_under;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[test]
fn every_csv_starts_with_a_bom_and_is_otherwise_the_same() {
    let common = ["--omop", "--fhir", "--format", "parquet"];
    let plain = scan_sample_with(&common);
    let excel = scan_sample_with(&[&common[..], &["--excel"]].concat());
    let (plain, excel) = (plain.path().join("out"), excel.path().join("out"));
    let files = files_under(&excel);
    let csvs = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .count();
    assert_eq!(
        csvs,
        8 + 4,
        "the tables (body_composition.csv too) and the OMOP tables"
    );
    for path in &files {
        let name = path.strip_prefix(&excel).unwrap();
        if name.to_str() == Some("run.json") || name.to_str() == Some("report.html") {
            continue;
        }
        let (with, without) = (
            std::fs::read(path).unwrap(),
            std::fs::read(plain.join(name)).unwrap(),
        );
        if path.extension().is_some_and(|e| e == "csv") {
            assert!(with.starts_with(BOM), "{}", name.display());
            assert_eq!(&with[BOM.len()..], &without[..], "{}", name.display());
        } else {
            assert_eq!(with, without, "{}: only CSV files change", name.display());
        }
    }
    // Numbers keep their decimal point (no locale's comma).
    let measurements = std::fs::read_to_string(excel.join("measurements.csv")).unwrap();
    assert!(measurements.contains(",0.930,"));
}
