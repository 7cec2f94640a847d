//! Calendar dates as SoTay stores them: ISO `YYYY-MM-DD` strings inside documents and the
//! database, `time::Date` in the API.

use crate::{Error, Result};
pub use time::Date;
use time::Month;

/// Parses `YYYY-MM-DD`, also accepting the Vietnamese `DD/MM/YYYY`.
pub fn parse(s: &str) -> Result<Date> {
    let s = s.trim();
    let bad = || {
        Error::InvalidInput(format!(
            "{s:?} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
        ))
    };
    let (y, m, d) = if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or_else(bad)?;
        (y, m, d)
    } else {
        let mut it = s.splitn(3, '-');
        let y = it.next().ok_or_else(bad)?;
        let m = it.next().ok_or_else(bad)?;
        let d = it.next().ok_or_else(bad)?;
        (y, m, d)
    };
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(m).map_err(|_| bad())?;
    Date::from_calendar_date(y, month, d).map_err(|_| bad())
}

/// Formats as `YYYY-MM-DD`.
pub fn format(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Formats as the Vietnamese `DD/MM/YYYY`.
pub fn format_vi(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month() as u8, d.year())
}

/// The given day of `month` in `year`.
pub fn day_of_month(year: i32, month: u8, day: u8) -> Result<Date> {
    let m = Month::try_from(month)
        .map_err(|_| Error::InvalidInput(format!("month {month} is not between 1 and 12")))?;
    Date::from_calendar_date(year, m, day)
        .map_err(|_| Error::InvalidInput(format!("{day}/{month}/{year} is not a date")))
}

/// Vietnam's offset from UTC in seconds: UTC+7 all year (no daylight saving), the time every
/// branch lives in.
pub const VN_OFFSET_SECS: i64 = 7 * 3600;

/// Parses a local Vietnam time (UTC+7) into Unix seconds: a day and a time —
/// "2026-03-03 08:00", "03/03/2026 08:00", "2026-03-03T08:00" — or a time alone ("08:00",
/// "8h30") on `day`. Hours 0–23, minutes 0–59.
pub fn parse_time_vn(s: &str, day: Option<Date>) -> Result<i64> {
    let s = s.trim();
    let bad = |why: &str| {
        Error::InvalidInput(format!(
            "{s:?} is not a time{why} (use \"YYYY-MM-DD HH:MM\" or \"DD/MM/YYYY HH:MM\", Vietnam time)"
        ))
    };
    let (date_part, time_part) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (Some(d.trim()), t.trim()),
        None => (None, s),
    };
    let day = match date_part {
        Some(d) => parse(d).map_err(|_| bad(""))?,
        None => day.ok_or_else(|| bad(" with a day"))?,
    };
    let (h, m) = time_part
        .split_once([':', 'h', 'g'])
        .ok_or_else(|| bad(""))?;
    let h: u8 = h.trim().parse().map_err(|_| bad(""))?;
    let m = m.trim();
    let m: u8 = if m.is_empty() {
        0
    } else {
        m.parse().map_err(|_| bad(""))?
    };
    let t = time::Time::from_hms(h, m, 0).map_err(|_| bad(""))?;
    Ok(day.with_time(t).assume_utc().unix_timestamp() - VN_OFFSET_SECS)
}

/// Serde for `Option<Date>` as an ISO string or null.
pub mod serde_opt {
    use super::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as `"YYYY-MM-DD"` or null.
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            // `serialize_some`, so binary formats (postcard) can read it back.
            Some(d) => s.serialize_some(&super::format(*d)),
            None => s.serialize_none(),
        }
    }

    /// Deserialises from `"YYYY-MM-DD"` or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| super::parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Serde for `Date` as an ISO string.
pub mod serde_req {
    use super::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as `"YYYY-MM-DD"`.
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*d))
    }

    /// Deserialises from `"YYYY-MM-DD"`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_iso_and_vietnamese_forms() {
        let d = parse("2026-01-15").expect("iso");
        assert_eq!(format(d), "2026-01-15");
        assert_eq!(parse("15/01/2026").expect("vi"), d);
        assert_eq!(format_vi(d), "15/01/2026");
        assert!(parse("2026-02-30").is_err());
        assert!(parse("hôm nay").is_err());
    }

    #[test]
    fn test_parse_time_vn_is_utc_plus_7() {
        // 2026-03-03 08:00 in Hà Nội is 01:00 UTC.
        let t = parse_time_vn("2026-03-03 08:00", None).expect("day and time");
        assert_eq!(t, 1_772_499_600);
        assert_eq!(parse_time_vn("03/03/2026 08:00", None).expect("vi"), t);
        assert_eq!(parse_time_vn("2026-03-03T08:00", None).expect("T"), t);
        let day = parse("2026-03-03").ok();
        assert_eq!(parse_time_vn("08:00", day).expect("time on the day"), t);
        assert_eq!(parse_time_vn("8h", day).expect("8h"), t);
        assert_eq!(parse_time_vn("9h45", day).expect("9h45"), t + 105 * 60);
        assert!(
            parse_time_vn("08:00", None).is_err(),
            "a time alone needs a day"
        );
        assert!(parse_time_vn("2026-03-03 25:00", None).is_err());
        assert!(parse_time_vn("2026-03-03 08:61", None).is_err());
        assert!(parse_time_vn("sáng nay", day).is_err());
    }
}
