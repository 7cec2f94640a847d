//! Participation evidence for the year-end evaluation (`sotay_core::store::evidence`): what
//! each member did in the branch's sessions, every figure with the evidence it was counted
//! from. A proposal for the branch's vote, never a rating: every report carries that notice.

use sotay_core::store::evidence as core_evidence;

/// A kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EvidenceCategory {
    /// Draft submitted by the topic's deadline.
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

impl From<core_evidence::Category> for EvidenceCategory {
    fn from(c: core_evidence::Category) -> Self {
        use core_evidence::Category as C;
        match c {
            C::AssignmentOnTime => EvidenceCategory::AssignmentOnTime,
            C::AssignmentLate => EvidenceCategory::AssignmentLate,
            C::Presentation => EvidenceCategory::Presentation,
            C::CommentBefore => EvidenceCategory::CommentBefore,
            C::ProposalBefore => EvidenceCategory::ProposalBefore,
            C::ProposalAdopted => EvidenceCategory::ProposalAdopted,
            C::ProposalDone => EvidenceCategory::ProposalDone,
            C::Present => EvidenceCategory::Present,
            C::AbsentExcused => EvidenceCategory::AbsentExcused,
            C::AbsentUnexcused => EvidenceCategory::AbsentUnexcused,
            C::MaterialOpenedBefore => EvidenceCategory::MaterialOpenedBefore,
        }
    }
}

impl From<EvidenceCategory> for core_evidence::Category {
    fn from(c: EvidenceCategory) -> Self {
        use core_evidence::Category as C;
        match c {
            EvidenceCategory::AssignmentOnTime => C::AssignmentOnTime,
            EvidenceCategory::AssignmentLate => C::AssignmentLate,
            EvidenceCategory::Presentation => C::Presentation,
            EvidenceCategory::CommentBefore => C::CommentBefore,
            EvidenceCategory::ProposalBefore => C::ProposalBefore,
            EvidenceCategory::ProposalAdopted => C::ProposalAdopted,
            EvidenceCategory::ProposalDone => C::ProposalDone,
            EvidenceCategory::Present => C::Present,
            EvidenceCategory::AbsentExcused => C::AbsentExcused,
            EvidenceCategory::AbsentUnexcused => C::AbsentUnexcused,
            EvidenceCategory::MaterialOpenedBefore => C::MaterialOpenedBefore,
        }
    }
}

/// The part of QĐ 366's frame a category informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EvidenceFrame {
    /// Tiêu chí chung (30 points).
    General,
    /// Kết quả thực hiện nhiệm vụ (70 points).
    TaskResults,
}

impl From<core_evidence::Frame> for EvidenceFrame {
    fn from(f: core_evidence::Frame) -> Self {
        match f {
            core_evidence::Frame::General => EvidenceFrame::General,
            core_evidence::Frame::TaskResults => EvidenceFrame::TaskResults,
        }
    }
}

impl From<EvidenceFrame> for core_evidence::Frame {
    fn from(f: EvidenceFrame) -> Self {
        match f {
            EvidenceFrame::General => core_evidence::Frame::General,
            EvidenceFrame::TaskResults => core_evidence::Frame::TaskResults,
        }
    }
}

/// How one category turns into suggested points (the committee's weights).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceWeight {
    /// The category.
    pub category: EvidenceCategory,
    /// The part of the frame it informs.
    pub frame: EvidenceFrame,
    /// Points per counted item (negative for what counts against).
    pub points_each: f64,
    /// The most (in absolute value) it may add or take.
    pub cap: f64,
}

/// The weights applied, and the most participation may suggest within each part of the
/// frame.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceWeights {
    /// One per weighted category.
    pub weights: Vec<EvidenceWeight>,
    /// The most suggested within "general criteria" (of 30).
    pub general_cap: f64,
    /// The most suggested within "task results" (of 70).
    pub task_cap: f64,
}

/// One thing counted, and where to find it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EvidenceRef {
    /// The document it is in (plan, draft, material or session).
    pub doc_id: String,
    /// The item within it (topic, comment, task or member), if any.
    pub item_id: Option<String>,
    /// When (Unix seconds), when known.
    pub at: Option<i64>,
    /// What it is, in Vietnamese ("Buổi sinh hoạt «…» ngày 02/12/2026").
    pub note: String,
}

/// One category's figure for one member.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceFigure {
    /// The category.
    pub category: EvidenceCategory,
    /// The part of QĐ 366's frame it informs, per the weights applied (`None`: unweighted).
    pub frame: Option<EvidenceFrame>,
    /// How many.
    pub count: u32,
    /// Suggested points (capped).
    pub points: f64,
    /// The evidence, one line per counted item.
    pub evidence: Vec<EvidenceRef>,
}

/// One member's evidence for the year.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MemberEvidence {
    /// The member.
    pub member_id: String,
    /// Full name.
    pub name: String,
    /// Branch.
    pub branch_id: String,
    /// One figure per category, in the report's order.
    pub figures: Vec<EvidenceFigure>,
    /// Suggested points within "general criteria" (capped).
    pub general_points: f64,
    /// Suggested points within "task results" (capped).
    pub task_points: f64,
}

/// A member to bring to the secretary's attention (Điều lệ Đảng, art. 8).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AbsenceFlag {
    /// The member.
    pub member_id: String,
    /// Full name.
    pub name: String,
    /// The months (1–12) with an unexcused absence.
    pub months: Vec<u8>,
}

impl From<core_evidence::AbsenceFlag> for AbsenceFlag {
    fn from(f: core_evidence::AbsenceFlag) -> Self {
        AbsenceFlag {
            member_id: f.member.to_string(),
            name: f.name,
            months: f.months,
        }
    }
}

/// The evidence of a branch (or every branch held here) for one year.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceReport {
    /// The year.
    pub year: i32,
    /// The branch (`None`: every branch held here).
    pub branch_id: Option<String>,
    /// The weights applied.
    pub weights: EvidenceWeights,
    /// Members, in Vietnamese name order.
    pub members: Vec<MemberEvidence>,
    /// Unexcused absences in three or more months.
    pub flags: Vec<AbsenceFlag>,
    /// The notice every screen shows with it: a proposal for the branch's discussion and
    /// vote, not an evaluation of anyone (QĐ 366-QĐ/TW).
    pub notice: String,
}

impl From<core_evidence::EvidenceReport> for EvidenceReport {
    fn from(r: core_evidence::EvidenceReport) -> Self {
        let frame_of = |c: core_evidence::Category| {
            r.weights
                .weights
                .iter()
                .find(|w| w.category == c)
                .map(|w| w.frame.into())
        };
        let members = r
            .members
            .iter()
            .map(|m| MemberEvidence {
                member_id: m.member.to_string(),
                name: m.name.clone(),
                branch_id: m.branch_id.to_string(),
                figures: m
                    .figures
                    .iter()
                    .map(|f| EvidenceFigure {
                        category: f.category.into(),
                        frame: frame_of(f.category),
                        count: f.count,
                        points: f.points,
                        evidence: f
                            .evidence
                            .iter()
                            .map(|e| EvidenceRef {
                                doc_id: e.doc_id.to_string(),
                                item_id: super::non_empty(&e.item_id),
                                at: e.at,
                                note: e.note.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                general_points: m.general_points,
                task_points: m.task_points,
            })
            .collect();
        EvidenceReport {
            year: r.year,
            branch_id: r.branch_id.map(|b| b.to_string()),
            weights: EvidenceWeights {
                weights: r
                    .weights
                    .weights
                    .into_iter()
                    .map(|w| EvidenceWeight {
                        category: w.category.into(),
                        frame: w.frame.into(),
                        points_each: w.points_each,
                        cap: w.cap,
                    })
                    .collect(),
                general_cap: r.weights.general_cap,
                task_cap: r.weights.task_cap,
            },
            members,
            flags: r.flags.into_iter().map(Into::into).collect(),
            notice: r.notice,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_every_category_and_frame_converts_both_ways() {
        for c in core_evidence::Category::ALL {
            assert_eq!(core_evidence::Category::from(EvidenceCategory::from(c)), c);
        }
        for f in [
            core_evidence::Frame::General,
            core_evidence::Frame::TaskResults,
        ] {
            assert_eq!(core_evidence::Frame::from(EvidenceFrame::from(f)), f);
        }
    }
}
