//! Plans: list rows, the whole plan, topics, header fields, texts and legal bases.

use sotay_core::ids::{BranchId, DocId, LegalBasisId, MemberId, TopicId};

use super::SotayStore;
use crate::error::Result;
use crate::records::{
    AnnualPlan, Conflict, NewPlan, NewTopic, PlanField, PlanRow, PlanText, TopicField, TopicRow,
    date_in, pos,
};

#[uniffi::export]
impl SotayStore {
    /// Plans, optionally of one branch, from the read model (no document is loaded).
    pub fn plan_rows(&self, branch_id: Option<String>) -> Result<Vec<PlanRow>> {
        let branch = branch_id.as_deref().map(BranchId::new);
        self.read(|s| {
            Ok(s.plan_rows(branch.as_ref())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// A plan's topics in order, from the read model.
    pub fn topic_rows(&self, plan_id: String) -> Result<Vec<TopicRow>> {
        let rows = self.read(|s| s.topic_rows(&DocId::new(&plan_id)))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Topics whose title, output or notes match `query`, accents ignored.
    pub fn search_topics(&self, query: String) -> Result<Vec<TopicRow>> {
        let rows = self.read(|s| s.search_topics(&query))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// The whole plan.
    pub fn plan(&self, plan_id: String) -> Result<AnnualPlan> {
        self.read(|s| Ok(s.plan(&DocId::new(&plan_id))?.into()))
    }

    /// Creates an annual plan (secretary, deputy secretary or an executive); returns its id.
    pub fn create_plan(&self, plan: NewPlan) -> Result<String> {
        let new = plan.try_into()?;
        self.create(|s| s.create_plan(&new))
    }

    /// Adds a topic; returns its id.
    pub fn add_topic(&self, plan_id: String, topic: NewTopic) -> Result<String> {
        let new = topic.try_into()?;
        self.write(&plan_id, |s, id| Ok(s.add_topic(id, &new)?.to_string()))
    }

    /// Sets one field of a topic.
    pub fn set_topic_field(
        &self,
        plan_id: String,
        topic_id: String,
        field: TopicField,
    ) -> Result<()> {
        let f = field.try_into()?;
        self.write(&plan_id, |s, id| {
            s.set_topic_field(id, &TopicId::new(&topic_id), &f)
        })
    }

    /// Adds (`present = true`) or removes a preparer of a topic.
    pub fn set_preparer(
        &self,
        plan_id: String,
        topic_id: String,
        member_id: String,
        present: bool,
    ) -> Result<()> {
        self.write(&plan_id, |s, id| {
            s.set_preparer(
                id,
                &TopicId::new(&topic_id),
                &MemberId::new(&member_id),
                present,
            )
        })
    }

    /// Moves a topic to a 0-based index in the plan.
    pub fn move_topic(&self, plan_id: String, topic_id: String, index: u32) -> Result<()> {
        self.write(&plan_id, |s, id| {
            s.move_topic(id, &TopicId::new(&topic_id), pos(index))
        })
    }

    /// Cancels a topic (it stays in the plan, marked cancelled).
    pub fn cancel_topic(&self, plan_id: String, topic_id: String) -> Result<()> {
        self.write(&plan_id, |s, id| {
            s.cancel_topic(id, &TopicId::new(&topic_id))
        })
    }

    /// Sets a header field (number and issue date: secretary and deputy only).
    pub fn set_plan_field(&self, plan_id: String, field: PlanField) -> Result<()> {
        let f = field.try_into()?;
        self.write(&plan_id, |s, id| s.set_plan_field(id, &f))
    }

    /// Edits a plan text: deletes `delete` characters at `position`, then inserts `insert`
    /// (positions in Unicode code points).
    pub fn splice_plan_text(
        &self,
        plan_id: String,
        section: PlanText,
        position: u32,
        delete: u32,
        insert: String,
    ) -> Result<()> {
        self.write(&plan_id, |s, id| {
            s.splice_plan_text(id, section.into(), pos(position), pos(delete), &insert)
        })
    }

    /// Replaces a plan text (the change is a minimal diff, so concurrent edits still merge).
    pub fn replace_plan_text(
        &self,
        plan_id: String,
        section: PlanText,
        text: String,
    ) -> Result<()> {
        self.write(&plan_id, |s, id| {
            s.replace_plan_text(id, section.into(), &text)
        })
    }

    /// Adds a legal basis (căn cứ; secretary and deputy only); returns its id.
    pub fn add_legal_basis(
        &self,
        plan_id: String,
        number: String,
        date: Option<String>,
        title: String,
    ) -> Result<String> {
        let date = date_in(date.as_deref())?;
        self.write(&plan_id, |s, id| {
            Ok(s.add_legal_basis(id, &number, date, &title)?.to_string())
        })
    }

    /// Removes a legal basis (secretary and deputy only).
    pub fn remove_legal_basis(&self, plan_id: String, legal_basis_id: String) -> Result<()> {
        self.write(&plan_id, |s, id| {
            s.remove_legal_basis(id, &LegalBasisId::new(&legal_basis_id))
        })
    }

    // ----- conflicts (any document) --------------------------------------------------------

    /// Fields holding concurrent values, optionally of one document, with who set each.
    pub fn conflicts(&self, doc_id: Option<String>) -> Result<Vec<Conflict>> {
        let doc = doc_id.as_deref().map(DocId::new);
        self.read(|s| {
            Ok(s.conflicts(doc.as_ref())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Resolves a conflict by choosing the value written by `op` (a `ConflictValue.op`).
    pub fn resolve_conflict(&self, doc_id: String, path: Vec<String>, op: String) -> Result<()> {
        self.write(&doc_id, |s, id| s.resolve_conflict(id, &path, &op))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{new_plan, new_topic, viet_store};
    use crate::error::ApiError;
    use crate::records::{PlanField, PlanText, TopicField, TopicStatus};

    #[test]
    fn test_plan_editing_round_trip() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let plan = store.create_plan(new_plan()).expect("plan");
        let t1 = store
            .add_topic(
                plan.clone(),
                new_topic("Giải pháp giảm thời gian dừng máy", 4),
            )
            .expect("t1");
        let t2 = store
            .add_topic(plan.clone(), new_topic("An toàn lao động", 6))
            .expect("t2");
        store
            .set_topic_field(
                plan.clone(),
                t1.clone(),
                TopicField::ExpectedOutput {
                    value: "Ít nhất 5 giải pháp".into(),
                },
            )
            .expect("field");
        store.move_topic(plan.clone(), t2.clone(), 0).expect("move");
        store
            .cancel_topic(plan.clone(), t1.clone())
            .expect("cancel");
        store
            .set_preparer(plan.clone(), t2.clone(), "m-viet".into(), true)
            .expect("preparer");
        store
            .set_plan_field(plan.clone(), PlanField::IssueDate { date: None })
            .expect("date");
        store
            .replace_plan_text(
                plan.clone(),
                PlanText::Purpose,
                "Nâng cao chất lượng".into(),
            )
            .expect("text");
        store
            .splice_plan_text(plan.clone(), PlanText::Purpose, 0, 0, "Mục đích: ".into())
            .expect("splice");
        let basis = store
            .add_legal_basis(
                plan.clone(),
                "12-HD/BTCTW".into(),
                Some("2018-07-06".into()),
                "Hướng dẫn".into(),
            )
            .expect("basis");

        let p = store.plan(plan.clone()).expect("plan");
        assert_eq!(p.number, "01-KH/CB");
        assert_eq!(p.issue_date, None);
        assert_eq!(p.purpose, "Mục đích: Nâng cao chất lượng");
        assert_eq!(p.legal_bases[0].id, basis);
        assert_eq!(p.legal_bases[0].date.as_deref(), Some("2018-07-06"));
        assert_eq!(p.topics[0].id, t2);
        assert_eq!(p.topics[0].month, Some(6));
        assert_eq!(p.topics[0].preparers, ["m-luong", "m-viet"]);
        assert_eq!(p.topics[1].status, TopicStatus::Cancelled);
        assert_eq!(p.topics[1].expected_output, "Ít nhất 5 giải pháp");

        let rows = store.topic_rows(plan.clone()).expect("rows");
        assert_eq!(rows.iter().map(|r| r.ord).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(rows[0].scheduled_date.as_deref(), Some("2026-06-03"));
        let plans = store.plan_rows(Some("b-co-dien".into())).expect("plans");
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].topic_count, 2);
        assert_eq!(
            store.search_topics("an toan".into()).expect("search")[0].topic_id,
            t2
        );
        store
            .remove_legal_basis(plan.clone(), basis)
            .expect("remove basis");
        assert!(
            store
                .plan(plan.clone())
                .expect("plan")
                .legal_bases
                .is_empty()
        );
        assert!(store.conflicts(Some(plan)).expect("conflicts").is_empty());
    }

    #[test]
    fn test_errors_say_what_to_do() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        assert!(matches!(
            store.plan("nope".into()),
            Err(ApiError::NotFound(_))
        ));
        let plan = store.create_plan(new_plan()).expect("plan");
        assert!(matches!(
            store.cancel_topic(plan.clone(), "nope".into()),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            store.add_legal_basis(plan, "1".into(), Some("31/02/2026".into()), "x".into()),
            Err(ApiError::InvalidInput(_))
        ));
        store.set_identity("m-luong".into()).expect("identity");
        assert!(matches!(
            store.create_plan(new_plan()),
            Err(ApiError::NotPermitted(_))
        ));
    }
}
