use super::*;
use crate::pipeline::held::HeldRef;
use std::io::{Seek, SeekFrom, Write};
use std::sync::Arc;

use crate::document::with_ids as doc;

/// A partition file of `docs`, padded past `PIECE_BYTES` with documents of their own.
fn partition(dir: &Path, docs: &[Document], filler: usize) -> Spooled {
    let mut bytes = Vec::new();
    let padding = "x".repeat(2000);
    let fill = (0..filler).map(|i| Document {
        title: padding.clone(),
        ..doc(&format!("F{i}"), &format!("FS{i}"), &format!("FP{i}"))
    });
    for (seq, d) in docs.iter().cloned().chain(fill).enumerate() {
        let held = HeldRef::Document(&d);
        codec::encode_frame(&(seq as u64, format!("p{seq}"), held), &mut bytes).unwrap();
    }
    spooled(dir, &bytes)
}

/// `bytes` in a file, to be read back as a partition that spilled.
fn spooled(dir: &Path, bytes: &[u8]) -> Spooled {
    let mut file = tempfile::tempfile_in(dir).unwrap();
    file.write_all(bytes).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    Spooled::file(file).unwrap()
}

fn read(cut: Cut) -> Vec<Vec<(u64, Document)>> {
    cut.pieces
        .into_iter()
        .map(|(piece, _)| {
            let mut docs = Vec::new();
            piece
                .for_each_frame(|frame| {
                    let (seq, _, held): (u64, String, Held) = codec::decode(frame).unwrap();
                    let doc = match held {
                        Held::Document(doc) => Arc::unwrap_or_clone(doc),
                        Held::Resend { sop, .. } => doc(&sop, "", "resend"),
                    };
                    docs.push((seq, doc));
                    Ok(())
                })
                .unwrap();
            docs
        })
        .collect()
}

/// A group over the bound (a study re-sent, an ID for many people) is read in parts
/// of the bound, in path order, the later parts pieces of their own; the other groups
/// are cut as before.
#[test]
fn a_group_over_the_bound_is_read_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    let bound = 40;
    let mut docs: Vec<Document> = Vec::new();
    for i in 0..130 {
        // One study re-sent, and an ID for many people, interleaved; a small patient.
        docs.push(doc(&format!("R{i}"), "RESENT", "P1"));
        docs.push(doc(&format!("A{i}"), &format!("AS{i}"), "ANONYMOUS"));
        if i % 40 == 0 {
            docs.push(doc(&format!("C{i}"), &format!("CS{i}"), "CAROL"));
        }
    }
    let filler = 3 * PIECE_BYTES as usize / 2000;
    let budget = Budget::new(usize::MAX);
    let input = partition(dir.path(), &docs, filler);
    let cut = cut_with(input, dir.path(), &budget, bound).unwrap();
    assert_eq!(
        budget.files_created(),
        0,
        "the pieces and parts fit in memory"
    );
    let over = cut.over.clone();
    let later: Vec<bool> = cut.pieces.iter().map(|(_, later)| *later).collect();
    let pieces = read(cut);
    assert_eq!(
        over,
        HashSet::from([fnv1a(b"P1"), fnv1a(b"ANONYMOUS")]),
        "the two large groups, not Carol nor the filler"
    );
    let total: usize = pieces.iter().map(Vec::len).sum();
    assert_eq!(total, docs.len() + filler, "every document once");
    // 130 documents of each large group: 40 in a shared piece, then parts of 40, 40, 10.
    let in_later: Vec<Vec<&str>> = pieces
        .iter()
        .zip(&later)
        .filter(|(_, later)| **later)
        .map(|(p, _)| p.iter().map(|(_, d)| d.sop_instance_uid.as_str()).collect())
        .collect();
    assert_eq!(in_later.len(), 6, "{in_later:?}");
    for part in &in_later {
        assert!(part.len() == 40 || part.len() == 10, "{}", part.len());
        let first = &part[0][..1];
        assert!(part.iter().all(|s| &s[..1] == first), "one group per part");
    }
    let r_parts: Vec<Vec<&str>> = in_later
        .iter()
        .filter(|p| p[0].starts_with('R'))
        .cloned()
        .collect();
    let names =
        |range: std::ops::Range<usize>| -> Vec<String> { range.map(|i| format!("R{i}")).collect() };
    assert_eq!(r_parts[0], names(40..80), "in path order");
    assert_eq!(r_parts[1], names(80..120));
    assert_eq!(r_parts[2], names(120..130));
    for piece in &pieces {
        assert!(piece.windows(2).all(|w| w[0].0 < w[1].0), "path order kept");
    }
    let carol = pieces
        .iter()
        .zip(&later)
        .filter(|(p, _)| p.iter().any(|(_, d)| d.patient_id == "CAROL"))
        .collect::<Vec<_>>();
    assert_eq!(carol.len(), 1, "Carol whole in one piece");
    assert!(!*carol[0].1);
    assert!(in_group(&doc("x", "", "ANONYMOUS"), &over));
    assert!(!in_group(&doc("x", "", "CAROL"), &over));
}

/// An identical re-send goes where the document it names went, a done part included,
/// and does not count towards its group's parts.
#[test]
fn resends_go_with_their_document_and_do_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let bound = 40;
    let mut bytes = Vec::new();
    let mut seq = 0u64;
    let mut frame = |held: HeldRef<'_>, bytes: &mut Vec<u8>| {
        codec::encode_frame(&(seq, format!("p{seq}"), held), bytes).unwrap();
        seq += 1;
        seq - 1
    };
    // 60 documents of one study: a shared piece of 40, then a part of 20.
    let mut seqs = Vec::new();
    for i in 0..60 {
        let d = doc(&format!("R{i}"), "RESENT", "P1");
        seqs.push(frame(HeldRef::Document(&d), &mut bytes));
    }
    // Re-sends of R5 (in the shared piece) and R45 (in the part, done by now), and
    // 100 of R0: no part of their own.
    for (sop, kept) in [("X5", seqs[5]), ("X45", seqs[45])] {
        frame(HeldRef::Resend { sop, kept }, &mut bytes);
    }
    for i in 0..100 {
        let sop = format!("Y{i}");
        let held = HeldRef::Resend {
            sop: &sop,
            kept: seqs[0],
        };
        frame(held, &mut bytes);
    }
    let padding = "x".repeat(2000);
    for i in 0..(3 * PIECE_BYTES as usize / 2000) {
        let d = Document {
            title: padding.clone(),
            ..doc(&format!("F{i}"), &format!("FS{i}"), &format!("FP{i}"))
        };
        frame(HeldRef::Document(&d), &mut bytes);
    }
    let cut = cut_with(
        spooled(dir.path(), &bytes),
        dir.path(),
        &Budget::new(usize::MAX),
        bound,
    )
    .unwrap();
    let later = cut.pieces.iter().filter(|(_, later)| *later).count();
    assert_eq!(
        later, 1,
        "one part beyond the first 40: the re-sends add none"
    );
    let pieces = read(cut);
    let piece_of = |sop: &str| {
        pieces
            .iter()
            .position(|p| p.iter().any(|(_, d)| d.sop_instance_uid == sop))
            .unwrap()
    };
    assert_eq!(piece_of("X5"), piece_of("R5"));
    assert_eq!(piece_of("X45"), piece_of("R45"));
    assert_ne!(piece_of("R45"), piece_of("R5"));
    assert!((0..100).all(|i| piece_of(&format!("Y{i}")) == piece_of("R0")));
    for piece in &pieces {
        assert!(piece.windows(2).all(|w| w[0].0 < w[1].0), "path order kept");
    }
}

#[test]
fn a_small_partition_is_one_piece() {
    let dir = tempfile::tempdir().unwrap();
    let file = partition(dir.path(), &[doc("1", "S", "P")], 0);
    let budget = Budget::new(0);
    assert_eq!(read(cut(file, dir.path(), &budget).unwrap()).len(), 1);
    assert_eq!(budget.files_created(), 0);
}

#[test]
fn studies_and_patients_stay_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        doc("1", "S1", "ALICE"),
        // Another patient ID within Alice's study: the study's piece.
        doc("2", "S1", "BOB"),
        doc("3", "S2", "ALICE"),
        doc("4", "", "ALICE"),
        doc("5", "S3", "BOB"),
        doc("6", "S1", ""),
        doc("7", "S4", "BOB"),
    ];
    let filler = 3 * PIECE_BYTES as usize / 2000;
    let input = partition(dir.path(), &docs, filler);
    let pieces = read(cut(input, dir.path(), &Budget::new(usize::MAX)).unwrap());
    assert!(pieces.len() >= 3, "{} pieces", pieces.len());
    let total: usize = pieces.iter().map(Vec::len).sum();
    assert_eq!(total, docs.len() + filler, "every document once");
    let piece_of = |sop: &str| {
        pieces
            .iter()
            .position(|p| p.iter().any(|(_, d)| d.sop_instance_uid == sop))
            .unwrap()
    };
    for sop in ["2", "3", "4", "6"] {
        assert_eq!(piece_of(sop), piece_of("1"), "document {sop}");
    }
    assert_eq!(
        piece_of("7"),
        piece_of("5"),
        "Bob's own studies: Bob's piece"
    );
    for piece in &pieces {
        assert!(piece.windows(2).all(|w| w[0].0 < w[1].0), "path order kept");
    }
    assert!(
        pieces.iter().filter(|p| !p.is_empty()).count() >= 2,
        "the filler spreads"
    );
}

/// Pieces and parts are the same whether they wait in memory or spill to files (a
/// budget too small for them), and files are created only then.
#[test]
fn pieces_are_the_same_in_memory_or_spilled() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs: Vec<Document> = Vec::new();
    for i in 0..90 {
        docs.push(doc(&format!("R{i}"), "RESENT", "P1"));
        docs.push(doc(
            &format!("C{i}"),
            &format!("CS{i}"),
            &format!("P{}", i % 7),
        ));
    }
    let filler = 3 * PIECE_BYTES as usize / 2000;
    let mut results = Vec::new();
    for limit in [usize::MAX, 200 * 1024, 0] {
        let budget = Budget::new(limit);
        let input = partition(dir.path(), &docs, filler);
        let cut = cut_with(input, dir.path(), &budget, 40).unwrap();
        let later: Vec<bool> = cut.pieces.iter().map(|(_, later)| *later).collect();
        assert_eq!(budget.files_created() > 0, limit != usize::MAX, "{limit}");
        results.push((later, read(cut)));
        assert_eq!(budget.held(), 0);
    }
    assert!(results[0].0.iter().filter(|l| **l).count() >= 2);
    assert_eq!(results[1], results[0]);
    assert_eq!(results[2], results[0]);
}

/// The outputs of a scan of the sample fixtures (`--fhir --omop`, and pseudonymised
/// for files.csv's sorted runs) into `out`, every file but run.json.
fn scan_sample(out: &Path, pseudonymize: bool) -> Vec<(String, Vec<u8>)> {
    use clap::Parser;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample");
    let key = out.with_extension("key");
    std::fs::write(&key, "a key of thirty-two bytes or more").unwrap();
    let mut args = vec!["dxa-ingest", "scan", sample.to_str().unwrap()];
    args.extend([
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--fhir",
        "--omop",
    ]);
    if pseudonymize {
        args.extend(["--pseudonymize", key.to_str().unwrap(), "--shift-dates"]);
    }
    let crate::cli::Command::Scan(scan) = crate::cli::Cli::parse_from(args).command else {
        unreachable!("a scan");
    };
    let config = crate::cli::scan_config(scan).unwrap();
    let mapper = crate::profile::load(&config.profiles).unwrap();
    crate::scan::run(&config, &mapper).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = crate::test_files::files_under(out)
        .into_iter()
        .filter(|path| path.file_name().unwrap() != "run.json")
        .map(|path| {
            let name = path
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// A small run keeps its temporary data in memory: the end of the run creates no
/// temporary file. With no budget (`test_hook`) every partition and run spills to
/// files, as a run beyond the budget does, and every output is byte-identical.
#[test]
fn a_small_run_creates_no_temporary_file_and_spilling_changes_no_byte() {
    use crate::store::test_hook;
    let root = tempfile::tempdir().unwrap();
    for pseudonymize in [false, true] {
        let kept = root.path().join(format!("kept-{pseudonymize}"));
        let spilled = root.path().join(format!("spilled-{pseudonymize}"));
        std::fs::create_dir_all(&kept).unwrap();
        std::fs::create_dir_all(&spilled).unwrap();
        test_hook::limit_under(&spilled, 0);
        let in_memory = scan_sample(&kept.join("out"), pseudonymize);
        assert_eq!(test_hook::files_created_under(&kept), 0);
        let on_disk = scan_sample(&spilled.join("out"), pseudonymize);
        assert!(test_hook::files_created_under(&spilled) >= 5, "spilled");
        assert!(in_memory.len() >= 8, "{:?}", in_memory.len());
        assert_eq!(
            in_memory.iter().map(|f| &f.0).collect::<Vec<_>>(),
            on_disk.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for (a, b) in in_memory.iter().zip(&on_disk) {
            assert!(a.1 == b.1, "{} differs", a.0);
        }
    }
}

/// A run with a partition to cut gives its budget up for the visit step; one without
/// keeps it.
#[test]
fn a_partition_to_cut_closes_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let small = || partition(dir.path(), &[doc("1", "S", "P")], 0);
    let budget = Budget::new(usize::MAX);
    make_room(&[small(), small()], &budget);
    let mut probe = crate::store::Runs::with_budget(dir.path(), &budget);
    let run = |runs: &crate::store::Runs| {
        let mut run = crate::store::RunBuf::default();
        run.push(vec![1], b"row");
        runs.append(run).unwrap();
    };
    run(&probe);
    assert_eq!(budget.files_created(), 0, "still open");
    let filler = 3 * PIECE_BYTES as usize / 2000;
    make_room(&[small(), partition(dir.path(), &[], filler)], &budget);
    probe = crate::store::Runs::with_budget(dir.path(), &budget);
    run(&probe);
    assert_eq!(budget.files_created(), 1, "closed: the run went to a file");
}
