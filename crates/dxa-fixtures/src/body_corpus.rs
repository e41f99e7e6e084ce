//! A benchmark corpus of body composition files (bench/run.sh, "Body composition"): Hologic
//! whole-body report images and GE enCORE Total Body Comp exports, half each, every file of
//! its own patients, so that every file is read, grouped and written as a corpus of SR
//! documents is.

use std::io;
use std::path::Path;

use crate::encore::{Units, export_set, utf16le, utf16le_text};
use crate::evidence::hologic_header;
use crate::whole_body::{Codes, whole_body_document, whole_body_image};

/// What `write_body_corpus` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyCorpus {
    /// Whole-body report images.
    pub images: usize,
    /// enCORE export files.
    pub exports: usize,
    /// The export files' lines (each a document).
    pub export_lines: usize,
}

/// Writes `n` files into `dir` (`<thousand>/wb_<i>.dcm`, `<thousand>/comp_<i>.txt`): even
/// `i` a whole-body image of patient `WB<i>`, odd `i` an export of the three public-shape
/// exams under patients `EX<i>A` .. `EX<i>C`.
pub fn write_body_corpus(dir: &Path, n: usize) -> io::Result<BodyCorpus> {
    let text = whole_body_document(Codes::Absent);
    let comp = utf16le_text(&export_set(Units::Pounds).comp);
    let mut out = BodyCorpus::default();
    for i in 0..n {
        let folder = dir.join(format!("{:03}", i / 1000));
        std::fs::create_dir_all(&folder)?;
        if i % 2 == 0 {
            let name = format!("body-corpus/{i}");
            let patient = format!("WB{i:07}");
            let day = format!("2024{:02}{:02}", 1 + i % 12, 1 + i % 28);
            let header = hologic_header(
                &name,
                &name,
                ("DOE^JANE", &patient, "F", Some("19600101"), "064Y"),
                (&day, "101500"),
                "Horizon A",
                "300888M",
            );
            std::fs::write(
                folder.join(format!("wb_{i}.dcm")),
                whole_body_image(&header, &text),
            )?;
            out.images += 1;
        } else {
            let renamed = comp
                .replace("ENC000101", &format!("EX{i:07}A"))
                .replace("ENC000202", &format!("EX{i:07}B"))
                .replace("ENC000303", &format!("EX{i:07}C"));
            out.export_lines += renamed.trim_end().lines().count() - 1;
            std::fs::write(folder.join(format!("comp_{i}.txt")), utf16le(&renamed))?;
            out.exports += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_images_half_exports_of_distinct_patients() {
        let dir = std::env::temp_dir().join(format!("dxa-body-corpus-{}", std::process::id()));
        let written = write_body_corpus(&dir, 5).unwrap();
        assert_eq!((written.images, written.exports), (3, 2));
        assert_eq!(written.export_lines, 6);
        let export = std::fs::read(dir.join("000/comp_3.txt")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let text = utf16le_text(&export);
        assert!(text.contains("EX0000003B") && !text.contains("ENC000"));
    }
}
