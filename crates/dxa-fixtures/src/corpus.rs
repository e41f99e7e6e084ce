//! Large, realistic, seeded corpora of DXA SR files for benchmarks.
//!
//! Layout: `DIR/<site>/<year>/<patient id>/<n>.dcm`, patients with 1–4
//! studies, mixed styles and encodings, plus an optional share of junk files.
//! Every file is written as soon as it is generated (memory use is constant).

use std::io;
use std::path::Path;

use crate::encoding::{Encoding, Ts};
use crate::header::{COMPREHENSIVE_SR, Header};
use crate::junk;
use crate::rng::Rng;
use crate::styles::{
    BmdUnit, DxaStudy, Group, Lat, Row, flat_style, ge_style, hologic_style, loinc_style,
};
use crate::tree::{sr_bytes, write_file};

mod images;
mod naming;
mod shapes;

use naming::naming;
pub use shapes::{Shape, write_shaped};

/// Options of [`write_corpus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorpusOptions {
    /// Number of DXA SR files to write.
    pub n: usize,
    /// PRNG seed; equal seeds give byte-identical corpora.
    pub seed: u64,
    /// Chance (in percent) that a junk file is written next to each SR.
    pub junk_pct: u32,
    /// Beside every document, a 1-3 MB report image of its study (a Hologic-style study's
    /// carries the results document of the document's groups): half the files are images,
    /// for the read-less-than-cat benchmark.
    pub image_heavy: bool,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            n: 1000,
            seed: 1,
            junk_pct: 5,
            image_heavy: false,
        }
    }
}

/// What [`write_corpus`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// DXA SR files.
    pub sr_files: usize,
    /// Report images (image-heavy corpora).
    pub images: usize,
    /// Junk (non-DXA) files.
    pub junk_files: usize,
    /// Distinct patients.
    pub patients: usize,
    /// Total bytes written.
    pub bytes: u64,
}

/// Style of one generated study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Hologic,
    Ge,
    Loinc,
    Flat,
}

/// A measured region, independent of vendor naming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    L1,
    L2,
    L3,
    L4,
    SpineTotal,
    Neck,
    Troch,
    Inter,
    HipTotal,
    Wards,
    Rad33,
    RadUd,
    RadMid,
    RadTotal,
}

impl Site {
    /// Young adult female mean BMD (g/cm2), SD, typical area (cm2).
    fn reference(self) -> (f64, f64, f64) {
        match self {
            Site::L1 => (0.921, 0.110, 14.0),
            Site::L2 => (1.028, 0.120, 15.0),
            Site::L3 => (1.070, 0.120, 16.0),
            Site::L4 => (1.078, 0.120, 16.5),
            Site::SpineTotal => (1.047, 0.110, 61.5),
            Site::Neck => (0.849, 0.111, 4.9),
            Site::Troch => (0.710, 0.090, 11.5),
            Site::Inter => (1.110, 0.150, 18.0),
            Site::HipTotal => (0.942, 0.122, 34.0),
            Site::Wards => (0.740, 0.130, 1.0),
            Site::Rad33 => (0.689, 0.055, 3.0),
            Site::RadUd => (0.420, 0.060, 3.5),
            Site::RadMid => (0.600, 0.060, 6.5),
            Site::RadTotal => (0.575, 0.055, 13.0),
        }
    }
}

/// A patient's persistent traits.
struct Patient {
    id: String,
    name: String,
    male: bool,
    birth: (i64, i64, i64),
    spine_t: f64,
    hip_t: f64,
    arm_t: f64,
    site: &'static str,
}

const SURNAMES: &[&str] = &[
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "MARTIN",
    "LEROY", "MUELLER", "SCHMIDT", "ROSSI", "RUSSO", "NOVAK", "KOWALSKI", "NILSSON", "HANSEN",
    "JANSSEN", "PEETERS", "SILVA", "SANTOS", "TANAKA", "SATO", "KIM", "LEE", "NGUYEN", "OBI",
];
const FEMALE: &[&str] = &[
    "MARY", "ANNA", "LINDA", "SUSAN", "MARIA", "ELENA", "SOFIA", "EMMA", "JUDITH", "HELEN",
    "KARIN", "YUKI", "GRACE", "ROSA", "INGRID", "CLAIRE",
];
const MALE: &[&str] = &[
    "JOHN", "PETER", "LARS", "MARCO", "JAN", "PIOTR", "KENJI", "PAUL", "HENRI", "OMAR", "DAVID",
];
const SITES: &[&str] = &["site-north", "site-south", "site-east", "site-west"];

/// Write `opts.n` DXA SR files (plus junk) under `dir` in the mixed shape ([`Shape::Mixed`];
/// [`write_shaped`] for the others). Existing files with the same names are overwritten;
/// nothing is deleted.
pub fn write_corpus(dir: &Path, opts: &CorpusOptions) -> io::Result<CorpusStats> {
    let mut rng = Rng::new(opts.seed ^ 0x00D0_A5C0_4B05);
    let mut stats = CorpusStats::default();
    let junk_files = JunkSet::new();
    let mut p = 0usize;
    while stats.sr_files < opts.n {
        p += 1;
        let patient = new_patient(&mut rng, opts.seed, p);
        stats.patients += 1;
        let n_studies = (rng.range(1, 4) as usize).min(opts.n - stats.sr_files);
        let mut year = 2024 - rng.range(0, 17);
        for k in 1..=n_studies {
            if stats.sr_files >= opts.n {
                break;
            }
            if k > 1 {
                year = (year + rng.range(1, 3)).min(2025);
            }
            let date = (year, rng.range(1, 12), rng.range(1, 28));
            let style = pick_style(&mut rng);
            let study = make_study(&mut rng, &patient, style, date, opts.seed, p, k);
            let enc = Encoding::new(*rng.pick(&Ts::ALL), !rng.chance(0.15));
            let folder = dir
                .join(patient.site)
                .join(year.to_string())
                .join(&patient.id);
            // A third of the studies are sent as 2-5 documents (one per group or so).
            let remaining = opts.n - stats.sr_files;
            let parts = if rng.chance(1.0 / 3.0) && remaining >= 2 {
                split(&study, (rng.range(2, 5) as usize).min(remaining))
            } else {
                vec![study]
            };
            for (d, part) in parts.iter().enumerate() {
                let bytes = render(style, part, enc);
                stats.bytes += bytes.len() as u64;
                let name = if d == 0 {
                    format!("{k}.dcm")
                } else {
                    format!("{k}_{d}.dcm")
                };
                write_file(&folder.join(name), &bytes)?;
                stats.sr_files += 1;
                if opts.image_heavy {
                    let image = images::report_image_of(&mut rng, part, style == Style::Hologic);
                    stats.bytes += image.len() as u64;
                    write_file(&folder.join(format!("{k}_{d}_report.dcm")), &image)?;
                    stats.images += 1;
                }
            }
            if rng.below(100) < u64::from(opts.junk_pct) {
                let (name, bytes) = junk_files.pick(&mut rng);
                stats.bytes += bytes.len() as u64;
                write_file(&folder.join(format!("{k}_{name}")), bytes)?;
                stats.junk_files += 1;
            }
        }
    }
    Ok(stats)
}

/// The study split over `parts` documents: its groups dealt out in order (FRAX, TBS and
/// the reference database with the last), each document its own SOP Instance UID, one
/// study UID. Fewer parts when there are fewer groups.
fn split(study: &DxaStudy, parts: usize) -> Vec<DxaStudy> {
    let parts = parts.min(study.groups.len()).max(1);
    let per = study.groups.len().div_ceil(parts);
    let mut out: Vec<DxaStudy> = study
        .groups
        .chunks(per.max(1))
        .enumerate()
        .map(|(i, groups)| {
            let mut part = DxaStudy::new(study.header.clone());
            part.header.sop_uid = format!("{}.{}", study.header.sop_uid, i + 1);
            part.header.instance_number = (i + 1).to_string();
            part.bmd_unit = study.bmd_unit;
            part.groups = groups.to_vec();
            part
        })
        .collect();
    if let Some(last) = out.last_mut() {
        last.frax_major = study.frax_major.clone();
        last.frax_hip = study.frax_hip.clone();
        last.tbs = study.tbs.clone();
        last.reference_db = study.reference_db.clone();
    }
    if out.is_empty() {
        out.push(study.clone());
    }
    out
}

/// A study's style: Hologic and GE twice as often as the others.
fn pick_style(rng: &mut Rng) -> Style {
    *rng.pick(&[
        Style::Hologic,
        Style::Hologic,
        Style::Ge,
        Style::Ge,
        Style::Loinc,
        Style::Flat,
    ])
}

/// A study's file in its style.
fn render(style: Style, study: &DxaStudy, enc: Encoding) -> Vec<u8> {
    let doc = match style {
        Style::Hologic => hologic_style(study),
        Style::Ge => ge_style(study),
        Style::Loinc => loinc_style(study),
        Style::Flat => flat_style(study),
    };
    sr_bytes(&doc, enc)
}

/// Pre-rendered junk files (name suffix, bytes).
struct JunkSet(Vec<(&'static str, Vec<u8>)>);

impl JunkSet {
    fn new() -> Self {
        JunkSet(vec![
            ("SC000001.dcm", junk::secondary_capture()),
            ("RAW00001.dcm", junk::hologic_raw_scan()),
            ("IM000001.dcm", junk::ct_image()),
            ("REPORT_PDF.dcm", junk::encapsulated_pdf()),
            ("SR_TEXT.dcm", junk::basic_text_sr()),
            ("report.pdf", junk::pdf()),
            ("readme.txt", junk::text()),
            ("thumb.jpg", junk::jpeg_thumbnail()),
            ("empty.dcm", Vec::new()),
        ])
    }

    fn pick(&self, rng: &mut Rng) -> (&'static str, &[u8]) {
        let (name, bytes) = rng.pick(&self.0);
        (name, bytes)
    }
}

fn new_patient(rng: &mut Rng, seed: u64, p: usize) -> Patient {
    let male = rng.chance(0.18);
    let given = if male {
        rng.pick(MALE)
    } else {
        rng.pick(FEMALE)
    };
    let spine_t = -1.0 + 1.2 * rng.normal();
    Patient {
        id: format!("C{:03}{p:06}", seed % 1000),
        name: format!("{}^{}", rng.pick(SURNAMES), given),
        male,
        birth: (rng.range(1928, 1975), rng.range(1, 12), rng.range(1, 28)),
        spine_t,
        hip_t: 0.6 * spine_t - 0.5 + 0.8 * rng.normal(),
        arm_t: 0.5 * spine_t - 0.6 + 0.9 * rng.normal(),
        site: SITES[rng.below(SITES.len() as u64) as usize],
    }
}

/// DS text of a value: mostly plain, occasionally an unusual but valid form.
fn ds(rng: &mut Rng, v: f64, decimals: usize) -> String {
    let mut plain = format!("{v:.decimals$}");
    if plain.starts_with('-') && plain.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
        plain.remove(0); // no "-0.0"
    }
    match rng.below(100) {
        0 => format!(" {plain} "),
        1 if v >= 0.0 => format!("+{plain}"),
        2 if v != 0.0 => format!("{v:.2E}"),
        _ => plain,
    }
}

/// One region row with all measures derived from a T-score.
#[allow(clippy::too_many_arguments)]
fn row(
    rng: &mut Rng,
    label: &str,
    site: Site,
    t_base: f64,
    age: i64,
    male: bool,
    unit: BmdUnit,
    full: bool,
) -> Row {
    let (mean, sd, area) = site.reference();
    let mean = if male { mean * 1.08 } else { mean };
    let t = t_base + 0.35 * rng.normal();
    let bmd = (mean + t * sd).max(0.15);
    let z = t + ((age - 35).max(0) as f64) * 0.028 + 0.2 * rng.normal();
    let area = area * (1.0 + 0.08 * rng.normal());
    let bmd_text = match unit {
        BmdUnit::GramsPerCm2 => ds(rng, bmd, 3),
        BmdUnit::MilligramsPerCm2 => format!("{:.0}", bmd * 1000.0),
    };
    let mut r = Row::new(label)
        .bmd(&bmd_text)
        .t(&ds(rng, t, 1))
        .z(&ds(rng, z, 1));
    if full {
        r = r
            .bmc(&format!("{:.2}", bmd * area))
            .area(&format!("{area:.2}"))
            .pct_ya(&format!("{:.0}", bmd / mean * 100.0))
            .pct_am(&format!("{:.0}", bmd / (bmd - z * sd).max(0.1) * 100.0));
    }
    r
}

/// Build one random study of `patient` in `style`.
fn make_study(
    rng: &mut Rng,
    patient: &Patient,
    style: Style,
    date: (i64, i64, i64),
    seed: u64,
    p: usize,
    k: usize,
) -> DxaStudy {
    let (by, bm, bd) = patient.birth;
    let (y, m, d) = date;
    let age = y - by - i64::from((m, d) < (bm, bd));
    let years = (age - 50).max(0) as f64;
    let decline = 0.04 * years;
    let study_date = format!("{y:04}{m:02}{d:02}");
    let time = format!("{:02}{:02}00", rng.range(8, 17), rng.range(0, 59));
    let mut h = Header::new(&format!("corpus/{seed}/{p}/{k}")).dated(&study_date, &time);
    h.patient_name = patient.name.clone();
    h.patient_id = patient.id.clone();
    h.sex = Some(if patient.male { "M" } else { "F" }.to_string());
    h.age = Some(format!("{age:03}Y"));
    h.birth_date = Some(format!("{by:04}{bm:02}{bd:02}"));
    h.study_id = k.to_string();
    h.institution = format!("Example Bone Clinic ({})", patient.site);
    let (manufacturer, model, software) = match style {
        Style::Hologic => (
            "HOLOGIC",
            *rng.pick(&["Horizon A", "Discovery A", "Horizon W"]),
            *rng.pick(&["13.6.0.4", "13.4.2", "12.7.3.2"]),
        ),
        Style::Ge => (
            *rng.pick(&["GE Healthcare", "LUNAR"]),
            *rng.pick(&["Lunar iDXA", "Lunar Prodigy", "DPX-NT"]),
            *rng.pick(&["enCORE 18", "enCORE 16", "enCORE 13.60"]),
        ),
        Style::Loinc => ("Acme Gateway", "DXA Bridge", "2.1.0"),
        Style::Flat => ("Norland", "XR-800", "illuminatus DXA 4.2"),
    };
    h.manufacturer = manufacturer.to_string();
    h.model = model.to_string();
    h.software_version = software.to_string();
    h.device_serial = format!("{}", 100_000 + rng.below(900_000));
    if style == Style::Ge && rng.chance(0.3) {
        h.birth_date = None;
    }
    if style == Style::Loinc {
        h.sop_class_uid = COMPREHENSIVE_SR.to_string();
    }
    let unit = if style == Style::Ge && rng.chance(0.3) {
        BmdUnit::MilligramsPerCm2
    } else {
        BmdUnit::GramsPerCm2
    };
    let full = matches!(style, Style::Hologic | Style::Ge) && !rng.chance(0.1);
    let names = naming(style);
    let mut s = DxaStudy::new(h).bmd_unit(unit);
    let male = patient.male;

    if rng.chance(0.9) {
        let mut g = Group::new(names.spine.0);
        for (label, site) in names.spine.1 {
            g = g.row(row(
                rng,
                label,
                *site,
                patient.spine_t - decline,
                age,
                male,
                unit,
                full,
            ));
        }
        s = s.group(g);
    }
    let sides: &[(Lat, &str)] = match rng.below(4) {
        0 => &[(Lat::Right, names.hip.1)],
        1 => &[(Lat::Left, names.hip.0), (Lat::Right, names.hip.1)],
        _ => &[(Lat::Left, names.hip.0)],
    };
    for (lat, label) in sides {
        let mut g = Group::new(label).lat(*lat);
        for (row_label, site) in names.hip.2 {
            g = g.row(row(
                rng,
                row_label,
                *site,
                patient.hip_t - decline,
                age,
                male,
                unit,
                full,
            ));
        }
        s = s.group(g);
    }
    if rng.chance(0.15) {
        let mut g = Group::new(names.arm.0);
        for (label, site) in names.arm.1 {
            g = g.row(row(
                rng,
                label,
                *site,
                patient.arm_t - decline,
                age,
                male,
                unit,
                full,
            ));
        }
        s = s.group(g);
    }
    if matches!(style, Style::Hologic | Style::Ge) {
        if rng.chance(0.5) {
            s = s.reference_db(if style == Style::Hologic {
                "NHANES III / Hologic"
            } else {
                "USA (combined NHANES/Lunar)"
            });
        }
        if age >= 40 && rng.chance(0.6) {
            let risk = (-patient.hip_t + decline).max(0.0);
            let major = 4.0 + 4.0 * risk + 2.0 * rng.unit();
            let hip = 0.3 + 1.5 * risk * risk / 2.0 + 0.5 * rng.unit();
            s = s.frax(&format!("{major:.0}"), &format!("{hip:.1}"));
        }
        if rng.chance(0.25) {
            s = s.tbs(&format!("{:.3}", 1.30 + 0.08 * rng.normal()));
        }
    }
    s
}
