//! Vendor labels of the corpus styles: the group and row labels each style writes.

use super::{Site, Style};

/// Vendor labels for (group, rows) of a style.
pub(super) struct Naming {
    pub(super) spine: (&'static str, &'static [(&'static str, Site)]),
    pub(super) hip: (&'static str, &'static str, &'static [(&'static str, Site)]),
    pub(super) arm: (&'static str, &'static [(&'static str, Site)]),
}

pub(super) fn naming(style: Style) -> Naming {
    match style {
        Style::Hologic => Naming {
            spine: (
                "AP Spine",
                &[
                    ("L1", Site::L1),
                    ("L2", Site::L2),
                    ("L3", Site::L3),
                    ("L4", Site::L4),
                    ("Total", Site::SpineTotal),
                ],
            ),
            hip: (
                "Left Hip",
                "Right Hip",
                &[
                    ("Neck", Site::Neck),
                    ("Troch", Site::Troch),
                    ("Inter", Site::Inter),
                    ("Total", Site::HipTotal),
                    ("Ward's", Site::Wards),
                ],
            ),
            arm: (
                "Left Forearm",
                &[
                    ("1/3", Site::Rad33),
                    ("UD", Site::RadUd),
                    ("MID", Site::RadMid),
                    ("Total", Site::RadTotal),
                ],
            ),
        },
        Style::Ge => Naming {
            spine: (
                "AP Spine L1-L4",
                &[
                    ("L1", Site::L1),
                    ("L2", Site::L2),
                    ("L3", Site::L3),
                    ("L4", Site::L4),
                    ("L1-L4", Site::SpineTotal),
                ],
            ),
            hip: (
                "DualFemur Left",
                "DualFemur Right",
                &[
                    ("Neck", Site::Neck),
                    ("Wards", Site::Wards),
                    ("Troch", Site::Troch),
                    ("Total", Site::HipTotal),
                ],
            ),
            arm: (
                "Left Forearm",
                &[
                    ("Radius 33%", Site::Rad33),
                    ("Radius UD", Site::RadUd),
                    ("Radius Total", Site::RadTotal),
                ],
            ),
        },
        Style::Loinc | Style::Flat => Naming {
            spine: ("Lumbar Spine", &[("L1-L4", Site::SpineTotal)]),
            hip: (
                "Left Hip",
                "Right Hip",
                &[("Femoral Neck", Site::Neck), ("Total Hip", Site::HipTotal)],
            ),
            arm: ("Forearm", &[("Radius 33%", Site::Rad33)]),
        },
    }
}
