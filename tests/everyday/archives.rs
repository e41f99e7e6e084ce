//! Archives (a ZIP export, a .tar.gz) read member by member, in a walk and with --tar:
//! members bounded like files, and what an archive gives is what the folder gives.

use crate::util::{TestEnv, code, dxa, repo, scan_sample_into, stderr};

/// A ZIP of `members` (name, bytes), deflated, as the zip crate writes it.
fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(name.as_str(), options).unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A gzip-compressed tar of `members`.
fn tgz_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// The sample's files as (path under fixtures/sample, bytes).
fn sample_files() -> Vec<(String, Vec<u8>)> {
    let root = repo().join("fixtures/sample");
    crate::util::files_under(&root)
        .into_iter()
        .map(|p| {
            let name = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn archives_found_in_a_walk_are_read_member_by_member() {
    let env = TestEnv::new();
    // GE's export layout in a ZIP with no telling name, the 2020 Hologic visit in a .tgz,
    // a ZIP inside the ZIP, and members whose names try to leave the archive or hide.
    let (in_tgz, in_zip): (Vec<_>, Vec<_>) = sample_files()
        .into_iter()
        .partition(|(name, _)| name.starts_with("hologic/2020/"));
    let mut ge: Vec<(String, Vec<u8>)> = in_zip
        .iter()
        .enumerate()
        .map(|(i, (_, bytes))| (format!("SDY00000/SRS{:05}/IMG{i:05}", i / 4), bytes.clone()))
        .collect();
    ge.push(("nested.zip".into(), zip_of(&in_tgz)));
    ge.push(("../outside.dcm".into(), in_tgz[0].1.clone()));
    ge.push(("/absolute.dcm".into(), b"not DICOM".to_vec()));
    ge.push(("red\u{1b}[31m\u{202e}mcd.exe".into(), b"text".to_vec()));
    env.write("nightly/EXPORT", &zip_of(&ge));
    env.write("nightly/hologic-2020.tgz", &tgz_of(&in_tgz));
    let output = env.scan(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let (documents, files) = (env.csv("documents.csv"), env.csv("files.csv"));
    // The sample's 31 documents (the one outside.dcm repeats is a duplicate; an enCORE
    // export's lines are a document each) make the sample's 16 visits, classified alike.
    assert_eq!(documents.len(), 31, "{documents:?}");
    let classes = |rows: Vec<crate::util::Row>| {
        let mut c: Vec<String> = rows.iter().map(|r| r["classification"].clone()).collect();
        c.sort();
        c
    };
    let reference = tempfile::tempdir().unwrap();
    assert_eq!(
        code(&scan_sample_into(&reference.path().join("out"), &[])),
        0
    );
    assert_eq!(
        classes(env.csv("studies.csv")),
        classes(crate::util::read_csv(
            &reference.path().join("out/studies.csv")
        ))
    );
    // Every member is one row, named ARCHIVE/MEMBER; each archive has its own row.
    let rows: Vec<&str> = documents
        .iter()
        .chain(&files)
        .map(|r| r["source_path"].as_str())
        .collect();
    // An enCORE export member is a row per line (its documents).
    let lines = |bytes: &[u8]| match dxa_ingest::carrier::encore::starts_like_export(bytes) {
        true => {
            dxa_fixtures::encore::utf16le_text(bytes)
                .trim_end()
                .lines()
                .count()
                - 1
        }
        false => 1,
    };
    let mut export_lines = 0;
    for (name, bytes) in &ge[..ge.len() - 3] {
        let path = format!("in/nightly/EXPORT/{name}");
        let expected = lines(bytes);
        export_lines += expected - 1;
        assert_eq!(
            rows.iter().filter(|r| **r == path).count(),
            expected,
            "{path}"
        );
    }
    assert_eq!(
        export_lines,
        8 - 3,
        "the sample's three export files, eight lines"
    );
    for (name, _) in &in_tgz {
        let path = format!("in/nightly/hologic-2020.tgz/{name}");
        assert_eq!(rows.iter().filter(|r| **r == path).count(), 1, "{path}");
    }
    assert_eq!(
        rows.len(),
        ge.len() + in_tgz.len() + 2 + export_lines,
        "{rows:?}"
    );
    let row = |path: &str| {
        files
            .iter()
            .find(|r| r["source_path"] == path)
            .unwrap_or_else(|| panic!("no row {path}: {files:?}"))
    };
    let export = row("in/nightly/EXPORT");
    assert_eq!(
        (&*export["status"], &*export["reason"]),
        ("skipped", "archive")
    );
    assert!(export["message"].starts_with("a ZIP archive"), "{export:?}");
    assert!(row("in/nightly/hologic-2020.tgz")["message"].starts_with("a gzip-compressed tar"));
    // An archive inside an archive is not opened; odd names stay inside the row's name.
    assert!(row("in/nightly/EXPORT/nested.zip")["message"].starts_with("a ZIP archive"));
    // `..` is a name inside the archive, never resolved: the member is read (and sorts
    // first, so the .tgz's copy of it is the duplicate).
    assert!(
        documents
            .iter()
            .any(|r| r["source_path"] == "in/nightly/EXPORT/../outside.dcm")
    );
    assert_eq!(
        row("in/nightly/hologic-2020.tgz/hologic/2020/HOL000123_DOE_JANE/RPT_LHIP.dcm")["reason"],
        "duplicate"
    );
    assert_eq!(row("in/nightly/EXPORT/absolute.dcm")["reason"], "not_dicom");
    assert_eq!(
        row("in/nightly/EXPORT/red\\x1B[31m\\xE2\\x80\\xAEmcd.exe")["reason"],
        "not_dicom"
    );
}

#[test]
fn archive_members_are_bounded_like_files() {
    let env = TestEnv::new();
    let zeros = vec![0u8; 3 << 20];
    // A member over --max-file-size 1 (MiB): a too_large row, never read.
    env.write("big.zip", &zip_of(&[("big.dcm".into(), zeros.clone())]));
    // A member whose header says 100 bytes and which inflates to 3 MiB.
    let mut lying = zip_of(&[("liar.dcm".into(), zeros.clone())]);
    patch_sizes(&mut lying, 100);
    env.write("liar.zip", &lying);
    // Three members over one compressed block (the "better zip bomb"): refused whole.
    env.write(
        "bomb.zip",
        &overlapping(&zip_of(&[("a".into(), zeros.clone())])),
    );
    // More members than an archive may hold (its directory says so: refused unread).
    env.write(
        "many.zip",
        &claiming_members(&zip_of(&[("m".into(), Vec::new())]), 100_001),
    );
    // A .tgz cut short: the members before the cut are rows, the archive's is an error.
    let tgz = tgz_of(&sample_files());
    env.write("cut.tgz", &tgz[..tgz.len() / 2]);
    let output = env.scan(&["--max-file-size", "1"]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let files = env.csv("files.csv");
    let row = |path: &str| {
        let r = files
            .iter()
            .find(|r| r["source_path"] == path)
            .unwrap_or_else(|| panic!("no row {path}"));
        (r["reason"].clone(), r["message"].clone())
    };
    assert_eq!(row("in/big.zip/big.dcm").0, "too_large");
    let (reason, message) = row("in/liar.zip/liar.dcm");
    assert_eq!(reason, "too_large", "inflating stops at the cap: {message}");
    let (reason, message) = row("in/bomb.zip");
    assert_eq!(reason, "malformed", "{message}");
    assert!(message.contains("zip bomb"), "{message}");
    assert!(
        !files
            .iter()
            .any(|r| r["source_path"].starts_with("in/bomb.zip/"))
    );
    let (reason, message) = row("in/many.zip");
    assert_eq!(reason, "too_large", "{message}");
    assert!(message.contains("more than 100000 members"), "{message}");
    assert!(
        !files
            .iter()
            .any(|r| r["source_path"].starts_with("in/many.zip/"))
    );
    let (reason, message) = row("in/cut.tgz");
    assert_eq!(reason, "truncated", "{message}");
    let read = files
        .iter()
        .filter(|r| r["source_path"].starts_with("in/cut.tgz/"))
        .count()
        + env
            .csv("documents.csv")
            .iter()
            .filter(|r| r["source_path"].starts_with("in/cut.tgz/"))
            .count();
    assert!(
        read > 3 && read < sample_files().len(),
        "{read} members before the cut"
    );
}

/// Sets every uncompressed size of a one-member ZIP (local header and directory) to `size`.
fn patch_sizes(zip: &mut [u8], size: u32) {
    for (signature, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let start = zip.windows(4).position(|w| w == signature).unwrap();
        zip[start + at..start + at + 4].copy_from_slice(&size.to_le_bytes());
    }
}

/// A ZIP whose end records (ZIP64, APPNOTE 4.3.14-16) claim `members` entries.
fn claiming_members(zip: &[u8], members: u64) -> Vec<u8> {
    let directory = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let end = zip.windows(4).position(|w| w == b"PK\x05\x06").unwrap();
    let mut out = zip[..end].to_vec();
    let record_at = out.len() as u64;
    out.extend_from_slice(b"PK\x06\x06");
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&members.to_le_bytes());
    out.extend_from_slice(&members.to_le_bytes());
    out.extend_from_slice(&((end - directory) as u64).to_le_bytes());
    out.extend_from_slice(&(directory as u64).to_le_bytes());
    out.extend_from_slice(b"PK\x06\x07\0\0\0\0");
    out.extend_from_slice(&record_at.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(
        b"PK\x05\x06\0\0\0\0\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\0\0",
    );
    out
}

/// A one-member ZIP made into three directory entries (names a, b, c) that point at the
/// same compressed bytes.
fn overlapping(zip: &[u8]) -> Vec<u8> {
    let directory = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let end = zip.windows(4).position(|w| w == b"PK\x05\x06").unwrap();
    let entry = &zip[directory..end];
    let mut out = zip[..directory].to_vec();
    for name in [b'a', b'b', b'c'] {
        let mut copy = entry.to_vec();
        copy[46] = name;
        out.extend_from_slice(&copy);
    }
    let mut eocd = zip[end..].to_vec();
    eocd[8..10].copy_from_slice(&3u16.to_le_bytes());
    eocd[10..12].copy_from_slice(&3u16.to_le_bytes());
    eocd[12..16].copy_from_slice(&(3 * entry.len() as u32).to_le_bytes());
    out.extend_from_slice(&eocd);
    out
}

#[test]
fn a_zip_or_a_gzip_tar_given_to_tar_gives_what_the_folder_gives() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    assert_eq!(code(&scan_sample_into(&single, &[])), 0);
    // Members named as the folder's files, in reverse path order.
    let mut members: Vec<(String, Vec<u8>)> = sample_files()
        .into_iter()
        .map(|(name, bytes)| (format!("fixtures/sample/{name}"), bytes))
        .collect();
    members.reverse();
    for (name, bytes) in [
        ("sample.zip", zip_of(&members)),
        ("sample.tgz", tgz_of(&members)),
    ] {
        let archive = dir.path().join(name);
        std::fs::write(&archive, bytes).unwrap();
        let out = dir.path().join(format!("{name}-out"));
        let output = dxa()
            .current_dir(repo())
            .args([
                "scan",
                "--tar",
                archive.to_str().unwrap(),
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{name}: {}", stderr(&output));
        crate::scale::assert_same_outputs(&single, &out);
    }
    // A gzip tar from a pipe too; a ZIP needs its file (its directory is at its end).
    let output = dxa()
        .current_dir(repo())
        .args(["scan", "--tar", "-", "--quiet", "--out"])
        .arg(dir.path().join("piped"))
        .stdin(std::fs::File::open(dir.path().join("sample.tgz")).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    crate::scale::assert_same_outputs(&single, &dir.path().join("piped"));
    let output = dxa()
        .current_dir(repo())
        .args(["scan", "--tar", "-", "--quiet", "--out"])
        .arg(dir.path().join("zip-piped"))
        .stdin(std::fs::File::open(dir.path().join("sample.zip")).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("give --tar the file"),
        "{}",
        stderr(&output)
    );
}
