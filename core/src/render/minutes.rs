//! Session minutes (biên bản sinh hoạt chuyên đề) in the official layout (DOMAIN.md, "Session
//! minutes"): header, "BIÊN BẢN / SINH HOẠT CHUYÊN ĐỀ QUÝ … NĂM …", time and place (start
//! and end prove HD 42's 90/120 minutes), attendance by name with reasons, chair, clerk and
//! presenter, the proceedings with each opinion by name, the conclusion, the resolution with
//! its vote, the task table, the quality self-score, "thông qua biên bản", and the clerk's
//! and the chair's signatures.

use std::collections::BTreeSet;

use super::plan::Names;
use super::{
    Align, Block, Cell, Column, Columns, HEADER_PT, Layout, Paragraph, RenderContext, TABLE_PT,
    Table, date_long, date_short, strip_prefix_ci, upper,
};
use crate::ids::MemberId;
use crate::model::session::{Attendance, QualityGrid, Session};
use crate::text::nfc;

/// What the minutes need besides the session: the branch's roll (to say how many were
/// convened) and the quality grid.
#[derive(Clone, Debug, Default)]
pub struct MinutesContext {
    /// Full members of the branch at the session.
    pub full_members: u32,
    /// Probationary members.
    pub probationary_members: u32,
    /// The quality grid the self-score uses.
    pub grid: QualityGrid,
}

fn hm(t: i64) -> (String, Option<crate::date::Date>) {
    let local = t + 7 * 3600;
    match time::OffsetDateTime::from_unix_timestamp(local) {
        Ok(dt) => (
            format!("{} giờ {:02} phút", dt.hour(), dt.minute()),
            Some(dt.date()),
        ),
        Err(_) => ("....".into(), None),
    }
}

/// Lays out the minutes of `s`.
pub fn layout(s: &Session, ctx: &RenderContext, m: &MinutesContext) -> Layout {
    let mut names = Names {
        ctx,
        unresolved: BTreeSet::new(),
    };
    let committee = strip_prefix_ci(&ctx.committee_name, "Đảng bộ");
    let branch = strip_prefix_ci(&ctx.branch_name, "Chi bộ");
    let mut blocks = Vec::new();
    if ctx.draft {
        blocks.push(Block::Paragraph(
            Paragraph::new("DỰ THẢO").bold().align(Align::Right),
        ));
    }
    let place_line = {
        let place = nfc(ctx.place.trim());
        let place = if place.is_empty() {
            "..........".into()
        } else {
            place
        };
        let date = s
            .session_date
            .map(date_long)
            .unwrap_or_else(|| "ngày .... tháng .... năm ....".into());
        format!("{place}, {date}")
    };
    let line = |text: String| Paragraph::new(text).size(HEADER_PT).align(Align::Center);
    blocks.push(Block::Header(Columns {
        left: vec![
            line(upper(&format!("Đảng bộ {committee}"))),
            line(upper(&format!("Chi bộ {branch}"))).bold(),
            line("*".into()),
        ],
        right: vec![
            Paragraph::new("ĐẢNG CỘNG SẢN VIỆT NAM")
                .bold()
                .underline()
                .align(Align::Center),
            Paragraph::new(place_line)
                .italic()
                .size(HEADER_PT)
                .align(Align::Center)
                .space_before(6),
        ],
        left_percent: 45,
    }));
    let (quarter, year) = s
        .session_date
        .map(|d| {
            (
                ((d.month() as u8 - 1) / 3 + 1).to_string(),
                d.year().to_string(),
            )
        })
        .unwrap_or_else(|| ("....".into(), "....".into()));
    blocks.push(Block::Paragraph(
        Paragraph::new("BIÊN BẢN")
            .bold()
            .size(15)
            .align(Align::Center)
            .space_before(18)
            .keep_with_next(),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new(format!("SINH HOẠT CHUYÊN ĐỀ QUÝ {quarter} NĂM {year}"))
            .bold()
            .align(Align::Center)
            .keep_with_next(),
    ));
    blocks.push(Block::Paragraph(
        Paragraph::new(format!("Chuyên đề: {}", nfc(s.title.trim())))
            .bold()
            .align(Align::Center),
    ));
    let prose = |t: String| Block::Paragraph(Paragraph::prose(t));
    let start = s.started_at.map(hm);
    let end = s.ended_at.map(hm);
    match (&start, &end) {
        (Some((st, sd)), Some((et, _))) => {
            let day = sd.map(date_short).unwrap_or_default();
            let minutes = s.duration_minutes().unwrap_or(0);
            blocks.push(prose(format!(
                "Thời gian: bắt đầu lúc {st}, ngày {day}; kết thúc lúc {et} (thời lượng {minutes} phút{}).",
                if s.duration_ok() == Some(false) {
                    format!(", chưa đủ {} phút theo quy định", s.required_minutes())
                } else {
                    String::new()
                }
            )));
        }
        _ => blocks.push(prose(
            "Thời gian: bắt đầu lúc ....; kết thúc lúc ....".into(),
        )),
    }
    let place = nfc(s.place.trim());
    blocks.push(prose(format!(
        "Địa điểm: {}.",
        if place.is_empty() { "...." } else { &place }
    )));

    // I. Thành phần.
    blocks.push(Block::Paragraph(heading("I. THÀNH PHẦN")));
    blocks.push(prose(format!(
        "Tổng số đảng viên của chi bộ: {} đồng chí (chính thức: {}, dự bị: {}).",
        m.full_members + m.probationary_members,
        m.full_members,
        m.probationary_members
    )));
    for status in Attendance::ALL {
        let list: Vec<String> = s
            .attendance
            .iter()
            .filter(|a| a.status == status)
            .map(|a| {
                let n = names.name(&a.member);
                if a.reason.trim().is_empty() {
                    format!("đồng chí {n}")
                } else {
                    format!("đồng chí {n} ({})", nfc(a.reason.trim()))
                }
            })
            .collect();
        let who = if list.is_empty() || status == Attendance::Present {
            String::new()
        } else {
            format!(": {}", list.join("; "))
        };
        blocks.push(prose(format!(
            "- {}: {} đồng chí{who}.",
            status.label_vi(),
            list.len()
        )));
    }
    let delegates: Vec<String> = s
        .guests
        .iter()
        .filter(|g| g.delegate)
        .map(guest_line)
        .collect();
    let guests: Vec<String> = s
        .guests
        .iter()
        .filter(|g| !g.delegate)
        .map(guest_line)
        .collect();
    if !delegates.is_empty() {
        blocks.push(prose(format!(
            "- Đại biểu cấp ủy cấp trên: {}.",
            delegates.join("; ")
        )));
    }
    if !guests.is_empty() {
        blocks.push(prose(format!("- Khách mời: {}.", guests.join("; "))));
    }
    let mut who = |m: &Option<MemberId>| {
        m.as_ref()
            .map(|m| format!("đồng chí {}", names.name(m)))
            .unwrap_or_else(|| "....".into())
    };
    let (chair, clerk, presenter) = (who(&s.chair), who(&s.clerk), who(&s.presenter));
    blocks.push(prose(format!("- Chủ trì: {chair}.")));
    blocks.push(prose(format!("- Thư ký: {clerk}.")));
    blocks.push(prose(format!("- Người trình bày chuyên đề: {presenter}.")));

    // II. Nội dung.
    blocks.push(Block::Paragraph(heading("II. NỘI DUNG")));
    text_section(&mut blocks, "1. Mục đích, yêu cầu", &s.purpose);
    text_section(
        &mut blocks,
        "2. Nội dung chuyên đề được trình bày",
        &s.summary,
    );
    blocks.push(Block::Paragraph(subheading("3. Ý kiến phát biểu")));
    if s.opinions.is_empty() {
        blocks.push(prose("Không có ý kiến.".into()));
    }
    for o in &s.opinions {
        blocks.push(prose(format!(
            "- Đồng chí {}: {}",
            names.name(&o.member),
            nfc(o.body.trim())
        )));
    }
    text_section(
        &mut blocks,
        "4. Kết luận của đồng chí chủ trì",
        &s.conclusion,
    );
    text_section(&mut blocks, "5. Nghị quyết", &s.resolution);
    let present = s
        .attendance
        .iter()
        .filter(|a| a.status == Attendance::Present)
        .count()
        .max(1) as f64;
    blocks.push(prose(format!(
        "Biểu quyết: tán thành {}/{} đồng chí có mặt ({:.0}%); không tán thành {}.",
        s.votes_for,
        present as u32,
        f64::from(s.votes_for) * 100.0 / present,
        s.votes_against
    )));
    blocks.push(Block::Paragraph(subheading("6. Phân công thực hiện")));
    if s.tasks.is_empty() {
        blocks.push(prose("Không có.".into()));
    } else {
        let col = |h: &str, w, align| Column {
            heading: h.into(),
            width: w,
            align,
        };
        blocks.push(Block::Table(Table {
            columns: vec![
                col("STT", 60, Align::Center),
                col("Nội dung công việc", 520, Align::Left),
                col("Người thực hiện", 240, Align::Left),
                col("Thời hạn", 180, Align::Center),
            ],
            rows: s
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    vec![
                        Cell::text((i + 1).to_string()),
                        Cell::text(&t.title),
                        Cell::text(names.name(&t.owner)),
                        Cell::text(t.deadline.map(date_short).unwrap_or_default()),
                    ]
                })
                .collect(),
            size_pt: TABLE_PT,
        }));
    }
    blocks.push(Block::Paragraph(subheading(
        "7. Tự đánh giá chất lượng buổi sinh hoạt",
    )));
    let (total, level) = m.grid.score(s);
    blocks.push(Block::Table(Table {
        columns: vec![
            Column {
                heading: "Tiêu chí".into(),
                width: 700,
                align: Align::Left,
            },
            Column {
                heading: "Điểm tối đa".into(),
                width: 150,
                align: Align::Center,
            },
            Column {
                heading: "Tự chấm".into(),
                width: 150,
                align: Align::Center,
            },
        ],
        rows: m
            .grid
            .criteria
            .iter()
            .map(|c| {
                vec![
                    Cell::text(&c.label),
                    Cell::text(c.max.to_string()),
                    Cell::text(
                        s.quality
                            .get(&c.code)
                            .map(|p| p.min(&c.max).to_string())
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect(),
        size_pt: TABLE_PT,
    }));
    blocks.push(prose(format!(
        "Tổng điểm: {total}/100 — xếp loại: {}.",
        level.label_vi()
    )));
    let end_time = end.map(|(t, _)| t).unwrap_or_else(|| "....".into());
    blocks.push(prose(format!(
        "Buổi sinh hoạt kết thúc lúc {end_time}. Biên bản đã được đọc lại và thông qua trước chi bộ."
    )));

    // Clerk left, chair right.
    let sign = |text: &str| Paragraph::new(text).bold().align(Align::Center);
    let column = |title: &str, who: &Option<MemberId>, names: &mut Names<'_>| {
        let mut v = vec![sign(title).space_before(12)];
        v.extend(std::iter::repeat_n(Paragraph::blank(), 3));
        v.push(sign(
            &who.as_ref().map(|m| names.name(m)).unwrap_or_default(),
        ));
        v
    };
    let left = column("THƯ KÝ", &s.clerk, &mut names);
    let right = column("CHỦ TRÌ", &s.chair, &mut names);
    blocks.push(Block::Signature(Columns {
        left,
        right,
        left_percent: 50,
    }));
    Layout {
        title: format!(
            "Biên bản sinh hoạt chuyên đề «{}» — {}",
            nfc(s.title.trim()),
            nfc(ctx.branch_name.trim())
        ),
        blocks,
        unresolved: names.unresolved.into_iter().collect(),
    }
}

fn guest_line(g: &crate::model::session::Guest) -> String {
    if g.title.trim().is_empty() {
        format!("đồng chí {}", nfc(g.name.trim()))
    } else {
        format!("đồng chí {}, {}", nfc(g.name.trim()), nfc(g.title.trim()))
    }
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new(text)
        .bold()
        .space_before(12)
        .keep_with_next()
}

fn subheading(text: &str) -> Paragraph {
    Paragraph::new(text).bold().space_before(6).keep_with_next()
}

fn text_section(blocks: &mut Vec<Block>, title: &str, text: &str) {
    blocks.push(Block::Paragraph(subheading(title)));
    let mut any = false;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        blocks.push(Block::Paragraph(Paragraph::prose(line)));
        any = true;
    }
    if !any {
        blocks.push(Block::Paragraph(Paragraph::prose("....")));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::date;
    use crate::ids::{BranchId, DocId, TopicId};
    use crate::model::session::{AttendanceEntry, Opinion};
    use std::collections::BTreeMap;

    fn session() -> Session {
        Session {
            id: DocId::new("s1"),
            branch_id: BranchId::new("b1"),
            plan_id: DocId::new("p1"),
            topic_id: TopicId::new("t1"),
            title: "An toàn lao động trong hầm lò".into(),
            session_date: Some(date::parse("2026-03-03").unwrap()),
            combined_with_regular: false,
            distribution: vec![],
            // 2026-03-03 08:00 and 09:45 in Vietnam.
            started_at: Some(1_772_499_600),
            ended_at: Some(1_772_499_600 + 105 * 60),
            place: "Hội trường Phân xưởng".into(),
            chair: Some(MemberId::new("m-viet")),
            clerk: Some(MemberId::new("m-trang")),
            presenter: Some(MemberId::new("m-trang")),
            attendance: vec![
                AttendanceEntry {
                    member: MemberId::new("m-viet"),
                    status: Attendance::Present,
                    reason: String::new(),
                },
                AttendanceEntry {
                    member: MemberId::new("m-lan"),
                    status: Attendance::AbsentExcused,
                    reason: "Ốm".into(),
                },
            ],
            guests: vec![],
            opinions: vec![Opinion {
                id: "o1".into(),
                member: MemberId::new("m-lan"),
                body: "Đề nghị lắp thêm cảm biến khí".into(),
                source: None,
            }],
            purpose: "Nâng cao nhận thức".into(),
            summary: String::new(),
            conclusion: "Chi bộ thống nhất".into(),
            resolution: "Giao tổ kỹ thuật".into(),
            votes_for: 1,
            votes_against: 0,
            tasks: vec![],
            quality: BTreeMap::from([("attendance".into(), 25), ("duration".into(), 15)]),
        }
    }

    #[test]
    fn test_minutes_layout_names_people_times_and_signatures() {
        let ctx = RenderContext {
            committee_name: "Đảng bộ Công ty Than Hòn Gai".into(),
            branch_name: "Chi bộ Phân xưởng Cơ điện".into(),
            place: "Quảng Ninh".into(),
            names: BTreeMap::from([
                (MemberId::new("m-viet"), "Đặng Quốc Việt".into()),
                (MemberId::new("m-trang"), "Nguyễn Thị Huyền Trang".into()),
            ]),
            ..RenderContext::default()
        };
        let l = layout(&session(), &ctx, &MinutesContext::default());
        let html = super::super::html::write(&l);
        assert!(
            html.contains("SINH HOẠT CHUYÊN ĐỀ QUÝ 1 NĂM 2026"),
            "{html}"
        );
        assert!(html.contains("bắt đầu lúc 8 giờ 00 phút"), "{html}");
        assert!(html.contains("thời lượng 105 phút"));
        assert!(html.contains("Vắng có lý do: 1 đồng chí: đồng chí m-lan (Ốm)"));
        assert!(html.contains("THƯ KÝ") && html.contains("CHỦ TRÌ"));
        assert!(html.contains("Nguyễn Thị Huyền Trang"));
        assert!(html.contains("Tổng điểm: 40/100 — xếp loại: Kém"));
        assert_eq!(l.unresolved, vec![MemberId::new("m-lan")]);
    }

    #[test]
    fn test_short_sessions_say_so() {
        let mut s = session();
        s.ended_at = Some(s.started_at.unwrap() + 80 * 60);
        let html = super::super::html::write(&layout(
            &s,
            &RenderContext::default(),
            &MinutesContext::default(),
        ));
        assert!(html.contains("chưa đủ 90 phút theo quy định"), "{html}");
    }
}
