//! `TreeMapper` against the algorithm it caches: each NUM resolved alone from its own
//! labels and its ancestors' (`model`), on a tree built here and on every SR of the sample
//! and of a generated corpus.

use std::borrow::Cow;

use super::*;
use crate::sr::{Code, ContentItem, ItemValue};
use crate::vocabulary::{Measure, Region};

fn mapper() -> Mapper {
    crate::profile::load(&[]).expect("built-ins")
}

fn code(scheme: &'static str, value: &'static str, meaning: &'static str) -> Code<'static> {
    Code {
        value,
        scheme,
        meaning,
    }
}

/// Builds a tree from (parent, value type, concept, value) in document order.
fn tree(
    items: &[(
        Option<usize>,
        &'static str,
        Option<Code<'static>>,
        ItemValue<'static>,
    )],
) -> ContentTree<'static> {
    let mut out: Vec<ContentItem<'static>> = Vec::new();
    for (parent, value_type, concept, value) in items {
        let depth = parent.map_or(0, |p| out[p].depth + 1);
        out.push(ContentItem {
            parent: *parent,
            depth,
            relationship: Some(if parent.is_some() { "CONTAINS" } else { "" }),
            value_type,
            concept: *concept,
            value: value.clone(),
        });
    }
    ContentTree { items: out }
}

fn num(text: &'static str) -> ItemValue<'static> {
    ItemValue::Num {
        text: Some(text),
        units: None,
    }
}

/// What mapping one NUM gives, the profile's name left out.
type Mapped = (
    Measure,
    Region,
    Laterality,
    Option<Site>,
    String,
    bool,
    Option<String>,
);

fn mapped(m: Option<MappedNum<'_, '_>>) -> Option<Mapped> {
    m.map(|m| {
        (
            m.measure,
            m.region,
            m.laterality,
            m.site,
            m.source_label.into_owned(),
            m.by_code,
            m.note.map(str::to_string),
        )
    })
}

/// The algorithm without sharing: the item's own words, then each ancestor's Finding Site
/// label and meaning, innermost first; the nearest Laterality item and how many labels lie
/// inside it.
fn model(mapper: &Mapper, tree: &ContentTree<'_>, index: usize) -> Option<Mapped> {
    let item = &tree.items[index];
    let (target, by_code, own) = mapper.measure_of(item.concept.as_ref()?)?;
    let modifiers = mapper.modifiers(tree);
    let mut labels: Vec<LabelInfo<'_>> = Vec::new();
    if let Some(own) = own {
        labels.push(mapper.label_info(Cow::Owned(own.to_string())));
    }
    let mut modifier_side = None;
    for ancestor in tree.ancestry(index).skip(1) {
        if modifier_side.is_none()
            && let Some(side) = modifiers[ancestor].laterality
        {
            modifier_side = Some((labels.len(), side));
        }
        if let Some(label) = modifiers[ancestor].region_label {
            labels.push(mapper.label_info(Cow::Borrowed(label)));
        }
        if let Some(concept) = &tree.items[ancestor].concept
            && !concept.meaning.is_empty()
        {
            labels.push(mapper.label_info(Cow::Borrowed(concept.meaning)));
        }
    }
    let refs: Vec<&LabelInfo<'_>> = labels.iter().collect();
    let resolved = mapper.resolve(&refs, modifier_side, &target);
    Some((
        target.measure,
        resolved.region,
        resolved.laterality,
        resolved.site,
        resolved.source_label.into_owned(),
        by_code,
        resolved.note.map(|n| mapper.notes[n as usize].to_string()),
    ))
}

#[test]
fn nums_of_a_built_tree() {
    let m = mapper();
    let container = |meaning| Some(code("", "", meaning));
    let t = tree(&[
        (
            None,
            "CONTAINER",
            container("Bone Densitometry Report"),
            ItemValue::None,
        ),
        (Some(0), "CONTAINER", container("Left Hip"), ItemValue::None), // 1
        (Some(1), "CONTAINER", container("Neck"), ItemValue::None),
        (Some(2), "NUM", container("BMD"), num("0.712")),
        (Some(2), "NUM", container("T-Score"), num("-1.9")),
        (Some(1), "NUM", container("Total BMD"), num("0.9")), // 5: its own words
        (
            Some(0),
            "CONTAINER",
            container("DualFemur"),
            ItemValue::None,
        ), // 6
        (
            Some(6),
            "CODE",
            Some(code("SCT", "272741003", "Laterality")),
            ItemValue::Code(code("SCT", "24028007", "Right")),
        ),
        (
            Some(6),
            "CODE",
            container("Finding Site"),
            ItemValue::Code(code("", "", "Femoral Neck")),
        ),
        (Some(6), "NUM", container("BMD"), num("0.8")), // 9
        (
            Some(0),
            "CONTAINER",
            container("AP Spine L2-L4"),
            ItemValue::None,
        ),
        (Some(10), "CONTAINER", container("Total"), ItemValue::None),
        (Some(11), "NUM", container("BMD"), num("1.0")), // 12
        (Some(0), "CONTAINER", container("Total"), ItemValue::None), // 13
        // The same parent, different hints: a spine code, then a bare BMD, then the code again.
        (
            Some(13),
            "NUM",
            Some(code("LN", "24966-4", "x")),
            num("1.1"),
        ), // 14
        (Some(13), "NUM", container("BMD"), num("1.2")),
        (
            Some(13),
            "NUM",
            Some(code("LN", "24966-4", "x")),
            num("1.1"),
        ),
        (Some(0), "NUM", Some(code("LN", "46278-8", "")), num("0.7")), // 17
        (Some(0), "NUM", container("Weight"), num("60")),
        (Some(0), "NUM", None, num("1")),
        (Some(6), "NUM", container("Neck Diff. BMD"), num("0.01")), // 20
    ]);
    let mut nums = m.for_tree(&t);
    let got = |nums: &mut TreeMapper<'_, '_, '_>, i| mapped(nums.map_num(i));
    let row = |measure, region, side, site, label: &str, by_code| {
        Some((
            measure,
            region,
            side,
            site,
            label.to_string(),
            by_code,
            None,
        ))
    };
    let hip = Some(Site::Hip);
    assert_eq!(
        got(&mut nums, 3),
        row(
            Measure::Bmd,
            Region::FemoralNeck,
            Laterality::Left,
            hip,
            "Neck",
            false
        )
    );
    assert_eq!(
        got(&mut nums, 4),
        row(
            Measure::TScore,
            Region::FemoralNeck,
            Laterality::Left,
            hip,
            "Neck",
            false
        )
    );
    assert_eq!(
        got(&mut nums, 5),
        row(
            Measure::Bmd,
            Region::TotalHip,
            Laterality::Left,
            hip,
            "Total",
            false
        )
    );
    assert_eq!(
        got(&mut nums, 9),
        row(
            Measure::Bmd,
            Region::FemoralNeck,
            Laterality::Right,
            hip,
            "Femoral Neck",
            false
        )
    );
    assert_eq!(
        got(&mut nums, 12),
        row(
            Measure::Bmd,
            Region::SpineL2L4,
            Laterality::None,
            Some(Site::Spine),
            "Total",
            false
        )
    );
    let spine_total = row(
        Measure::Bmd,
        Region::SpineL1L4,
        Laterality::None,
        Some(Site::Spine),
        "Total",
        true,
    );
    assert_eq!(got(&mut nums, 14), spine_total);
    assert_eq!(
        got(&mut nums, 15),
        row(
            Measure::Bmd,
            Region::Other,
            Laterality::None,
            None,
            "Total",
            false
        )
    );
    assert_eq!(
        got(&mut nums, 16),
        spine_total,
        "not the bare BMD's resolution"
    );
    assert_eq!(
        got(&mut nums, 17),
        row(
            Measure::Bmd,
            Region::Other,
            Laterality::Left,
            hip,
            "Bone Densitometry Report",
            true
        )
    );
    assert_eq!(got(&mut nums, 18), None);
    assert_eq!(got(&mut nums, 19), None);
    let diff = got(&mut nums, 20).expect("mapped");
    assert_eq!(
        (diff.1, diff.2, diff.4.as_str()),
        (Region::Other, Laterality::Right, "Neck Diff.")
    );
    assert_eq!(
        diff.6.as_deref(),
        Some("left-right difference: not a side's value")
    );
    // Asked again, in another order: the same answers, and the model's.
    for i in (0..t.items.len()).rev() {
        assert_eq!(got(&mut nums, i), model(&m, &t, i), "item {i}");
    }
}

/// Every NUM of every SR of the sample tree and of a generated corpus: the shared
/// resolution is the one each NUM gets alone.
#[test]
fn shared_resolution_is_each_nums_own() {
    let m = mapper();
    let dir = tempfile::tempdir().expect("temp dir");
    let options = dxa_fixtures::corpus::CorpusOptions {
        n: 200,
        seed: 5,
        junk_pct: 0,
        image_heavy: false,
    };
    dxa_fixtures::corpus::write_corpus(dir.path(), &options).expect("corpus");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample");
    let mut files = Vec::new();
    for root in [sample.as_path(), dir.path()] {
        let mut stack = vec![root.to_path_buf()];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else {
                files.push(path);
            }
        }
    }
    let (mut trees, mut nums_mapped) = (0, 0);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let mut inflated = Vec::new();
        let limits = crate::sr::Limits::default();
        let Ok(file) = crate::sr::read_sr(&bytes, &limits, &mut inflated, crate::sr::Reader::Index)
        else {
            continue;
        };
        let crate::sr::Body::Indexed(set) = &file.body else {
            unreachable!("the index reader")
        };
        let decoded = crate::sr::Decoded::default();
        let t = ContentTree::read(set.root(), &decoded).expect("a tree");
        trees += 1;
        let mut nums = m.for_tree(&t);
        for (i, item) in t.items.iter().enumerate() {
            if matches!(item.value, ItemValue::Num { .. }) {
                let got = mapped(nums.map_num(i));
                nums_mapped += usize::from(got.is_some());
                assert_eq!(got, model(&m, &t, i), "{} item {i}", path.display());
            }
        }
    }
    assert!(trees >= 200, "{trees} trees");
    assert!(nums_mapped >= 5_000, "{nums_mapped} NUMs mapped");
}

/// A tree's concepts, found again in the tree's own list, are `Mapper::concept`'s answers:
/// values that repeat a few concepts, ones that differ from another only in their scheme,
/// code or meaning (or where the same bytes split between the three), more distinct
/// concepts than the list keeps, and an item without one.
#[test]
fn a_trees_concepts_are_the_mappers() {
    let m = mapper();
    let mut items = vec![(None, "CONTAINER", None, ItemValue::None)];
    let concepts = [
        ("DCM", "113071", "BMD"),
        ("DCM", "113071", "Bone Mineral Density"),
        ("DCX", "113071", "BMD"),
        ("DCM", "11307", "1BMD"),
        ("DC", "M113071", "BMD"),
        ("99X", "1", "Left Femoral Neck BMD"),
        ("99X", "1", "Left Femoral Neck T-Score"),
        ("LN", "24966-4", "Weight"),
    ];
    // Three rounds of the same concepts, then twenty new ones (past the list's room), then
    // the first ones again.
    for round in 0..3 {
        for (scheme, value, meaning) in concepts {
            items.push((Some(0), "NUM", Some(code(scheme, value, meaning)), num("1")));
        }
        items.push((
            Some(0),
            "NUM",
            None,
            num(if round == 0 { "2" } else { "3" }),
        ));
    }
    // The tree's texts borrow for the test's whole run, as `code`'s do.
    let extra: Vec<&'static str> = (0..20)
        .map(|i| &*format!("Region {i} BMD").leak())
        .collect();
    for &meaning in &extra {
        items.push((
            Some(0),
            "NUM",
            Some(Code {
                value: "X",
                scheme: "99X",
                meaning,
            }),
            num("1"),
        ));
    }
    for (scheme, value, meaning) in concepts {
        items.push((Some(0), "NUM", Some(code(scheme, value, meaning)), num("1")));
    }
    let t = tree(&items);
    let mut nums = m.for_tree(&t);
    let mut answered = 0;
    for (index, item) in t.items.iter().enumerate() {
        let expected = item.concept.as_ref().map(|c| m.concept(c));
        assert_eq!(nums.concept(index), expected, "item {index}");
        answered += usize::from(expected.is_some());
    }
    assert_eq!(answered, 3 * concepts.len() + extra.len() + concepts.len());
}
