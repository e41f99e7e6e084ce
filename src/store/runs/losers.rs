//! A merge's tournament of losers: which segment's record comes next. Each inner node of a
//! complete binary tree over the segments holds the segment that lost the match there (and
//! what it is ranked by), the root's place the winner; when the winner moves on to its next
//! record, only the matches on its way up are played again: one comparison a level, where
//! a binary heap's pop and push took two or more a level and moved its heads' keys
//! (docs/performance.md, "The end of a run"). Keys are ranked by their first eight bytes as
//! a big-endian number first (`prefix_of`), then as bytes, then by segment: equal keys come
//! out in segment order.

/// The first eight bytes of `key` as a big-endian number, zero-padded: it orders two keys as
/// their bytes do wherever they differ there (a shorter key's padding is below any byte
/// where the other goes on, and then it is the other's prefix); only keys that share them
/// are compared as bytes. A run's keys are a document's place (eight bytes) or begin with
/// a pseudonymised path: a comparison of bytes (`memcmp`) per step of the merge was a fifth
/// of it (docs/performance.md).
fn prefix_of(key: &[u8]) -> u64 {
    let mut first = [0u8; 8];
    let n = key.len().min(8);
    first[..n].copy_from_slice(&key[..n]);
    u64::from_be_bytes(first)
}

/// A segment in the tournament: its rank (an ended segment's above any key's: the ended
/// bit over the key's first eight bytes) and its index.
#[derive(Clone, Copy)]
struct Entry {
    rank: u128,
    segment: usize,
}

const ENDED: u128 = 1 << 64;

impl Entry {
    fn new(key: Option<&[u8]>, segment: usize) -> Entry {
        let rank = key.map_or(ENDED, |key| u128::from(prefix_of(key)));
        Entry { rank, segment }
    }

    /// Whether its record comes before `other`'s (`key`: a segment's current key).
    fn before<'k>(self, other: Entry, key: &impl Fn(usize) -> &'k [u8]) -> bool {
        if self.rank != other.rank {
            return self.rank < other.rank;
        }
        if self.rank == ENDED {
            return self.segment < other.segment;
        }
        (key(self.segment), self.segment) < (key(other.segment), other.segment)
    }
}

pub(super) struct Losers {
    /// `nodes[j]` for an inner node j in 1..n: the loser there; `nodes[0]`: the winner.
    nodes: Vec<Entry>,
}

impl Losers {
    /// The tournament of `n` segments whose current keys `key` gives (None: ended).
    pub(super) fn new<'k>(n: usize, key: impl Fn(usize) -> Option<&'k [u8]>) -> Losers {
        let entries: Vec<Entry> = (0..n)
            .map(|segment| Entry::new(key(segment), segment))
            .collect();
        let mut losers = Losers {
            nodes: entries.clone(),
        };
        if n > 0 {
            let key = |segment| key(segment).unwrap_or_default();
            losers.nodes[0] = losers.play(1, &entries, &key);
        }
        losers
    }

    /// The segment whose record comes next, None when every one has ended.
    pub(super) fn winner(&self) -> Option<usize> {
        let winner = self.nodes.first()?;
        (winner.rank != ENDED).then_some(winner.segment)
    }

    /// The winner moved on to its record with `next` key (None: it has ended): the matches
    /// on its way up played again; `key` gives the others' current keys.
    pub(super) fn replay<'k>(&mut self, next: Option<&'k [u8]>, key: impl Fn(usize) -> &'k [u8]) {
        let n = self.nodes.len();
        let mut winner = Entry::new(next, self.nodes[0].segment);
        let mut node = (winner.segment + n) / 2;
        while node >= 1 {
            let other = self.nodes[node];
            if other.before(winner, &key) {
                self.nodes[node] = winner;
                winner = other;
            }
            node /= 2;
        }
        self.nodes[0] = winner;
    }

    /// The winner of the subtree at `node` (a leaf past n - 1: `entries[node - n]`), the
    /// losers of its matches kept in its inner nodes.
    fn play<'k>(
        &mut self,
        node: usize,
        entries: &[Entry],
        key: &impl Fn(usize) -> &'k [u8],
    ) -> Entry {
        let n = self.nodes.len();
        if node >= n {
            return entries[node - n];
        }
        let a = self.play(2 * node, entries, key);
        let b = self.play(2 * node + 1, entries, key);
        let (winner, loser) = if b.before(a, key) { (b, a) } else { (a, b) };
        self.nodes[node] = loser;
        winner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two segments' records rank as their keys' bytes, then their segments: on seeded
    /// random keys of 0 to 12 bytes (zero bytes, equal prefixes, keys that are another's
    /// prefix, equal keys among them).
    #[test]
    fn entries_rank_as_their_keys_bytes() {
        let mut next = crate::test_rng::splitmix(41);
        let key = |next: &mut dyn FnMut() -> u64| -> Vec<u8> {
            let len = (next() % 13) as usize;
            (0..len)
                .map(|_| [0u8, 1, 2, 0xFF][(next() % 4) as usize])
                .collect()
        };
        let (mut less, mut same_key) = (0, 0);
        for _ in 0..100_000 {
            let (a, b) = (key(&mut next), key(&mut next));
            let i = (next() % 3) as usize;
            let j = if next() % 2 == 0 {
                i + 1
            } else {
                i.wrapping_sub(1)
            };
            let keys = |segment: usize| if segment == i { &a[..] } else { &b[..] };
            let expected = (&a, i) < (&b, j);
            let got = Entry::new(Some(&a), i).before(Entry::new(Some(&b), j), &keys);
            assert_eq!(got, expected, "{a:?} {i} against {b:?} {j}");
            less += usize::from(expected);
            same_key += usize::from(a == b);
        }
        assert!(less > 10_000 && same_key > 100, "{less} {same_key}");
        // An ended segment ranks after any key, all-ones ones too.
        let ended = Entry::new(None, 0);
        let ones = [0xFF; 12];
        let keys = |_| &ones[..];
        assert!(Entry::new(Some(&ones), 1).before(ended, &keys));
        assert!(!ended.before(Entry::new(Some(&ones), 1), &keys));
    }

    /// The tournament gives every record of sorted segments in the order of (key, segment),
    /// whatever the number of segments (not only powers of two), on seeded random keys of 0
    /// to 12 bytes (equal keys across segments, shared first eight bytes, all-ones keys
    /// that rank as an ended segment's first eight bytes do, empty segments among them).
    #[test]
    fn records_come_out_in_key_then_segment_order() {
        let mut next = crate::test_rng::splitmix(7);
        for n in [1usize, 2, 3, 5, 8, 17, 64, 100] {
            let segments: Vec<Vec<Vec<u8>>> = (0..n)
                .map(|_| {
                    let len = (next() % 30) as usize;
                    let mut keys: Vec<Vec<u8>> = (0..len)
                        .map(|_| {
                            let len = (next() % 13) as usize;
                            (0..len)
                                .map(|_| [0u8, 1, 0xFF][(next() % 3) as usize])
                                .collect()
                        })
                        .collect();
                    keys.sort();
                    keys
                })
                .collect();
            let mut at = vec![0usize; n];
            let current = |at: &[usize], segment: usize| segments[segment].get(at[segment]);
            let mut losers = Losers::new(n, |s| current(&at, s).map(Vec::as_slice));
            let mut got = Vec::new();
            while let Some(segment) = losers.winner() {
                got.push((segment, at[segment]));
                at[segment] += 1;
                let next = current(&at, segment).map(Vec::as_slice);
                losers.replay(next, |s| current(&at, s).unwrap().as_slice());
            }
            let mut expected: Vec<(usize, usize)> = (0..n)
                .flat_map(|s| (0..segments[s].len()).map(move |i| (s, i)))
                .collect();
            expected.sort_by(|&(a, i), &(b, j)| (&segments[a][i], a).cmp(&(&segments[b][j], b)));
            assert_eq!(got, expected, "{n} segments");
        }
        assert!(Losers::new(0, |_| None).winner().is_none());
    }
}
