//! The delta: what changed in a document between two versions (since an approval, or
//! between two approvals), read from core's [`sotay_core::approval::Delta`].

use sotay_core::approval as core_approval;

use super::plan::{TopicGroup, TopicStatus};
use super::text_doc::{CommentKind, ProposalStatus};
use super::{date_out, heads_out, n32};

/// The difference between two versions of one document (e.g. the approved one and now).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Delta {
    /// The older version (hex change hashes).
    pub from: Vec<String>,
    /// The newer version.
    pub to: Vec<String>,
    /// How many changes `to` has that `from` has not.
    pub change_count: u32,
    /// The members who made them, sorted.
    pub editors: Vec<String>,
    /// The two versions read the same.
    pub is_empty: bool,
    /// What differs.
    pub content: DeltaContent,
}

impl From<core_approval::Delta> for Delta {
    fn from(d: core_approval::Delta) -> Self {
        Delta {
            is_empty: d.is_empty(),
            from: heads_out(&d.from),
            to: heads_out(&d.to),
            change_count: n32(d.change_count),
            editors: ids(&d.editors),
            content: match d.content {
                core_approval::DeltaContent::Plan(p) => DeltaContent::Plan { delta: p.into() },
                core_approval::DeltaContent::Text(t) => DeltaContent::Text { delta: t.into() },
                core_approval::DeltaContent::Session(s) => {
                    DeltaContent::Session { fields: s.fields }
                }
            },
        }
    }
}

/// The kind-specific part of a [`Delta`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum DeltaContent {
    /// An annual plan.
    Plan {
        /// What differs.
        delta: PlanDelta,
    },
    /// A topic draft or material.
    Text {
        /// What differs.
        delta: TextDocDelta,
    },
    /// Session minutes: the parts that differ (keys; `session_field_label` names them).
    Session {
        /// Keys of the parts that differ.
        fields: Vec<String>,
    },
}

/// A field's value, typed so a screen can render names and labels.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum FieldValue {
    /// Text.
    Text { value: String },
    /// A date, or none.
    Date { date: Option<String> },
    /// Yes / no.
    Bool { value: bool },
    /// One member, or none.
    Member { member_id: Option<String> },
    /// A set of members (sorted).
    Members { member_ids: Vec<String> },
    /// A topic group.
    Group { group: TopicGroup },
    /// A topic status.
    Status { status: TopicStatus },
}

impl From<core_approval::FieldValue> for FieldValue {
    fn from(v: core_approval::FieldValue) -> Self {
        use core_approval::FieldValue as V;
        match v {
            V::Text(value) => FieldValue::Text { value },
            V::Date(d) => FieldValue::Date { date: date_out(d) },
            V::Bool(value) => FieldValue::Bool { value },
            V::Member(m) => FieldValue::Member {
                member_id: m.map(|m| m.to_string()),
            },
            V::Members(ms) => FieldValue::Members {
                member_ids: ids(&ms),
            },
            V::Group(g) => FieldValue::Group { group: g.into() },
            V::Status(s) => FieldValue::Status { status: s.into() },
        }
    }
}

/// One short field changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldChange {
    /// The document key ("title", "scheduled_date", "preparers", …).
    pub field: String,
    /// The value before.
    pub from: FieldValue,
    /// The value after.
    pub to: FieldValue,
    /// Who wrote the new value, when known.
    pub by: Option<String>,
}

impl From<core_approval::FieldChange> for FieldChange {
    fn from(c: core_approval::FieldChange) -> Self {
        FieldChange {
            field: c.field,
            from: c.from.into(),
            to: c.to.into(),
            by: opt_id(c.by),
        }
    }
}

/// Inserted or deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TextEditKind {
    /// Text present in the newer version only.
    Inserted,
    /// Text present in the older version only.
    Deleted,
}

/// One span of a long text that differs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextEdit {
    /// Inserted or deleted.
    pub kind: TextEditKind,
    /// Where, in the older text (code points).
    pub old_at: u32,
    /// Where, in the newer text (code points).
    pub new_at: u32,
    /// The span.
    pub text: String,
    /// Who typed it (insertions, when known).
    pub by: Option<String>,
}

impl From<core_approval::TextEdit> for TextEdit {
    fn from(e: core_approval::TextEdit) -> Self {
        TextEdit {
            kind: match e.kind {
                core_approval::TextEditKind::Inserted => TextEditKind::Inserted,
                core_approval::TextEditKind::Deleted => TextEditKind::Deleted,
            },
            old_at: n32(e.old_at),
            new_at: n32(e.new_at),
            text: e.text,
            by: opt_id(e.by),
        }
    }
}

/// A topic, named.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TopicRef {
    /// The topic.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Who did it, when known.
    pub by: Option<String>,
}

impl From<core_approval::TopicRef> for TopicRef {
    fn from(t: core_approval::TopicRef) -> Self {
        TopicRef {
            id: t.id.to_string(),
            title: t.title,
            by: opt_id(t.by),
        }
    }
}

/// A topic added since the older version.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TopicAdded {
    /// The topic.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its session date.
    pub scheduled_date: Option<String>,
    /// Its index in the plan (0-based).
    pub index: u32,
    /// Who added it.
    pub by: Option<String>,
}

/// A topic moved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TopicMoved {
    /// The topic.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Index before (0-based).
    pub from_index: u32,
    /// Index after.
    pub to_index: u32,
    /// Who moved it.
    pub by: Option<String>,
}

/// One field of one topic changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TopicFieldChange {
    /// The topic.
    pub topic_id: String,
    /// Its title now.
    pub topic_title: String,
    /// The change.
    pub change: FieldChange,
}

/// A legal basis (căn cứ), as shown in a delta.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LegalBasisRef {
    /// The basis.
    pub id: String,
    /// "12-HD/BTCTW".
    pub number: String,
    /// Its date.
    pub date: Option<String>,
    /// What it is.
    pub title: String,
}

impl From<core_approval::LegalBasisRef> for LegalBasisRef {
    fn from(l: core_approval::LegalBasisRef) -> Self {
        LegalBasisRef {
            id: l.id.to_string(),
            number: l.number,
            date: date_out(l.date),
            title: l.title,
        }
    }
}

/// A legal basis added, removed or edited.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LegalBasisChange {
    /// New.
    Added {
        basis: LegalBasisRef,
        by: Option<String>,
    },
    /// Removed.
    Removed {
        basis: LegalBasisRef,
        by: Option<String>,
    },
    /// A field of it changed.
    Changed {
        id: String,
        number: String,
        change: FieldChange,
    },
}

impl From<core_approval::LegalBasisChange> for LegalBasisChange {
    fn from(c: core_approval::LegalBasisChange) -> Self {
        use core_approval::LegalBasisChange as C;
        match c {
            C::Added { basis, by } => LegalBasisChange::Added {
                basis: basis.into(),
                by: opt_id(by),
            },
            C::Removed { basis, by } => LegalBasisChange::Removed {
                basis: basis.into(),
                by: opt_id(by),
            },
            C::Changed { id, number, change } => LegalBasisChange::Changed {
                id: id.to_string(),
                number,
                change: change.into(),
            },
        }
    }
}

/// What differs in an annual plan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PlanDelta {
    /// Header fields (title, number, issue date).
    pub fields: Vec<FieldChange>,
    /// Căn cứ.
    pub legal_bases: Vec<LegalBasisChange>,
    /// New topics, in plan order.
    pub topics_added: Vec<TopicAdded>,
    /// Topics cancelled since.
    pub topics_cancelled: Vec<TopicRef>,
    /// Topics gone from the document (only a crafted change can do that).
    pub topics_removed: Vec<TopicRef>,
    /// Topics moved.
    pub topics_moved: Vec<TopicMoved>,
    /// Field edits of topics present in both versions.
    pub topic_fields: Vec<TopicFieldChange>,
    /// I. Mục đích, yêu cầu.
    pub purpose: Vec<TextEdit>,
    /// III. Tổ chức thực hiện.
    pub implementation: Vec<TextEdit>,
}

impl From<core_approval::PlanDelta> for PlanDelta {
    fn from(p: core_approval::PlanDelta) -> Self {
        PlanDelta {
            fields: all(p.fields),
            legal_bases: all(p.legal_bases),
            topics_added: p
                .topics_added
                .into_iter()
                .map(|t| TopicAdded {
                    id: t.id.to_string(),
                    title: t.title,
                    scheduled_date: date_out(t.scheduled_date),
                    index: n32(t.index),
                    by: opt_id(t.by),
                })
                .collect(),
            topics_cancelled: all(p.topics_cancelled),
            topics_removed: all(p.topics_removed),
            topics_moved: p
                .topics_moved
                .into_iter()
                .map(|t| TopicMoved {
                    id: t.id.to_string(),
                    title: t.title,
                    from_index: n32(t.from_index),
                    to_index: n32(t.to_index),
                    by: opt_id(t.by),
                })
                .collect(),
            topic_fields: p
                .topic_fields
                .into_iter()
                .map(|t| TopicFieldChange {
                    topic_id: t.topic_id.to_string(),
                    topic_title: t.topic_title,
                    change: t.change.into(),
                })
                .collect(),
            purpose: all(p.purpose),
            implementation: all(p.implementation),
        }
    }
}

/// A comment, summarised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CommentNote {
    /// The comment.
    pub id: String,
    /// Its author.
    pub author: String,
    /// Comment or proposal.
    pub kind: CommentKind,
    /// The start of its text.
    pub excerpt: String,
    /// The comment it replies to.
    pub reply_to: Option<String>,
    /// Who did what is reported (added: the author; resolved: who resolved it).
    pub by: Option<String>,
}

impl From<core_approval::CommentNote> for CommentNote {
    fn from(c: core_approval::CommentNote) -> Self {
        CommentNote {
            id: c.id.to_string(),
            author: c.author.to_string(),
            kind: c.kind.into(),
            excerpt: c.excerpt,
            reply_to: c.reply_to.map(|r| r.to_string()),
            by: opt_id(c.by),
        }
    }
}

/// A proposal's status changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProposalChange {
    /// The proposal.
    pub comment: CommentNote,
    /// Status before.
    pub from: ProposalStatus,
    /// Status after.
    pub to: ProposalStatus,
}

/// What differs in a topic draft or material.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextDocDelta {
    /// Title and description.
    pub fields: Vec<FieldChange>,
    /// The body's spans.
    pub body: Vec<TextEdit>,
    /// Comments, proposals and replies added.
    pub comments_added: Vec<CommentNote>,
    /// Threads resolved.
    pub comments_resolved: Vec<CommentNote>,
    /// Threads reopened.
    pub comments_reopened: Vec<CommentNote>,
    /// Comments deleted by their authors.
    pub comments_deleted: Vec<CommentNote>,
    /// Proposals accepted, rejected, done or reopened.
    pub proposals: Vec<ProposalChange>,
    /// Files attached since (attachments are never removed).
    pub attachments_added: Vec<AttachmentNote>,
}

/// A file attached, as "changes since" names it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttachmentNote {
    /// The SHA-256 of its bytes (`fetch_attachment` takes it).
    pub sha256: String,
    /// The file name.
    pub name: String,
    /// Its size for people ("3.4 KiB").
    pub size_label: String,
    /// The member who attached it.
    pub added_by: String,
}

impl From<sotay_core::model::text_doc::Attachment> for AttachmentNote {
    fn from(a: sotay_core::model::text_doc::Attachment) -> Self {
        AttachmentNote {
            sha256: a.sha256.to_hex(),
            name: a.name,
            size_label: sotay_core::blob::human_size(a.size),
            added_by: a.added_by.to_string(),
        }
    }
}

impl From<core_approval::TextDocDelta> for TextDocDelta {
    fn from(t: core_approval::TextDocDelta) -> Self {
        TextDocDelta {
            fields: all(t.fields),
            body: all(t.body),
            comments_added: all(t.comments_added),
            comments_resolved: all(t.comments_resolved),
            comments_reopened: all(t.comments_reopened),
            comments_deleted: all(t.comments_deleted),
            attachments_added: all(t.attachments_added),
            proposals: t
                .proposals
                .into_iter()
                .map(|p| ProposalChange {
                    comment: p.comment.into(),
                    from: p.from.into(),
                    to: p.to.into(),
                })
                .collect(),
        }
    }
}

fn all<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(Into::into).collect()
}

fn ids(v: &[sotay_core::ids::MemberId]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

fn opt_id(m: Option<sotay_core::ids::MemberId>) -> Option<String> {
    m.map(|m| m.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotay_core::ids::{MemberId, TopicId};

    #[test]
    fn test_text_delta_lists_the_files_attached() {
        let sha = sotay_core::blob::BlobHash::of(b"%PDF-1.7 phu luc");
        let t: TextDocDelta = core_approval::TextDocDelta {
            attachments_added: vec![sotay_core::model::text_doc::Attachment {
                sha256: sha,
                name: "Phụ lục.pdf".into(),
                mime: "application/pdf".into(),
                size: 2048,
                added_by: MemberId::new("m-viet"),
                added_at: 5,
            }],
            ..Default::default()
        }
        .into();
        assert_eq!(
            t.attachments_added,
            [AttachmentNote {
                sha256: sha.to_hex(),
                name: "Phụ lục.pdf".into(),
                size_label: "2.0 KiB".into(),
                added_by: "m-viet".into(),
            }]
        );
    }

    #[test]
    fn test_plan_delta_converts_topic_field_changes() {
        let d = core_approval::Delta {
            from: vec![automerge::ChangeHash([1; 32])],
            to: vec![automerge::ChangeHash([2; 32])],
            change_count: 1,
            editors: vec![MemberId::new("m-luong")],
            content: core_approval::DeltaContent::Plan(core_approval::PlanDelta {
                topic_fields: vec![core_approval::TopicFieldChange {
                    topic_id: TopicId::new("t1"),
                    topic_title: "Chuyên đề".into(),
                    change: core_approval::FieldChange {
                        field: "notes".into(),
                        from: core_approval::FieldValue::Text(String::new()),
                        to: core_approval::FieldValue::Text("Tổ 1".into()),
                        by: Some(MemberId::new("m-luong")),
                    },
                }],
                ..Default::default()
            }),
        };
        let out = Delta::from(d);
        assert!(!out.is_empty);
        assert_eq!(out.change_count, 1);
        assert_eq!(out.editors, vec!["m-luong".to_owned()]);
        let DeltaContent::Plan { delta } = out.content else {
            panic!("a plan delta");
        };
        assert_eq!(delta.topic_fields[0].change.field, "notes");
        assert_eq!(
            delta.topic_fields[0].change.to,
            FieldValue::Text {
                value: "Tổ 1".into()
            }
        );
    }
}
