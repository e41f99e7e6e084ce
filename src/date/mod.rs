//! Dates, one module for all: the calendar date (`Date`, DICOM DA, ISO 8601 in the
//! outputs), the moment a report was made (`Timestamp`), the calendar's rules, and the
//! date texts scanners write in their documents (`text`).

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

pub mod text;

/// A calendar date (DICOM DA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31 (checked against the month).
    pub day: u8,
}

impl Date {
    /// The date of a year (1800-9999), month and day; None when there is no such date.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        ((1800..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// Parses DA `YYYYMMDD` (and the pre-1993 ACR-NEMA `YYYY.MM.DD`); None when invalid.
    pub fn parse_da(text: &str) -> Option<Date> {
        let digits: String = text
            .trim()
            .chars()
            .filter(|c| *c != '.' && *c != '-')
            .collect();
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: u16 = digits[0..4].parse().ok()?;
        let month: u8 = digits[4..6].parse().ok()?;
        let day: u8 = digits[6..8].parse().ok()?;
        Date::new(year, month, day)
    }

    /// Completed years from `self` (a birth date) to `on`; None when `on` is earlier.
    pub fn whole_years_until(self, on: Date) -> Option<u32> {
        if on < self {
            return None;
        }
        let mut years = u32::from(on.year - self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        Some(years)
    }

    /// The date `days` later (earlier when negative); None outside years 1800-9999.
    pub fn plus_days(self, days: i64) -> Option<Date> {
        // H. Hinnant's civil_from_days.
        let z = self.days_since_epoch() + days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (1800..=9999).contains(&year).then_some(Date {
            year: year as u16,
            month,
            day,
        })
    }

    /// Days since 1970-01-01 (civil calendar; H. Hinnant's days_from_civil).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

/// A moment of the scanner's clock (ContentDate + ContentTime): when a report was made. A
/// re-analysis of the same exam is newer; ordering is by date, then time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp {
    /// The date.
    pub date: Date,
    /// Microseconds since midnight (TM may omit seconds and fraction: missing digits are 0).
    pub micros: u64,
}

impl Timestamp {
    /// From DA and TM text (PS3.5 Table 6.2-1); None without a valid date. Only ASCII digits
    /// of the time count: TM text may hold anything in a broken file (fuzzing found a
    /// non-ASCII byte that split a slice inside a character).
    pub fn parse(date: &str, time: &str) -> Option<Timestamp> {
        let date = Date::parse_da(date)?;
        let (whole, fraction) = time.split_once('.').unwrap_or((time, ""));
        let digits = |text: &str, most: usize| -> u64 {
            let mut taken = 0;
            let mut value = 0u64;
            for b in text.bytes().filter(u8::is_ascii_digit).take(most) {
                value = value * 10 + u64::from(b - b'0');
                taken += 1;
            }
            value * 10u64.pow((most - taken) as u32)
        };
        let hhmmss = digits(whole, 6);
        let (h, m, s) = (hhmmss / 10_000, hhmmss / 100 % 100, hhmmss % 100);
        let micros = ((h * 60 + m) * 60 + s) * 1_000_000 + digits(fraction, 6);
        Some(Timestamp { date, micros })
    }
}

impl Timestamp {
    /// The 26 bytes of `YYYY-MM-DDTHH:MM:SS.ffffff`, or None when the date or the hours pass
    /// their widths (the text is then written padded, `Display`). Digits by hand: a content
    /// time per document (documents.csv), where the padded `write!` cost about 2 000
    /// instructions each (docs/performance.md, "The end of a run").
    pub fn iso_digits(&self) -> Option<[u8; 26]> {
        let seconds = self.micros / 1_000_000;
        let hours = seconds / 3600;
        if hours > 99 {
            return None;
        }
        let date = self.date.iso_digits()?;
        let digit = |n: u64| b'0' + (n % 10) as u8;
        let (minutes, second, fraction) =
            (seconds / 60 % 60, seconds % 60, self.micros % 1_000_000);
        let mut text = [0u8; 26];
        text[..10].copy_from_slice(&date);
        text[10..].copy_from_slice(&[
            b'T',
            digit(hours / 10),
            digit(hours),
            b':',
            digit(minutes / 10),
            digit(minutes),
            b':',
            digit(second / 10),
            digit(second),
            b'.',
            digit(fraction / 100_000),
            digit(fraction / 10_000),
            digit(fraction / 1_000),
            digit(fraction / 100),
            digit(fraction / 10),
            digit(fraction),
        ]);
        Some(text)
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 `YYYY-MM-DDTHH:MM:SS.ffffff`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.iso_digits() {
            return f.write_str(std::str::from_utf8(&text).expect("ASCII digits"));
        }
        let seconds = self.micros / 1_000_000;
        write!(
            f,
            "{}T{:02}:{:02}:{:02}.{:06}",
            self.date,
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            self.micros % 1_000_000
        )
    }
}

/// Days in a month of the civil calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The ten bytes of `YYYY-MM-DD`, or None when a part passes its width (the text is then
    /// written padded, `Display`). Digits by hand: three dates per follow-up row and two per
    /// study, and padded `write!` was a tenth of the follow-up phase (perf).
    pub fn iso_digits(&self) -> Option<[u8; 10]> {
        let (y, m, d) = (self.year, u16::from(self.month), u16::from(self.day));
        if y > 9999 || m > 99 || d > 99 {
            return None;
        }
        let digit = |n: u16| b'0' + (n % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }
}

impl fmt::Display for Date {
    /// ISO 8601 `YYYY-MM-DD` (docs/columns.md).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso_digits() {
            Some(text) => f.write_str(std::str::from_utf8(&text).expect("ASCII digits")),
            None => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// A moment as RFC 3339 UTC, to the second.
pub fn rfc3339(at: SystemTime) -> String {
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = Date {
        year: 1970,
        month: 1,
        day: 1,
    };
    let date = epoch
        .plus_days((seconds / 86_400) as i64)
        .map_or_else(|| "????-??-??".to_string(), |d| d.to_string());
    let s = seconds % 86_400;
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}
