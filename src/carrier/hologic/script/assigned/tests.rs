use std::collections::BTreeMap;

use super::*;

/// `Values`, listed as written, gives what a tree of the first value of each name gave
/// (`BTreeMap::entry(name).or_insert(value)`, the former store): the value of a name, no
/// value of an absent one, and the names with their kept values in order; over generated
/// lists of names that repeat, share prefixes and differ in length.
#[test]
fn values_are_the_first_of_each_name() {
    const NAMES: [&str; 9] = [
        "Age",
        "AgeX",
        "Ag",
        "PatientSex",
        "PatientSe",
        "Scan",
        "ScanMode",
        "ScanMode2",
        "",
    ];
    let mut next = crate::test_rng::splitmix(0x0076_A1E5);
    for case in 0..5_000 {
        let mut values = Values::default();
        let mut tree: BTreeMap<&str, Cow<str>> = BTreeMap::new();
        for at in 0..next() % 20 {
            let name = NAMES[(next() % NAMES.len() as u64) as usize];
            let value: Cow<str> = Cow::Owned(format!("{at}"));
            values.push(name, value.clone());
            tree.entry(name).or_insert(value);
        }
        assert_eq!(values.is_empty(), tree.is_empty(), "case {case}");
        for name in NAMES.iter().chain(&["Other", "age"]) {
            assert_eq!(values.get(name), tree.get(name), "case {case}: {name:?}");
        }
        let listed: Vec<_> = values.iter().collect();
        let expected: Vec<_> = tree.iter().collect();
        assert_eq!(listed, expected, "case {case}");
    }
}
