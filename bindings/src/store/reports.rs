//! What the branch's record adds up to: the proposals board, the secretary's overview of a
//! year, and each member's participation evidence. All computed by core from the read model
//! (`sotay_core::store::{sessions, evidence}`), never stored.

use sotay_core::ids::BranchId;
use sotay_core::model::now_unix;
use sotay_core::store::today_vn;

use super::SotayStore;
use crate::error::Result;
use crate::records::{BranchOverview, EvidenceReport, Paper, PaperFormat, ProposalItem, date_in};
use sotay_core::ids::{DocId, MemberId};
use sotay_core::store::PaperOptions;

/// The day asked about: `today` (ISO or `DD/MM/YYYY`), else today in Vietnam.
fn day_or_today(today: Option<String>) -> Result<sotay_core::date::Date> {
    Ok(date_in(today.as_deref())?.unwrap_or_else(today_vn))
}

/// A paper's options as the apps give them (names from the signed directory).
fn options(format: PaperFormat, current: bool, place: String) -> PaperOptions {
    PaperOptions {
        current,
        place,
        ..PaperOptions::new(format.into())
    }
}

#[uniffi::export]
impl SotayStore {
    /// Every proposal of a branch (every branch held here when `None`) made in `year` (any
    /// year when `None`), with the task adopting it and its stage as of `today` (default:
    /// today); oldest first — the year-end review list.
    pub fn proposals_board(
        &self,
        branch_id: Option<String>,
        year: Option<i32>,
        today: Option<String>,
    ) -> Result<Vec<ProposalItem>> {
        let branch = branch_id.as_deref().map(BranchId::new);
        let today = day_or_today(today)?;
        self.read(|s| {
            Ok(s.proposals_board(branch.as_ref(), year, today)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The overview of a branch's `year` as of `today` (default: today): sessions held per
    /// quarter and quarters missed, each session's adoption, late and unread materials,
    /// open and overdue proposals, members flagged under art. 8.
    pub fn branch_overview(
        &self,
        branch_id: String,
        year: i32,
        today: Option<String>,
    ) -> Result<BranchOverview> {
        let today = day_or_today(today)?;
        self.read(|s| {
            Ok(s.branch_overview(&BranchId::new(&branch_id), year, today)?
                .into())
        })
    }

    /// Participation evidence of a branch (every branch held here when `None`) for `year`,
    /// as of `now` (Unix seconds; default: now) — deadlines passed by then count. A
    /// proposal for the branch's vote, never a rating (`notice`).
    pub fn participation_evidence(
        &self,
        branch_id: Option<String>,
        year: i32,
        now: Option<i64>,
    ) -> Result<EvidenceReport> {
        let branch = branch_id.as_deref().map(BranchId::new);
        let now = now.unwrap_or_else(now_unix);
        self.read(|s| Ok(s.participation_evidence(branch.as_ref(), year, now)?.into()))
    }

    /// The participation evidence of a branch (every branch held here when `None`) for
    /// `year`, as CSV (UTF-8, one row per member, with the notice), to share.
    pub fn participation_evidence_csv(
        &self,
        branch_id: Option<String>,
        year: i32,
    ) -> Result<String> {
        let branch = branch_id.as_deref().map(BranchId::new);
        self.read(|s| {
            Ok(s.participation_evidence(branch.as_ref(), year, now_unix())?
                .to_csv())
        })
    }

    /// The annual plan as the official paper: the version the approval in force signed,
    /// with its signer; with none in force (or `current`), this phone's version marked "DỰ
    /// THẢO". `place` fills the dateline ("Quảng Ninh"; empty leaves dots). Names of the
    /// branch and the committee come from the signed directory (`InvalidInput` before the
    /// first sync brought it).
    pub fn export_plan(
        &self,
        plan_id: String,
        format: PaperFormat,
        current: bool,
        place: String,
    ) -> Result<Paper> {
        let opts = options(format, current, place);
        self.read(|s| Ok(s.plan_paper(&DocId::new(plan_id), &opts)?.into()))
    }

    /// The minutes as the official paper: the version chair and clerk adopted, else (or
    /// with `current`) this phone's version marked "DỰ THẢO".
    pub fn export_minutes(
        &self,
        session_id: String,
        format: PaperFormat,
        current: bool,
        place: String,
    ) -> Result<Paper> {
        let opts = options(format, current, place);
        self.read(|s| Ok(s.minutes_paper(&DocId::new(session_id), &opts)?.into()))
    }

    /// A member's printable evidence sheet for `year`: every category with its count,
    /// suggested points and evidence, and the notice that it is a proposal for the branch's
    /// vote, never a rating.
    pub fn evidence_sheet(
        &self,
        member_id: String,
        year: i32,
        format: PaperFormat,
    ) -> Result<Paper> {
        let opts = PaperOptions::new(format.into());
        self.read(|s| {
            Ok(s.evidence_sheet(&MemberId::new(member_id), year, &opts)?
                .into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::sessions::tests::session_with_material;
    use super::super::tests::viet_store;
    use crate::error::ApiError;
    use crate::records::{
        CommentKind, EvidenceCategory, EvidenceFrame, NewComment, NewTask, ProposalStage,
        SessionField, SourceRef, TaskStatus, vietnam_time,
    };
    use sotay_core::store::today_vn;

    /// Papers before the first sync: the branch's name is not known yet (it comes with the
    /// signed directory), so the official papers are refused with a clear error; the evidence
    /// sheet and the CSV, working papers, are written anyway.
    #[test]
    fn test_papers_before_the_first_sync_say_what_is_missing() {
        use crate::records::PaperFormat;
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let year = today_vn().year();
        let (plan, _, _, session) = session_with_material(&store, None);
        for e in [
            store
                .export_plan(plan, PaperFormat::Docx, false, String::new())
                .expect_err("no directory"),
            store
                .export_minutes(session, PaperFormat::Html, false, "Quảng Ninh".into())
                .expect_err("no directory"),
        ] {
            assert!(
                matches!(&e, ApiError::InvalidInput(m) if m.contains("name of branch")),
                "{e:?}"
            );
        }
        let sheet = store
            .evidence_sheet("m-luong".into(), year, PaperFormat::Html)
            .expect("sheet");
        assert!(!sheet.official);
        assert_eq!(sheet.file_name, "Hoàng Đức Lượng.html");
        assert!(sheet.mime.starts_with("text/html"));
        assert!(
            String::from_utf8(sheet.bytes)
                .expect("utf-8")
                .contains("Hoàng Đức Lượng")
        );
        let csv = store
            .participation_evidence_csv(Some("b-co-dien".into()), year)
            .expect("csv");
        assert!(csv.contains("Hoàng Đức Lượng"), "{csv}");
        assert!(matches!(
            store.evidence_sheet("m-nobody".into(), year, PaperFormat::Docx),
            Err(ApiError::InvalidInput(_))
        ));
    }

    #[test]
    fn test_board_overview_and_evidence_follow_a_proposal_through() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let year = today_vn().year();
        let (_, _, material, session) = session_with_material(&store, None);
        store
            .publish(session.clone(), material.clone())
            .expect("publish");
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
        store.set_identity("m-viet".into()).expect("viet");
        let board = store
            .proposals_board(None, Some(year), None)
            .expect("board");
        assert_eq!(board.len(), 1);
        assert_eq!(
            (
                board[0].comment_id.as_str(),
                board[0].stage,
                board[0].task.is_none()
            ),
            (proposal.as_str(), ProposalStage::Open, true)
        );

        // Held on the topic's day (April, Q2), Lượng presenting, everyone present; a task
        // adopts his proposal, due at the end of May.
        let day = store.session(session.clone()).expect("s").session_date;
        let at = |t: &str| vietnam_time(t.into(), day.clone()).expect("time");
        for f in [
            SessionField::Presenter {
                member_id: Some("m-luong".into()),
            },
            SessionField::StartedAt {
                at: Some(at("08:00")),
            },
            SessionField::EndedAt {
                at: Some(at("09:30")),
            },
        ] {
            store.set_session_field(session.clone(), f).expect("field");
        }
        store.fill_attendance(session.clone()).expect("attendance");
        let task = store
            .add_task(
                session.clone(),
                NewTask {
                    title: "Lập lịch bảo dưỡng theo ca".into(),
                    owner: "m-luong".into(),
                    deadline: Some(format!("{year}-05-31")),
                    source: Some(SourceRef {
                        doc_id: material.clone(),
                        comment_id: proposal.clone(),
                    }),
                },
            )
            .expect("task");

        // On 1 June the task is overdue; on 20 May it is merely adopted.
        let june = Some(format!("{year}-06-01"));
        let board = store
            .proposals_board(Some("b-co-dien".into()), Some(year), june.clone())
            .expect("board");
        let t = board[0].task.as_ref().expect("a task");
        assert_eq!(
            (t.task_id.as_str(), t.session_id.as_str()),
            (task.as_str(), session.as_str())
        );
        assert!(t.overdue);
        assert_eq!(board[0].stage, ProposalStage::Overdue);
        let may = store
            .proposals_board(None, Some(year), Some(format!("{year}-05-20")))
            .expect("board");
        assert_eq!(may[0].stage, ProposalStage::Adopted);
        assert!(matches!(
            store.proposals_board(None, None, Some("31/02/2026".into())),
            Err(ApiError::InvalidInput(_))
        ));

        // The secretary's overview at the end of September: Q2 held, Q1 and Q3 missed.
        let overview = store
            .branch_overview("b-co-dien".into(), year, Some(format!("{year}-09-30")))
            .expect("overview");
        assert_eq!(overview.held_per_quarter, [0, 1, 0, 0]);
        assert_eq!(overview.quarters_missed, [1]);
        let end = store
            .branch_overview("b-co-dien".into(), year, Some(format!("{year}-10-01")))
            .expect("overview");
        assert_eq!(end.quarters_missed, [1, 3]);
        let s = &overview.sessions[0];
        assert_eq!(
            (s.held, s.duration_ok, s.adopted),
            (true, Some(true), false)
        );
        assert_eq!((s.published, s.unread), (1, 3));
        assert_eq!(end.overdue_proposals, 1);
        assert_eq!(end.open_proposals, 0);
        assert!(end.absence_flags.is_empty());

        // Lượng's evidence: presented, attended, proposed and had it adopted — each with
        // what it was counted from, and the notice that it is no rating.
        store
            .update_task(session.clone(), task, TaskStatus::Done, "Xong".into())
            .expect("done");
        let report = store
            .participation_evidence(Some("b-co-dien".into()), year, None)
            .expect("evidence");
        assert!(report.notice.contains("không phải kết quả đánh giá"));
        let luong = report
            .members
            .iter()
            .find(|m| m.member_id == "m-luong")
            .expect("Lượng");
        let figure = |c: EvidenceCategory| {
            luong
                .figures
                .iter()
                .find(|f| f.category == c)
                .expect("every category has a figure")
        };
        let presented = figure(EvidenceCategory::Presentation);
        assert_eq!(presented.count, 1);
        assert_eq!(presented.frame, Some(EvidenceFrame::TaskResults));
        assert_eq!(presented.evidence[0].doc_id, session);
        assert!(
            presented.evidence[0]
                .note
                .contains("Giải pháp giảm thời gian dừng máy")
        );
        assert_eq!(figure(EvidenceCategory::Present).count, 1);
        assert_eq!(
            figure(EvidenceCategory::Present).frame,
            Some(EvidenceFrame::General)
        );
        let adopted = figure(EvidenceCategory::ProposalAdopted);
        assert_eq!(adopted.count, 1);
        assert_eq!(
            adopted.evidence[0].item_id.as_deref(),
            Some(proposal.as_str())
        );
        assert_eq!(figure(EvidenceCategory::ProposalDone).count, 1);
        assert!(luong.task_points > 0.0);
        assert_eq!(luong.figures.len(), 11);
    }
}
