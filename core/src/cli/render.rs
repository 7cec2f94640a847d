//! Text output: tables with wrapped cells, dates and times, Vietnamese labels.
//!
//! Widths count characters: NFC Vietnamese letters are one code point and one column each.

use crate::date::{self, Date};
use crate::labels::FieldScope;

/// A table whose cells wrap at word boundaries to at most `max[i]` characters.
pub(super) fn table(headers: &[&str], max: &[usize], rows: &[Vec<String>]) -> String {
    let n = headers.len();
    let width = |i: usize| {
        let longest = rows
            .iter()
            .filter_map(|r| r.get(i))
            .flat_map(|c| c.lines())
            .map(|l| l.chars().count())
            .chain(std::iter::once(headers[i].chars().count()))
            .max()
            .unwrap_or(1);
        longest
            .min(max.get(i).copied().unwrap_or(usize::MAX))
            .max(1)
    };
    let widths: Vec<usize> = (0..n).map(width).collect();
    let rule = {
        let mut s = String::from("+");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s.push('\n');
        s
    };
    let mut out = rule.clone();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    push_row(&mut out, &header, &widths);
    out.push_str(&rule.replace('-', "="));
    for r in rows {
        push_row(&mut out, r, &widths);
        out.push_str(&rule);
    }
    out
}

fn push_row(out: &mut String, cells: &[String], widths: &[usize]) {
    let wrapped: Vec<Vec<String>> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| wrap(cells.get(i).map(String::as_str).unwrap_or(""), *w))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    for line in 0..height {
        out.push('|');
        for (i, w) in widths.iter().enumerate() {
            let cell = wrapped[i].get(line).map(String::as_str).unwrap_or("");
            out.push(' ');
            out.push_str(cell);
            out.push_str(&" ".repeat(w.saturating_sub(cell.chars().count()) + 1));
            out.push('|');
        }
        out.push('\n');
    }
}

/// Word-wraps `s` to lines of at most `width` characters (longer words are cut).
pub(super) fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for para in s.lines() {
        let mut line = String::new();
        let mut len = 0;
        for word in para.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            while word.len() > width {
                if len > 0 {
                    lines.push(std::mem::take(&mut line));
                    len = 0;
                }
                let rest = word.split_off(width);
                lines.push(word.into_iter().collect());
                word = rest;
            }
            let wl = word.len();
            if len > 0 && len + 1 + wl > width {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            if len > 0 {
                line.push(' ');
                len += 1;
            }
            line.extend(word);
            len += wl;
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Indents every line of `s` by `pad`.
pub(super) fn indent(s: &str, pad: &str) -> String {
    s.lines().map(|l| format!("{pad}{l}\n")).collect::<String>()
}

/// `DD/MM/YYYY`, or "" when absent.
pub(super) fn date_vi(d: Option<Date>) -> String {
    d.map(date::format_vi).unwrap_or_default()
}

/// Unix seconds as `DD/MM/YYYY HH:MM` in Vietnam time (UTC+7, no daylight saving), the time
/// every branch lives in.
pub(super) fn time_vi(unix: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return unix.to_string();
    };
    let t = match time::UtcOffset::from_hms(7, 0, 0) {
        Ok(off) => t.to_offset(off),
        Err(_) => t,
    };
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}",
        t.day(),
        t.month() as u8,
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// A span of time: one time, `DD/MM/YYYY HH:MM–HH:MM` within a day, else `… → …`.
pub(super) fn time_range_vi(first: i64, last: i64) -> String {
    let (a, b) = (time_vi(first), time_vi(last));
    if a == b {
        return a;
    }
    match (a.split_once(' '), b.split_once(' ')) {
        (Some((day_a, _)), Some((day_b, hm_b))) if day_a == day_b => format!("{a}–{hm_b}"),
        _ => format!("{a} → {b}"),
    }
}

/// At most `max` characters of `s` on one line (line breaks become spaces), with "…" when
/// cut.
pub(super) fn excerpt(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut out: String = flat.chars().take(max).collect();
    if flat.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The first 8 characters of an id, as lists show it.
pub(super) fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// A label of [`crate::labels`] (sentence case) run into a sentence: its first letter
/// lowercased ("Đang mở" → "đang mở"). For statuses and field names, never for roles
/// ("Bí thư" keeps its capital).
pub(super) fn lower(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A Vietnamese description of a change's message ("topic.add" → "thêm chuyên đề").
pub(super) fn change_message(msg: &str) -> String {
    let fixed = match msg {
        "create annual_plan" => "tạo kế hoạch",
        "create topic_draft" => "tạo dự thảo",
        "create material" => "tạo tài liệu",
        "topic.add" => "thêm chuyên đề",
        "topic.move" => "đổi thứ tự chuyên đề",
        "topic.preparer.add" => "thêm người chuẩn bị",
        "topic.preparer.remove" => "bỏ người chuẩn bị",
        "plan.legal_basis.add" => "thêm căn cứ",
        "plan.legal_basis.remove" => "bỏ căn cứ",
        "plan.text.purpose" => "sửa mục đích, yêu cầu",
        "plan.text.implementation" => "sửa tổ chức thực hiện",
        "comment.add" => "thêm góp ý",
        "comment.edit" => "sửa góp ý",
        "comment.delete" => "xóa góp ý",
        "comment.resolve" => "đánh dấu đã giải quyết",
        "comment.reopen" => "mở lại góp ý",
        "proposal.status" => "đổi trạng thái hiến kế",
        "body.splice" | "body.replace" => "sửa nội dung",
        "title.set" => "đổi tiêu đề",
        "conflict.resolve" => "chọn giá trị khi xung đột",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    if let Some(field) = msg.strip_prefix("topic.set.") {
        return format!("sửa chuyên đề: {}", field_label(FieldScope::Topic, field));
    }
    if let Some(field) = msg.strip_prefix("plan.set.") {
        return format!("sửa kế hoạch: {}", field_label(FieldScope::Document, field));
    }
    msg.to_owned()
}

/// The Vietnamese name of a document field ([`crate::labels`]), lowercased to run in a
/// sentence, with its key in parentheses ("người trình bày (presenter)"); the key alone when
/// it has no name.
pub(super) fn field_label(scope: FieldScope, key: &str) -> String {
    let vi = scope.field_label_vi(key);
    if vi == key {
        key.to_owned()
    } else {
        format!("{} ({key})", lower(vi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_wrap_keeps_words_and_cuts_long_ones() {
        assert_eq!(
            wrap("Giải pháp giảm thời gian dừng máy", 12),
            ["Giải pháp", "giảm thời", "gian dừng", "máy"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn test_table_aligns_vietnamese_by_characters() {
        let t = table(
            &["STT", "Tên"],
            &[3, 20],
            &[vec!["1".into(), "Ứng dụng".into()]],
        );
        let lines: Vec<&str> = t.lines().collect();
        let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{t}");
        assert!(t.contains("| 1   | Ứng dụng |"), "{t}");
    }

    #[test]
    fn test_field_label_runs_core_words_into_a_sentence() {
        assert_eq!(lower("Đang mở"), "đang mở");
        assert_eq!(lower(""), "");
        assert_eq!(
            field_label(FieldScope::Topic, "expected_output"),
            "sản phẩm dự kiến (expected_output)"
        );
        assert_eq!(
            field_label(FieldScope::LegalBasis, "title"),
            "trích yếu (title)"
        );
        assert_eq!(field_label(FieldScope::Topic, "venue"), "venue");
    }

    #[test]
    fn test_time_vi_is_vietnam_time() {
        assert_eq!(time_vi(0), "01/01/1970 07:00");
    }

    #[test]
    fn test_time_range_and_excerpt() {
        assert_eq!(time_range_vi(0, 0), "01/01/1970 07:00");
        assert_eq!(time_range_vi(0, 600), "01/01/1970 07:00–07:10");
        assert_eq!(
            time_range_vi(0, 86_400),
            "01/01/1970 07:00 → 02/01/1970 07:00"
        );
        assert_eq!(excerpt("Chi bộ\nhọp", 20), "Chi bộ họp");
        assert_eq!(excerpt("Nguyễn", 3), "Ngu…");
    }
}
