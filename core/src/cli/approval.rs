//! `submit`, `approve`, `status`, `show-approved` and `diff`: approval on this device.
//!
//! Sign-offs are signed here, offline, with the device key and sent at the next sync; status
//! is verified here against the synced member directory (see `approval`). Refusals are
//! errors with their kind (`not_permitted`, `not_ready`, `not_enrolled`) and exit code 1;
//! a `not_ready` refusal lists every conflict and every missing month, preparer and
//! presenter, so they can all be fixed in one pass.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::args::{DiffArgs, ShowApprovedArgs, SignArgs, StatusArgs};
use super::docs::{show_text, topic_ref};
use super::ops::label as conflict_label;
use super::plan::plan_text_view;
use super::resolve::{self, Want};
use super::{Ctx, render};
use crate::approval::{
    CommentNote, Delta, DeltaContent, FieldValue, Invalid, LegalBasisChange, NotReady, PlanDelta,
    Signoff, SignoffAction, SignoffId, Status, StatusKind, TextDocDelta, TextEdit, TextEditKind,
};
use crate::date;
use crate::ids::{DocId, DocKind, MemberId, TopicId};
use crate::labels::FieldScope;
use crate::model::plan::AnnualPlan;
use crate::model::text_doc::{CommentKind, TextDocument};
use crate::org::Role;
use crate::store::SignoffState;
use crate::{Error, Result};

/// How many change lines `status DOC` shows before pointing at `--full`.
const SUMMARY_LINES: usize = 6;
/// Characters of a text span or comment shown in a change line.
const EXCERPT: usize = 60;

/// A sign-off as lists show it.
#[derive(Clone, Debug, Serialize)]
struct SignoffEntry {
    id: SignoffId,
    action: SignoffAction,
    signer: MemberId,
    role: Role,
    signed_at: i64,
    note: String,
    supersedes: Option<SignoffId>,
    /// `unsent`, `synced` or `refused` (by the server), when this device holds the record.
    state: Option<String>,
    /// The server's refusal (code, message).
    refusal: Option<(String, String)>,
}

impl SignoffEntry {
    fn of(s: &Signoff, state: Option<String>, refusal: Option<(String, String)>) -> Self {
        SignoffEntry {
            id: s.id(),
            action: s.action,
            signer: s.signer.clone(),
            role: s.role,
            signed_at: s.signed_at,
            note: s.note.clone(),
            supersedes: s.supersedes.clone(),
            state,
            refusal,
        }
    }
}

/// `--json` of `submit` and `approve`.
#[derive(Debug, Serialize)]
struct Signed<'a> {
    id: SignoffId,
    /// `unsent` until the next sync delivers it.
    state: &'static str,
    signoff: &'a Signoff,
    member_names: BTreeMap<String, String>,
}

/// `--json` of `status`: one document.
#[derive(Debug, Serialize)]
struct StatusView {
    doc_id: DocId,
    kind: DocKind,
    title: String,
    /// `not_submitted`, `submitted`, `approved`, `approved_with_changes`, `invalid`, or
    /// `unreadable` (the document is damaged: `error` says why).
    state: &'static str,
    /// One line, Vietnamese with English terms.
    summary: String,
    /// The core status (absent when unreadable).
    status: Option<Status>,
    /// Why the document could not be read.
    error: Option<String>,
    /// Every sign-off of the document held here (detail view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    signoffs: Option<Vec<SignoffEntry>>,
    member_names: BTreeMap<String, String>,
}

/// One end of a `diff`.
#[derive(Debug, Serialize)]
struct VersionRef {
    /// `current` or `signoff`.
    version: &'static str,
    /// The sign-off naming the version.
    signoff: Option<SignoffEntry>,
}

/// `--json` of `diff`.
#[derive(Debug, Serialize)]
struct DiffView<'a> {
    doc_id: &'a DocId,
    from: VersionRef,
    to: VersionRef,
    /// One line: how many changes, by whom, what kind.
    summary: String,
    delta: &'a Delta,
    member_names: BTreeMap<String, String>,
}

/// `--json` of `show-approved`.
#[derive(Debug, Serialize)]
struct ApprovedView {
    doc_id: DocId,
    approval: SignoffEntry,
    /// It is the approval in force (the one status counts).
    in_force: bool,
    /// Why it does not verify on this device, if it does not.
    invalid: Option<Invalid>,
    /// The plan as approved (plans).
    plan: Option<AnnualPlan>,
    /// The draft or material as approved.
    document: Option<TextDocument>,
    member_names: BTreeMap<String, String>,
}

// ----- submit and approve --------------------------------------------------------------------

pub(super) fn submit(ctx: &mut Ctx<'_>, a: &SignArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.doc, Want::Any)?;
    let s = match ctx.store.submit_for_approval(&id, &a.note) {
        Ok(s) => s,
        Err(e) => return Err(refusal(ctx, &id, e)),
    };
    let title = title_of(ctx, &id)?;
    let text = format!(
        "đã gửi đề nghị duyệt (submitted for approval): {title}\n\
         bản ký {} · phiên bản hiện tại ({} head) · ký trên máy này, gửi lên máy chủ ở lần đồng bộ tới (sotay sync)",
        s.id(),
        s.heads.len()
    );
    emit_signed(ctx, &s, &text)
}

pub(super) fn approve(ctx: &mut Ctx<'_>, a: &SignArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.doc, Want::Any)?;
    let s = match ctx.store.approve(&id, &a.note) {
        Ok(s) => s,
        Err(e) => return Err(refusal(ctx, &id, e)),
    };
    let title = title_of(ctx, &id)?;
    let mut text = format!(
        "{}: {title}\n\
         đúng phiên bản hiện tại ({} head) · {} ({}) · bản ký {}",
        state_head(StatusKind::Approved),
        s.heads.len(),
        ctx.name(s.signer.as_str()),
        s.role.label_vi(),
        s.id()
    );
    if let Some(prev) = &s.supersedes {
        let _ = write!(
            text,
            "\nthay cho bản duyệt trước [{}]",
            render::short(prev.as_str())
        );
    }
    text.push_str("\nký trên máy này, gửi lên máy chủ ở lần đồng bộ tới (sotay sync)");
    emit_signed(ctx, &s, &text)
}

fn emit_signed(ctx: &mut Ctx<'_>, s: &Signoff, text: &str) -> Result<()> {
    let view = Signed {
        id: s.id(),
        state: SignoffState::Unsent.as_str(),
        signoff: s,
        member_names: ctx.names_of([s.signer.as_str()]),
    };
    ctx.emit(&view, text)
}

/// Turns the store's refusal into one a person can act on.
fn refusal(ctx: &mut Ctx<'_>, doc: &DocId, e: Error) -> Error {
    match e {
        Error::NotPermitted(msg) => match ctx.store.directory() {
            Ok(None) => Error::NotPermitted(format!(
                "máy này chưa có danh bạ đảng viên để kiểm tra thẩm quyền — hãy đồng bộ trước \
                 (sync first: `sotay sync`); {msg}"
            )),
            _ => Error::NotPermitted(format!("không có thẩm quyền ký (not permitted): {msg}")),
        },
        Error::NotReady(msg) => match ctx.store.approval_readiness(doc) {
            Ok(Err(not_ready)) => Error::NotReady(not_ready_text(ctx, doc, &not_ready)),
            _ => Error::NotReady(msg),
        },
        other => other,
    }
}

/// Every reason a document cannot be approved yet, one per line.
fn not_ready_text(ctx: &mut Ctx<'_>, doc: &DocId, n: &NotReady) -> String {
    let mut s = String::from("chưa thể duyệt (not ready for approval):");
    if let Some(reason) = &n.unreadable {
        let _ = write!(s, "\n  không đọc được văn bản (unreadable): {reason}");
    }
    if !n.conflicts.is_empty() {
        let _ = write!(
            s,
            "\n  {} xung đột chưa chọn (conflicts) — chọn bằng `sotay conflicts {}`:",
            n.conflicts.len(),
            render::short(doc.as_str())
        );
        for c in &n.conflicts {
            let values: Vec<String> = c
                .values
                .iter()
                .map(|v| super::ops::shown_value(ctx, c.field(), &v.value))
                .collect();
            let label = conflict_label(ctx, doc, c);
            let _ = write!(s, "\n    • {label}: {}", values.join(" / "));
        }
    }
    if !n.missing.is_empty() {
        let stt: HashMap<TopicId, usize> = ctx
            .store
            .plan(doc)
            .map(|p| {
                p.topics
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.id.clone(), i + 1))
                    .collect()
            })
            .unwrap_or_default();
        let _ = write!(s, "\n  {} mục còn thiếu (missing):", n.missing.len());
        for m in &n.missing {
            let at = stt
                .get(&m.topic_id)
                .map(|i| format!("Chuyên đề {i} "))
                .unwrap_or_else(|| "Chuyên đề ".into());
            let _ = write!(
                s,
                "\n    • {at}«{}»: thiếu {} ({})",
                render::excerpt(&m.topic_title, EXCERPT),
                m.field.label_vi(),
                m.field.as_str()
            );
        }
    }
    s
}

// ----- status --------------------------------------------------------------------------------

/// Every plan, then every draft and material: (id, kind, a readable title), from the read
/// model (no document is loaded).
fn titles(ctx: &Ctx<'_>) -> Result<Vec<(DocId, DocKind, String)>> {
    let mut out = Vec::new();
    for p in ctx.store.plan_rows(None)? {
        let title = if p.number.is_empty() {
            format!("Kế hoạch năm {}", p.year)
        } else {
            format!("Kế hoạch {} năm {}", p.number, p.year)
        };
        out.push((p.doc_id, DocKind::AnnualPlan, title));
    }
    for d in ctx.store.text_doc_rows(None)? {
        out.push((d.doc_id, d.kind, d.title));
    }
    Ok(out)
}

/// The readable title of one document (its id when the read model lacks it).
fn title_of(ctx: &Ctx<'_>, id: &DocId) -> Result<String> {
    Ok(titles(ctx)?
        .into_iter()
        .find(|(d, _, _)| d == id)
        .map(|(_, _, t)| t)
        .unwrap_or_else(|| id.to_string()))
}

/// An approval state in the words of [`crate::labels`], with its English name
/// ("đã duyệt (approved)").
fn state_head(k: StatusKind) -> String {
    let en = match k {
        StatusKind::NotSubmitted => "not submitted",
        StatusKind::Submitted => "submitted",
        StatusKind::Approved => "approved",
        StatusKind::ApprovedWithChanges => "approved with changes",
        StatusKind::Invalid => "approval invalid",
    };
    format!("{} ({en})", render::lower(k.label_vi()))
}

/// "Đặng Quốc Việt (Bí thư), 12/03/2026 09:00".
fn signer_line(ctx: &Ctx<'_>, s: &Signoff) -> String {
    format!(
        "{} ({}), {}",
        ctx.name(s.signer.as_str()),
        s.role.label_vi(),
        render::time_vi(s.signed_at)
    )
}

/// The one-line status.
fn summary_line(ctx: &Ctx<'_>, s: &Status) -> String {
    match s {
        Status::NotSubmitted => state_head(StatusKind::NotSubmitted),
        Status::Submitted {
            by, at, previous, ..
        } => {
            let mut line = format!(
                "{} — {}, {}",
                state_head(StatusKind::Submitted),
                ctx.name(by.as_str()),
                render::time_vi(*at)
            );
            if let Some(p) = previous {
                let _ = write!(line, "; bản duyệt trước: {}", signer_line(ctx, p));
            }
            line
        }
        Status::Approved { approval } => format!(
            "{} — {}; chữ ký hợp lệ (signature valid)",
            state_head(StatusKind::Approved),
            signer_line(ctx, approval)
        ),
        Status::ApprovedWithChanges { approval, delta } => {
            let changes = match delta {
                Some(d) => delta_summary(ctx, d),
                None => "không đọc được các thay đổi (changes unreadable)".into(),
            };
            format!(
                "{} — {}; chữ ký hợp lệ; {changes}",
                state_head(StatusKind::ApprovedWithChanges),
                signer_line(ctx, approval)
            )
        }
        Status::Invalid {
            approval,
            reason,
            last_valid,
        } => {
            let mut line = format!(
                "{} — {} ({reason}); bản ký của {}",
                state_head(StatusKind::Invalid),
                reason.message_vi(),
                signer_line(ctx, approval)
            );
            if let Some(v) = last_valid {
                let _ = write!(line, "; bản duyệt hợp lệ gần nhất: {}", signer_line(ctx, v));
            }
            line
        }
    }
}

pub(super) fn status(ctx: &mut Ctx<'_>, a: &StatusArgs) -> Result<()> {
    let Some(doc) = &a.doc else {
        return status_list(ctx);
    };
    let id = resolve::doc(&ctx.store, doc, Want::Any)?;
    if a.as_approved {
        return show_approved_of(ctx, &id, None);
    }
    status_one(ctx, &id, a.full)
}

fn status_list(ctx: &mut Ctx<'_>) -> Result<()> {
    let docs = titles(ctx)?;
    let mut views = Vec::with_capacity(docs.len());
    for (id, kind, title) in docs {
        views.push(status_view(ctx, &id, kind, title));
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            vec![
                render::short(v.doc_id.as_str()),
                v.kind.label_vi().into(),
                v.title.clone(),
                v.summary.clone(),
            ]
        })
        .collect();
    let text = if rows.is_empty() {
        "no plans, drafts or materials yet".to_owned()
    } else {
        render::table(
            &["Mã", "Loại", "Tên", "Trạng thái duyệt"],
            &[8, 17, 36, 70],
            &rows,
        )
    };
    ctx.emit(&views, &text)
}

fn status_view(ctx: &mut Ctx<'_>, id: &DocId, kind: DocKind, title: String) -> StatusView {
    match ctx.store.approval_status(id) {
        Ok(status) => {
            let summary = summary_line(ctx, &status);
            let member_names = ctx.names_in(&status);
            StatusView {
                doc_id: id.clone(),
                kind,
                title,
                state: status.kind().as_str(),
                summary,
                status: Some(status),
                error: None,
                signoffs: None,
                member_names,
            }
        }
        Err(e) => StatusView {
            doc_id: id.clone(),
            kind,
            title,
            state: "unreadable",
            summary: format!("không đọc được (unreadable): {e}"),
            status: None,
            error: Some(e.to_string()),
            signoffs: None,
            member_names: BTreeMap::new(),
        },
    }
}

fn status_one(ctx: &mut Ctx<'_>, id: &DocId, full: bool) -> Result<()> {
    let kind = ctx.store.kind_of(id)?;
    let title = title_of(ctx, id)?;
    let status = ctx.store.approval_status(id)?;
    let records = ctx.store.signoff_records(id)?;
    let entries: Vec<SignoffEntry> = records
        .iter()
        .map(|r| SignoffEntry::of(&r.signoff, Some(r.state.clone()), r.refusal.clone()))
        .collect();
    let state_of_record = |s: &Signoff| {
        let id = s.id();
        entries
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| e.state.clone())
    };

    let mut s = format!(
        "{} · {title} [{}]\nTrạng thái duyệt: ",
        kind.label_vi().to_uppercase(),
        render::short(id.as_str())
    );
    let signoff_detail = |ctx: &Ctx<'_>, s: &mut String, label: &str, r: &Signoff| {
        let _ = writeln!(
            s,
            "  {label}: {} — {} — {}",
            ctx.name_and_id(r.signer.as_str()),
            r.role.label_vi(),
            render::time_vi(r.signed_at)
        );
        if !r.note.is_empty() {
            let _ = writeln!(s, "  Ghi chú: {}", r.note);
        }
        let state = state_of_record(r)
            .map(|st| format!(" ({})", state_vi(&st)))
            .unwrap_or_default();
        let _ = writeln!(s, "  Bản ký: {}{state}", r.id());
    };
    match &status {
        Status::NotSubmitted => {
            let _ = writeln!(s, "{}", state_head(StatusKind::NotSubmitted));
            let _ = writeln!(
                s,
                "  đề nghị duyệt: sotay submit {0} · duyệt: sotay approve {0}",
                render::short(id.as_str())
            );
        }
        Status::Submitted {
            submission,
            previous,
            ..
        } => {
            let _ = writeln!(s, "{}", state_head(StatusKind::Submitted));
            signoff_detail(ctx, &mut s, "Đề nghị bởi", submission);
            if let Some(p) = previous {
                signoff_detail(ctx, &mut s, "Bản duyệt trước", p);
                // What the officer is asked to look at: the approved version → the submitted one.
                let to = submission.change_hashes();
                if let Ok(d) = ctx.store.delta(id, &p.change_hashes(), Some(&to)) {
                    let _ = writeln!(
                        s,
                        "\nĐề nghị duyệt các thay đổi (changes submitted): {}",
                        delta_summary(ctx, &d)
                    );
                    let from = render::short(p.id().as_str());
                    let to = render::short(submission.id().as_str());
                    let more = format!(" --from {from} --to {to}");
                    write_delta_lines(ctx, &mut s, id, &d, full, &more);
                }
            }
        }
        Status::Approved { approval } => {
            let _ = writeln!(
                s,
                "{} — đúng phiên bản hiện tại",
                state_head(StatusKind::Approved)
            );
            signoff_detail(ctx, &mut s, "Duyệt bởi", approval);
            let _ = writeln!(s, "  Chữ ký: hợp lệ (signature valid)");
        }
        Status::ApprovedWithChanges { approval, delta } => {
            let _ = writeln!(s, "{}", state_head(StatusKind::ApprovedWithChanges));
            signoff_detail(ctx, &mut s, "Duyệt bởi", approval);
            let _ = writeln!(s, "  Chữ ký: hợp lệ (signature valid)");
            match delta {
                None => {
                    let _ = writeln!(s, "\nKhông đọc được các thay đổi từ khi duyệt.");
                }
                Some(d) => {
                    let _ = writeln!(
                        s,
                        "\nThay đổi từ khi duyệt (changes since approval): {}",
                        delta_summary(ctx, d)
                    );
                    write_delta_lines(ctx, &mut s, id, d, full, "");
                }
            }
        }
        Status::Invalid {
            approval,
            reason,
            last_valid,
        } => {
            let _ = writeln!(s, "{}", state_head(StatusKind::Invalid));
            let _ = writeln!(s, "  Lý do: {}", reason.message_vi());
            let _ = writeln!(s, "  (reason: {reason})");
            signoff_detail(ctx, &mut s, "Bản ký không hợp lệ của", approval);
            match last_valid {
                Some(v) => signoff_detail(ctx, &mut s, "Bản duyệt hợp lệ gần nhất", v),
                None => {
                    let _ = writeln!(s, "  Chưa có bản duyệt hợp lệ nào.");
                }
            }
        }
    }
    if !entries.is_empty() {
        let _ = writeln!(s, "\nCác bản ký (sign-offs):");
        for e in &entries {
            let _ = writeln!(
                s,
                "  [{}] {} · {} ({}) · {} · {}{}",
                render::short(e.id.as_str()),
                match e.action {
                    SignoffAction::Submit => "đề nghị duyệt",
                    SignoffAction::Approve => "duyệt",
                },
                ctx.name(e.signer.as_str()),
                e.role.label_vi(),
                render::time_vi(e.signed_at),
                e.state.as_deref().map(state_vi).unwrap_or_default(),
                e.refusal
                    .as_ref()
                    .map(|(code, msg)| format!(": {code} — {msg}"))
                    .unwrap_or_default()
            );
        }
    }
    let summary = summary_line(ctx, &status);
    let mut member_names = ctx.names_in(&status);
    member_names.extend(ctx.names_of(entries.iter().map(|e| e.signer.as_str())));
    let view = StatusView {
        doc_id: id.clone(),
        kind,
        title,
        state: status.kind().as_str(),
        summary,
        status: Some(status),
        error: None,
        signoffs: Some(entries),
        member_names,
    };
    ctx.emit(&view, &s)
}

/// A delta's lines, all of them or the first few with a pointer to the rest (`diff_args`:
/// what `sotay diff DOC` needs after the id to show the same versions).
fn write_delta_lines(
    ctx: &mut Ctx<'_>,
    s: &mut String,
    id: &DocId,
    d: &Delta,
    full: bool,
    diff_args: &str,
) {
    let lines = delta_lines(ctx, id, d);
    let shown = if full {
        lines.len()
    } else {
        lines.len().min(SUMMARY_LINES)
    };
    for l in &lines[..shown] {
        let _ = writeln!(s, "  {l}");
    }
    if shown < lines.len() {
        let short = render::short(id.as_str());
        let _ = writeln!(
            s,
            "  … và {} thay đổi khác — `sotay status {short} --full` hoặc `sotay diff {short}{diff_args}`",
            lines.len() - shown
        );
    }
}

/// A sign-off's state in the words of [`crate::labels`], with its code ("chưa gửi lên máy
/// chủ — unsent"); nothing for a state this build does not know.
fn state_vi(state: &str) -> String {
    match SignoffState::parse(state) {
        Ok(st) => format!("{} — {}", render::lower(st.label_vi()), st.as_str()),
        Err(_) => String::new(),
    }
}

// ----- show-approved -------------------------------------------------------------------------

pub(super) fn show_approved(ctx: &mut Ctx<'_>, a: &ShowApprovedArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.doc, Want::Any)?;
    show_approved_of(ctx, &id, a.approval.as_deref())
}

fn show_approved_of(ctx: &mut Ctx<'_>, id: &DocId, which: Option<&str>) -> Result<()> {
    let status = ctx.store.approval_status(id)?;
    let in_force = status.approval_in_force().map(Signoff::id);
    let approval = match which {
        Some(prefix) => signoff_by_prefix(ctx, id, prefix)?,
        None => status
            .approval_in_force()
            .cloned()
            .ok_or_else(|| no_approval(id))?,
    };
    let invalid = ctx.store.verify_signoff(&approval)?.err();
    if let Some(Invalid::HeadsUnknown { .. }) = &invalid {
        return Err(Error::InvalidInput(format!(
            "máy này chưa có phiên bản đã ký [{}] — hãy đồng bộ (sync first: `sotay sync`)",
            render::short(approval.id().as_str())
        )));
    }
    let heads = approval.change_hashes();
    let is_in_force = in_force.as_ref() == Some(&approval.id());
    let what = match approval.action {
        SignoffAction::Approve => "BẢN ĐÃ DUYỆT (approved version)",
        SignoffAction::Submit => "BẢN ĐỀ NGHỊ DUYỆT (submitted version)",
    };
    let mut s = format!(
        "{what} — {} · bản ký [{}]\n",
        signer_line(ctx, &approval),
        render::short(approval.id().as_str())
    );
    if !approval.note.is_empty() {
        let _ = writeln!(s, "Ghi chú: {}", approval.note);
    }
    if let Some(reason) = &invalid {
        let _ = writeln!(
            s,
            "! bản ký này không hợp lệ: {} ({reason})",
            reason.message_vi()
        );
    } else if !is_in_force && approval.action == SignoffAction::Approve {
        let _ = writeln!(
            s,
            "! đây không phải bản duyệt hiện hành (not the approval in force)"
        );
    }
    s.push_str(&"═".repeat(60));
    s.push('\n');
    let (plan, document) = if ctx.store.kind_of(id)? == DocKind::AnnualPlan {
        let p = ctx.store.plan_at(id, &heads)?;
        s.push_str(&plan_text_view(ctx, &p, &[]));
        (Some(p), None)
    } else {
        let d = ctx.store.text_doc_at(id, &heads)?;
        let topic = topic_ref(ctx, &d);
        s.push_str(&show_text(ctx, &d, topic.as_ref()));
        (None, Some(d))
    };
    let mut member_names = ctx.names_of([approval.signer.as_str()]);
    member_names.extend(ctx.names_in(&plan));
    member_names.extend(ctx.names_in(&document));
    let view = ApprovedView {
        doc_id: id.clone(),
        approval: SignoffEntry::of(&approval, None, None),
        in_force: is_in_force,
        invalid,
        plan,
        document,
        member_names,
    };
    ctx.emit(&view, &s)
}

fn no_approval(id: &DocId) -> Error {
    Error::InvalidInput(format!(
        "chưa có bản duyệt nào có hiệu lực (no approval in force) cho {}; `sotay status {}` lists the sign-offs",
        render::short(id.as_str()),
        render::short(id.as_str())
    ))
}

/// A sign-off of `doc` from a unique prefix of its id.
fn signoff_by_prefix(ctx: &Ctx<'_>, doc: &DocId, input: &str) -> Result<Signoff> {
    let input = input.trim().to_ascii_lowercase();
    if input.is_empty() {
        return Err(Error::InvalidInput(
            "a sign-off id must not be empty".into(),
        ));
    }
    let hits: Vec<Signoff> = ctx
        .store
        .signoff_records(doc)?
        .into_iter()
        .map(|r| r.signoff)
        .filter(|s| s.id().as_str().starts_with(&input))
        .collect();
    let mut ids: Vec<SignoffId> = hits.iter().map(Signoff::id).collect();
    ids.dedup();
    match (hits.first(), ids.len()) {
        (Some(s), 1) => Ok(s.clone()),
        (None, _) => Err(Error::InvalidInput(format!(
            "no sign-off of {} has an id starting with {input:?}; `sotay status {}` lists them",
            render::short(doc.as_str()),
            render::short(doc.as_str())
        ))),
        _ => Err(Error::InvalidInput(format!(
            "{input:?} matches {} sign-offs ({}); type more of the id",
            ids.len(),
            ids.iter()
                .map(SignoffId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

// ----- diff ----------------------------------------------------------------------------------

pub(super) fn diff(ctx: &mut Ctx<'_>, a: &DiffArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.doc, Want::Any)?;
    let status = ctx.store.approval_status(&id)?;
    let from = match a.from.as_deref().map(str::trim) {
        None | Some("current-approval") => status
            .approval_in_force()
            .cloned()
            .ok_or_else(|| no_approval(&id))?,
        Some(prefix) => signoff_by_prefix(ctx, &id, prefix)?,
    };
    let to = match a.to.as_deref().map(str::trim) {
        None | Some("current") => None,
        Some(prefix) => Some(signoff_by_prefix(ctx, &id, prefix)?),
    };
    let to_heads = to.as_ref().map(Signoff::change_hashes);
    let delta = ctx
        .store
        .delta(&id, &from.change_hashes(), to_heads.as_deref())
        .map_err(|e| match e {
            Error::InvalidInput(msg) if msg.contains("does not contain") => Error::InvalidInput(
                format!("{msg} — máy này chưa có phiên bản đó, hãy đồng bộ (sync first)"),
            ),
            other => other,
        })?;
    let describe = |ctx: &Ctx<'_>, s: Option<&Signoff>| match s {
        None => "phiên bản hiện tại (current)".to_owned(),
        Some(s) => format!(
            "{} [{}] — {}",
            match s.action {
                SignoffAction::Approve => "bản duyệt",
                SignoffAction::Submit => "bản đề nghị duyệt",
            },
            render::short(s.id().as_str()),
            signer_line(ctx, s)
        ),
    };
    let summary = delta_summary(ctx, &delta);
    let mut s = format!(
        "Từ (from): {}\nĐến (to):  {}\n{summary}\n",
        describe(ctx, Some(&from)),
        describe(ctx, to.as_ref())
    );
    for l in delta_lines(ctx, &id, &delta) {
        let _ = writeln!(s, "  {l}");
    }
    let mut member_names = ctx.names_in(&delta);
    member_names.extend(ctx.names_of(
        std::iter::once(from.signer.as_str()).chain(to.as_ref().map(|t| t.signer.as_str())),
    ));
    let records = ctx.store.signoff_records(&id)?;
    let entry = |s: &Signoff| {
        let sid = s.id();
        let r = records.iter().find(|r| r.signoff.id() == sid);
        SignoffEntry::of(
            s,
            r.map(|r| r.state.clone()),
            r.and_then(|r| r.refusal.clone()),
        )
    };
    let view = DiffView {
        doc_id: &id,
        from: VersionRef {
            version: "signoff",
            signoff: Some(entry(&from)),
        },
        to: VersionRef {
            version: if to.is_some() { "signoff" } else { "current" },
            signoff: to.as_ref().map(entry),
        },
        summary,
        delta: &delta,
        member_names,
    };
    ctx.emit(&view, &s)
}

// ----- rendering a delta ---------------------------------------------------------------------

fn names(ctx: &Ctx<'_>, ids: &[MemberId]) -> String {
    ids.iter()
        .map(|m| ctx.name(m.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// " (Đặng Quốc Việt)", or "" when unknown.
fn by(ctx: &Ctx<'_>, m: Option<&MemberId>) -> String {
    m.map(|m| format!(" ({})", ctx.name(m.as_str())))
        .unwrap_or_default()
}

fn value(ctx: &Ctx<'_>, v: &FieldValue) -> String {
    let empty = || "(trống)".to_owned();
    match v {
        FieldValue::Text(t) if t.is_empty() => empty(),
        FieldValue::Text(t) => format!("«{}»", render::excerpt(t, EXCERPT)),
        FieldValue::Date(d) => d.map(date::format_vi).unwrap_or_else(empty),
        FieldValue::Bool(b) => if *b { "có" } else { "không" }.into(),
        FieldValue::Member(m) => m
            .as_ref()
            .map(|m| ctx.name(m.as_str()))
            .unwrap_or_else(empty),
        FieldValue::Members(ms) if ms.is_empty() => empty(),
        FieldValue::Members(ms) => names(ctx, ms),
        FieldValue::Group(g) => g.short_label_vi().into(),
        FieldValue::Status(s) => s.label_vi().into(),
    }
}

/// Characters inserted and deleted in a list of text spans.
fn text_counts(edits: &[TextEdit]) -> (usize, usize) {
    edits.iter().fold((0, 0), |(ins, del), e| {
        let n = e.text.chars().count();
        match e.kind {
            TextEditKind::Inserted => (ins + n, del),
            TextEditKind::Deleted => (ins, del + n),
        }
    })
}

/// "5 thay đổi của Đặng Quốc Việt, Nguyễn Thị Huyền Trang: 1 chuyên đề mới, …".
fn delta_summary(ctx: &Ctx<'_>, d: &Delta) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut count = |n: usize, what: &str| {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    };
    let mut texts: Vec<(&str, &[TextEdit])> = Vec::new();
    match &d.content {
        DeltaContent::Plan(p) => {
            count(p.fields.len(), "trường kế hoạch");
            count(p.legal_bases.len(), "căn cứ");
            count(p.topics_added.len(), "chuyên đề mới");
            count(p.topics_cancelled.len(), "chuyên đề hủy");
            count(p.topics_removed.len(), "chuyên đề mất");
            count(p.topics_moved.len(), "chuyên đề đổi thứ tự");
            count(p.topic_fields.len(), "sửa chuyên đề");
            texts.push(("mục đích", &p.purpose));
            texts.push(("tổ chức thực hiện", &p.implementation));
        }
        DeltaContent::Text(t) => {
            count(t.fields.len(), "trường");
            count(t.comments_added.len(), "góp ý mới");
            count(t.comments_resolved.len(), "đã giải quyết");
            count(t.comments_reopened.len(), "mở lại");
            count(t.comments_deleted.len(), "góp ý đã xóa");
            count(t.proposals.len(), "hiến kế đổi trạng thái");
            count(t.attachments_added.len(), "tệp đính kèm mới");
            texts.push(("nội dung", &t.body));
        }
        DeltaContent::Session(s) => count(s.fields.len(), "phần biên bản"),
    }
    for (what, edits) in texts {
        if !edits.is_empty() {
            let (ins, del) = text_counts(edits);
            parts.push(format!("{what} +{ins}/−{del} ký tự"));
        }
    }
    let head = if d.editors.is_empty() {
        format!("{} thay đổi", d.change_count)
    } else {
        format!("{} thay đổi của {}", d.change_count, names(ctx, &d.editors))
    };
    if parts.is_empty() {
        format!("{head}; nội dung không khác (no visible difference)")
    } else {
        format!("{head}: {}", parts.join(", "))
    }
}

/// Every difference, one line each, in Vietnamese.
fn delta_lines(ctx: &mut Ctx<'_>, doc: &DocId, d: &Delta) -> Vec<String> {
    match &d.content {
        DeltaContent::Plan(p) => {
            // STT of each topic at the newer version.
            let stt: HashMap<TopicId, usize> = ctx
                .store
                .plan_at(doc, &d.to)
                .map(|p| {
                    p.topics
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (t.id.clone(), i + 1))
                        .collect()
                })
                .unwrap_or_default();
            plan_lines(ctx, p, &stt)
        }
        DeltaContent::Text(t) => text_doc_lines(ctx, t),
        DeltaContent::Session(s) => s
            .fields
            .iter()
            .map(|f| format!("sửa {}", crate::model::session::field_label_vi(f)))
            .collect(),
    }
}

fn topic_name(stt: &HashMap<TopicId, usize>, id: &TopicId, title: &str) -> String {
    let title = render::excerpt(title, EXCERPT);
    match stt.get(id) {
        Some(n) => format!("chuyên đề {n} «{title}»"),
        None => format!("chuyên đề «{title}»"),
    }
}

fn plan_lines(ctx: &Ctx<'_>, p: &PlanDelta, stt: &HashMap<TopicId, usize>) -> Vec<String> {
    let mut out = Vec::new();
    for f in &p.fields {
        out.push(format!(
            "Kế hoạch › {}: {} → {}{}",
            render::field_label(FieldScope::Document, &f.field),
            value(ctx, &f.from),
            value(ctx, &f.to),
            by(ctx, f.by.as_ref())
        ));
    }
    for c in &p.legal_bases {
        out.push(match c {
            LegalBasisChange::Added { basis, by: who } => format!(
                "+ Thêm căn cứ {}{}{}{}",
                basis.number,
                basis
                    .date
                    .map(|d| format!(" ngày {}", date::format_vi(d)))
                    .unwrap_or_default(),
                if basis.title.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", render::excerpt(&basis.title, EXCERPT))
                },
                by(ctx, who.as_ref())
            ),
            LegalBasisChange::Removed { basis, by: who } => {
                format!("− Bỏ căn cứ {}{}", basis.number, by(ctx, who.as_ref()))
            }
            LegalBasisChange::Changed { number, change, .. } => format!(
                "Căn cứ {number} › {}: {} → {}{}",
                render::field_label(FieldScope::LegalBasis, &change.field),
                value(ctx, &change.from),
                value(ctx, &change.to),
                by(ctx, change.by.as_ref())
            ),
        });
    }
    for t in &p.topics_added {
        out.push(format!(
            "+ Thêm chuyên đề {} «{}»{}{}",
            t.index + 1,
            render::excerpt(&t.title, EXCERPT),
            t.scheduled_date
                .map(|d| format!(", tháng {}/{}", d.month() as u8, d.year()))
                .unwrap_or_default(),
            by(ctx, t.by.as_ref())
        ));
    }
    for t in &p.topics_cancelled {
        out.push(format!(
            "× Hủy {}{}",
            topic_name(stt, &t.id, &t.title),
            by(ctx, t.by.as_ref())
        ));
    }
    for t in &p.topics_removed {
        out.push(format!(
            "− {} không còn trong văn bản (removed)",
            topic_name(stt, &t.id, &t.title)
        ));
    }
    for t in &p.topics_moved {
        out.push(format!(
            "↕ Chuyển chuyên đề «{}»: STT {} → STT {}{}",
            render::excerpt(&t.title, EXCERPT),
            t.from_index + 1,
            t.to_index + 1,
            by(ctx, t.by.as_ref())
        ));
    }
    for c in &p.topic_fields {
        let name = topic_name(stt, &c.topic_id, &c.topic_title);
        let mut name_chars = name.chars();
        let first = name_chars.next().map(|c| c.to_uppercase().to_string());
        out.push(format!(
            "{}{} › {}: {} → {}{}",
            first.unwrap_or_default(),
            name_chars.as_str(),
            render::field_label(FieldScope::Topic, &c.change.field),
            value(ctx, &c.change.from),
            value(ctx, &c.change.to),
            by(ctx, c.change.by.as_ref())
        ));
    }
    out.extend(text_lines(ctx, "I. Mục đích, yêu cầu", &p.purpose));
    out.extend(text_lines(ctx, "III. Tổ chức thực hiện", &p.implementation));
    out
}

fn text_lines(ctx: &Ctx<'_>, section: &str, edits: &[TextEdit]) -> Vec<String> {
    edits
        .iter()
        .map(|e| match e.kind {
            TextEditKind::Inserted => format!(
                "{section}: thêm «{}» tại ký tự {}{}",
                render::excerpt(&e.text, EXCERPT),
                e.new_at,
                by(ctx, e.by.as_ref())
            ),
            TextEditKind::Deleted => format!(
                "{section}: xóa «{}» tại ký tự {}{}",
                render::excerpt(&e.text, EXCERPT),
                e.old_at,
                by(ctx, e.by.as_ref())
            ),
        })
        .collect()
}

fn comment_what(c: &CommentNote) -> String {
    match (c.kind, &c.reply_to) {
        (CommentKind::Comment, Some(_)) => "trả lời".to_owned(),
        (kind, _) => render::lower(kind.label_vi()),
    }
}

fn text_doc_lines(ctx: &Ctx<'_>, t: &TextDocDelta) -> Vec<String> {
    let mut out = Vec::new();
    for f in &t.fields {
        out.push(format!(
            "{}: {} → {}{}",
            render::field_label(FieldScope::Document, &f.field),
            value(ctx, &f.from),
            value(ctx, &f.to),
            by(ctx, f.by.as_ref())
        ));
    }
    out.extend(text_lines(ctx, "Nội dung", &t.body));
    // What happened to each comment, and whether to name who did it (the author, for an
    // addition or a deletion, is already named).
    let groups: [(&str, &[CommentNote], bool); 4] = [
        ("+ Thêm", &t.comments_added, false),
        ("✓ Đã giải quyết", &t.comments_resolved, true),
        ("↺ Mở lại", &t.comments_reopened, true),
        ("− Đã xóa", &t.comments_deleted, false),
    ];
    for (what, comments, name_doer) in groups {
        for c in comments {
            let doer = if name_doer {
                by(ctx, c.by.as_ref())
            } else {
                String::new()
            };
            out.push(format!(
                "{what} {} của {}: «{}»{doer}",
                comment_what(c),
                ctx.name(c.author.as_str()),
                c.excerpt
            ));
        }
    }
    for a in &t.attachments_added {
        out.push(format!(
            "+ Đính kèm «{}» ({}) của {}",
            a.name,
            crate::blob::human_size(a.size),
            ctx.name(a.added_by.as_str())
        ));
    }
    for p in &t.proposals {
        out.push(format!(
            "Hiến kế của {} «{}»: {} → {}",
            ctx.name(p.comment.author.as_str()),
            p.comment.excerpt,
            render::lower(p.from.label_vi()),
            render::lower(p.to.label_vi())
        ));
    }
    out
}
