use super::*;

#[test]
fn dates() {
    let d = Date::parse_da("20240415").unwrap();
    assert_eq!(d.to_string(), "2024-04-15");
    assert_eq!(
        Date::parse_da("1958.03.12").unwrap().to_string(),
        "1958-03-12"
    );
    assert!(Date::parse_da("20230229").is_none());
    assert!(Date::parse_da("20240229").is_some());
    assert!(Date::parse_da("2024041").is_none());
    assert!(Date::parse_da("").is_none());
    // Zero padding, and years the 4-digit path cannot hold.
    let date = |year, month, day| Date { year, month, day }.to_string();
    assert_eq!(date(987, 3, 5), "0987-03-05");
    assert_eq!(date(2000, 10, 31), "2000-10-31");
    assert_eq!(date(9999, 12, 9), "9999-12-09");
    assert_eq!(date(12345, 1, 1), "12345-01-01");
    assert_eq!(format!("[{}]", date(1999, 1, 2)), "[1999-01-02]");
}

#[test]
fn completed_years() {
    let birth = Date::parse_da("19740415").unwrap();
    let day_before = Date::parse_da("20240414").unwrap();
    let birthday = Date::parse_da("20240415").unwrap();
    assert_eq!(birth.whole_years_until(day_before), Some(49));
    assert_eq!(birth.whole_years_until(birthday), Some(50));
    assert_eq!(birthday.whole_years_until(birth), None);
}

#[test]
fn days_added_round_trip() {
    let d = Date::parse_da("20240228").unwrap();
    assert_eq!(d.plus_days(1).unwrap().to_string(), "2024-02-29");
    assert_eq!(d.plus_days(2).unwrap().to_string(), "2024-03-01");
    assert_eq!(d.plus_days(-59).unwrap().to_string(), "2023-12-31");
    for n in [-1000, -1, 0, 365, 5000] {
        assert_eq!(
            d.plus_days(n).unwrap().days_since_epoch() - d.days_since_epoch(),
            n
        );
    }
}

#[test]
fn epoch_days() {
    assert_eq!(Date::parse_da("19700101").unwrap().days_since_epoch(), 0);
    assert_eq!(
        Date::parse_da("20000301").unwrap().days_since_epoch(),
        11_017
    );
}

#[test]
fn timestamps_order_and_print() {
    let t = |d: &str, t: &str| Timestamp::parse(d, t);
    assert_eq!(
        t("20240415", "0930").unwrap().to_string(),
        "2024-04-15T09:30:00.000000"
    );
    assert_eq!(
        t("20240415", "093000.5").unwrap().to_string(),
        "2024-04-15T09:30:00.500000"
    );
    assert_eq!(t("2024", "0930"), None);
    // Fuzzing regressions: non-ASCII bytes (decoded as Latin-1) in the time.
    assert_eq!(
        t("20110922", "12345\u{ff}").unwrap().to_string(),
        "2011-09-22T12:34:50.000000"
    );
    assert_eq!(
        t("20110922", "120000.12345\u{ff}").unwrap().to_string(),
        "2011-09-22T12:00:00.123450"
    );
    assert_eq!(
        t("20240415", "09:30:00").unwrap().to_string(),
        "2024-04-15T09:30:00.000000"
    );
    assert!(t("20240415", "0930") < t("20240415", "093001"));
    assert!(t("20231231", "235959.9999") < t("20240101", ""));
}

#[test]
fn age_strings() {
    assert_eq!(parse_age_string("067Y"), Some(67.0));
    assert_eq!(parse_age_string("018M"), Some(1.5));
    assert!(parse_age_string("67").is_none());
    assert!(parse_age_string("067X").is_none());
}
