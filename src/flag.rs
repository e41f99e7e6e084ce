//! Findings written to the `flags` cells (docs/columns.md, "Findings ..."): each stage
//! raises its own as an enum with data (`document::DocFlag`, `classify::AssessmentFlag`,
//! `visit::VisitFlag`), never as text. `flag_enum!` gives each such enum a fieldless twin
//! listing its kinds, so that code can go over every flag there is (the check that
//! docs/columns.md documents each one); how a flag is spelled is `output::flags`'s alone.

/// Declares a flag enum and its kinds: `flag_enum! { /// doc; pub enum Name / Kind {
/// /// doc; Variant, Variant(Type, ...), Variant { field: Type, ... }, ... } }` makes
/// `enum Name`, a fieldless `enum Kind` with one variant per variant of `Name` and
/// `Kind::ALL`, and `Name::kind`.
macro_rules! flag_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident / $kind:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident
                $(( $($tuple:tt)* ))?
                $({ $($named:tt)* })?
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant
                $(( $($tuple)* ))?
                $({ $($named)* })?
            ),+
        }

        #[doc = concat!("The kinds of [`", stringify!($name), "`], one per variant.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $kind {
            $(
                #[doc = concat!("[`", stringify!($name), "::", stringify!($variant), "`]")]
                $variant
            ),+
        }

        impl $kind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$kind] = &[$($kind::$variant),+];
        }

        impl $name {
            /// Which kind of flag this is.
            pub fn kind(&self) -> $kind {
                match self {
                    $($name::$variant { .. } => $kind::$variant),+
                }
            }
        }
    };
}

pub(crate) use flag_enum;

/// Adds `flag` to `flags` unless it is there already (a finding is said once per cell).
pub fn flag_once<F: PartialEq>(flags: &mut Vec<F>, flag: F) {
    if !flags.contains(&flag) {
        flags.push(flag);
    }
}
