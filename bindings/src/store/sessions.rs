//! The session cycle (Step 5): sessions and their minutes, publishing drafts and materials,
//! receipts (the reading list, who has read what), and minutes adopted by the chair's and
//! the clerk's signatures. Every rule is core's (`sotay_core::Store`, `docs/sessions.md`).

use sotay_core::ids::{DocId, MemberId, TopicId};
use sotay_core::store::today_vn;

use super::SotayStore;
use crate::error::Result;
use crate::records::{
    Attendance, DistributionStatus, MinutesAdoption, NewTask, QualityGrid, ReadingItem, Session,
    SessionField, SessionRow, SessionText, Signoff, SourceRef, TaskStatus, date_in,
};

#[uniffi::export]
impl SotayStore {
    /// Creates the session of topic `topic_id` of a plan (officers), titled after the topic
    /// and dated `session_date` (ISO or `DD/MM/YYYY`), else the topic's date; returns its id.
    pub fn create_session_for_topic(
        &self,
        plan_id: String,
        topic_id: String,
        session_date: Option<String>,
    ) -> Result<String> {
        let date = date_in(session_date.as_deref())?;
        self.create(|s| {
            s.create_session_for_topic(&DocId::new(&plan_id), &TopicId::new(&topic_id), date)
        })
    }

    /// The session and its minutes, with the figures core computes (duration against HD 42,
    /// the quality total and level on this phone's grid, overdue tasks as of today).
    pub fn session(&self, session_id: String) -> Result<Session> {
        self.read(|s| {
            let grid = s.quality_grid()?;
            Ok(Session::new(
                s.session(&DocId::new(&session_id))?,
                &grid,
                today_vn(),
            ))
        })
    }

    /// Sessions by date, of one branch or of every branch held here (read model).
    pub fn session_rows(&self, branch_id: Option<String>) -> Result<Vec<SessionRow>> {
        let branch = branch_id.as_deref().map(sotay_core::ids::BranchId::new);
        self.read(|s| {
            Ok(s.session_rows(branch.as_ref())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Sets a short field of the minutes. Naming the chair or the clerk is for officers;
    /// the rest for officers and the session's chair and clerk (`NotPermitted` otherwise).
    pub fn set_session_field(&self, session_id: String, field: SessionField) -> Result<()> {
        let f = field.try_into()?;
        self.write(&session_id, |s, id| s.set_session_field(id, &f))
    }

    /// Replaces one of the minutes' texts (a minimal diff, so concurrent typing merges).
    pub fn replace_session_text(
        &self,
        session_id: String,
        text: SessionText,
        value: String,
    ) -> Result<()> {
        self.write(&session_id, |s, id| {
            s.replace_session_text(id, text.key(), &value)
        })
    }

    /// Records a member's attendance (`reason`: why absent or exempt; may be empty).
    pub fn set_attendance(
        &self,
        session_id: String,
        member_id: String,
        status: Attendance,
        reason: String,
    ) -> Result<()> {
        self.write(&session_id, |s, id| {
            s.set_attendance(id, &MemberId::new(&member_id), status.into(), &reason)
        })
    }

    /// Marks every member of the branch not yet recorded present (exempt members exempt);
    /// the clerk then corrects the absent. Returns how many were marked.
    pub fn fill_attendance(&self, session_id: String) -> Result<u32> {
        self.write(&session_id, |s, id| s.fill_attendance(id))
    }

    /// Adds a guest or a superior committee's delegate; returns the entry's id.
    pub fn add_guest(
        &self,
        session_id: String,
        name: String,
        title: String,
        delegate: bool,
    ) -> Result<String> {
        self.write(&session_id, |s, id| {
            s.add_guest(id, &name, &title, delegate)
        })
    }

    /// Records an opinion by name: typed in (`member_id` and `body`), or picked from a
    /// comment or proposal (`source`; its author and text are taken from it when
    /// `member_id` and `body` are empty). Returns the entry's id.
    pub fn add_opinion(
        &self,
        session_id: String,
        member_id: Option<String>,
        body: String,
        source: Option<SourceRef>,
    ) -> Result<String> {
        let member = member_id.as_deref().map(MemberId::new);
        let source = source.as_ref().map(Into::into);
        self.write(&session_id, |s, id| {
            s.add_opinion(id, member.as_ref(), &body, source.as_ref())
        })
    }

    /// Sets the points of one quality criterion (`None` clears them); more than the
    /// criterion's maximum on this phone's grid is `InvalidInput`.
    pub fn set_session_quality(
        &self,
        session_id: String,
        criterion: String,
        points: Option<u32>,
    ) -> Result<()> {
        self.write(&session_id, |s, id| {
            s.set_session_quality(id, &criterion, points)
        })
    }

    /// The meeting-quality grid in use on this phone (the committee's, else the default).
    pub fn quality_grid(&self) -> Result<QualityGrid> {
        self.read(|s| Ok(s.quality_grid()?.into()))
    }

    /// Publishes a draft or material to the branch for the session (secretary or an
    /// executive: `NotPermitted` otherwise). A topic draft goes out exactly as approved and
    /// only once approved (`NotReady` before).
    pub fn publish(&self, session_id: String, doc_id: String) -> Result<()> {
        self.write(&session_id, |s, id| s.publish(id, &DocId::new(&doc_id)))
    }

    /// Adds a task to the minutes; returns its id. With a `source`, the task adopts that
    /// proposal into the resolution (and the proposal is marked accepted when this member
    /// may decide it).
    pub fn add_task(&self, session_id: String, task: NewTask) -> Result<String> {
        let new: sotay_core::model::session::NewTask = task.try_into()?;
        let id = DocId::new(&session_id);
        self.write_changed(|s| {
            let task = s.add_task(&id, &new)?;
            let mut changed = vec![id];
            changed.extend(new.source.map(|src| src.doc_id));
            Ok((task, changed))
        })
    }

    /// Posts progress on a task (its owner or an officer); returns the update's id. `Done`
    /// also marks the proposal it adopts as done. Progress is not an edit of the minutes:
    /// adopted minutes stay adopted.
    pub fn update_task(
        &self,
        session_id: String,
        task_id: String,
        status: TaskStatus,
        note: String,
    ) -> Result<String> {
        let id = DocId::new(&session_id);
        self.write_changed(|s| {
            // The proposal the task adopts changes too when the task is done.
            let source = s
                .session(&id)?
                .task(&task_id)
                .and_then(|t| t.source.clone());
            let update = s.update_task(&id, &task_id, status.into(), &note)?;
            let mut changed = vec![id];
            changed.extend(source.map(|src| src.doc_id));
            Ok((update, changed))
        })
    }

    /// Signs the minutes' current version as their chair or clerk, offline with the device
    /// key (`NotPermitted` for anyone else; `NotReady` without two different members named
    /// chair and clerk, or without start and end times).
    pub fn sign_minutes(&self, session_id: String, note: String) -> Result<Signoff> {
        self.write(
            &session_id,
            |s, id| Ok((&s.sign_minutes(id, &note)?).into()),
        )
    }

    /// Whether the minutes are adopted (both signatures on one version), checked here;
    /// when changed since, with the delta.
    pub fn minutes_adoption(&self, session_id: String) -> Result<MinutesAdoption> {
        self.read(|s| Ok(s.minutes_adoption(&DocId::new(&session_id))?.into()))
    }

    /// Records that this member opened a published draft or material (call it when a
    /// screen shows it); returns whether this was the first opening. The receipt goes into
    /// the member's reading log, which listeners hear of, and syncs like any edit.
    pub fn mark_opened(&self, doc_id: String) -> Result<bool> {
        let material = DocId::new(&doc_id);
        self.write_changed(|s| {
            let first = s.mark_opened(&material)?;
            Ok((first, vec![s.reading_log_id(&material)?]))
        })
    }

    /// This member's reading list: every draft and material published to their branch,
    /// newest session first, with when they first opened it.
    pub fn reading_list(&self) -> Result<Vec<ReadingItem>> {
        self.read(|s| Ok(s.reading_list()?.into_iter().map(Into::into).collect()))
    }

    /// The reading list's items not opened yet ("drafts to read").
    pub fn unread_materials(&self) -> Result<Vec<ReadingItem>> {
        self.read(|s| Ok(s.unread_materials()?.into_iter().map(Into::into).collect()))
    }

    /// For each draft and material published for the session: who opened it and who has
    /// not, and whether it went out later than the branch's rule.
    pub fn distribution_report(&self, session_id: String) -> Result<Vec<DistributionStatus>> {
        self.read(|s| {
            Ok(s.distribution_report(&DocId::new(&session_id))?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Sets how many days before a session its materials must go out, in this plan's
    /// branch (secretary or deputy; at least HD 42's one day).
    pub fn set_distribution_lead_days(&self, plan_id: String, days: u32) -> Result<()> {
        self.write(&plan_id, |s, id| s.set_distribution_lead_days(id, days))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::tests::{new_plan, new_topic, viet_store};
    use super::*;
    use crate::error::ApiError;
    use crate::listeners::tests::{Probe, WAIT};
    use crate::records::{
        ApproveBlocker, CommentKind, DocKind, NewComment, NewPlan, NewTextDoc, ProposalStatus,
        QualityLevel, vietnam_time,
    };
    use sotay_core::ids::BranchId;

    /// This year's plan (evidence and the board count the year's proposals, made now).
    pub(crate) fn this_years_plan() -> NewPlan {
        NewPlan {
            year: today_vn().year(),
            ..new_plan()
        }
    }

    /// A plan of this year with one topic (month 4, dated the 3rd) Lượng prepares; a study
    /// material of it; its session, on `date` or the topic's. Returns (plan, topic, material,
    /// session).
    pub(crate) fn session_with_material(
        store: &SotayStore,
        date: Option<String>,
    ) -> (String, String, String, String) {
        let plan = store.create_plan(this_years_plan()).expect("plan");
        let topic = store
            .add_topic(
                plan.clone(),
                new_topic("Giải pháp giảm thời gian dừng máy", 4),
            )
            .expect("topic");
        let material = store
            .create_text_doc(NewTextDoc {
                kind: DocKind::Material,
                branch_id: "b-co-dien".into(),
                plan_id: Some(plan.clone()),
                topic_id: Some(topic.clone()),
                title: "Quy trình bảo dưỡng".into(),
                description: String::new(),
                body: "Bảo dưỡng chưa đúng kỳ làm dừng máy.".into(),
            })
            .expect("material");
        let session = store
            .create_session_for_topic(plan.clone(), topic.clone(), date)
            .expect("session");
        (plan, topic, material, session)
    }

    #[test]
    fn test_a_published_material_is_on_the_reading_list_until_opened() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        // Yesterday's session: whatever is published for it now is late.
        let yesterday = today_vn().previous_day().map(sotay_core::date::format);
        let (plan, topic, material, session) = session_with_material(&store, yesterday.clone());
        let s = store.session(session.clone()).expect("session");
        assert_eq!(s.session_date, yesterday);
        assert_eq!(
            (s.plan_id.as_str(), s.topic_id.as_str()),
            (plan.as_str(), topic.as_str())
        );

        // A draft goes out only once approved; a plain member publishes nothing.
        let draft = store
            .create_text_doc(NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: "b-co-dien".into(),
                plan_id: Some(plan.clone()),
                topic_id: Some(topic),
                title: "Dự thảo".into(),
                description: String::new(),
                body: "Nội dung".into(),
            })
            .expect("draft");
        assert!(matches!(
            store.publish(session.clone(), draft),
            Err(ApiError::NotReady(_))
        ));
        store.set_identity("m-luong".into()).expect("luong");
        assert!(matches!(
            store.publish(session.clone(), material.clone()),
            Err(ApiError::NotPermitted(_))
        ));
        store.set_identity("m-viet".into()).expect("viet");
        store
            .publish(session.clone(), material.clone())
            .expect("publish");
        let rows = store.session_rows(Some("b-co-dien".into())).expect("rows");
        assert_eq!(
            (rows[0].doc_id.as_str(), rows[0].published),
            (session.as_str(), 1)
        );

        // Lượng's list: the material, unread, also in what needs him.
        store.set_identity("m-luong".into()).expect("luong");
        let list = store.reading_list().expect("list");
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].doc_id.as_str(), list[0].kind, list[0].opened_at),
            (material.as_str(), DocKind::Material, None)
        );
        assert_eq!(list[0].session_title, "Giải pháp giảm thời gian dừng máy");
        assert_eq!(store.needs_me().expect("needs").to_read, list);

        // Opening it writes his reading log; listeners hear of the log.
        let (probe, rx) = Probe::<Vec<String>>::new();
        let _h = store.subscribe_document_changes(probe);
        assert!(store.mark_opened(material.clone()).expect("opened"));
        let log = sotay_core::model::reading_log::id_for(
            &BranchId::new("b-co-dien"),
            &MemberId::new("m-luong"),
        );
        assert_eq!(rx.recv_timeout(WAIT).expect("heard"), vec![log.to_string()]);
        assert!(!store.mark_opened(material.clone()).expect("again"), "once");
        assert!(store.unread_materials().expect("unread").is_empty());
        assert!(store.needs_me().expect("needs").to_read.is_empty());
        let opened = store.reading_list().expect("list")[0].opened_at;
        assert!(opened.is_some());

        // The secretary's report: Lượng read it, the others not; it went out after the
        // session's day, so late.
        store.set_identity("m-viet".into()).expect("viet");
        let report = store.distribution_report(session.clone()).expect("report");
        assert_eq!(report.len(), 1);
        let r = &report[0];
        assert_eq!(r.opened.len(), 1);
        assert_eq!(
            (r.opened[0].member_id.as_str(), Some(r.opened[0].opened_at)),
            ("m-luong", opened)
        );
        assert_eq!(r.not_opened, ["m-hoa", "m-viet"]);
        assert!(r.late);
        assert_eq!(r.lead_days, 1);
        store
            .set_distribution_lead_days(plan, 7)
            .expect("lead days");
        assert_eq!(
            store.distribution_report(session).expect("report")[0].lead_days,
            7
        );
    }

    #[test]
    fn test_minutes_record_attendance_opinions_tasks_and_quality() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let (_, _, material, session) = session_with_material(&store, None);
        store.set_identity("m-luong".into()).expect("luong");
        let proposal = store
            .add_comment(
                material.clone(),
                NewComment {
                    kind: CommentKind::Proposal,
                    body: "Bảo dưỡng định kỳ theo ca".into(),
                    anchor: None,
                    reply_to: None,
                },
            )
            .expect("proposal");
        // Writing the minutes is for officers and the session's chair and clerk.
        assert!(matches!(
            store.fill_attendance(session.clone()),
            Err(ApiError::NotPermitted(_))
        ));
        store.set_identity("m-viet".into()).expect("viet");

        let day = store.session(session.clone()).expect("s").session_date;
        let at = |t: &str| vietnam_time(t.into(), day.clone()).expect("time");
        for f in [
            SessionField::Chair {
                member_id: Some("m-viet".into()),
            },
            SessionField::Clerk {
                member_id: Some("m-hoa".into()),
            },
            SessionField::Presenter {
                member_id: Some("m-luong".into()),
            },
            SessionField::StartedAt {
                at: Some(at("08:00")),
            },
            SessionField::EndedAt {
                at: Some(at("09:45")),
            },
            SessionField::Place {
                value: "Hội trường Phân xưởng Cơ điện".into(),
            },
            SessionField::VotesFor { count: 3 },
        ] {
            store.set_session_field(session.clone(), f).expect("field");
        }
        store
            .replace_session_text(
                session.clone(),
                SessionText::Conclusion,
                "Chi bộ thống nhất bảo dưỡng theo ca.".into(),
            )
            .expect("conclusion");
        assert_eq!(store.fill_attendance(session.clone()).expect("fill"), 3);
        store
            .set_attendance(
                session.clone(),
                "m-hoa".into(),
                Attendance::AbsentExcused,
                "Đi công tác".into(),
            )
            .expect("absent");
        store
            .add_guest(
                session.clone(),
                "Trần Văn Khách".into(),
                "Đảng ủy viên".into(),
                true,
            )
            .expect("guest");
        let source = SourceRef {
            doc_id: material.clone(),
            comment_id: proposal.clone(),
        };
        store
            .add_opinion(session.clone(), None, String::new(), Some(source.clone()))
            .expect("opinion");

        // A task adopting the proposal: the session and the material both change.
        let (probe, rx) = Probe::<Vec<String>>::new();
        let h = store.subscribe_document_changes(probe);
        let task = store
            .add_task(
                session.clone(),
                NewTask {
                    title: "Lập lịch bảo dưỡng theo ca".into(),
                    owner: "m-luong".into(),
                    deadline: Some(format!("{}-12-31", today_vn().year() + 1)),
                    source: Some(source),
                },
            )
            .expect("task");
        assert_eq!(
            rx.recv_timeout(WAIT).expect("heard"),
            vec![session.clone(), material.clone()]
        );
        drop(h);
        let adopted = store.text_doc(material.clone()).expect("m").comments[0].status;
        assert_eq!(adopted, Some(ProposalStatus::Accepted));

        for (c, p) in [
            ("attendance", 23),
            ("duration", 15),
            ("preparation", 20),
            ("opinions", 22),
            ("minutes", 15),
        ] {
            store
                .set_session_quality(session.clone(), c.into(), Some(p))
                .expect("quality");
        }
        assert!(matches!(
            store.set_session_quality(session.clone(), "minutes".into(), Some(16)),
            Err(ApiError::InvalidInput(_))
        ));
        assert_eq!(store.quality_grid().expect("grid").criteria.len(), 5);

        let s = store.session(session.clone()).expect("session");
        assert_eq!(s.duration_minutes, Some(105));
        assert_eq!((s.required_minutes, s.duration_ok), (90, Some(true)));
        // 95 points, but attendance and opinions below their maxima: Khá, not Tốt.
        assert_eq!((s.quality_total, s.quality_level), (95, QualityLevel::Fair));
        assert_eq!(s.conclusion, "Chi bộ thống nhất bảo dưỡng theo ca.");
        assert_eq!(s.attendance.len(), 3);
        let hoa = s
            .attendance
            .iter()
            .find(|a| a.member_id == "m-hoa")
            .expect("hoa");
        assert_eq!(
            (hoa.status, hoa.reason.as_str()),
            (Attendance::AbsentExcused, "Đi công tác")
        );
        assert_eq!(
            (
                s.opinions[0].member_id.as_str(),
                s.opinions[0].body.as_str()
            ),
            ("m-luong", "Bảo dưỡng định kỳ theo ca"),
            "taken from the proposal"
        );
        assert!(s.guests[0].delegate);
        assert_eq!(s.tasks[0].id, task);
        assert!(!s.tasks[0].overdue);

        // Signing: Lượng is neither chair nor clerk; without enrollment nobody signs here.
        store.set_identity("m-luong".into()).expect("luong");
        assert!(matches!(
            store.sign_minutes(session.clone(), "Ký".into()),
            Err(ApiError::NotPermitted(_))
        ));
        store.set_identity("m-viet".into()).expect("viet");
        assert!(matches!(
            store.sign_minutes(session.clone(), "Ký".into()),
            Err(ApiError::NotEnrolled(_))
        ));
        assert_eq!(
            store.minutes_adoption(session.clone()).expect("adoption"),
            MinutesAdoption::NotSigned
        );
        assert!(
            store
                .can_approve(session.clone())
                .expect("rights")
                .blockers
                .contains(&ApproveBlocker::NotEnrolled)
        );

        // Progress on the task: done, and the proposal with it.
        store
            .update_task(
                session.clone(),
                task.clone(),
                TaskStatus::Done,
                "Đã áp dụng từ ca 3".into(),
            )
            .expect("update");
        let s = store.session(session.clone()).expect("session");
        assert_eq!(s.tasks[0].status, TaskStatus::Done);
        assert_eq!(s.tasks[0].updates[0].note, "Đã áp dụng từ ca 3");
        let done = store.text_doc(material).expect("m").comments[0].status;
        assert_eq!(done, Some(ProposalStatus::Done));
        assert!(matches!(
            store.update_task(
                session,
                "no-such-task".into(),
                TaskStatus::Done,
                String::new()
            ),
            Err(ApiError::InvalidInput(_))
        ));
    }
}
