//! Vietnamese text handling: normalization, search keys, name canonicalization, collation, slugs.
//!
//! Everything SoTay stores is Vietnamese, and Vietnamese text has four traps that plain `String`
//! handling gets wrong. This module is the one place that deals with them; the rest of the code
//! calls these functions instead of comparing or sorting raw strings.
//!
//! 1. **One letter, several encodings → [`nfc`].** "ệ" is U+1EC7 in NFC but
//!    `e` + U+0323 + U+0302 in NFD. Both render the same and compare unequal. Some keyboards,
//!    macOS file names and copy-paste from PDFs produce NFD. A text CRDT that merges NFD text can
//!    separate a letter from its marks. So every write, key and merge goes through [`nfc`]
//!    ([`is_nfc`] is the cheap check).
//! 2. **Search without accents → [`search_key`], [`matches_search`].** Users type "nguyen" and
//!    expect to find "Nguyễn". The key decomposes the text, drops every combining mark and maps
//!    đ/Đ to d. U+0111 "đ" has **no** Unicode decomposition, so stripping marks alone does not
//!    change it: it needs its own mapping.
//! 3. **Tone-placement variants → [`canonical_name`].** "Hoà"/"Hòa" and "Thuỷ"/"Thủy" are the
//!    same name written under the old and new tone-placement conventions. Both spellings are
//!    valid NFC, so NFC alone does not make them equal. Name matching and de-duplication compare
//!    the canonical form. Shown names keep what the user typed.
//! 4. **Sorting → [`compare_vi`], [`compare_person_names`], [`sort_key_vi`].** The Vietnamese
//!    alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y. The letters with
//!    breve, circumflex, horn or bar are separate letters (primary differences), not accented
//!    variants. Code-point order gets this wrong ("Ă" U+0102 sorts after "Z"), and so does the
//!    root collation, which treats "ă" as an accented "a". We use the CLDR Vietnamese tailoring
//!    through `icu_collator` (compiled data). Member lists sort by given name (the last word),
//!    then middle names, then family name.
//!
//! [`slug`] turns document numbers such as "366-QĐ/TW" into ASCII identifiers ("366-qd-tw").
//! A document number is not unique across years (two different documents are both numbered
//! "12-HD/BTCTW", from 2018 and 2022), so a caller that needs a unique id must add the
//! document's date to the slug.

use std::cmp::Ordering;
use std::sync::LazyLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_locale_core::locale;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

// ---------------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------------

/// Returns `s` in Unicode Normalization Form C (composed).
///
/// Use this on every string before it is stored, used as a key or merged.
/// `nfc("e\u{0323}\u{0302}") == "ệ"`.
pub fn nfc(s: &str) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Whether `s` is already in NFC. This check is faster than comparing `nfc(s)` with `s`.
pub fn is_nfc(s: &str) -> bool {
    unicode_normalization::is_nfc(s)
}

// ---------------------------------------------------------------------------------------------
// Accent-insensitive search
// ---------------------------------------------------------------------------------------------

/// An accent-insensitive, case-insensitive search key.
///
/// The steps are: lowercase, decompose (NFD), drop every combining mark (general category Mn,
/// which covers tones and the breve, circumflex and horn), map đ → d, collapse runs of
/// whitespace to one space, and trim. Lowercasing happens first, so the marks that some
/// lowercase mappings add (e.g. "İ" → "i̇") are dropped as well.
///
/// `search_key("Nguyễn Thị Huyền Trang") == "nguyen thi huyen trang"`,
/// `search_key("Đặng Quốc Việt") == "dang quoc viet"`.
pub fn search_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.to_lowercase().nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(match c {
            'đ' | 'Đ' => 'd',
            other => other,
        });
    }
    out
}

/// Whether every whitespace-separated word of `search_key(query)` is a substring of
/// `search_key(haystack)`. Word order does not matter. An empty query matches everything.
///
/// `matches_search("Nguyễn Thị Huyền Trang", "trang nguyen") == true`.
pub fn matches_search(haystack: &str, query: &str) -> bool {
    let hay = search_key(haystack);
    search_key(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| hay.contains(w))
}

// ---------------------------------------------------------------------------------------------
// Canonical names (tone placement)
// ---------------------------------------------------------------------------------------------

/// The five Vietnamese tone marks as combining characters: huyền, sắc, ngã, hỏi, nặng.
const TONE_MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

/// The vowel-quality marks: circumflex (â ê ô), breve (ă), horn (ơ ư).
const QUALITY_MARKS: [char; 3] = ['\u{0302}', '\u{0306}', '\u{031B}'];

/// A canonical form of a name, used for matching and de-duplication. Tone-placement variants
/// map to the same string: `canonical_name("Hòa") == canonical_name("Hoà") == "Hoà"`.
///
/// The result is NFC. Case is kept, and so are the vowel-quality marks (ă â ê ô ơ ư) and đ.
/// Only the position of the tone mark can change. The function is idempotent.
///
/// # The rule (the "new style", *kiểu mới*)
///
/// The text is split into syllables: runs of letters and their combining marks. In each
/// syllable the tone mark is removed and put back by these rules:
///
/// * The **vowel nucleus** is the syllable's run of vowel letters (a e i o u y, with or without
///   quality marks). The `u` of the onset "qu" and the `i` of the onset "gi" are not part of it
///   when another vowel follows: "quý" → y, "già" → a, but "gì" → i.
/// * If the nucleus has a vowel with a quality mark (ă â ê ô ơ ư), the tone goes on the
///   **last** such vowel: "Việt", "Lượng", "người", "hữu", "thuở".
/// * Otherwise a single vowel takes the tone ("Ỷ", "Quỳ").
/// * Otherwise, if a final consonant follows the nucleus, the tone goes on the **last** vowel:
///   "Hoàng", "Huỳnh".
/// * Otherwise, in an open syllable with two vowels, the tone goes on the **second** vowel for
///   the medial-glide pairs oa, oe, uy ("Hoà", "khoẻ", "Thuỷ"). For every other pair it goes on
///   the **first** vowel ("tài", "mùa", "gửi").
/// * Otherwise (three or more vowels, none with a quality mark) the tone goes on the **second**
///   vowel: "hoài", "xoáy", "khuỷu", "ngoẹo".
///
/// Some syllables are left exactly as they are, apart from NFC: those with no tone mark, more
/// than one tone mark, a letter outside the Vietnamese Latin alphabet, an unexpected combining
/// mark, or more than one run of vowels. Foreign words and initials therefore pass through
/// unchanged.
pub fn canonical_name(s: &str) -> String {
    let chars: Vec<char> = s.nfd().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() && !is_combining_mark(c) {
            let start = i;
            i += 1;
            while i < chars.len() && (is_combining_mark(chars[i]) || chars[i].is_alphabetic()) {
                i += 1;
            }
            retone_syllable(&chars[start..i], &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.nfc().collect()
}

/// One letter of a syllable: a base character and its vowel-quality marks (tone removed).
struct Letter {
    base: char,
    marks: Vec<char>,
}

impl Letter {
    fn lower(&self) -> char {
        self.base.to_ascii_lowercase()
    }

    fn is_vowel(&self) -> bool {
        matches!(self.lower(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
    }
}

/// Appends the NFD syllable `syl` to `out`, with its tone mark moved to the canonical vowel.
/// Syllables the rule does not apply to are appended unchanged.
fn retone_syllable(syl: &[char], out: &mut String) {
    let mut letters: Vec<Letter> = Vec::with_capacity(syl.len());
    let mut tone: Option<char> = None;
    for &c in syl {
        if TONE_MARKS.contains(&c) {
            if tone.replace(c).is_some() {
                out.extend(syl);
                return;
            }
        } else if is_combining_mark(c) {
            match letters.last_mut() {
                Some(letter) if QUALITY_MARKS.contains(&c) => letter.marks.push(c),
                _ => {
                    out.extend(syl);
                    return;
                }
            }
        } else if c.is_ascii_alphabetic() || c == 'đ' || c == 'Đ' {
            letters.push(Letter {
                base: c,
                marks: Vec::new(),
            });
        } else {
            out.extend(syl);
            return;
        }
    }
    let (Some(tone), Some(pos)) = (tone, tone_position(&letters)) else {
        out.extend(syl);
        return;
    };
    for (idx, letter) in letters.iter().enumerate() {
        out.push(letter.base);
        out.extend(&letter.marks);
        if idx == pos {
            out.push(tone);
        }
    }
}

/// The index of the letter that carries the tone under the rule documented on
/// [`canonical_name`], or `None` when the syllable has no single vowel run.
fn tone_position(letters: &[Letter]) -> Option<usize> {
    let first = letters.iter().position(Letter::is_vowel)?;
    let end = letters[first..]
        .iter()
        .position(|l| !l.is_vowel())
        .map_or(letters.len(), |off| first + off);
    if letters[end..].iter().any(Letter::is_vowel) {
        return None;
    }
    let mut start = first;
    if end - start > 1 && start > 0 && letters[start].marks.is_empty() {
        let onset = (letters[start - 1].lower(), letters[start].lower());
        if matches!(onset, ('q', 'u') | ('g', 'i')) {
            start += 1;
        }
    }
    if let Some(k) = (start..end).rev().find(|&k| !letters[k].marks.is_empty()) {
        return Some(k);
    }
    let has_final = end < letters.len();
    Some(match end - start {
        1 => start,
        _ if has_final => end - 1,
        2 => {
            let pair = (letters[start].lower(), letters[start + 1].lower());
            if matches!(pair, ('o', 'a') | ('o', 'e') | ('u', 'y')) {
                start + 1
            } else {
                start
            }
        }
        _ => start + 1,
    })
}

// ---------------------------------------------------------------------------------------------
// Collation
// ---------------------------------------------------------------------------------------------

/// The Vietnamese collator, built once. `CollatorBorrowed<'static>` holds only references
/// into the compiled (baked) data, so it is `Send + Sync` and a process-wide static works.
static VI_COLLATOR: LazyLock<CollatorBorrowed<'static>> = LazyLock::new(|| {
    Collator::try_new(locale!("vi").into(), CollatorOptions::default())
        .expect("icu_collator compiled data includes the Vietnamese tailoring")
});

/// Compares two strings in Vietnamese alphabetical order (CLDR "vi" tailoring, default
/// tertiary strength). The letters a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư differ at the
/// primary level. Tones differ at a lower level, and so does case. Strings that are
/// canonically equivalent (NFC and NFD of the same text) compare `Equal`.
pub fn compare_vi(a: &str, b: &str) -> Ordering {
    VI_COLLATOR.compare(a, b)
}

/// A binary sort key: comparing two keys byte-wise gives the same result as [`compare_vi`]
/// on the strings. Use it to sort large lists, or as an index column.
///
/// Keys depend on the ICU4X, CLDR and Unicode versions. Do not persist them as the only copy
/// of anything: be ready to recompute them after a dependency upgrade.
pub fn sort_key_vi(s: &str) -> Vec<u8> {
    let mut key = Vec::new();
    let Ok(()) = VI_COLLATOR.write_sort_key_to(s, &mut key);
    key
}

/// Vietnamese person-name order. A name's words are family name (the first word), middle
/// names, and given name (the last word). Names are compared by given name, then middle names
/// (word by word; fewer words first when one list is a prefix of the other), then family
/// name, each with [`compare_vi`]. Ties are broken by [`compare_vi`] on the whole strings.
///
/// A name of one word has only a given name.
pub fn compare_person_names(a: &str, b: &str) -> Ordering {
    let (fa, ma, ga) = name_parts(a);
    let (fb, mb, gb) = name_parts(b);
    compare_vi(ga, gb)
        .then_with(|| {
            ma.iter()
                .zip(mb.iter())
                .map(|(x, y)| compare_vi(x, y))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| ma.len().cmp(&mb.len()))
        })
        .then_with(|| compare_vi(fa, fb))
        .then_with(|| compare_vi(a, b))
}

/// Splits a person's name into (family name, middle names, given name).
fn name_parts(s: &str) -> (&str, Vec<&str>, &str) {
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [] => ("", Vec::new(), ""),
        [given] => ("", Vec::new(), given),
        [family, middle @ .., given] => (family, middle.to_vec(), given),
    }
}

// ---------------------------------------------------------------------------------------------
// Slugs
// ---------------------------------------------------------------------------------------------

/// `s` as a file name that is never a path: `/` and `\` become the look-alike "∕" (U+2215).
/// Slashes are part of Vietnamese document names ("Nghị quyết 21-NQ/TW"), so they are kept
/// visibly rather than cut at.
pub fn file_name_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c == '/' || c == '\\' { '∕' } else { c })
        .collect()
}

/// An ASCII slug for identifiers and file names: "01-KH/CB" → "01-kh-cb",
/// "366-QĐ/TW" → "366-qd-tw", "Phân xưởng Cơ điện" → "phan-xuong-co-dien".
///
/// The text is folded as in [`search_key`] (no marks, đ → d, lowercase). Every run of
/// characters other than ASCII letters and digits becomes one '-', and leading and trailing
/// '-' are trimmed. Letters with no ASCII fold (e.g. "ß", CJK) count as separators. A
/// document number is not unique on its own: add the date when you need a unique id.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in search_key(s).chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// The 16 named members of the demo branch "Chi bộ Phân xưởng Cơ điện" (DOMAIN.md).
    const DEMO_MEMBERS: [&str; 16] = [
        "Đặng Quốc Việt",
        "Nguyễn Thị Huyền Trang",
        "Vũ Thị Hoà",
        "Lê Văn Ứng",
        "Trương Thị Thuỷ",
        "Phạm Ngọc Ánh",
        "Hoàng Đức Lượng",
        "Quách Thị Ỷ",
        "Đỗ Mạnh Cường",
        "Bùi Thị Yến",
        "Ngô Quang Huy",
        "Lưu Thị Ngọc Hằng",
        "Dương Văn Đoàn",
        "Tạ Quang Thắng",
        "Ông Thị Ngọc Ước",
        "Mạc Văn Đạt",
    ];

    fn sorted_by(list: &[&str], cmp: fn(&str, &str) -> Ordering) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        v.sort_by(|a, b| cmp(a, b));
        v
    }

    #[test]
    fn test_nfd_inputs_come_out_nfc() {
        // (NFD input, expected NFC), both written with explicit escapes.
        let cases = [
            ("e\u{0323}\u{0302}", "\u{1EC7}"),                        // ệ
            ("U\u{031B}u", "\u{01AF}u"),                              // Ưu
            ("U\u{031B}o\u{031B}\u{0301}c", "\u{01AF}\u{1EDB}c"),     // Ước
            ("Y\u{0309}", "\u{1EF6}"),                                // Ỷ
            ("\u{0110}a\u{0323}t", "\u{0110}\u{1EA1}t"),              // Đạt
            ("Lu\u{031B}o\u{031B}\u{0323}ng", "L\u{01B0}\u{1EE3}ng"), // Lượng
            ("Vie\u{0323}\u{0302}t", "Vi\u{1EC7}t"),                  // Việt
            ("Thuy\u{0309}", "Thu\u{1EF7}"),                          // Thuỷ
        ];
        for (nfd, expected) in cases {
            assert!(!is_nfc(nfd), "{nfd:?} should not be NFC");
            let out = nfc(nfd);
            assert_eq!(out, expected);
            assert!(is_nfc(&out));
            assert_ne!(out.chars().count(), nfd.chars().count());
        }
        // The escapes above are the same text as literal NFC source.
        assert_eq!(nfc("e\u{0323}\u{0302}"), "ệ");
        assert_eq!(nfc("Lu\u{031B}o\u{031B}\u{0323}ng"), "Lượng");
        assert_eq!(nfc("U\u{031B}o\u{031B}\u{0301}c"), "Ước");
        assert_eq!(nfc("\u{0110}a\u{0323}t"), "Đạt");
        assert_eq!(nfc("Y\u{0309}"), "Ỷ");
    }

    #[test]
    fn test_nfc_is_identity_on_nfc_text() {
        for name in DEMO_MEMBERS {
            assert!(is_nfc(name), "{name} should be NFC in source");
            assert_eq!(nfc(name), name);
        }
        // The other order of the marks of "ệ" is also canonically equivalent.
        assert_eq!(nfc("e\u{0302}\u{0323}"), "ệ");
    }

    #[test]
    fn test_search_key_folds_accents_case_and_d() {
        assert_eq!(
            search_key("Nguyễn Thị Huyền Trang"),
            "nguyen thi huyen trang"
        );
        assert_eq!(search_key("Đặng Quốc Việt"), "dang quoc viet");
        assert_eq!(search_key("Hoàng Đức Lượng"), "hoang duc luong");
        assert_eq!(search_key("Ông Thị Ngọc Ước"), "ong thi ngoc uoc");
        assert_eq!(search_key("Quách Thị Ỷ"), "quach thi y");
        assert_eq!(search_key("366-QĐ/TW"), "366-qd/tw");
        assert_eq!(search_key("đĐ"), "dd");
    }

    #[test]
    fn test_search_key_collapses_whitespace() {
        assert_eq!(search_key("  Mạc \t Văn\n\nĐạt  "), "mac van dat");
        assert_eq!(search_key("   "), "");
        assert_eq!(search_key(""), "");
    }

    #[test]
    fn test_search_key_same_for_nfd_and_nfc() {
        assert_eq!(
            search_key("Lu\u{031B}o\u{031B}\u{0323}ng"),
            search_key("Lượng")
        );
        assert_eq!(search_key("\u{0110}a\u{0323}t"), "dat");
        assert_eq!(search_key("Hoà"), search_key("Hòa"));
    }

    #[test]
    fn test_matches_search_ignores_accents_case_and_order() {
        let name = "Nguyễn Thị Huyền Trang";
        assert!(matches_search(name, "nguyen"));
        assert!(matches_search(name, "trang nguyen"));
        assert!(matches_search(name, "HUYỀN"));
        assert!(matches_search(name, "huy"));
        assert!(matches_search("Đặng Quốc Việt", "dang viet"));
        assert!(matches_search("Mạc Văn Đạt", "đạt"));
        assert!(matches_search("Mạc Văn Đạt", "dat"));
        assert!(matches_search("Vũ Thị Hoà", "hòa"));
        assert!(matches_search(name, ""));
        assert!(!matches_search(name, "nguyen tuan"));
        assert!(!matches_search("Đặng Quốc Việt", "dung"));
    }

    #[test]
    fn test_canonical_name_tone_variants_are_equal() {
        let pairs = [
            ("Hoà", "Hòa"),
            ("Thuỷ", "Thủy"),
            ("Quỳ", "Qùy"),
            ("khoẻ", "khỏe"),
            ("Vũ Thị Hoà", "Vũ Thị Hòa"),
            ("Trương Thị Thuỷ", "Trương Thị Thủy"),
            ("HOÀ", "HÒA"),
            ("hoài", "hòai"),
            ("khuỷu", "khủyu"),
            ("già", "gìa"),
            ("Hoàng", "Hòang"),
        ];
        for (a, b) in pairs {
            assert_ne!(a, b, "test data: {a} and {b} must be different strings");
            assert_eq!(canonical_name(a), canonical_name(b), "{a} vs {b}");
        }
        // The canonical form is the new style: tone on the main vowel.
        assert_eq!(canonical_name("Hòa"), "Hoà");
        assert_eq!(canonical_name("Thủy"), "Thuỷ");
        assert_eq!(canonical_name("Qùy"), "Quỳ");
        assert_eq!(canonical_name("HÒA"), "HOÀ");
        // The onsets "qu" and "gi" do not take the tone.
        assert_eq!(canonical_name("qủa"), "quả");
        assert_eq!(canonical_name("Quả"), "Quả");
        assert_eq!(canonical_name("gìa"), "già");
        assert_eq!(canonical_name("già"), "già");
    }

    #[test]
    fn test_canonical_name_keeps_tone_and_vowel_quality() {
        assert_ne!(canonical_name("Hoà"), canonical_name("Hoa"));
        assert_ne!(canonical_name("Thuỷ"), canonical_name("Thuy"));
        assert_ne!(canonical_name("Hoà"), canonical_name("Hoá"));
        assert_ne!(canonical_name("Đạt"), canonical_name("Dạt"));
        assert_ne!(canonical_name("Ưu"), canonical_name("Uu"));
        // Names already in canonical form are unchanged (marks, đ and case kept).
        for name in DEMO_MEMBERS {
            assert_eq!(canonical_name(name), name);
        }
        for word in [
            "Ưu", "Hữu", "người", "Lượng", "rượu", "Nguyễn", "giữ", "gì", "tài", "mùa",
        ] {
            assert_eq!(canonical_name(word), word);
        }
        // Non-Vietnamese text and text without tones pass through.
        for text in ["Automerge", "01-KH/CB", "Hoa", "Thuy", ""] {
            assert_eq!(canonical_name(text), text);
        }
    }

    #[test]
    fn test_canonical_name_outputs_nfc_from_nfd() {
        assert_eq!(canonical_name("Ho\u{0300}a"), "Hoà");
        assert_eq!(canonical_name("Hoa\u{0300}"), "Hoà");
        assert_eq!(canonical_name("Thu\u{0309}y"), "Thuỷ");
        assert_eq!(canonical_name("Lu\u{031B}o\u{031B}\u{0323}ng"), "Lượng");
        assert!(is_nfc(&canonical_name("U\u{031B}o\u{031B}\u{0301}c")));
    }

    #[test]
    fn test_canonical_name_is_idempotent() {
        let inputs = [
            "Hòa",
            "Hoà",
            "Thủy",
            "Qùy",
            "khủyu",
            "gìa",
            "HÒA BÌNH",
            "Vũ Thị Hòa",
            "Ông Thị Ngọc Ước",
            "xóay",
            "ngọeo",
            "Tạ Quang Thắng",
            "Hòang-Văn",
        ];
        for s in inputs {
            let once = canonical_name(s);
            assert_eq!(canonical_name(&once), once, "{s}");
        }
    }

    #[test]
    fn test_compare_vi_letter_order() {
        // Each letter with a quality mark sorts after its base letter *and* everything that
        // starts with the base letter: a primary difference, not an accent.
        let primary = [
            ("az", "ăa"),
            ("ăz", "âa"),
            ("âz", "ba"),
            ("dz", "đa"),
            ("đz", "ea"),
            ("ez", "êa"),
            ("oz", "ôa"),
            ("ôz", "ơa"),
            ("ơz", "pa"),
            ("uz", "ưa"),
            ("ưz", "va"),
        ];
        for (lo, hi) in primary {
            assert_eq!(compare_vi(lo, hi), Ordering::Less, "{lo} < {hi}");
            assert_eq!(compare_vi(hi, lo), Ordering::Greater, "{hi} > {lo}");
        }
        let letters = ["ư", "ơ", "ô", "o", "đ", "ê", "d", "e", "â", "u", "ă", "a"];
        assert_eq!(
            sorted_by(&letters, compare_vi),
            ["a", "ă", "â", "d", "đ", "e", "ê", "o", "ô", "ơ", "u", "ư"]
        );
    }

    #[test]
    fn test_compare_vi_is_not_code_point_order() {
        let words = ["Bình", "Ăn", "Ân", "An", "Ánh", "Đông", "Dũng", "Zô"];
        assert_eq!(
            sorted_by(&words, compare_vi),
            ["An", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đông", "Zô"]
        );
    }

    #[test]
    fn test_compare_vi_nfd_equals_nfc() {
        assert_eq!(
            compare_vi("Lu\u{031B}o\u{031B}\u{0323}ng", "Lượng"),
            Ordering::Equal
        );
        assert_eq!(compare_vi("Vie\u{0323}\u{0302}t", "Việt"), Ordering::Equal);
        assert_ne!(compare_vi("Hoa", "Hoà"), Ordering::Equal);
    }

    #[test]
    fn test_compare_person_names_sorts_demo_branch() {
        // Given names: Ánh < Cường < Đạt < Đoàn < Hằng < Hoà < Huy < Lượng < Thắng < Thuỷ
        // < Trang < Ứng < Ước < Việt < Ỷ < Yến (ă < o < u; th < tr; n < ơ; "y" is a prefix
        // of "yen").
        let expected = [
            "Phạm Ngọc Ánh",
            "Đỗ Mạnh Cường",
            "Mạc Văn Đạt",
            "Dương Văn Đoàn",
            "Lưu Thị Ngọc Hằng",
            "Vũ Thị Hoà",
            "Ngô Quang Huy",
            "Hoàng Đức Lượng",
            "Tạ Quang Thắng",
            "Trương Thị Thuỷ",
            "Nguyễn Thị Huyền Trang",
            "Lê Văn Ứng",
            "Ông Thị Ngọc Ước",
            "Đặng Quốc Việt",
            "Quách Thị Ỷ",
            "Bùi Thị Yến",
        ];
        assert_eq!(sorted_by(&DEMO_MEMBERS, compare_person_names), expected);
        let mut reversed = DEMO_MEMBERS;
        reversed.reverse();
        assert_eq!(sorted_by(&reversed, compare_person_names), expected);
    }

    #[test]
    fn test_compare_person_names_tie_breaks() {
        // Same given name: middle names decide, before the family name.
        assert_eq!(
            compare_person_names("Trần Thị An", "Lê Văn An"),
            Ordering::Less
        );
        // Fewer middle names first when one list is a prefix of the other.
        assert_eq!(
            compare_person_names("Lê Thị Ngọc An", "Lê Thị An"),
            Ordering::Greater
        );
        // Same given and middle names: the family name decides (D < Đ < L).
        assert_eq!(
            compare_person_names("Đỗ Văn An", "Dương Văn An"),
            Ordering::Greater
        );
        assert_eq!(
            compare_person_names("Đỗ Văn An", "Lê Văn An"),
            Ordering::Less
        );
        // Given name first, even when the family name points the other way.
        assert_eq!(
            compare_person_names("Vũ Văn An", "An Văn Bình"),
            Ordering::Less
        );
        // One-word names and extra whitespace.
        assert_eq!(compare_person_names("An", "Lê Văn An"), Ordering::Less);
        // Equal parts: the whole strings break the tie; canonically equivalent names are equal.
        assert_ne!(
            compare_person_names("Lê  Văn An", "Lê Văn An"),
            Ordering::Equal
        );
        assert_eq!(
            compare_person_names("Mạc Văn \u{0110}a\u{0323}t", "Mạc Văn Đạt"),
            Ordering::Equal
        );
    }

    #[test]
    fn test_sort_key_vi_agrees_with_compare_vi() {
        let words = [
            "Ánh", "Ăn", "an", "An", "Đạt", "Dũng", "Ước", "Ứng", "Ỷ", "Yến", "Hoà", "Hòa",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    sort_key_vi(a).cmp(&sort_key_vi(b)),
                    compare_vi(a, b),
                    "{a} vs {b}"
                );
            }
        }
        assert!(sort_key_vi("ăa") > sort_key_vi("az"));
        assert_eq!(
            sort_key_vi("Lu\u{031B}o\u{031B}\u{0323}ng"),
            sort_key_vi("Lượng")
        );
    }

    #[test]
    fn test_slug_document_numbers() {
        assert_eq!(slug("01-KH/CB"), "01-kh-cb");
        assert_eq!(slug("366-QĐ/TW"), "366-qd-tw");
        assert_eq!(slug("12-HD/BTCTW"), "12-hd-btctw");
        assert_eq!(slug("Chỉ thị 50-CT/TW"), "chi-thi-50-ct-tw");
        assert_eq!(slug("  --Phân xưởng Cơ điện--  "), "phan-xuong-co-dien");
        assert_eq!(
            slug("Phòng Kỹ thuật – Công nghệ"),
            "phong-ky-thuat-cong-nghe"
        );
        assert_eq!(slug("Q\u{0110}"), "qd");
        assert_eq!(slug("/–/"), "");
    }
}
