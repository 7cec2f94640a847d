//! Participation evidence for the year-end evaluation (QĐ 366-QĐ/TW, 30/8/2025): what each
//! member did in the branch's thematic sessions, counted from the record and linked to it.
//!
//! It **proposes, it never rates**: the member self-assesses, the branch discusses and
//! votes, the committee decides. Every figure lists the evidence it was counted from, and
//! the points are a suggestion mapped onto QĐ 366's frame (30 points general criteria, 70
//! points task results) with weights the committee sets ([`Weights`]).
//!
//! Counted per member per calendar year (sessions dated in the year; topics of the year's
//! plans), from the read-model tables only — a committee's year is thousands of documents,
//! and opening them would take seconds:
//! - assignments prepared: topics the member prepares whose draft was submitted for approval,
//!   on time or late against the topic's draft deadline (a deadline passed with no submission
//!   counts as late);
//! - presentations: sessions held (start recorded) with the member as presenter;
//! - comments and proposals made on a session's published materials before the session;
//! - proposals adopted into a resolution (a task links them) and proposals done;
//! - attendance: present, absent with reason, absent without;
//! - materials opened before the session.
//!
//! Members with unexcused absences in three different months of the year are flagged to
//! the secretary (Điều lệ Đảng, art. 8) — from the sessions recorded here only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::Store;
use super::sessions::day_start_vn;
use crate::date;
use crate::ids::{BranchId, DocId, MemberId};
use crate::{Error, Result};

/// The notice every output carries.
pub const NOTICE_VI: &str = "Đây là tổng hợp minh chứng để chi bộ thảo luận, biểu quyết; \
     không phải kết quả đánh giá, xếp loại đảng viên (QĐ 366-QĐ/TW).";

/// A kind of evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Draft submitted by the deadline.
    AssignmentOnTime,
    /// Draft submitted late, or not at all by a passed deadline.
    AssignmentLate,
    /// Presented a topic at a session held.
    Presentation,
    /// Comments on a session's materials before the session.
    CommentBefore,
    /// Proposals on a session's materials before the session.
    ProposalBefore,
    /// Proposals adopted into a resolution.
    ProposalAdopted,
    /// Adopted proposals carried out.
    ProposalDone,
    /// Present at a session.
    Present,
    /// Absent with a reason.
    AbsentExcused,
    /// Absent without a reason.
    AbsentUnexcused,
    /// Opened a published material before its session.
    MaterialOpenedBefore,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 11] = [
        Category::AssignmentOnTime,
        Category::AssignmentLate,
        Category::Presentation,
        Category::CommentBefore,
        Category::ProposalBefore,
        Category::ProposalAdopted,
        Category::ProposalDone,
        Category::Present,
        Category::AbsentExcused,
        Category::AbsentUnexcused,
        Category::MaterialOpenedBefore,
    ];

    /// The stored code (CSV column names).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::AssignmentOnTime => "assignment_on_time",
            Category::AssignmentLate => "assignment_late",
            Category::Presentation => "presentation",
            Category::CommentBefore => "comment_before",
            Category::ProposalBefore => "proposal_before",
            Category::ProposalAdopted => "proposal_adopted",
            Category::ProposalDone => "proposal_done",
            Category::Present => "present",
            Category::AbsentExcused => "absent_excused",
            Category::AbsentUnexcused => "absent_unexcused",
            Category::MaterialOpenedBefore => "material_opened_before",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| Error::InvalidInput(format!("unknown evidence category {s:?}")))
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Category::AssignmentOnTime => "Chuẩn bị dự thảo đúng hạn",
            Category::AssignmentLate => "Chuẩn bị dự thảo chậm hoặc chưa nộp",
            Category::Presentation => "Trình bày chuyên đề",
            Category::CommentBefore => "Góp ý trước buổi sinh hoạt",
            Category::ProposalBefore => "Hiến kế trước buổi sinh hoạt",
            Category::ProposalAdopted => "Hiến kế được đưa vào nghị quyết",
            Category::ProposalDone => "Hiến kế đã thực hiện xong",
            Category::Present => "Dự sinh hoạt",
            Category::AbsentExcused => "Vắng có lý do",
            Category::AbsentUnexcused => "Vắng không lý do",
            Category::MaterialOpenedBefore => "Đọc tài liệu trước buổi sinh hoạt",
        }
    }
}

/// QĐ 366's two parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frame {
    /// Tiêu chí chung (30 points): political quality, ethics, exemplary conduct,
    /// self-criticism — attendance, reading, opinions.
    General,
    /// Kết quả thực hiện nhiệm vụ (70 points): assignments, presentations, proposals.
    TaskResults,
}

impl Frame {
    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Frame::General => "Tiêu chí chung (30 điểm)",
            Frame::TaskResults => "Kết quả thực hiện nhiệm vụ (70 điểm)",
        }
    }
}

/// How one category turns into suggested points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weight {
    /// The category.
    pub category: Category,
    /// The part of QĐ 366's frame it informs.
    pub frame: Frame,
    /// Points per counted item (negative for what counts against).
    pub points_each: f64,
    /// The most (in absolute value) this category may add or take.
    pub cap: f64,
}

/// The committee's weights, and the most participation may suggest within each part of the
/// frame (it is one criterion among many).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// One per category (missing categories count 0 points, still listed).
    pub weights: Vec<Weight>,
    /// The most suggested within "general criteria" (of 30).
    pub general_cap: f64,
    /// The most suggested within "task results" (of 70).
    pub task_cap: f64,
}

impl Default for Weights {
    fn default() -> Self {
        use Category::*;
        use Frame::*;
        let w = |category, frame, points_each, cap| Weight {
            category,
            frame,
            points_each,
            cap,
        };
        Weights {
            weights: vec![
                w(AssignmentOnTime, TaskResults, 3.0, 6.0),
                w(AssignmentLate, TaskResults, -1.0, 3.0),
                w(Presentation, TaskResults, 3.0, 6.0),
                w(ProposalAdopted, TaskResults, 1.0, 3.0),
                w(ProposalDone, TaskResults, 1.0, 2.0),
                w(CommentBefore, General, 0.25, 2.0),
                w(ProposalBefore, General, 0.5, 2.0),
                w(Present, General, 0.5, 4.0),
                w(AbsentExcused, General, 0.0, 0.0),
                w(AbsentUnexcused, General, -1.0, 4.0),
                w(MaterialOpenedBefore, General, 0.25, 2.0),
            ],
            general_cap: 10.0,
            task_cap: 15.0,
        }
    }
}

impl Weights {
    /// Reads weights from JSON (the committee's file), checking them.
    pub fn from_json(json: &str) -> Result<Self> {
        let w: Weights = serde_json::from_str(json)
            .map_err(|e| Error::InvalidInput(format!("the weights do not read: {e}")))?;
        w.check()?;
        Ok(w)
    }

    fn check(&self) -> Result<()> {
        let mut seen = BTreeSet::new();
        for w in &self.weights {
            if !seen.insert(w.category) {
                return Err(Error::InvalidInput(format!(
                    "category {} is weighted twice",
                    w.category.as_str()
                )));
            }
            if !w.points_each.is_finite() || !w.cap.is_finite() || w.cap < 0.0 {
                return Err(Error::InvalidInput(format!(
                    "category {}: points and cap must be numbers, the cap not negative",
                    w.category.as_str()
                )));
            }
            let frame_max = match w.frame {
                Frame::General => 30.0,
                Frame::TaskResults => 70.0,
            };
            if w.cap > frame_max {
                return Err(Error::InvalidInput(format!(
                    "category {}: a cap of {} is more than its part of QĐ 366's frame gives ({frame_max})",
                    w.category.as_str(),
                    w.cap
                )));
            }
        }
        if !(0.0..=30.0).contains(&self.general_cap) || !(0.0..=70.0).contains(&self.task_cap) {
            return Err(Error::InvalidInput(
                "the caps must stay within QĐ 366's frame (general ≤ 30, task results ≤ 70)".into(),
            ));
        }
        Ok(())
    }

    fn of(&self, c: Category) -> Option<&Weight> {
        self.weights.iter().find(|w| w.category == c)
    }
}

/// One thing counted, and where to find it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// The document it is in (plan, draft, material or session).
    pub doc_id: DocId,
    /// The item within it (topic, comment, task, or empty).
    pub item_id: String,
    /// When (Unix seconds), when known.
    pub at: Option<i64>,
    /// What it is, in Vietnamese ("Chuyên đề …", "Buổi sinh hoạt ngày …").
    pub note: String,
}

/// One category's figure for one member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The category.
    pub category: Category,
    /// How many.
    pub count: u32,
    /// Suggested points (capped).
    pub points: f64,
    /// The evidence, one per counted item.
    pub evidence: Vec<EvidenceRef>,
}

/// One member's evidence for the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberEvidence {
    /// The member.
    pub member: MemberId,
    /// Full name.
    pub name: String,
    /// Branch.
    pub branch_id: BranchId,
    /// One figure per category, in [`Category::ALL`] order.
    pub figures: Vec<Figure>,
    /// Suggested points within "general criteria" (capped).
    pub general_points: f64,
    /// Suggested points within "task results" (capped).
    pub task_points: f64,
}

impl MemberEvidence {
    /// The figure of `c`.
    pub fn figure(&self, c: Category) -> &Figure {
        self.figures
            .iter()
            .find(|f| f.category == c)
            .expect("every category has a figure")
    }
}

/// A member to bring to the secretary's attention (Điều lệ Đảng, art. 8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceFlag {
    /// The member.
    pub member: MemberId,
    /// Full name.
    pub name: String,
    /// The months (1–12) with an unexcused absence.
    pub months: Vec<u8>,
}

/// The evidence of one branch (or every branch held here) for one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceReport {
    /// The year.
    pub year: i32,
    /// The branch, or `None` for every branch held here (the committee).
    pub branch_id: Option<BranchId>,
    /// The weights applied.
    pub weights: Weights,
    /// Members, in Vietnamese name order.
    pub members: Vec<MemberEvidence>,
    /// Unexcused absences in three or more months.
    pub flags: Vec<AbsenceFlag>,
    /// It is a proposal for the branch's vote, never a rating.
    pub notice: String,
}

impl EvidenceReport {
    /// One member's evidence.
    pub fn member(&self, m: &MemberId) -> Option<&MemberEvidence> {
        self.members.iter().find(|e| &e.member == m)
    }

    /// CSV (UTF-8 with BOM so spreadsheet programs read Vietnamese): one row per member,
    /// counts per category, suggested points.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let mut head = vec!["member_id".to_owned(), "ho_ten".into(), "chi_bo".into()];
        head.extend(Category::ALL.iter().map(|c| c.as_str().to_owned()));
        head.extend(["diem_tieu_chi_chung".into(), "diem_ket_qua_nhiem_vu".into()]);
        out.push_str(&head.join(","));
        out.push_str("\r\n");
        for m in &self.members {
            let mut row = vec![
                csv_field(m.member.as_str()),
                csv_field(&m.name),
                csv_field(m.branch_id.as_str()),
            ];
            row.extend(m.figures.iter().map(|f| f.count.to_string()));
            row.push(format!("{:.2}", m.general_points));
            row.push(format!("{:.2}", m.task_points));
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A session as the evidence sees it.
struct SessionFacts {
    id: DocId,
    title: String,
    date: Option<crate::date::Date>,
    /// Comments, proposals and openings count when made before this moment.
    cutoff: i64,
    presenter: String,
    held: bool,
}

type Counts = HashMap<(MemberId, Category), Vec<EvidenceRef>>;

impl Store {
    /// The weights in use: the committee's (set by its admin on the server, carried in the
    /// signed directory, so every phone of the committee proposes the same points), else the
    /// defaults.
    pub fn evidence_weights(&self) -> Result<Weights> {
        match self.committee_settings()?.evidence_weights {
            Some(j) => Weights::from_json(&j),
            None => Ok(Weights::default()),
        }
    }

    /// Participation evidence of `branch` (every branch held here when `None`) for `year`,
    /// as of `now` (deadlines passed by then count).
    pub fn participation_evidence(
        &self,
        branch: Option<&BranchId>,
        year: i32,
        now: i64,
    ) -> Result<EvidenceReport> {
        let weights = self.evidence_weights()?;
        let b = branch.map(|b| b.as_str());
        let from = date::day_of_month(year, 1, 1)?;
        let to = date::day_of_month(year + 1, 1, 1)?;
        let (from_s, to_s) = (date::format(from), date::format(to));
        let mut counts: Counts = HashMap::new();
        let mut add = |m: &str, c: Category, e: EvidenceRef| {
            counts.entry((MemberId::new(m), c)).or_default().push(e);
        };

        // Sessions of the year.
        let mut sessions: HashMap<String, SessionFacts> = HashMap::new();
        {
            let mut stmt = self.reader.prepare_cached(
                "SELECT doc_id, title, session_date, started_at, presenter FROM rm_sessions
                 WHERE (?1 IS NULL OR branch_id = ?1) AND session_date >= ?2 AND session_date < ?3",
            )?;
            let rows = stmt.query_map(params![b, from_s, to_s], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            for row in rows {
                let (id, title, d, started_at, presenter) = row?;
                let date = date::parse(&d).ok();
                let cutoff = started_at
                    .or(date.map(|d| day_start_vn(d) + 86_400))
                    .unwrap_or(i64::MAX);
                sessions.insert(
                    id.clone(),
                    SessionFacts {
                        id: DocId::new(id),
                        title,
                        date,
                        cutoff,
                        presenter,
                        held: started_at.is_some(),
                    },
                );
            }
        }
        let session_note = |s: &SessionFacts| {
            format!(
                "Buổi sinh hoạt «{}» ngày {}",
                s.title,
                s.date.map(date::format_vi).unwrap_or_default()
            )
        };
        for s in sessions.values() {
            if s.held && !s.presenter.is_empty() {
                add(
                    &s.presenter,
                    Category::Presentation,
                    EvidenceRef {
                        doc_id: s.id.clone(),
                        item_id: String::new(),
                        at: None,
                        note: session_note(s),
                    },
                );
            }
        }

        // Attendance.
        let mut unexcused_months: BTreeMap<MemberId, BTreeSet<u8>> = BTreeMap::new();
        {
            let mut stmt = self.reader.prepare_cached(
                "SELECT session_id, member_id, status, reason FROM rm_attendance",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?;
            for row in rows {
                let (sid, member, status, reason) = row?;
                let Some(s) = sessions.get(&sid) else {
                    continue;
                };
                let category = match status.as_str() {
                    "present" => Category::Present,
                    "absent_excused" => Category::AbsentExcused,
                    "absent_unexcused" => {
                        if let Some(d) = s.date {
                            unexcused_months
                                .entry(MemberId::new(&member))
                                .or_default()
                                .insert(d.month() as u8);
                        }
                        Category::AbsentUnexcused
                    }
                    _ => continue,
                };
                let mut note = session_note(s);
                if !reason.is_empty() {
                    note = format!("{note} ({reason})");
                }
                add(
                    &member,
                    category,
                    EvidenceRef {
                        doc_id: s.id.clone(),
                        item_id: member.clone(),
                        at: None,
                        note,
                    },
                );
            }
        }

        // Materials published per session: comments, proposals and openings before it.
        let mut published: HashMap<String, Vec<String>> = HashMap::new();
        {
            let mut stmt = self
                .reader
                .prepare_cached("SELECT session_id, doc_id FROM rm_distribution")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (sid, doc) = row?;
                if sessions.contains_key(&sid) {
                    published.entry(doc).or_default().push(sid);
                }
            }
        }
        // The earliest cutoff among the sessions a material was published for.
        let cutoff_of = |doc: &str| {
            published.get(doc).and_then(|sids| {
                sids.iter()
                    .filter_map(|sid| sessions.get(sid))
                    .min_by_key(|s| s.cutoff)
            })
        };
        {
            let mut stmt = self.reader.prepare_cached(
                "SELECT c.doc_id, c.comment_id, c.kind, c.author, c.created_at, c.excerpt
                 FROM rm_comments c JOIN rm_text_docs t ON t.doc_id = c.doc_id
                 WHERE c.deleted = 0 AND (?1 IS NULL OR t.branch_id = ?1)",
            )?;
            let rows = stmt.query_map(params![b], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            for row in rows {
                let (doc, comment, kind, author, at, excerpt) = row?;
                let Some(s) = cutoff_of(&doc) else {
                    continue;
                };
                if at >= s.cutoff {
                    continue;
                }
                let category = if kind == "proposal" {
                    Category::ProposalBefore
                } else {
                    Category::CommentBefore
                };
                add(
                    &author,
                    category,
                    EvidenceRef {
                        doc_id: DocId::new(&doc),
                        item_id: comment,
                        at: Some(at),
                        note: format!("«{excerpt}» — trước {}", session_note(s)),
                    },
                );
            }
        }
        {
            let mut stmt = self.reader.prepare_cached(
                "SELECT member_id, doc_id, min(opened_at) FROM rm_receipts
                 WHERE ?1 IS NULL OR branch_id = ?1 GROUP BY member_id, doc_id",
            )?;
            let rows = stmt.query_map(params![b], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (member, doc, at) = row?;
                let Some(s) = cutoff_of(&doc) else {
                    continue;
                };
                if at < s.cutoff {
                    add(
                        &member,
                        Category::MaterialOpenedBefore,
                        EvidenceRef {
                            doc_id: DocId::new(&doc),
                            item_id: String::new(),
                            at: Some(at),
                            note: format!("Mở tài liệu trước {}", session_note(s)),
                        },
                    );
                }
            }
        }

        // Proposals of the year adopted into a resolution, and done.
        {
            let (y0, y1) = (day_start_vn(from), day_start_vn(to));
            let mut stmt = self.reader.prepare_cached(
                "SELECT c.doc_id, c.comment_id, c.author, c.excerpt, c.status,
                        min(k.session_id), max(k.status = 'done'), max(k.closed_at)
                 FROM rm_comments c JOIN rm_text_docs t ON t.doc_id = c.doc_id
                 LEFT JOIN rm_tasks k ON k.source_doc = c.doc_id AND k.source_comment = c.comment_id
                 WHERE c.kind = 'proposal' AND c.deleted = 0 AND (?1 IS NULL OR t.branch_id = ?1)
                   AND c.created_at >= ?2 AND c.created_at < ?3
                 GROUP BY c.doc_id, c.comment_id",
            )?;
            let rows = stmt.query_map(params![b, y0, y1], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<bool>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                ))
            })?;
            for row in rows {
                let (doc, comment, author, excerpt, status, task_session, task_done, closed_at) =
                    row?;
                let adopted = task_session.is_some() || status == "accepted" || status == "done";
                if !adopted {
                    continue;
                }
                let e = EvidenceRef {
                    doc_id: DocId::new(task_session.as_deref().unwrap_or(&doc)),
                    item_id: comment.clone(),
                    at: None,
                    note: format!("Hiến kế «{excerpt}»"),
                };
                add(&author, Category::ProposalAdopted, e.clone());
                if task_done == Some(true) || status == "done" {
                    add(
                        &author,
                        Category::ProposalDone,
                        EvidenceRef { at: closed_at, ..e },
                    );
                }
            }
        }

        // Assignments: topics of the year's plans, their preparers, and when their draft was
        // first submitted.
        {
            let mut submitted: HashMap<(String, String), i64> = HashMap::new();
            let mut stmt = self.reader.prepare_cached(
                "SELECT t.plan_id, t.topic_id, min(s.signed_at)
                 FROM signoffs s JOIN rm_text_docs t ON t.doc_id = s.doc_id
                 WHERE s.action = 'submit' AND s.state != 'refused' AND t.kind = 'topic_draft'
                 GROUP BY t.plan_id, t.topic_id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (p, t, at) = row?;
                submitted.insert((p, t), at);
            }
            let mut stmt = self.reader.prepare_cached(
                "SELECT t.plan_id, t.topic_id, t.title, t.preparers, t.draft_deadline
                 FROM rm_topics t JOIN rm_plans p ON p.doc_id = t.plan_id
                 WHERE p.year = ?2 AND (?1 IS NULL OR p.branch_id = ?1) AND t.status != 'cancelled'",
            )?;
            let rows = stmt.query_map(params![b, year], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            for row in rows {
                let (plan_id, topic_id, title, preparers, deadline) = row?;
                let preparers: Vec<String> = serde_json::from_str(&preparers)?;
                let deadline_end = date::parse(&deadline)
                    .ok()
                    .map(|d| day_start_vn(d) + 86_400);
                let at = submitted.get(&(plan_id.clone(), topic_id.clone())).copied();
                let category = match (at, deadline_end) {
                    (Some(at), Some(end)) if at >= end => Category::AssignmentLate,
                    (Some(_), _) => Category::AssignmentOnTime,
                    (None, Some(end)) if now >= end => Category::AssignmentLate,
                    (None, _) => continue,
                };
                // The deadline as members read it ("hạn 21/02/2026"); a topic without one
                // says nothing of it.
                let due = date::parse(&deadline)
                    .map(|d| format!(" (hạn {})", date::format_vi(d)))
                    .unwrap_or_default();
                let note = match at {
                    Some(_) => format!("Dự thảo chuyên đề «{title}»{due}"),
                    None => format!("Dự thảo chuyên đề «{title}» chưa nộp{due}"),
                };
                for p in &preparers {
                    add(
                        p,
                        category,
                        EvidenceRef {
                            doc_id: DocId::new(&plan_id),
                            item_id: topic_id.clone(),
                            at,
                            note: note.clone(),
                        },
                    );
                }
            }
        }

        // Members of the scope, in Vietnamese name order.
        let members: Vec<crate::org::Member> = self
            .members()?
            .into_iter()
            .filter(|m| branch.is_none_or(|b| &m.branch_id == b))
            .collect();
        let mut out = Vec::with_capacity(members.len());
        for m in &members {
            let mut figures = Vec::with_capacity(Category::ALL.len());
            let (mut general, mut task) = (0.0f64, 0.0f64);
            for c in Category::ALL {
                let mut evidence = counts.remove(&(m.id.clone(), c)).unwrap_or_default();
                evidence.sort_by(|a, b| {
                    (a.at, &a.doc_id, &a.item_id).cmp(&(b.at, &b.doc_id, &b.item_id))
                });
                let count = evidence.len() as u32;
                let points = weights.of(c).map_or(0.0, |w| {
                    let raw = w.points_each * f64::from(count);
                    let p = raw.clamp(-w.cap, w.cap);
                    match w.frame {
                        Frame::General => general += p,
                        Frame::TaskResults => task += p,
                    }
                    p
                });
                figures.push(Figure {
                    category: c,
                    count,
                    points,
                    evidence,
                });
            }
            out.push(MemberEvidence {
                member: m.id.clone(),
                name: m.full_name.clone(),
                branch_id: m.branch_id.clone(),
                figures,
                general_points: general.clamp(-weights.general_cap, weights.general_cap),
                task_points: task.clamp(-weights.task_cap, weights.task_cap),
            });
        }
        let names: HashMap<&MemberId, &str> = members
            .iter()
            .map(|m| (&m.id, m.full_name.as_str()))
            .collect();
        let flags = unexcused_months
            .into_iter()
            .filter(|(_, months)| months.len() >= 3)
            .filter(|(m, _)| names.contains_key(m))
            .map(|(m, months)| AbsenceFlag {
                name: names.get(&m).copied().unwrap_or_default().to_owned(),
                member: m,
                months: months.into_iter().collect(),
            })
            .collect();
        Ok(EvidenceReport {
            year,
            branch_id: branch.cloned(),
            weights,
            members: out,
            flags,
            notice: NOTICE_VI.to_owned(),
        })
    }
}
