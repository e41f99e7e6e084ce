use super::*;

#[test]
fn ordered_keys_sort_like_the_numbers() {
    let mut values = [-800_000i64, -1, 0, 1, 19_000, i64::MIN, i64::MAX];
    let mut keys: Vec<[u8; 8]> = values.iter().map(|&v| ordered(v)).collect();
    values.sort_unstable();
    keys.sort_unstable();
    let back: Vec<[u8; 8]> = values.iter().map(|&v| ordered(v)).collect();
    assert_eq!(keys, back);
}
