//! A Hologic whole-body report image (shared docs/bodycomp-evidence.md 1.1 and 1.2;
//! synthesized: names, values and UIDs invented): the results document in the label style
//! of the one real whole-body document whose reader is public (`Fat[(g)]`, `% Fat[(%)]`,
//! `BMD[g/cm<sup><small>2</small></sup>]`, `ResultsTable1[ r][ c]` with space padding,
//! blank cells `" "`, CRLF) and the tables of the printed APEX whole-body report: the
//! whole-body BMD table, "Body Composition Results", the ancillary "DXA Results Summary"
//! with BMC and lean, "Adipose Indices" and "Lean Indices".
//!
//! The TableType, TableColumnTypes and TableRowTypes codes of these tables are in no public
//! source: `Codes::Absent` leaves them out, `Codes::Placeholder` writes numbers from 9000 up
//! that stand for them (invented, never real codes), so that a test can give a site's
//! profile codes to read.

use crate::encoding::Encoding;
use crate::header::Header;
use crate::hologic_report::{Section, render, report_image_with_text};

mod body;

pub use body::{
    ANDROID_GYNOID, BODY, BONE, Body, HEIGHT_CM, PARTS, Part, VAT, WEIGHT_KG, fat_pct, fixed,
    hundredths, indices, indices_of, subtotal_and_total, sum,
};

/// Whether the tables carry type codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codes {
    /// No TableType, TableColumnTypes or TableRowTypes statement.
    Absent,
    /// Placeholder codes: table n is `PLACEHOLDER_TABLE + n`, a column `PLACEHOLDER_COLUMN
    /// + its index in [`HEADERS`]`, a row `PLACEHOLDER_ROW + its index in [`ROW_LABELS`]`.
    Placeholder,
}

/// First placeholder table type.
pub const PLACEHOLDER_TABLE: u32 = 9000;
/// First placeholder column type.
pub const PLACEHOLDER_COLUMN: u32 = 9100;
/// First placeholder row type.
pub const PLACEHOLDER_ROW: u32 = 9200;

/// Every header the tables write, in the order of their placeholder codes.
pub const HEADERS: [&str; 16] = [
    "Region",
    "Area[cm<sup><small>2</small></sup>]",
    "BMC[(g)]",
    "BMD[g/cm<sup><small>2</small></sup>]",
    "T-<br>score",
    "Z-<br>score",
    "Fat[(g)]",
    "Lean+BMC[(g)]",
    "Total[(g)]",
    "% Fat[(%)]",
    "% Fat<br>T-score",
    "% Fat<br>Z-score",
    "Lean[(g)]",
    "Measure",
    "Result",
    "Est. VAT = Estimated Visceral Adipose Tissue",
];

/// Every row label the tables write, in the order of their placeholder codes.
pub const ROW_LABELS: [&str; 25] = [
    "L Arm",
    "R Arm",
    "L Ribs",
    "R Ribs",
    "T Spine",
    "L Spine",
    "Pelvis",
    "L Leg",
    "R Leg",
    "Subtotal",
    "Head",
    "Total",
    "Trunk",
    "Android (A)",
    "Gynoid (G)",
    "Total Body % Fat",
    "Fat Mass/Height<sup>2</sup> (kg/m<sup>2</sup>)",
    "Android/Gynoid Ratio",
    "% Fat Trunk/% Fat Legs",
    "Trunk/Limb Fat Mass Ratio",
    "Est. VAT Mass (g)",
    "Est. VAT Volume (cm<sup>3</sup>)",
    "Est. VAT Area (cm<sup>2</sup>)",
    "Lean/Height² (kg/m²)",
    "Appen. Lean/Height² (kg/m²)",
];

/// One table: title, headers, rows of cells (the label first; "" is written `" "`).
struct Table {
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn bone_table() -> Table {
    let mut rows = Vec::new();
    let bmd = |area: i64, bmc: i64| fixed(bmc * 1000 * 1000 / area, 6, 3);
    let row = |label: &str, area: i64, bmc: i64, z: &str| {
        vec![
            label.to_string(),
            fixed(area, 2, 2),
            fixed(bmc, 2, 2),
            bmd(area, bmc),
            String::new(),
            z.to_string(),
        ]
    };
    for &(label, area, bmc) in &BONE[..9] {
        rows.push(row(label, area, bmc, ""));
    }
    let total =
        |parts: &[(&str, i64, i64)]| parts.iter().fold((0, 0), |(a, b), p| (a + p.1, b + p.2));
    let (area, bmc) = total(&BONE[..9]);
    rows.push(row("Subtotal", area, bmc, ""));
    let (head_area, head_bmc) = (BONE[9].1, BONE[9].2);
    rows.push(row("Head", head_area, head_bmc, ""));
    rows.push(row("Total", area + head_area, bmc + head_bmc, "0.4"));
    Table {
        title: "DXA Results Summary:",
        headers: HEADERS[..6].to_vec(),
        rows,
    }
}

fn composition_table(body: &Body) -> Table {
    let (subtotal, total) = body.subtotal_and_total();
    let mut parts: Vec<Part> = body.parts[..5].to_vec();
    parts.extend([subtotal, body.parts[5], total]);
    parts.extend(body.android_gynoid);
    let scores = ["0.8", "0.6", "0.2", "0.9", "0.8", "0.5", "", "0.5", "", ""];
    let rows = parts
        .iter()
        .zip(scores)
        .map(|(p, score)| {
            let (fat, _, _, lean_bmc, total) = hundredths(p);
            let z = if score.is_empty() { "" } else { "0.1" };
            vec![
                p.label.to_string(),
                fixed(fat, 2, 0),
                fixed(lean_bmc, 2, 0),
                fixed(total, 2, 0),
                fat_pct(p),
                score.to_string(),
                z.to_string(),
            ]
        })
        .collect();
    Table {
        title: "Body Composition Results",
        headers: [0, 6, 7, 8, 9, 10, 11]
            .iter()
            .map(|&i| HEADERS[i])
            .collect(),
        rows,
    }
}

fn ancillary_table(body: &Body) -> Table {
    let (subtotal, total) = body.subtotal_and_total();
    let mut parts: Vec<Part> = body.parts[..5].to_vec();
    parts.extend([subtotal, body.parts[5], total]);
    let rows = parts
        .iter()
        .map(|p| {
            let (fat, lean, bmc, lean_bmc, total) = hundredths(p);
            vec![
                p.label.to_string(),
                fixed(bmc, 2, 2),
                fixed(fat, 2, 1),
                fixed(lean, 2, 1),
                fixed(lean_bmc, 2, 1),
                fixed(total, 2, 1),
                fat_pct(p),
            ]
        })
        .collect();
    Table {
        title: "DXA Results Summary:",
        headers: [0, 2, 6, 12, 7, 8, 9].iter().map(|&i| HEADERS[i]).collect(),
        rows,
    }
}

fn index_table(title: &'static str, rows: &[(&'static str, String)]) -> Table {
    let scored = [
        "Total Body % Fat",
        "Fat Mass/Height",
        "% Fat Trunk",
        "Trunk/Limb",
        "Lean/",
        "Appen.",
    ];
    let rows = rows
        .iter()
        .map(|(label, result)| {
            let scored = scored.iter().any(|s| label.starts_with(s));
            let (t, z) = if scored { ("0.7", "0.4") } else { ("", "") };
            vec![label.to_string(), result.clone(), t.into(), z.into()]
        })
        .collect();
    Table {
        title,
        headers: vec![HEADERS[13], HEADERS[14], HEADERS[4], HEADERS[5]],
        rows,
    }
}

/// The five tables, in the order of the printed report's pages.
fn tables(body: &Body) -> Vec<Table> {
    let indices = indices_of(body);
    vec![
        bone_table(),
        composition_table(body),
        ancillary_table(body),
        index_table("Adipose Indices", &indices[..8]),
        index_table("Lean Indices", &indices[8..]),
    ]
}

fn results(codes: Codes, body: &Body) -> String {
    let mut out = String::new();
    for (i, table) in tables(body).iter().enumerate() {
        let n = i + 1;
        let line = |out: &mut String, text: String| {
            out.push_str(&text);
            out.push_str("\r\n");
        };
        line(&mut out, format!("IncludeTable{n} = true;"));
        line(&mut out, format!("MAXROWS{n} = {};", table.rows.len() + 1));
        line(&mut out, format!("MAXCOLS{n} = {};", table.headers.len()));
        line(&mut out, format!("TableTitle{n} = \"{}\";", table.title));
        if n == 1 {
            line(
                &mut out,
                "TableNote1 = \"Total BMD CV 1.0%, ACF = 1.025, BCF = 0.998\";".into(),
            );
        }
        let placeholder = codes == Codes::Placeholder;
        if placeholder {
            line(
                &mut out,
                format!("TableType{n} = {};", PLACEHOLDER_TABLE + n as u32),
            );
        }
        for (c, header) in table.headers.iter().enumerate() {
            if placeholder {
                let code = HEADERS.iter().position(|h| h == header).expect("listed");
                line(
                    &mut out,
                    format!(
                        "TableColumnTypes{n}[ {c}] = {};",
                        PLACEHOLDER_COLUMN + code as u32
                    ),
                );
            }
            line(
                &mut out,
                format!("ResultsTable{n}[ 0][ {c}] = \"{header}\";"),
            );
        }
        for (r, cells) in table.rows.iter().enumerate() {
            let r = r + 1;
            if placeholder {
                let code = ROW_LABELS
                    .iter()
                    .position(|l| *l == cells[0])
                    .expect("listed");
                line(
                    &mut out,
                    format!(
                        "TableRowTypes{n}[ {r}] = {};",
                        PLACEHOLDER_ROW + code as u32
                    ),
                );
            }
            for (c, cell) in cells.iter().enumerate() {
                let cell = if cell.is_empty() { " " } else { cell.as_str() };
                line(
                    &mut out,
                    format!("ResultsTable{n}[ {r}][ {c}] = \"{cell}\";"),
                );
            }
        }
    }
    out
}

fn assignments(lines: &[(&str, &str)]) -> String {
    lines
        .iter()
        .map(|(k, v)| format!("{k} = \"{v}\";\r\n"))
        .collect()
}

/// The results document of a whole-body scan (a woman of 54, 165.0 cm, 66.0 kg).
pub fn whole_body_document(codes: Codes) -> String {
    whole_body_document_of(codes, &BODY)
}

/// The results document of a whole-body scan of the same woman with another composition
/// (the bone mineral of the whole-body BMD table is [`BONE`]'s whatever `body` says).
pub fn whole_body_document_of(codes: Codes, body: &Body) -> String {
    let sections: Vec<Section> = vec![
        (
            1,
            "PatInfo.js",
            assignments(&[
                ("PatientName", "LEE^MAY"),
                ("PatientID", "HOL000901"),
                ("PatientSex", "Female"),
                ("Ethnicity", "White"),
                ("Height", HEIGHT_CM),
                ("Weight", WEIGHT_KG),
                ("DOB", "02/11/1970"),
                ("Age", "54"),
                ("MenopauseAge", "51"),
            ]),
        ),
        (
            2,
            "ScanInfo.js",
            assignments(&[
                ("Scan", "June 3, 2024 - A06032401"),
                ("ScanMode", "a Whole Body"),
                ("AnalProtocol", "Auto Whole Body Fan Beam"),
                ("AnalDate", "06/03/2024"),
                ("Model", "Horizon A (S/N 300888M)"),
                ("HologicSoftwareVer", "13.6.0.5"),
            ]),
        ),
        (3, "Results.js", results(codes, body)),
        (4, "Image.js", "ImageFile = \"image.bmp\";\r\n".to_string()),
    ];
    render(&sections, true)
}

/// The report image (Secondary Capture, Modality OT, BodyPartExamined empty: a whole body)
/// holding `text`.
pub fn whole_body_image(header: &Header, text: &str) -> Vec<u8> {
    report_image_with_text(header, "", "", Some(text), (16, 16), Encoding::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_the_real_label_style() {
        let text = whole_body_document(Codes::Absent);
        assert!(text.contains("ResultsTable2[ 0][ 1] = \"Fat[(g)]\";\r\n"));
        assert!(
            text.contains("ResultsTable1[ 5][ 4] = \" \";\r\n"),
            "blank cells"
        );
        assert!(text.contains("ScanMode = \"a Whole Body\";"));
        assert!(!text.contains("TableType"), "no code without placeholders");
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        let coded = whole_body_document(Codes::Placeholder);
        assert!(coded.contains("TableType2 = 9002;"));
        assert!(coded.contains("TableRowTypes2[ 1] = 9200;"), "L Arm");
        // The subtotal is the five regions; the total adds the head.
        let (subtotal, total) = subtotal_and_total();
        assert_eq!(subtotal.fat + PARTS[5].fat, total.fat);
        // 20 657.1 g of 64 329.09 g.
        assert_eq!(fat_pct(&total), "32.1");
    }
}
