//! The values that cross the FFI: UniFFI records and enums mirroring `sotay-core`'s types,
//! each with its `From` conversion (and, for inputs, a fallible conversion into core's type).
//!
//! Conventions, the same everywhere so Kotlin and Swift code reads alike:
//! - ids are strings (documents, topics, comments, members, legal bases, sign-offs);
//! - dates are ISO `YYYY-MM-DD` strings, `None` when unset (core's empty-string columns
//!   become `None` too); inputs also accept the Vietnamese `DD/MM/YYYY`;
//! - times are Unix seconds (`i64`), counts and text positions (Unicode code points) `u32`;
//! - document versions (Automerge heads) are lists of hex change hashes.

mod approval;
mod attachment;
mod delta;
mod evidence;
mod needs_me;
mod org;
mod overview;
mod paper;
mod plan;
mod session;
mod sync;
mod text_doc;

pub use approval::*;
pub use attachment::*;
pub use delta::*;
pub use evidence::*;
pub use needs_me::*;
pub use org::*;
pub use overview::*;
pub use paper::*;
pub use plan::*;
pub use session::*;
pub use sync::*;
pub use text_doc::*;

use automerge::ChangeHash;
use sotay_core::date::{self, Date};

use crate::error::{ApiError, Result};

/// An optional core date as an ISO string.
pub(crate) fn date_out(d: Option<Date>) -> Option<String> {
    d.map(date::format)
}

/// A read-model date column ("" when unset) as an optional ISO string.
pub(crate) fn column_date(s: &str) -> Option<String> {
    non_empty(s)
}

/// A read-model text column ("" when unset) as an optional string.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// An optional date from the app; `None` or a blank string clears the field.
pub(crate) fn date_in(s: Option<&str>) -> Result<Option<Date>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(date::parse(s)?)),
    }
}

/// A count or position as `u32` (documents are far below 4 billion code points).
pub(crate) fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Heads as hex strings.
pub(crate) fn heads_out(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ChangeHash::to_string).collect()
}

/// Heads from hex strings.
pub(crate) fn heads_in(heads: &[String]) -> Result<Vec<ChangeHash>> {
    heads
        .iter()
        .map(|h| {
            h.trim().parse::<ChangeHash>().map_err(|_| {
                ApiError::InvalidInput(format!("{h:?} is not a change hash (64 hex digits)"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_dates_cross_as_iso_strings() {
        let d = date_in(Some("15/01/2026"))
            .expect("vi form")
            .expect("a date");
        assert_eq!(date_out(Some(d)).as_deref(), Some("2026-01-15"));
        assert_eq!(date_in(Some(" ")).expect("blank"), None);
        assert_eq!(date_in(None).expect("none"), None);
        assert!(matches!(
            date_in(Some("hôm qua")),
            Err(ApiError::InvalidInput(_))
        ));
        assert_eq!(column_date(""), None);
        assert_eq!(column_date("2026-04-03").as_deref(), Some("2026-04-03"));
    }

    #[test]
    fn test_heads_round_trip_as_hex() {
        let h = ChangeHash([7; 32]);
        let hex = heads_out(&[h]);
        assert_eq!(hex[0].len(), 64);
        assert_eq!(heads_in(&hex).expect("parses"), vec![h]);
        assert!(matches!(
            heads_in(&["xyz".into()]),
            Err(ApiError::InvalidInput(_))
        ));
    }
}
