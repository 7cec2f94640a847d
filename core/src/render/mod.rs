//! Official documents: the branch's papers as DOCX (to print, sign and file, or to upload to
//! the national "Sổ tay đảng viên điện tử" app) and as HTML (to read and print on any device).
//!
//! # Why a layout model in the middle
//!
//! A branch files several kinds of paper that share one official layout (HD 36-HD/VPTW,
//! 03/4/2018, on the form of party documents): the header block ("ĐẢNG BỘ …" / "CHI BỘ …" /
//! "Số …" on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and place and date on the right), a title,
//! numbered sections of prose, tables with borders, and a signature block with "Nơi nhận:".
//! The annual plan is the first ([`plan`]); the session minutes (biên bản, `docs/sessions.md`)
//! come next. So a document is first laid out into a small [`Layout`] — paragraphs, a
//! [`Block::Header`], [`Table`]s, a [`Block::Signature`] — by a function that knows the
//! document and nothing of file formats, and each writer ([`docx::write`], [`html::write`])
//! turns any layout into its format knowing nothing of plans or minutes. A new document kind
//! is one layout function; a new format is one writer; the two formats cannot drift apart.
//!
//! Text in a layout is NFC; names are already resolved (the layout never shows a member id
//! unless the context could not name it, and then says so in [`Layout::unresolved`]).
//!
//! ```
//! use sotay_core::render::{self, RenderContext, Signatory};
//! # let plan: sotay_core::model::plan::AnnualPlan = serde_json::from_str(r#"{"id":"p1",
//! #   "branch_id":"b-co-dien","year":2026,"title":"Kế hoạch sinh hoạt chuyên đề năm 2026",
//! #   "number":"01-KH/CB","issue_date":"2026-01-15","legal_bases":[],"purpose":"",
//! #   "implementation":"","topics":[]}"#)?;
//! let ctx = RenderContext {
//!     committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
//!     branch_name: "Chi bộ Phân xưởng Cơ điện".into(),
//!     place: "Quảng Ninh".into(),
//!     signatory: Signatory::secretary("Đặng Quốc Việt"),
//!     ..RenderContext::default()
//! };
//! let layout = render::plan::layout(&plan, &ctx);
//! let docx: Vec<u8> = render::docx::write(&layout)?;
//! let html: String = render::html::write(&layout);
//! assert!(html.contains("ngày 15 tháng 01 năm 2026"));
//! assert!(docx.starts_with(b"PK"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod docx;
pub mod evidence;
pub mod html;
pub mod minutes;
pub mod plan;

use std::collections::BTreeMap;

use crate::date::Date;
use crate::ids::MemberId;
use crate::text::nfc;

/// A document laid out for any writer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The document's name as metadata (the HTML `<title>`): "Kế hoạch sinh hoạt chuyên đề
    /// năm 2026 — Chi bộ Phân xưởng Cơ điện".
    pub title: String,
    /// The content, top to bottom.
    pub blocks: Vec<Block>,
    /// Member ids the context could not name; the layout shows them as the ids themselves.
    /// A caller should fix the directory (sync) rather than file such a paper.
    pub unresolved: Vec<MemberId>,
}

/// One piece of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// The header block: issuing body, number (left); "ĐẢNG CỘNG SẢN VIỆT NAM", place and
    /// date (right). No borders.
    Header(Columns),
    /// A paragraph of text.
    Paragraph(Paragraph),
    /// A table with borders and a heading row.
    Table(Table),
    /// The signature block: "Nơi nhận:" (left); "T/M CHI BỘ", title, space to sign, name
    /// (right). No borders. Minutes put the clerk left and the chair right.
    Signature(Columns),
    /// What follows starts on a new page of this orientation (a wide table goes on
    /// landscape pages, the prose after it back on portrait). Pages are portrait until the
    /// first such block.
    NewPage(Orientation),
}

/// The orientation of A4 pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Orientation {
    /// 210 × 297 mm.
    #[default]
    Portrait,
    /// 297 × 210 mm.
    Landscape,
}

/// Two columns of paragraphs side by side, without borders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The left column.
    pub left: Vec<Paragraph>,
    /// The right column.
    pub right: Vec<Paragraph>,
    /// The left column's share of the text width, in percent (1–99).
    pub left_percent: u8,
}

/// Horizontal alignment of a paragraph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
    /// Justified (prose).
    Justify,
}

/// A paragraph: runs of text in one font size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    /// The text, run by run.
    pub spans: Vec<Span>,
    /// Alignment.
    pub align: Align,
    /// Font size in points (Times New Roman).
    pub size_pt: u8,
    /// Indent the first line (prose paragraphs).
    pub first_line_indent: bool,
    /// Space above, in points.
    pub space_before_pt: u8,
    /// Keep on the same page as the next block (headings).
    pub keep_with_next: bool,
}

/// A run of text with one style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// The text (NFC, no line breaks).
    pub text: String,
    /// Bold.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
    /// Underlined.
    pub underline: bool,
}

/// The body text size (HD 36-HD/VPTW: 13–14 pt).
pub const BODY_PT: u8 = 14;
/// The size of the header block's lines.
pub const HEADER_PT: u8 = 13;
/// The size of table cells: ten columns need a smaller size than the prose, even on a
/// landscape page.
pub const TABLE_PT: u8 = 12;
/// The size of the "Nơi nhận" list.
pub const SMALL_PT: u8 = 12;

impl Paragraph {
    /// A plain paragraph of body text, flush left.
    pub fn new(text: impl AsRef<str>) -> Self {
        Paragraph {
            spans: vec![Span::plain(text)],
            align: Align::Left,
            size_pt: BODY_PT,
            first_line_indent: false,
            space_before_pt: 0,
            keep_with_next: false,
        }
    }

    /// An empty line (space to sign, say).
    pub fn blank() -> Self {
        Paragraph {
            spans: Vec::new(),
            ..Paragraph::new("")
        }
    }

    /// A prose paragraph: justified, first line indented.
    pub fn prose(text: impl AsRef<str>) -> Self {
        Paragraph {
            align: Align::Justify,
            first_line_indent: true,
            space_before_pt: 6,
            ..Paragraph::new(text)
        }
    }

    /// All spans bold.
    pub fn bold(mut self) -> Self {
        self.spans.iter_mut().for_each(|s| s.bold = true);
        self
    }

    /// All spans italic.
    pub fn italic(mut self) -> Self {
        self.spans.iter_mut().for_each(|s| s.italic = true);
        self
    }

    /// All spans underlined.
    pub fn underline(mut self) -> Self {
        self.spans.iter_mut().for_each(|s| s.underline = true);
        self
    }

    /// Sets the alignment.
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    /// Sets the font size.
    pub fn size(mut self, pt: u8) -> Self {
        self.size_pt = pt;
        self
    }

    /// Sets the space above.
    pub fn space_before(mut self, pt: u8) -> Self {
        self.space_before_pt = pt;
        self
    }

    /// Keeps this paragraph with the next block.
    pub fn keep_with_next(mut self) -> Self {
        self.keep_with_next = true;
        self
    }

    /// The paragraph's text, spans joined.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

impl Span {
    /// Unstyled text (normalised to NFC; line breaks become spaces).
    pub fn plain(text: impl AsRef<str>) -> Self {
        let text: String = text
            .as_ref()
            .chars()
            .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
            .collect();
        Span {
            text: nfc(&text),
            ..Span::default()
        }
    }
}

/// A table: a heading row, then body rows; every cell bordered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The body rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Font size of the cells, in points.
    pub size_pt: u8,
}

/// A table column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The heading ("Tên chuyên đề").
    pub heading: String,
    /// Relative width: a column's share of the text width is its width over the sum.
    pub width: u16,
    /// Alignment of its body cells.
    pub align: Align,
}

/// A table cell: lines of text (each its own line in the cell).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// The lines, NFC; none for an empty cell.
    pub lines: Vec<String>,
}

impl Cell {
    /// A cell of one line (none when `text` is blank).
    pub fn text(text: impl AsRef<str>) -> Self {
        Cell::lines([text])
    }

    /// A cell of several lines; blank lines are left out.
    pub fn lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> Self {
        Cell {
            lines: lines
                .into_iter()
                .flat_map(|l| {
                    l.as_ref()
                        .lines()
                        .map(|l| nfc(l.trim()))
                        .collect::<Vec<_>>()
                })
                .filter(|l| !l.is_empty())
                .collect(),
        }
    }
}

/// Who signs, and as what.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signatory {
    /// Full name ("Đặng Quốc Việt"); empty leaves the line to be written by hand.
    pub name: String,
    /// The title under "T/M CHI BỘ" ("BÍ THƯ", or "PHÓ BÍ THƯ" when the deputy signs).
    pub title: String,
}

impl Signatory {
    /// The branch secretary.
    pub fn secretary(name: impl AsRef<str>) -> Self {
        Signatory {
            name: nfc(name.as_ref().trim()),
            title: "BÍ THƯ".into(),
        }
    }

    /// The deputy secretary, signing for the branch (a delegated plan approval).
    pub fn deputy_secretary(name: impl AsRef<str>) -> Self {
        Signatory {
            name: nfc(name.as_ref().trim()),
            title: "PHÓ BÍ THƯ".into(),
        }
    }
}

/// What a document needs besides its own content: the organisation's names, the place, who
/// signs, and member names for the ids the document holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderContext {
    /// The superior committee, with or without its "Đảng bộ" prefix ("Đảng bộ Công ty Cổ phần
    /// Cơ điện Sông Lam Xanh").
    pub committee_name: String,
    /// The branch, with or without its "Chi bộ" prefix ("Chi bộ Phân xưởng Cơ điện").
    pub branch_name: String,
    /// The place in the dateline ("Quảng Ninh"); empty leaves dots to fill in by hand.
    pub place: String,
    /// Who signs.
    pub signatory: Signatory,
    /// Member id → full name (NFC).
    pub names: BTreeMap<MemberId, String>,
    /// Not (yet) the approved version: the page is marked "DỰ THẢO" (draft).
    pub draft: bool,
    /// Further recipients listed between the superior committee and "Lưu chi bộ."
    /// ("Các đồng chí đảng viên trong chi bộ").
    pub extra_recipients: Vec<String>,
}

impl RenderContext {
    /// The full name of a member, if known.
    pub fn name_of(&self, id: &MemberId) -> Option<&str> {
        self.names.get(id).map(String::as_str)
    }
}

/// A date in the dateline form: "ngày 05 tháng 01 năm 2026".
///
/// Days below 10 and the months January and February take a leading zero, the rule of the
/// party's and the state's document forms (HD 36-HD/VPTW dates itself "ngày 03 tháng 4 năm
/// 2018"), so a date cannot be altered by writing a digit in front of it.
pub fn date_long(d: Date) -> String {
    format!(
        "ngày {} tháng {} năm {}",
        day_str(d),
        month_str(d),
        d.year()
    )
}

/// A date inside a sentence or a cell: "15/01/2026", "06/7/2018" (same zero rule as
/// [`date_long`]).
pub fn date_short(d: Date) -> String {
    format!("{}/{}/{}", day_str(d), month_str(d), d.year())
}

fn day_str(d: Date) -> String {
    format!("{:02}", d.day())
}

fn month_str(d: Date) -> String {
    let m = d.month() as u8;
    if m < 3 {
        format!("{m:02}")
    } else {
        m.to_string()
    }
}

/// Upper-cases Vietnamese text for a heading ("Chi bộ Phân xưởng Cơ điện" → "CHI BỘ PHÂN
/// XƯỞNG CƠ ĐIỆN"), NFC.
pub fn upper(s: &str) -> String {
    nfc(&nfc(s).to_uppercase())
}

/// `name` without a leading organisational `prefix` word ("Chi bộ", "Đảng bộ"), compared
/// case-insensitively, trimmed: "Chi bộ Phân xưởng Cơ điện" → "Phân xưởng Cơ điện".
pub fn strip_prefix_ci(name: &str, prefix: &str) -> String {
    let name = nfc(name.trim());
    let prefix = nfc(prefix);
    let n = prefix.chars().count();
    let head: String = name.chars().take(n).collect();
    let rest: String = name.chars().skip(n).collect();
    if head.to_lowercase() == prefix.to_lowercase()
        && (rest.is_empty() || rest.starts_with(char::is_whitespace))
    {
        rest.trim().to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;

    #[test]
    fn test_dates_pad_days_and_the_first_two_months() {
        let d = |s| date::parse(s).expect("date");
        assert_eq!(date_long(d("2026-01-05")), "ngày 05 tháng 01 năm 2026");
        assert_eq!(date_long(d("2026-02-28")), "ngày 28 tháng 02 năm 2026");
        assert_eq!(date_long(d("2018-04-03")), "ngày 03 tháng 4 năm 2018");
        assert_eq!(date_long(d("2025-10-28")), "ngày 28 tháng 10 năm 2025");
        assert_eq!(date_short(d("2018-07-06")), "06/7/2018");
        assert_eq!(date_short(d("2026-01-15")), "15/01/2026");
    }

    #[test]
    fn test_upper_and_prefixes_keep_vietnamese_letters() {
        assert_eq!(
            upper("Chi bộ Phân xưởng Cơ điện"),
            "CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN"
        );
        // NFD input comes out NFC.
        assert_eq!(upper("Đảng u\u{309}y"), "ĐẢNG ỦY");
        assert_eq!(
            strip_prefix_ci("Chi bộ Phân xưởng Cơ điện", "Chi bộ"),
            "Phân xưởng Cơ điện"
        );
        assert_eq!(
            strip_prefix_ci("ĐẢNG BỘ Công ty Sông Lam", "Đảng bộ"),
            "Công ty Sông Lam"
        );
        assert_eq!(strip_prefix_ci("Chi bộ", "Chi bộ"), "");
        // A word that only begins like the prefix is not the prefix.
        assert_eq!(strip_prefix_ci("Chi bộphận", "Chi bộ"), "Chi bộphận");
        assert_eq!(strip_prefix_ci("Phân xưởng", "Chi bộ"), "Phân xưởng");
    }

    #[test]
    fn test_cells_and_spans_are_nfc_without_blank_lines() {
        let c = Cell::lines(["Hoa\u{300}ng Đức Lượng", "", "  Tổ đảng số 1\n\n"]);
        assert_eq!(c.lines, ["Hoàng Đức Lượng", "Tổ đảng số 1"]);
        assert!(Cell::text("  ").lines.is_empty());
        assert_eq!(Span::plain("a\nb").text, "a b");
    }
}
