//! What a content item's meaning says to the carrier rules (a trend container, a FRAX
//! label or item, a VFA exam), answered once per distinct meaning and worker thread. Each
//! of those queries normalises the meaning into a new string and searches word lists in
//! it; the content tree asks them of every container and of every value in the current
//! exam, and the same few hundred meanings recur across an export's files (callgrind,
//! docs/performance.md).

use hashbrown::HashMap;

use super::{FraxItem, Mapper};

/// The carrier rules' answers for one meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeaningKind {
    /// `Mapper::trend_region` finds a trend container's prefix.
    pub trend: bool,
    /// `Mapper::is_frax_label`.
    pub frax_label: bool,
    /// `Mapper::is_vfa_label`.
    pub vfa_label: bool,
    /// `Mapper::frax_item`.
    pub frax_item: Option<FraxItem>,
}

impl Mapper {
    /// The carrier rules' answers for `meaning`, from the per-thread cache when this mapper
    /// has seen it before.
    pub fn meaning_kind(&self, meaning: &str) -> MeaningKind {
        thread_local! {
            static CACHE: std::cell::RefCell<(u64, HashMap<Box<str>, MeaningKind>)> =
                std::cell::RefCell::new((0, HashMap::new()));
        }
        /// Distinct meanings kept; a hostile stream of unique meanings cannot grow it further.
        const MOST: usize = 4096;
        CACHE.with_borrow_mut(|(id, cache)| {
            if *id != self.id {
                *id = self.id;
                cache.clear();
            }
            if let Some(found) = cache.get(meaning) {
                return *found;
            }
            let kind = self.meaning_kind_uncached(meaning);
            if cache.len() >= MOST {
                cache.clear();
            }
            cache.insert(meaning.into(), kind);
            kind
        })
    }

    fn meaning_kind_uncached(&self, meaning: &str) -> MeaningKind {
        MeaningKind {
            trend: self.trend_region(meaning).is_some(),
            frax_label: self.is_frax_label(meaning),
            vfa_label: self.is_vfa_label(meaning),
            frax_item: self.frax_item(meaning),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached answers are the queries' own, on a first sight and on a repeat, for
    /// meanings of every kind (and after another mapper used the cache).
    #[test]
    fn cached_kinds_agree_with_the_queries() {
        let mapper = Mapper::new(&crate::profile::builtin_profiles()).expect("built-ins compile");
        let meanings = [
            "",
            "BMD",
            "Trend Neck Left",
            "TREND_Total",
            "Verlauf Hals links",
            "FRAX",
            "10-year probability of major osteoporotic fracture",
            "Hip Fracture Probability with prior fracture",
            "FRAX Classification",
            "Vertebral Fracture Assessment",
            "LVA",
            "valvar",
            "Left Femoral Neck BMD",
            "  Major   Osteoporotic_Fracture ",
        ];
        let mut kinds = Vec::new();
        for meaning in meanings {
            let expected = MeaningKind {
                trend: mapper.trend_region(meaning).is_some(),
                frax_label: mapper.is_frax_label(meaning),
                vfa_label: mapper.is_vfa_label(meaning),
                frax_item: mapper.frax_item(meaning),
            };
            assert_eq!(mapper.meaning_kind(meaning), expected, "{meaning:?}");
            assert_eq!(mapper.meaning_kind(meaning), expected, "{meaning:?} again");
            kinds.push(expected);
        }
        // Every kind of answer is among the meanings above.
        assert!(kinds.iter().any(|k| k.trend));
        assert!(kinds.iter().any(|k| k.frax_label));
        assert!(kinds.iter().any(|k| k.vfa_label));
        assert!(kinds.iter().any(|k| k.frax_item.is_some()));
        assert!(kinds.iter().any(|k| *k == MeaningKind::default_none()));

        let other = Mapper::new(&crate::profile::builtin_profiles()).expect("built-ins compile");
        other.meaning_kind("BMD");
        for (meaning, expected) in meanings.iter().zip(&kinds) {
            assert_eq!(mapper.meaning_kind(meaning), *expected, "{meaning:?}");
        }
    }

    impl MeaningKind {
        fn default_none() -> MeaningKind {
            MeaningKind {
                trend: false,
                frax_label: false,
                vfa_label: false,
                frax_item: None,
            }
        }
    }
}
