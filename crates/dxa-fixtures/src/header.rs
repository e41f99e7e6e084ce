//! Patient / study / equipment header of a generated SR, and deterministic UIDs.

/// Enhanced SR Storage, the default SOP class of generated DXA reports.
pub const ENHANCED_SR: &str = "1.2.840.10008.5.1.4.1.1.88.22";
/// Comprehensive SR Storage.
pub const COMPREHENSIVE_SR: &str = "1.2.840.10008.5.1.4.1.1.88.33";
/// Basic Text SR Storage.
pub const BASIC_TEXT_SR: &str = "1.2.840.10008.5.1.4.1.1.88.11";

/// Implementation Class UID written in the file meta group of every fixture
/// (fixed, so that files do not change when the dicom-rs version changes).
pub const IMPLEMENTATION_CLASS_UID: &str = "2.25.73958476850509458995404160492260345744";
/// Implementation Version Name written in the file meta group of every fixture.
pub const IMPLEMENTATION_VERSION_NAME: &str = "DXA_FIXTURES_1";

/// 128-bit FNV-1a hash of `bytes`.
pub fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME))
}

/// A deterministic UID under the `2.25` (UUID-derived) root:
/// `"2.25." + decimal(fnv1a_128(name))`. At most 44 characters.
pub fn uid_from(name: &str) -> String {
    format!("2.25.{}", fnv1a_128(name.as_bytes()))
}

/// Header attributes of a generated SR document.
///
/// All values are written verbatim as DICOM text; dates are `YYYYMMDD`,
/// times `HHMMSS`. `Option` fields set to `None` are written as *empty*
/// values when the attribute is type 2 (birth date, sex) and omitted when
/// the attribute is type 3 (age, size, weight, descriptions, station).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// (0010,0010) Patient's Name, e.g. `"DOE^JANE"`.
    pub patient_name: String,
    /// (0010,0020) Patient ID.
    pub patient_id: String,
    /// (0010,0030) Patient's Birth Date `YYYYMMDD`; `None` writes an empty value.
    pub birth_date: Option<String>,
    /// (0010,0040) Patient's Sex (`"F"`, `"M"`, `"O"`); `None` writes an empty value.
    pub sex: Option<String>,
    /// (0010,1010) Patient's Age, e.g. `"065Y"`; omitted when `None`.
    pub age: Option<String>,
    /// (0010,1020) Patient's Size in metres (DS); omitted when `None`.
    pub height_m: Option<String>,
    /// (0010,1030) Patient's Weight in kg (DS); omitted when `None`.
    pub weight_kg: Option<String>,
    /// (0008,0020) Study Date.
    pub study_date: String,
    /// (0008,0030) Study Time.
    pub study_time: String,
    /// (0008,0023) Content Date.
    pub content_date: String,
    /// (0008,0033) Content Time.
    pub content_time: String,
    /// (0008,1030) Study Description; omitted when `None`.
    pub study_description: Option<String>,
    /// (0008,103E) Series Description; omitted when `None`.
    pub series_description: Option<String>,
    /// (0008,0070) Manufacturer.
    pub manufacturer: String,
    /// (0008,1090) Manufacturer's Model Name.
    pub model: String,
    /// (0018,1020) Software Versions.
    pub software_version: String,
    /// (0018,1000) Device Serial Number.
    pub device_serial: String,
    /// (0008,0080) Institution Name.
    pub institution: String,
    /// (0008,1010) Station Name; omitted when `None`.
    pub station_name: Option<String>,
    /// (0020,000D) Study Instance UID.
    pub study_uid: String,
    /// (0020,000E) Series Instance UID.
    pub series_uid: String,
    /// (0008,0018) SOP Instance UID.
    pub sop_uid: String,
    /// (0008,0016) SOP Class UID; defaults to [`ENHANCED_SR`].
    pub sop_class_uid: String,
    /// (0008,0050) Accession Number (may be empty).
    pub accession: String,
    /// (0020,0010) Study ID (may be empty).
    pub study_id: String,
    /// (0020,0011) Series Number (IS text).
    pub series_number: String,
    /// (0020,0013) Instance Number (IS text).
    pub instance_number: String,
    /// (0008,0005) Specific Character Set; defaults to `"ISO_IR 100"`.
    pub specific_character_set: String,
}

impl Header {
    /// A complete header whose UIDs and IDs are derived deterministically
    /// from `name` (`uid_from(name + "/study")`, `".../series"`, `".../sop"`).
    /// Everything else gets neutral placeholder values meant to be overridden.
    pub fn new(name: &str) -> Self {
        let h = fnv1a_128(name.as_bytes());
        Header {
            patient_name: "DOE^JANE".to_string(),
            patient_id: format!("P{:08X}", (h >> 96) as u32),
            birth_date: None,
            sex: None,
            age: None,
            height_m: None,
            weight_kg: None,
            study_date: "20240101".to_string(),
            study_time: "090000".to_string(),
            content_date: "20240101".to_string(),
            content_time: "091500".to_string(),
            study_description: None,
            series_description: None,
            manufacturer: "ACME".to_string(),
            model: "DXA-1".to_string(),
            software_version: "1.0".to_string(),
            device_serial: "0001".to_string(),
            institution: "Example Bone Clinic".to_string(),
            station_name: None,
            study_uid: uid_from(&format!("{name}/study")),
            series_uid: uid_from(&format!("{name}/series")),
            sop_uid: uid_from(&format!("{name}/sop")),
            sop_class_uid: ENHANCED_SR.to_string(),
            accession: format!("A{:07}", (h % 10_000_000) as u32),
            study_id: "1".to_string(),
            series_number: "1".to_string(),
            instance_number: "1".to_string(),
            specific_character_set: "ISO_IR 100".to_string(),
        }
    }

    /// Set study date and time, and use the same date (time + 15 min) as content date/time.
    pub fn dated(mut self, date: &str, time: &str) -> Self {
        self.study_date = date.to_string();
        self.study_time = time.to_string();
        self.content_date = date.to_string();
        self.content_time = plus_15_minutes(time);
        self
    }
}

/// `HHMMSS` + 15 minutes (clamped at 23:59:59), for plausible content times.
fn plus_15_minutes(time: &str) -> String {
    let digits: Vec<u32> = time
        .bytes()
        .take(6)
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect();
    if digits.len() < 4 {
        return time.to_string();
    }
    let hh = digits[0] * 10 + digits[1];
    let mm = digits[2] * 10 + digits[3];
    let ss = if digits.len() >= 6 {
        digits[4] * 10 + digits[5]
    } else {
        0
    };
    let total = (hh * 3600 + mm * 60 + ss + 15 * 60).min(23 * 3600 + 59 * 60 + 59);
    format!(
        "{:02}{:02}{:02}",
        total / 3600,
        (total / 60) % 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_deterministic_and_valid() {
        let a = uid_from("x/study");
        assert_eq!(a, uid_from("x/study"));
        assert_ne!(a, uid_from("x/series"));
        assert!(a.len() <= 64);
        assert!(a.starts_with("2.25."));
        assert!(a.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        let h = Header::new("x");
        assert_eq!(h.study_uid, a);
    }

    #[test]
    fn content_time_follows_study_time() {
        assert_eq!(plus_15_minutes("093000"), "094500");
        assert_eq!(plus_15_minutes("235500"), "235959");
    }
}
