//! A few values kept per worker thread, the latest first: an export set's files share their
//! header, so the header read (`header::header`) and its plan (`plan::of`) are made once
//! for all of them (docs/performance.md, "Body composition files").

/// The value of the entry whose key `is_it` finds in `kept`, moved to the front; else
/// `make`'s entry, put in front, with the least recently used left out past `most`.
pub(super) fn kept_or_made<K, V: Clone>(
    kept: &mut Vec<(K, V)>,
    most: usize,
    is_it: impl Fn(&K) -> bool,
    make: impl FnOnce() -> (K, V),
) -> V {
    if let Some(at) = kept.iter().position(|(key, _)| is_it(key)) {
        let entry = kept.remove(at);
        let value = entry.1.clone();
        kept.insert(0, entry);
        return value;
    }
    let entry = make();
    let value = entry.1.clone();
    kept.truncate(most.saturating_sub(1));
    kept.insert(0, entry);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_come_first_and_the_least_recent_leave() {
        let mut kept: Vec<(u32, String)> = Vec::new();
        let made = |n: u32| move || (n, format!("v{n}"));
        for n in [1, 2, 3] {
            assert_eq!(
                kept_or_made(&mut kept, 3, |k| *k == n, made(n)),
                format!("v{n}")
            );
        }
        assert_eq!(kept.iter().map(|e| e.0).collect::<Vec<_>>(), [3, 2, 1]);
        // Found again: moved to the front, not made.
        let found = kept_or_made(&mut kept, 3, |k| *k == 1, || unreachable!("kept"));
        assert_eq!(found, "v1");
        assert_eq!(kept.iter().map(|e| e.0).collect::<Vec<_>>(), [1, 3, 2]);
        // A fourth: the least recently used (2) leaves.
        kept_or_made(&mut kept, 3, |k| *k == 4, made(4));
        assert_eq!(kept.iter().map(|e| e.0).collect::<Vec<_>>(), [4, 1, 3]);
    }
}
