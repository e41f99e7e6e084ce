//! What labels say, pinned on the built-in profiles (and on a site profile where a rule's
//! order matters): the answers `TreeMapper`, the carriers and `inspect` build on.

use std::borrow::Cow;

use super::*;
use crate::profile::{ProfileFile, builtin_profiles};

fn mapper() -> Mapper {
    Mapper::new(&builtin_profiles()).expect("built-ins compile")
}

fn code(scheme: &'static str, value: &'static str, meaning: &'static str) -> Code<'static> {
    Code {
        value,
        scheme,
        meaning,
    }
}

fn info<'t>(m: &Mapper, label: &'t str) -> LabelInfo<'t> {
    m.label_info(Cow::Borrowed(label))
}

/// A label's core: normalised, side words removed.
fn core(m: &Mapper, label: &str) -> String {
    m.core_and_side(&normalise_label(label)).0
}

#[test]
fn a_label_alone_says_its_site_side_and_core() {
    let m = mapper();
    let left_hip = info(&m, "  Left   HIP_Femoral Neck ");
    assert_eq!(left_hip.raw, "  Left   HIP_Femoral Neck ");
    assert_eq!(
        core(&m, "  Left   HIP_Femoral Neck "),
        "hip femoral neck",
        "side words out, normalised"
    );
    assert_eq!(left_hip.site, Some(Site::Hip));
    assert_eq!(left_hip.side, Some(Laterality::Left));
    // The first side word wins; a side word inside a word is not one ("Lumbar" holds no "l").
    let both = info(&m, "R femur L");
    assert_eq!(both.side, Some(Laterality::Right));
    assert_eq!(core(&m, "R femur L"), "femur");
    let lumbar = info(&m, "Lumbar Spine");
    assert_eq!((lumbar.side, lumbar.site), (None, Some(Site::Spine)));
    // Sites are substrings ("DualFemur" holds "femur"), the first rule that matches wins.
    assert_eq!(info(&m, "DualFemur Mean").site, Some(Site::Hip));
    assert_eq!(info(&m, "DualFemur Mean").side, Some(Laterality::Mean));
    assert_eq!(info(&m, "Bone Densitometry Report").site, None);
    // Non-ASCII text is normalised by characters.
    let ward = info(&m, "WARD\u{2019}S");
    assert_eq!(core(&m, "WARD\u{2019}S"), "ward's");
    assert_eq!(
        m.region_of(&core(&m, "WARD\u{2019}S"), Some(Site::Hip))
            .map(|t| t.region),
        Some(Region::Wards)
    );
    assert_eq!(
        ward.region(Some(Site::Hip)).map(|t| t.region),
        Some(Region::Wards)
    );
    // Asked twice (the second from the per-thread cache), the same answer.
    for _ in 0..2 {
        let again = info(&m, "Left Hip Femoral Neck");
        assert_eq!(
            (
                again.region(Some(Site::Hip)).map(|t| t.region),
                again.site,
                again.side
            ),
            (
                Some(Region::FemoralNeck),
                Some(Site::Hip),
                Some(Laterality::Left)
            )
        );
    }
    assert_eq!(m.side_of_label("mean"), Some(Laterality::Mean));
    assert_eq!(m.side_of_label("Neck"), None);
}

#[test]
fn the_label_cache_belongs_to_one_mapper() {
    // A site profile that makes "neck" a side word (absurd, but visible): the built-in
    // mapper's cached answer for "Neck" must not leak into it, nor the other way round.
    let site = ProfileFile::parse(
        "name = \"site\"\n[[lateralities]]\nwords = [\"neck\"]\nlaterality = \"right\"\n",
        "site.toml",
    )
    .expect("parses");
    let mut profiles = vec![site];
    profiles.extend(builtin_profiles());
    let odd = Mapper::new(&profiles).expect("compiles");
    let m = mapper();
    for _ in 0..2 {
        assert_eq!(info(&m, "Neck").side, None);
        assert_eq!(core(&m, "Neck"), "neck");
        let neck = info(&m, "Neck").region(Some(Site::Hip));
        assert_eq!(neck.map(|t| t.region), Some(Region::FemoralNeck));
        assert_eq!(info(&odd, "Neck").side, Some(Laterality::Right));
        assert_eq!(core(&odd, "Neck"), "");
        assert_eq!(info(&odd, "Neck").region(Some(Site::Hip)), None);
    }
}

#[test]
fn regions_are_the_longest_run_of_last_words_within_the_site() {
    let m = mapper();
    let region = |core: &str, site| m.region_of(core, site).map(|t| t.region);
    assert_eq!(
        region("hip femoral neck", Some(Site::Hip)),
        Some(Region::FemoralNeck)
    );
    assert_eq!(
        region("upper neck", Some(Site::Hip)),
        Some(Region::UpperNeck)
    );
    assert_eq!(
        region("total less head", Some(Site::TotalBody)),
        Some(Region::TotalBodyLessHead)
    );
    assert_eq!(
        region("total less head", None),
        Some(Region::TotalBodyLessHead)
    );
    assert_eq!(
        region("ap spine l1-l4", Some(Site::Spine)),
        Some(Region::SpineL1L4)
    );
    assert_eq!(region("l1 - l4", None), Some(Region::SpineL1L4));
    // "Total" needs its site; a region word in the middle is not at the end.
    assert_eq!(region("total", None), None);
    assert_eq!(
        region("total", Some(Site::Forearm)),
        Some(Region::RadiusTotal)
    );
    assert_eq!(region("neck shaft angle", Some(Site::Hip)), None);
    assert_eq!(region("", Some(Site::Hip)), None);
    let total = m.region_of("total", Some(Site::Spine)).expect("a rule");
    assert!(total.whole_of_site);
    assert!(!m.region_of("l2-l4", None).expect("a rule").whole_of_site);
}

/// `measure_of` on a concept: the measure, whether by code, and the item's own label.
fn measure(
    m: &Mapper,
    scheme: &'static str,
    value: &'static str,
    meaning: &'static str,
) -> Option<(Measure, bool, Option<String>)> {
    let concept = code(scheme, value, meaning);
    m.measure_of(&concept)
        .map(|(target, by_code, own)| (target.measure, by_code, own.map(str::to_string)))
}

#[test]
fn measures_by_code_then_meaning_then_last_words() {
    let m = mapper();
    // A code rule, its scheme in any case and padded, with the site and side it implies.
    let concept = code(" ln", "46278-8", "whatever");
    let (target, by_code, own) = m.measure_of(&concept).unwrap();
    assert_eq!(
        (target.measure, target.site, target.laterality, by_code, own),
        (
            Measure::Bmd,
            Some(Site::Hip),
            Some(Laterality::Left),
            true,
            None
        )
    );
    // Code values are case-sensitive: this one falls through to its meaning.
    assert_eq!(
        measure(&m, "DCM", "113071X", "Z Score"),
        Some((Measure::ZScore, false, None))
    );
    assert_eq!(
        measure(&m, "DCM", "113071", "nothing"),
        Some((Measure::ZScore, true, None))
    );
    // The whole meaning, whitespace and case tolerated.
    assert_eq!(
        measure(&m, "", "", "  young-ADULT   t-score "),
        Some((Measure::TScore, false, None))
    );
    // The last words, longest first; the leading words are the item's own label, its
    // separators trimmed.
    assert_eq!(
        measure(&m, "", "", "Left_Femoral Neck  BMD"),
        Some((Measure::Bmd, false, Some("Left_Femoral Neck".to_string())))
    );
    assert_eq!(
        measure(&m, "", "", "Neck Age-Matched Z-Score"),
        Some((Measure::ZScore, false, Some("Neck".to_string())))
    );
    assert_eq!(
        measure(&m, "", "", "L1-L4 BMD (g/cm\u{b2})"),
        Some((Measure::Bmd, false, Some("L1-L4".to_string())))
    );
    assert_eq!(measure(&m, "", "", "Weight"), None);
    assert_eq!(measure(&m, "", "", ""), None);
    assert_eq!(measure(&m, "", "", "BMDX"), None, "whole words only");
    assert_eq!(measure(&m, "", "", "X-BMD"), None, "whole words only");
    // Carriers name measures by meaning alone.
    assert_eq!(m.measure_named(" bmd "), Some(Measure::Bmd));
    assert_eq!(m.measure_named("BMD_TSCORE"), Some(Measure::TScore));
    assert_eq!(m.measure_named("Left BMD"), None, "no last-word match here");
}

#[test]
fn placing_labels_innermost_first() {
    let m = mapper();
    let placed = m.place(&["Neck", "Left Hip"]);
    assert_eq!(
        (placed.region, placed.laterality, placed.site),
        (Region::FemoralNeck, Laterality::Left, Some(Site::Hip))
    );
    assert_eq!(placed.source_label, "Neck");
    // "Total" in a group that names a range is that range; blank labels are skipped.
    let placed = m.place(&["  ", "Total", "AP Spine L2-L4"]);
    assert_eq!(
        (placed.region, placed.laterality),
        (Region::SpineL2L4, Laterality::None)
    );
    assert_eq!(placed.source_label, "Total");
    // The nearest site decides what "Total" is.
    assert_eq!(
        m.place(&["Total", "Forearm", "Hip"]).region,
        Region::RadiusTotal
    );
    // No region: `other`, the innermost label as the source, a side kept.
    let placed = m.place(&["Something", "Right"]);
    assert_eq!(
        (placed.region, placed.laterality),
        (Region::Other, Laterality::Right)
    );
    assert_eq!(placed.source_label, "Something");
    let none = m.place(&[]);
    assert_eq!(
        (none.region, none.source_label.as_str()),
        (Region::Other, "")
    );
    // A region's note travels with it.
    let diff = m.place(&["Neck Diff.", "DualFemur"]);
    assert_eq!(diff.region, Region::Other);
    assert_eq!(diff.note, Some("left-right difference: not a side's value"));
    assert_eq!(diff.source_label, "Neck Diff.");
    assert_eq!(m.place(&["Neck", "DualFemur"]).note, None);
}

#[test]
fn resolving_sides_the_nearer_wins() {
    let m = mapper();
    let target = |site, laterality| MeasureTarget {
        measure: Measure::Bmd,
        site,
        laterality,
        profile: 0,
    };
    let (neck, left_hip, right) = (info(&m, "Neck"), info(&m, "Left Hip"), info(&m, "Right"));
    let labels = [&neck, &left_hip];
    // A side word nearer than the Laterality item (which sits above both labels) wins.
    let r = m.resolve(&labels, Some((2, Laterality::Right)), &target(None, None));
    assert_eq!(
        (r.region, r.laterality),
        (Region::FemoralNeck, Laterality::Left)
    );
    // A Laterality item nearer than the side word wins.
    let r = m.resolve(&labels, Some((1, Laterality::Right)), &target(None, None));
    assert_eq!(r.laterality, Laterality::Right);
    let r = m.resolve(&labels, Some((0, Laterality::Right)), &target(None, None));
    assert_eq!(r.laterality, Laterality::Right);
    // The rule's side only where nothing states one; never on a region without sides.
    let r = m.resolve(
        &[&neck],
        None,
        &target(Some(Site::Hip), Some(Laterality::Right)),
    );
    assert_eq!(
        (r.region, r.site, r.laterality),
        (Region::FemoralNeck, Some(Site::Hip), Laterality::Right)
    );
    let l1 = info(&m, "L1");
    let r = m.resolve(&[&l1, &right], None, &target(None, Some(Laterality::Left)));
    assert_eq!(
        (r.region, r.laterality),
        (Region::SpineL1, Laterality::None)
    );
    // The rule's site gives "Total" a meaning when no label does.
    let total = info(&m, "Total");
    let r = m.resolve(&[&total], None, &target(Some(Site::Spine), None));
    assert_eq!((r.region, r.site), (Region::SpineL1L4, Some(Site::Spine)));
    let r = m.resolve(&[&total], None, &target(None, None));
    assert_eq!(
        (r.region, r.site, r.source_label.as_ref()),
        (Region::Other, None, "Total")
    );
}

#[test]
fn modifier_items_attach_to_their_parent() {
    use crate::sr::{ContentItem, ItemValue};
    let m = mapper();
    let item = |parent, concept, value: Option<Code<'static>>| ContentItem {
        parent,
        depth: usize::from(parent.is_some()),
        relationship: None,
        value_type: if value.is_some() { "CODE" } else { "CONTAINER" },
        concept: Some(concept),
        value: value.map_or(ItemValue::None, ItemValue::Code),
    };
    let tree = ContentTree {
        items: vec![
            item(None, code("", "", "Report"), None),
            item(Some(0), code("", "", "Hip"), None),
            // By code; the value by its code.
            item(
                Some(1),
                code("SCT", "272741003", "x"),
                Some(code("SCT", "24028007", "?")),
            ),
            // A second Laterality item does not override the first.
            item(
                Some(1),
                code("", "", "Laterality"),
                Some(code("", "", "Left")),
            ),
            // By meaning; the value by its meaning's words.
            item(
                Some(1),
                code("", "", "Finding Site"),
                Some(code("", "", "Femoral Neck")),
            ),
            item(
                Some(0),
                code("", "", "laterality"),
                Some(code("99X", "1", "Bilateral")),
            ),
            // A region item with an empty meaning names nothing.
            item(Some(0), code("", "", "Region"), Some(code("99X", "1", ""))),
            item(
                Some(5),
                code("", "", "Laterality"),
                Some(code("", "", "Left")),
            ),
        ],
    };
    let modifiers = m.modifiers(&tree);
    assert_eq!(modifiers.len(), tree.items.len());
    assert_eq!(modifiers[1].laterality, Some(Laterality::Right));
    assert_eq!(modifiers[1].region_label, Some("Femoral Neck"));
    assert_eq!(modifiers[0].laterality, Some(Laterality::Mean));
    assert_eq!(modifiers[0].region_label, None);
    assert_eq!(
        modifiers[5].laterality,
        Some(Laterality::Left),
        "a CODE item can be a parent"
    );
    assert!(
        modifiers[2..5]
            .iter()
            .all(|x| x.laterality.is_none() && x.region_label.is_none())
    );
}

/// A label's regions, worked out once with its meaning, are `region_of` its core within no
/// site and within each site, for labels of every kind (a region, a site, a side word, a
/// group, none), from the cache and fresh.
#[test]
fn a_labels_regions_are_region_of_its_core_in_every_site() {
    let m = mapper();
    let labels = [
        "Total",
        "Left Hip Femoral Neck",
        "Upper Neck",
        "AP Spine L2-L4",
        "L1",
        "Radius 33%",
        "UD",
        "Trochanter",
        "WARD\u{2019}S",
        "Neck Mean",
        "Bone Densitometry Report",
        "",
        "  arms_  LEFT ",
    ];
    let mut found = 0;
    for label in labels {
        let core = core(&m, label);
        for _ in 0..2 {
            let info = info(&m, label);
            for site in std::iter::once(None).chain(Site::ALL.iter().copied().map(Some)) {
                let expected = m.region_of(&core, site);
                assert_eq!(info.region(site), expected, "{label:?} in {site:?}");
                found += usize::from(expected.is_some());
            }
        }
    }
    assert!(found > 10, "the labels name regions ({found})");
}
