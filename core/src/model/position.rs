//! Fractional positions for ordering topics.
//!
//! Automerge lists have no "move": deleting and re-inserting a topic would lose concurrent
//! edits to it. Instead each topic has a position string; order is (position, id), and a move
//! just writes a new position between its new neighbours. Two phones that move the same topic
//! concurrently produce a visible conflict on `position`, like any other field.
//!
//! Keys are base-36 digit strings read as fractions in (0, 1) and never end in '0', so there
//! is always room between two of them (the scheme of Greenspan's "fractional indexing").

const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE: u32 = 36;

fn digit(c: u8) -> u32 {
    DIGITS.iter().position(|&d| d == c).unwrap_or(0) as u32
}

/// A position strictly between `lo` and `hi` (`None` = the start / the end).
///
/// Returns `None` when `lo >= hi` (the caller passed neighbours in the wrong order) or when a
/// key is not a valid position.
pub fn between(lo: Option<&str>, hi: Option<&str>) -> Option<String> {
    let lo = lo.unwrap_or("");
    let valid = |k: &str| k.bytes().all(|b| DIGITS.contains(&b)) && !k.ends_with('0');
    if !valid(lo) || hi.is_some_and(|h| !valid(h) || h.is_empty() || h <= lo) {
        return None;
    }
    Some(midpoint(lo.as_bytes(), hi.map(str::as_bytes)))
}

fn midpoint(a: &[u8], b: Option<&[u8]>) -> String {
    if let Some(b) = b {
        // Shared prefix (a padded with '0'): keep it and recurse on the rest.
        let mut n = 0;
        while n < b.len() && a.get(n).copied().unwrap_or(b'0') == b[n] {
            n += 1;
        }
        if n > 0 {
            let prefix = String::from_utf8_lossy(&b[..n]).into_owned();
            let rest_a = if n < a.len() { &a[n..] } else { &[][..] };
            return prefix + &midpoint(rest_a, Some(&b[n..]));
        }
    }
    let da = a.first().map(|&c| digit(c)).unwrap_or(0);
    let db = b
        .map(|b| b.first().map(|&c| digit(c)).unwrap_or(BASE))
        .unwrap_or(BASE);
    if db - da > 1 {
        let mid = (da + db) / 2;
        return (DIGITS[mid as usize] as char).to_string();
    }
    match b {
        Some(b) if b.len() > 1 => (b[0] as char).to_string(),
        _ => {
            let rest = if a.len() > 1 { &a[1..] } else { &[][..] };
            format!("{}{}", DIGITS[da as usize] as char, midpoint(rest, None))
        }
    }
}

/// `n` evenly spread positions, for laying out a fresh list.
pub fn spread(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut last: Option<String> = None;
    for _ in 0..n {
        let next = between(last.as_deref(), None).unwrap_or_else(|| "z".into());
        out.push(next.clone());
        last = Some(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_between_is_strictly_between() {
        let cases = [
            (None, None),
            (Some("i"), None),
            (None, Some("i")),
            (Some("a"), Some("b")),
            (Some("a"), Some("a1")),
            (Some("az"), Some("b")),
            (Some("1"), Some("11")),
        ];
        for (lo, hi) in cases {
            let m = between(lo, hi).expect("room between");
            assert!(lo.is_none_or(|l| l < m.as_str()), "{lo:?} < {m}");
            assert!(hi.is_none_or(|h| m.as_str() < h), "{m} < {hi:?}");
            assert!(!m.ends_with('0'));
        }
    }

    #[test]
    fn test_repeated_insertion_at_front_and_between_keeps_order() {
        let mut keys = vec![between(None, None).expect("first")];
        for i in 0..300 {
            let k = if i % 2 == 0 {
                between(None, Some(&keys[0])).expect("front")
            } else {
                between(Some(&keys[0]), Some(&keys[1])).expect("between")
            };
            keys.push(k);
            keys.sort();
        }
        let mut sorted = keys.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len(), "all positions distinct");
    }

    #[test]
    fn test_invalid_neighbours_are_refused() {
        assert_eq!(between(Some("b"), Some("a")), None);
        assert_eq!(between(Some("a"), Some("a")), None);
        assert_eq!(between(Some("A"), None), None);
    }

    #[test]
    fn test_spread_is_sorted() {
        let s = spread(20);
        let mut t = s.clone();
        t.sort();
        assert_eq!(s, t);
    }
}
