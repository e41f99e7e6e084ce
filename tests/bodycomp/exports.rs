//! Export files through `scan` and `inspect`: a copy of an export line, a child's total
//! body less head from an export, an export longer than a read, the visits' keys, the
//! height a visit states, and what `inspect` shows of an export.

use dxa_fixtures::encore::{Units, export_set};
use dxa_fixtures::evidence::hologic_header;
use dxa_fixtures::whole_body::{self, Codes};
use dxa_fixtures::{DxaStudy, Encoding, Group, Header, Row, Ts, ge_style, sr_bytes};

use super::scan::{rows_of, scanned};
use crate::util::{Row as CsvRow, TestEnv, code, stderr};

#[test]
fn a_copy_of_an_export_line_names_the_file_it_copies() {
    let env = TestEnv::new();
    let set = export_set(Units::Grams);
    env.write("a.txt", &set.bmd);
    env.write("b.txt", &export_set(Units::Pounds).bmd);
    scanned(&env);
    let documents = env.csv("documents.csv");
    let copies: Vec<&CsvRow> = rows_of(&documents, "source_path", "in/b.txt");
    assert_eq!(copies.len(), 3);
    for copy in copies {
        assert_eq!(copy["status"], "duplicate_of=in/a.txt", "{copy:?}");
    }
}

#[test]
fn a_childs_total_body_less_head_from_an_export_is_diagnostic() {
    let env = TestEnv::new();
    env.write("export.txt", &export_set(Units::Pounds).bmd);
    // The child's hip SR of that day (a birth date: a child of 10); the hip is not a
    // paediatric site, the TBLH is.
    let mut header = Header::new("scan/child-hip").dated("20240305", "100000");
    header.patient_id = "ENC000202".into();
    header.manufacturer = "GE Healthcare".into();
    header.model = "Lunar iDXA".into();
    header.device_serial = "GE0042".into();
    header.sex = Some("M".into());
    header.birth_date = Some("20140101".into());
    let study = DxaStudy::new(header)
        .group(Group::new("Left Hip").row(Row::new("Total").bmd("0.700").z("-0.5")));
    env.write(
        "hip.dcm",
        &sr_bytes(&ge_style(&study), Encoding::new(Ts::ExplicitLe, true)),
    );
    scanned(&env);
    let studies = env.csv("studies.csv");
    let child = rows_of(&studies, "patient_id", "ENC000202");
    assert_eq!(child.len(), 1, "{studies:#?}");
    assert_eq!(child[0]["population"], "pediatric");
    assert_eq!(
        child[0]["basis_site"], "total_body_less_head",
        "{:?}",
        child[0]
    );
    assert_eq!(child[0]["min_z_score"], "-1.1");
    let measurements = env.csv("measurements.csv");
    let tblh = rows_of(&measurements, "region", "total_body_less_head");
    let used: Vec<_> = tblh
        .iter()
        .filter(|r| r["patient_id"] == "ENC000202")
        .collect();
    assert_eq!(used.len(), 1);
    assert_eq!(used[0]["used_for_diagnosis"], "true", "{:?}", used[0]);
}

#[test]
fn an_export_larger_than_a_read_chunk_is_read_to_its_last_line() {
    let text = dxa_fixtures::encore::utf16le_text(&export_set(Units::Pounds).comp);
    let mut lines = text.split("\r\n");
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    let mut out = vec![header.to_string()];
    // 200 exams of as many patients: about 300 KiB, several times the 64 KiB a scan reads of
    // a file that is not DICOM.
    for i in 0..200 {
        out.push(first.replacen("ENC000101", &format!("BIG{i:05}"), 1));
    }
    let bytes = dxa_fixtures::encore::utf16le(&out.join("\r\n"));
    assert!(bytes.len() > 4 * 64 * 1024, "{} bytes", bytes.len());
    let env = TestEnv::new();
    env.write("big_export.txt", &bytes);
    scanned(&env);
    let documents = env.csv("documents.csv");
    assert_eq!(documents.len(), 200);
    assert_eq!(documents[199]["patient_id"], "BIG00199");
    assert!(env.csv("files.csv").is_empty());
}

#[test]
fn export_visits_have_a_visit_id_of_their_own() {
    let env = TestEnv::new();
    let set = export_set(Units::Pounds);
    env.write("comp.txt", &set.comp);
    env.write("bmd.txt", &set.bmd);
    scanned(&env);
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 3);
    let mut ids: Vec<&str> = studies.iter().map(|r| r["visit_id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        3,
        "one file's three patients: three keys {studies:#?}"
    );
    // The key is the patient and day's, not the file's: the files in another order, or
    // under other names, give the same keys.
    let again = TestEnv::new();
    again.write("z/1.txt", &set.bmd);
    again.write("a/2.txt", &set.comp);
    scanned(&again);
    let mut other: Vec<String> = again
        .csv("studies.csv")
        .iter()
        .map(|r| r["visit_id"].clone())
        .collect();
    other.sort_unstable();
    assert_eq!(ids, other.iter().map(String::as_str).collect::<Vec<_>>());
    for row in env.csv("body_composition.csv") {
        assert!(ids.contains(&row["visit_id"].as_str()), "{row:?}");
    }
}

#[test]
fn the_height_is_the_documents_else_patient_size() {
    let env = TestEnv::new();
    // An SR whose header states PatientSize (m) and PatientWeight (kg).
    let mut header = Header::new("scan/size").dated("20240110", "100000");
    header.patient_id = "SIZE0001".into();
    header.height_m = Some("1.705".into());
    header.weight_kg = Some("70".into());
    let study = DxaStudy::new(header)
        .group(Group::new("Left Hip").row(Row::new("Neck").bmd("0.700").t("-1.9")));
    env.write(
        "sr.dcm",
        &sr_bytes(&ge_style(&study), Encoding::new(Ts::ExplicitLe, true)),
    );
    // The whole-body image: its results document says 165.0 cm, its header 1.50 m.
    let mut wb = hologic_header(
        "scan/size-wb",
        "scan/size-wb",
        ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
        ("20240603", "101500"),
        "Horizon A",
        "300888M",
    );
    wb.height_m = Some("1.50".into());
    env.write(
        "wb.dcm",
        &whole_body::whole_body_image(&wb, &whole_body::whole_body_document(Codes::Absent)),
    );
    scanned(&env);
    let studies = env.csv("studies.csv");
    let sized = rows_of(&studies, "patient_id", "SIZE0001");
    assert_eq!(sized[0]["height_cm"], "170.5", "1.705 m");
    assert_eq!(sized[0]["weight_kg"], "70");
    let whole = rows_of(&studies, "patient_id", "HOL000901");
    assert_eq!(whole[0]["height_cm"], "165.0", "the results document's");
}

#[test]
fn inspect_shows_what_scan_reads_of_an_export() {
    let env = TestEnv::new();
    let path = env.write("any_name.dat", &export_set(Units::Pounds).comp);
    let output = crate::util::dxa()
        .arg("inspect")
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("GE enCORE export (encore_total_body_comp): 3 lines"),
        "{text}"
    );
    assert!(
        text.contains("patient ENC000202 measure date 2024-03-05"),
        "{text}"
    );
    assert!(text.contains("measure_date_order_inferred"), "{text}");
    assert!(
        !text.contains("DOE") && !text.contains("ANNE"),
        "no name: {text}"
    );
}
