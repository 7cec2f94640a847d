//! Topic drafts and study materials with their anchored comments and proposals, and the
//! conflicts (concurrent values) of any document.

use sotay_core::ids::{BranchId, CommentId, DocId, TopicId};
use sotay_core::model::conflict as core_conflict;
use sotay_core::model::text_doc as core_text;
use sotay_core::{ids, store as core_store};

use super::{n32, non_empty};
use crate::error::{ApiError, Result};

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DocKind {
    /// A branch's annual thematic plan.
    AnnualPlan,
    /// The draft text of one topic.
    TopicDraft,
    /// A study material.
    Material,
    /// A thematic session and its minutes.
    Session,
    /// One member's receipts.
    ReadingLog,
}

impl From<ids::DocKind> for DocKind {
    fn from(k: ids::DocKind) -> Self {
        match k {
            ids::DocKind::AnnualPlan => DocKind::AnnualPlan,
            ids::DocKind::TopicDraft => DocKind::TopicDraft,
            ids::DocKind::Material => DocKind::Material,
            ids::DocKind::Session => DocKind::Session,
            ids::DocKind::ReadingLog => DocKind::ReadingLog,
        }
    }
}

impl From<DocKind> for ids::DocKind {
    fn from(k: DocKind) -> Self {
        match k {
            DocKind::AnnualPlan => ids::DocKind::AnnualPlan,
            DocKind::TopicDraft => ids::DocKind::TopicDraft,
            DocKind::Material => ids::DocKind::Material,
            DocKind::Session => ids::DocKind::Session,
            DocKind::ReadingLog => ids::DocKind::ReadingLog,
        }
    }
}

/// A draft or material in lists (from the read model).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextDocRow {
    /// Document id.
    pub doc_id: String,
    /// Draft or material.
    pub kind: DocKind,
    /// Branch.
    pub branch_id: String,
    /// Plan.
    pub plan_id: Option<String>,
    /// Topic.
    pub topic_id: Option<String>,
    /// Title.
    pub title: String,
    /// Length of the text in characters.
    pub body_chars: u32,
    /// Comments and proposals (replies included, deleted ones not).
    pub comment_count: u32,
    /// Proposals.
    pub proposal_count: u32,
    /// Proposals still open.
    pub open_proposal_count: u32,
    /// Threads not yet resolved.
    pub unresolved_threads: u32,
    /// Fields with concurrent values.
    pub conflict_count: u32,
    /// Last write here (Unix seconds).
    pub updated_at: i64,
}

impl From<core_store::TextDocRow> for TextDocRow {
    fn from(r: core_store::TextDocRow) -> Self {
        TextDocRow {
            doc_id: r.doc_id.to_string(),
            kind: r.kind.into(),
            branch_id: r.branch_id.to_string(),
            plan_id: non_empty(&r.plan_id),
            topic_id: non_empty(&r.topic_id),
            title: r.title,
            body_chars: r.body_chars,
            comment_count: r.comment_count,
            proposal_count: r.proposal_count,
            open_proposal_count: r.open_proposal_count,
            unresolved_threads: r.unresolved_threads,
            conflict_count: r.conflict_count,
            updated_at: r.updated_at,
        }
    }
}

/// A comment (góp ý) or a proposal (giải pháp, hiến kế — followed until done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CommentKind {
    /// Góp ý.
    Comment,
    /// Giải pháp, hiến kế.
    Proposal,
}

impl From<core_text::CommentKind> for CommentKind {
    fn from(k: core_text::CommentKind) -> Self {
        match k {
            core_text::CommentKind::Comment => CommentKind::Comment,
            core_text::CommentKind::Proposal => CommentKind::Proposal,
        }
    }
}

impl From<CommentKind> for core_text::CommentKind {
    fn from(k: CommentKind) -> Self {
        match k {
            CommentKind::Comment => core_text::CommentKind::Comment,
            CommentKind::Proposal => core_text::CommentKind::Proposal,
        }
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<core_text::ProposalStatus> for ProposalStatus {
    fn from(s: core_text::ProposalStatus) -> Self {
        match s {
            core_text::ProposalStatus::Open => ProposalStatus::Open,
            core_text::ProposalStatus::Accepted => ProposalStatus::Accepted,
            core_text::ProposalStatus::Rejected => ProposalStatus::Rejected,
            core_text::ProposalStatus::Done => ProposalStatus::Done,
        }
    }
}

impl From<ProposalStatus> for core_text::ProposalStatus {
    fn from(s: ProposalStatus) -> Self {
        match s {
            ProposalStatus::Open => core_text::ProposalStatus::Open,
            ProposalStatus::Accepted => core_text::ProposalStatus::Accepted,
            ProposalStatus::Rejected => core_text::ProposalStatus::Rejected,
            ProposalStatus::Done => core_text::ProposalStatus::Done,
        }
    }
}

/// Where a comment sits in the text now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Anchor {
    /// Start, in Unicode code points.
    pub start: u32,
    /// End (exclusive).
    pub end: u32,
    /// The text the comment was made on, as it was then.
    pub quote: String,
    /// The text in the range now.
    pub current: String,
    /// Every anchored character has since been deleted (show `quote`).
    pub orphaned: bool,
}

/// A comment, proposal or reply.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Comment {
    /// Stable id.
    pub id: String,
    /// Comment or proposal.
    pub kind: CommentKind,
    /// Author (member id).
    pub author: String,
    /// When it was written (Unix seconds, the author's clock).
    pub created_at: i64,
    /// When the author last edited it.
    pub edited_at: Option<i64>,
    /// The text (empty once deleted).
    pub body: String,
    /// The comment this replies to.
    pub reply_to: Option<String>,
    /// The anchored range, for anchored root comments.
    pub anchor: Option<Anchor>,
    /// Deleted by its author (a tombstone, so replies keep their thread).
    pub deleted: bool,
    /// The thread was resolved.
    pub resolved: bool,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// A proposal's status.
    pub status: Option<ProposalStatus>,
}

impl From<core_text::Comment> for Comment {
    fn from(c: core_text::Comment) -> Self {
        Comment {
            id: c.id.to_string(),
            kind: c.kind.into(),
            author: c.author.to_string(),
            created_at: c.created_at,
            edited_at: c.edited_at,
            body: c.body,
            reply_to: c.reply_to.map(|r| r.to_string()),
            anchor: c.anchor.map(|a| Anchor {
                start: n32(a.start),
                end: n32(a.end),
                quote: a.quote,
                current: a.current,
                orphaned: a.orphaned,
            }),
            deleted: c.deleted,
            resolved: c.resolved,
            resolved_by: c.resolved_by.map(|m| m.to_string()),
            status: c.status.map(Into::into),
        }
    }
}

/// A draft or material with its comments.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextDocument {
    /// The document id.
    pub id: String,
    /// Draft or material.
    pub kind: DocKind,
    /// The branch.
    pub branch_id: String,
    /// The plan it belongs to.
    pub plan_id: Option<String>,
    /// The topic it belongs to.
    pub topic_id: Option<String>,
    /// Title.
    pub title: String,
    /// A material's description (source, author).
    pub description: String,
    /// The text.
    pub body: String,
    /// Comments, proposals and replies, oldest first.
    pub comments: Vec<Comment>,
}

impl From<core_text::TextDocument> for TextDocument {
    fn from(d: core_text::TextDocument) -> Self {
        TextDocument {
            id: d.id.to_string(),
            kind: d.kind.into(),
            branch_id: d.branch_id.to_string(),
            plan_id: d.plan_id.map(|p| p.to_string()),
            topic_id: d.topic_id.map(|t| t.to_string()),
            title: d.title,
            description: d.description,
            body: d.body,
            comments: d.comments.into_iter().map(Into::into).collect(),
        }
    }
}

/// What a new draft or material starts with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewTextDoc {
    /// `TopicDraft` or `Material`.
    pub kind: DocKind,
    /// The branch.
    pub branch_id: String,
    /// The plan.
    #[uniffi(default = None)]
    pub plan_id: Option<String>,
    /// The topic.
    #[uniffi(default = None)]
    pub topic_id: Option<String>,
    /// Title.
    pub title: String,
    /// Description (materials: source, author).
    #[uniffi(default = "")]
    pub description: String,
    /// Initial text.
    #[uniffi(default = "")]
    pub body: String,
}

impl From<NewTextDoc> for core_text::NewTextDoc {
    fn from(d: NewTextDoc) -> Self {
        core_text::NewTextDoc {
            kind: d.kind.into(),
            branch_id: BranchId::new(&d.branch_id),
            plan_id: d.plan_id.as_deref().map(DocId::new),
            topic_id: d.topic_id.as_deref().map(TopicId::new),
            title: d.title,
            description: d.description,
            body: d.body,
        }
    }
}

/// A range of the text (Unicode code points, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct TextRange {
    /// Start.
    pub start: u32,
    /// End (exclusive).
    pub end: u32,
}

/// What a new comment, proposal or reply carries.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewComment {
    /// Comment or proposal.
    pub kind: CommentKind,
    /// The text.
    pub body: String,
    /// The range it is about; `None` for the whole document (and for replies).
    #[uniffi(default = None)]
    pub anchor: Option<TextRange>,
    /// The comment it replies to.
    #[uniffi(default = None)]
    pub reply_to: Option<String>,
}

impl From<NewComment> for core_text::NewComment {
    fn from(c: NewComment) -> Self {
        core_text::NewComment {
            kind: c.kind.into(),
            body: c.body,
            anchor: c.anchor.map(|r| (r.start as usize, r.end as usize)),
            reply_to: c.reply_to.as_deref().map(CommentId::new),
        }
    }
}

/// One of the concurrent values of a field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConflictValue {
    /// The operation that wrote it: pass it to `resolve_conflict` to choose this value.
    pub op: String,
    /// The value as text ("m-viet", "2026-03-03", "true").
    pub value: String,
    /// The member who set it, when recorded.
    pub set_by: Option<String>,
}

/// A field holding concurrent values, waiting for a person to choose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Conflict {
    /// The document.
    pub doc_id: String,
    /// Path from the document root to the field, e.g. `["topics", "<topic id>", "presenter"]`.
    pub path: Vec<String>,
    /// The field name (the path's last element).
    pub field: String,
    /// The values, the one shown by default first.
    pub values: Vec<ConflictValue>,
}

impl From<(DocId, core_conflict::Conflict)> for Conflict {
    fn from((doc, c): (DocId, core_conflict::Conflict)) -> Self {
        Conflict {
            doc_id: doc.to_string(),
            field: c.field().to_owned(),
            values: c
                .values
                .into_iter()
                .map(|v| ConflictValue {
                    op: v.op,
                    value: v.value,
                    set_by: v.set_by.map(|m| m.to_string()),
                })
                .collect(),
            path: c.path,
        }
    }
}

/// Positions from the app as `usize` (every `u32` fits).
pub(crate) fn pos(n: u32) -> usize {
    n as usize
}

/// Checks that a record names a draft or material kind (creating a plan has its own call).
pub(crate) fn text_kind(kind: DocKind) -> Result<()> {
    match kind {
        DocKind::TopicDraft | DocKind::Material => Ok(()),
        DocKind::AnnualPlan | DocKind::Session | DocKind::ReadingLog => {
            Err(ApiError::InvalidInput(format!(
                "a {} is not created with create_text_doc",
                ids::DocKind::from(kind)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotay_core::ids::MemberId;

    #[test]
    fn test_comment_converts_anchor_and_ids() {
        let c = core_text::Comment {
            id: CommentId::new("c1"),
            kind: core_text::CommentKind::Proposal,
            author: MemberId::new("m-luong"),
            created_at: 1_767_000_000,
            edited_at: None,
            body: "Bảo dưỡng định kỳ theo ca".into(),
            reply_to: None,
            anchor: Some(core_text::Anchor {
                start: 0,
                end: 8,
                quote: "Dừng máy".into(),
                current: "Dừng máy".into(),
                orphaned: false,
            }),
            deleted: false,
            resolved: false,
            resolved_by: None,
            status: Some(core_text::ProposalStatus::Open),
        };
        let out = Comment::from(c);
        assert_eq!(out.kind, CommentKind::Proposal);
        assert_eq!(out.author, "m-luong");
        assert_eq!(out.anchor.as_ref().map(|a| (a.start, a.end)), Some((0, 8)));
        assert_eq!(out.status, Some(ProposalStatus::Open));
    }

    #[test]
    fn test_new_comment_and_text_doc_convert() {
        let c: core_text::NewComment = NewComment {
            kind: CommentKind::Comment,
            body: "Đồng ý".into(),
            anchor: Some(TextRange { start: 2, end: 5 }),
            reply_to: None,
        }
        .into();
        assert_eq!(c.anchor, Some((2, 5)));
        let d: core_text::NewTextDoc = NewTextDoc {
            kind: DocKind::Material,
            branch_id: "b-co-dien".into(),
            plan_id: Some("p".into()),
            topic_id: None,
            title: "Tài liệu".into(),
            description: String::new(),
            body: String::new(),
        }
        .into();
        assert_eq!(d.kind, ids::DocKind::Material);
        assert!(text_kind(DocKind::AnnualPlan).is_err());
    }

    #[test]
    fn test_conflict_names_its_field_and_setters() {
        let c = core_conflict::Conflict {
            path: vec!["topics".into(), "t1".into(), "presenter".into()],
            values: vec![core_conflict::ConflictValue {
                op: "3@ab".into(),
                value: "m-hoa".into(),
                set_by: Some(MemberId::new("m-viet")),
            }],
        };
        let out = Conflict::from((DocId::new("p"), c));
        assert_eq!(out.field, "presenter");
        assert_eq!(out.values[0].set_by.as_deref(), Some("m-viet"));
    }
}
