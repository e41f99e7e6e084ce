//! Pseudonymised outputs hold nothing that names a patient (docs/privacy.md): not
//! the identifiers of the files, not the paths they were found at (folders named after
//! patients), not the option files' paths, and not a name typed into a document's free
//! text; every age over 89 is 90; rows come in the order of the pseudonyms, in scan and merge
//! alike; partials, which keep identifiers, cannot be asked to pseudonymise.

use std::path::Path;

use crate::util::{code, dxa, files_under, read_csv, repo, stderr};

mod planted;
use planted::{GIVEN, SURNAME, all_texts, identifiers, inputs, leaks, path_components};

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    dxa()
        .current_dir(dir)
        .args(args)
        .arg("--quiet")
        .output()
        .unwrap()
}

#[test]
fn pseudonymized_outputs_hold_no_identifier_path_or_name_in_free_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = inputs(dir.path());
    let key = dir.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    // Option files in folders that name the patient too.
    let options = dir.path().join(format!("{SURNAME}_site_options"));
    std::fs::create_dir(&options).unwrap();
    let lsc = options.join(format!("lsc_{GIVEN}.csv"));
    std::fs::write(&lsc, "site,lsc_g_cm2\nspine,0.030\n").unwrap();
    let profile = options.join(format!("profile_{GIVEN}.toml"));
    std::fs::write(
        &profile,
        "name = \"site\"\ndescription = \"a site's own\"\n",
    )
    .unwrap();
    let known = options.join(format!("known_{GIVEN}.part"));
    let empty = dir.path().join("nothing");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(
        code(&run(
            dir.path(),
            &[
                "scan",
                empty.to_str().unwrap(),
                "--partial",
                known.to_str().unwrap()
            ]
        )),
        0
    );
    let (root_arg, key_arg) = (root.to_str().unwrap(), key.to_str().unwrap());
    let option_args = [
        "--lsc",
        lsc.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--format",
        "parquet",
        "--fhir",
        "--omop",
    ];
    // Without a key, the planted text reaches the outputs: what is checked below is real.
    let plain = dir.path().join("plain");
    let output = run(
        dir.path(),
        &[
            &["scan", root_arg, "--out", plain.to_str().unwrap()],
            &option_args[..],
        ]
        .concat(),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let plain_text: String = all_texts(&plain).into_iter().map(|(_, t)| t).collect();
    for planted in [
        "because SVENSSON ASTRID is under 50",
        "Nordic SVENSSON",
        "DXA Report SVENSSON",
        "Grade 2 see SVENSSON",
        "L2 ASTRID",
        "Letter about SVENSSON ASTRID",
    ] {
        assert!(
            plain_text.contains(planted),
            "{planted:?} is not in the plain outputs"
        );
    }

    let out = dir.path().join("out");
    let output = run(
        dir.path(),
        &[
            &[
                "scan",
                root_arg,
                "--out",
                out.to_str().unwrap(),
                "--known",
                known.to_str().unwrap(),
                "--pseudonymize",
                key_arg,
                "--shift-dates",
            ],
            &option_args[..],
        ]
        .concat(),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let ids = identifiers(&root);
    assert!(ids.len() > 60, "{} identifiers", ids.len());
    let mut paths = files_under(&root);
    paths.extend([lsc.clone(), profile.clone(), known.clone()]);
    let components = path_components(&paths, dir.path());
    assert!(
        components.iter().any(|c| c == "HOL000123_DOE_JANE"),
        "{components:?}"
    );
    let texts = all_texts(&out);
    assert!(
        texts.len() >= 21,
        "7 CSV, 7 Parquet, report.html, run.json, fhir/bundles.ndjson, 4 OMOP tables"
    );
    for (path, text) in &texts {
        for secret in ids.iter().chain(&components) {
            assert!(
                !leaks(text, secret),
                "{secret:?} survives in {}",
                path.display()
            );
        }
    }

    // What was withheld is said, and the data is still there.
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let withheld = &run_json["free_text_withheld"];
    for (vocabulary, at_least) in [
        ("frax_remark", 1),
        ("ethnicity", 1),
        ("document_title", 1),
        ("fracture_grade", 1),
        ("vertebra", 1),
        ("quoted", 1),
    ] {
        assert!(
            withheld[vocabulary].as_u64().unwrap() >= at_least,
            "{vocabulary}: {withheld}"
        );
    }
    let studies = read_csv(&out.join("studies.csv"));
    // The sample's remark is known and stays; the planted one keeps its opening only.
    let planted = studies
        .iter()
        .find(|r| r["frax_not_reported"] == "FRAX not reported because …")
        .expect("the planted remark, its opening kept");
    assert!(studies.iter().any(|r| r["frax_not_reported"]
        == "FRAX not reported because the patient is under 50 and premenopausal criteria apply"));
    assert_eq!(planted["ethnicity"], "");
    assert_eq!(planted["patient_age_years"], "90.0", "93 is written as 90");
    let history = read_csv(&out.join("history.csv"));
    assert!(
        history.iter().any(|h| h["age_years"] == "90"),
        "the trend's 92 is written as 90: {history:?}"
    );
    assert!(
        history
            .iter()
            .all(|h| h["age_years"].is_empty() || h["age_years"].parse::<f64>().unwrap() <= 90.0)
    );
    let files = read_csv(&out.join("files.csv"));
    assert!(
        files.iter().any(|f| f["message"].contains("\"…\"")),
        "the letter's title withheld in its message: {files:?}"
    );

    // Rows in the order of the pseudonyms, not of the original paths.
    for name in [
        "studies.csv",
        "documents.csv",
        "files.csv",
        "measurements.csv",
    ] {
        let rows = read_csv(&out.join(name));
        let shown: Vec<&str> = rows.iter().map(|r| r["source_path"].as_str()).collect();
        let mut sorted = shown.clone();
        sorted.sort_unstable();
        assert_eq!(shown, sorted, "{name} is in pseudonym order");
    }

    // merge writes the same bytes from partials (which hold the identifiers).
    let part = dir.path().join("all.part");
    let output = run(
        dir.path(),
        &[
            &["scan", root_arg, "--partial", part.to_str().unwrap()],
            &["--profile", profile.to_str().unwrap()][..],
        ]
        .concat(),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let merged = dir.path().join("merged");
    let mut args = vec![
        "merge",
        part.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--pseudonymize",
        key_arg,
        "--shift-dates",
    ];
    args.extend([
        "--lsc",
        lsc.to_str().unwrap(),
        "--format",
        "parquet",
        "--fhir",
        "--omop",
    ]);
    let output = run(dir.path(), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    crate::scale::assert_same_outputs(&out, &merged);
}

#[test]
fn a_partial_is_never_pseudonymized_merge_is() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [5u8; 32]).unwrap();
    let part = dir.path().join("a.part");
    let sample = repo().join("fixtures/sample");
    let refused = |output: std::process::Output| {
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        assert!(
            stderr(&output).contains("pseudonymise in the merge"),
            "{}",
            stderr(&output)
        );
    };
    refused(run(
        dir.path(),
        &[
            "scan",
            sample.to_str().unwrap(),
            "--partial",
            part.to_str().unwrap(),
            "--pseudonymize",
            key.to_str().unwrap(),
        ],
    ));
    assert!(!part.exists());
    let output = run(
        dir.path(),
        &[
            "scan",
            sample.to_str().unwrap(),
            "--partial",
            part.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let next = dir.path().join("b.part");
    refused(run(
        dir.path(),
        &[
            "merge",
            part.to_str().unwrap(),
            "--partial",
            next.to_str().unwrap(),
            "--pseudonymize",
            key.to_str().unwrap(),
            "--shift-dates",
        ],
    ));
    assert!(!next.exists());
}
