//! The two readers agree: the in-place index (the default, fast) and dicom-object (the
//! reference) give the same content tree and the same document for every file of the sample
//! tree and of a generated corpus of all styles and transfer syntaxes.

use std::path::Path;

use dxa_ingest::extract::extract_with;
use dxa_ingest::sr::{Body, ContentTree, Decoded, Limits, Reader, read_sr};

use crate::util::{files_under, repo};

/// Compares both readers on one file; returns whether it was an SR both read.
fn same_from_both_readers(path: &Path) -> bool {
    let bytes = std::fs::read(path).expect("read");
    let limits = Limits::default();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let index = read_sr(&bytes, &limits, &mut a, Reader::Index);
    let object = read_sr(&bytes, &limits, &mut b, Reader::DicomObject);
    let (index, object) = match (index, object) {
        (Ok(index), Ok(object)) => (index, object),
        (Err(x), Err(y)) => {
            assert_eq!(x, y, "{}", path.display());
            return false;
        }
        (x, y) => panic!("{}: readers disagree: {x:?} vs {y:?}", path.display()),
    };
    let (decoded_index, decoded_object) = (Decoded::default(), Decoded::default());
    let tree_index = match &index.body {
        Body::Indexed(set) => ContentTree::read_with_relationships(set.root(), &decoded_index),
        Body::Object(_) => panic!("{}: the index reader fell back", path.display()),
    };
    let tree_object = match &object.body {
        Body::Object(object) => ContentTree::read_with_relationships(object, &decoded_object),
        Body::Indexed(_) => panic!("forced dicom-object"),
    };
    assert_eq!(tree_index, tree_object, "{}", path.display());
    // `read` is the same tree without the relationship types, which extraction never uses.
    if let (Body::Indexed(set), Ok(full)) = (&index.body, &tree_index) {
        let decoded = Decoded::default();
        let bare = ContentTree::read(set.root(), &decoded).expect("the same tree");
        assert!(bare.items.iter().all(|i| i.relationship.is_none()));
        let mut stripped = full.items.clone();
        stripped.iter_mut().for_each(|i| i.relationship = None);
        assert_eq!(bare.items, stripped, "{}", path.display());
        assert!(
            full.items[1..]
                .iter()
                .all(|i| i.relationship.is_some_and(|r| !r.is_empty())),
            "{}",
            path.display()
        );
    }

    let mapper = dxa_ingest::profile::load(&[]).expect("built-ins");
    assert_eq!(
        extract_with(&bytes, &mapper, &limits, Reader::Index),
        extract_with(&bytes, &mapper, &limits, Reader::DicomObject),
        "{}",
        path.display()
    );
    true
}

#[test]
fn readers_agree_on_the_sample_tree() {
    let srs = files_under(&repo().join("fixtures/sample"))
        .iter()
        .filter(|p| same_from_both_readers(p))
        .count();
    assert_eq!(
        srs, 11,
        "every SR of the sample, the text-only one included"
    );
}

#[test]
fn readers_agree_on_a_generated_corpus() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = dxa_fixtures::corpus::CorpusOptions {
        n: 300,
        seed: 11,
        junk_pct: 10,
        image_heavy: false,
    };
    dxa_fixtures::corpus::write_corpus(dir.path(), &options).expect("corpus");
    let srs = files_under(dir.path())
        .iter()
        .filter(|p| same_from_both_readers(p))
        .count();
    assert!(srs >= 300, "{srs} SRs compared");
}

/// The image-heavy corpus: half the files are 1-3 MB report images; a Hologic-style
/// study's image carries its results document and gives the same rows as its SR.
#[test]
fn image_heavy_corpus_images_carry_the_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = dxa_fixtures::corpus::CorpusOptions {
        n: 12,
        seed: 3,
        junk_pct: 0,
        image_heavy: true,
    };
    let stats = dxa_fixtures::corpus::write_corpus(dir.path(), &options).expect("corpus");
    assert_eq!(stats.images, stats.sr_files);
    let mapper = dxa_ingest::profile::load(&[]).expect("built-ins");
    let (mut with_document, mut compared) = (0, 0);
    for path in files_under(dir.path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("_report.dcm") {
            continue;
        }
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(
            (1_000_000..3_200_000).contains(&size),
            "{name}: {size} bytes"
        );
        let bytes = std::fs::read(&path).unwrap();
        let Ok(image) = dxa_ingest::extract(&bytes, &mapper, &Limits::default()) else {
            continue;
        };
        with_document += 1;
        // The SR beside it: `<k>.dcm` for part 0, `<k>_<d>.dcm` otherwise.
        let stem = name.trim_end_matches("_report.dcm");
        let sr_name = stem
            .strip_suffix("_0")
            .map_or(format!("{stem}.dcm"), |k| format!("{k}.dcm"));
        let sr = std::fs::read(path.with_file_name(sr_name)).unwrap();
        let sr = dxa_ingest::extract(&sr, &mapper, &Limits::default()).expect("the SR");
        for m in &image.measurements {
            let same = sr
                .measurements
                .iter()
                .find(|s| s.region == m.region && s.laterality == m.laterality)
                .unwrap_or_else(|| panic!("{name}: {}", m.site_name()));
            assert_eq!(same.bmd, m.bmd, "{name} {}", m.site_name());
            assert_eq!(same.t_score, m.t_score, "{name} {}", m.site_name());
            compared += 1;
        }
    }
    assert!(
        with_document > 0 && compared > 0,
        "{with_document} images, {compared} rows"
    );
}
