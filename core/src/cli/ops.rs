//! `conflicts`, `check` and `dev merge`: looking after a device's store.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::args::{ConflictsArgs, ConflictsCmd, DevCmd};
use super::resolve::{self, Want};
use super::{Ctx, Outcome, render};
use crate::date;
use crate::ids::{DocId, DocKind};
use crate::labels::FieldScope;
use crate::model::conflict::{Conflict, ConflictValue};
use crate::store::DamagedDocument;
use crate::{Error, Result, Store};

/// `--json` of `sotay conflicts`: one conflict with readable context. Choice numbers are
/// the 1-based positions in `values`.
#[derive(Debug, Serialize)]
struct ConflictEntry {
    doc_id: DocId,
    /// The conflict's number within its document (`#1` …), accepted by `conflicts resolve`.
    number: usize,
    /// Where it is, in words ("Chuyên đề 2 «…» › người trình bày (presenter)").
    label: String,
    #[serde(flatten)]
    conflict: Conflict,
    /// Member id → full name, for the members who set the values and member-valued values.
    member_names: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct Resolved<'a> {
    doc_id: &'a DocId,
    path: &'a [String],
    chosen: &'a ConflictValue,
    /// Conflicts still waiting in this document.
    remaining: usize,
}

#[derive(Debug, Serialize)]
struct CheckReport {
    ok: bool,
    /// `PRAGMA integrity_check` messages ("ok" when sound).
    integrity: Vec<String>,
    /// Documents checked by loading them.
    documents_checked: usize,
    damaged_documents: Vec<DamagedDocument>,
}

#[derive(Debug, Serialize)]
struct MergeReport {
    from: String,
    documents: usize,
    changed: Vec<DocId>,
    skipped: Vec<Skipped>,
    members_added: usize,
    conflicts: usize,
}

#[derive(Debug, Serialize)]
struct Skipped {
    doc_id: DocId,
    error: String,
}

/// The fields whose values are member ids.
fn is_member_field(field: &str) -> bool {
    matches!(field, "presenter" | "executive" | "author" | "resolved_by")
}

/// Describes where a conflict is, in the plan's or document's own words.
pub(super) fn label(ctx: &mut Ctx<'_>, doc: &DocId, c: &Conflict) -> String {
    let field = match FieldScope::of_path(&c.path) {
        Some((scope, key)) => render::field_label(scope, key),
        None => c.field().to_owned(),
    };
    let kind = ctx.store.kind_of(doc).ok();
    match (kind, c.path.as_slice()) {
        (Some(DocKind::AnnualPlan), [s, id, ..]) if s == "topics" => {
            let topic = ctx.store.plan(doc).ok().and_then(|p| {
                p.topics
                    .iter()
                    .position(|t| t.id.as_str() == id)
                    .map(|i| (i + 1, p.topics[i].title.clone()))
            });
            match topic {
                Some((stt, title)) => format!("Chuyên đề {stt} «{title}» › {field}"),
                None => format!("Chuyên đề {} › {field}", render::short(id)),
            }
        }
        (Some(DocKind::AnnualPlan), [s, id, ..]) if s == "legal_bases" => {
            let number = ctx.store.plan(doc).ok().and_then(|p| {
                p.legal_bases
                    .iter()
                    .find(|b| b.id.as_str() == id)
                    .map(|b| b.number.clone())
            });
            format!(
                "Căn cứ {} › {field}",
                number.unwrap_or_else(|| render::short(id))
            )
        }
        (Some(DocKind::AnnualPlan), [_]) => format!("Kế hoạch › {field}"),
        (Some(k), [s, id, ..]) if k.is_text() && s == "comments" => {
            let author = ctx.store.text_doc(doc).ok().and_then(|d| {
                d.comments
                    .iter()
                    .find(|c| c.id.as_str() == id)
                    .map(|c| ctx.name(c.author.as_str()))
            });
            match author {
                Some(a) => format!("Góp ý [{}] của {a} › {field}", render::short(id)),
                None => format!("Góp ý [{}] › {field}", render::short(id)),
            }
        }
        (Some(k), [_]) if k.is_text() => format!("Dự thảo/tài liệu › {field}"),
        _ => c.path_string(),
    }
}

/// A value as a person reads it: names for members, Vietnamese dates, "(trống)" for empty.
pub(super) fn shown_value(ctx: &Ctx<'_>, field: &str, v: &str) -> String {
    if v.is_empty() {
        return "(trống)".to_owned();
    }
    if is_member_field(field) {
        return ctx.name_and_id(v);
    }
    if field.ends_with("date") || field == "draft_deadline" {
        if let Ok(d) = date::parse(v) {
            return date::format_vi(d);
        }
    }
    v.to_owned()
}

/// A document's heading in the conflict list.
fn doc_heading(ctx: &mut Ctx<'_>, doc: &DocId) -> String {
    match ctx.store.kind_of(doc) {
        Ok(DocKind::AnnualPlan) => match ctx.store.plan(doc) {
            Ok(p) => format!(
                "Kế hoạch {} năm {} [{}]",
                p.number,
                p.year,
                render::short(doc.as_str())
            ),
            Err(_) => format!("Kế hoạch [{}]", render::short(doc.as_str())),
        },
        Ok(_) => match ctx.store.text_doc(doc) {
            Ok(d) => format!("«{}» [{}]", d.title, render::short(doc.as_str())),
            Err(_) => format!("[{}]", render::short(doc.as_str())),
        },
        Err(_) => format!("[{}]", render::short(doc.as_str())),
    }
}

fn entries(ctx: &mut Ctx<'_>, doc: Option<&DocId>) -> Result<Vec<ConflictEntry>> {
    let list = ctx.store.conflicts(doc)?;
    let mut out = Vec::with_capacity(list.len());
    let mut numbers: BTreeMap<DocId, usize> = BTreeMap::new();
    for (doc_id, c) in list {
        let n = numbers.entry(doc_id.clone()).or_insert(0);
        *n += 1;
        let number = *n;
        let label = label(ctx, &doc_id, &c);
        let field = c.field().to_owned();
        let ids = c
            .values
            .iter()
            .filter_map(|v| v.set_by.as_ref().map(|m| m.as_str()))
            .chain(
                c.values
                    .iter()
                    .filter(|_| is_member_field(&field))
                    .map(|v| v.value.as_str()),
            );
        let member_names = ctx.names_of(ids);
        out.push(ConflictEntry {
            doc_id,
            number,
            label,
            conflict: c,
            member_names,
        });
    }
    Ok(out)
}

pub(super) fn conflicts(ctx: &mut Ctx<'_>, a: ConflictsArgs) -> Result<()> {
    if let Some(ConflictsCmd::Resolve { doc, path, choice }) = a.action {
        return resolve_conflict(ctx, &doc, &path, &choice);
    }
    let doc = match &a.doc {
        Some(d) => Some(resolve::doc(&ctx.store, d, Want::Any)?),
        None => None,
    };
    let list = entries(ctx, doc.as_ref())?;
    let mut s = String::new();
    if list.is_empty() {
        s.push_str("no conflicts (không có xung đột)\n");
    }
    let mut last: Option<&DocId> = None;
    for e in &list {
        if last != Some(&e.doc_id) {
            let heading = doc_heading(ctx, &e.doc_id);
            let _ = writeln!(s, "{heading}");
            last = Some(&e.doc_id);
        }
        let _ = writeln!(s, "  #{} {}", e.number, e.label);
        let _ = writeln!(s, "     path: {}", e.conflict.path_string());
        let field = e.conflict.field();
        for (i, v) in e.conflict.values.iter().enumerate() {
            let by = v
                .set_by
                .as_ref()
                .map(|m| ctx.name(m.as_str()))
                .unwrap_or_else(|| "?".into());
            let _ = writeln!(
                s,
                "     [{}] {} — set by {by}{}",
                i + 1,
                shown_value(ctx, field, &v.value),
                if i == 0 { " (shown now)" } else { "" }
            );
        }
        let _ = writeln!(
            s,
            "     keep one: sotay conflicts resolve {} {} <1-{}>",
            render::short(e.doc_id.as_str()),
            e.conflict.path_string(),
            e.conflict.values.len()
        );
    }
    ctx.emit(&list, &s)
}

fn resolve_conflict(ctx: &mut Ctx<'_>, doc: &str, path: &str, choice: &str) -> Result<()> {
    let id = resolve::doc(&ctx.store, doc, Want::Any)?;
    let list = ctx.store.conflicts(Some(&id))?;
    let path = path.trim();
    let by_number = path
        .trim_start_matches('#')
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| list.get(i));
    let (_, conflict) = by_number
        .or_else(|| list.iter().find(|(_, c)| c.path_string() == path))
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "no conflict at {path:?} in this document; `sotay conflicts {}` lists them",
                render::short(id.as_str())
            ))
        })?;
    let choice = choice.trim();
    let chosen = match choice.parse::<usize>() {
        Ok(n) => n.checked_sub(1).and_then(|i| conflict.values.get(i)),
        Err(_) => conflict.values.iter().find(|v| v.op == choice),
    }
    .ok_or_else(|| {
        Error::InvalidInput(format!(
            "choice {choice:?} is not one of 1–{} or a listed op id",
            conflict.values.len()
        ))
    })?
    .clone();
    ctx.store
        .resolve_conflict(&id, &conflict.path, &chosen.op)?;
    let remaining = ctx.store.conflicts(Some(&id))?.len();
    let label = label(ctx, &id, conflict);
    let text = format!(
        "{label}: kept {}; {remaining} conflict(s) left in this document",
        shown_value(ctx, conflict.field(), &chosen.value)
    );
    let view = Resolved {
        doc_id: &id,
        path: &conflict.path,
        chosen: &chosen,
        remaining,
    };
    ctx.emit(&view, &text)
}

pub(super) fn check(ctx: &mut Ctx<'_>) -> Result<Outcome> {
    let integrity = ctx.store.integrity_check()?;
    // Loading every listed document finds (and quarantines) damage not yet noticed.
    let plans: Vec<DocId> = ctx
        .store
        .plan_rows(None)?
        .into_iter()
        .map(|p| p.doc_id)
        .collect();
    let texts: Vec<DocId> = ctx
        .store
        .text_doc_rows(None)?
        .into_iter()
        .map(|d| d.doc_id)
        .collect();
    let checked = plans.len() + texts.len();
    for id in &plans {
        match ctx.store.plan(id) {
            Ok(_) | Err(Error::DocumentDamaged { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    for id in &texts {
        match ctx.store.text_doc(id) {
            Ok(_) | Err(Error::DocumentDamaged { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let damaged = ctx.store.damaged_documents()?;
    let sound = integrity.len() == 1 && integrity[0] == "ok";
    let report = CheckReport {
        ok: sound && damaged.is_empty(),
        integrity,
        documents_checked: checked,
        damaged_documents: damaged,
    };
    let mut s = format!("SQLite integrity: {}\n", report.integrity.join("; "));
    let _ = writeln!(s, "documents loaded: {}", report.documents_checked);
    if report.damaged_documents.is_empty() {
        s.push_str("damaged documents: none\n");
    } else {
        let _ = writeln!(
            s,
            "damaged documents ({}), quarantined, never deleted:",
            report.damaged_documents.len()
        );
        for d in &report.damaged_documents {
            let _ = writeln!(s, "  {} ({}): {}", d.doc_id, d.kind, d.reason);
        }
    }
    ctx.emit(&report, &s)?;
    if report.ok {
        Ok(Outcome::Done)
    } else {
        Ok(Outcome::ProblemsFound(format!(
            "the store check found problems: integrity {}, {} damaged document(s)",
            report.integrity.join("; "),
            report.damaged_documents.len()
        )))
    }
}

pub(super) fn dev(ctx: &mut Ctx<'_>, c: DevCmd, this: &Path) -> Result<()> {
    let DevCmd::Merge { from } = c;
    if !from.exists() {
        return Err(Error::InvalidInput(format!(
            "there is no store at {}",
            from.display()
        )));
    }
    if std::fs::canonicalize(&from)? == std::fs::canonicalize(this)? {
        return Err(Error::InvalidInput("--from names this store itself".into()));
    }
    let mut other = Store::open(&from)?;
    // Every kind: plans, drafts, materials, sessions, reading logs (damaged ones are
    // reported as skipped below).
    let ids: Vec<DocId> = other
        .document_ids()?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut changed = Vec::new();
    let mut skipped = Vec::new();
    for id in &ids {
        let merged = other
            .export_document(id)
            .and_then(|mut d| ctx.store.merge_document(&mut d));
        match merged {
            Ok(true) => changed.push(id.clone()),
            Ok(false) => {}
            Err(e @ (Error::DocumentDamaged { .. } | Error::InvalidDocument(_))) => {
                skipped.push(Skipped {
                    doc_id: id.clone(),
                    error: e.to_string(),
                });
            }
            Err(e) => return Err(e),
        }
    }
    let mut members_added = 0;
    for m in other.members()? {
        if !ctx.names.contains_key(m.id.as_str()) {
            ctx.store.upsert_member(&m)?;
            members_added += 1;
        }
    }
    ctx.reload_names()?;
    let report = MergeReport {
        from: from.display().to_string(),
        documents: ids.len(),
        changed,
        skipped,
        members_added,
        conflicts: ctx.store.conflicts(None)?.len(),
    };
    let mut s = format!(
        "merged {} document(s) from {}: {} brought changes; {} member(s) added",
        report.documents,
        report.from,
        report.changed.len(),
        report.members_added
    );
    for k in &report.skipped {
        let _ = write!(s, "\nskipped {}: {}", k.doc_id, k.error);
    }
    if report.conflicts > 0 {
        let _ = write!(
            s,
            "\n{} conflict(s) wait for a choice: sotay conflicts",
            report.conflicts
        );
    }
    ctx.emit(&report, &s)
}
