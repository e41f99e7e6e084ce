//! Body composition through `scan`: a Hologic whole-body report image gives measurements
//! rows and the visit's composition; GE enCORE export files are found by their content
//! (any name), each record joined to the visit of its patient and day or a visit of its
//! own; body_composition.csv and the studies.csv indices.

use dxa_fixtures::encore::{Units, export_set, utf16le, utf16le_text};
use dxa_fixtures::evidence::hologic_header;
use dxa_fixtures::whole_body::{self, Codes};
use dxa_fixtures::{DxaStudy, Encoding, Group, Header, Row, Ts, ge_style, sr_bytes};

use crate::util::{Row as CsvRow, TestEnv, code, stderr};

/// The whole-body report image of patient HOL000901 (2024-06-03).
fn whole_body_image() -> Vec<u8> {
    let header = hologic_header(
        "scan/whole-body",
        "scan/whole-body",
        ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
        ("20240603", "101500"),
        "Horizon A",
        "300888M",
    );
    whole_body::whole_body_image(&header, &whole_body::whole_body_document(Codes::Absent))
}

/// A GE SR of a hip for `patient` on `date` (YYYYMMDD).
fn ge_hip(name: &str, patient: &str, date: &str) -> Vec<u8> {
    let mut header = Header::new(name).dated(date, "100000");
    header.patient_id = patient.to_string();
    header.manufacturer = "GE Healthcare".into();
    header.model = "Lunar iDXA".into();
    header.device_serial = "GE0042".into();
    header.sex = Some("F".into());
    header.birth_date = Some("19600101".into());
    let study = DxaStudy::new(header).group(
        Group::new("Left Hip")
            .row(Row::new("Neck").bmd("0.700").t("-1.9").z("-0.8"))
            .row(Row::new("Total").bmd("0.800").t("-1.2").z("-0.4")),
    );
    sr_bytes(&ge_style(&study), Encoding::new(Ts::ExplicitLe, true))
}

pub(super) fn scanned(env: &TestEnv) {
    let output = env.scan(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

pub(super) fn rows_of<'a>(rows: &'a [CsvRow], column: &str, value: &str) -> Vec<&'a CsvRow> {
    rows.iter().filter(|r| r[column] == value).collect()
}

#[test]
fn a_whole_body_scan_gives_total_body_rows_not_diagnostic() {
    let env = TestEnv::new();
    env.write("hologic/wb.dcm", &whole_body_image());
    scanned(&env);
    let measurements = env.csv("measurements.csv");
    let total = rows_of(&measurements, "region", "total_body");
    assert_eq!(total.len(), 1, "{measurements:#?}");
    assert_eq!(total[0]["bmd_g_cm2"], "1.141");
    assert_eq!(total[0]["used_for_diagnosis"], "false");
    let tblh = rows_of(&measurements, "region", "total_body_less_head");
    assert_eq!(tblh.len(), 1);
    assert_eq!(tblh[0]["used_for_diagnosis"], "false", "an adult's TBLH");
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 1);
    assert!(
        studies[0]["flags"].contains("no_diagnostic_site"),
        "{}",
        studies[0]["flags"]
    );
}

#[test]
fn encore_files_are_found_by_content_and_join_their_visits() {
    let env = TestEnv::new();
    let set = export_set(Units::Pounds);
    // Any name: the content says what a file is.
    env.write("exports/a.dat", &set.comp);
    env.write("exports/b", &set.bmd);
    env.write("exports/vat.TXT", &set.core_scan);
    // A GE SR of the first patient on the day of the export's exam: the records join it.
    env.write(
        "ge/hip.dcm",
        &ge_hip("scan/ge-hip", "ENC000101", "20240614"),
    );
    scanned(&env);
    let files = env.csv("files.csv");
    assert!(files.is_empty(), "every file read: {files:#?}");
    let documents = env.csv("documents.csv");
    let from = |path: &str| rows_of(&documents, "source_path", path).len();
    assert_eq!(from("in/exports/a.dat"), 3, "one document per record");
    assert_eq!(from("in/exports/b"), 3);
    assert_eq!(from("in/exports/vat.TXT"), 2, "a VAT row for two patients");
    for row in documents
        .iter()
        .filter(|r| r["source_path"].starts_with("in/exports/"))
    {
        assert_eq!(row["carrier"], "encore_export", "{row:?}");
        assert!(row["flags"].contains("device_unknown"), "{row:?}");
    }
    let studies = env.csv("studies.csv");
    let visit = |patient: &str| {
        let found = rows_of(&studies, "patient_id", patient);
        assert_eq!(found.len(), 1, "one visit of {patient}: {studies:#?}");
        found[0].clone()
    };
    let doe = visit("ENC000101");
    assert_eq!(doe["documents"], "4", "the SR and the three files' records");
    assert_eq!(doe["study_date"], "2024-06-14");
    assert_eq!(doe["device_serial"], "GE0042");
    assert_eq!(visit("ENC000202")["documents"], "2", "no VAT row");
    assert_eq!(visit("ENC000303")["documents"], "3", "a visit of its own");
    assert_eq!(visit("ENC000303")["study_date"], "2023-11-21");
    let measurements = env.csv("measurements.csv");
    let total_body = rows_of(&measurements, "region", "total_body");
    assert_eq!(total_body.len(), 3, "the BMD file's Total of each record");
    // The names are read only to be dropped: never in any output.
    for file in crate::util::files_under(&env.out()) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for name in ["DOE", "ANNE", "ROE", "POE"] {
            assert!(!text.contains(name), "{name} in {}", file.display());
        }
    }
}

#[test]
fn an_encore_file_without_records_is_a_files_row() {
    let env = TestEnv::new();
    let set = export_set(Units::Grams);
    // The header line alone.
    let header_only: Vec<u8> = {
        let text = dxa_fixtures::encore::utf16le_text(&set.core_scan);
        let first = text.split("\r\n").next().unwrap().to_string();
        dxa_fixtures::encore::utf16le(&first)
    };
    env.write("empty_export.txt", &header_only);
    let output = env.scan(&[]);
    assert_eq!(code(&output), 4, "nothing ingested: {}", stderr(&output));
    let files = env.csv("files.csv");
    assert_eq!(files.len(), 1, "{files:#?}");
    assert_eq!(files[0]["reason"], "no_measurements");
    assert!(files[0]["message"].contains("enCORE"), "{:?}", files[0]);
}

#[test]
fn partials_of_exports_merge_to_the_scan_byte_for_byte() {
    let env = TestEnv::new();
    let set = export_set(Units::Grams);
    env.write("a/comp.txt", &set.comp);
    env.write("a/wb.dcm", &whole_body_image());
    env.write("b/bmd.txt", &set.bmd);
    env.write("b/vat.txt", &set.core_scan);
    env.write(
        "b/hip.dcm",
        &ge_hip("scan/merge-hip", "ENC000202", "20240305"),
    );
    scanned(&env);
    for part in ["a", "b"] {
        let output = crate::util::dxa()
            .current_dir(env.dir.path())
            .args(["scan", &format!("in/{part}"), "--quiet", "--partial"])
            .arg(format!("{part}.part"))
            .output()
            .expect("run");
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let merged = crate::util::dxa()
        .current_dir(env.dir.path())
        .args(["merge", "a.part", "b.part", "--out", "merged", "--quiet"])
        .output()
        .expect("run");
    assert_eq!(code(&merged), 0, "{}", stderr(&merged));
    for name in [
        "files.csv",
        "documents.csv",
        "studies.csv",
        "measurements.csv",
    ] {
        assert_eq!(
            String::from_utf8(env.bytes(name)).unwrap(),
            std::fs::read_to_string(env.dir.path().join("merged").join(name)).unwrap(),
            "{name}"
        );
    }
}

fn number(row: &CsvRow, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} is not a number: {row:?}"))
}

#[test]
fn body_composition_rows_and_the_visit_indices_of_a_whole_body_report() {
    let env = TestEnv::new();
    env.write("hologic/wb.dcm", &whole_body_image());
    scanned(&env);
    let rows = env.csv("body_composition.csv");
    let regions: Vec<&str> = rows.iter().map(|r| r["region"].as_str()).collect();
    assert_eq!(
        regions,
        [
            "arm_left",
            "arm_right",
            "leg_left",
            "leg_right",
            "trunk",
            "head",
            "android",
            "gynoid",
            "subtotal",
            "total"
        ],
        "{rows:#?}"
    );
    for row in &rows {
        assert_eq!(row["source"], "hologic_results_document");
        assert_eq!(row["patient_id"], "HOL000901");
        assert_eq!(row["study_date"], "2024-06-03");
        assert_eq!(row["computed"], "", "every value reported: {row:?}");
        // Android and gynoid: Lean + BMC only (the ancillary table), nothing to split it.
        if row["bmc_g"].is_empty() {
            assert_eq!(row["lean_g"], "", "{row:?}");
        } else {
            let (lean, bmc) = (number(row, "lean_g"), number(row, "bmc_g"));
            assert!(
                (lean + bmc - number(row, "lean_bmc_g")).abs() < 0.1,
                "{row:?}"
            );
        }
        let pct = 100.0 * number(row, "fat_g") / number(row, "total_mass_g");
        assert!((pct - number(row, "fat_pct")).abs() <= 0.1, "{row:?}");
    }
    let studies = env.csv("studies.csv");
    let visit = &studies[0];
    let total = rows.iter().find(|r| r["region"] == "total").unwrap();
    assert_eq!(visit["total_fat_pct"], total["fat_pct"], "reported");
    // ALM/BMI is not in the report: computed from the regions, height and weight.
    assert_eq!(visit["body_composition_computed"], "alm_bmi");
    let alm_kg: f64 = ["arm_left", "arm_right", "leg_left", "leg_right"]
        .iter()
        .map(|r| {
            number(
                rows.iter().find(|row| row["region"] == *r).unwrap(),
                "lean_g",
            )
        })
        .sum::<f64>()
        / 1000.0;
    let height_m = number(visit, "height_cm") / 100.0;
    let bmi = number(visit, "weight_kg") / (height_m * height_m);
    assert!(
        (number(visit, "alm_bmi") - alm_kg / bmi).abs() < 0.001,
        "{visit:?}"
    );
    // The reported ALMI agrees with the regions within the report's rounding.
    assert!(
        (number(visit, "almi_kg_m2") - alm_kg / (height_m * height_m)).abs() < 0.05,
        "{visit:?}"
    );
    // A woman of 54 with an FMI of 7.59: Kelly 2009's normal class (5 to 9).
    assert_eq!(visit["fmi_kg_m2"], "7.59");
    assert!(
        visit["flags"].split(';').any(|f| f == "fmi_class=normal"),
        "{}",
        visit["flags"]
    );
    assert!(
        !visit["flags"].contains("low_muscle_mass"),
        "ALMI 6.63 >= 5.5"
    );
    assert!(!visit["flags"].contains("height_unknown"));
    // visits_wide.csv carries the same indices.
    let wide = &env.csv("visits_wide.csv")[0];
    for column in [
        "total_fat_pct",
        "fmi_kg_m2",
        "almi_kg_m2",
        "alm_bmi",
        "vat_mass_g",
    ] {
        assert_eq!(wide[column], visit[column], "{column}");
    }
    assert_eq!(wide["visit_id"], visit["visit_id"]);
}

#[test]
fn an_encore_set_in_pounds_and_one_in_grams_give_the_same_rows() {
    let grams_of = |units: Units| {
        let env = TestEnv::new();
        let set = export_set(units);
        env.write("comp.txt", &set.comp);
        env.write("vat.txt", &set.core_scan);
        scanned(&env);
        let columns = [
            "patient_id",
            "study_date",
            "region",
            "fat_g",
            "lean_g",
            "bmc_g",
            "lean_bmc_g",
            "total_mass_g",
        ];
        let rows: Vec<Vec<String>> = env
            .csv("body_composition.csv")
            .iter()
            .map(|r| columns.iter().map(|c| r[*c].clone()).collect())
            .collect();
        let studies: Vec<(String, String, String)> = env
            .csv("studies.csv")
            .iter()
            .map(|r| {
                assert!(r["flags"].contains("height_unknown"), "{r:?}");
                assert_eq!(r["fmi_kg_m2"], "", "no height: no FMI");
                (
                    r["patient_id"].clone(),
                    r["vat_mass_g"].clone(),
                    r["total_fat_pct"].clone(),
                )
            })
            .collect();
        (rows, studies)
    };
    let (pounds, grams) = (grams_of(Units::Pounds), grams_of(Units::Grams));
    assert_eq!(pounds.0.len(), 14 + 15 + 14, "the three records' regions");
    assert_eq!(pounds, grams);
    let doe = &pounds.1[0];
    assert_eq!(doe.0, "ENC000101");
    // 1.01 lbs = 458.1283 g, written in whole grams.
    assert_eq!(doe.1, "458");
}

/// One export of several exams gives the rows of the same exams exported a file each: an
/// enCORE export is a query's result, often of many patients (the set in docs/evidence.md
/// holds 85 rows), and a file's records are visits of their own, told apart only by the
/// path they came from. Except where the file's other rows prove a date's order: a record
/// dated 03/05/2024 alone has no date (`measure_date_ambiguous`), where the export, whose
/// other rows hold a day past 12, reads it month first (`measure_date_order_inferred`).
#[test]
fn one_export_of_many_exams_gives_the_rows_of_a_file_each() {
    let set = export_set(Units::Pounds);
    let text = utf16le_text(&set.comp);
    let mut lines = text.split("\r\n").filter(|line| !line.is_empty());
    let header = lines.next().expect("a header line");
    let records: Vec<&str> = lines.collect();
    assert_eq!(records.len(), 3, "the set's three records");
    // (patient ID, whether the measure date's order is its own: a part past 12).
    let dated: Vec<(String, bool)> = records
        .iter()
        .map(|record| {
            let cells: Vec<&str> = record.split('\t').collect();
            let parts: Vec<u32> = cells[3].split('/').map(|p| p.parse().unwrap()).collect();
            (cells[2].to_string(), parts[0] > 12 || parts[1] > 12)
        })
        .collect();
    let ambiguous: Vec<&str> = dated
        .iter()
        .filter(|(_, own)| !own)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        ambiguous.len(),
        1,
        "the set has one ambiguous date: {dated:?}"
    );
    let together = TestEnv::new();
    together.write("export.txt", &set.comp);
    scanned(&together);
    let apart = TestEnv::new();
    for (i, record) in records.iter().enumerate() {
        let one = utf16le(&format!("{header}\r\n{record}\r\n"));
        apart.write(&format!("export_{i}.txt"), &one);
    }
    scanned(&apart);
    // Rows in their order, without the columns naming the file; `of` those of a patient.
    let rows = |env: &TestEnv, table: &str, of: &dyn Fn(&str) -> bool| -> Vec<CsvRow> {
        env.csv(table)
            .into_iter()
            .filter(|row| of(&row["patient_id"]))
            .map(|mut row| {
                row.retain(|column, _| !column.ends_with("source_path"));
                row
            })
            .collect()
    };
    let unambiguous = |id: &str| !ambiguous.contains(&id);
    for table in [
        "body_composition.csv",
        "studies.csv",
        "visits_wide.csv",
        "documents.csv",
    ] {
        let one_file = rows(&together, table, &unambiguous);
        assert!(!one_file.is_empty(), "{table}: rows");
        assert_eq!(one_file, rows(&apart, table, &unambiguous), "{table}");
    }
    let of_ambiguous = |id: &str| ambiguous.contains(&id);
    let in_export = rows(&together, "documents.csv", &of_ambiguous);
    let alone = rows(&apart, "documents.csv", &of_ambiguous);
    assert_eq!((in_export.len(), alone.len()), (1, 1));
    assert_eq!(in_export[0]["study_date"], "2024-03-05");
    assert!(
        in_export[0]["flags"].contains("measure_date_order_inferred"),
        "{in_export:?}"
    );
    assert_eq!(alone[0]["study_date"], "", "no order to read it in");
    assert!(
        alone[0]["flags"].contains("measure_date_ambiguous"),
        "{alone:?}"
    );
    let visits = rows(&together, "studies.csv", &|_| true).len();
    assert_eq!(visits, 3, "a visit per record");
}
