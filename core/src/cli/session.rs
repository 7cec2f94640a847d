//! `session`, `publish`, `open`, `reading-list`, `distribution`, `branch` and `proposals`:
//! the session cycle of Step 5 (`docs/sessions.md`) on this device.
//!
//! An officer creates a topic's session and publishes its approved draft and materials;
//! members open them (a receipt, synced like any edit); the chair and the clerk (or an
//! officer) write the minutes and adopt them by both signing the same version; tasks carry
//! adopted proposals until done. Every rule is the core's ([`crate::Store`]): this module
//! only turns what a person types into ids and what the core returns into Vietnamese text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::args::{
    BranchCmd, DistributionArgs, OpenArgs, ProposalsArgs, PublishArgs, ReadingListArgs, SessionCmd,
    SessionTaskCmd,
};
use super::docs::{show_text, topic_ref};
use super::resolve::{self, Want};
use super::{Ctx, render};
use crate::approval::{Adoption, DeltaContent, Signoff, SignoffId};
use crate::date;
use crate::ids::{BranchId, DocId, MemberId};
use crate::model::session::{
    self, Attendance, NewTask, QualityLevel, Session, SessionField, SourceRef, Task, TaskStatus,
};
use crate::model::text_doc::TextDocument;
use crate::org::MemberStatus;
use crate::store::{DistributionStatus, ProposalItem, ReadingItem, today_vn};
use crate::{Error, Result};

/// `--json` of `session show` and of the commands that edit a session: the session as it
/// now is, with its figures and adoption.
#[derive(Debug, Serialize)]
struct SessionView {
    #[serde(flatten)]
    session: Session,
    /// Minutes between start and end, when both are recorded.
    duration_minutes: Option<i64>,
    /// HD 42's minimum: 90, or 120 when combined with the regular meeting.
    required_minutes: i64,
    /// Whether the length meets it (null while start or end is missing).
    duration_ok: Option<bool>,
    /// The quality self-score's total out of 100, and its level.
    quality_total: u32,
    quality_level: QualityLevel,
    /// Whether the chair and the clerk adopted the minutes.
    adoption: Adoption,
    /// Member id → full name for every member the session names.
    member_names: BTreeMap<String, String>,
}

/// `--json` of `session list`: one row.
#[derive(Debug, Serialize)]
struct SessionListRow {
    #[serde(flatten)]
    row: crate::store::SessionRow,
    /// `not_signed`, `partly_signed`, `adopted` or `adopted_with_changes`.
    adoption: &'static str,
}

/// `--json` of `session sign`.
#[derive(Debug, Serialize)]
struct SignedView<'a> {
    id: SignoffId,
    /// `unsent` until the next sync delivers it.
    state: &'static str,
    signoff: &'a Signoff,
    adoption: &'a Adoption,
    member_names: BTreeMap<String, String>,
}

/// `--json` of `open`.
#[derive(Debug, Serialize)]
struct OpenedView<'a> {
    #[serde(flatten)]
    doc: &'a TextDocument,
    /// This opening was the first (a receipt was written).
    first_opening: bool,
    /// When this member first opened it.
    opened_at: Option<i64>,
}

// ----- helpers ------------------------------------------------------------------------------

fn session_id(ctx: &Ctx<'_>, input: &str) -> Result<DocId> {
    resolve::doc(&ctx.store, input, Want::Session)
}

fn member_id(ctx: &Ctx<'_>, input: &str) -> Result<MemberId> {
    resolve::member(&ctx.store, input)?
        .ok_or_else(|| Error::InvalidInput("a member must not be empty".into()))
}

/// A comment or proposal named as `DOC COMMENT` (id prefixes).
fn source_ref(ctx: &mut Ctx<'_>, v: &[String]) -> Result<SourceRef> {
    let [doc, comment] = v else {
        return Err(Error::InvalidInput(
            "give the document and the comment".into(),
        ));
    };
    let doc_id = resolve::doc(&ctx.store, doc, Want::Text)?;
    let d = ctx.store.text_doc(&doc_id)?;
    let c = resolve::comment(&d, comment)?;
    Ok(SourceRef {
        doc_id,
        comment_id: c.id.clone(),
    })
}

/// A task of `s` from its number (1-based, as `session show` lists them) or a unique prefix
/// of its id.
fn task_of<'s>(s: &'s Session, input: &str) -> Result<&'s Task> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Error::InvalidInput("a task must not be empty".into()));
    }
    if input.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(t) = input
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| s.tasks.get(i))
        {
            return Ok(t);
        }
    }
    let hits: Vec<&Task> = s.tasks.iter().filter(|t| t.id.starts_with(input)).collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::InvalidInput(format!(
            "the session has no task {input:?} ({} task(s): give its number or an id prefix)",
            s.tasks.len()
        ))),
        many => Err(Error::InvalidInput(format!(
            "{input:?} matches {} tasks; type more of the id",
            many.len()
        ))),
    }
}

/// `present`, `absent-excused` (or `absent_excused`) …
fn attendance(s: &str) -> Result<Attendance> {
    Attendance::parse(&s.trim().replace('-', "_"))
}

fn task_status(s: &str) -> Result<TaskStatus> {
    TaskStatus::parse(&s.trim().replace('-', "_"))
}

fn yes_no(s: &str) -> Result<bool> {
    match crate::text::search_key(s.trim()).as_str() {
        "yes" | "true" | "1" | "co" => Ok(true),
        "no" | "false" | "0" | "khong" | "" => Ok(false),
        _ => Err(Error::InvalidInput(format!(
            "{s:?} is not yes or no (có / không)"
        ))),
    }
}

fn names_or(ctx: &Ctx<'_>, m: &Option<MemberId>) -> String {
    m.as_ref()
        .map(|m| ctx.name(m.as_str()))
        .unwrap_or_else(|| "(chưa ghi)".into())
}

/// "08:00–09:45 (105 phút; tối thiểu 90 phút: đạt)".
fn time_line(s: &Session) -> String {
    let hm = |t: i64| {
        render::time_vi(t)
            .split_once(' ')
            .map(|(_, hm)| hm.to_owned())
            .unwrap_or_default()
    };
    let rule = format!(
        "tối thiểu {} phút{}",
        s.required_minutes(),
        if s.combined_with_regular {
            " vì kết hợp sinh hoạt thường kỳ"
        } else {
            ""
        }
    );
    match (s.started_at, s.ended_at, s.duration_minutes()) {
        (Some(a), Some(b), Some(m)) => format!(
            "{}–{} ({m} phút; {rule}: {})",
            hm(a),
            hm(b),
            if s.duration_ok() == Some(true) {
                "đạt"
            } else {
                "CHƯA ĐẠT"
            }
        ),
        (Some(_), Some(_), None) => "giờ kết thúc trước giờ bắt đầu — hãy sửa lại".into(),
        (Some(a), None, _) => format!("bắt đầu {}, chưa ghi giờ kết thúc ({rule})", hm(a)),
        (None, Some(b), _) => format!("chưa ghi giờ bắt đầu, kết thúc {} ({rule})", hm(b)),
        (None, None, _) => format!("chưa ghi giờ bắt đầu và kết thúc ({rule})"),
    }
}

fn adoption_state(a: &Adoption) -> &'static str {
    match a {
        Adoption::NotSigned => "not_signed",
        Adoption::PartlySigned { .. } => "partly_signed",
        Adoption::Adopted { .. } => "adopted",
        Adoption::AdoptedWithChanges { .. } => "adopted_with_changes",
    }
}

fn adoption_label(a: &Adoption) -> &'static str {
    match a {
        Adoption::NotSigned => "Chưa ký thông qua",
        Adoption::PartlySigned { .. } => "Mới ký một phần",
        Adoption::Adopted { .. } => "Đã thông qua",
        Adoption::AdoptedWithChanges { .. } => "Đã thông qua, có thay đổi sau đó",
    }
}

/// One or more lines on where adoption stands, with names and times.
fn adoption_text(ctx: &Ctx<'_>, a: &Adoption) -> String {
    let signed = |s: &Signoff| {
        format!(
            "{} ký lúc {}",
            ctx.name(s.signer.as_str()),
            render::time_vi(s.signed_at)
        )
    };
    match a {
        Adoption::NotSigned => {
            "chưa ký thông qua (not signed): chủ trì và thư ký ký cùng một phiên bản bằng `sotay session sign`"
                .into()
        }
        Adoption::PartlySigned { signed: list, awaiting } => format!(
            "mới ký một phần (partly signed): {}; còn chờ {}",
            list.iter().map(signed).collect::<Vec<_>>().join(", "),
            if awaiting.is_empty() {
                "chữ ký thứ hai trên cùng phiên bản".to_owned()
            } else {
                awaiting
                    .iter()
                    .map(|m| ctx.name(m.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        Adoption::Adopted { chair, clerk } => format!(
            "ĐÃ THÔNG QUA (adopted): chủ trì {}; thư ký {}",
            signed(chair),
            signed(clerk)
        ),
        Adoption::AdoptedWithChanges {
            chair,
            clerk,
            delta,
        } => {
            let fields: Vec<String> = match delta.as_deref().map(|d| &d.content) {
                Some(DeltaContent::Session(s)) => s
                    .fields
                    .iter()
                    .map(|f| render::lower(session::field_label_vi(f)))
                    .collect(),
                _ => Vec::new(),
            };
            format!(
                "đã thông qua, nhưng biên bản đã thay đổi sau khi ký (adopted with changes){}: chủ trì {}; thư ký {} — hai người ký lại để thông qua bản mới",
                if fields.is_empty() {
                    String::new()
                } else {
                    format!(" — đã sửa: {}", fields.join(", "))
                },
                signed(chair),
                signed(clerk)
            )
        }
    }
}

fn view(ctx: &mut Ctx<'_>, id: &DocId) -> Result<SessionView> {
    let session = ctx.store.session(id)?;
    let adoption = ctx.store.minutes_adoption(id)?;
    let (quality_total, quality_level) = ctx.store.quality_grid()?.score(&session);
    let member_names = ctx.names_in(&(&session, &adoption));
    Ok(SessionView {
        duration_minutes: session.duration_minutes(),
        required_minutes: session.required_minutes(),
        duration_ok: session.duration_ok(),
        quality_total,
        quality_level,
        adoption,
        member_names,
        session,
    })
}

/// Emits the session as JSON, or `text` for people.
fn emit_session(ctx: &mut Ctx<'_>, id: &DocId, text: &str) -> Result<()> {
    let v = view(ctx, id)?;
    ctx.emit(&v, text)
}

// ----- session ------------------------------------------------------------------------------

pub(super) fn session(ctx: &mut Ctx<'_>, c: SessionCmd) -> Result<()> {
    match c {
        SessionCmd::Create { plan, topic, date } => {
            let plan_id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&plan_id)?;
            let topic_id = resolve::topic(&p, &topic)?.1.id.clone();
            let date = date.map(|d| date::parse(&d)).transpose()?;
            let id = ctx
                .store
                .create_session_for_topic(&plan_id, &topic_id, date)?;
            emit_session(ctx, &id, id.as_str())
        }
        SessionCmd::List => list(ctx),
        SessionCmd::Show { session } => {
            let id = session_id(ctx, &session)?;
            let v = view(ctx, &id)?;
            let text = show(ctx, &v)?;
            ctx.emit(&v, &text)
        }
        SessionCmd::Set {
            session,
            field,
            value,
        } => set(ctx, &session, &field, &value),
        SessionCmd::Attend {
            session,
            member,
            status,
            reason,
            all_present,
        } => {
            let id = session_id(ctx, &session)?;
            let text = if all_present {
                let n = ctx.store.fill_attendance(&id)?;
                format!(
                    "điểm danh: {n} đồng chí chưa được ghi nay ghi có mặt (miễn sinh hoạt: ghi miễn); sửa người vắng bằng `sotay session attend {} <đảng viên> absent-excused --reason …`",
                    render::short(id.as_str())
                )
            } else {
                let (Some(member), Some(status)) = (member, status) else {
                    return Err(Error::InvalidInput(
                        "give the member and the status, or --all-present".into(),
                    ));
                };
                let m = member_id(ctx, &member)?;
                let st = attendance(&status)?;
                ctx.store.set_attendance(&id, &m, st, &reason)?;
                let reason = reason.trim();
                format!(
                    "điểm danh: {} — {}{}",
                    ctx.name(m.as_str()),
                    render::lower(st.label_vi()),
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({reason})")
                    }
                )
            };
            emit_session(ctx, &id, &text)
        }
        SessionCmd::Guest {
            session,
            name,
            title,
            delegate,
        } => {
            let id = session_id(ctx, &session)?;
            ctx.store.add_guest(&id, &name, &title, delegate)?;
            let text = format!(
                "đã ghi {}: {}{}",
                if delegate {
                    "đại biểu cấp ủy cấp trên"
                } else {
                    "khách mời"
                },
                crate::text::nfc(name.trim()),
                if title.trim().is_empty() {
                    String::new()
                } else {
                    format!(", {}", title.trim())
                }
            );
            emit_session(ctx, &id, &text)
        }
        SessionCmd::Opinion {
            session,
            member,
            text,
            from,
        } => {
            let id = session_id(ctx, &session)?;
            let source = match &from {
                Some(v) => Some(source_ref(ctx, v)?),
                None => None,
            };
            let member = match &member {
                Some(m) => Some(member_id(ctx, m)?),
                None => None,
            };
            let oid = ctx.store.add_opinion(
                &id,
                member.as_ref(),
                text.as_deref().unwrap_or_default(),
                source.as_ref(),
            )?;
            let s = ctx.store.session(&id)?;
            let o = s.opinions.iter().find(|o| o.id == oid).ok_or_else(|| {
                Error::InvalidDocument("the opinion just added is missing".into())
            })?;
            let mut text = format!(
                "ý kiến {} của {}: {}",
                s.opinions.len(),
                ctx.name(o.member.as_str()),
                render::excerpt(&o.body, 80)
            );
            if let Some(src) = &o.source {
                let _ = write!(
                    text,
                    " (lấy từ góp ý [{}] trong [{}])",
                    render::short(src.comment_id.as_str()),
                    render::short(src.doc_id.as_str())
                );
            }
            emit_session(ctx, &id, &text)
        }
        SessionCmd::Task(t) => task(ctx, t),
        SessionCmd::Quality {
            session,
            criterion,
            points,
        } => {
            let id = session_id(ctx, &session)?;
            let points = match points.trim() {
                "" => None,
                p => Some(p.parse::<u32>().map_err(|_| {
                    Error::InvalidInput(format!("{p:?} is not a number of points"))
                })?),
            };
            ctx.store.set_session_quality(&id, &criterion, points)?;
            let grid = ctx.store.quality_grid()?;
            let s = ctx.store.session(&id)?;
            let (total, level) = grid.score(&s);
            let c = grid
                .criteria
                .iter()
                .find(|c| c.code == criterion.trim())
                .map(|c| format!("{} {}/{}", c.label, points.unwrap_or(0), c.max))
                .unwrap_or_default();
            let text = format!(
                "tự chấm: {c}; tổng {total}/100 — {}",
                render::lower(level.label_vi())
            );
            emit_session(ctx, &id, &text)
        }
        SessionCmd::Sign { session, note } => {
            let id = session_id(ctx, &session)?;
            let s = ctx.store.sign_minutes(&id, &note)?;
            let adoption = ctx.store.minutes_adoption(&id)?;
            let minutes = ctx.store.session(&id)?;
            let as_what = if minutes.chair.as_ref() == Some(&s.signer) {
                "chủ trì"
            } else {
                "thư ký"
            };
            let text = format!(
                "đã ký biên bản với tư cách {as_what} (signed as {}): {} · bản ký {} · ký trên máy này, gửi lên máy chủ ở lần đồng bộ tới (sotay sync)\n{}",
                if as_what == "chủ trì" {
                    "chair"
                } else {
                    "clerk"
                },
                minutes.title,
                render::short(s.id().as_str()),
                adoption_text(ctx, &adoption)
            );
            let v = SignedView {
                id: s.id(),
                state: "unsent",
                signoff: &s,
                adoption: &adoption,
                member_names: ctx.names_in(&(&s, &adoption)),
            };
            ctx.emit(&v, &text)
        }
    }
}

fn list(ctx: &mut Ctx<'_>) -> Result<()> {
    let rows = ctx.store.session_rows(None)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut cells = Vec::with_capacity(rows.len());
    for row in rows {
        let a = ctx.store.minutes_adoption(&row.doc_id)?;
        cells.push(vec![
            render::short(row.doc_id.as_str()),
            render::date_vi(date::parse(&row.session_date).ok()),
            row.title.clone(),
            row.published.to_string(),
            adoption_label(&a).to_owned(),
        ]);
        out.push(SessionListRow {
            row,
            adoption: adoption_state(&a),
        });
    }
    let text = if out.is_empty() {
        "no sessions yet: `sotay session create PLAN TOPIC`".to_owned()
    } else {
        render::table(
            &["Mã", "Ngày", "Chuyên đề", "Tài liệu đã gửi", "Biên bản"],
            &[8, 10, 50, 8, 20],
            &cells,
        )
    };
    ctx.emit(&out, &text)
}

/// The minutes in Vietnamese, as `session show` prints them.
fn show(ctx: &mut Ctx<'_>, v: &SessionView) -> Result<String> {
    let s = &v.session;
    let mut t = String::new();
    let _ = writeln!(t, "BIÊN BẢN SINH HOẠT CHUYÊN ĐỀ · {}", s.title);
    let mut head = vec![format!("Mã: {}", s.id)];
    if let Ok(p) = ctx.store.plan(&s.plan_id) {
        let stt = p.topics.iter().position(|x| x.id == s.topic_id);
        head.push(format!(
            "Kế hoạch {} ({})",
            if p.number.is_empty() {
                render::short(p.id.as_str())
            } else {
                p.number.clone()
            },
            render::short(p.id.as_str())
        ));
        if let Some(i) = stt {
            head.push(format!("chuyên đề {}", i + 1));
        }
    }
    let _ = writeln!(t, "{}", head.join(" · "));
    let _ = writeln!(
        t,
        "Ngày sinh hoạt: {} · kết hợp sinh hoạt thường kỳ: {}",
        render::date_vi(s.session_date),
        if s.combined_with_regular {
            "có"
        } else {
            "không"
        }
    );
    let _ = writeln!(t, "Thời gian: {}", time_line(s));
    let _ = writeln!(
        t,
        "Địa điểm: {}",
        if s.place.is_empty() {
            "(chưa ghi)"
        } else {
            &s.place
        }
    );
    let _ = writeln!(
        t,
        "Chủ trì: {} · Thư ký: {} · Người trình bày: {}",
        names_or(ctx, &s.chair),
        names_or(ctx, &s.clerk),
        names_or(ctx, &s.presenter)
    );
    if s.distribution.is_empty() {
        let _ = writeln!(t, "Tài liệu đã gửi: (chưa có)");
    } else {
        let _ = writeln!(t, "Tài liệu đã gửi:");
        for p in &s.distribution {
            let title = ctx
                .store
                .text_doc(&p.doc_id)
                .map(|d| d.title)
                .unwrap_or_else(|_| p.doc_id.to_string());
            let _ = writeln!(
                t,
                "  - «{title}» [{}] ({}), gửi lúc {} bởi {}",
                render::short(p.doc_id.as_str()),
                render::lower(p.kind.label_vi()),
                render::time_vi(p.published_at),
                ctx.name(p.published_by.as_str())
            );
        }
    }

    // Attendance, grouped, names in the directory's (Vietnamese) order.
    let members: Vec<crate::org::Member> = ctx
        .store
        .members()?
        .into_iter()
        .filter(|m| m.branch_id == s.branch_id)
        .collect();
    let order: BTreeMap<&str, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut entries: Vec<&session::AttendanceEntry> = s.attendance.iter().collect();
    entries.sort_by_key(|a| {
        (
            order.get(a.member.as_str()).copied().unwrap_or(usize::MAX),
            a.member.clone(),
        )
    });
    let full = members
        .iter()
        .filter(|m| m.status == MemberStatus::Full)
        .count();
    let probationary = members
        .iter()
        .filter(|m| m.status == MemberStatus::Probationary)
        .count();
    let _ = writeln!(
        t,
        "Điểm danh (chi bộ có {} đảng viên: {full} chính thức, {probationary} dự bị, {} miễn sinh hoạt):",
        members.len(),
        members.len() - full - probationary
    );
    for st in Attendance::ALL {
        let who: Vec<String> = entries
            .iter()
            .filter(|a| a.status == st)
            .map(|a| {
                let n = ctx.name(a.member.as_str());
                if a.reason.trim().is_empty() {
                    n
                } else {
                    format!("{n} ({})", a.reason.trim())
                }
            })
            .collect();
        let _ = writeln!(
            t,
            "  {} ({}){}",
            st.label_vi(),
            who.len(),
            if who.is_empty() {
                String::new()
            } else {
                format!(": {}", who.join(", "))
            }
        );
    }
    let missing: Vec<String> = members
        .iter()
        .filter(|m| s.attendance_of(&m.id).is_none())
        .map(|m| m.full_name.clone())
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            t,
            "  Chưa điểm danh ({}): {}",
            missing.len(),
            missing.join(", ")
        );
    }
    if !s.guests.is_empty() {
        let _ = writeln!(t, "Khách mời, đại biểu:");
        for g in &s.guests {
            let _ = writeln!(
                t,
                "  - {}{}{}",
                g.name,
                if g.title.is_empty() {
                    String::new()
                } else {
                    format!(", {}", g.title)
                },
                if g.delegate {
                    " (đại biểu cấp ủy cấp trên)"
                } else {
                    ""
                }
            );
        }
    }
    let section = |t: &mut String, label: &str, text: &str| {
        if text.trim().is_empty() {
            let _ = writeln!(t, "{label}: (chưa ghi)");
        } else {
            let _ = writeln!(t, "{label}:");
            t.push_str(&render::indent(text.trim_end(), "  "));
        }
    };
    section(&mut t, "Mục đích, yêu cầu", &s.purpose);
    section(&mut t, "Tóm tắt nội dung trình bày", &s.summary);
    if s.opinions.is_empty() {
        let _ = writeln!(t, "Ý kiến phát biểu: (chưa có)");
    } else {
        let _ = writeln!(t, "Ý kiến phát biểu:");
        for (i, o) in s.opinions.iter().enumerate() {
            let from = o
                .source
                .as_ref()
                .map(|src| {
                    format!(
                        " (từ góp ý [{}] trong [{}])",
                        render::short(src.comment_id.as_str()),
                        render::short(src.doc_id.as_str())
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                t,
                "  {}. {}: {}{from}",
                i + 1,
                ctx.name(o.member.as_str()),
                o.body
            );
        }
    }
    section(&mut t, "Kết luận", &s.conclusion);
    section(&mut t, "Nghị quyết", &s.resolution);
    let present = s
        .attendance
        .iter()
        .filter(|a| a.status == Attendance::Present)
        .count();
    let _ = writeln!(
        t,
        "Biểu quyết: {} tán thành, {} không tán thành (có mặt {present})",
        s.votes_for, s.votes_against
    );
    if s.tasks.is_empty() {
        let _ = writeln!(t, "Phân công thực hiện: (chưa có)");
    } else {
        let _ = writeln!(t, "Phân công thực hiện:");
        let today = today_vn();
        let rows: Vec<Vec<String>> = s
            .tasks
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let mut status = k.status.label_vi().to_owned();
                if k.is_overdue(today) {
                    status.push_str(" — QUÁ HẠN");
                }
                if let Some(u) = k.updates.last() {
                    if !u.note.is_empty() {
                        let _ = write!(status, ": {}", u.note);
                    }
                }
                vec![
                    format!("{} [{}]", i + 1, render::short(&k.id)),
                    k.title.clone(),
                    ctx.name(k.owner.as_str()),
                    render::date_vi(k.deadline),
                    status,
                    k.source
                        .as_ref()
                        .map(|src| {
                            format!(
                                "hiến kế [{}] trong [{}]",
                                render::short(src.comment_id.as_str()),
                                render::short(src.doc_id.as_str())
                            )
                        })
                        .unwrap_or_default(),
                ]
            })
            .collect();
        t.push_str(&render::table(
            &[
                "STT",
                "Nội dung",
                "Người thực hiện",
                "Hạn",
                "Trạng thái",
                "Nguồn",
            ],
            &[12, 36, 22, 10, 28, 24],
            &rows,
        ));
    }
    let grid = ctx.store.quality_grid()?;
    let scored: Vec<String> = grid
        .criteria
        .iter()
        .map(|c| {
            format!(
                "{} {}/{}",
                c.code,
                s.quality.get(&c.code).copied().unwrap_or(0).min(c.max),
                c.max
            )
        })
        .collect();
    let _ = writeln!(
        t,
        "Tự chấm điểm chất lượng: {}/100 — {} ({})",
        v.quality_total,
        v.quality_level.label_vi(),
        scored.join(", ")
    );
    let _ = writeln!(t, "Thông qua biên bản: {}", adoption_text(ctx, &v.adoption));
    Ok(t)
}

fn set(ctx: &mut Ctx<'_>, session: &str, field: &str, value: &str) -> Result<()> {
    let id = session_id(ctx, session)?;
    let key = field.trim().replace('-', "_");
    let value_t = value.trim();
    let member = |ctx: &Ctx<'_>| resolve::member(&ctx.store, value_t);
    let count = |what: &str| {
        value_t.parse::<u32>().map_err(|_| {
            Error::InvalidInput(format!("{what}: {value_t:?} is not a number of votes"))
        })
    };
    let f = match key.as_str() {
        "purpose" | "summary" | "conclusion" | "resolution" => {
            ctx.store.replace_session_text(&id, &key, value)?;
            let text = format!(
                "đã ghi {}: {} ký tự",
                render::lower(session::field_label_vi(&key)),
                value.chars().count()
            );
            return emit_session(ctx, &id, &text);
        }
        "date" | "session_date" => SessionField::SessionDate(if value_t.is_empty() {
            None
        } else {
            Some(date::parse(value_t)?)
        }),
        "combined" | "combined_with_regular" => SessionField::CombinedWithRegular(yes_no(value_t)?),
        "start" | "started_at" | "end" | "ended_at" => {
            let t = if value_t.is_empty() {
                None
            } else {
                let day = ctx.store.session(&id)?.session_date;
                Some(date::parse_time_vn(value_t, day)?)
            };
            if key.starts_with("start") {
                SessionField::StartedAt(t)
            } else {
                SessionField::EndedAt(t)
            }
        }
        "place" => SessionField::Place(crate::text::nfc(value_t)),
        "chair" => SessionField::Chair(member(ctx)?),
        "clerk" => SessionField::Clerk(member(ctx)?),
        "presenter" => SessionField::Presenter(member(ctx)?),
        "votes_for" => SessionField::VotesFor(count("votes-for")?),
        "votes_against" => SessionField::VotesAgainst(count("votes-against")?),
        _ => {
            return Err(Error::InvalidInput(format!(
                "unknown session field {field:?} (date, combined, start, end, place, chair, clerk, presenter, votes-for, votes-against, purpose, summary, conclusion, resolution)"
            )));
        }
    };
    ctx.store.set_session_field(&id, &f)?;
    let s = ctx.store.session(&id)?;
    let shown = match &f {
        SessionField::SessionDate(d) => render::date_vi(*d),
        SessionField::CombinedWithRegular(b) => if *b { "có" } else { "không" }.to_owned(),
        SessionField::StartedAt(_) | SessionField::EndedAt(_) => time_line(&s),
        SessionField::Place(p) => p.clone(),
        SessionField::Chair(m) | SessionField::Clerk(m) | SessionField::Presenter(m) => {
            names_or(ctx, m)
        }
        SessionField::VotesFor(n) | SessionField::VotesAgainst(n) => n.to_string(),
    };
    let label = match &f {
        SessionField::StartedAt(_) | SessionField::EndedAt(_) => "thời gian".to_owned(),
        SessionField::VotesFor(_) => "tán thành".to_owned(),
        SessionField::VotesAgainst(_) => "không tán thành".to_owned(),
        other => render::lower(session::field_label_vi(other.key())),
    };
    emit_session(ctx, &id, &format!("{label}: {shown}"))
}

fn task(ctx: &mut Ctx<'_>, c: SessionTaskCmd) -> Result<()> {
    match c {
        SessionTaskCmd::Add {
            session,
            owner,
            title,
            deadline,
            proposal,
        } => {
            let id = session_id(ctx, &session)?;
            let source = match &proposal {
                Some(v) => Some(source_ref(ctx, v)?),
                None => None,
            };
            let new = NewTask {
                title,
                owner: member_id(ctx, &owner)?,
                deadline: deadline.map(|d| date::parse(&d)).transpose()?,
                source,
            };
            let task_id = ctx.store.add_task(&id, &new)?;
            emit_session(ctx, &id, &task_id)
        }
        SessionTaskCmd::Update {
            session,
            task,
            status,
            note,
        } => {
            let id = session_id(ctx, &session)?;
            let s = ctx.store.session(&id)?;
            let t = task_of(&s, &task)?.clone();
            let st = task_status(&status)?;
            ctx.store.update_task(&id, &t.id, st, &note)?;
            let mut text = format!(
                "nhiệm vụ «{}» ({}): {}",
                t.title,
                ctx.name(t.owner.as_str()),
                render::lower(st.label_vi())
            );
            // The proposal it carries, as it now stands (done when this member may decide it).
            let proposal = match (&t.source, st) {
                (Some(src), TaskStatus::Done) => ctx
                    .store
                    .text_doc(&src.doc_id)
                    .ok()
                    .and_then(|d| d.comments.into_iter().find(|c| c.id == src.comment_id)),
                _ => None,
            };
            if let Some(c) = proposal {
                let _ = write!(
                    text,
                    "\nhiến kế «{}» của {}: {}",
                    render::excerpt(&c.body, 60),
                    ctx.name(c.author.as_str()),
                    c.status
                        .map(|s| render::lower(s.label_vi()))
                        .unwrap_or_default()
                );
            }
            emit_session(ctx, &id, &text)
        }
    }
}

// ----- publishing and receipts --------------------------------------------------------------

pub(super) fn publish(ctx: &mut Ctx<'_>, a: &PublishArgs) -> Result<()> {
    let id = session_id(ctx, &a.session)?;
    let doc = resolve::doc(&ctx.store, &a.doc, Want::Text)?;
    ctx.store.publish(&id, &doc)?;
    let s = ctx.store.session(&id)?;
    let report = ctx.store.distribution_report(&id)?;
    let d = report
        .into_iter()
        .find(|d| d.doc_id == doc)
        .ok_or_else(|| Error::InvalidDocument("the publication just made is missing".into()))?;
    let mut text = format!(
        "đã gửi «{}» ({}{}) cho chi bộ — buổi sinh hoạt «{}» ngày {}",
        d.title,
        render::lower(d.kind.label_vi()),
        if d.kind == crate::ids::DocKind::TopicDraft {
            ", bản đã duyệt"
        } else {
            ""
        },
        s.title,
        render::date_vi(s.session_date)
    );
    if d.late {
        let _ = write!(
            text,
            "\n! GỬI MUỘN: chi bộ quy định gửi trước buổi sinh hoạt ít nhất {} ngày (trước {})",
            d.lead_days,
            d.due_by.map(render::time_vi).unwrap_or_default()
        );
    }
    ctx.emit(&d, &text)
}

pub(super) fn open(ctx: &mut Ctx<'_>, a: &OpenArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.doc, Want::Text)?;
    let me = ctx.identity().ok_or(Error::NoIdentity)?;
    let first = ctx.store.mark_opened(&id)?;
    let opened_at = ctx.store.opened_at(&me, &id)?;
    let d = ctx.store.text_doc(&id)?;
    let topic = topic_ref(ctx, &d);
    let mut text = show_text(ctx, &d, topic.as_ref());
    let _ = write!(
        text,
        "\n{}",
        match (first, opened_at) {
            (true, _) =>
                "đã ghi nhận: bạn đã đọc tài liệu này (receipt recorded; sent at the next sync)"
                    .to_owned(),
            (false, Some(at)) =>
                format!("bạn đã mở tài liệu này lần đầu lúc {}", render::time_vi(at)),
            (false, None) => "bạn đã mở tài liệu này trước đây".to_owned(),
        }
    );
    let v = OpenedView {
        doc: &d,
        first_opening: first,
        opened_at,
    };
    ctx.emit(&v, &text)
}

pub(super) fn reading_list(ctx: &mut Ctx<'_>, a: &ReadingListArgs) -> Result<()> {
    let items: Vec<ReadingItem> = if a.unread {
        ctx.store.unread_materials()?
    } else {
        ctx.store.reading_list()?
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                render::date_vi(date::parse(&i.session_date).ok()),
                i.session_title.clone(),
                format!("{} [{}]", i.title, render::short(i.doc_id.as_str())),
                i.kind.label_vi().to_owned(),
                render::time_vi(i.published_at),
                i.opened_at
                    .map(render::time_vi)
                    .unwrap_or_else(|| "CHƯA ĐỌC".into()),
            ]
        })
        .collect();
    let unread = items.iter().filter(|i| i.opened_at.is_none()).count();
    let text = if items.is_empty() {
        if a.unread {
            "không còn tài liệu nào chưa đọc (nothing unread)".to_owned()
        } else {
            "chưa có tài liệu nào được gửi cho chi bộ (nothing published yet)".to_owned()
        }
    } else {
        let mut t = render::table(
            &[
                "Ngày SH",
                "Buổi sinh hoạt",
                "Tài liệu",
                "Loại",
                "Gửi lúc",
                "Đã đọc",
            ],
            &[10, 36, 36, 17, 16, 16],
            &rows,
        );
        let _ = write!(
            t,
            "{} tài liệu, {unread} chưa đọc; `sotay open <mã>` để đọc",
            items.len()
        );
        t
    };
    ctx.emit(&items, &text)
}

pub(super) fn distribution(ctx: &mut Ctx<'_>, a: &DistributionArgs) -> Result<()> {
    let id = session_id(ctx, &a.session)?;
    let s = ctx.store.session(&id)?;
    let report: Vec<DistributionStatus> = ctx.store.distribution_report(&id)?;
    let mut t = format!(
        "Tài liệu của buổi sinh hoạt «{}» ngày {}\n",
        s.title,
        render::date_vi(s.session_date)
    );
    if report.is_empty() {
        t.push_str("(chưa gửi tài liệu nào: `sotay publish <buổi> <tài liệu>`)\n");
    }
    for d in &report {
        let _ = writeln!(
            t,
            "\n«{}» [{}] ({}) — gửi lúc {} bởi {}",
            d.title,
            render::short(d.doc_id.as_str()),
            render::lower(d.kind.label_vi()),
            render::time_vi(d.published_at),
            ctx.name(d.published_by.as_str())
        );
        if let Some(due) = d.due_by {
            let _ = writeln!(
                t,
                "  Hạn gửi: trước {} ({} ngày trước buổi sinh hoạt): {}",
                render::time_vi(due),
                d.lead_days,
                if d.late {
                    "GỬI MUỘN (late)"
                } else {
                    "đúng hạn"
                }
            );
        }
        let total = d.opened.len() + d.not_opened.len();
        let opened: Vec<String> = d
            .opened
            .iter()
            .map(|(m, at)| format!("{} ({})", ctx.name(m.as_str()), render::time_vi(*at)))
            .collect();
        let _ = writeln!(
            t,
            "  Đã đọc ({}/{total}){}",
            d.opened.len(),
            if opened.is_empty() {
                String::new()
            } else {
                format!(": {}", opened.join(", "))
            }
        );
        let not: Vec<String> = d.not_opened.iter().map(|m| ctx.name(m.as_str())).collect();
        let _ = writeln!(
            t,
            "  Chưa đọc ({}/{total}){}",
            d.not_opened.len(),
            if not.is_empty() {
                String::new()
            } else {
                format!(": {}", not.join(", "))
            }
        );
    }
    ctx.emit(&report, &t)
}

pub(super) fn branch(ctx: &mut Ctx<'_>, c: BranchCmd) -> Result<()> {
    let BranchCmd::LeadDays { plan, days } = c;
    let plan_id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
    ctx.store.set_distribution_lead_days(&plan_id, days)?;
    let p = ctx.store.plan(&plan_id)?;
    #[derive(Serialize)]
    struct LeadDays<'a> {
        plan_id: &'a DocId,
        branch_id: &'a BranchId,
        distribution_lead_days: u32,
    }
    let text = format!(
        "chi bộ {}: tài liệu phải gửi đến đảng viên ít nhất {days} ngày trước buổi sinh hoạt (kế hoạch {})",
        p.branch_id,
        if p.number.is_empty() {
            render::short(plan_id.as_str())
        } else {
            p.number.clone()
        }
    );
    ctx.emit(
        &LeadDays {
            plan_id: &plan_id,
            branch_id: &p.branch_id,
            distribution_lead_days: days,
        },
        &text,
    )
}

// ----- proposals ----------------------------------------------------------------------------

pub(super) fn proposals(ctx: &mut Ctx<'_>, a: &ProposalsArgs) -> Result<()> {
    let branch = a.branch.as_deref().map(BranchId::new);
    let items: Vec<ProposalItem> =
        ctx.store
            .proposals_board(branch.as_ref(), a.year, today_vn())?;
    let rows: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                format!("{} [{}]", p.excerpt, render::short(p.comment_id.as_str())),
                ctx.name(p.author.as_str()),
                format!("{} [{}]", p.doc_title, render::short(p.doc_id.as_str())),
                p.stage.label_vi().to_owned(),
                p.task
                    .as_ref()
                    .map(|t| {
                        let mut s = format!("{} — {}", t.title, ctx.name(t.owner.as_str()));
                        if let Ok(d) = date::parse(&t.deadline) {
                            let _ = write!(s, ", hạn {}", date::format_vi(d));
                        }
                        let _ = write!(s, ": {}", render::lower(t.status.label_vi()));
                        s
                    })
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let text = if items.is_empty() {
        "chưa có hiến kế nào (no proposals)".to_owned()
    } else {
        let mut t = render::table(
            &[
                "STT",
                "Hiến kế",
                "Người đề xuất",
                "Tài liệu",
                "Giai đoạn",
                "Nhiệm vụ",
            ],
            &[4, 36, 20, 28, 22, 40],
            &rows,
        );
        let count = |stage| items.iter().filter(|p| p.stage == stage).count();
        use crate::store::ProposalStage as S;
        let _ = write!(
            t,
            "{} hiến kế: {} chưa xem xét, {} đã đưa vào nghị quyết, {} quá hạn, {} đã thực hiện xong, {} không tiếp thu",
            items.len(),
            count(S::Open),
            count(S::Adopted),
            count(S::Overdue),
            count(S::Done),
            count(S::Rejected)
        );
        t
    };
    ctx.emit(&items, &text)
}
