//! Approvals: submit, approve, where approval stands (with the delta since), readiness, the
//! sign-off list, and reading the approved version.

use sotay_core::ids::{CommentId, DocId};

use super::SotayStore;
use crate::error::Result;
use crate::records::{
    AnnualPlan, ApprovalRights, ApprovalStatus, Delta, Readiness, Signoff, SignoffEntry,
    TextDocument, WhatNeedsMe, heads_in,
};

#[uniffi::export]
impl SotayStore {
    /// Asks for the current version of a document to be approved (any member of its
    /// branch; signed here, sent with the next sync).
    pub fn submit_for_approval(&self, doc_id: String, note: String) -> Result<Signoff> {
        self.write(&doc_id, |s, id| {
            Ok((&s.submit_for_approval(id, &note)?).into())
        })
    }

    /// Approves exactly the current version, signed here with the device key, offline.
    /// `NotPermitted` without an approving role; `NotReady` while conflicts or missing
    /// fields remain (see [`SotayStore::approval_readiness`]).
    pub fn approve(&self, doc_id: String, note: String) -> Result<Signoff> {
        self.write(&doc_id, |s, id| Ok((&s.approve(id, &note)?).into()))
    }

    /// Where approval of a document stands, verified here against the synced directory;
    /// when changed since approval, with the delta.
    pub fn approval_status(&self, doc_id: String) -> Result<ApprovalStatus> {
        self.read(|s| Ok(s.approval_status(&DocId::new(&doc_id))?.into()))
    }

    /// Whether the current version may be approved, listing every conflict and missing field.
    pub fn approval_readiness(&self, doc_id: String) -> Result<Readiness> {
        let id = DocId::new(&doc_id);
        self.read(|s| Ok(Readiness::new(&id, s.approval_readiness(&id)?)))
    }

    /// Whether this member may approve the current version now, with every reason not
    /// (enrollment, directory, branch, role for the kind with delegation, readiness): the
    /// rules `approve` applies, for showing the action without trying it.
    pub fn can_approve(&self, doc_id: String) -> Result<ApprovalRights> {
        self.read(|s| Ok(s.can_approve(&DocId::new(&doc_id))?.into()))
    }

    /// What needs this member: comment threads waiting for them (a reply in a thread they
    /// wrote in, a comment on a draft they created, a decision on their proposal — until they
    /// reply, act on it or mark it seen) and documents waiting for their approval (a pending
    /// submission they have the authority to approve).
    pub fn needs_me(&self) -> Result<WhatNeedsMe> {
        self.read(|s| Ok(s.needs_me()?.into()))
    }

    /// Records that this member looked at the thread of comment `comment_id` (any message of
    /// it): it leaves `needs_me` until a new message or decision arrives. Listeners are not
    /// told (no document changed); refresh what shows `needs_me`.
    pub fn mark_thread_seen(&self, doc_id: String, comment_id: String) -> Result<()> {
        self.read(|s| s.mark_thread_seen(&DocId::new(&doc_id), &CommentId::new(&comment_id)))
    }

    /// Every sign-off of a document held here, oldest first, with where each stands.
    pub fn signoffs(&self, doc_id: String) -> Result<Vec<SignoffEntry>> {
        let records = self.read(|s| s.signoff_records(&DocId::new(&doc_id)))?;
        records.into_iter().map(TryInto::try_into).collect()
    }

    /// What changed in a document from version `from` to version `to` (now when `None`);
    /// versions are the heads of a sign-off or a delta.
    pub fn delta(
        &self,
        doc_id: String,
        from: Vec<String>,
        to: Option<Vec<String>>,
    ) -> Result<Delta> {
        let from = heads_in(&from)?;
        let to = to.as_deref().map(heads_in).transpose()?;
        self.read(|s| Ok(s.delta(&DocId::new(&doc_id), &from, to.as_deref())?.into()))
    }

    /// The plan exactly as it was at `heads` (e.g. the approved version).
    pub fn plan_at(&self, plan_id: String, heads: Vec<String>) -> Result<AnnualPlan> {
        let heads = heads_in(&heads)?;
        self.read(|s| Ok(s.plan_at(&DocId::new(&plan_id), &heads)?.into()))
    }

    /// The draft or material exactly as it was at `heads`.
    pub fn text_doc_at(&self, doc_id: String, heads: Vec<String>) -> Result<TextDocument> {
        let heads = heads_in(&heads)?;
        self.read(|s| Ok(s.text_doc_at(&DocId::new(&doc_id), &heads)?.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{new_plan, new_topic, viet_store};
    use crate::error::ApiError;
    use crate::records::{
        ApprovalStatus, ApproveBlocker, CommentKind, DocKind, NewComment, NewTextDoc,
        RequiredField, Role, ThreadReason, TopicField,
    };

    #[test]
    fn test_needs_me_threads_and_can_approve_come_from_core() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let plan = store.create_plan(new_plan()).expect("plan");
        let draft = store
            .create_text_doc(NewTextDoc {
                kind: DocKind::Material,
                branch_id: "b-co-dien".into(),
                plan_id: Some(plan.clone()),
                topic_id: None,
                title: "Quy trình bảo dưỡng".into(),
                description: String::new(),
                body: "Bước 1: kiểm tra.".into(),
            })
            .expect("material");
        store.set_identity("m-luong".into()).expect("luong");
        let c = store
            .add_comment(
                draft.clone(),
                NewComment {
                    kind: CommentKind::Comment,
                    body: "Cần bổ sung bước 2".into(),
                    anchor: None,
                    reply_to: None,
                },
            )
            .expect("comment");
        assert!(store.needs_me().expect("luong").threads.is_empty());
        store.set_identity("m-viet".into()).expect("viet");
        let needs = store.needs_me().expect("viet");
        assert!(needs.approvals.is_empty());
        let t = &needs.threads[0];
        assert_eq!(
            (&t.doc_id, &t.root.id, t.reason),
            (&draft, &c, ThreadReason::OnMyDocument)
        );
        assert_eq!(t.plan_id.as_deref(), Some(plan.as_str()));
        store
            .mark_thread_seen(draft.clone(), c.clone())
            .expect("seen");
        assert!(store.needs_me().expect("viet").threads.is_empty());
        assert!(matches!(
            store.mark_thread_seen(draft, "no-such".into()),
            Err(ApiError::NotFound(_))
        ));

        // Without enrollment, approving is not possible; the plan (no topics) is ready.
        let r = store.can_approve(plan).expect("rights");
        assert!(!r.can_approve && !r.has_authority);
        assert_eq!(r.required_roles, vec![Role::Secretary]);
        assert_eq!(r.blockers, vec![ApproveBlocker::NotEnrolled]);
    }

    #[test]
    fn test_readiness_and_approval_need_a_synced_directory() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let plan = store.create_plan(new_plan()).expect("plan");
        let t = store
            .add_topic(plan.clone(), new_topic("Chuyên đề", 4))
            .expect("topic");
        store
            .set_topic_field(
                plan.clone(),
                t.clone(),
                TopicField::Presenter { member_id: None },
            )
            .expect("clear presenter");
        let r = store.approval_readiness(plan.clone()).expect("readiness");
        assert!(!r.ready);
        assert_eq!(r.missing[0].field, RequiredField::Presenter);
        assert_eq!(r.missing[0].topic_id, t);
        assert_eq!(
            store.approval_status(plan.clone()).expect("status"),
            ApprovalStatus::NotSubmitted
        );
        // Signing needs an enrolled device and a synced directory.
        assert!(matches!(
            store.approve(plan.clone(), "Đồng ý".into()),
            Err(ApiError::NotEnrolled(_))
        ));
        assert!(store.signoffs(plan.clone()).expect("signoffs").is_empty());
        let heads: Vec<String> = store
            .history(plan.clone())
            .expect("history")
            .into_iter()
            .take(1)
            .map(|c| c.hash)
            .collect();
        let first = store.plan_at(plan.clone(), heads.clone()).expect("at");
        assert!(first.topics.is_empty());
        let delta = store.delta(plan, heads, None).expect("delta");
        assert_eq!(delta.change_count, 2);
        assert!(!delta.is_empty);
    }
}
