//! The committed sample export tree (`fixtures/sample`), and the studies it
//! is made of (public so tests can compare against the expected values).

use std::io;
use std::path::Path;

mod modelled;
mod planned;

pub use modelled::*;
use planned::{Planned, encore, ge_sr, image, image_with_text, other, sr, with_real_shape};

use crate::encoding::{Encoding, Ts, with_explicit_lengths};
use crate::encore::{Units, export_set};
use crate::evidence;
use crate::hologic_report::EMPTY_SKELETON;
use crate::junk;
use crate::styles::{flat_style, hologic_style, loinc_style};
use crate::tree::write_file;
use crate::whole_body::{Codes, whole_body_document};

/// One file of the sample tree, for manifests and the README table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// Path relative to the sample root, with `/` separators.
    pub path: String,
    /// Style (`hologic`, `ge`, `loinc`, `flat`) or junk kind.
    pub kind: String,
    /// Transfer syntax of DICOM files (`None` for non-DICOM files).
    pub ts: Option<Ts>,
    /// Whether the file has the 128-byte preamble (`None` for non-DICOM files).
    pub preamble: Option<bool>,
    /// What the file exercises.
    pub notes: String,
}

/// Every file of the sample tree, in manifest order.
fn plan() -> Vec<Planned> {
    let encore_set = export_set(Units::Pounds);
    let le = Encoding::new(Ts::ExplicitLe, true);
    let deflated = Encoding::new(Ts::DeflatedExplicitLe, true);
    let gateway = {
        let mut p = sr(
            "gateway/ACME000042/DXA_SR.dcm",
            loinc_style(&gateway_study()),
            "loinc",
            le,
            "LOINC-coded gateway, Comprehensive SR, laterality CODE on the hip, \
             sequences/items with defined (explicit) lengths",
        );
        p.bytes = with_explicit_lengths(&p.bytes).expect("re-encoding our own explicit VR LE SR");
        p
    };
    let [spine_2020, hip_2020] = evidence::hologic_followup_documents(
        "April 20, 2020",
        "Horizon A (S/N300123)",
        ("0.955", "-0.9"),
        ("0.632", "-2.0"),
        ("0.752", "-1.6"),
    );
    let [spine_2022, hip_2022] = evidence::hologic_followup_documents(
        "April 19, 2022",
        "Horizon W (S/N300999)",
        ("0.941", "-1.0"),
        ("0.611", "-2.2"),
        ("0.733", "-1.7"),
    );
    let doe = |name: &str, date: &str, age: &str, model: &str| {
        evidence::doe_header_on(name, date, age, model, "")
    };
    vec![
        other(
            "DICOMDIR",
            junk::dicomdir(),
            "junk: DICOMDIR",
            Some(le),
            "media storage directory at the export root (skip)",
        ),
        other(
            "readme.txt",
            junk::text(),
            "junk: text",
            None,
            "plain text (skip)",
        ),
        image_with_text(
            "hologic/2024/HOL000123_DOE_JANE/RPT_SPINE.dcm",
            evidence::doe_header("sample/hologic-2024/spine"),
            ("LSPINE", ""),
            &with_real_shape(evidence::hologic_spine_document(), "Osteopenia"),
            "seed visit, one of two report images: AP spine L1-L4 + Total, history table \
             (2022, 2020), serial only in Model (S/N300123); comment lines, GraphTitle2 \
             (white female), FractureRiskStr",
        ),
        image_with_text(
            "hologic/2024/HOL000123_DOE_JANE/RPT_LHIP.dcm",
            evidence::doe_header("sample/hologic-2024/left-hip"),
            ("HIP", "L"),
            &with_real_shape(evidence::hologic_left_hip_document(), "Osteopenia"),
            "seed visit, second report image: left hip Neck + Total, FRAX with and without \
             prior fracture",
        ),
        image(
            "hologic/2020/HOL000123_DOE_JANE/RPT_SPINE.dcm",
            doe("sample/hologic-2020/spine", "20200420", "062Y", "Horizon A"),
            ("LSPINE", ""),
            Some(&spine_2020),
            le,
            "the seed patient in 2020, same scanner: follow-up baseline (spine)",
        ),
        image(
            "hologic/2020/HOL000123_DOE_JANE/RPT_LHIP.dcm",
            doe(
                "sample/hologic-2020/left-hip",
                "20200420",
                "062Y",
                "Horizon A",
            ),
            ("HIP", "L"),
            Some(&hip_2020),
            le,
            "the seed patient in 2020: follow-up baseline (left hip)",
        ),
        image(
            "hologic/2022/HOL000123_DOE_JANE/RPT_SPINE.dcm",
            doe("sample/hologic-2022/spine", "20220419", "064Y", "Horizon W"),
            ("LSPINE", ""),
            Some(&spine_2022),
            le,
            "the seed patient in 2022 on another scanner (S/N300999): not comparable",
        ),
        image(
            "hologic/2022/HOL000123_DOE_JANE/RPT_LHIP.dcm",
            doe(
                "sample/hologic-2022/left-hip",
                "20220419",
                "064Y",
                "Horizon W",
            ),
            ("HIP", "L"),
            Some(&hip_2022),
            le,
            "the seed patient in 2022 on another scanner (left hip)",
        ),
        other(
            "hologic/2024/HOL000123_DOE_JANE/SC000001.dcm",
            junk::secondary_capture(),
            "junk: secondary capture",
            Some(le),
            "SC report page from HOLOGIC without a results document (skip, says so)",
        ),
        other(
            "hologic/2024/HOL000123_DOE_JANE/RAW00001.dcm",
            junk::hologic_raw_scan(),
            "junk: Hologic raw scan",
            Some(le),
            "SC SOP class with private (0019,xx00) HOLOGIC blob, not a results document (skip)",
        ),
        image(
            "hologic/2023/HOL000456_ASTROM_LARS/RPT_DUALHIP.dcm",
            evidence::astrom_header("sample/hologic-2023/dual-hip"),
            ("HIP", ""),
            Some(&evidence::hologic_dual_hip_document()),
            Encoding::new(Ts::ImplicitLe, true),
            "dual hip, male, Latin-1 name (\u{c5}str\u{f6}m): Neck and Total with Left, Right, \
             Mean, |Diff.| sub-rows (133-136)",
        ),
        image(
            "hologic/2023/HOL000456_ASTROM_LARS/RPT_FOREARM.dcm",
            evidence::astrom_header("sample/hologic-2023/forearm"),
            ("ARM", "R"),
            Some(&evidence::hologic_forearm_document()),
            le,
            "right forearm (ScanMode \"a R.Forearm\"): 1/3, MID, UD, Total",
        ),
        image(
            "hologic/2024/HOL000555_NILSSON_KARIN/RPT_LHIP.dcm",
            evidence::nilsson_header("sample/hologic-2024/nilsson"),
            ("HIP", "L"),
            Some(&evidence::hologic_menopause_document()),
            le,
            "a 47-year-old woman, MenopauseAge 44; FRAX not reported (the reason); model and \
             serial only in Model \"Horizon Ci (S/N301234M)\"",
        ),
        image_with_text(
            "hologic/2024/HOL000777_GARCIA_ROSA/RPT_LHIP.dcm",
            evidence::garcia_header("sample/hologic-2024/garcia-left-hip"),
            ("HIP", "L"),
            &evidence::garcia_left_hip_document().text(),
            "US site shape: comment lines, Height/Weight in in/lb, GraphTitle2 Hispanic female, \
             left hip FRAX with T-score(WHO), Region-column history with change values (* and #), \
             MM/DD dates proved by ReportDate",
        ),
        image_with_text(
            "hologic/2024/HOL000777_GARCIA_ROSA/RPT_RHIP.dcm",
            evidence::garcia_header("sample/hologic-2024/garcia-right-hip"),
            ("HIP", "R"),
            &evidence::garcia_right_hip_document().text(),
            "the same visit's right hip: its own FRAX (other values), % changes under headers \
             without a unit, dates proved by the row equal to Scan",
        ),
        image_with_text(
            "hologic/2024/HOL000777_GARCIA_ROSA/RPT_FOREARM.dcm",
            evidence::garcia_header("sample/hologic-2024/garcia-forearm"),
            ("ARM", "L"),
            &evidence::garcia_forearm_document().text(),
            "the same visit's left forearm: history trending the 1/3 radius, WHO Classification \
             on Bolded Results",
        ),
        image_with_text(
            "hologic/2024/HOL000777_GARCIA_ROSA/RPT_EMPTY.dcm",
            evidence::garcia_header("sample/hologic-2024/garcia-empty"),
            ("", ""),
            EMPTY_SKELETON,
            "an empty skeleton: HologicHeader1 with empty Institution and GeneralData, no \
             JavaScriptFile (skip: no results document)",
        ),
        sr(
            "hologic/2024/HOL000789_MILLER_EMMA/SR000001.dcm",
            hologic_style(&hologic_total_body_study()),
            "generic (modelled) SR",
            Encoding::new(Ts::ExplicitBe, true),
            "old invented shape kept as a generic example: total body, pediatric (15 y), \
             Z and AM % only, explicit VR big endian",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_SPINE_FEMUR.dcm",
            &evidence::ge_spine_femur_report(),
            deflated,
            "GE visit, SR 1 of 5: AP Spine + DualFemur, TEXT scores (one \"-1,7\"), Mean, Diff., \
             Upper/Lower Neck, Trend containers, DXA_RESULTS XML copy",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_FOREARM.dcm",
            &evidence::ge_forearm_xml_only_report(),
            le,
            "GE visit, SR 2: forearm values only in the ImageComments XML",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_FRAX.dcm",
            &evidence::ge_frax_report(),
            le,
            "GE visit, SR 3: FRAX container, with and without prior fracture, WHO text",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_LVA.dcm",
            &evidence::ge_lva_report(),
            le,
            "GE visit, SR 4: LVA deformity grades per vertebra",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_META.dcm",
            &evidence::ge_metadata_report(),
            le,
            "GE visit, SR 5: metadata only (no results tree): content none",
        ),
        ge_sr(
            "lunar/2021/LUN004412/SR_SPINE_FEMUR.dcm",
            &evidence::ge_prior_report(),
            deflated,
            "the Lunar patient in 2021 on the same scanner: follow-up baseline",
        ),
        other(
            "lunar/2024/LUN004412/thumb.jpg",
            junk::jpeg_thumbnail(),
            "junk: JPEG",
            None,
            "SOI..EOI JPEG bytes (skip)",
        ),
        ge_sr(
            "lunar/2011/LUN000187/Forearm_20110322.dcm",
            &evidence::ge_old_forearm_report(),
            Encoding::new(Ts::ExplicitLe, false),
            "old enCORE forearm, no preamble (file starts with DICM), older \
             DENSITOMETRY_RESULTS XML (last EXAM current, two earlier ones)",
        ),
        gateway,
        other(
            "gateway/ACME000042/REPORT_PDF.dcm",
            junk::encapsulated_pdf(),
            "junk: encapsulated PDF",
            Some(le),
            "Encapsulated PDF Storage (skip)",
        ),
        other(
            "gateway/ACME000042/report.pdf",
            junk::pdf(),
            "junk: PDF",
            None,
            "plain PDF file (skip)",
        ),
        sr(
            "other/NOR000311/results.dcm",
            flat_style(&norland_study()),
            "flat",
            Encoding::new(Ts::ImplicitLe, true),
            "unknown vendor: all NUMs under the root, region words in CodeMeaning",
        ),
        other(
            "other/NOR000311/empty.dcm",
            Vec::new(),
            "junk: empty file",
            None,
            "zero bytes (unreadable)",
        ),
        other(
            "ct/2024/CT000001/IM000001.dcm",
            junk::ct_image(),
            "junk: CT image",
            Some(le),
            "CT Image Storage 8x8 (skip)",
        ),
        sr(
            "radiology/2024/RIS004711/SR_TEXT.dcm",
            junk::basic_text_sr_doc(),
            "junk: Basic Text SR",
            le,
            "an SR that is not DXA: TEXT items only (skip / not DXA)",
        ),
        image_with_text(
            "hologic/2024/HOL000901_LEE_MAY/RPT_WB.dcm",
            evidence::hologic_header(
                "sample/hologic-2024/whole-body",
                "sample/hologic-2024/whole-body",
                ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
                ("20240603", "101500"),
                "Horizon A",
                "300888M",
            ),
            ("", ""),
            &whole_body_document(Codes::Absent),
            "whole body (ScanMode \"a Whole Body\"): the whole-body BMD table, Body \
             Composition Results, Adipose and Lean Indices, read by their labels",
        ),
        encore(
            "lunar/enc2024/Total_Body_Comp.txt",
            encore_set.comp,
            "GE enCORE Total Body Comp export (UTF-16LE, tabs, lbs): three patients, Right \
             before Left, Diff, an empty-cell row, a child's TBLH",
        ),
        encore(
            "lunar/enc2024/Total_Body.txt",
            encore_set.bmd,
            "GE enCORE Total Body (BMD) export: the same three exams' regions",
        ),
        encore(
            "lunar/enc2024/Total_Body_CoreScan.txt",
            encore_set.core_scan,
            "GE enCORE CoreScan export: VAT mass (lbs) and volume (in\u{b3}) of two exams",
        ),
    ]
}

/// Delete `dir` (if it is a previous sample tree) and write the sample tree.
///
/// Refuses to delete a non-empty directory without a `DICOMDIR` at its root,
/// to avoid wiping an unrelated folder by a typo.
pub fn write_sample(dir: &Path) -> io::Result<Vec<SampleFile>> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)?.next().is_some();
        if non_empty && !dir.join("DICOMDIR").is_file() {
            return Err(io::Error::other(format!(
                "{} is not empty and has no DICOMDIR; refusing to delete it",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut manifest = Vec::new();
    for p in plan() {
        write_file(&dir.join(p.path), &p.bytes)?;
        manifest.push(SampleFile {
            path: p.path.to_string(),
            kind: p.kind.to_string(),
            ts: p.enc.map(|e| e.ts),
            preamble: p.enc.map(|e| e.preamble),
            notes: p.notes.to_string(),
        });
    }
    Ok(manifest)
}

/// The manifest as a Markdown table (used for `fixtures/README.md`).
pub fn manifest_markdown(files: &[SampleFile]) -> String {
    let mut out = String::from(
        "| Path | Style / kind | Transfer syntax | Preamble | Exercises |\n|---|---|---|---|---|\n",
    );
    for f in files {
        let ts = f.ts.map_or("-", Ts::short_name);
        let pre = match f.preamble {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            f.path, f.kind, ts, pre, f.notes
        ));
    }
    out
}
