//! What a whole-body table's label names (a region, an index, a column) and a column
//! header's unit. Looked up when a table's plan is made (`plan::of`), which every report
//! image of the same tables then shares: nothing here runs per document
//! (docs/performance.md, "Body composition files").

use std::borrow::Cow;
use std::sync::Arc;

use crate::bodycomp::shared::shared;
use crate::bodycomp::{BodyRegion, IndexKind};
use crate::carrier::hologic::script::shown;
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

/// What `label` names in `mapper`'s labels.
pub(super) fn named(label: &str, mapper: &Mapper) -> Named {
    look_up(label, mapper.body_labels())
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

/// What the header written `raw` names in `mapper`'s labels, and its unit: HTML removed
/// and trimmed (`script::shown`), looked up (`named`), its unit shared.
pub(super) fn header(raw: &str, mapper: &Mapper) -> Header {
    let raw = Cow::Borrowed(raw);
    let text = shown(Some(&raw));
    let named = named(&text, mapper);
    Header {
        column: named.column,
        unit: shared(named.unit(&text)),
        blank: text.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_its_region_index_or_column_and_unit() {
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
        assert_eq!(named("L Arm", &mapper).row, Some(BodyRegion::ArmLeft));
        assert_eq!(named("Fat[(g)]", &mapper).column, labels.column("Fat"));
        assert!(named("Fat[(g)]", &mapper).column.is_some());
        assert_eq!(
            named("Est. VAT Mass (g)", &mapper).index,
            Some(IndexKind::VatMass)
        );
        assert_eq!(named("unknown label", &mapper).row, None);
        // The unit as `split_unit` gives it, with or without one.
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
    fn a_header_is_its_text_without_html_looked_up() {
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
        for raw in raws {
            let header = header(raw, &mapper);
            let written = Cow::Borrowed(raw);
            let text = shown(Some(&written));
            assert_eq!(header.column, named(&text, &mapper).column, "{raw:?}");
            assert_eq!(&*header.unit, split_unit(&text).1, "{raw:?}");
            assert_eq!(header.blank, text.is_empty(), "{raw:?}");
        }
        assert!(header("Fat[(g)]", &mapper).column.is_some());
        assert_eq!(&*header("% Fat[(%)]", &mapper).unit, "%");
        assert!(header("<b></b>", &mapper).blank);
    }
}
