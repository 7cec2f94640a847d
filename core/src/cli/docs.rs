//! `draft`, `material`, `doc`, `comment` and `proposal`: the texts members write and the
//! comments and proposals they make on them.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::args::{BodySource, CommentCmd, DocCmd, DraftCmd, MaterialCmd, ProposalCmd};
use super::member::default_branch;
use super::resolve::{self, Edit, Want, read_text_file, text_edit};
use super::{Ctx, render};
use crate::ids::{BranchId, CommentId, DocId, DocKind, TopicId};
use crate::model::text_doc::{
    self, Comment, CommentKind, NewComment, NewTextDoc, ProposalStatus, TextDocument,
};
use crate::{Error, Result};

/// `--json` of `doc show` and document edits: the document, plus names and its topic.
#[derive(Debug, Serialize)]
struct DocView<'a> {
    #[serde(flatten)]
    doc: &'a TextDocument,
    /// The topic's STT and title, when the plan is in this store.
    topic: Option<TopicRef>,
    /// Member id → full name for the authors the directory knows.
    member_names: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub(super) struct TopicRef {
    stt: usize,
    title: String,
}

/// `--json` of comment commands: the comment as it now is.
#[derive(Debug, Serialize)]
struct CommentView<'a> {
    doc_id: &'a DocId,
    #[serde(flatten)]
    comment: &'a Comment,
    author_name: Option<String>,
}

fn body_of(b: BodySource) -> Result<String> {
    match (b.body, b.body_file) {
        (Some(t), _) => Ok(t),
        (None, Some(p)) => read_text_file(&p),
        (None, None) => Ok(String::new()),
    }
}

pub(super) fn draft(ctx: &mut Ctx<'_>, c: DraftCmd) -> Result<()> {
    let DraftCmd::Create {
        plan,
        topic,
        title,
        body,
    } = c;
    let plan_id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
    let p = ctx.store.plan(&plan_id)?;
    let (_, t) = resolve::topic(&p, &topic)?;
    let new = NewTextDoc {
        kind: DocKind::TopicDraft,
        branch_id: p.branch_id.clone(),
        plan_id: Some(plan_id.clone()),
        topic_id: Some(t.id.clone()),
        title: title.unwrap_or_else(|| t.title.clone()),
        description: String::new(),
        body: body_of(body)?,
    };
    let id = ctx.store.create_text_doc(&new)?;
    emit_doc(ctx, &id, |_, d| d.id.to_string())
}

pub(super) fn material(ctx: &mut Ctx<'_>, c: MaterialCmd) -> Result<()> {
    let MaterialCmd::Create {
        title,
        plan,
        topic,
        description,
        body,
    } = c;
    let (branch_id, plan_id, topic_id): (BranchId, Option<DocId>, Option<TopicId>) = match plan {
        Some(plan) => {
            let plan_id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&plan_id)?;
            let topic_id = match topic {
                Some(t) => Some(resolve::topic(&p, &t)?.1.id.clone()),
                None => None,
            };
            (p.branch_id, Some(plan_id), topic_id)
        }
        None => (default_branch(ctx)?, None, None),
    };
    let new = NewTextDoc {
        kind: DocKind::Material,
        branch_id,
        plan_id,
        topic_id,
        title,
        description,
        body: body_of(body)?,
    };
    let id = ctx.store.create_text_doc(&new)?;
    emit_doc(ctx, &id, |_, d| d.id.to_string())
}

/// The STT and title of a document's topic, if its plan is in the store.
pub(super) fn topic_ref(ctx: &mut Ctx<'_>, d: &TextDocument) -> Option<TopicRef> {
    let plan = ctx.store.plan(d.plan_id.as_ref()?).ok()?;
    let topic = d.topic_id.as_ref()?;
    plan.topics
        .iter()
        .position(|t| &t.id == topic)
        .map(|i| TopicRef {
            stt: i + 1,
            title: plan.topics[i].title.clone(),
        })
}

fn emit_doc(
    ctx: &mut Ctx<'_>,
    id: &DocId,
    text: impl FnOnce(&Ctx<'_>, &TextDocument) -> String,
) -> Result<()> {
    let d = ctx.store.text_doc(id)?;
    let topic = topic_ref(ctx, &d);
    let text = text(ctx, &d);
    let view = DocView {
        doc: &d,
        topic,
        member_names: ctx.names_of(
            d.comments.iter().map(|c| c.author.as_str()).chain(
                d.comments
                    .iter()
                    .filter_map(|c| c.resolved_by.as_ref().map(|m| m.as_str())),
            ),
        ),
    };
    ctx.emit(&view, &text)
}

pub(super) fn doc(ctx: &mut Ctx<'_>, c: DocCmd) -> Result<()> {
    match c {
        DocCmd::List { plan } => {
            let plan_id = match plan {
                Some(p) => Some(resolve::doc(&ctx.store, &p, Want::Plan)?),
                None => None,
            };
            let rows = ctx.store.text_doc_rows(plan_id.as_ref())?;
            let mut topics: HashMap<String, String> = HashMap::new();
            for p in ctx.store.plan_rows(None)? {
                for t in ctx.store.topic_rows(&p.doc_id)? {
                    topics.insert(t.topic_id.to_string(), format!("{}. {}", t.ord, t.title));
                }
            }
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        render::short(r.doc_id.as_str()),
                        r.kind.label_vi().into(),
                        r.title.clone(),
                        topics.get(&r.topic_id).cloned().unwrap_or_default(),
                        r.body_chars.to_string(),
                        r.comment_count.to_string(),
                        r.open_proposal_count.to_string(),
                        r.unresolved_threads.to_string(),
                        r.conflict_count.to_string(),
                    ]
                })
                .collect();
            let text = if rows.is_empty() {
                "no drafts or materials yet".to_owned()
            } else {
                render::table(
                    &[
                        "Mã",
                        "Loại",
                        "Tiêu đề",
                        "Chuyên đề",
                        "Ký tự",
                        "Góp ý",
                        "Hiến kế mở",
                        "Chưa giải quyết",
                        "Xung đột",
                    ],
                    &[8, 17, 36, 30, 6, 5, 10, 15, 8],
                    &cells,
                )
            };
            ctx.emit(&rows, &text)
        }
        DocCmd::Show { doc } => {
            let id = resolve::doc(&ctx.store, &doc, Want::Text)?;
            let d = ctx.store.text_doc(&id)?;
            let topic = topic_ref(ctx, &d);
            emit_doc(ctx, &id, |ctx, d| show_text(ctx, d, topic.as_ref()))
        }
        DocCmd::Edit { doc, title, edit } => {
            let id = resolve::doc(&ctx.store, &doc, Want::Text)?;
            if let Some(title) = title {
                ctx.store
                    .edit(&id, |d, e| text_doc::set_title(d, e, &title))?;
                return emit_doc(ctx, &id, |_, d| format!("renamed to «{}»", d.title));
            }
            match text_edit(edit)? {
                None => {
                    return Err(Error::InvalidInput(
                        "say what to change: --set, --set-file, --insert, --delete or --title"
                            .into(),
                    ));
                }
                Some(Edit::Replace(t)) => ctx.store.replace_body(&id, &t)?,
                Some(Edit::Splice {
                    pos,
                    delete,
                    insert,
                }) => ctx.store.splice_body(&id, pos, delete, &insert)?,
            }
            emit_doc(ctx, &id, |_, d| {
                format!(
                    "edited «{}»: {} characters now",
                    d.title,
                    d.body.chars().count()
                )
            })
        }
    }
}

/// A draft or material as text: header, body, then comment threads.
pub(super) fn show_text(ctx: &Ctx<'_>, d: &TextDocument, topic: Option<&TopicRef>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} · {}", d.kind.label_vi().to_uppercase(), d.title);
    let mut head = vec![format!("Mã: {}", d.id)];
    if let Some(p) = &d.plan_id {
        head.push(format!("Kế hoạch: {}", render::short(p.as_str())));
    }
    if let Some(t) = topic {
        head.push(format!("Chuyên đề {}: {}", t.stt, t.title));
    }
    let _ = writeln!(s, "{}", head.join(" · "));
    if !d.description.is_empty() {
        let _ = writeln!(s, "Mô tả: {}", d.description);
    }
    if !d.attachments.is_empty() {
        let _ = writeln!(s, "Tệp đính kèm: {}", d.attachments.len());
        for a in &d.attachments {
            let here = if ctx.store.has_blob(&a.sha256).unwrap_or(false) {
                "có trên máy"
            } else {
                "chưa tải: sotay blob fetch"
            };
            let _ = writeln!(
                s,
                "  [{}] {} · {} · {} · {} · {here}",
                render::short(&a.sha256.to_hex()),
                a.name,
                crate::blob::human_size(a.size),
                ctx.name(a.added_by.as_str()),
                render::time_vi(a.added_at)
            );
        }
    }
    let rule = "─".repeat(60);
    let _ = writeln!(s, "{rule}");
    if d.body.is_empty() {
        let _ = writeln!(s, "(chưa có nội dung)");
    } else {
        let _ = writeln!(s, "{}", d.body.trim_end());
    }
    let _ = writeln!(s, "{rule}");
    let live = d.comments.iter().filter(|c| !c.deleted).count();
    let open = d
        .comments
        .iter()
        .filter(|c| !c.deleted && c.status == Some(ProposalStatus::Open))
        .count();
    let _ = writeln!(s, "Góp ý: {live} (hiến kế đang mở: {open})");
    let ids: Vec<&CommentId> = d.comments.iter().map(|c| &c.id).collect();
    let mut children: HashMap<&CommentId, Vec<&Comment>> = HashMap::new();
    let mut roots = Vec::new();
    for c in &d.comments {
        match &c.reply_to {
            Some(parent) if ids.contains(&parent) => {
                children.entry(parent).or_default().push(c);
            }
            _ => roots.push(c),
        }
    }
    for c in roots {
        s.push('\n');
        write_thread(ctx, &mut s, c, &children, 0);
    }
    s
}

fn write_thread(
    ctx: &Ctx<'_>,
    s: &mut String,
    c: &Comment,
    children: &HashMap<&CommentId, Vec<&Comment>>,
    depth: usize,
) {
    let pad = "    ".repeat(depth);
    let lead = if depth == 0 { "" } else { "↳ " };
    let what = match (c.kind, c.status) {
        (CommentKind::Proposal, Some(st)) => {
            format!("{} ({})", c.kind.label_vi(), render::lower(st.label_vi()))
        }
        (CommentKind::Comment, _) if depth > 0 => "Trả lời".to_owned(),
        (kind, _) => kind.label_vi().to_owned(),
    };
    let mut head = format!(
        "{pad}{lead}[{}] {what} · {} · {}",
        render::short(c.id.as_str()),
        ctx.name(c.author.as_str()),
        render::time_vi(c.created_at)
    );
    if c.edited_at.is_some() && !c.deleted {
        head.push_str(" (đã sửa)");
    }
    if c.resolved {
        head.push_str(" · đã giải quyết");
        if let Some(by) = &c.resolved_by {
            let _ = write!(head, " ({})", ctx.name(by.as_str()));
        }
    }
    let _ = writeln!(s, "{head}");
    let body_pad = format!("{pad}{}", if depth == 0 { "    " } else { "      " });
    if let Some(a) = &c.anchor {
        let line = if a.orphaned {
            format!("về «{}» — đoạn này đã bị xóa", a.quote)
        } else if a.current != a.quote && !a.quote.is_empty() {
            format!("về «{}» (lúc góp ý: «{}»)", a.current, a.quote)
        } else {
            format!("về «{}»", a.current)
        };
        let _ = writeln!(s, "{body_pad}{line}");
    }
    if c.deleted {
        let _ = writeln!(s, "{body_pad}(đã xóa)");
    } else {
        s.push_str(&render::indent(&c.body, &body_pad));
    }
    for r in children.get(&c.id).into_iter().flatten() {
        write_thread(ctx, s, r, children, depth + 1);
    }
}

fn emit_comment(
    ctx: &mut Ctx<'_>,
    doc: &DocId,
    comment: &CommentId,
    text: impl FnOnce(&Comment) -> String,
) -> Result<()> {
    let d = ctx.store.text_doc(doc)?;
    let c = d
        .comments
        .iter()
        .find(|c| &c.id == comment)
        .ok_or_else(|| Error::CommentNotFound(comment.to_string()))?;
    let text = text(c);
    let view = CommentView {
        doc_id: doc,
        comment: c,
        author_name: ctx.names.get(c.author.as_str()).cloned(),
    };
    ctx.emit(&view, &text)
}

/// Resolves DOC and COMMENT arguments to ids.
fn doc_and_comment(ctx: &mut Ctx<'_>, doc: &str, comment: &str) -> Result<(DocId, CommentId)> {
    let id = resolve::doc(&ctx.store, doc, Want::Text)?;
    let d = ctx.store.text_doc(&id)?;
    let c = resolve::comment(&d, comment)?.id.clone();
    Ok((id, c))
}

pub(super) fn comment(ctx: &mut Ctx<'_>, c: CommentCmd) -> Result<()> {
    match c {
        CommentCmd::Add {
            doc,
            text,
            proposal,
            on,
            range,
            reply_to,
        } => {
            let id = resolve::doc(&ctx.store, &doc, Want::Text)?;
            let d = ctx.store.text_doc(&id)?;
            let anchor = match (on, range) {
                (Some(words), _) => Some(resolve::words(&d.body, &words)?),
                (None, Some(r)) => match r.as_slice() {
                    [s, e] => Some((*s, *e)),
                    _ => return Err(Error::InvalidInput("--range takes START END".into())),
                },
                (None, None) => None,
            };
            let reply_to = match reply_to {
                Some(r) => Some(resolve::comment(&d, &r)?.id.clone()),
                None => None,
            };
            let new = NewComment {
                kind: if proposal {
                    CommentKind::Proposal
                } else {
                    CommentKind::Comment
                },
                body: text,
                anchor,
                reply_to,
            };
            let cid = ctx.store.add_comment(&id, &new)?;
            emit_comment(ctx, &id, &cid, |c| c.id.to_string())
        }
        CommentCmd::Edit { doc, comment, text } => {
            let (id, cid) = doc_and_comment(ctx, &doc, &comment)?;
            ctx.store.edit_comment(&id, &cid, &text)?;
            emit_comment(ctx, &id, &cid, |c| {
                format!("comment {} edited", render::short(c.id.as_str()))
            })
        }
        CommentCmd::Delete { doc, comment } => {
            let (id, cid) = doc_and_comment(ctx, &doc, &comment)?;
            ctx.store.delete_comment(&id, &cid)?;
            emit_comment(ctx, &id, &cid, |c| {
                format!("comment {} deleted (đã xóa)", render::short(c.id.as_str()))
            })
        }
        CommentCmd::Resolve {
            doc,
            comment,
            reopen,
        } => {
            let (id, cid) = doc_and_comment(ctx, &doc, &comment)?;
            ctx.store.resolve_comment(&id, &cid, !reopen)?;
            emit_comment(ctx, &id, &cid, |c| {
                format!(
                    "comment {} {}",
                    render::short(c.id.as_str()),
                    if c.resolved {
                        "resolved (đã giải quyết)"
                    } else {
                        "reopened"
                    }
                )
            })
        }
    }
}

pub(super) fn proposal(ctx: &mut Ctx<'_>, c: ProposalCmd) -> Result<()> {
    let ProposalCmd::Status {
        doc,
        comment,
        status,
    } = c;
    let status = ProposalStatus::parse(status.trim())?;
    let (id, cid) = doc_and_comment(ctx, &doc, &comment)?;
    ctx.store.set_proposal_status(&id, &cid, status)?;
    emit_comment(ctx, &id, &cid, |c| {
        format!(
            "proposal {}: {}",
            render::short(c.id.as_str()),
            c.status
                .map(|st| render::lower(st.label_vi()))
                .unwrap_or_default()
        )
    })
}
