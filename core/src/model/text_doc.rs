//! Topic drafts (dự thảo) and study materials (tài liệu), with anchored comments and
//! proposals (góp ý, hiến kế).
//!
//! Each draft or material is a document of its own, so a long draft or hundreds of comments
//! never slow the plan down. Document layout (root map):
//! ```text
//! doc_id, kind = "topic_draft" | "material", schema_version
//! branch_id, plan_id, topic_id, title, description
//! body: Text                               — the collaborative text
//! comments: { <id>: { kind, author, created_at, body, reply_to, anchor_start, anchor_end,
//!                     quote, edited_at, deleted, resolved, resolved_by, status } }
//! attachment/<sha256>: { name, mime, size, added_by, added_at }   — materials' files
//! ```
//! Anchors are Automerge cursors: they name characters, not offsets, so a comment stays on
//! its words while others insert and delete around them, offline and concurrently.

use automerge::{
    AutoCommit, Cursor, MoveCursor, ObjId, ObjType, ROOT, ReadDoc, transaction::Transactable,
};
use serde::{Deserialize, Serialize};

use super::{Document, Editor, View, put_map, put_str, put_text, splice_nfc};
use crate::ids::{BranchId, CommentId, DocId, DocKind, MemberId, TopicId};
use crate::text::nfc;
use crate::{Error, Result};

mod attachments;
pub(crate) use attachments::KEY_PREFIX as ATTACHMENT_KEY_PREFIX;
pub use attachments::{
    Attachment, NewAttachment, add_attachment, attachment, attachments, check_attachments,
    guess_mime,
};
pub(crate) use attachments::{
    checked as checked_attachment, expect_material, read as read_attachments,
};

/// A comment or a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentKind {
    /// Góp ý.
    Comment,
    /// Giải pháp, hiến kế — followed until done.
    Proposal,
}

impl CommentKind {
    fn as_str(self) -> &'static str {
        match self {
            CommentKind::Comment => "comment",
            CommentKind::Proposal => "proposal",
        }
    }
}

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Made, not yet decided.
    Open,
    /// Adopted by the branch.
    Accepted,
    /// Not adopted.
    Rejected,
    /// Adopted and carried out.
    Done,
}

impl ProposalStatus {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Done => "done",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "open" => Ok(ProposalStatus::Open),
            "accepted" => Ok(ProposalStatus::Accepted),
            "rejected" => Ok(ProposalStatus::Rejected),
            "done" => Ok(ProposalStatus::Done),
            other => Err(Error::InvalidInput(format!(
                "unknown proposal status {other:?} (open, accepted, rejected, done)"
            ))),
        }
    }
}

/// Where a comment sits in the text, resolved against the current (or viewed) version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Start, in Unicode code points.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The text the comment was made on, as it was then.
    pub quote: String,
    /// The text in the range now.
    pub current: String,
    /// Every anchored character has since been deleted.
    pub orphaned: bool,
}

/// A comment, proposal or reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// Stable id.
    pub id: CommentId,
    /// Comment or proposal.
    pub kind: CommentKind,
    /// Author.
    pub author: MemberId,
    /// When it was written (Unix seconds, the author's clock).
    pub created_at: i64,
    /// When the author last edited it.
    pub edited_at: Option<i64>,
    /// The text (empty once deleted).
    pub body: String,
    /// The comment this replies to.
    pub reply_to: Option<CommentId>,
    /// The anchored range, for anchored root comments.
    pub anchor: Option<Anchor>,
    /// Deleted by its author (kept as a tombstone so replies keep their thread).
    pub deleted: bool,
    /// The thread was resolved.
    pub resolved: bool,
    /// Who resolved it.
    pub resolved_by: Option<MemberId>,
    /// A proposal's status.
    pub status: Option<ProposalStatus>,
}

/// What a new comment carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    /// Comment or proposal.
    pub kind: CommentKind,
    /// The text.
    pub body: String,
    /// The range it is about (code points, end exclusive); `None` for the whole document.
    #[serde(default)]
    pub anchor: Option<(usize, usize)>,
    /// The comment it replies to.
    #[serde(default)]
    pub reply_to: Option<CommentId>,
}

/// A draft or material with its comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDocument {
    /// The document id.
    pub id: DocId,
    /// Draft or material.
    pub kind: DocKind,
    /// The branch.
    pub branch_id: BranchId,
    /// The plan it belongs to.
    pub plan_id: Option<DocId>,
    /// The topic it belongs to.
    pub topic_id: Option<TopicId>,
    /// Title.
    pub title: String,
    /// A material's description (source, author).
    pub description: String,
    /// The text.
    pub body: String,
    /// Comments, proposals and replies, oldest first.
    pub comments: Vec<Comment>,
    /// A material's attached files, oldest first (their bytes are blobs: [`crate::blob`]).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// What a new draft or material starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTextDoc {
    /// `TopicDraft` or `Material`.
    pub kind: DocKind,
    /// The branch.
    pub branch_id: BranchId,
    /// The plan.
    #[serde(default)]
    pub plan_id: Option<DocId>,
    /// The topic.
    #[serde(default)]
    pub topic_id: Option<TopicId>,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Initial text.
    #[serde(default)]
    pub body: String,
}

/// Creates a draft or material document.
pub fn create(new: &NewTextDoc, editor: &Editor) -> Result<Document> {
    if !new.kind.is_text() {
        return Err(Error::InvalidInput(format!(
            "{} is not a text document kind",
            new.kind
        )));
    }
    let title = nfc(new.title.trim());
    if title.is_empty() {
        return Err(Error::InvalidInput(
            "a draft or material needs a title".into(),
        ));
    }
    if new.kind == DocKind::TopicDraft && new.topic_id.is_none() {
        return Err(Error::InvalidInput("a topic draft needs its topic".into()));
    }
    Document::create(DocId::random(), new.kind, editor, |doc| {
        put_str(doc, &ROOT, "branch_id", new.branch_id.as_str())?;
        put_str(
            doc,
            &ROOT,
            "plan_id",
            new.plan_id.as_ref().map_or("", |p| p.as_str()),
        )?;
        put_str(
            doc,
            &ROOT,
            "topic_id",
            new.topic_id.as_ref().map_or("", |p| p.as_str()),
        )?;
        put_str(doc, &ROOT, "title", &title)?;
        put_str(doc, &ROOT, "description", new.description.trim())?;
        put_text(doc, &ROOT, "body", &new.body)?;
        put_map(doc, &ROOT, "comments")?;
        Ok(())
    })
}

fn expect_text(doc: &Document) -> Result<()> {
    if !doc.kind().is_text() {
        return Err(Error::WrongKind {
            id: doc.id().to_string(),
            expected: "topic_draft or material",
            actual: doc.kind().to_string(),
        });
    }
    Ok(())
}

fn body_obj(view: View<'_>) -> Result<ObjId> {
    view.obj(&ROOT, "body", ObjType::Text)
        .ok_or_else(|| Error::InvalidDocument("the document has no body text".into()))
}

fn comments_obj(view: View<'_>) -> Result<ObjId> {
    view.obj(&ROOT, "comments", ObjType::Map)
        .ok_or_else(|| Error::InvalidDocument("the document has no comments map".into()))
}

fn comment_obj(d: &AutoCommit, id: &CommentId) -> Result<ObjId> {
    let view = View::new(d, None);
    let comments = comments_obj(view)?;
    view.obj(&comments, id.as_str(), ObjType::Map)
        .ok_or_else(|| Error::CommentNotFound(id.to_string()))
}

/// Reads the whole document at the view's version.
pub(crate) fn read(doc: &Document, view: View<'_>) -> Result<TextDocument> {
    expect_text(doc)?;
    let body = body_obj(view)?;
    let body_text = view.text(&body);
    let comments = read_comments(view, &body, &body_text)?;
    Ok(TextDocument {
        id: doc.id().clone(),
        kind: doc.kind(),
        branch_id: BranchId::new(view.str(&ROOT, "branch_id").unwrap_or_default()),
        plan_id: view.opt_str(&ROOT, "plan_id").map(DocId::new),
        topic_id: view.opt_str(&ROOT, "topic_id").map(TopicId::new),
        title: view.str(&ROOT, "title").unwrap_or_default(),
        description: view.str(&ROOT, "description").unwrap_or_default(),
        body: body_text,
        comments,
        attachments: attachments::read(view),
    })
}

fn read_comments(view: View<'_>, body: &ObjId, body_text: &str) -> Result<Vec<Comment>> {
    let comments = comments_obj(view)?;
    let chars: Vec<char> = body_text.chars().collect();
    let mut out = Vec::new();
    for key in view.keys(&comments) {
        let Some(o) = view.obj(&comments, &key, ObjType::Map) else {
            continue;
        };
        let kind = match view.str(&o, "kind").as_deref() {
            Some("proposal") => CommentKind::Proposal,
            _ => CommentKind::Comment,
        };
        let anchor = read_anchor(view, body, &o, &chars);
        let lamport = match &o {
            ObjId::Id(counter, _, _) => *counter,
            ObjId::Root => 0,
        };
        let comment = Comment {
            id: CommentId::new(&key),
            kind,
            author: MemberId::new(view.str(&o, "author").unwrap_or_default()),
            created_at: view.i64(&o, "created_at").unwrap_or_default(),
            edited_at: view.i64(&o, "edited_at").filter(|t| *t > 0),
            body: view.str(&o, "body").unwrap_or_default(),
            reply_to: view.opt_str(&o, "reply_to").map(CommentId::new),
            anchor,
            deleted: view.bool(&o, "deleted").unwrap_or(false),
            resolved: view.bool(&o, "resolved").unwrap_or(false),
            resolved_by: view.opt_str(&o, "resolved_by").map(MemberId::new),
            status: (kind == CommentKind::Proposal).then(|| {
                view.str(&o, "status")
                    .and_then(|s| ProposalStatus::parse(&s).ok())
                    .unwrap_or(ProposalStatus::Open)
            }),
        };
        out.push((comment, lamport));
    }
    // Same second: the Lamport counter of the comment's creation keeps causal order.
    out.sort_by(|a, b| (a.0.created_at, a.1, &a.0.id).cmp(&(b.0.created_at, b.1, &b.0.id)));
    Ok(out.into_iter().map(|(c, _)| c).collect())
}

/// Where a stored cursor points now. `None` if the cursor string is not a cursor.
///
/// Automerge 0.12 has a debug assertion that fails (a panic, in debug builds only) when a
/// cursor's character was deleted together with everything after it (automerge#1570). The
/// lookup is read-only, so a panic leaves the document intact; the position it would have
/// found is then the end of the text, which is what we use.
fn cursor_position(view: View<'_>, body: &ObjId, s: &str, len: usize) -> Option<usize> {
    let cursor = Cursor::try_from(s).ok()?;
    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        view.doc().get_cursor_position(body, &cursor, view.heads())
    }));
    match found {
        Ok(Ok(p)) => Some(p),
        Ok(Err(_)) | Err(_) => Some(len),
    }
}

fn read_anchor(view: View<'_>, body: &ObjId, o: &ObjId, chars: &[char]) -> Option<Anchor> {
    let start_s = view.opt_str(o, "anchor_start")?;
    let len = chars.len();
    let start = cursor_position(view, body, &start_s, len)?;
    let quote = view.str(o, "quote").unwrap_or_default();
    // The end cursor names the last anchored character ("before" semantics); a point anchor
    // has none.
    let end = match view.opt_str(o, "anchor_end") {
        Some(e) => cursor_position(view, body, &e, len.saturating_sub(1)).map(|p| p + 1)?,
        None => start,
    };
    let orphaned = !quote.is_empty() && end <= start;
    let end = end.max(start).min(chars.len());
    let start = start.min(end);
    Some(Anchor {
        start,
        end,
        current: chars[start..end].iter().collect(),
        quote,
        orphaned,
    })
}

/// A comment's stored fields as they are, without resolving its anchor (cheap): what the
/// server compares before and after a push to check who changed which comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawComment {
    /// Author.
    pub author: String,
    /// Comment or proposal, plus everything only the author may change (body, edit time,
    /// deletion, thread, anchor, quote, creation time), as stored.
    pub authored: Vec<Option<String>>,
    /// Resolved, and by whom.
    pub resolved: (bool, Option<String>),
    /// A proposal's status.
    pub status: Option<String>,
}

/// Every comment's [`RawComment`], at the current version.
pub fn raw_comments(doc: &Document) -> Result<std::collections::BTreeMap<CommentId, RawComment>> {
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    let keys = view.keys(&comments);
    Ok(read_raw(view, &comments, keys.iter().map(String::as_str)))
}

/// The [`RawComment`]s of `ids` that exist now (cheap: only those comments are read).
pub fn raw_comments_of<'a>(
    doc: &Document,
    ids: impl IntoIterator<Item = &'a CommentId>,
) -> Result<std::collections::BTreeMap<CommentId, RawComment>> {
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    Ok(read_raw(
        view,
        &comments,
        ids.into_iter().map(|c| c.as_str()),
    ))
}

fn read_raw<'k>(
    view: View<'_>,
    comments: &ObjId,
    keys: impl Iterator<Item = &'k str>,
) -> std::collections::BTreeMap<CommentId, RawComment> {
    let mut out = std::collections::BTreeMap::new();
    for key in keys {
        let Some(o) = view.obj(comments, key, ObjType::Map) else {
            continue;
        };
        let text = |k: &str| view.opt_str(&o, k);
        let authored = vec![
            text("kind"),
            text("body"),
            view.i64(&o, "edited_at").map(|t| t.to_string()),
            view.i64(&o, "created_at").map(|t| t.to_string()),
            view.bool(&o, "deleted").map(|b| b.to_string()),
            text("reply_to"),
            text("anchor_start"),
            text("anchor_end"),
            text("quote"),
        ];
        out.insert(
            CommentId::new(key),
            RawComment {
                author: view.str(&o, "author").unwrap_or_default(),
                authored,
                resolved: (
                    view.bool(&o, "resolved").unwrap_or(false),
                    text("resolved_by"),
                ),
                status: text("status"),
            },
        );
    }
    out
}

/// The comments that `changes` write to, read from their operations (call it on the
/// document *before* the changes are applied): an operation on the comments map names its
/// comment by key; an operation on an object inside the document is traced to its comment
/// through the object's parents. Objects the changes themselves create are new comments,
/// named by the operation that puts them into the comments map. Cost: the changes'
/// operations, not the document's comments.
pub fn comments_touched_by(
    doc: &Document,
    changes: &[super::DecodedChange],
) -> Result<std::collections::BTreeSet<CommentId>> {
    use automerge::ReadDoc;
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    let am = &doc.doc;
    let mut out = std::collections::BTreeSet::new();
    for c in changes {
        let expanded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.change.decode()))
            .map_err(|_| Error::InvalidDocument("a change does not expand".into()))?;
        for op in &expanded.operations {
            let obj_s = op.obj.to_string();
            let Ok(Ok(obj)) =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| am.import_obj(&obj_s)))
            else {
                continue; // an object created by these changes: see the put into the map
            };
            if obj == comments {
                if let automerge::legacy::Key::Map(k) = &op.key {
                    out.insert(CommentId::new(k.as_str()));
                }
                continue;
            }
            let Ok(parents) = am.parents(&obj) else {
                continue;
            };
            for p in parents {
                if p.obj == comments {
                    if let automerge::Prop::Map(k) = &p.prop {
                        out.insert(CommentId::new(k));
                    }
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// What following a thread needs of one comment (no body, no anchor: cheap to read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentMeta {
    /// Stable id.
    pub id: CommentId,
    /// Comment or proposal.
    pub kind: CommentKind,
    /// Author.
    pub author: MemberId,
    /// The comment this replies to.
    pub reply_to: Option<CommentId>,
    /// Deleted by its author.
    pub deleted: bool,
    /// The thread was resolved (meaningful on roots).
    pub resolved: bool,
    /// A proposal's status.
    pub status: Option<ProposalStatus>,
    /// When it was written (the author's device clock).
    pub created_at: i64,
    /// What it says.
    pub body: String,
}

fn meta_of(view: View<'_>, key: &str, o: &ObjId) -> CommentMeta {
    let kind = match view.str(o, "kind").as_deref() {
        Some("proposal") => CommentKind::Proposal,
        _ => CommentKind::Comment,
    };
    CommentMeta {
        id: CommentId::new(key),
        kind,
        author: MemberId::new(view.str(o, "author").unwrap_or_default()),
        reply_to: view.opt_str(o, "reply_to").map(CommentId::new),
        deleted: view.bool(o, "deleted").unwrap_or(false),
        resolved: view.bool(o, "resolved").unwrap_or(false),
        status: (kind == CommentKind::Proposal).then(|| {
            view.str(o, "status")
                .and_then(|s| ProposalStatus::parse(&s).ok())
                .unwrap_or(ProposalStatus::Open)
        }),
        created_at: view.i64(o, "created_at").unwrap_or_default(),
        body: view.str(o, "body").unwrap_or_default(),
    }
}

/// Every comment's [`CommentMeta`], in the order [`get`] lists comments (oldest first).
pub fn comment_metas(doc: &Document) -> Result<Vec<CommentMeta>> {
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    let mut out = Vec::new();
    for key in view.keys(&comments) {
        let Some(o) = view.obj(&comments, &key, ObjType::Map) else {
            continue;
        };
        let lamport = match &o {
            ObjId::Id(counter, _, _) => *counter,
            ObjId::Root => 0,
        };
        out.push((meta_of(view, &key, &o), lamport));
    }
    // The same order as `read_comments`.
    out.sort_by(|a, b| (a.0.created_at, a.1, &a.0.id).cmp(&(b.0.created_at, b.1, &b.0.id)));
    Ok(out.into_iter().map(|(c, _)| c).collect())
}

/// One comment's [`CommentMeta`].
pub fn comment_meta(doc: &Document, id: &CommentId) -> Result<CommentMeta> {
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    let o = view
        .obj(&comments, id.as_str(), ObjType::Map)
        .ok_or_else(|| Error::CommentNotFound(id.to_string()))?;
    Ok(meta_of(view, id.as_str(), &o))
}

/// The member who created the draft or material, if recorded: the author of its `comments`
/// map, which only the creator's first change makes (cheap: no history is read).
pub fn creator(doc: &Document) -> Option<MemberId> {
    match doc.view().obj(&ROOT, "comments", ObjType::Map)? {
        ObjId::Id(_, actor, _) => doc.member_of_actor(&actor),
        ObjId::Root => None,
    }
}

/// Reads the document at its current version.
pub fn get(doc: &Document) -> Result<TextDocument> {
    read(doc, doc.view())
}

/// Reads the document as it was at `heads`.
pub fn get_at(doc: &Document, heads: &[automerge::ChangeHash]) -> Result<TextDocument> {
    read(doc, doc.view_at(heads)?)
}

/// Counts for the read model, without materialising every comment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentCounts {
    /// Comments and proposals not deleted (replies included).
    pub total: u32,
    /// Proposals not deleted.
    pub proposals: u32,
    /// Proposals still open.
    pub open_proposals: u32,
    /// Root comments not resolved and not deleted.
    pub unresolved_threads: u32,
}

/// Counts comments (cheap: reads four keys a comment).
pub fn comment_counts(doc: &Document) -> Result<CommentCounts> {
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    let mut c = CommentCounts::default();
    for key in view.keys(&comments) {
        if let Some(o) = view.obj(&comments, &key, ObjType::Map) {
            c.add(&contribution(view, &o));
        }
    }
    Ok(c)
}

/// What one comment adds to the counts (all zero once deleted, or if it does not exist).
pub fn comment_contribution(doc: &Document, id: &CommentId) -> Result<CommentCounts> {
    expect_text(doc)?;
    let view = doc.view();
    let comments = comments_obj(view)?;
    Ok(view
        .obj(&comments, id.as_str(), ObjType::Map)
        .map(|o| contribution(view, &o))
        .unwrap_or_default())
}

fn contribution(view: View<'_>, o: &ObjId) -> CommentCounts {
    let mut c = CommentCounts::default();
    if view.bool(o, "deleted").unwrap_or(false) {
        return c;
    }
    c.total = 1;
    if view.str(o, "kind").as_deref() == Some("proposal") {
        c.proposals = 1;
        if view.str(o, "status").as_deref().unwrap_or("open") == "open" {
            c.open_proposals = 1;
        }
    }
    if view.opt_str(o, "reply_to").is_none() && !view.bool(o, "resolved").unwrap_or(false) {
        c.unresolved_threads = 1;
    }
    c
}

impl CommentCounts {
    /// Adds another count.
    pub fn add(&mut self, o: &CommentCounts) {
        self.total += o.total;
        self.proposals += o.proposals;
        self.open_proposals += o.open_proposals;
        self.unresolved_threads += o.unresolved_threads;
    }

    /// Replaces one comment's old contribution by its new one.
    pub fn replace(&mut self, before: &CommentCounts, after: &CommentCounts) {
        self.total = (self.total + after.total).saturating_sub(before.total);
        self.proposals = (self.proposals + after.proposals).saturating_sub(before.proposals);
        self.open_proposals =
            (self.open_proposals + after.open_proposals).saturating_sub(before.open_proposals);
        self.unresolved_threads = (self.unresolved_threads + after.unresolved_threads)
            .saturating_sub(before.unresolved_threads);
    }
}

/// Adds a comment, proposal or reply.
pub fn add_comment(doc: &mut Document, editor: &Editor, new: &NewComment) -> Result<CommentId> {
    expect_text(doc)?;
    let body = nfc(new.body.trim());
    if body.is_empty() {
        return Err(Error::InvalidInput("a comment must not be empty".into()));
    }
    if new.reply_to.is_some() && new.anchor.is_some() {
        return Err(Error::InvalidInput(
            "a reply sits in its thread and takes no anchor".into(),
        ));
    }
    let id = CommentId::random();
    doc.transact(editor, "comment.add", |d| {
        if let Some(parent) = &new.reply_to {
            comment_obj(d, parent)?;
        }
        let view = View::new(d, None);
        let text = body_obj(view)?;
        let comments = comments_obj(view)?;
        let (start_c, end_c, quote) = match new.anchor {
            None => (String::new(), String::new(), String::new()),
            Some((s, e)) => {
                let len = d.length(&text);
                if s > e || e > len {
                    return Err(Error::InvalidInput(format!(
                        "range {s}..{e} is outside the text (length {len})"
                    )));
                }
                let start = if s == len {
                    Cursor::End
                } else {
                    d.get_cursor_moving(&text, s, None, MoveCursor::After)?
                };
                let end = if e > s {
                    d.get_cursor_moving(&text, e - 1, None, MoveCursor::Before)?
                        .to_string()
                } else {
                    String::new()
                };
                let quote: String = d.text(&text)?.chars().skip(s).take(e - s).collect();
                (start.to_string(), end, quote)
            }
        };
        let o = put_map(d, &comments, id.as_str())?;
        put_str(d, &o, "kind", new.kind.as_str())?;
        put_str(d, &o, "author", editor.member.as_str())?;
        d.put(&o, "created_at", editor.time)?;
        put_str(d, &o, "body", &body)?;
        put_str(
            d,
            &o,
            "reply_to",
            new.reply_to.as_ref().map_or("", |r| r.as_str()),
        )?;
        put_str(d, &o, "anchor_start", &start_c)?;
        put_str(d, &o, "anchor_end", &end_c)?;
        put_str(d, &o, "quote", &quote)?;
        d.put(&o, "deleted", false)?;
        d.put(&o, "resolved", false)?;
        if new.kind == CommentKind::Proposal {
            put_str(d, &o, "status", ProposalStatus::Open.as_str())?;
        }
        Ok(())
    })?;
    Ok(id)
}

fn require_author(
    d: &AutoCommit,
    o: &ObjId,
    id: &CommentId,
    editor: &Editor,
    action: &'static str,
) -> Result<()> {
    let author = View::new(d, None).str(o, "author").unwrap_or_default();
    if author != editor.member.as_str() {
        return Err(Error::NotAuthor {
            comment: id.to_string(),
            action,
        });
    }
    Ok(())
}

/// Changes a comment's text (its author only).
pub fn edit_comment(doc: &mut Document, editor: &Editor, id: &CommentId, body: &str) -> Result<()> {
    expect_text(doc)?;
    let body = nfc(body.trim());
    if body.is_empty() {
        return Err(Error::InvalidInput(
            "a comment must not be empty; delete it instead".into(),
        ));
    }
    doc.transact(editor, "comment.edit", |d| {
        let o = comment_obj(d, id)?;
        require_author(d, &o, id, editor, "edit")?;
        if View::new(d, None).bool(&o, "deleted").unwrap_or(false) {
            return Err(Error::InvalidInput(format!("comment {id} was deleted")));
        }
        put_str(d, &o, "body", &body)?;
        d.put(&o, "edited_at", editor.time)?;
        Ok(())
    })
}

/// Deletes a comment (its author only): the text goes, a tombstone keeps the thread.
pub fn delete_comment(doc: &mut Document, editor: &Editor, id: &CommentId) -> Result<()> {
    expect_text(doc)?;
    doc.transact(editor, "comment.delete", |d| {
        let o = comment_obj(d, id)?;
        require_author(d, &o, id, editor, "delete")?;
        d.put(&o, "deleted", true)?;
        put_str(d, &o, "body", "")?;
        d.put(&o, "edited_at", editor.time)?;
        Ok(())
    })
}

/// Marks a thread resolved (or reopens it).
pub fn resolve_comment(
    doc: &mut Document,
    editor: &Editor,
    id: &CommentId,
    resolved: bool,
) -> Result<()> {
    expect_text(doc)?;
    doc.transact(
        editor,
        if resolved {
            "comment.resolve"
        } else {
            "comment.reopen"
        },
        |d| {
            let o = comment_obj(d, id)?;
            d.put(&o, "resolved", resolved)?;
            put_str(
                d,
                &o,
                "resolved_by",
                if resolved { editor.member.as_str() } else { "" },
            )?;
            Ok(())
        },
    )
}

/// Sets a proposal's status.
pub fn set_proposal_status(
    doc: &mut Document,
    editor: &Editor,
    id: &CommentId,
    status: ProposalStatus,
) -> Result<()> {
    expect_text(doc)?;
    doc.transact(editor, "proposal.status", |d| {
        let o = comment_obj(d, id)?;
        if View::new(d, None).str(&o, "kind").as_deref() != Some("proposal") {
            return Err(Error::InvalidInput(format!(
                "comment {id} is not a proposal"
            )));
        }
        put_str(d, &o, "status", status.as_str())
    })
}

/// Edits the body: delete `delete` code points at `pos`, insert `insert`.
pub fn splice_body(
    doc: &mut Document,
    editor: &Editor,
    pos: usize,
    delete: usize,
    insert: &str,
) -> Result<()> {
    expect_text(doc)?;
    doc.transact(editor, "body.splice", |d| {
        let text = body_obj(View::new(d, None))?;
        splice_nfc(d, &text, pos, delete, insert)
    })
}

/// Replaces the body with `text`, as the smallest edits.
pub fn replace_body(doc: &mut Document, editor: &Editor, text: &str) -> Result<()> {
    expect_text(doc)?;
    let text = nfc(text);
    doc.transact(editor, "body.replace", |d| {
        let obj = body_obj(View::new(d, None))?;
        d.update_text(&obj, &text)?;
        Ok(())
    })
}

/// Renames the document.
pub fn set_title(doc: &mut Document, editor: &Editor, title: &str) -> Result<()> {
    expect_text(doc)?;
    let title = nfc(title.trim());
    if title.is_empty() {
        return Err(Error::InvalidInput("the title must not be empty".into()));
    }
    doc.transact(editor, "title.set", |d| put_str(d, &ROOT, "title", &title))
}

/// The body's length in code points.
pub fn body_len(doc: &Document) -> Result<usize> {
    expect_text(doc)?;
    let view = doc.view();
    Ok(view.length(&body_obj(view)?))
}

/// A draft's or material's header fields and text length, without its comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDocHeader {
    /// The branch.
    pub branch_id: BranchId,
    /// The plan.
    pub plan_id: Option<DocId>,
    /// The topic.
    pub topic_id: Option<TopicId>,
    /// Title.
    pub title: String,
    /// Text length in code points.
    pub body_chars: usize,
}

/// Reads the header fields (cheap: no comment is materialised).
pub fn header(doc: &Document) -> Result<TextDocHeader> {
    expect_text(doc)?;
    let view = doc.view();
    Ok(TextDocHeader {
        branch_id: BranchId::new(view.str(&ROOT, "branch_id").unwrap_or_default()),
        plan_id: view.opt_str(&ROOT, "plan_id").map(DocId::new),
        topic_id: view.opt_str(&ROOT, "topic_id").map(TopicId::new),
        title: view.str(&ROOT, "title").unwrap_or_default(),
        body_chars: view.length(&body_obj(view)?),
    })
}
