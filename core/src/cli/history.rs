//! `history`: a document's changes one by one, grouped by member and session
//! (`--by-member`), or who wrote each field and each span of text (`--blame`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::args::HistoryArgs;
use super::ops::shown_value;
use super::resolve::{self, Want};
use super::{Ctx, render};
use crate::Result;
use crate::ids::DocId;
use crate::labels::FieldScope;
use crate::model::ChangeInfo;
use crate::model::blame::{Blame, FieldBlame, MemberHistory, TextSpan};
use crate::model::plan::{TopicGroup, TopicStatus};

#[derive(Debug, Serialize)]
struct HistoryEntry<'a> {
    #[serde(flatten)]
    change: &'a ChangeInfo,
    member_name: Option<String>,
}

/// `--json` of `history --by-member`: one member's changes, with the name.
#[derive(Debug, Serialize)]
struct MemberEntry<'a> {
    #[serde(flatten)]
    history: &'a MemberHistory,
    member_name: Option<String>,
}

/// `--json` of `history --blame`.
#[derive(Debug, Serialize)]
struct BlameView<'a> {
    doc_id: &'a DocId,
    #[serde(flatten)]
    blame: &'a Blame,
    /// Member id → full name for the members named.
    member_names: BTreeMap<String, String>,
}

pub(super) fn history(ctx: &mut Ctx<'_>, a: &HistoryArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.doc, Want::Any)?;
    if a.by_member {
        return by_member(ctx, &id);
    }
    if a.blame {
        return blame(ctx, &id);
    }
    let changes = ctx.store.history(&id)?;
    let list: Vec<HistoryEntry<'_>> = changes
        .iter()
        .map(|c| HistoryEntry {
            change: c,
            member_name: c
                .member
                .as_ref()
                .and_then(|m| ctx.names.get(m.as_str()).cloned()),
        })
        .collect();
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            vec![
                render::time_vi(c.time),
                c.member
                    .as_ref()
                    .map(|m| ctx.name(m.as_str()))
                    .unwrap_or_else(|| "?".into()),
                render::change_message(&c.message),
                render::short(&c.hash),
            ]
        })
        .collect();
    let text = render::table(
        &["Thời gian", "Người sửa", "Thay đổi", "Mã"],
        &[16, 26, 40, 8],
        &rows,
    );
    ctx.emit(&list, &text)
}

/// What a session did, in words: "thêm chuyên đề ×3, sửa mục đích, yêu cầu".
fn touched(s: &crate::model::blame::Session) -> String {
    s.touched
        .iter()
        .map(|t| {
            let what = render::change_message(&t.message);
            if t.count > 1 {
                format!("{what} ×{}", t.count)
            } else {
                what
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn by_member(ctx: &mut Ctx<'_>, id: &DocId) -> Result<()> {
    let groups = ctx.store.history_by_member(id)?;
    let mut s = String::new();
    for g in &groups {
        let who = g
            .member
            .as_ref()
            .map(|m| ctx.name_and_id(m.as_str()))
            .unwrap_or_else(|| "(không rõ người sửa)".into());
        let _ = writeln!(
            s,
            "{who} — {} thay đổi, {} phiên · {}",
            g.change_count,
            g.sessions.len(),
            render::time_range_vi(g.first_time, g.last_time)
        );
        for session in &g.sessions {
            let _ = writeln!(
                s,
                "  • {} · {} thay đổi · {}",
                render::time_range_vi(session.first_time, session.last_time),
                session.change_count,
                touched(session)
            );
        }
    }
    if groups.is_empty() {
        s.push_str("no changes (chưa có thay đổi)\n");
    }
    let list: Vec<MemberEntry<'_>> = groups
        .iter()
        .map(|g| MemberEntry {
            history: g,
            member_name: g
                .member
                .as_ref()
                .and_then(|m| ctx.names.get(m.as_str()).cloned()),
        })
        .collect();
    ctx.emit(&list, &s)
}

/// "Đặng Quốc Việt, 01/03/2026 09:00" for a field's writer.
fn by_line(ctx: &Ctx<'_>, by: Option<&crate::ids::MemberId>, at: Option<i64>) -> String {
    let who = by
        .map(|m| ctx.name(m.as_str()))
        .unwrap_or_else(|| "?".into());
    match at {
        Some(t) => format!("{who}, {}", render::time_vi(t)),
        None => who,
    }
}

/// A field's value as a person reads it.
fn field_value(ctx: &Ctx<'_>, f: &FieldBlame) -> String {
    match f.field.as_str() {
        "group" => TopicGroup::parse(&f.value)
            .map(|g| g.short_label_vi().to_owned())
            .unwrap_or_else(|_| f.value.clone()),
        "status" => TopicStatus::parse(&f.value)
            .map(|g| g.label_vi().to_owned())
            .unwrap_or_else(|_| f.value.clone()),
        "combined_meeting" | "removed" => match f.value.as_str() {
            "true" => "có".into(),
            "false" | "" => "không".into(),
            v => v.to_owned(),
        },
        "title" | "expected_output" | "notes" | "description" if !f.value.is_empty() => {
            format!("«{}»", render::excerpt(&f.value, 70))
        }
        field => shown_value(ctx, field, &f.value),
    }
}

fn field_line(ctx: &Ctx<'_>, scope: FieldScope, f: &FieldBlame, pad: &str) -> String {
    let conflict = if f.conflict {
        " ! xung đột, chưa chọn (sotay conflicts)"
    } else {
        ""
    };
    format!(
        "{pad}{}: {} — {}{conflict}\n",
        render::field_label(scope, &f.field),
        field_value(ctx, f),
        by_line(ctx, f.by.as_ref(), f.at)
    )
}

/// Fields worth a line: set to something, or set by a change after the object's creation.
fn worth_showing(f: &FieldBlame, created_change: Option<&String>) -> bool {
    !f.value.is_empty() || f.conflict || f.change.as_ref() != created_change
}

fn spans_text(ctx: &Ctx<'_>, spans: &[TextSpan], pad: &str) -> String {
    if spans.is_empty() {
        return format!("{pad}—\n");
    }
    let mut s = String::new();
    for span in spans {
        let who = span
            .by
            .as_ref()
            .map(|m| ctx.name(m.as_str()))
            .unwrap_or_else(|| "?".into());
        let _ = writeln!(
            s,
            "{pad}[{who} · {}] (ký tự {}–{})",
            render::time_range_vi(span.first_at, span.last_at),
            span.start,
            span.start + span.text.chars().count()
        );
        s.push_str(&render::indent(&span.text, &format!("{pad}    ")));
    }
    s
}

fn blame(ctx: &mut Ctx<'_>, id: &DocId) -> Result<()> {
    let b = ctx.store.blame(id)?;
    let mut s = String::new();
    match &b {
        Blame::Plan(p) => {
            let _ = writeln!(
                s,
                "Ai viết gì (blame) — kế hoạch [{}]",
                render::short(id.as_str())
            );
            let _ = writeln!(s, "\nKế hoạch");
            for f in &p.fields {
                s.push_str(&field_line(ctx, FieldScope::Document, f, "  "));
            }
            if !p.legal_bases.is_empty() {
                let _ = writeln!(s, "\nCăn cứ");
                for (i, l) in p.legal_bases.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "  {}. {} — thêm bởi {}",
                        i + 1,
                        l.number,
                        by_line(ctx, l.created_by.as_ref(), l.created_at)
                    );
                    for f in l.fields.iter().filter(|f| {
                        f.field != "position" && worth_showing(f, l.created_change.as_ref())
                    }) {
                        s.push_str(&field_line(ctx, FieldScope::LegalBasis, f, "     "));
                    }
                }
            }
            let _ = writeln!(s, "\nII. Nội dung, thời gian, phân công");
            if p.topics.is_empty() {
                let _ = writeln!(s, "  (chưa có chuyên đề)");
            }
            for t in &p.topics {
                let _ = writeln!(
                    s,
                    "  {}. «{}» — thêm bởi {}",
                    t.index + 1,
                    render::excerpt(&t.title, 70),
                    by_line(ctx, t.created_by.as_ref(), t.created_at)
                );
                // The title is in the heading: a line only when it was edited since.
                for f in t.fields.iter().filter(|f| {
                    worth_showing(f, t.created_change.as_ref())
                        && (f.field != "title" || f.change != t.created_change)
                }) {
                    if f.field == "position" {
                        let _ = writeln!(
                            s,
                            "     {}: STT {} — {}",
                            render::field_label(FieldScope::Topic, "position"),
                            t.index + 1,
                            by_line(ctx, f.by.as_ref(), f.at)
                        );
                    } else {
                        s.push_str(&field_line(ctx, FieldScope::Topic, f, "     "));
                    }
                }
                for f in &t.preparers {
                    let _ = writeln!(
                        s,
                        "     {}: {} — thêm bởi {}",
                        render::lower(FieldScope::Topic.field_label_vi("preparers")),
                        ctx.name(&f.field),
                        by_line(ctx, f.by.as_ref(), f.at)
                    );
                }
            }
            let _ = writeln!(s, "\nI. Mục đích, yêu cầu");
            s.push_str(&spans_text(ctx, &p.purpose, "  "));
            let _ = writeln!(s, "\nIII. Tổ chức thực hiện");
            s.push_str(&spans_text(ctx, &p.implementation, "  "));
        }
        Blame::Text(t) => {
            let _ = writeln!(
                s,
                "Ai viết gì (blame) — dự thảo/tài liệu [{}]",
                render::short(id.as_str())
            );
            for f in &t.fields {
                if !f.value.is_empty() || f.conflict {
                    s.push_str(&field_line(ctx, FieldScope::Document, f, "  "));
                }
            }
            let _ = writeln!(s, "\nNội dung");
            s.push_str(&spans_text(ctx, &t.body, "  "));
        }
    }
    let member_names = ctx.names_in(&b);
    let view = BlameView {
        doc_id: id,
        blame: &b,
        member_names,
    };
    ctx.emit(&view, &s)
}
