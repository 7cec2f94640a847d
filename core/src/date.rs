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
}
