//! `plan`: the annual plan's header, căn cứ, text sections and the readable table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::args::{BasisCmd, PlanCmd, PlanCreate, PlanTextArgs};
use super::member::default_branch;
use super::resolve::{self, Edit, Want, text_edit};
use super::topic::topic_member_ids;
use super::{Ctx, render};
use crate::date;
use crate::ids::{BranchId, DocId, MemberId};
use crate::labels::FieldScope;
use crate::model::conflict::Conflict;
use crate::model::plan::{AnnualPlan, NewPlan, PlanField, PlanText, Topic};
use crate::{Error, Result};

/// `--json` of `plan show` and of plan edits: the plan, plus names for its member ids.
#[derive(Debug, Serialize)]
struct PlanView<'a> {
    #[serde(flatten)]
    plan: &'a AnnualPlan,
    /// Member id → full name, for the ids the plan mentions that the directory knows.
    member_names: BTreeMap<String, String>,
    /// Fields with concurrent values waiting for a choice (`sotay conflicts`).
    conflict_count: usize,
}

#[derive(Debug, Serialize)]
struct SectionView<'a> {
    plan_id: &'a DocId,
    section: PlanText,
    text: &'a str,
}

pub(super) fn plan(ctx: &mut Ctx<'_>, c: PlanCmd) -> Result<()> {
    match c {
        PlanCmd::Create(a) => create_plan(ctx, a),
        PlanCmd::List => {
            let rows = ctx.store.plan_rows(None)?;
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|p| {
                    vec![
                        render::short(p.doc_id.as_str()),
                        p.year.to_string(),
                        p.number.clone(),
                        p.title.clone(),
                        p.branch_id.to_string(),
                        p.topic_count.to_string(),
                        p.conflict_count.to_string(),
                    ]
                })
                .collect();
            let text = if rows.is_empty() {
                "no plans yet; create one with `sotay plan create --year Y`".to_owned()
            } else {
                render::table(
                    &[
                        "Mã",
                        "Năm",
                        "Số",
                        "Tên kế hoạch",
                        "Chi bộ",
                        "Chuyên đề",
                        "Xung đột",
                    ],
                    &[8, 4, 14, 40, 20, 9, 8],
                    &cells,
                )
            };
            ctx.emit(&rows, &text)
        }
        PlanCmd::Show { plan } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            show_plan(ctx, &id)
        }
        PlanCmd::Set { plan, field, value } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let f = PlanField::parse(field.trim(), &value)?;
            ctx.store.set_plan_field(&id, &f)?;
            let p = ctx.store.plan(&id)?;
            let text = format!(
                "plan {}: {} = {}",
                render::short(id.as_str()),
                field.trim(),
                match f {
                    PlanField::Title(_) => p.title.clone(),
                    PlanField::Number(_) => p.number.clone(),
                    PlanField::IssueDate(_) => render::date_vi(p.issue_date),
                }
            );
            emit_plan(ctx, &p, &text)
        }
        PlanCmd::Text(a) => plan_text(ctx, a),
        PlanCmd::Basis(b) => basis(ctx, b),
    }
}

fn create_plan(ctx: &mut Ctx<'_>, a: PlanCreate) -> Result<()> {
    let branch_id = match a.branch {
        Some(b) => BranchId::new(b),
        None => default_branch(ctx)?,
    };
    let new = NewPlan {
        branch_id,
        year: a.year,
        title: a.title,
        number: a.number,
        issue_date: a.date.as_deref().map(date::parse).transpose()?,
        purpose: a.purpose,
        implementation: a.implementation,
    };
    let id = ctx.store.create_plan(&new)?;
    let p = ctx.store.plan(&id)?;
    emit_plan(ctx, &p, id.as_str())
}

fn emit_plan(ctx: &mut Ctx<'_>, p: &AnnualPlan, text: &str) -> Result<()> {
    let conflicts = ctx.store.conflicts(Some(&p.id))?;
    let view = PlanView {
        plan: p,
        member_names: ctx.names_of(plan_member_ids(p)),
        conflict_count: conflicts.len(),
    };
    ctx.emit(&view, text)
}

fn plan_member_ids(p: &AnnualPlan) -> impl Iterator<Item = &str> {
    p.topics.iter().flat_map(topic_member_ids)
}

fn show_plan(ctx: &mut Ctx<'_>, id: &DocId) -> Result<()> {
    let p = ctx.store.plan(id)?;
    let conflicts = ctx.store.conflicts(Some(id))?;
    let text = plan_text_view(ctx, &p, &conflicts);
    emit_plan(ctx, &p, &text)
}

/// The plan laid out like the paper document (DOMAIN.md "The annual plan document").
pub(super) fn plan_text_view(
    ctx: &Ctx<'_>,
    p: &AnnualPlan,
    conflicts: &[(DocId, Conflict)],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", p.title.to_uppercase());
    let mut head = vec![];
    if !p.number.is_empty() {
        head.push(format!("Số: {}", p.number));
    }
    if let Some(d) = p.issue_date {
        head.push(format!("Ngày: {}", date::format_vi(d)));
    }
    head.push(format!("Năm: {}", p.year));
    head.push(format!("Chi bộ: {}", p.branch_id));
    let _ = writeln!(s, "{}", head.join(" · "));
    let _ = writeln!(s, "Mã kế hoạch: {}", p.id);
    if !p.legal_bases.is_empty() {
        let _ = writeln!(s, "\nCăn cứ:");
        for (i, b) in p.legal_bases.iter().enumerate() {
            let date = b
                .date
                .map(|d| format!(" ngày {}", date::format_vi(d)))
                .unwrap_or_default();
            let title = if b.title.is_empty() {
                String::new()
            } else {
                format!(" — {}", b.title)
            };
            let _ = writeln!(
                s,
                "  {}. {}{date}{title} [{}]",
                i + 1,
                b.number,
                render::short(b.id.as_str())
            );
        }
    }
    let _ = writeln!(s, "\nI. Mục đích, yêu cầu");
    s.push_str(&render::indent(&section_or_dash(&p.purpose), "  "));
    let _ = writeln!(s, "\nII. Nội dung, thời gian, phân công");
    let in_conflict = |t: &Topic| {
        conflicts
            .iter()
            .any(|(_, c)| c.path.get(1).map(String::as_str) == Some(t.id.as_str()))
    };
    let rows: Vec<Vec<String>> = p
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let names = |ids: &[MemberId]| {
                ids.iter()
                    .map(|m| ctx.name(m.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                format!("{}{}", i + 1, if in_conflict(t) { " !" } else { "" }),
                t.scheduled_date
                    .map(|d| format!("{}/{}", d.month() as u8, d.year()))
                    .unwrap_or_default(),
                t.title.clone(),
                t.group.short_label_vi().into(),
                names(&t.preparers),
                t.presenter
                    .as_ref()
                    .map(|m| ctx.name(m.as_str()))
                    .unwrap_or_default(),
                render::date_vi(t.draft_deadline),
                t.status.label_vi().into(),
                render::short(t.id.as_str()),
            ]
        })
        .collect();
    if rows.is_empty() {
        let _ = writeln!(
            s,
            "  (chưa có chuyên đề — sotay topic add PLAN --title … --month M)"
        );
    } else {
        let label = |key| FieldScope::Topic.field_label_vi(key);
        s.push_str(&render::table(
            &[
                "STT",
                "Tháng",
                label("title"),
                "Nhóm",
                label("preparers"),
                label("presenter"),
                label("draft_deadline"),
                label("status"),
                "Mã",
            ],
            &[5, 7, 40, 18, 24, 24, 15, 12, 8],
            &rows,
        ));
    }
    let _ = writeln!(s, "\nIII. Tổ chức thực hiện");
    s.push_str(&render::indent(&section_or_dash(&p.implementation), "  "));
    if !conflicts.is_empty() {
        let _ = writeln!(
            s,
            "\n! {} field(s) were set differently on two devices (xung đột); see `sotay conflicts {}`",
            conflicts.len(),
            render::short(p.id.as_str())
        );
    }
    s
}

fn section_or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_owned()
    } else {
        s.to_owned()
    }
}
fn plan_text(ctx: &mut Ctx<'_>, a: PlanTextArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.plan, Want::Plan)?;
    let section = PlanText::parse(a.section.trim())?;
    match text_edit(a.edit)? {
        None => {}
        Some(Edit::Replace(t)) => ctx.store.replace_plan_text(&id, section, &t)?,
        Some(Edit::Splice {
            pos,
            delete,
            insert,
        }) => ctx
            .store
            .splice_plan_text(&id, section, pos, delete, &insert)?,
    }
    let p = ctx.store.plan(&id)?;
    let text = match section {
        PlanText::Purpose => &p.purpose,
        PlanText::Implementation => &p.implementation,
    };
    let view = SectionView {
        plan_id: &id,
        section,
        text,
    };
    ctx.emit(&view, text)
}

fn basis(ctx: &mut Ctx<'_>, b: BasisCmd) -> Result<()> {
    match b {
        BasisCmd::Add {
            plan,
            number,
            date,
            title,
        } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let date = date.as_deref().map(date::parse).transpose()?;
            let lb = ctx.store.add_legal_basis(&id, &number, date, &title)?;
            let p = ctx.store.plan(&id)?;
            let added = p
                .legal_bases
                .iter()
                .find(|b| b.id == lb)
                .ok_or_else(|| Error::LegalBasisNotFound(lb.to_string()))?;
            ctx.emit(added, lb.as_str())
        }
        BasisCmd::Remove { plan, id } => {
            let plan_id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&plan_id)?;
            let b = resolve::legal_basis(&p, &id)?.clone();
            ctx.store.remove_legal_basis(&plan_id, &b.id)?;
            let p = ctx.store.plan(&plan_id)?;
            let text = format!(
                "removed căn cứ {} [{}]",
                b.number,
                render::short(b.id.as_str())
            );
            emit_plan(ctx, &p, &text)
        }
    }
}
