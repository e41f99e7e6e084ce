//! Partial scans and merge (docs/scale.md): however the files are split, `merge` writes the bytes
//! one `scan` of all of them writes; partials that disagree, or are cut short, are refused
//! and nothing is written; incremental scans and tar streams read the same files.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{code, dxa, files_under, repo, stderr};

/// Every output file of a folder, however deep (fhir/, omop/), by its name in the folder
/// (run.json, the run's own record, excepted).
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = files_under(dir)
        .into_iter()
        .filter(|p| {
            p.strip_prefix(dir)
                .is_ok_and(|n| n != Path::new("run.json"))
        })
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

pub(crate) fn assert_same_outputs(single: &Path, merged: &Path) {
    let (a, b) = (outputs(single), outputs(merged));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same files");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{name} differs between the single scan and the merge"
        );
    }
    assert!(a.len() >= 7, "{:?}", names(&a));
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    dxa()
        .current_dir(dir)
        .args(args)
        .arg("--quiet")
        .output()
        .expect("run dxa-ingest")
}

/// The sample tree's files as `fixtures/sample/...`, split into `parts` lists by a rule
/// that scatters neighbours (every k-th file), written into `dir`.
pub(crate) fn split_lists(dir: &Path, parts: usize) -> Vec<PathBuf> {
    let root = repo();
    let files: Vec<String> = files_under(&root.join("fixtures/sample"))
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(files.len() > 10);
    (0..parts)
        .map(|k| {
            let list = dir.join(format!("list{k}.txt"));
            let lines: Vec<&str> = files
                .iter()
                .enumerate()
                .filter(|(i, _)| (i * 7 + 3) % parts == k)
                .map(|(_, f)| f.as_str())
                .collect();
            std::fs::write(&list, lines.join("\n") + "\n").unwrap();
            list
        })
        .collect()
}

pub(crate) fn scan_parts(dir: &Path, lists: &[PathBuf]) -> Vec<String> {
    lists
        .iter()
        .enumerate()
        .map(|(k, list)| {
            let part = dir
                .join(format!("p{k}.part"))
                .to_string_lossy()
                .into_owned();
            let output = run(
                &repo(),
                &[
                    "scan",
                    "--files-from",
                    list.to_str().unwrap(),
                    "--partial",
                    &part,
                ],
            );
            assert_eq!(code(&output), 0, "{}", stderr(&output));
            assert!(
                stderr(&output).contains("recorded in"),
                "{}",
                stderr(&output)
            );
            part
        })
        .collect()
}

#[test]
fn a_merge_of_three_partials_equals_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let parts = scan_parts(dir.path(), &split_lists(dir.path(), 3));
    for extra in [
        vec![],
        vec![
            "--pseudonymize",
            key.to_str().unwrap(),
            "--shift-dates",
            "--format",
            "parquet",
        ],
    ] {
        let single = dir.path().join("single");
        let merged = dir.path().join("merged");
        let mut args = vec!["scan", "fixtures/sample", "--out", single.to_str().unwrap()];
        args.extend(&extra);
        let output = run(&repo(), &args);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let single_line = stderr(&output).lines().last().unwrap().to_string();
        // The partials in another order than they were made.
        let mut args = vec!["merge", &parts[2], &parts[0], &parts[1], "--out"];
        let merged_text = merged.to_string_lossy().into_owned();
        args.push(&merged_text);
        args.extend(&extra);
        let output = run(&repo(), &args);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_same_outputs(&single, &merged);
        // The same summary, but for the time.
        let counts = |line: &str| line.split(" in ").next().unwrap().to_string();
        assert_eq!(
            counts(stderr(&output).lines().last().unwrap()),
            counts(&single_line)
        );
    }
}

#[test]
fn a_path_in_two_partials_is_one_file_and_order_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let lists = split_lists(dir.path(), 2);
    // Part 2 holds every file of part 0 again.
    let both = dir.path().join("both.txt");
    let text =
        std::fs::read_to_string(&lists[0]).unwrap() + &std::fs::read_to_string(&lists[1]).unwrap();
    std::fs::write(&both, text).unwrap();
    let parts = scan_parts(dir.path(), &[lists[0].clone(), both]);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let single = dir.path().join("single");
    for (out, order) in [(&a, [&parts[0], &parts[1]]), (&b, [&parts[1], &parts[0]])] {
        let output = run(
            &repo(),
            &["merge", order[0], order[1], "--out", out.to_str().unwrap()],
        );
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let output = run(
        &repo(),
        &["scan", "fixtures/sample", "--out", single.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0);
    assert_same_outputs(&single, &a);
    assert_same_outputs(&single, &b);
}

#[test]
fn partials_that_disagree_or_are_cut_short_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let lists = split_lists(dir.path(), 2);
    let parts = scan_parts(dir.path(), &lists);
    let other = dir.path().join("other.part");
    let output = run(
        &repo(),
        &[
            "scan",
            "--files-from",
            lists[1].to_str().unwrap(),
            "--partial",
            other.to_str().unwrap(),
            "--max-file-size",
            "8",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("studies.csv"), b"previous run").unwrap();
    let output = run(
        &repo(),
        &[
            "merge",
            &parts[0],
            other.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("other.part"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("other profiles or limits"),
        "{}",
        stderr(&output)
    );
    // A partial cut short.
    let bytes = std::fs::read(&parts[1]).unwrap();
    let cut = dir.path().join("cut.part");
    std::fs::write(&cut, &bytes[..bytes.len() - 20]).unwrap();
    let output = run(
        &repo(),
        &[
            "merge",
            &parts[0],
            cut.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("cut.part"), "{}", stderr(&output));
    // Not a partial at all.
    let output = run(
        &repo(),
        &[
            "merge",
            &parts[0],
            "README.md",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("not a dxa-ingest partial"),
        "{}",
        stderr(&output)
    );
    // The output folder is as it was, and nothing is left beside it.
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["studies.csv"]);
    assert_eq!(
        std::fs::read(out.join("studies.csv")).unwrap(),
        b"previous run"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("staging")),
    );
}

#[test]
fn a_partial_with_a_flipped_bit_or_cut_anywhere_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.part");
    let output = run(
        &repo(),
        &[
            "scan",
            "fixtures/sample",
            "--partial",
            whole.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let bytes = std::fs::read(&whole).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("studies.csv"), b"previous run").unwrap();
    let bad = dir.path().join("bad.part");
    // 60 one-bit flips spread over the whole file (header, records, trailer, checksum),
    // and 20 cuts: each is refused with exit 1, and the output folder stays as it was.
    let flips = (0..60).map(|i| {
        let mut flipped = bytes.clone();
        let position = i * (bytes.len() - 1) / 59;
        flipped[position] ^= 1 << (i % 8);
        (format!("bit {} of byte {position}", i % 8), flipped)
    });
    let cuts = (0..20).map(|i| {
        let cut = i * (bytes.len() - 1) / 19;
        (format!("cut at {cut}"), bytes[..cut].to_vec())
    });
    for (what, damaged) in flips.chain(cuts) {
        std::fs::write(&bad, &damaged).unwrap();
        let output = run(
            &repo(),
            &[
                "merge",
                bad.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&output), 1, "{what}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("bad.part"),
            "{what}: {}",
            stderr(&output)
        );
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["studies.csv"], "{what}");
        assert_eq!(
            std::fs::read(out.join("studies.csv")).unwrap(),
            b"previous run"
        );
    }
    // The same file, undamaged, merges.
    std::fs::write(&bad, &bytes).unwrap();
    let output = run(
        &repo(),
        &[
            "merge",
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn an_incremental_scan_reads_only_new_files_and_merges_to_the_full_scan() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let copy = Command::new("cp")
        .args(["-r", repo().join("fixtures/sample").to_str().unwrap()])
        .arg(&archive)
        .status()
        .unwrap();
    assert!(copy.success());
    // Last night's archive lacked the 2024 Hologic folder.
    let held = dir.path().join("held");
    std::fs::rename(archive.join("hologic/2024"), &held).unwrap();
    let old = run(dir.path(), &["scan", "archive", "--partial", "old.part"]);
    assert_eq!(code(&old), 0, "{}", stderr(&old));
    std::fs::rename(&held, archive.join("hologic/2024")).unwrap();
    let new = run(
        dir.path(),
        &[
            "scan",
            "archive",
            "--known",
            "old.part",
            "--partial",
            "new.part",
        ],
    );
    assert_eq!(code(&new), 0, "{}", stderr(&new));
    // Only the new folder's files were read.
    let held_files = crate::util::files_under(&archive.join("hologic/2024")).len();
    assert!(held_files >= 4);
    assert!(
        stderr(&new).contains(&format!("dxa-ingest: {held_files} files seen")),
        "{}",
        stderr(&new)
    );
    let merged = run(
        dir.path(),
        &["merge", "old.part", "new.part", "--out", "merged"],
    );
    assert_eq!(code(&merged), 0, "{}", stderr(&merged));
    let single = run(dir.path(), &["scan", "archive", "--out", "single"]);
    assert_eq!(code(&single), 0);
    assert_same_outputs(&dir.path().join("single"), &dir.path().join("merged"));
}

#[test]
fn a_tar_stream_gives_what_the_folder_gives() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    let output = run(
        &repo(),
        &["scan", "fixtures/sample", "--out", single.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0);
    // Members in an order that is not path order (tar of a reversed list).
    let mut files: Vec<String> = files_under(&repo().join("fixtures/sample"))
        .iter()
        .map(|p| {
            p.strip_prefix(repo())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.reverse();
    let tarball = dir.path().join("sample.tar");
    let status = Command::new("tar")
        .current_dir(repo())
        .arg("cf")
        .arg(&tarball)
        .args(&files)
        .status()
        .unwrap();
    assert!(status.success());
    let from_tar = dir.path().join("tar");
    let output = dxa()
        .current_dir(repo())
        .args([
            "scan",
            "--tar",
            "-",
            "--quiet",
            "--out",
            from_tar.to_str().unwrap(),
        ])
        .stdin(std::fs::File::open(&tarball).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_same_outputs(&single, &from_tar);
    // run.json counts the members read (every byte of each: a stream is not seeked).
    let sample_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(repo().join(f)).unwrap().len())
        .sum();
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(from_tar.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["bytes_read"].as_u64(), Some(sample_bytes));
    // A stream cut short is fatal: nothing written.
    let bytes = std::fs::read(&tarball).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2 + 17]).unwrap();
    let output = dxa()
        .current_dir(repo())
        .args(["scan", "--tar", cut.to_str().unwrap(), "--quiet", "--out"])
        .arg(dir.path().join("cut-out"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        std::fs::read_dir(dir.path().join("cut-out"))
            .unwrap()
            .count(),
        0
    );
}
