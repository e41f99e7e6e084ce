//! A Total Body Comp header's columns resolved once into what a data line's cells are read
//! into (`Plan`), for the planned reader (`planned`): each column's region slot and field,
//! the composition's regions in their order with their labels. Made once per worker
//! thread and header (`of`), so a file's lines, and the files of one export set,
//! do not match each column's role and the file's kind per cell.
//!
//! Only a header whose lines the planned reader reads as `record::build` does has a plan:
//! a composition's header naming each region's value once (a value named twice is kept or
//! refused by `bodycomp::keep`, which compares the two readings), each region by one label
//! (its label is the first column's that gave a value: with one label it is that one
//! whatever the line holds). Any other header is read by `record::build`.

use std::cell::RefCell;

use std::rc::Rc;

use super::column::{Column, KeptUnit};
use super::diff::Roundings;
use super::header::{Header, Role};
use super::recent::kept_or_made;
use super::record::{ExportKind, kind};
use super::run::Step;
use crate::bodycomp::{BodyRegion, RegionLabel};
use crate::profile::BodyField;

/// Per column of a header, the unit its last value was written in, shared, and its
/// conversion: `Context::column_unit`'s for that text, kept with the plan (cached per
/// worker thread with its header) where the planned reader finds it at once, for the next
/// line and the next file of the same header; and the column as the known run reads it
/// (`run::Step`), made again when its unit is.
#[derive(Debug)]
pub(super) struct Units {
    pub(super) kept: Vec<Option<KeptUnit>>,
    pub(super) steps: Vec<Step>,
}

impl Units {
    /// No unit kept yet for `columns`.
    pub(super) fn new(columns: &[Column]) -> Units {
        Units {
            kept: vec![None; columns.len()],
            steps: columns.iter().map(|role| Step::new(*role, None)).collect(),
        }
    }

    /// `kept` as the last unit of `column`, whose role is `role`.
    pub(super) fn keep(&mut self, column: usize, role: Column, kept: KeptUnit) {
        self.steps[column] = Step::new(role, Some(&kept));
        self.kept[column] = Some(kept);
    }
}

/// Plans kept per worker thread, with their headers (`header::header` gives a header seen
/// again as the same `Rc`).
const CACHED_PLANS: usize = 8;

/// The plan of `header` (None: its lines are read by `record::build`), made once per
/// worker thread and header.
pub(super) fn of(header: &Rc<Header>) -> Option<Rc<Plan>> {
    type Cache = Vec<(Rc<Header>, Option<Rc<Plan>>)>;
    thread_local! {
        static CACHE: RefCell<Cache> = const { RefCell::new(Vec::new()) };
    }
    CACHE.with_borrow_mut(|cache| {
        kept_or_made(
            cache,
            CACHED_PLANS,
            |seen| Rc::ptr_eq(seen, header),
            || (Rc::clone(header), Plan::new(&header.roles).map(Rc::new)),
        )
    })
}

/// A composition header's columns resolved.
#[derive(Debug)]
pub(super) struct Plan {
    /// Per column of the header.
    pub(super) columns: Vec<Column>,
    /// The regions the values name, in `BodyRegion` order, with their label as written,
    /// made once (`RegionLabel::new`'s search of the kept labels), cloned per line.
    pub(super) regions: Vec<(BodyRegion, RegionLabel)>,
    /// Per column, its last unit and conversion.
    pub(super) units: RefCell<Units>,
    /// How many Diff columns (a line's Diff readings are held until it is read).
    pub(super) diffs: usize,
    /// The Diffs' readings' roundings, kept across lines and files (their units are the
    /// ones `units` keeps).
    pub(super) roundings: RefCell<Roundings>,
}

impl Plan {
    /// The plan of a header's `roles`; None unless it is a composition's (`kind`) whose
    /// lines the planned reader reads as `record::build` does (the module's comment).
    pub(super) fn new(roles: &[Role]) -> Option<Plan> {
        if kind(roles) != Some(ExportKind::Composition) {
            return None;
        }
        let mut regions: Vec<(BodyRegion, String)> = Vec::new();
        let mut named = Vec::new();
        for role in roles {
            if let Role::Value {
                region,
                field: BodyField::Value(field),
                label,
            } = role
            {
                match regions.iter().find(|(r, _)| r == region) {
                    Some((_, first)) if first != label => return None,
                    Some(_) => {}
                    None => regions.push((*region, label.clone())),
                }
                if named.contains(&(*region, *field)) {
                    return None;
                }
                named.push((*region, *field));
            }
        }
        regions.sort_by_key(|(region, _)| *region);
        if regions.len() > usize::from(u8::MAX) {
            return None;
        }
        let place = |region: &BodyRegion| {
            let at = regions.iter().position(|(r, _)| r == region)?;
            Some(u8::try_from(at).expect("checked above"))
        };
        let slot = |region: &BodyRegion| place(region).expect("every value's region placed");
        let columns = roles
            .iter()
            .map(|role| match role {
                Role::Value {
                    region,
                    field: BodyField::Value(field),
                    ..
                } => Column::Value {
                    region: *region,
                    slot: slot(region),
                    field: *field,
                },
                Role::Diff {
                    region,
                    field: BodyField::Value(field),
                } => Column::Diff {
                    region: *region,
                    field: *field,
                    halves: region
                        .halves()
                        .and_then(|(right, left)| Some((place(&right)?, place(&left)?))),
                },
                Role::Index(kind) => Column::Index(*kind),
                Role::Value { .. } | Role::Diff { .. } => Column::Evidence,
                Role::Identity | Role::Ignored | Role::Unknown => Column::Skip,
            })
            .collect::<Vec<_>>();
        Some(Plan {
            units: RefCell::new(Units::new(&columns)),
            diffs: columns
                .iter()
                .filter(|c| matches!(c, Column::Diff { .. }))
                .count(),
            roundings: RefCell::default(),
            columns,
            regions: regions
                .into_iter()
                .map(|(region, label)| (region, RegionLabel::new(region, &label)))
                .collect(),
        })
    }
}
