//! report.html end to end on a generated tree (a seeded benchmark corpus plus patients
//! followed on one device, some losing bone): the attention table against studies.csv and
//! followup.csv, the WHO band counts against studies.csv, the per-site T-scores of the
//! T-score population only, the page's size, and the same bytes whatever `--jobs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dxa_fixtures::corpus::{CorpusOptions, write_corpus};
use dxa_fixtures::{DxaStudy, Encoding, Group, Header, Lat, Row, Ts, hologic_style, sr_bytes};

use crate::util::{Row as CsvRow, TestEnv, code, dxa, read_csv, stderr};

/// report::ATTENTION_CAP: the rows the table lists at most.
const ATTENTION_CAP: usize = 250;

/// One visit of a patient followed on one Hologic device: hip and spine.
fn followed_visit(patient: usize, visit: usize, hip_bmd: &str, neck_t: &str) -> Vec<u8> {
    let name = format!("followed/{patient}/{visit}");
    let mut header = Header::new(&name).dated(&format!("{}0612", 2035 + 2 * visit), "100000");
    header.patient_id = format!("FOLLOW{patient:03}");
    header.manufacturer = "HOLOGIC".into();
    header.model = "Horizon A".into();
    header.device_serial = "HOL-300123".into();
    header.birth_date = Some("19550101".into());
    header.sex = Some("F".into());
    let study = DxaStudy::new(header)
        .group(Group::new("AP Spine").row(Row::new("Total").bmd("0.930").t("-1.1").z("-0.2")))
        .group(
            Group::new("Left Hip")
                .lat(Lat::Left)
                .row(Row::new("Neck").bmd("0.600").t(neck_t).z("-0.8"))
                .row(Row::new("Total").bmd(hip_bmd).t("-1.5").z("-0.5")),
        );
    sr_bytes(&hologic_style(&study), Encoding::new(Ts::ExplicitLe, true))
}

/// The tree: a corpus with more visits that need attention than the table lists, and
/// followed patients: a loss of 0.060 g/cm² from 0.800 is beyond the default 5.0 % LSC;
/// neck T on the thresholds (-2.5 osteoporosis, -2.4 osteopenia, -1.1, -1.0 normal).
fn tree(env: &TestEnv) {
    write_corpus(
        &env.input().join("corpus"),
        &CorpusOptions {
            n: 900,
            seed: 13,
            junk_pct: 5,
            ..CorpusOptions::default()
        },
    )
    .expect("corpus");
    let series: [(&[&str], &str); 4] = [
        (&["0.800", "0.740", "0.735"], "-2.5"),
        (&["0.800", "0.790", "0.700"], "-2.4"),
        (&["0.800", "0.805", "0.810"], "-1.1"),
        (&["0.800", "0.800"], "-1.0"),
    ];
    for (patient, (bmds, neck_t)) in series.iter().enumerate() {
        for (visit, bmd) in bmds.iter().enumerate() {
            env.write(
                &format!("followed/{patient}/{visit}.dcm"),
                &followed_visit(patient, visit, bmd, neck_t),
            );
        }
    }
}

fn scan(env: &TestEnv, jobs: &str) -> (Vec<u8>, std::path::PathBuf) {
    let out = env.dir.path().join(format!("out-{jobs}"));
    let output = dxa()
        .current_dir(env.dir.path())
        .args(["scan", "in", "--quiet", "--jobs", jobs, "--out"])
        .arg(&out)
        .output()
        .expect("run dxa-ingest");
    assert!(matches!(code(&output), 0 | 3), "{}", stderr(&output));
    let page = std::fs::read(out.join("report.html")).expect("report.html");
    (page, out)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text between `start` (after it) and the next `end`.
fn after<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the page"))
        + start.len();
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The contents of the `<td>` cells of one table row.
fn cells(row: &str) -> Vec<String> {
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let body = &cell[cell.find('>').expect("cell") + 1..];
            unescape(&body[..body.find("</td>").expect("cell end")])
        })
        .collect()
}

/// One row of the attention table as the page shows it.
#[derive(Debug, PartialEq, Eq)]
struct Shown {
    patient: String,
    date: String,
    classification: String,
    min_t: String,
    min_z: String,
    concerns: String,
}

fn attention_table(page: &str) -> Vec<Shown> {
    let table = after(page, "id=\"attention-table\">", "</table>");
    table
        .split("<tr data-patient=\"")
        .skip(1)
        .map(|row| {
            let concerns = after(row, "data-concerns=\"", "\"").to_string();
            let c = cells(row);
            Shown {
                patient: c[0].clone(),
                date: c[1].clone(),
                classification: c[2].clone(),
                min_t: c[3].clone(),
                min_z: c[4].clone(),
                concerns,
            }
        })
        .collect()
}

/// visit SOP Instance UID -> position of its studies.csv row.
fn studies_by_sop(studies: &[CsvRow]) -> BTreeMap<String, usize> {
    studies
        .iter()
        .enumerate()
        .map(|(i, r)| (r["sop_instance_uid"].clone(), i))
        .collect()
}

/// document SOP Instance UID -> its visit's SOP Instance UID.
fn visit_of(out: &Path) -> BTreeMap<String, String> {
    read_csv(&out.join("documents.csv"))
        .into_iter()
        .map(|r| {
            (
                r["sop_instance_uid"].clone(),
                r["visit_sop_instance_uid"].clone(),
            )
        })
        .collect()
}

/// The attention rows the CSVs call for, in the table's order: newest first, then patient
/// ID, then path order (studies.csv's row order).
fn expected_attention(out: &Path) -> (Vec<Shown>, BTreeMap<&'static str, u64>) {
    let studies = read_csv(&out.join("studies.csv"));
    let by_sop = studies_by_sop(&studies);
    let visit_of = visit_of(out);
    let mut losses: BTreeSet<usize> = BTreeSet::new();
    for row in read_csv(&out.join("followup.csv")) {
        // A loss since the prior visit, or since the baseline when the prior is on another
        // device.
        if row["vs_prior"] == "significant_loss"
            || (row["vs_prior"] == "not_comparable" && row["vs_baseline"] == "significant_loss")
        {
            let visit = &visit_of[&row["sop_instance_uid"]];
            losses.insert(by_sop[visit]);
        }
    }
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut rows: Vec<(usize, Shown)> = Vec::new();
    for (i, study) in studies.iter().enumerate() {
        let flags: Vec<&str> = study["flags"].split(';').collect();
        let class = study["classification"].as_str();
        let mut concerns = Vec::new();
        if class == "osteoporosis" {
            concerns.push("osteoporosis");
        }
        if flags.contains(&"z_score_le_-2") || class == "below_expected_range_for_age" {
            concerns.push("low_z");
        }
        if losses.contains(&i) {
            concerns.push("significant_loss");
        }
        if flags.contains(&"spine_vertebra_discordant") {
            concerns.push("discordant_vertebrae");
        }
        if flags.contains(&"frax_above_treatment_threshold") {
            concerns.push("frax_above_threshold");
        }
        if concerns.is_empty() {
            continue;
        }
        for c in &concerns {
            *counts.entry(c).or_default() += 1;
        }
        rows.push((
            i,
            Shown {
                patient: study["patient_id"].clone(),
                date: study["study_date"].clone(),
                classification: class.to_string(),
                min_t: study["min_t_score"].clone(),
                min_z: study["min_z_score"].clone(),
                concerns: concerns.join(" "),
            },
        ));
    }
    rows.sort_by(|(i, a), (j, b)| {
        let date = match (a.date.is_empty(), b.date.is_empty()) {
            (false, false) => b.date.cmp(&a.date),
            (a_empty, b_empty) => a_empty.cmp(&b_empty),
        };
        date.then_with(|| a.patient.cmp(&b.patient)).then(i.cmp(j))
    });
    (rows.into_iter().map(|(_, s)| s).collect(), counts)
}

/// The band of a T-score as written (one decimal), in the classifier's words.
fn band(t: &str) -> &'static str {
    let tenths = (t.parse::<f64>().expect("T-score") * 10.0).round() as i64;
    if tenths <= -25 {
        "osteoporosis"
    } else if tenths < -10 {
        "osteopenia"
    } else {
        "normal"
    }
}

#[test]
fn the_page_agrees_with_the_csvs_and_does_not_depend_on_jobs() {
    let env = TestEnv::new();
    tree(&env);
    let (page_1, out) = scan(&env, "1");
    let (page_2, _) = scan(&env, "2");
    assert!(
        page_1 == page_2,
        "--jobs 1 and --jobs 2 wrote different pages"
    );
    assert!(page_1.len() < 5 * 1024 * 1024, "{} bytes", page_1.len());
    let page = String::from_utf8(page_1).expect("UTF-8 page");

    // The attention table: the first ATTENTION_CAP visits the CSVs call for, in order.
    let (expected, counts) = expected_attention(&out);
    assert!(
        expected.len() > ATTENTION_CAP,
        "the tree must have more visits that need attention than the table lists ({})",
        expected.len()
    );
    // FOLLOW000's second visit and FOLLOW001's third (the corpus changes device at every
    // visit: its comparisons are not comparable).
    assert_eq!(counts["significant_loss"], 2, "{counts:?}");
    let shown = attention_table(&page);
    assert_eq!(shown.len(), ATTENTION_CAP);
    for (i, (page_row, csv_row)) in shown.iter().zip(&expected).enumerate() {
        assert_eq!(page_row, csv_row, "row {i}");
    }
    let total: usize = after(&page, "id=\"attention-total\">", "<")
        .parse()
        .expect("total");
    assert_eq!(total, expected.len());
    let more: usize = after(&page, "data-more=\"", "\"").parse().expect("more");
    assert_eq!(more, expected.len() - ATTENTION_CAP);
    for (concern, n) in &counts {
        let row = after(&page, &format!("data-concern=\"{concern}\">"), "</tr>");
        assert_eq!(cells(row)[1], n.to_string(), "{concern}");
    }
    // The followed patients come first (the newest visits) and their losses are named.
    assert!(shown[0].patient.starts_with("FOLLOW"), "{:?}", shown[0]);
    assert!(page.contains("significant loss (total_hip left −7.50 %)"));
    assert!(
        page.contains("\"FOLLOW000\":[{"),
        "the trend data of a listed patient"
    );

    // The deciding T histogram: its bands are studies.csv's WHO categories.
    let studies = read_csv(&out.join("studies.csv"));
    for name in ["osteoporosis", "osteopenia", "normal"] {
        let in_csv = studies
            .iter()
            .filter(|r| r["classification"] == name)
            .count();
        let row = after(&page, &format!("<tr data-band=\"{name}\">"), "</tr>");
        assert_eq!(cells(row)[2], in_csv.to_string(), "{name}");
        assert!(in_csv > 0, "{name}");
    }

    // Per site: rows used for diagnosis of the T-score population only.
    let by_sop = studies_by_sop(&studies);
    let visit_of = visit_of(&out);
    let mut expected_sites: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    let mut other_population = 0;
    for m in read_csv(&out.join("measurements.csv")) {
        if m["used_for_diagnosis"] != "true" || m["t_score"].is_empty() {
            continue;
        }
        let study = &studies[by_sop[&visit_of[&m["sop_instance_uid"]]]];
        if study["population"] != "adult_t_score" {
            other_population += 1;
            continue;
        }
        let site = if m["region"].starts_with("spine_") {
            "spine".to_string()
        } else {
            m["region"].clone()
        };
        let i = ["osteoporosis", "osteopenia", "normal"]
            .iter()
            .position(|b| *b == band(&m["t_score"]))
            .expect("band");
        expected_sites.entry(site).or_default()[i] += 1;
    }
    assert!(
        other_population > 0,
        "the tree must have Z-score patients whose used rows carry a T-score"
    );
    let site_table = after(&page, "id=\"site-bands\">", "</table>");
    let shown_sites: BTreeMap<String, [u64; 3]> = site_table
        .split("<tr data-site=\"")
        .skip(1)
        .map(|row| {
            let site = row[..row.find('"').expect("site")].to_string();
            let c = cells(row);
            let n = |k: usize| c[k].parse::<u64>().expect("count");
            (site, [n(0), n(1), n(2)])
        })
        .collect();
    assert_eq!(shown_sites, expected_sites);

    // Files not ingested by name, with the next step of their reason.
    let files = read_csv(&out.join("files.csv"));
    assert!(!files.is_empty());
    assert!(page.contains(&format!(
        "<td class=\"path\">{}</td>",
        files[0]["source_path"]
    )));
    assert!(page.contains("Nothing to do: not a DICOM file"));
    // No input path and no clock: the page names the input folder nowhere.
    assert!(!page.contains(env.dir.path().to_str().expect("UTF-8 temp path")));
}

/// Under --pseudonymize (and --shift-dates) the page names patients, files and dates as the
/// CSVs do: no patient ID, path or study date of the files appears in it.
#[test]
fn the_page_is_pseudonymised_like_the_csvs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("key");
    std::fs::write(&key, b"a key of thirty-two bytes, fixed").expect("key");
    let out = dir.path().join("out");
    let run = |extra: &[&str], out: &Path| {
        let output = crate::util::scan_sample_into(out, extra);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    };
    let plain = dir.path().join("plain");
    run(&[], &plain);
    let key_arg = key.to_str().expect("UTF-8 path");
    run(&["--pseudonymize", key_arg, "--shift-dates"], &out);
    let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");

    let raw_studies = read_csv(&plain.join("studies.csv"));
    let raw_files = read_csv(&plain.join("files.csv"));
    for study in &raw_studies {
        assert!(
            !page.contains(&study["patient_id"]),
            "{}",
            study["patient_id"]
        );
        assert!(
            !page.contains(&study["study_date"]),
            "{}",
            study["study_date"]
        );
    }
    for file in &raw_files {
        assert!(
            !page.contains(&file["source_path"]),
            "{}",
            file["source_path"]
        );
    }
    // The attention table names the visits as studies.csv does.
    let studies = read_csv(&out.join("studies.csv"));
    let shown = attention_table(&page);
    assert!(!shown.is_empty());
    for row in &shown {
        assert!(
            studies
                .iter()
                .any(|s| s["patient_id"] == row.patient && s["study_date"] == row.date),
            "{row:?}"
        );
    }
    assert!(page.contains(&format!(
        "<td class=\"path\">{}</td>",
        read_csv(&out.join("files.csv"))[0]["source_path"]
    )));
    assert!(page.contains("<td>--pseudonymize</td><td>on</td>"));
}

#[test]
fn followup_never_leaves_follow_up_out_of_the_page_too() {
    let env = TestEnv::new();
    for (visit, bmd) in ["0.800", "0.740"].iter().enumerate() {
        env.write(
            &format!("followed/0/{visit}.dcm"),
            &followed_visit(0, visit, bmd, "-2.5"),
        );
    }
    let run = |extra: &[&str], name: &str| {
        let out = env.dir.path().join(name);
        let output = dxa()
            .current_dir(env.dir.path())
            .args(["scan", "in", "--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .expect("run dxa-ingest");
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");
        (page, out)
    };
    let none = "no follow-up comparison was made.";
    let (page, out) = run(&[], "auto");
    assert!(out.join("followup.csv").exists());
    assert!(!page.contains(none));
    let losses = |page: &str| {
        attention_table(page)
            .iter()
            .filter(|row| row.concerns.contains("significant_loss"))
            .count()
    };
    assert_eq!(losses(&page), 1, "the loss of 0.060 g/cm² is shown");
    let (page, out) = run(&["--followup", "never"], "never");
    assert!(!out.join("followup.csv").exists());
    assert!(
        page.contains(none),
        "no follow-up section without followup.csv"
    );
    assert_eq!(losses(&page), 0, "no loss without a comparison");
}

mod sample;
