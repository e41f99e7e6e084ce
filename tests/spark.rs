//! The Spark recipe (examples/spark, docs/scale.md): whatever the partitioning, the recipe's
//! outputs are byte for byte those of one `scan` of the same files, on a corpus whose
//! cross-file steps all have work to do: exact copies at other paths, re-sends under new
//! SOP Instance UIDs, re-analyses, visits split over several documents, follow-up studies,
//! and a file that is an `error` row.
//!
//! It needs pyspark and Java: `scripts/test.sh` installs them (scripts/lib.sh,
//! `ensure_pyspark`) and runs this test with `DXA_SPARK_PYTHON` set to the Python that has
//! pyspark; a plain `cargo test` lists it as ignored.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dxa_fixtures::corpus::{CorpusOptions, write_corpus};
use dxa_fixtures::{
    DxaStudy, Encoding, SrDoc, Ts, ge_style, hologic_style, hostile, sample, sr_bytes, uid_from,
};

use crate::scale::assert_same_outputs;
use crate::util::{code, dxa, files_under, read_csv, repo, stderr};

/// The corpus: generated SR files (with junk beside some), then the variants below.
const CORPUS_SR_FILES: usize = 240;

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// `study` as a document of its own patient, study and instance, named after `name`.
fn identity(mut study: DxaStudy, name: &str) -> DxaStudy {
    let h = &mut study.header;
    h.patient_id = format!(
        "SPK{:08X}",
        (dxa_fixtures::header::fnv1a_128(name.as_bytes()) >> 96) as u32
    );
    h.study_uid = uid_from(&format!("{name}/study"));
    h.series_uid = uid_from(&format!("{name}/series"));
    h.sop_uid = uid_from(&format!("{name}/sop"));
    study
}

/// Studies of the sample tree, with the style their vendor writes.
fn bases() -> [(DxaStudy, Style); 3] {
    [
        (sample::seed_study(), hologic_style),
        (sample::lunar_dual_femur_study(), ge_style),
        (sample::hologic_dual_femur_forearm_study(), hologic_style),
    ]
}

type Style = fn(&DxaStudy) -> SrDoc;

fn render(study: &DxaStudy, style: Style) -> Vec<u8> {
    sr_bytes(&style(study), Encoding::new(Ts::ExplicitLe, true))
}

/// A BMD text changed by 13 in its last place (0.585 -> 0.598, 1051 -> 1064).
fn changed(bmd: &str) -> String {
    let bmd = bmd.trim();
    match bmd.split_once('.') {
        Some((_, decimals)) => {
            let value: f64 = bmd.parse().expect("a decimal BMD");
            let step = 13.0 / 10f64.powi(decimals.len() as i32);
            format!("{:.*}", decimals.len(), value + step)
        }
        None => (bmd.parse::<i64>().expect("an integer BMD") + 13).to_string(),
    }
}

/// Whether `path` is one of the corpus's SR files: `K.dcm`, or `K_D.dcm` for a visit's
/// further documents (dxa-fixtures' corpus.rs); junk files are `K_name`.
fn is_generated_sr(path: &Path) -> bool {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    path.extension().is_some_and(|e| e == "dcm")
        && path
            .file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|stem| stem.split('_').count() <= 2 && stem.split('_').all(digits))
}

/// Adds the variants to `corpus`, each kind under its own top-level folder so that
/// contiguous ranges of the sorted list put a file and its variant in different partitions.
fn add_variants(corpus: &Path) {
    let generated = files_under(corpus);
    let relative = |p: &Path| p.strip_prefix(corpus).expect("under corpus").to_path_buf();
    let srs: Vec<&PathBuf> = generated.iter().filter(|p| is_generated_sr(p)).collect();
    assert!(srs.len() >= CORPUS_SR_FILES, "{} SR files", srs.len());
    // Exact copies at other paths: one SOP Instance UID twice, a `duplicate` row.
    for path in srs.iter().step_by(29) {
        std::fs::create_dir_all(
            corpus
                .join("x-copies")
                .join(relative(path))
                .parent()
                .unwrap(),
        )
        .unwrap();
        std::fs::copy(path, corpus.join("x-copies").join(relative(path))).unwrap();
    }
    // Re-sends: the same results under a new SOP Instance UID (dcmodify also updates the
    // file meta group's copy), `duplicate_of=` in documents.csv.
    // (dcmtk reads files with a preamble; the generator leaves it out of some.)
    let with_preamble = |p: &&&PathBuf| std::fs::read(p).unwrap().get(128..132) == Some(b"DICM");
    for path in srs.iter().skip(5).step_by(31).filter(with_preamble) {
        let target = corpus.join("u-resends").join(relative(path));
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(path, &target).unwrap();
        let uid = uid_from(&format!("resend/{}", relative(path).display()));
        let status = Command::new("dcmodify")
            .args(["-nb", "-m", &format!("(0008,0018)={uid}")])
            .arg(&target)
            .status()
            .expect("dcmodify (dcmtk) is installed: scripts/test.sh installs it");
        assert!(status.success(), "dcmodify {}", target.display());
    }
    for (i, (base, style)) in bases().into_iter().enumerate() {
        // A re-analysis: the same study analysed again later with a changed value; the
        // later analysis wins (`superseded_by=`), and a re-send of it is a duplicate.
        let name = format!("spark/reanalysis/{i}");
        let mut first = identity(base.clone(), &name);
        first.header.content_time = "090000".into();
        let mut second = first.clone();
        second.header.sop_uid = uid_from(&format!("{name}/sop2"));
        second.header.content_time = "101500".into();
        let bmd = second.groups[0].rows[0].bmd.clone().expect("a BMD");
        second.groups[0].rows[0].bmd = Some(changed(&bmd));
        let mut resent = second.clone();
        resent.header.sop_uid = uid_from(&format!("{name}/sop3"));
        write(
            &corpus.join(format!("a-first/RA{i}.dcm")),
            &render(&first, style),
        );
        write(
            &corpus.join(format!("r-reanalysed/RA{i}.dcm")),
            &render(&second, style),
        );
        write(
            &corpus.join(format!("t-resent/RA{i}.dcm")),
            &render(&resent, style),
        );
        // A visit split over documents of different sites: one group per document, in
        // folders far apart; one visit in studies.csv.
        let whole = identity(base, &format!("spark/split/{i}"));
        let pieces = whole.groups.len().min(3);
        for k in 0..pieces {
            let mut piece = whole.clone();
            piece.groups = whole
                .groups
                .iter()
                .enumerate()
                .filter(|(g, _)| g % pieces == k)
                .map(|(_, group)| group.clone())
                .collect();
            piece.header.sop_uid = uid_from(&format!("spark/split/{i}/{k}"));
            piece.header.series_uid = uid_from(&format!("spark/split/{i}/{k}/series"));
            let folder = ["c-split", "k-split", "w-split"][k];
            write(
                &corpus.join(format!("{folder}/SPLIT{i}.dcm")),
                &render(&piece, style),
            );
        }
    }
    // A file cut short: an `error` row, and exit code 3 for the scan and the recipe.
    let bytes = std::fs::read(srs[3]).unwrap();
    write(
        &corpus.join("e-broken/cut.dcm"),
        &hostile::truncated(&bytes, bytes.len() / 2),
    );
}

/// The single scan of reference, from `dir` (relative paths, as the recipe lists them).
fn single_scan(dir: &Path, out: &str, extra: &[&str]) -> i32 {
    let output = dxa()
        .current_dir(dir)
        .args(["scan", "corpus", "--out", out, "--quiet"])
        .args(extra)
        .output()
        .expect("run dxa-ingest");
    assert!(matches!(code(&output), 0 | 3), "{}", stderr(&output));
    code(&output)
}

/// Runs the recipe from `dir` in `local[2]` mode; it must finish (with the merge's code).
fn recipe(python: &Path, dir: &Path, args: &[&str]) -> Output {
    let output = run_recipe(python, dir, args);
    let text = stderr(&output);
    let finished = |l: &&str| l.starts_with("dxa_spark: ") && l.contains(" partitions: start");
    // The phases' times, for the test's log.
    let lines: Vec<&str> = text.lines().filter(finished).collect();
    assert_eq!(lines.len(), 1, "the recipe did not finish: {text}");
    eprintln!("{}", lines[0]);
    output
}

fn run_recipe(python: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(python)
        .current_dir(dir)
        .arg(repo().join("examples/spark/dxa_spark.py"))
        .args([
            "--master",
            "local[2]",
            "--binary",
            env!("CARGO_BIN_EXE_dxa-ingest"),
        ])
        .args(args)
        .env("PYSPARK_PYTHON", python)
        .env("PYSPARK_DRIVER_PYTHON", python)
        // Spark's own traffic on the loopback address; no web UI.
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env(
            "PYSPARK_SUBMIT_ARGS",
            "--conf spark.ui.enabled=false pyspark-shell",
        )
        .output()
        .expect("run the recipe")
}

fn parts_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
#[ignore = "needs pyspark and Java: scripts/test.sh installs them and runs it"]
fn the_spark_recipe_writes_what_one_scan_writes() {
    let python = PathBuf::from(std::env::var_os("DXA_SPARK_PYTHON").expect(
        "DXA_SPARK_PYTHON: the Python that has pyspark (scripts/test.sh sets it up: ensure_pyspark)",
    ));
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let corpus = dir.join("corpus");
    let options = CorpusOptions {
        n: CORPUS_SR_FILES,
        seed: 15,
        junk_pct: 10,
        image_heavy: false,
    };
    write_corpus(&corpus, &options).expect("write the corpus");
    add_variants(&corpus);
    let key = dir.join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let single_code = single_scan(dir, "single", &[]);
    assert_eq!(single_code, 3, "the cut file is an error row");
    let pseudonymised = [
        "--pseudonymize",
        key.to_str().unwrap(),
        "--shift-dates",
        "--format",
        "parquet",
    ];
    single_scan(dir, "single-pseudo", &pseudonymised);

    // The corpus gives every cross-file step work: otherwise the equality below proves little.
    let documents = read_csv(&dir.join("single/documents.csv"));
    let status = |prefix: &str| {
        documents
            .iter()
            .filter(|d| d["status"].starts_with(prefix))
            .count()
    };
    assert!(status("superseded_by=") >= 3, "re-analyses");
    assert!(status("duplicate_of=") >= 6, "re-sends");
    let files = read_csv(&dir.join("single/files.csv"));
    assert!(
        files.iter().filter(|f| f["reason"] == "duplicate").count() >= 8,
        "copies"
    );
    let studies = read_csv(&dir.join("single/studies.csv"));
    let split = studies
        .iter()
        .filter(|s| s["source_path"].contains("-split/") && s["documents"] == "3")
        .count();
    assert!(split >= 2, "visits of three documents");
    assert!(
        read_csv(&dir.join("single/followup.csv")).len() > 20,
        "follow-up rows"
    );

    // 4 contiguous partitions, partials on a shared path.
    let output = recipe(
        &python,
        dir,
        &["corpus", "--out", "spark-4", "--partitions", "4"],
    );
    assert_eq!(code(&output), single_code, "{}", stderr(&output));
    assert_same_outputs(&dir.join("single"), &dir.join("spark-4"));
    assert_eq!(parts_in(&dir.join("spark-4.parts")).len(), 4);

    // 16 hashed partitions; the binary shipped by Spark, partials sent back to the driver,
    // pseudonymised Parquet outputs.
    let merge_args = format!(
        "--pseudonymize '{}' --shift-dates --format parquet",
        key.display()
    );
    let output = recipe(
        &python,
        dir,
        &[
            "corpus",
            "--out",
            "spark-16",
            "--partitions",
            "16",
            "--split",
            "hashed",
            "--ship-binary",
            "--collect-parts",
            "--parts",
            "collected",
            "--merge-args",
            &merge_args,
        ],
    );
    assert_eq!(code(&output), single_code, "{}", stderr(&output));
    assert_same_outputs(&dir.join("single-pseudo"), &dir.join("spark-16"));
    assert_eq!(
        parts_in(&dir.join("collected")),
        (0..16)
            .map(|k| format!("part-{k:05}.part"))
            .collect::<Vec<_>>()
    );

    // The object-store path: each task streams its files as a tar archive; the files come
    // from a listing read by Spark (as an object store's inventory would be).
    let all: Vec<String> = files_under(&corpus)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    let listing = |paths: &[&String]| paths.iter().map(|p| format!("{p}\n")).collect::<String>();
    std::fs::write(
        dir.join("all.txt"),
        listing(&all.iter().collect::<Vec<_>>()),
    )
    .unwrap();
    let output = recipe(
        &python,
        dir,
        &[
            "--list",
            "all.txt",
            "--out",
            "spark-tar",
            "--partitions",
            "3",
            "--split",
            "hashed",
            "--tar",
        ],
    );
    assert_eq!(code(&output), single_code, "{}", stderr(&output));
    assert_same_outputs(&dir.join("single"), &dir.join("spark-tar"));

    // Incremental: last night's partial holds the first half of the files; tonight's run
    // (contiguous ranges of the listing) scans only the others and merges both.
    let old: Vec<&String> = all.iter().take(all.len() / 2).collect();
    std::fs::write(dir.join("old.txt"), listing(&old)).unwrap();
    let scan = dxa()
        .current_dir(dir)
        .args([
            "scan",
            "--files-from",
            "old.txt",
            "--partial",
            "old.part",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(matches!(code(&scan), 0 | 3), "{}", stderr(&scan));
    let output = recipe(
        &python,
        dir,
        &[
            "--list",
            "all.txt",
            "--out",
            "spark-nightly",
            "--partitions",
            "2",
            "--known",
            "old.part",
        ],
    );
    assert_eq!(code(&output), single_code, "{}", stderr(&output));
    assert_same_outputs(&dir.join("single"), &dir.join("spark-nightly"));
    // The night's partials hold only the new files.
    let mut merge = dxa();
    merge
        .current_dir(dir)
        .args(["merge", "--out", "tonight", "--quiet"]);
    for part in parts_in(&dir.join("spark-nightly.parts")) {
        merge.arg(dir.join("spark-nightly.parts").join(part));
    }
    let merged = merge.output().unwrap();
    assert!(matches!(code(&merged), 0 | 3), "{}", stderr(&merged));
    let tonight: Vec<String> = read_csv(&dir.join("tonight/documents.csv"))
        .into_iter()
        .chain(read_csv(&dir.join("tonight/files.csv")))
        .map(|row| row["source_path"].clone())
        .collect();
    assert_eq!(tonight.len(), all.len() - old.len(), "only the new files");
    assert!(tonight.iter().all(|p| !old.contains(&p)));

    // A scan that fails (here: a profile that does not exist) fails the recipe, with the
    // scan's message, and nothing is merged.
    let output = run_recipe(
        &python,
        dir,
        &[
            "corpus",
            "--out",
            "spark-failed",
            "--partitions",
            "2",
            "--scan-args",
            "--profile missing.toml",
        ],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("dxa_spark: a scan failed, nothing merged: partition"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("profile missing.toml"));
    assert!(!dir.join("spark-failed").exists());
}

/// Found while writing the recipe: `scan --tar` accepted `--known` and read every member
/// anyway. It is now refused (a tar stream comes in any order); the recipe refuses the
/// combination too. Either honoured or refused, never ignored.
#[test]
fn a_tar_scan_honours_or_refuses_known() {
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("all.part");
    let tarball = dir.path().join("sample.tar");
    let scan = dxa()
        .current_dir(repo())
        .args(["scan", "fixtures/sample", "--quiet", "--partial"])
        .arg(&known)
        .output()
        .unwrap();
    assert_eq!(code(&scan), 0, "{}", stderr(&scan));
    let status = Command::new("tar")
        .current_dir(repo())
        .arg("cf")
        .arg(&tarball)
        .arg("fixtures/sample")
        .status()
        .unwrap();
    assert!(status.success());
    let output = dxa()
        .current_dir(repo())
        .arg("scan")
        .arg("--tar")
        .arg(&tarball)
        .arg("--known")
        .arg(&known)
        .arg("--partial")
        .arg(dir.path().join("new.part"))
        .output()
        .unwrap();
    let refused = code(&output) == 2 && stderr(&output).contains("--known");
    let honoured = code(&output) == 0 && stderr(&output).contains(": 0 files seen");
    assert!(refused || honoured, "{}", stderr(&output));
}
