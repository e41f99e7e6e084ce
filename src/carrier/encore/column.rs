//! What the planned reader knows of a header's column: what its cell is read for
//! (`Column`, resolved once into a plan, `plan::Plan`) and the unit its last value was
//! written in (`KeptUnit`), below the plan and the run that read by them (`run::Step`).

use std::sync::Arc;

use super::convert::Sorted;
use crate::bodycomp::units::Conversion;
use crate::bodycomp::{BodyRegion, Field, IndexKind};

/// What the planned reader does with a column's cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    /// Not read: an identity column (the patient ID and the date are read by their
    /// place), a column ignored or unknown.
    Skip,
    /// A value this kind of file does not read: only its decimal mark's evidence.
    Evidence,
    /// A region's value: the region, its place in `plan::Plan::regions`, the field.
    Value {
        region: BodyRegion,
        slot: u8,
        field: Field,
    },
    /// The right half less the left of a region, and the places of its halves in
    /// `plan::Plan::regions` (None: a half no column names, which no line gives).
    Diff {
        region: BodyRegion,
        field: Field,
        halves: Option<(u8, u8)>,
    },
    /// An index of its own column.
    Index(IndexKind),
}

/// A column's last unit (`plan::Units`).
#[derive(Debug, Clone)]
pub(super) struct KeptUnit {
    /// As written, shared.
    pub(super) unit: Arc<str>,
    /// Its conversion to the column's dimension (None: not one it knows).
    pub(super) conversion: Option<Conversion>,
    /// The conversion by what it is (`convert::Sorted`), as the planned reader applies it.
    pub(super) sorted: Sorted,
    /// Whether a cell is matched against it byte by byte (`cells::matchable`).
    pub(super) matchable: bool,
}

impl KeptUnit {
    /// A unit found for a column.
    pub(super) fn new(unit: Arc<str>, conversion: Option<Conversion>) -> Self {
        KeptUnit {
            matchable: super::cells::matchable(&unit),
            sorted: Sorted::of(conversion),
            unit,
            conversion,
        }
    }
}
