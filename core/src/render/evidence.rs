//! One member's participation evidence sheet (phiếu tổng hợp minh chứng) for the year-end
//! review (QĐ 366-QĐ/TW): what the record shows they did in the branch's thematic sessions,
//! category by category, with every piece of evidence — to support the member's
//! self-assessment and the branch's discussion.
//!
//! ```text
//! ĐẢNG BỘ <COMMITTEE>                       ĐẢNG CỘNG SẢN VIỆT NAM
//! CHI BỘ <BRANCH>                     <place>, ngày 26 tháng 11 năm 2026
//!        *
//!                  PHIẾU TỔNG HỢP MINH CHỨNG
//!     Tham gia sinh hoạt chuyên đề năm 2026 (QĐ 366-QĐ/TW)
//! Họ và tên đảng viên: …            Chi bộ: …
//! <the notice: a proposal for the branch's vote, not a rating>
//! A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ (70 ĐIỂM)       (table: STT, Nội dung, Số lượng, Điểm gợi
//! B. TIÊU CHÍ CHUNG (30 ĐIỂM)                    ý, Minh chứng — one row per category)
//! Điểm gợi ý: …
//!                                                ĐẢNG VIÊN
//!                                                <name>
//! ```
//!
//! The committee line is left out when its name is not known (the member directory does not
//! carry it). Evidence notes are the record's own words; everything is escaped by the
//! writers.

use super::{
    Align, Block, Cell, Column, Columns, HEADER_PT, Layout, Paragraph, RenderContext, TABLE_PT,
    Table, date_long, date_short, strip_prefix_ci, upper,
};
use crate::date::Date;
use crate::store::evidence::{Category, EvidenceRef, Frame, MemberEvidence, NOTICE_VI, Weights};
use crate::text::nfc;

/// Lays out `e`'s sheet for `year`, dated `issued`, with the weights that produced its points.
/// `ctx` gives the committee and branch names (either may be empty) and the place.
pub fn layout(
    e: &MemberEvidence,
    year: i32,
    weights: &Weights,
    ctx: &RenderContext,
    issued: Date,
) -> Layout {
    let committee = strip_prefix_ci(&ctx.committee_name, "Đảng bộ");
    let branch = strip_prefix_ci(&ctx.branch_name, "Chi bộ");
    let branch_shown = if branch.is_empty() {
        e.branch_id.to_string()
    } else {
        branch.clone()
    };
    let line = |text: String| Paragraph::new(text).size(HEADER_PT).align(Align::Center);
    let mut left = Vec::new();
    if !committee.is_empty() {
        left.push(line(upper(&format!("Đảng bộ {committee}"))));
    }
    left.push(line(upper(&format!("Chi bộ {branch_shown}"))).bold());
    left.push(line("*".into()));
    let place = nfc(ctx.place.trim());
    let place = if place.is_empty() {
        "..........".to_owned()
    } else {
        place
    };
    let right = vec![
        Paragraph::new("ĐẢNG CỘNG SẢN VIỆT NAM")
            .bold()
            .underline()
            .align(Align::Center),
        Paragraph::new(format!("{place}, {}", date_long(issued)))
            .italic()
            .size(HEADER_PT)
            .align(Align::Center)
            .space_before(6),
    ];
    let mut blocks = vec![Block::Header(Columns {
        left,
        right,
        left_percent: 45,
    })];
    blocks.push(Block::Paragraph(
        Paragraph::new("PHIẾU TỔNG HỢP MINH CHỨNG")
            .bold()
            .size(15)
            .align(Align::Center)
            .space_before(18)
            .keep_with_next(),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new(format!(
            "Tham gia sinh hoạt chuyên đề năm {year} (Quy định 366-QĐ/TW)"
        ))
        .bold()
        .align(Align::Center)
        .keep_with_next(),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new("-----").align(Align::Center),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new(format!(
            "Họ và tên đảng viên: {} — Chi bộ {branch_shown}",
            nfc(e.name.trim())
        ))
        .bold()
        .space_before(6),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::prose(NOTICE_VI).italic().bold(),
    ));

    let frame_of = |c: Category| {
        weights
            .weights
            .iter()
            .find(|w| w.category == c)
            .map(|w| w.frame)
    };
    let groups: [(&str, Option<Frame>); 3] = [
        (
            "A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ (70 ĐIỂM)",
            Some(Frame::TaskResults),
        ),
        ("B. TIÊU CHÍ CHUNG (30 ĐIỂM)", Some(Frame::General)),
        ("C. KHÔNG TÍNH ĐIỂM", None),
    ];
    for (title, frame) in groups {
        let figures: Vec<_> = e
            .figures
            .iter()
            .filter(|f| frame_of(f.category) == frame)
            .collect();
        if figures.is_empty() {
            continue;
        }
        blocks.push(Block::Paragraph(
            Paragraph::new(title)
                .bold()
                .space_before(12)
                .keep_with_next(),
        ));
        let col = |heading: &str, width, align| Column {
            heading: heading.into(),
            width,
            align,
        };
        blocks.push(Block::Table(Table {
            columns: vec![
                col("STT", 50, Align::Center),
                col("Nội dung", 260, Align::Left),
                col("Số lượng", 80, Align::Center),
                col("Điểm gợi ý", 90, Align::Center),
                col("Minh chứng", 520, Align::Left),
            ],
            rows: figures
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    vec![
                        Cell::text((i + 1).to_string()),
                        Cell::text(f.category.label_vi()),
                        Cell::text(f.count.to_string()),
                        Cell::text(if frame.is_some() {
                            points_vi(f.points)
                        } else {
                            String::new()
                        }),
                        if f.evidence.is_empty() {
                            Cell::text("Không có")
                        } else {
                            Cell::lines(f.evidence.iter().map(evidence_line))
                        },
                    ]
                })
                .collect(),
            size_pt: TABLE_PT,
        }));
    }
    blocks.push(Block::Paragraph(
        Paragraph::prose(format!(
            "Điểm gợi ý từ minh chứng tham gia sinh hoạt chuyên đề: kết quả thực hiện nhiệm vụ {} (tối đa {} trong 70 điểm); tiêu chí chung {} (tối đa {} trong 30 điểm). Đây là một căn cứ để đảng viên tự đánh giá và chi bộ thảo luận, biểu quyết; cấp ủy có thẩm quyền quyết định.",
            points_vi(e.task_points),
            points_vi(weights.task_cap),
            points_vi(e.general_points),
            points_vi(weights.general_cap),
        ))
        .space_before(12),
    ));
    let sign = |text: &str| Paragraph::new(text).bold().align(Align::Center);
    let mut right = vec![sign("ĐẢNG VIÊN").space_before(12)];
    right.push(
        Paragraph::new("(ký, ghi rõ họ tên)")
            .italic()
            .align(Align::Center),
    );
    right.extend(std::iter::repeat_n(Paragraph::blank(), 3));
    right.push(sign(&nfc(e.name.trim())));
    blocks.push(Block::Signature(Columns {
        left: Vec::new(),
        right,
        left_percent: 45,
    }));
    Layout {
        title: format!(
            "Phiếu tổng hợp minh chứng năm {year} — {} — Chi bộ {branch_shown}",
            nfc(e.name.trim())
        ),
        blocks,
        unresolved: Vec::new(),
    }
}

/// "15/01/2026: <note> [ab12cd34]" (the date when the record has one, the document's id
/// prefix to find it).
fn evidence_line(r: &EvidenceRef) -> String {
    let doc: String = r.doc_id.as_str().chars().take(8).collect();
    match r.at.and_then(date_vn) {
        Some(d) => format!("{}: {} [{doc}]", date_short(d), nfc(r.note.trim())),
        None => format!("{} [{doc}]", nfc(r.note.trim())),
    }
}

/// The Vietnam (UTC+7) date of Unix time `t`.
fn date_vn(t: i64) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp(t + crate::date::VN_OFFSET_SECS)
        .ok()
        .map(|t| t.date())
}

/// Points the Vietnamese way: "3", "0,25", "-1", "1,5".
pub fn points_vi(p: f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;
    use crate::ids::{BranchId, DocId, MemberId};
    use crate::render::html;
    use crate::store::evidence::Figure;

    fn evidence() -> MemberEvidence {
        let figures = Category::ALL
            .iter()
            .map(|c| Figure {
                category: *c,
                count: u32::from(*c == Category::ProposalAdopted),
                points: if *c == Category::ProposalAdopted {
                    1.0
                } else {
                    0.0
                },
                evidence: if *c == Category::ProposalAdopted {
                    vec![EvidenceRef {
                        doc_id: DocId::new("s0123456789"),
                        item_id: "c1".into(),
                        at: Some(1_772_499_600),
                        note: "Hiến kế «Lắp <cảm biến> & báo động»".into(),
                    }]
                } else {
                    Vec::new()
                },
            })
            .collect();
        MemberEvidence {
            member: MemberId::new("m-luong"),
            name: "Hoàng Đức Lượng".into(),
            branch_id: BranchId::new("b-co-dien"),
            figures,
            general_points: 0.0,
            task_points: 1.0,
        }
    }

    #[test]
    fn test_sheet_lists_every_category_with_its_evidence_escaped() {
        let ctx = RenderContext {
            branch_name: "Chi bộ Phân xưởng Cơ điện".into(),
            ..RenderContext::default()
        };
        let l = layout(
            &evidence(),
            2026,
            &Weights::default(),
            &ctx,
            date::parse("2026-11-26").expect("date"),
        );
        let out = html::write(&l);
        assert!(out.contains("PHIẾU TỔNG HỢP MINH CHỨNG"), "{out}");
        assert!(out.contains("CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN"));
        assert!(
            !out.contains("ĐẢNG BỘ"),
            "no committee line without its name"
        );
        assert!(out.contains(NOTICE_VI));
        assert!(out.contains("ngày 26 tháng 11 năm 2026"));
        // The note's markup characters are text, not tags.
        assert!(
            out.contains("03/3/2026: Hiến kế «Lắp &lt;cảm biến&gt; &amp; báo động» [s0123456]"),
            "{out}"
        );
        assert!(!out.contains("<cảm biến>"));
        for c in Category::ALL {
            assert!(out.contains(c.label_vi()), "{} missing", c.label_vi());
        }
        assert!(out.contains("Hoàng Đức Lượng"));
    }

    #[test]
    fn test_points_are_written_with_a_decimal_comma() {
        assert_eq!(points_vi(3.0), "3");
        assert_eq!(points_vi(0.25), "0,25");
        assert_eq!(points_vi(-1.0), "-1");
        assert_eq!(points_vi(1.5), "1,5");
        assert_eq!(points_vi(-0.0), "0");
    }
}
