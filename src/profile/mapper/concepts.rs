//! What the profiles say of a value's concept (scheme, code and meaning), answered once per
//! distinct concept and worker thread: the carrier rules' answers for its meaning
//! (`meaning_kind`) and the measure rule it matches (`measure_of`). The content tree asks
//! both of every value; each was a lookup of its own (a hash of the meaning in the meaning
//! cache, a hash of the code and a comparison of code and scheme in the measure table,
//! and for a meaning matched by its last words a normalised probe per word), and the same
//! few hundred concepts recur across an export's files (docs/performance.md, "The mapper,
//! 2026-12-07").

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::{Mapper, MeaningKind, MeasureTarget};
use crate::short_bytes::same_bytes;
use crate::sr::Code;

/// What the profiles say of one concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConceptAnswer {
    /// The carrier rules' answers for the meaning (`Mapper::meaning_kind`).
    pub kind: MeaningKind,
    pub(super) measure: Option<MeasureMatch>,
}

/// `Mapper::measure_of`'s answer, its own label as a byte range of the meaning (the key
/// holds the meaning's bytes, so the range fits every concept with the same key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MeasureMatch {
    pub(super) target: MeasureTarget,
    pub(super) by_code: bool,
    pub(super) own: Option<(u32, u32)>,
}

impl MeasureMatch {
    pub(super) fn own_label<'c>(&self, concept: &'c Code<'_>) -> Option<&'c str> {
        self.own
            .map(|(start, end)| &concept.meaning[start as usize..end as usize])
    }
}

/// One remembered concept: scheme, code and meaning as the file wrote them, one after the
/// other in `key`.
struct Entry {
    hash: u64,
    key: Box<[u8]>,
    scheme_len: u32,
    code_len: u32,
    answer: ConceptAnswer,
}

impl Entry {
    #[inline]
    fn is(&self, concept: &Code<'_>) -> bool {
        let (scheme, code, meaning) = parts(concept);
        let (s, c) = (self.scheme_len as usize, self.code_len as usize);
        s == scheme.len()
            && c == code.len()
            && self.key.len() == s + c + meaning.len()
            && same_bytes(&self.key[s + c..], meaning)
            && same_bytes(&self.key[s..s + c], code)
            && same_bytes(&self.key[..s], scheme)
    }
}

fn parts<'c>(concept: &'c Code<'_>) -> (&'c [u8], &'c [u8], &'c [u8]) {
    (
        concept.scheme.as_bytes(),
        concept.value.as_bytes(),
        concept.meaning.as_bytes(),
    )
}

struct Cache {
    mapper: u64,
    hasher: DefaultHashBuilder,
    entries: HashTable<Entry>,
}

impl Mapper {
    /// What the profiles say of `concept`, from the per-thread cache when this mapper has
    /// seen the same scheme, code and meaning before.
    pub fn concept(&self, concept: &Code<'_>) -> ConceptAnswer {
        thread_local! {
            static CACHE: std::cell::RefCell<Option<Cache>> = const { std::cell::RefCell::new(None) };
        }
        /// Distinct concepts kept; a hostile stream of unique concepts cannot grow it further.
        const MOST: usize = 4096;
        CACHE.with_borrow_mut(|cache| {
            let cache = cache.get_or_insert_with(|| Cache {
                mapper: self.id,
                hasher: DefaultHashBuilder::default(),
                entries: HashTable::new(),
            });
            if cache.mapper != self.id {
                cache.mapper = self.id;
                cache.entries.clear();
            }
            let (scheme, code, meaning) = parts(concept);
            let hash = cache.hasher.hash_one((scheme, code, meaning));
            if let Some(found) = cache
                .entries
                .find(hash, |e| e.hash == hash && e.is(concept))
            {
                return found.answer;
            }
            let answer = self.concept_uncached(concept);
            if cache.entries.len() >= MOST {
                cache.entries.clear();
            }
            let mut key = Vec::with_capacity(scheme.len() + code.len() + meaning.len());
            key.extend_from_slice(scheme);
            key.extend_from_slice(code);
            key.extend_from_slice(meaning);
            cache.entries.insert_unique(
                hash,
                Entry {
                    hash,
                    key: key.into_boxed_slice(),
                    scheme_len: scheme.len() as u32,
                    code_len: code.len() as u32,
                    answer,
                },
                |e| e.hash,
            );
            answer
        })
    }

    fn concept_uncached(&self, concept: &Code<'_>) -> ConceptAnswer {
        let measure = self
            .measure_of(concept)
            .map(|(target, by_code, own)| MeasureMatch {
                target,
                by_code,
                own: own.map(|own| {
                    let start = own.as_ptr() as usize - concept.meaning.as_ptr() as usize;
                    (start as u32, (start + own.len()) as u32)
                }),
            });
        ConceptAnswer {
            kind: self.meaning_kind(concept.meaning),
            measure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<'c>(scheme: &'c str, value: &'c str, meaning: &'c str) -> Code<'c> {
        Code {
            value,
            scheme,
            meaning,
        }
    }

    /// The cached answers are `meaning_kind`'s and `measure_of`'s own, on a first sight and
    /// on a repeat, for concepts that match by code, by meaning, by a meaning's last words
    /// and not at all; concepts that differ only in their scheme, their code or where the
    /// bytes split between the three are told apart; and another mapper's answers do not
    /// leak into this one's.
    #[test]
    fn cached_answers_agree_with_the_queries() {
        let mapper = Mapper::new(&crate::profile::builtin_profiles()).expect("built-ins compile");
        let concepts = [
            code("DCM", "113071", "BMD"),
            code("dcm ", " 113071", "Bone Mineral Density"),
            code("DCX", "113071", "BMD"),
            code("LN", "24966-4", "Weight"),
            code("LN", "24966-4 ", "Weight"),
            code("99X", "1", "Left Femoral Neck BMD"),
            code("99X", "1", "Left Femoral Neck Z-Score"),
            code("99X", "1", "Age-Matched Z-Score"),
            code("99X", "1", "  Left   Femoral_Neck  T-Score "),
            code("99X", "1", "Weight"),
            code("99X", "", "1Weight"),
            code("99X1", "", "Weight"),
            code("", "", ""),
            code("99X", "2", "FRAX Major Osteoporotic Fracture Probability"),
            code("99X", "3", "Trend Neck Left"),
            code("99X", "4", "Vertebral Fracture Assessment"),
            code("LN", "38263-7", "DXA Hip [T-score] Bone density"),
        ];
        let mut owns = 0;
        for concept in &concepts {
            let expected_measure = mapper.measure_of(concept);
            let expected_kind = mapper.meaning_kind(concept.meaning);
            for round in 0..2 {
                let answer = mapper.concept(concept);
                assert_eq!(answer.kind, expected_kind, "{concept:?} round {round}");
                let got = answer
                    .measure
                    .map(|m| (m.target, m.by_code, m.own_label(concept)));
                assert_eq!(got, expected_measure, "{concept:?} round {round}");
                if let Some((_, end)) = answer.measure.and_then(|m| m.own) {
                    assert!(end as usize <= concept.meaning.len());
                    owns += 1;
                }
            }
        }
        // Every kind of answer is among the concepts above.
        assert!(owns > 0);
        assert!(concepts.iter().any(|c| mapper.concept(c).measure.is_none()));
        assert!(
            concepts
                .iter()
                .any(|c| mapper.concept(c).measure.is_some_and(|m| m.by_code))
        );
        assert!(
            concepts
                .iter()
                .any(|c| mapper.concept(c).measure.is_some_and(|m| !m.by_code))
        );
        assert!(concepts.iter().any(|c| mapper.concept(c).kind.frax_label));
        assert!(concepts.iter().any(|c| mapper.concept(c).kind.trend));

        let other = Mapper::new(&crate::profile::builtin_profiles()).expect("built-ins compile");
        other.concept(&concepts[0]);
        for concept in &concepts {
            let answer = mapper.concept(concept);
            assert_eq!(answer.kind, mapper.meaning_kind(concept.meaning));
            assert_eq!(
                answer
                    .measure
                    .map(|m| (m.target, m.by_code, m.own_label(concept))),
                mapper.measure_of(concept)
            );
        }
    }
}
