//! `scan` end to end on inputs built in memory by the fixture writer.

use dxa_fixtures::{DxaStudy, Encoding, Group, Header, Row, Ts, hologic_style, sr_bytes};

use crate::util::{TestEnv, code, dxa, repo, rows_where, stderr};

fn small_study(name: &str, neck_t: &str) -> Vec<u8> {
    let mut header = Header::new(name);
    // One patient per study: the same patient, day and device would be one visit.
    header.patient_id = format!("PAT-{name}");
    header.manufacturer = "HOLOGIC".into();
    header.birth_date = Some("19500101".into());
    header.sex = Some("F".into());
    let study = DxaStudy::new(header).group(
        Group::new("Left Hip")
            .row(Row::new("Neck").bmd("0.600").t(neck_t).z("-1.0"))
            .row(Row::new("Total").bmd("0.750").t("-1.5").z("-0.5")),
    );
    sr_bytes(&hologic_style(&study), Encoding::new(Ts::ExplicitLe, true))
}

#[test]
fn jobs_do_not_change_a_byte() {
    let env = TestEnv::new();
    for i in 0..40 {
        let bytes = small_study(&format!("det/{i}"), &format!("-{}.{}", i % 4, i % 10));
        env.write(&format!("d{}/s{i:02}.dcm", i % 7), &bytes);
        env.write(&format!("d{}/junk{i}.txt", i % 5), b"junk");
    }
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "8"] {
        let out = format!("out-{jobs}");
        let output = dxa()
            .current_dir(env.dir.path())
            .args(["scan", "in", "--quiet", "--jobs", jobs, "--out", &out])
            .output()
            .expect("run");
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let read = |name: &str| std::fs::read(env.dir.path().join(&out).join(name)).unwrap();
        outputs.push([
            read("measurements.csv"),
            read("studies.csv"),
            read("files.csv"),
        ]);
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    // And the content is what was written: 40 visits, 80 rows, 40 junk files.
    let text = String::from_utf8(outputs[0][1].clone()).unwrap();
    assert_eq!(text.lines().count(), 41);
}

#[test]
fn files_from_reads_a_list_and_reports_missing_paths() {
    let env = TestEnv::new();
    let a = env.write("a.dcm", &small_study("list/a", "-2.0"));
    env.write("b.dcm", &small_study("list/b", "-2.0"));
    let list = format!("{}\n{}/missing.dcm\n\n", a.display(), env.input().display());
    let mut child = dxa()
        .current_dir(env.dir.path())
        .args(["scan", "--files-from", "-", "--out", "out", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 3, "a missing listed file is an error row");
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 1, "only the listed file");
    assert!(studies[0]["source_path"].ends_with("a.dcm"));
    let files = env.csv("files.csv");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["reason"], "io_error");
    assert!(files[0]["source_path"].ends_with("missing.dcm"));
}

/// The worked example of docs/profiles.md: a French export unknown to the built-ins.
fn french_export() -> Vec<u8> {
    use dxa_fixtures::{CONTAINS, Item, SrDoc, code};
    let mut header = Header::new("test/french");
    header.manufacturer = "DENSITIX".into();
    header.birth_date = Some("19480101".into());
    header.sex = Some("F".into());
    let g = |v: &str| code(v, "UCUM", v);
    let num = |meaning: &str, value: &str, unit: &str| {
        Item::num(CONTAINS, code(meaning, "99DTX", meaning), value, g(unit))
    };
    let dmo = |value: &str| Item::num(CONTAINS, code("DMO", "99DTX", "DMO"), value, g("g/cm2"));
    let doc = SrDoc {
        header,
        root: Item::container(
            CONTAINS,
            code("RAPPORT", "99DTX", "Compte rendu d'ostéodensitométrie"),
            vec![
                Item::container(
                    CONTAINS,
                    code("GRP", "99DTX", "Rachis lombaire"),
                    vec![Item::container(
                        CONTAINS,
                        code("ROW", "99DTX", "L1-L4"),
                        vec![
                            dmo("0.912"),
                            num("T-score (jeune adulte)", "-1.3", "{T-score}"),
                        ],
                    )],
                ),
                Item::container(
                    CONTAINS,
                    code("GRP", "99DTX", "Hanche gauche"),
                    vec![
                        Item::container(
                            CONTAINS,
                            code("ROW", "99DTX", "Col fémoral"),
                            vec![
                                dmo("0.601"),
                                num("T-score (jeune adulte)", "-2.6", "{T-score}"),
                            ],
                        ),
                        Item::container(
                            CONTAINS,
                            code("ROW", "99DTX", "Total"),
                            vec![
                                dmo("0.744"),
                                num("T-score (jeune adulte)", "-1.6", "{T-score}"),
                            ],
                        ),
                    ],
                ),
            ],
        ),
    };
    sr_bytes(&doc, Encoding::new(Ts::ExplicitLe, true))
}

#[test]
fn user_profile_maps_an_unknown_export() {
    let env = TestEnv::new();
    env.write("fr.dcm", &french_export());
    // Without the profile the built-ins do not recognise it: nothing ingested, exit 4.
    let output = env.scan(&[]);
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert_eq!(env.csv("studies.csv").len(), 0);
    assert_eq!(env.csv("files.csv")[0]["reason"], "not_dxa");

    let profile = repo().join("docs/examples/french-export.toml");
    let output = env.scan(&["--profile", profile.to_str().unwrap()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rows = env.csv("measurements.csv");
    let got: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["region"].as_str(),
                r["laterality"].as_str(),
                r["source_label"].as_str(),
                r["bmd_g_cm2"].as_str(),
                r["t_score"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("spine_L1-L4", "", "L1-L4", "0.912", "-1.3"),
            ("femoral_neck", "left", "Col fémoral", "0.601", "-2.6"),
            ("total_hip", "left", "Total", "0.744", "-1.6"),
        ]
    );
    let study = &env.csv("studies.csv")[0];
    assert_eq!(study["classification"], "osteoporosis");
    assert_eq!(study["basis_site"], "femoral_neck/left");
}

#[test]
fn a_bad_profile_is_a_fatal_error_naming_the_rule() {
    let env = TestEnv::new();
    env.write("x.txt", b"x");
    let profile = env.dir.path().join("bad.toml");
    std::fs::write(
        &profile,
        "name = \"bad\"\n[[regions]]\nlabels = [\"Neck\"]\nregion = \"neck\"\n",
    )
    .unwrap();
    let output = env.scan(&["--profile", profile.to_str().unwrap()]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("bad.toml") && err.contains("[[regions]] #1") && err.contains("\"neck\""),
        "{err}"
    );
}

#[test]
fn mg_units_and_every_transfer_syntax_give_the_same_rows() {
    let env = TestEnv::new();
    let study = DxaStudy::new(Header::new("ts/all"))
        .group(Group::new("AP Spine").row(Row::new("Total").bmd("0.930").t("-1.1")));
    let doc = hologic_style(&study);
    for ts in Ts::ALL {
        for preamble in [true, false] {
            let mut d = doc.clone();
            d.header.sop_uid = format!("{}.{}{}", d.header.sop_uid, ts as u8, u8::from(preamble));
            let bytes = sr_bytes(&d, Encoding::new(ts, preamble));
            env.write(
                &format!("{}-{preamble}.dcm", ts.short_name().replace(' ', "_")),
                &bytes,
            );
        }
    }
    let output = env.scan(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rows = env.csv("measurements.csv");
    assert_eq!(rows.len(), 8, "4 syntaxes x with/without preamble");
    for row in &rows {
        assert_eq!(row["region"], "spine_L1-L4", "{}", row["source_path"]);
        assert_eq!(row["bmd_g_cm2"], "0.930", "{}", row["source_path"]);
        assert_eq!(row["t_score"], "-1.1");
    }
    assert!(rows_where(&env.csv("files.csv"), "source_path", "").is_empty());
}
