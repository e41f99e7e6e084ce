//! What a whole-body table's label names (a region, an index, a column), kept per worker
//! thread: every report image repeats the same few dozen labels (`L Arm`, `Fat[(g)]`,
//! `Est. VAT Mass (g)`), each looked up by its `label_key`, a new `String`, three times
//! (docs/performance.md, "Body composition files").

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use crate::bodycomp::shared::shared;
use crate::bodycomp::{BodyRegion, IndexKind};
use crate::carrier::hologic::script::shown;
use crate::hash::fnv1a;
use crate::profile::{BodyField, BodyLabels, Mapper, split_unit};

/// What a label names, each by the profile's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Named {
    /// The region a row label names.
    pub row: Option<BodyRegion>,
    /// The index a row label names (its unit split off).
    pub index: Option<IndexKind>,
    /// What a column header names (its unit split off).
    pub column: Option<BodyField>,
    /// Where the label's unit is in it (`split_unit`'s, as a byte range: `unit`).
    unit: (usize, usize),
}

impl Named {
    /// The unit of `label` (the label this was found for), as `split_unit` gives it.
    pub(super) fn unit<'l>(&self, label: &'l str) -> &'l str {
        &label[self.unit.0..self.unit.1]
    }
}

/// Labels kept per thread (a table of slots by hash: a label goes to an empty one of its two
/// slots, else replaces the one in its first).
const SLOTS: usize = 512;
/// Longest label kept, in bytes (the real ones are short); a longer one is looked up each
/// time.
const MOST_CACHED_BYTES: usize = 256;

/// The labels kept, and the mapper whose labels they were looked up in.
struct Kept {
    mapper: u64,
    slots: Vec<Option<(Box<str>, Named)>>,
}

thread_local! {
    static KEPT: RefCell<Kept> = const {
        RefCell::new(Kept {
            mapper: 0,
            slots: Vec::new(),
        })
    };
}

/// What `label` names, looked up in `labels`.
fn look_up(label: &str, labels: &BodyLabels) -> Named {
    let (without_unit, unit) = split_unit(label);
    // A unit is a part of the label: where it starts, by its address (no unit is the
    // empty text, which may be none of the label's).
    let start = if unit.is_empty() {
        0
    } else {
        unit.as_ptr() as usize - label.as_ptr() as usize
    };
    Named {
        row: labels.row(label),
        index: labels.index(without_unit),
        column: labels.column(without_unit),
        unit: (start, start + unit.len()),
    }
}

/// What `label` names in `mapper`'s labels: from this thread's table when it was looked up
/// before with the same mapper.
pub(super) fn named(label: &str, mapper: &Mapper) -> Named {
    if label.len() > MOST_CACHED_BYTES {
        return look_up(label, mapper.body_labels());
    }
    KEPT.with_borrow_mut(|kept| {
        if kept.mapper != mapper.id() || kept.slots.is_empty() {
            kept.mapper = mapper.id();
            kept.slots.clear();
            kept.slots.resize(SLOTS, None);
        }
        // Two slots a label may be in: a document's some 40 labels in 512 slots share one
        // now and then (two labels of one slot replaced each other in every document).
        let hash = fnv1a(label.as_bytes());
        let places = [
            (hash % SLOTS as u64) as usize,
            ((hash >> 32) % SLOTS as u64) as usize,
        ];
        for at in places {
            if let Some((held, named)) = &kept.slots[at]
                && **held == *label
            {
                return *named;
            }
        }
        let named = look_up(label, mapper.body_labels());
        // An empty one of its slots, else its first.
        let at = places
            .into_iter()
            .find(|at| kept.slots[*at].is_none())
            .unwrap_or(places[0]);
        kept.slots[at] = Some((label.into(), named));
        named
    })
}

/// What a column's header names, and its unit, from the header's text as written (HTML
/// and all: `Area[cm<sup><small>2</small></sup>]`, `T-<br>score`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    /// What the header names (`Named::column`).
    pub column: Option<BodyField>,
    /// Its unit (`Named::unit`).
    pub unit: Arc<str>,
    /// Whether the header, HTML removed and trimmed, is empty.
    pub blank: bool,
}

/// Headers kept per thread by their text as written: a document's some 30 headers are the
/// same from file to file, each otherwise freed of HTML, looked up and its unit shared per
/// column (docs/performance.md, "Body composition files").
struct KeptHeaders {
    mapper: u64,
    slots: Vec<Option<(Box<str>, Header)>>,
}

thread_local! {
    static HEADERS: RefCell<KeptHeaders> = const {
        RefCell::new(KeptHeaders {
            mapper: 0,
            slots: Vec::new(),
        })
    };
}

/// A header as found from its text as written (`raw`): HTML removed and trimmed
/// (`script::shown`), looked up (`named`), its unit shared.
fn header_of(raw: &str, mapper: &Mapper) -> Header {
    let raw = Cow::Borrowed(raw);
    let text = shown(Some(&raw));
    let named = named(&text, mapper);
    Header {
        column: named.column,
        unit: shared(named.unit(&text)),
        blank: text.is_empty(),
    }
}

/// What the header written `raw` names in `mapper`'s labels, and its unit: from this
/// thread's table when it was found before with the same mapper (as `named` keeps labels).
pub(super) fn header(raw: &str, mapper: &Mapper) -> Header {
    if raw.len() > MOST_CACHED_BYTES {
        return header_of(raw, mapper);
    }
    HEADERS.with_borrow_mut(|kept| {
        if kept.mapper != mapper.id() || kept.slots.is_empty() {
            kept.mapper = mapper.id();
            kept.slots.clear();
            kept.slots.resize(SLOTS, None);
        }
        let hash = fnv1a(raw.as_bytes());
        let places = [
            (hash % SLOTS as u64) as usize,
            ((hash >> 32) % SLOTS as u64) as usize,
        ];
        for at in places {
            if let Some((held, header)) = &kept.slots[at]
                && **held == *raw
            {
                return header.clone();
            }
        }
        let header = header_of(raw, mapper);
        let at = places
            .into_iter()
            .find(|at| kept.slots[*at].is_none())
            .unwrap_or(places[0]);
        kept.slots[at] = Some((raw.into(), header.clone()));
        header
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_kept_names_what_its_lookup_names() {
        let mapper = crate::profile::load(&[]).expect("built-ins");
        let labels = mapper.body_labels();
        let texts = [
            "L Arm",
            "Trunk",
            "Fat[(g)]",
            "% Fat[(%)]",
            "Est. VAT Mass (g)",
            "Region",
            "",
            "Lean+BMC[(g)]",
            "Android (A)",
            "unknown label",
        ];
        for _ in 0..2 {
            for text in texts {
                assert_eq!(named(text, &mapper), look_up(text, labels), "{text:?}");
            }
        }
        assert_eq!(named("L Arm", &mapper).row, Some(BodyRegion::ArmLeft));
        assert_eq!(named("Fat[(g)]", &mapper).column, labels.column("Fat"));
        assert!(named("Fat[(g)]", &mapper).column.is_some());
        assert_eq!(
            named("Est. VAT Mass (g)", &mapper).index,
            Some(IndexKind::VatMass)
        );
        // Many labels in few slots: each still names what it names.
        for n in 0..3 * SLOTS {
            let text = format!("L Arm {n}");
            assert_eq!(named(&text, &mapper), look_up(&text, labels));
        }
        let long = "Trunk ".repeat(100);
        assert_eq!(named(&long, &mapper), look_up(&long, labels));
        // The unit as `split_unit` gives it, kept or not, with or without one.
        for text in texts
            .iter()
            .copied()
            .chain(["BMD[g/cm2]", " Fat [ (g) ] ", "x (", "("])
        {
            assert_eq!(
                named(text, &mapper).unit(text),
                split_unit(text).1,
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_header_kept_is_the_header_found() {
        let mapper = crate::profile::load(&[]).expect("built-ins");
        let raws = [
            "Fat[(g)]",
            "% Fat[(%)]",
            "Area[cm<sup><small>2</small></sup>]",
            "BMD[g/cm<sup><small>2</small></sup>]",
            "T-<br>score",
            " Lean+BMC[(g)] ",
            "<b></b>",
            "&nbsp;",
            "",
            "Region",
            "unknown[(kg)]",
        ];
        for _ in 0..2 {
            for raw in raws {
                let header = header(raw, &mapper);
                assert_eq!(header, header_of(raw, &mapper), "{raw:?}");
                let written = Cow::Borrowed(raw);
                let text = shown(Some(&written));
                assert_eq!(header.column, named(&text, &mapper).column, "{raw:?}");
                assert_eq!(&*header.unit, split_unit(&text).1, "{raw:?}");
                assert_eq!(header.blank, text.is_empty(), "{raw:?}");
            }
        }
        assert!(header("Fat[(g)]", &mapper).column.is_some());
        assert_eq!(&*header("% Fat[(%)]", &mapper).unit, "%");
        assert!(header("<b></b>", &mapper).blank);
        // Many headers in few slots: each still names what it names.
        for n in 0..3 * SLOTS {
            let raw = format!("Fat {n}<br>[(g)]");
            assert_eq!(header(&raw, &mapper), header_of(&raw, &mapper));
        }
        let long = "Fat<br>".repeat(100);
        assert_eq!(header(&long, &mapper), header_of(&long, &mapper));
    }
}
