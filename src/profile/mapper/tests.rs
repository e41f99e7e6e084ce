use super::*;

fn mapper() -> Mapper {
    Mapper::new(&crate::profile::builtin_profiles()).expect("built-ins compile")
}

#[test]
fn manufacturers_by_prefix() {
    let m = mapper();
    let id = |raw| m.manufacturer(raw).0;
    assert_eq!(id("HOLOGIC"), Manufacturer::Hologic);
    assert_eq!(id("Hologic, Inc."), Manufacturer::Hologic);
    assert_eq!(id("GE Healthcare"), Manufacturer::GeLunar);
    assert_eq!(id("LUNAR"), Manufacturer::GeLunar);
    assert_eq!(id("GE MEDICAL SYSTEMS"), Manufacturer::GeLunar);
    assert_eq!(id("Norland"), Manufacturer::Other);
    assert_eq!(id(""), Manufacturer::Other);
    // Any case, padding, text past the prefix; non-ASCII text upper-cased by characters
    // ("ß" is "SS"), never a prefix cut inside a character.
    assert_eq!(id("  hologic_x "), Manufacturer::Hologic);
    assert_eq!(id("hoLOgic\u{e9}"), Manufacturer::Hologic);
    assert_eq!(id("\u{e9}HOLOGIC"), Manufacturer::Other);
    assert_eq!(id("g"), Manufacturer::Other);
    assert_eq!(id("lunaR\u{df}"), Manufacturer::GeLunar);
    assert_eq!(m.manufacturer("Norland").1, Some(Calibration::Norland));
    assert_eq!(
        m.manufacturer("GE Healthcare").1,
        Some(Calibration::GeLunar)
    );
    assert_eq!(m.manufacturer("Acme Gateway").1, None);
}

#[test]
fn regions_need_their_site() {
    let m = mapper();
    let core = |label: &str| m.core_and_side(&normalise_label(label)).0;
    let total = core("Total");
    let region = |site| m.region_of(&total, site).map(|t| t.region);
    assert_eq!(region(Some(Site::Hip)), Some(Region::TotalHip));
    assert_eq!(region(Some(Site::Spine)), Some(Region::SpineL1L4));
    assert_eq!(region(Some(Site::Forearm)), Some(Region::RadiusTotal));
    assert_eq!(region(Some(Site::TotalBody)), Some(Region::TotalBody));
    assert_eq!(region(None), None, "Total means nothing alone");
    let neck = m.region_of(&core("Left Hip Femoral Neck"), Some(Site::Hip));
    assert_eq!(neck.map(|t| t.region), Some(Region::FemoralNeck));
    let upper = m.region_of(&core("Upper Neck"), Some(Site::Hip));
    assert_eq!(upper.map(|t| t.region), Some(Region::UpperNeck));
}

#[test]
fn sites_on_substrings() {
    let m = mapper();
    assert_eq!(
        m.site_of(&normalise_label("DualFemur Left")),
        Some(Site::Hip)
    );
    assert_eq!(
        m.site_of(&normalise_label("AP Spine L1-L4")),
        Some(Site::Spine)
    );
    assert_eq!(
        m.site_of(&normalise_label("Left Forearm")),
        Some(Site::Forearm)
    );
    assert_eq!(
        m.site_of(&normalise_label("Whole Body")),
        Some(Site::TotalBody)
    );
    assert_eq!(
        m.site_of(&normalise_label("Bone Densitometry Report")),
        None
    );
}

#[test]
fn measures_by_meaning_and_by_last_words() {
    let m = mapper();
    let code = |meaning: &'static str| Code {
        value: "X",
        scheme: "99NOBODY",
        meaning,
    };
    let bmd = code("Left Femoral Neck BMD");
    let (target, by_code, own) = m.measure_of(&bmd).unwrap();
    assert_eq!(target.measure, Measure::Bmd);
    assert!(!by_code);
    assert_eq!(own, Some("Left Femoral Neck"));
    let z = code("Age-Matched Z-Score");
    assert_eq!(
        m.measure_of(&z).unwrap().2,
        None,
        "the whole meaning is a rule"
    );
    assert!(m.measure_of(&code("Weight")).is_none());
}

#[test]
fn word_starts_are_byte_offsets() {
    assert_eq!(word_starts("Left  Hip_BMD").collect::<Vec<_>>(), [0, 6, 10]);
    assert_eq!(word_starts(" Åb c").collect::<Vec<_>>(), [1, 5]);
}

/// `is_dxa_title` (the last title kept per thread with its answer) answers as the title's
/// words do, for titles alternating, repeated, too long to keep, and asked of another
/// mapper whose profiles say otherwise.
#[test]
fn dxa_titles_answer_alike_from_the_last_kept() {
    let m = mapper();
    let site = crate::profile::ProfileFile::parse(
        "name = \"site\"\ndxa_titles = [\"knochendichte\"]\n",
        "site.toml",
    )
    .expect("parses");
    let other = Mapper::new(&[site]).expect("compiles");
    let long = format!("Bone Densitometry {}", "x".repeat(300));
    let titles = [
        "Bone Densitometry Report",
        "Bone Densitometry Report",
        "CT Report",
        "Knochendichte",
        long.as_str(),
        long.as_str(),
        "BONE   densitometry",
        "",
    ];
    for _ in 0..2 {
        for title in titles {
            assert_eq!(
                m.is_dxa_title(title),
                m.is_dxa_title_uncached(title),
                "{title:?}"
            );
            assert_eq!(
                other.is_dxa_title(title),
                other.is_dxa_title_uncached(title),
                "other {title:?}"
            );
        }
    }
    assert!(m.is_dxa_title("Bone Densitometry Report"));
    assert!(!other.is_dxa_title("Bone Densitometry Report"));
    assert!(other.is_dxa_title("Knochendichte"));
    assert!(!m.is_dxa_title("CT Report"));
}
