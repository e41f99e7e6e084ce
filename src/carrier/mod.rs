//! Carriers of results besides the SR content tree (docs/evidence.md): the XML copy in a
//! GE SR's ImageComments, and the Hologic results document in a private element of a
//! report image; and the date forms all carriers write.

pub mod dates;
pub mod ge_xml;
pub mod hologic;
