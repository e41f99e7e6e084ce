//! Tests of the whole page: every section, the numbers as text, escaping, determinism,
//! odd shapes, and the page's size with every list full.

use std::collections::BTreeMap;

use super::attention::{ATTENTION_CAP, Attention, AttentionRow, Concern, TrendPoint, TrendSeries};
use super::bands::Band;
use super::files::FILES_CAP;
use super::*;
use crate::date::Date;
use crate::decimal::Decimal;
use crate::error::{FileError, Reason};
use crate::followup::Family;
use crate::followup::Verdict;
use crate::followup::lsc::{Lsc, LscSource};
use crate::vocabulary::{Laterality, Region};

fn run_info() -> RunInfo {
    RunInfo {
        version: "dxa-ingest 0.1.0".to_string(),
        options: vec![
            ("--radius-diagnostic".into(), "off".into()),
            ("--followup".into(), "auto".into()),
        ],
        profiles: crate::provenance::profile_digests(&[]).expect("built-ins"),
    }
}

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect("decimal")
}

fn date(year: u16, month: u8, day: u8) -> Date {
    Date { year, month, day }
}

/// A report as a real run fills it, with every list at its cap when `full`.
fn populated(full: bool) -> ReportData {
    let mut data = ReportData {
        files_seen: 1500,
        ingested: 1234,
        studies: 1100,
        skipped: 200,
        errors: 66,
        ..ReportData::default()
    };
    data.by_manufacturer.insert("hologic".into(), 800);
    data.by_manufacturer.insert("ge_lunar".into(), 420);
    data.by_manufacturer.insert("other".into(), 14);
    let models = [
        ("HOLOGIC", "Horizon A", 410),
        ("HOLOGIC", "Horizon W", 220),
        ("HOLOGIC", "Discovery A", 120),
        ("HOLOGIC", "QDR-4500A", 50),
        ("GE Healthcare", "Lunar iDXA", 260),
        ("GE Healthcare", "Lunar Prodigy", 140),
        ("LUNAR", "DPX-NT", 20),
        ("Norland", "XR-800", 6),
        ("Norland", "Excell", 3),
        ("Osteosys", "Dexxum T", 2),
        ("Medilink", "Medix DR", 1),
        ("DMS", "Stratos", 1),
        ("Swissray", "Prestige", 1),
        ("Diagnostic Medical Systems", "Challenger", 1),
        ("Hologic", "Delphi", 1),
        ("Lunar", "Expert", 1),
        ("Lunar", "DPX-IQ", 1),
    ];
    for (maker, model, n) in models {
        data.by_model.insert((maker.into(), model.into()), n);
    }
    for (y, n) in [
        (2012u16, 40),
        (2013, 60),
        (2015, 90),
        (2016, 120),
        (2022, 184),
    ] {
        data.by_year.insert(y, n);
    }
    data.visit_dates = Some((date(2012, 1, 3), date(2022, 12, 20)));
    data.visits_without_date = 2;
    for (k, n) in [
        ("osteopenia", 520),
        ("normal", 380),
        ("osteoporosis", 230),
        ("below_expected_range_for_age", 18),
        ("within_expected_range_for_age", 41),
        ("indeterminate", 45),
    ] {
        data.by_classification.insert(k.into(), n);
    }
    // Deterministic spreads of T-scores (no randomness in tests).
    for i in 0..1130u32 {
        let tenths = -50 + (i * 7 % 80) as i64;
        data.add_deciding_t(Decimal::from_parts(tenths, 1).expect("decimal"));
        for site in ["spine", "total_hip", "femoral_neck"] {
            data.add_t_score(site, Decimal::from_parts(tenths + 3, 1).expect("decimal"));
        }
    }
    data.add_t_score("radius_33", d("-2.5"));
    for (status, reason, n) in [
        ("skipped", "not_sr", 120),
        ("skipped", "not_dxa", 44),
        ("skipped", "duplicate", 30),
        ("skipped", "not_dicom", 6),
        ("error", "truncated", 40),
        ("error", "malformed", 21),
        ("error", "io_error", 5),
    ] {
        data.files_by_reason
            .insert((status.into(), reason.into()), n);
    }
    let files = if full { FILES_CAP + 5 } else { 3 };
    let long = "/archive/".to_string() + &"deep/".repeat(30);
    for i in 0..files {
        data.not_ingested.add(
            &format!("{long}{i:06}.dcm"),
            &FileError::new(Reason::Truncated, "the file ends at byte 1234 of 5678"),
        );
        data.not_ingested.add(
            &format!("{long}img{i:06}.dcm"),
            &FileError::new(
                Reason::NotSr,
                "CT Image Storage (1.2.840.10008.5.1.4.1.1.2)",
            ),
        );
    }
    for (site, loss, stable, gain, nc) in [
        ("spine", 40, 180, 25, 12),
        ("total_hip", 35, 190, 14, 9),
        ("femoral_neck", 28, 170, 10, 20),
    ] {
        let m = data.followup.entry(site.into()).or_default();
        m.insert("significant_loss".into(), loss);
        m.insert("stable".into(), stable);
        m.insert("significant_gain".into(), gain);
        m.insert("not_comparable".into(), nc);
    }
    let visits = if full { ATTENTION_CAP as u64 + 40 } else { 12 };
    let mut part = Attention::default();
    for i in 0..visits {
        let patient = format!("PSEUDONYM-{:058}", i);
        let concerns = match i % 4 {
            0 => vec![Concern::Osteoporosis],
            1 => vec![Concern::Osteoporosis, Concern::SignificantLoss],
            2 => vec![Concern::LowZ],
            _ => vec![Concern::DiscordantVertebrae, Concern::SignificantLoss],
        };
        let losses = if concerns.contains(&Concern::SignificantLoss) {
            vec!["total_hip left −7.44 %".to_string()]
        } else {
            Vec::new()
        };
        part.trends.insert(
            patient.clone(),
            [Family::Spine, Family::FemoralNeck, Family::TotalHip]
                .iter()
                .map(|&family| TrendSeries {
                    family,
                    side: if family == Family::Spine {
                        Laterality::None
                    } else {
                        Laterality::Left
                    },
                    lsc: (Lsc::Percent(d("5.0")), LscSource::Default),
                    lsc_g_cm2: Some(d("0.041")),
                    points: (0..4u16)
                        .map(|k| TrendPoint {
                            date: date(2016 + 2 * k, 3, 1 + (i % 27) as u8),
                            bmd_milli: 820 - 15 * i32::from(k),
                            region: Region::TotalHip,
                            vs_prior: [
                                None,
                                Some(Verdict::Stable),
                                Some(Verdict::SignificantLoss),
                                Some(Verdict::NotComparable),
                            ][k as usize],
                        })
                        .collect(),
                })
                .collect(),
        );
        part.add(AttentionRow {
            patient,
            date: Some(date(
                2015 + (i % 8) as u16,
                1 + (i % 12) as u8,
                1 + (i % 28) as u8,
            )),
            classification: if i % 4 == 2 {
                "below_expected_range_for_age"
            } else {
                "osteoporosis"
            },
            min_t: Some(d("-2.8")),
            min_z: Some(d("-2.1")),
            concerns,
            losses,
            seq: i,
        });
    }
    part.cap();
    data.attention.merge(part);
    use crate::bodycomp::index::{BodyFlag, FmiClass};
    for (flags, n) in [
        (vec![BodyFlag::FmiClass(FmiClass::Normal)], 30),
        (
            vec![
                BodyFlag::LowMuscleMassEwgsop2,
                BodyFlag::FmiClass(FmiClass::ObeseClass1),
            ],
            7,
        ),
        (vec![BodyFlag::HeightUnknown], 4),
    ] {
        for _ in 0..n {
            data.body.add(&flags);
        }
    }
    data
}

#[test]
fn populated_report_has_every_section_chart_and_number() {
    let html = render(&populated(false), &run_info());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    for section in page::Section::ALL {
        let (id, title) = section.id_and_title();
        assert!(
            html.contains(&format!("<h2 id=\"{id}-h\">{title}</h2>")),
            "{title}"
        );
    }
    // categories, deciding T, 4 per-site histograms, not ingested, follow-up,
    // manufacturer, model, year.
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 11);
    assert!(
        !html.contains("class=\"chart-error\""),
        "a chart failed to draw"
    );
    assert!(!html.contains("No data"));
    assert!(html.contains(">1234<") && html.contains(">410<") && html.contains(">520<"));
    assert!(html.contains("2012-01-03 to 2022-12-20"));
    // Body composition: 41 visits, 37 classified, 7 with low muscle mass.
    assert!(html.contains("Visits per FMI class"));
    assert!(html.contains("<td class=\"num\">41</td>") && html.contains(">37<"));
    assert!(
        html.contains("<td class=\"label\">low_muscle_mass_ewgsop2</td><td class=\"num\">7</td>")
    );
    assert!(html.contains("2 visits without a date"));
    assert!(html.contains("--radius-diagnostic") && html.contains("built-in hologic"));
    // The WHO bands: the deciding table's rows add up to the visits counted.
    let counts = bands::per_band(&populated(false).deciding_t);
    for (band, n) in Band::ALL.iter().zip(counts) {
        assert!(
            html.contains(&format!("<tr data-band=\"{}\">", band.as_str())),
            "{band:?}"
        );
        assert!(n > 0);
    }
    assert!(html.contains("T ≤ −2.5") && html.contains("T ≥ −1.0"));
    assert!(html.contains("(per site)"));
    // The attention table and its trend data.
    assert_eq!(html.matches("<tr data-patient=").count(), 12);
    assert!(html.contains("id=\"trend-data\""));
    assert!(html.contains("significant loss (total_hip left −7.44 %)"));
    assert!(html.contains("every visit that needs attention"));
    // Next steps and file names.
    assert!(html.contains("<code>dxa-ingest inspect FILE</code>"));
    assert!(html.contains("img000002.dcm"));
    assert!(!html.contains("more are in files.csv") || html.contains("266"));
    // Model names are not prefixed with their manufacturer.
    assert!(!html.contains("HOLOGIC Horizon A"));
    // Self-contained: the SVG namespace is the only URL; the scripts are inline.
    let rest = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!rest.contains("http"), "a URL other than the SVG namespace");
    assert!(!rest.contains("<link") && !rest.contains("<img") && !rest.contains("url("));
    assert!(!rest.contains("<script src"));
    assert_eq!(
        html.matches("<script").count(),
        2,
        "the trend data and the script"
    );
}

#[test]
fn empty_report_says_no_data() {
    let html = render(&ReportData::default(), &RunInfo::default());
    assert!(html.contains("No data"));
    assert_eq!(html.matches("<svg").count(), 0, "no empty chart");
    for section in page::Section::ALL {
        let (_, title) = section.id_and_title();
        assert!(html.contains(&format!("{title}</h2>")), "heading {title}");
    }
    assert!(html.contains("not recorded"), "no options given");
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn hostile_labels_are_escaped() {
    let hostile = "<script>alert(1)</script>";
    let mut data = populated(false);
    data.by_manufacturer.insert(hostile.into(), 5);
    data.by_manufacturer
        .insert("A & B \"quoted\" 'single'".into(), 4);
    data.by_model
        .insert((hostile.into(), format!("{hostile} & \"m\"")), 900);
    data.by_classification.insert(hostile.into(), 3);
    data.files_by_reason
        .insert(("error".into(), format!("{hostile}\"r\"&amp;")), 7);
    data.not_ingested
        .add(hostile, &FileError::new(Reason::Malformed, hostile));
    data.t_score_histograms
        .insert(hostile.into(), [(-20, 1)].into_iter().collect());
    data.followup
        .entry(hostile.into())
        .or_default()
        .insert(hostile.into(), 2);
    let mut row = data.attention.rows[0].clone();
    row.patient = hostile.into();
    row.classification = hostile;
    row.seq = 999_999;
    data.attention.trends.insert(hostile.into(), Vec::new());
    data.attention.rows.insert(0, row);
    let run = RunInfo {
        version: format!("x{hostile}"),
        options: vec![(hostile.into(), hostile.into())],
        profiles: vec![(hostile.into(), hostile.into())],
    };
    let html = render(&data, &run);
    let lower = html.to_lowercase();
    // The page's own two script elements, and nothing from the data.
    assert_eq!(lower.matches("<script").count(), 2);
    assert_eq!(lower.matches("</script").count(), 2);
    assert!(!html.contains("A & B"));
    assert!(html.contains("A &amp; B &quot;quoted&quot; &#39;single&#39;"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("\\u003cscript\\u003e"), "escaped in the JSON");
    // Every '&' outside the script starts an entity.
    let body = &html[..html.find("<script").expect("script")];
    for (i, _) in body.match_indices('&') {
        let tail = &body[i..body.len().min(i + 10)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| tail.starts_with(e)),
            "bare ampersand at {i}: {tail}"
        );
    }
    assert!(!html.contains("class=\"chart-error\""));
}

/// The page is a function of its data alone: the counts of two partitions merged in either
/// order give the same bytes (merge, docs/scale.md), and no clock is on the page. The files
/// not ingested are one list in path order (the run's files.csv stream), not a partition's.
#[test]
fn the_page_depends_on_its_data_alone() {
    let first = populated(false);
    let mut second = populated(false);
    second.files_seen = 7;
    second.by_year = BTreeMap::from([(1999, 4), (2031, 1)]);
    for row in &mut second.attention.rows {
        row.patient = format!("{}-second", row.patient);
        row.seq += 1_000_000;
    }
    second.attention.trends = std::mem::take(&mut second.attention.trends)
        .into_iter()
        .map(|(patient, series)| (format!("{patient}-second"), series))
        .collect();
    second.not_ingested = Default::default();
    second.files_by_reason = BTreeMap::from([(("error".into(), "truncated".into()), 3)]);
    let mut one_way = first.clone();
    one_way.merge(second.clone());
    let mut other_way = second;
    other_way.merge(first.clone());
    let page = render(&one_way, &run_info());
    assert_eq!(page, render(&other_way, &run_info()));
    assert_ne!(page, render(&first, &run_info()), "the merge shows");
    assert!(page.contains(">truncated<"));
    assert!(page.contains("-second"));
    let today = crate::date::rfc3339(std::time::SystemTime::now());
    assert!(!page.contains(&today[..10]), "no date of today on the page");
}

/// With every list at its cap (long pseudonyms, long paths, four points per series), the
/// page stays far below the 5 MB docs/report.md ("Size") allows at 100 000 visits.
#[test]
fn a_full_page_stays_small() {
    let data = populated(true);
    assert_eq!(data.attention.rows.len(), ATTENTION_CAP);
    assert_eq!(data.attention.trends.len(), ATTENTION_CAP);
    assert_eq!(data.not_ingested.errors.len(), FILES_CAP);
    let html = render(&data, &run_info());
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    assert!(
        html.contains("40 more visits are in the CSVs"),
        "the cap is stated"
    );
    assert_eq!(html.matches("<tr data-patient=").count(), ATTENTION_CAP);
}

#[test]
fn odd_shapes_do_not_panic() {
    let mut data = ReportData::default();
    data.by_manufacturer.insert("x".into(), u64::MAX / 4);
    data.by_model.insert((String::new(), String::new()), 0);
    data.by_year.insert(0, 1);
    data.by_year.insert(u16::MAX, 2);
    data.deciding_t.insert(i32::MIN, 3);
    data.deciding_t.insert(i32::MAX, u64::MAX);
    data.t_score_histograms
        .insert("empty".into(), BTreeMap::new());
    data.files_by_reason
        .insert(("weird".into(), "r".repeat(500)), 1);
    data.attention.visits = 1;
    let html = render(&data, &RunInfo::default());
    assert!(html.contains("</html>"));
    assert!(!html.contains("class=\"chart-error\""), "{html}");
    data.by_year = (1990..2030).map(|y| (y, 1)).collect();
    let html = render(&data, &RunInfo::default());
    assert!(!html.contains("class=\"chart-error\""));
    for year in [1990, 2029] {
        assert!(
            html.contains(&format!(">{year}<")),
            "{year} in the year table"
        );
    }
}
