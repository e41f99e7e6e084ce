//! The header line of an export: the four identity columns (`Last Name`, `First Name`,
//! `Patient ID`, `Measure Date`: the format's, docs/evidence.md), then `<Region> <Measure>`
//! columns read by the profiles' body composition words (`Arm Right` + `Fat Mass`), the
//! longest measure that ends the header first. `<Region> Diff` is the right half less the
//! left (`Arms Diff` = `Arm Right` - `Arm Left`): checked, not kept. A column of its own
//! (`VAT Mass`) is an index.

use std::cell::RefCell;
use std::rc::Rc;

use super::recent::kept_or_made;
use super::text::IDENTITY;
use crate::bodycomp::{BodyRegion, IndexKind};
use crate::profile::{BodyField, BodyLabels};

/// Most columns of a header.
pub const MAX_COLUMNS: usize = 1024;

/// Where the patient ID and the date are (the names, columns 0 and 1, are never read).
pub(super) const PATIENT_ID: usize = 2;
/// The measure date's column.
pub(super) const MEASURE_DATE: usize = 3;
/// How many identity columns a header starts with.
pub(super) const IDENTITY_COLUMNS: usize = IDENTITY.len();

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Role {
    /// One of the identity columns.
    Identity,
    /// A region's value.
    Value {
        /// The region.
        region: BodyRegion,
        /// The measure.
        field: BodyField,
        /// The region's words as written (`Arm Right`).
        label: String,
    },
    /// The right half less the left of a region GE reports by side.
    Diff {
        /// The whole region (`Arms`).
        region: BodyRegion,
        /// The measure.
        field: BodyField,
    },
    /// An index of its own column.
    Index(IndexKind),
    /// Known and not read (TBW, average height, a repeated header).
    Ignored,
    /// Not a column this reader knows.
    Unknown,
}

/// Whether the first cells of a header line are the identity columns.
pub(super) fn is_identity(cells: &[&str]) -> bool {
    super::text::is_identity(cells.iter().copied())
}

/// What a header line says: how many cells it has and, for an export's (identity columns
/// first, at most `MAX_COLUMNS`), each column's role.
#[derive(Debug)]
pub(super) struct Header {
    /// How many cells (columns) the line has.
    pub(super) columns: usize,
    /// Whether the first cells are the identity columns.
    pub(super) identity: bool,
    /// The columns' roles (empty unless `identity` and at most `MAX_COLUMNS` cells).
    pub(super) roles: Vec<Role>,
    /// Whether a header was written twice (`roles`).
    pub(super) duplicate: bool,
    /// Whether a column's role is unknown (`Role::Unknown`): found once per header, not
    /// by a search of its roles per file.
    pub(super) unknown: bool,
}

impl Header {
    fn new(line: &str, labels: &BodyLabels) -> Header {
        let borrowed: Vec<&str> = line.split('\t').map(str::trim).collect();
        let identity = is_identity(&borrowed);
        let mut duplicate = false;
        let roles = if identity && borrowed.len() <= MAX_COLUMNS {
            roles(&borrowed, labels, &mut duplicate)
        } else {
            Vec::new()
        };
        Header {
            columns: borrowed.len(),
            identity,
            unknown: roles.contains(&Role::Unknown),
            roles,
            duplicate,
        }
    }
}

/// Header lines kept per worker thread: the files of one export set, and a site's exports
/// over the years, repeat a few header lines (each costs hundreds of label lookups).
const CACHED_HEADERS: usize = 8;
/// Longest header line cached (in bytes); a longer one is read each time.
const MOST_CACHED_BYTES: usize = 16 << 10;

/// What `line` (a file's first line) says, with `mapper`'s body composition labels: from
/// this thread's cache when the line was seen before with the same mapper.
pub(super) fn header(line: &str, mapper: &crate::profile::Mapper) -> Rc<Header> {
    type Cache = (u64, Vec<(Box<str>, Rc<Header>)>);
    thread_local! {
        static CACHE: RefCell<Cache> = const { RefCell::new((0, Vec::new())) };
    }
    if line.len() > MOST_CACHED_BYTES {
        return Rc::new(Header::new(line, mapper.body_labels()));
    }
    CACHE.with_borrow_mut(|(id, cache)| {
        if *id != mapper.id() {
            *id = mapper.id();
            cache.clear();
        }
        kept_or_made(
            cache,
            CACHED_HEADERS,
            |seen| **seen == *line,
            || {
                (
                    line.into(),
                    Rc::new(Header::new(line, mapper.body_labels())),
                )
            },
        )
    })
}

/// Longest header read, in characters, and most words (the public headers have at most 48
/// characters and 5 words): the split below tries every suffix of the words, and a header
/// of thousands of words (damage) must not cost their square.
const MAX_HEADER_CHARS: usize = 128;
/// Most words of a header.
const MAX_HEADER_WORDS: usize = 16;

/// What `header` holds.
fn role(header: &str, labels: &BodyLabels) -> Role {
    if header.chars().count() > MAX_HEADER_CHARS
        || header.split_whitespace().nth(MAX_HEADER_WORDS).is_some()
    {
        return Role::Unknown;
    }
    // The key of every word once: a suffix of the words is a suffix of the header's key
    // (keys leave out white space), looked up without being made again.
    let words: Vec<&str> = header.split_whitespace().collect();
    let mut key = String::with_capacity(header.len());
    let mut starts = Vec::with_capacity(words.len());
    for word in &words {
        starts.push(key.len());
        key.push_str(&crate::profile::label_key(word));
    }
    match labels.column_by_key(&key) {
        Some(BodyField::Index(kind)) => return Role::Index(kind),
        Some(BodyField::Ignored) => return Role::Ignored,
        _ => {}
    }
    for start in 1..words.len() {
        let Some(field) = labels.column_by_key(&key[starts[start]..]) else {
            continue;
        };
        match field {
            BodyField::Ignored => return Role::Ignored,
            BodyField::Label | BodyField::Result | BodyField::Index(_) => return Role::Unknown,
            BodyField::Value(_) | BodyField::Bone(_) => {}
        }
        let region_words = &words[..start];
        let last = region_words[region_words.len() - 1];
        if last.eq_ignore_ascii_case("diff") || last.eq_ignore_ascii_case("diff.") {
            let whole = labels.row_by_key(&key[..starts[start - 1]]);
            return match whole {
                Some(region) if region.halves().is_some() => Role::Diff { region, field },
                _ => Role::Unknown,
            };
        }
        return match labels.row_by_key(&key[..starts[start]]) {
            Some(region) => Role::Value {
                region,
                field,
                label: region_words.join(" "),
            },
            None => Role::Unknown,
        };
    }
    Role::Unknown
}

/// The roles of a header line's columns; a header written twice is read once (the first:
/// `duplicate` is set).
pub(super) fn roles(cells: &[&str], labels: &BodyLabels, duplicate: &mut bool) -> Vec<Role> {
    let mut seen = std::collections::HashSet::new();
    cells
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            if i < IDENTITY.len() {
                return Role::Identity;
            }
            let header = cell.trim();
            if !seen.insert(crate::profile::label_key(header)) {
                *duplicate = true;
                return Role::Ignored;
            }
            role(header, labels)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodycomp::Field;
    use crate::vocabulary::Measure;

    #[test]
    fn headers_as_the_public_export_writes_them() {
        let mapper = crate::profile::load(&[]).expect("built-ins");
        let labels = mapper.body_labels();
        let value = |region, field, label: &str| Role::Value {
            region,
            field,
            label: label.to_string(),
        };
        let cases = [
            (
                "Arm Right Fat Mass",
                value(
                    BodyRegion::ArmRight,
                    BodyField::Value(Field::Fat),
                    "Arm Right",
                ),
            ),
            (
                "Total Total Mass",
                value(
                    BodyRegion::Total,
                    BodyField::Value(Field::TotalMass),
                    "Total",
                ),
            ),
            (
                "Total Diff Fat-Free Mass",
                Role::Diff {
                    region: BodyRegion::Total,
                    field: BodyField::Value(Field::LeanBmc),
                },
            ),
            (
                "Arms Diff Region %Fat",
                Role::Diff {
                    region: BodyRegion::Arms,
                    field: BodyField::Value(Field::FatPct),
                },
            ),
            (
                "TBLH Tissue %Fat",
                value(
                    BodyRegion::Tblh,
                    BodyField::Value(Field::TissueFatPct),
                    "TBLH",
                ),
            ),
            (
                "Leg Left BMD",
                value(
                    BodyRegion::LegLeft,
                    BodyField::Bone(Measure::Bmd),
                    "Leg Left",
                ),
            ),
            (
                "Total Z-Score",
                value(BodyRegion::Total, BodyField::Bone(Measure::ZScore), "Total"),
            ),
            ("VAT Volume", Role::Index(IndexKind::VatVolume)),
            ("TBW Device", Role::Ignored),
            ("Spine Average Height", Role::Ignored),
            ("Android Diff Fat Mass", Role::Unknown),
            ("Elbow Fat Mass", Role::Unknown),
            ("Fat Mass", Role::Unknown),
            ("Shoe Size", Role::Unknown),
            ("a b c d e f g h i j k l m n o p Fat Mass", Role::Unknown),
        ];
        for (header, expected) in cases {
            assert_eq!(role(header, labels), expected, "{header}");
        }
        // A header that would name a value, beyond the limits: not read.
        let spaced = format!("Arm Left{}Fat Mass", " ".repeat(MAX_HEADER_CHARS));
        assert_eq!(role(&spaced, labels), Role::Unknown, "too long");
        let mut duplicate = false;
        let roles = roles(
            &[
                "Last Name",
                "First Name",
                "Patient ID",
                "Measure Date",
                "VAT Mass",
                "VAT Mass",
            ],
            labels,
            &mut duplicate,
        );
        assert_eq!(roles[4], Role::Index(IndexKind::VatMass));
        assert_eq!(roles[5], Role::Ignored);
        assert!(duplicate);
        assert!(is_identity(&[
            "Last Name",
            "First Name",
            "Patient ID",
            "measure date",
            "x"
        ]));
        assert!(!is_identity(&[
            "Patient ID",
            "Last Name",
            "First Name",
            "Measure Date"
        ]));
    }
}
