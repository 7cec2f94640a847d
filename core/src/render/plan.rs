//! The annual thematic plan (kế hoạch sinh hoạt chuyên đề năm …) in the official layout
//! (DOMAIN.md, "The annual plan document"):
//!
//! ```text
//! ĐẢNG BỘ <COMMITTEE>                       ĐẢNG CỘNG SẢN VIỆT NAM
//! CHI BỘ <BRANCH>                     <place>, ngày 15 tháng 01 năm 2026
//!        *
//! Số 01-KH/CB
//!                         KẾ HOẠCH
//!              Sinh hoạt chuyên đề năm 2026
//! Căn cứ … số …, ngày …;                       (the legal bases, in plan order)
//! I. MỤC ĐÍCH, YÊU CẦU                          (the plan's purpose text)
//! ── new landscape page ──
//! II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG            (the topic table, COLUMNS)
//! ── new portrait page ──
//! III. TỔ CHỨC THỰC HIỆN                        (the plan's implementation text)
//! Nơi nhận:                                      T/M CHI BỘ
//! - Đảng ủy … (để báo cáo);                        BÍ THƯ
//! - Lưu chi bộ.                                  <name>
//! ```
//!
//! **Cancelled topics are left out** of the table and the STT numbers the topics shown,
//! 1, 2, 3 …: the paper is what the branch will do, and the record of a cancellation stays in
//! the plan document itself (and in `sotay diff`). Postponed topics stay, marked "Tạm hoãn"
//! in Ghi chú; a session shared with the regular meeting says so there too (HD 42: ≥ 120
//! minutes).

use std::collections::BTreeSet;

use super::{
    Align, Block, Cell, Column, Columns, HEADER_PT, Layout, Orientation, Paragraph, RenderContext,
    SMALL_PT, Span, TABLE_PT, Table, date_long, date_short, strip_prefix_ci, upper,
};
use crate::ids::MemberId;
use crate::model::plan::{AnnualPlan, LegalBasis, Topic, TopicStatus};
use crate::text::{compare_person_names, nfc};

/// The topic table's columns, as DOMAIN.md lists them.
pub const COLUMNS: [&str; 10] = [
    "STT",
    "Tháng/Quý",
    "Tên chuyên đề",
    "Nhóm vấn đề",
    "Người chuẩn bị",
    "Người trình bày",
    "Hạn gửi dự thảo",
    "Chi ủy viên phụ trách",
    "Sản phẩm dự kiến",
    "Ghi chú",
];

/// Relative widths of [`COLUMNS`] (they add up to 1000).
const WIDTHS: [u16; 10] = [40, 75, 195, 125, 95, 95, 85, 95, 105, 90];

/// Words a document's title may start with that name its kind ("Hướng dẫn về …"): the
/// number and date go right after the kind, as party documents cite each other.
const KINDS: &[&str] = &[
    "Điều lệ",
    "Cương lĩnh",
    "Nghị quyết",
    "Chỉ thị",
    "Kết luận",
    "Quy định",
    "Quyết định",
    "Hướng dẫn",
    "Kế hoạch",
    "Chương trình",
    "Thông tri",
    "Thông báo",
    "Công văn",
    "Luật",
    "Nghị định",
    "Thông tư",
];

/// Lays out `plan` as the official paper. Member ids become names through `ctx.names`; ids it
/// cannot name are shown as they are and listed in [`Layout::unresolved`].
pub fn layout(plan: &AnnualPlan, ctx: &RenderContext) -> Layout {
    let mut names = Names {
        ctx,
        unresolved: BTreeSet::new(),
    };
    let committee = strip_prefix_ci(&ctx.committee_name, "Đảng bộ");
    let branch = strip_prefix_ci(&ctx.branch_name, "Chi bộ");
    let title = nfc(plan.title.trim());
    let title = if title.is_empty() {
        format!("Kế hoạch sinh hoạt chuyên đề năm {}", plan.year)
    } else {
        title
    };

    let mut blocks = Vec::new();
    if ctx.draft {
        blocks.push(Block::Paragraph(
            Paragraph::new("DỰ THẢO").bold().align(Align::Right),
        ));
    }
    blocks.push(Block::Header(header(plan, ctx, &committee, &branch)));

    // Title.
    blocks.push(Block::Paragraph(
        Paragraph::new("KẾ HOẠCH")
            .bold()
            .size(15)
            .align(Align::Center)
            .space_before(18)
            .keep_with_next(),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new(subtitle(&title, plan.year))
            .bold()
            .align(Align::Center)
            .keep_with_next(),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new("-----").align(Align::Center),
    ));

    // Căn cứ.
    let n = plan.legal_bases.len();
    for (i, b) in plan.legal_bases.iter().enumerate() {
        let end = if i + 1 == n { "," } else { ";" };
        blocks.push(Block::Paragraph(Paragraph::prose(format!(
            "{}{end}",
            basis_line(b)
        ))));
    }
    if n > 0 {
        let who = if branch.is_empty() {
            "Chi bộ".to_owned()
        } else {
            format!("Chi bộ {branch}")
        };
        blocks.push(Block::Paragraph(Paragraph::prose(format!(
            "{who} xây dựng {} như sau:",
            lower_first(&title)
        ))));
    }

    section(&mut blocks, "I. MỤC ĐÍCH, YÊU CẦU", &plan.purpose);
    // Ten columns do not fit a portrait page without breaking dates and words: section II
    // goes on a landscape page, section III back on portrait.
    blocks.push(Block::NewPage(Orientation::Landscape));
    blocks.push(Block::Paragraph(heading(
        "II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG",
    )));
    blocks.push(Block::Table(topic_table(plan, &mut names)));
    blocks.push(Block::NewPage(Orientation::Portrait));
    section(&mut blocks, "III. TỔ CHỨC THỰC HIỆN", &plan.implementation);
    blocks.push(Block::Signature(signature(ctx, &committee)));

    let layout_title = if ctx.branch_name.trim().is_empty() {
        title
    } else {
        format!("{title} — {}", nfc(ctx.branch_name.trim()))
    };
    Layout {
        title: layout_title,
        blocks,
        unresolved: names.unresolved.into_iter().collect(),
    }
}

/// Resolves member ids, remembering the ones it could not.
pub(super) struct Names<'a> {
    pub(super) ctx: &'a RenderContext,
    pub(super) unresolved: BTreeSet<MemberId>,
}

impl Names<'_> {
    pub(super) fn name(&mut self, id: &MemberId) -> String {
        match self.ctx.name_of(id) {
            Some(n) => nfc(n),
            None => {
                self.unresolved.insert(id.clone());
                id.to_string()
            }
        }
    }
}

fn header(plan: &AnnualPlan, ctx: &RenderContext, committee: &str, branch: &str) -> Columns {
    let line = |text: String| Paragraph::new(text).size(HEADER_PT).align(Align::Center);
    let number = nfc(plan.number.trim());
    let left = vec![
        line(upper(&format!("Đảng bộ {committee}"))),
        line(upper(&format!("Chi bộ {branch}"))).bold(),
        line("*".into()),
        line(if number.is_empty() {
            "Số ......".into()
        } else {
            format!("Số {number}")
        }),
    ];
    let place = nfc(ctx.place.trim());
    let place = if place.is_empty() {
        "..........".to_owned()
    } else {
        place
    };
    let date = plan
        .issue_date
        .map(date_long)
        .unwrap_or_else(|| "ngày .... tháng .... năm ....".to_owned());
    let right = vec![
        Paragraph::new("ĐẢNG CỘNG SẢN VIỆT NAM")
            .bold()
            .underline()
            .align(Align::Center),
        Paragraph::new(format!("{place}, {date}"))
            .italic()
            .size(HEADER_PT)
            .align(Align::Center)
            .space_before(6),
    ];
    Columns {
        left,
        right,
        left_percent: 45,
    }
}

/// "Kế hoạch sinh hoạt chuyên đề năm 2026" → "Sinh hoạt chuyên đề năm 2026" (under "KẾ
/// HOẠCH"); a title that does not start with "Kế hoạch" stays whole.
fn subtitle(title: &str, year: i32) -> String {
    let rest = strip_prefix_ci(title, "Kế hoạch");
    if rest.is_empty() {
        return format!("Sinh hoạt chuyên đề năm {year}");
    }
    upper_first(&rest)
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => nfc(&(c.to_uppercase().collect::<String>() + chars.as_str())),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => nfc(&(c.to_lowercase().collect::<String>() + chars.as_str())),
        None => String::new(),
    }
}

/// "Căn cứ Hướng dẫn số 12-HD/BTCTW, ngày 06/7/2018 về nâng cao chất lượng sinh hoạt chi bộ"
/// (no trailing punctuation).
pub fn basis_line(b: &LegalBasis) -> String {
    let number = nfc(b.number.trim());
    let date = b
        .date
        .map(|d| format!(", ngày {}", date_short(d)))
        .unwrap_or_default();
    let cite = format!("số {number}{date}");
    let title = nfc(b.title.trim());
    if title.is_empty() {
        return format!("Căn cứ văn bản {cite}");
    }
    for kind in KINDS {
        let rest = strip_prefix_ci(&title, kind);
        if rest != title {
            let kind: String = title.chars().take(kind.chars().count()).collect();
            return if rest.is_empty() {
                format!("Căn cứ {kind} {cite}")
            } else {
                format!("Căn cứ {kind} {cite} {rest}")
            };
        }
    }
    format!("Căn cứ {title} ({cite})")
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new(text)
        .bold()
        .space_before(12)
        .keep_with_next()
}

fn section(blocks: &mut Vec<Block>, title: &str, text: &str) {
    blocks.push(Block::Paragraph(heading(title)));
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        blocks.push(Block::Paragraph(Paragraph::prose(line)));
    }
}

fn topic_table(plan: &AnnualPlan, names: &mut Names<'_>) -> Table {
    let columns = COLUMNS
        .iter()
        .zip(WIDTHS)
        .enumerate()
        .map(|(i, (h, w))| Column {
            heading: (*h).to_owned(),
            width: w,
            align: match i {
                0 | 1 | 6 => Align::Center,
                _ => Align::Left,
            },
        })
        .collect();
    let rows = plan
        .topics
        .iter()
        .filter(|t| t.status != TopicStatus::Cancelled)
        .enumerate()
        .map(|(i, t)| topic_row(i + 1, t, names))
        .collect();
    Table {
        columns,
        rows,
        size_pt: TABLE_PT,
    }
}

fn topic_row(stt: usize, t: &Topic, names: &mut Names<'_>) -> Vec<Cell> {
    let mut when = Vec::new();
    if let (Some(d), Some(m), Some(q)) = (t.scheduled_date, t.month(), t.quarter()) {
        when.push(format!("Tháng {m}"));
        when.push(format!("(Quý {})", roman(q)));
        // The 3rd is the branches' meeting day (Chỉ thị 50-CT/TW); any other day is shown.
        if d.day() != 3 {
            when.push(format!("ngày {}", date_short(d)));
        }
    }
    let mut preparers: Vec<String> = t.preparers.iter().map(|m| names.name(m)).collect();
    preparers.sort_by(|a, b| compare_person_names(a, b));
    let one = |names: &mut Names<'_>, m: &Option<MemberId>| {
        m.as_ref().map(|m| names.name(m)).unwrap_or_default()
    };
    let presenter = one(names, &t.presenter);
    let executive = one(names, &t.executive);
    let mut notes = Vec::new();
    if t.status == TopicStatus::Postponed {
        notes.push("Tạm hoãn".to_owned());
    }
    if t.combined_with_regular_meeting {
        notes.push(format!(
            "Ghép với sinh hoạt thường kỳ (ít nhất {} phút)",
            t.min_duration_minutes()
        ));
    }
    notes.push(t.notes.clone());
    vec![
        Cell::text(stt.to_string()),
        Cell::lines(when),
        Cell::text(&t.title),
        Cell::text(t.group.label_vi()),
        Cell::lines(preparers),
        Cell::text(presenter),
        Cell::text(t.draft_deadline.map(date_short).unwrap_or_default()),
        Cell::text(executive),
        Cell::text(&t.expected_output),
        Cell::lines(notes),
    ]
}

fn roman(q: u8) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

fn signature(ctx: &RenderContext, committee: &str) -> Columns {
    let item = |text: String| Paragraph::new(text).size(SMALL_PT);
    let mut left = vec![
        Paragraph {
            spans: vec![
                Span {
                    underline: true,
                    ..Span::plain("Nơi nhận")
                },
                Span::plain(":"),
            ],
            ..Paragraph::new("")
        }
        .size(SMALL_PT)
        .space_before(12),
    ];
    let superior = if committee.is_empty() {
        "Đảng ủy cấp trên".to_owned()
    } else {
        format!("Đảng ủy {committee}")
    };
    left.push(item(format!("- {superior} (để báo cáo);")));
    for r in &ctx.extra_recipients {
        let r = nfc(r.trim().trim_end_matches([';', ',', '.']));
        if !r.is_empty() {
            left.push(item(format!("- {r};")));
        }
    }
    left.push(item("- Lưu chi bộ.".into()));
    let sign = |text: &str| Paragraph::new(text).bold().align(Align::Center);
    let title = if ctx.signatory.title.trim().is_empty() {
        "BÍ THƯ".to_owned()
    } else {
        upper(ctx.signatory.title.trim())
    };
    let mut right = vec![sign("T/M CHI BỘ").space_before(12), sign(&title)];
    right.extend(std::iter::repeat_n(Paragraph::blank(), 3));
    right.push(sign(&nfc(ctx.signatory.name.trim())));
    Columns {
        left,
        right,
        left_percent: 45,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Signatory;
    use super::*;
    use crate::date;
    use crate::ids::{BranchId, DocId, LegalBasisId, TopicId};
    use crate::model::plan::TopicGroup;

    fn d(s: &str) -> Option<date::Date> {
        Some(date::parse(s).expect("date"))
    }

    fn topic(title: &str, month: u8) -> Topic {
        Topic {
            id: TopicId::new(format!("t-{month}")),
            title: title.into(),
            group: TopicGroup::ProductionTargets,
            scheduled_date: Some(date::day_of_month(2026, month, 3).expect("date")),
            combined_with_regular_meeting: false,
            preparers: vec![],
            presenter: None,
            executive: None,
            draft_deadline: None,
            expected_output: String::new(),
            notes: String::new(),
            status: TopicStatus::Planned,
            position: format!("{month:02}"),
        }
    }

    fn sample() -> AnnualPlan {
        let mut t1 = topic(
            "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II",
            4,
        );
        t1.preparers = vec![MemberId::new("m-luong"), MemberId::new("m-anh")];
        t1.presenter = Some(MemberId::new("m-luong"));
        t1.executive = Some(MemberId::new("m-ung"));
        t1.draft_deadline = d("2026-03-24");
        t1.expected_output = "Ít nhất 5 giải pháp, mỗi giải pháp có người phụ trách".into();
        t1.notes = "Tổ đảng số 1 cùng chuẩn bị".into();
        t1.combined_with_regular_meeting = true;
        let mut cancelled = topic("Chuyên đề đã hủy", 5);
        cancelled.status = TopicStatus::Cancelled;
        let mut t3 = topic("Ứng dụng chuyển đổi số trong quản lý vật tư", 7);
        t3.scheduled_date = d("2026-07-10");
        t3.presenter = Some(MemberId::new("m-unknown"));
        t3.status = TopicStatus::Postponed;
        AnnualPlan {
            id: DocId::new("p1"),
            branch_id: BranchId::new("b-co-dien"),
            year: 2026,
            title: "Kế hoạch sinh hoạt chuyên đề năm 2026".into(),
            number: "01-KH/CB".into(),
            issue_date: d("2026-01-05"),
            legal_bases: vec![
                LegalBasis {
                    id: LegalBasisId::new("lb1"),
                    number: "12-HD/BTCTW".into(),
                    date: d("2018-07-06"),
                    title: "Hướng dẫn về nâng cao chất lượng sinh hoạt chi bộ".into(),
                },
                LegalBasis {
                    id: LegalBasisId::new("lb2"),
                    number: "50-CT/TW".into(),
                    date: d("2025-07-23"),
                    title: String::new(),
                },
            ],
            purpose: "Nâng cao chất lượng sinh hoạt chi bộ.\n\nGắn với nhiệm vụ sản xuất.".into(),
            implementation: "Chi ủy phân công đồng chí chi ủy viên theo dõi.".into(),
            topics: vec![t1, cancelled, t3],
        }
    }

    fn ctx() -> RenderContext {
        RenderContext {
            committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
            branch_name: "Chi bộ Phân xưởng Cơ điện".into(),
            place: "Quảng Ninh".into(),
            signatory: Signatory::secretary("Đặng Quốc Việt"),
            names: [
                ("m-luong", "Hoàng Đức Lượng"),
                ("m-anh", "Phạm Ngọc Ánh"),
                ("m-ung", "Lê Văn Ứng"),
            ]
            .into_iter()
            .map(|(i, n)| (MemberId::new(i), n.to_owned()))
            .collect(),
            ..RenderContext::default()
        }
    }

    fn paragraphs(l: &Layout) -> Vec<String> {
        l.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.text()),
                _ => None,
            })
            .collect()
    }

    fn table(l: &Layout) -> &Table {
        l.blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .expect("a table")
    }

    fn columns(l: &Layout, header: bool) -> (Vec<String>, Vec<String>) {
        let c = l
            .blocks
            .iter()
            .find_map(|b| match (b, header) {
                (Block::Header(c), true) | (Block::Signature(c), false) => Some(c),
                _ => None,
            })
            .expect("columns");
        (
            c.left.iter().map(Paragraph::text).collect(),
            c.right.iter().map(Paragraph::text).collect(),
        )
    }

    #[test]
    fn test_header_names_the_committee_branch_number_place_and_date() {
        let l = layout(&sample(), &ctx());
        let (left, right) = columns(&l, true);
        assert_eq!(
            left,
            [
                "ĐẢNG BỘ CÔNG TY CỔ PHẦN CƠ ĐIỆN SÔNG LAM XANH",
                "CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN",
                "*",
                "Số 01-KH/CB"
            ]
        );
        assert_eq!(
            right,
            [
                "ĐẢNG CỘNG SẢN VIỆT NAM",
                "Quảng Ninh, ngày 05 tháng 01 năm 2026"
            ]
        );
        // Names given without their prefix read the same.
        let mut c = ctx();
        c.committee_name = "Công ty Cổ phần Cơ điện Sông Lam Xanh".into();
        c.branch_name = "Phân xưởng Cơ điện".into();
        assert_eq!(columns(&layout(&sample(), &c), true).0, left);
        assert!(
            l.title.ends_with("— Chi bộ Phân xưởng Cơ điện"),
            "{}",
            l.title
        );
    }

    #[test]
    fn test_an_undated_plan_without_place_leaves_dots_to_fill_in() {
        let mut p = sample();
        p.issue_date = None;
        let mut c = ctx();
        c.place = String::new();
        let (_, right) = columns(&layout(&p, &c), true);
        assert_eq!(right[1], ".........., ngày .... tháng .... năm ....");
    }

    #[test]
    fn test_title_bases_and_sections_in_order() {
        let l = layout(&sample(), &ctx());
        let ps = paragraphs(&l);
        let at = |s: &str| {
            ps.iter()
                .position(|p| p == s)
                .unwrap_or_else(|| panic!("{s:?} missing from {ps:#?}"))
        };
        let order = [
            at("KẾ HOẠCH"),
            at("Sinh hoạt chuyên đề năm 2026"),
            at(
                "Căn cứ Hướng dẫn số 12-HD/BTCTW, ngày 06/7/2018 về nâng cao chất lượng sinh hoạt chi bộ;",
            ),
            at("Căn cứ văn bản số 50-CT/TW, ngày 23/7/2025,"),
            at("Chi bộ Phân xưởng Cơ điện xây dựng kế hoạch sinh hoạt chuyên đề năm 2026 như sau:"),
            at("I. MỤC ĐÍCH, YÊU CẦU"),
            at("Nâng cao chất lượng sinh hoạt chi bộ."),
            at("Gắn với nhiệm vụ sản xuất."),
            at("II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG"),
            at("III. TỔ CHỨC THỰC HIỆN"),
            at("Chi ủy phân công đồng chí chi ủy viên theo dõi."),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(!ps.iter().any(|p| p == "DỰ THẢO"));
        // The table sits between II and III.
        let table_at = l
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Table(_)))
            .expect("table");
        let heading_at = |s: &str| {
            l.blocks
                .iter()
                .position(|b| matches!(b, Block::Paragraph(p) if p.text() == s))
                .expect("heading")
        };
        assert!(heading_at("II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG") < table_at);
        assert!(table_at < heading_at("III. TỔ CHỨC THỰC HIỆN"));
        // … on a landscape page of its own, with its heading.
        assert_eq!(
            l.blocks[heading_at("II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG") - 1],
            Block::NewPage(Orientation::Landscape)
        );
        assert_eq!(
            l.blocks[table_at + 1],
            Block::NewPage(Orientation::Portrait)
        );
        // A draft is marked.
        let mut c = ctx();
        c.draft = true;
        assert_eq!(paragraphs(&layout(&sample(), &c))[0], "DỰ THẢO");
    }

    #[test]
    fn test_a_custom_title_is_kept_under_ke_hoach() {
        let mut p = sample();
        p.title = "Kế hoạch sinh hoạt chuyên đề năm 2026 (điều chỉnh)".into();
        let ps = paragraphs(&layout(&p, &ctx()));
        assert!(ps.contains(&"Sinh hoạt chuyên đề năm 2026 (điều chỉnh)".to_owned()));
        p.title = "Chương trình chuyên đề 2026".into();
        let ps = paragraphs(&layout(&p, &ctx()));
        assert!(ps.contains(&"Chương trình chuyên đề 2026".to_owned()));
        assert!(
            ps.contains(
                &"Chi bộ Phân xưởng Cơ điện xây dựng chương trình chuyên đề 2026 như sau:"
                    .to_owned()
            ),
            "{ps:#?}"
        );
    }

    #[test]
    fn test_table_rows_leave_out_cancelled_topics_and_show_names() {
        let l = layout(&sample(), &ctx());
        let t = table(&l);
        let headings: Vec<&str> = t.columns.iter().map(|c| c.heading.as_str()).collect();
        assert_eq!(headings, COLUMNS);
        assert_eq!(t.rows.len(), 2, "the cancelled topic is left out");
        assert!(t.rows.iter().all(|r| r.len() == COLUMNS.len()));
        let row: Vec<Vec<String>> = t.rows[0].iter().map(|c| c.lines.clone()).collect();
        assert_eq!(row[0], ["1"]);
        assert_eq!(row[1], ["Tháng 4", "(Quý II)"]);
        assert_eq!(
            row[2],
            [
                "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II"
            ]
        );
        assert_eq!(
            row[3],
            ["Thực hiện chỉ tiêu sản xuất, kinh doanh được giao"]
        );
        // Preparers in Vietnamese name order: Ánh before Lượng.
        assert_eq!(row[4], ["Phạm Ngọc Ánh", "Hoàng Đức Lượng"]);
        assert_eq!(row[5], ["Hoàng Đức Lượng"]);
        assert_eq!(row[6], ["24/3/2026"]);
        assert_eq!(row[7], ["Lê Văn Ứng"]);
        assert_eq!(
            row[8],
            ["Ít nhất 5 giải pháp, mỗi giải pháp có người phụ trách"]
        );
        assert_eq!(
            row[9],
            [
                "Ghép với sinh hoạt thường kỳ (ít nhất 120 phút)",
                "Tổ đảng số 1 cùng chuẩn bị"
            ]
        );
        let second: Vec<Vec<String>> = t.rows[1].iter().map(|c| c.lines.clone()).collect();
        assert_eq!(second[0], ["2"], "STT counts the topics shown");
        assert_eq!(second[1], ["Tháng 7", "(Quý III)", "ngày 10/7/2026"]);
        assert_eq!(second[5], ["m-unknown"]);
        assert_eq!(second[9], ["Tạm hoãn"]);
        assert!(second[4].is_empty() && second[6].is_empty());
        assert_eq!(l.unresolved, [MemberId::new("m-unknown")]);
    }

    #[test]
    fn test_signature_block_and_recipients() {
        let mut c = ctx();
        c.extra_recipients = vec!["Các đồng chí đảng viên trong chi bộ;".into()];
        let (left, right) = columns(&layout(&sample(), &c), false);
        assert_eq!(
            left,
            [
                "Nơi nhận:",
                "- Đảng ủy Công ty Cổ phần Cơ điện Sông Lam Xanh (để báo cáo);",
                "- Các đồng chí đảng viên trong chi bộ;",
                "- Lưu chi bộ."
            ]
        );
        assert_eq!(right[0], "T/M CHI BỘ");
        assert_eq!(right[1], "BÍ THƯ");
        assert_eq!(right.last().map(String::as_str), Some("Đặng Quốc Việt"));
        c.signatory = Signatory::deputy_secretary("Nguyễn Thị Huyền Trang");
        let (_, right) = columns(&layout(&sample(), &c), false);
        assert_eq!(right[1], "PHÓ BÍ THƯ");
        assert_eq!(
            right.last().map(String::as_str),
            Some("Nguyễn Thị Huyền Trang")
        );
    }

    #[test]
    fn test_basis_lines_cite_number_and_date() {
        let b = |number: &str, date: Option<date::Date>, title: &str| LegalBasis {
            id: LegalBasisId::new("x"),
            number: number.into(),
            date,
            title: title.into(),
        };
        assert_eq!(
            basis_line(&b("42-HD/BTCTW", d("2025-10-28"), "Hướng dẫn")),
            "Căn cứ Hướng dẫn số 42-HD/BTCTW, ngày 28/10/2025"
        );
        assert_eq!(
            basis_line(&b(
                "366-QĐ/TW",
                None,
                "Quy định của Bộ Chính trị về kiểm điểm"
            )),
            "Căn cứ Quy định số 366-QĐ/TW của Bộ Chính trị về kiểm điểm"
        );
        assert_eq!(
            basis_line(&b(
                "01-NQ/ĐU",
                d("2026-01-02"),
                "Nghị quyết Đảng ủy Công ty năm 2026"
            )),
            "Căn cứ Nghị quyết số 01-NQ/ĐU, ngày 02/01/2026 Đảng ủy Công ty năm 2026"
        );
        assert_eq!(
            basis_line(&b("7-KH/ĐU", None, "Tài liệu tham khảo")),
            "Căn cứ Tài liệu tham khảo (số 7-KH/ĐU)"
        );
    }
}
