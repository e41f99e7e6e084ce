//! The least significant change (LSC) a follow-up comparison is judged against: the
//! facility's own (`--lsc FILE`, from its precision study), else the ISCD defaults.
//!
//! LSC = 2.77 x precision (RMS-SD). Defaults (clinical.md, from the ISCD minimum acceptable
//! precision: spine 1.9 %, total hip 1.8 %, femoral neck 2.5 %): lumbar spine 5.3 %, total
//! hip 5.0 %, femoral neck 6.9 %.

use std::path::Path;

use crate::decimal::{Decimal, dec};

/// The monitored site families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// The PA lumbar spine (whatever vertebral range; a change of range is not comparable).
    Spine,
    /// Femoral neck.
    FemoralNeck,
    /// Total hip.
    TotalHip,
}

impl Family {
    /// The name used in `--lsc` files and the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Spine => "spine",
            Family::FemoralNeck => "femoral_neck",
            Family::TotalHip => "total_hip",
        }
    }

    fn parse(text: &str) -> Option<Family> {
        match text.trim().to_ascii_lowercase().as_str() {
            "spine" | "lumbar_spine" | "spine_l1-l4" | "l1-l4" => Some(Family::Spine),
            "femoral_neck" | "neck" => Some(Family::FemoralNeck),
            "total_hip" | "hip" => Some(Family::TotalHip),
            _ => None,
        }
    }

    /// ISCD minimum acceptable precision x 2.77, in % (clinical.md).
    fn default_lsc_pct(self) -> Decimal {
        match self {
            Family::Spine => dec!("5.3"),
            Family::FemoralNeck => dec!("6.9"),
            Family::TotalHip => dec!("5.0"),
        }
    }
}

/// An LSC in g/cm² or in % of the prior BMD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lsc {
    /// Absolute, g/cm².
    Grams(Decimal),
    /// Relative, % of the prior study's BMD.
    Percent(Decimal),
}

/// Where an LSC came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LscSource {
    /// The ISCD defaults.
    Default,
    /// The facility's `--lsc` file.
    File,
}

impl LscSource {
    /// followup.csv `lsc_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            LscSource::Default => "default",
            LscSource::File => "file",
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    family: Family,
    lsc: Lsc,
    device_serial: Option<String>,
}

/// The facility's LSC values.
#[derive(Debug, Clone, Default)]
pub struct LscTable {
    entries: Vec<Entry>,
}

/// A `--lsc` file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--lsc {path}: {message}")]
pub struct LscError {
    path: String,
    message: String,
}

impl LscTable {
    /// Reads a CSV with a header: `site` and one of `lsc_g_cm2`, `lsc_pct` per row, and an
    /// optional `device_serial` (a row for one device wins over a row for all devices).
    pub fn load(path: &Path) -> Result<LscTable, LscError> {
        let error = |message: String| LscError {
            path: path.display().to_string(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| error(e.to_string()))?;
        let headers = reader.headers().map_err(|e| error(e.to_string()))?.clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let site = column("site").ok_or_else(|| error("no `site` column".into()))?;
        let (grams, pct, serial) = (
            column("lsc_g_cm2"),
            column("lsc_pct"),
            column("device_serial"),
        );
        if grams.is_none() && pct.is_none() {
            return Err(error("needs a `lsc_g_cm2` or `lsc_pct` column".into()));
        }
        let mut entries = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let record = record.map_err(|e| error(e.to_string()))?;
            let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|c| !c.is_empty());
            let family = Family::parse(cell(Some(site)).unwrap_or("")).ok_or_else(|| {
                error(format!(
                    "line {line}: site {:?} (expected spine, femoral_neck, total_hip)",
                    cell(Some(site)).unwrap_or("")
                ))
            })?;
            let number = |text: &str| {
                Decimal::parse(text)
                    .filter(|d| *d > dec!("0"))
                    .ok_or_else(|| error(format!("line {line}: {text:?} is not a positive number")))
            };
            let lsc = match (cell(grams), cell(pct)) {
                (Some(g), None) => Lsc::Grams(number(g)?),
                (None, Some(p)) => Lsc::Percent(number(p)?),
                _ => {
                    return Err(error(format!(
                        "line {line}: give exactly one of lsc_g_cm2 and lsc_pct"
                    )));
                }
            };
            entries.push(Entry {
                family,
                lsc,
                device_serial: cell(serial).map(str::to_string),
            });
        }
        Ok(LscTable { entries })
    }

    /// The device serials the file names, each once, in file order.
    pub fn device_serials(&self) -> Vec<&str> {
        let mut serials: Vec<&str> = Vec::new();
        for serial in self
            .entries
            .iter()
            .filter_map(|e| e.device_serial.as_deref())
        {
            if !serials.contains(&serial) {
                serials.push(serial);
            }
        }
        serials
    }

    /// The LSC for a site on a device: the file's row for that device, else its row for all
    /// devices, else the default.
    pub fn lookup(&self, family: Family, device_serial: &str) -> (Lsc, LscSource) {
        let for_device = self
            .entries
            .iter()
            .find(|e| e.family == family && e.device_serial.as_deref() == Some(device_serial));
        let for_site = || {
            self.entries
                .iter()
                .find(|e| e.family == family && e.device_serial.is_none())
        };
        match for_device.or_else(for_site) {
            Some(entry) => (entry.lsc, LscSource::File),
            None => (Lsc::Percent(family.default_lsc_pct()), LscSource::Default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_iscd() {
        let table = LscTable::default();
        let pct = |family| match table.lookup(family, "x") {
            (Lsc::Percent(p), LscSource::Default) => p.to_plain(1),
            other => panic!("{other:?}"),
        };
        assert_eq!(pct(Family::Spine), "5.3");
        assert_eq!(pct(Family::TotalHip), "5.0");
        assert_eq!(pct(Family::FemoralNeck), "6.9");
    }

    #[test]
    fn file_rows_by_device_then_site() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lsc.csv");
        std::fs::write(
            &path,
            "site,lsc_g_cm2,lsc_pct,device_serial\nspine,0.028,,\nspine,,2.5,300123\ntotal_hip,0.020,,\n",
        )
        .unwrap();
        let table = LscTable::load(&path).unwrap();
        assert_eq!(
            table.lookup(Family::Spine, "300123"),
            (
                Lsc::Percent(Decimal::parse("2.5").unwrap()),
                LscSource::File
            )
        );
        assert_eq!(
            table.lookup(Family::Spine, "other"),
            (
                Lsc::Grams(Decimal::parse("0.028").unwrap()),
                LscSource::File
            )
        );
        assert_eq!(table.lookup(Family::FemoralNeck, "x").1, LscSource::Default);
    }

    #[test]
    fn bad_files_say_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lsc.csv");
        std::fs::write(&path, "site,lsc_pct\nwrist,2\n").unwrap();
        let err = LscTable::load(&path).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("wrist"), "{err}");
        std::fs::write(&path, "site,lsc_pct\nspine,-1\n").unwrap();
        assert!(LscTable::load(&path).is_err());
        std::fs::write(&path, "site,value\nspine,1\n").unwrap();
        assert!(LscTable::load(&path).is_err());
    }
}
