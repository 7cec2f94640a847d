//! Topic drafts and study materials: list rows, read, create, edit the text, and comments
//! and proposals (add, edit, delete, resolve, decide).

use sotay_core::ids::{CommentId, DocId};

use super::SotayStore;
use crate::error::Result;
use crate::records::{
    NewComment, NewTextDoc, ProposalStatus, TextDocRow, TextDocument, pos, text_kind,
};

#[uniffi::export]
impl SotayStore {
    /// Drafts and materials, optionally of one plan, from the read model.
    pub fn text_doc_rows(&self, plan_id: Option<String>) -> Result<Vec<TextDocRow>> {
        let plan = plan_id.as_deref().map(DocId::new);
        self.read(|s| {
            Ok(s.text_doc_rows(plan.as_ref())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// A draft or material with its comments, anchors resolved against the current text.
    pub fn text_doc(&self, doc_id: String) -> Result<TextDocument> {
        self.read(|s| Ok(s.text_doc(&DocId::new(&doc_id))?.into()))
    }

    /// Creates a topic draft or a material; returns its id.
    pub fn create_text_doc(&self, doc: NewTextDoc) -> Result<String> {
        text_kind(doc.kind)?;
        let new = doc.into();
        self.create(|s| s.create_text_doc(&new))
    }

    /// Edits the text: deletes `delete` characters at `position`, then inserts `insert`
    /// (Unicode code points). Comments stay on their words.
    pub fn splice_body(
        &self,
        doc_id: String,
        position: u32,
        delete: u32,
        insert: String,
    ) -> Result<()> {
        self.write(&doc_id, |s, id| {
            s.splice_body(id, pos(position), pos(delete), &insert)
        })
    }

    /// Replaces the text (a minimal diff, so concurrent edits and anchors survive).
    pub fn replace_body(&self, doc_id: String, text: String) -> Result<()> {
        self.write(&doc_id, |s, id| s.replace_body(id, &text))
    }

    /// Adds a comment, proposal or reply; returns its id.
    pub fn add_comment(&self, doc_id: String, comment: NewComment) -> Result<String> {
        let new = comment.into();
        self.write(&doc_id, |s, id| Ok(s.add_comment(id, &new)?.to_string()))
    }

    /// Edits a comment's text (its author only).
    pub fn edit_comment(&self, doc_id: String, comment_id: String, body: String) -> Result<()> {
        self.write(&doc_id, |s, id| {
            s.edit_comment(id, &CommentId::new(&comment_id), &body)
        })
    }

    /// Deletes a comment (its author only; a tombstone keeps the thread).
    pub fn delete_comment(&self, doc_id: String, comment_id: String) -> Result<()> {
        self.write(&doc_id, |s, id| {
            s.delete_comment(id, &CommentId::new(&comment_id))
        })
    }

    /// Resolves (or reopens) a thread (its author, or an officer).
    pub fn resolve_comment(
        &self,
        doc_id: String,
        comment_id: String,
        resolved: bool,
    ) -> Result<()> {
        self.write(&doc_id, |s, id| {
            s.resolve_comment(id, &CommentId::new(&comment_id), resolved)
        })
    }

    /// Decides a proposal (its author, or an officer).
    pub fn set_proposal_status(
        &self,
        doc_id: String,
        comment_id: String,
        status: ProposalStatus,
    ) -> Result<()> {
        self.write(&doc_id, |s, id| {
            s.set_proposal_status(id, &CommentId::new(&comment_id), status.into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{new_plan, new_topic, viet_store};
    use crate::error::ApiError;
    use crate::records::{CommentKind, DocKind, NewComment, NewTextDoc, ProposalStatus, TextRange};

    #[test]
    fn test_draft_with_anchored_proposal_and_reply() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let plan = store.create_plan(new_plan()).expect("plan");
        let topic = store
            .add_topic(plan.clone(), new_topic("Dừng máy", 4))
            .expect("topic");
        let draft = store
            .create_text_doc(NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: "b-co-dien".into(),
                plan_id: Some(plan.clone()),
                topic_id: Some(topic.clone()),
                title: "Dự thảo".into(),
                description: String::new(),
                body: "Dừng máy ngoài kế hoạch làm giảm sản lượng.".into(),
            })
            .expect("draft");
        let proposal = store
            .add_comment(
                draft.clone(),
                NewComment {
                    kind: CommentKind::Proposal,
                    body: "Bảo dưỡng định kỳ theo ca".into(),
                    anchor: Some(TextRange { start: 0, end: 8 }),
                    reply_to: None,
                },
            )
            .expect("proposal");
        store
            .add_comment(
                draft.clone(),
                NewComment {
                    kind: CommentKind::Comment,
                    body: "Đồng ý".into(),
                    anchor: None,
                    reply_to: Some(proposal.clone()),
                },
            )
            .expect("reply");
        store
            .splice_body(draft.clone(), 0, 0, "Tình trạng: ".into())
            .expect("splice");
        store
            .set_proposal_status(draft.clone(), proposal.clone(), ProposalStatus::Accepted)
            .expect("decide");
        store
            .edit_comment(draft.clone(), proposal.clone(), "Bảo dưỡng theo ca".into())
            .expect("edit");
        store
            .resolve_comment(draft.clone(), proposal.clone(), true)
            .expect("resolve");

        let d = store.text_doc(draft.clone()).expect("doc");
        assert_eq!(d.topic_id.as_deref(), Some(topic.as_str()));
        let p = &d.comments[0];
        let anchor = p.anchor.as_ref().expect("anchored");
        assert_eq!(
            anchor.current, "Dừng máy",
            "the anchor moved with its words"
        );
        assert_eq!(anchor.start, 12);
        assert_eq!(p.status, Some(ProposalStatus::Accepted));
        assert!(p.resolved);
        assert_eq!(p.body, "Bảo dưỡng theo ca");
        assert_eq!(d.comments[1].reply_to.as_deref(), Some(proposal.as_str()));

        let rows = store.text_doc_rows(Some(plan)).expect("rows");
        assert_eq!(rows[0].kind, DocKind::TopicDraft);
        assert_eq!(rows[0].comment_count, 2);
        assert_eq!(rows[0].proposal_count, 1);

        store.set_identity("m-luong".into()).expect("identity");
        assert!(matches!(
            store.delete_comment(draft.clone(), proposal.clone()),
            Err(ApiError::NotAuthor(_))
        ));
        store.set_identity("m-viet".into()).expect("identity");
        store
            .delete_comment(draft.clone(), proposal)
            .expect("delete");
        assert!(store.text_doc(draft).expect("doc").comments[0].deleted);
    }
}
