//! "What needs me": comment threads waiting for this member, documents waiting for their
//! approval, and drafts and materials published to them they have not opened, as core
//! decides them (`sotay_core::store::NeedsMe`; the rules are documented
//! there).

use sotay_core::store as core_store;

use super::{Comment, DocKind, ProposalStatus, ReadingItem, Signoff};

/// Why a thread needs this member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ThreadReason {
    /// This member's proposal was decided (accepted, rejected or done).
    ProposalDecided {
        /// The decision.
        status: ProposalStatus,
    },
    /// Someone else wrote last in a thread this member wrote in.
    Reply,
    /// Someone else wrote last in a thread on a draft or material this member created.
    OnMyDocument,
}

impl From<core_store::ThreadReason> for ThreadReason {
    fn from(r: core_store::ThreadReason) -> Self {
        match r {
            core_store::ThreadReason::ProposalDecided(s) => {
                ThreadReason::ProposalDecided { status: s.into() }
            }
            core_store::ThreadReason::Reply => ThreadReason::Reply,
            core_store::ThreadReason::OnMyDocument => ThreadReason::OnMyDocument,
        }
    }
}

/// A comment thread waiting for this member (until they reply, act on it, or
/// `mark_thread_seen` it; a new message or decision brings it back).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ThreadNeedingMe {
    /// The draft or material.
    pub doc_id: String,
    /// Its kind.
    pub doc_kind: DocKind,
    /// Its title.
    pub doc_title: String,
    /// Its plan, if any.
    pub plan_id: Option<String>,
    /// Its topic, if any.
    pub topic_id: Option<String>,
    /// The thread's root comment or proposal.
    pub root: Comment,
    /// The thread's newest message (the root when it has no replies).
    pub latest: Comment,
    /// Why it needs this member.
    pub reason: ThreadReason,
}

impl From<core_store::ThreadNeedingMe> for ThreadNeedingMe {
    fn from(t: core_store::ThreadNeedingMe) -> Self {
        ThreadNeedingMe {
            doc_id: t.doc_id.to_string(),
            doc_kind: t.doc_kind.into(),
            doc_title: t.doc_title,
            plan_id: t.plan_id.map(|p| p.to_string()),
            topic_id: t.topic_id.map(|t| t.to_string()),
            root: t.root.into(),
            latest: t.latest.into(),
            reason: t.reason.into(),
        }
    }
}

/// A document waiting for this member's approval: a pending submission of a document this
/// member has the authority to approve.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ApprovalNeedingMe {
    /// The document.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its title (a plan's number when it has no title).
    pub title: String,
    /// The pending submission (who asked, when, for which version).
    pub submission: Signoff,
    /// The approval in force, if any.
    pub previous: Option<Signoff>,
    /// The current version can be approved as it is (see `approval_readiness` otherwise).
    pub ready: bool,
}

impl From<core_store::ApprovalNeedingMe> for ApprovalNeedingMe {
    fn from(a: core_store::ApprovalNeedingMe) -> Self {
        ApprovalNeedingMe {
            doc_id: a.doc_id.to_string(),
            kind: a.kind.into(),
            title: a.title,
            submission: (&a.submission).into(),
            previous: a.previous.as_ref().map(Into::into),
            ready: a.not_ready.is_none(),
        }
    }
}

/// "What needs me": threads (newest message first), approvals (newest submission first) and
/// drafts to read (newest session first).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WhatNeedsMe {
    /// Comment threads waiting for this member.
    pub threads: Vec<ThreadNeedingMe>,
    /// Documents waiting for this member's approval.
    pub approvals: Vec<ApprovalNeedingMe>,
    /// Drafts and materials published to this member's branch for a session that they have
    /// not opened yet (`mark_opened` takes one off).
    pub to_read: Vec<ReadingItem>,
}

impl From<core_store::NeedsMe> for WhatNeedsMe {
    fn from(n: core_store::NeedsMe) -> Self {
        WhatNeedsMe {
            threads: n.threads.into_iter().map(Into::into).collect(),
            approvals: n.approvals.into_iter().map(Into::into).collect(),
            to_read: n.to_read.into_iter().map(Into::into).collect(),
        }
    }
}
