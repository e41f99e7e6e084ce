//! Carriers of results besides the SR content tree (docs/evidence.md): the XML copy in a
//! GE SR's ImageComments, the Hologic results document in a private element of a report
//! image, GE enCORE's export files of whole-body exams; and the date forms all carriers
//! write.

pub mod dates;
pub mod encore;
pub mod ge_xml;
pub mod hologic;
