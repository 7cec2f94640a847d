//! # sotay-tests
//!
//! End-to-end tests that cross crate boundaries (later: a real `sotay-server` on 127.0.0.1:0
//! with real device stores), and the sample committee from DOMAIN.md that they, the
//! benchmarks and the demo share. The fixture files live in `core/tests/fixtures/` and are
//! committed in NFC; tests derive NFD variants from them to prove normalisation.

pub mod harness;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sotay_core::ids::{BranchId, DocId, MemberId};
use sotay_core::model::plan::{NewPlan, NewTopic, TopicGroup};
use sotay_core::org::{Member, MemberStatus, Role};
use sotay_core::{Result, Store, date};

/// The fixtures folder.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures")
}

/// The sample committee "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".
#[derive(Debug, Deserialize)]
pub struct Sample {
    /// The committee.
    pub committee: SampleCommittee,
    /// Its 20 branches.
    pub branches: Vec<SampleBranch>,
    /// The demo branch with its members.
    pub demo_branch: SampleDemoBranch,
    /// The demo branch's 2026 plan.
    pub plan: SamplePlan,
}

/// Committee header.
#[derive(Debug, Deserialize)]
pub struct SampleCommittee {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Meeting day of the month.
    pub meeting_day: u8,
}

/// A branch and its size.
#[derive(Debug, Deserialize)]
pub struct SampleBranch {
    /// Id.
    pub id: String,
    /// Name ("Chi bộ …").
    pub name: String,
    /// Members.
    pub size: u32,
}

/// The demo branch.
#[derive(Debug, Deserialize)]
pub struct SampleDemoBranch {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Members.
    pub members: Vec<SampleMember>,
}

/// A member.
#[derive(Debug, Deserialize)]
pub struct SampleMember {
    /// Id.
    pub id: String,
    /// Full name.
    pub full_name: String,
    /// Role code.
    pub role: String,
    /// Status code.
    pub status: String,
}

/// The 2026 plan.
#[derive(Debug, Deserialize)]
pub struct SamplePlan {
    /// Branch.
    pub branch_id: String,
    /// Year.
    pub year: i32,
    /// Number.
    pub number: String,
    /// Issue date.
    pub issue_date: String,
    /// Title.
    pub title: String,
    /// Căn cứ.
    pub legal_bases: Vec<SampleBasis>,
    /// Topics.
    pub topics: Vec<SampleTopic>,
}

/// A legal basis.
#[derive(Debug, Deserialize)]
pub struct SampleBasis {
    /// Number.
    pub number: String,
    /// Date.
    pub date: String,
    /// Title.
    pub title: String,
}

/// A topic.
#[derive(Debug, Deserialize)]
pub struct SampleTopic {
    /// Title.
    pub title: String,
    /// Month.
    pub month: u8,
    /// Date.
    pub scheduled_date: String,
    /// Group code.
    pub topic_group: String,
    /// Preparers.
    pub preparers: Vec<String>,
    /// Presenter.
    pub presenter: String,
    /// Combined with the regular meeting.
    pub combined_with_regular_meeting: bool,
    /// Draft deadline.
    pub draft_deadline: String,
    /// Expected output.
    pub expected_output: String,
}

/// An NFD input with its NFC form.
#[derive(Debug, Deserialize)]
pub struct NfdCase {
    /// What it is.
    pub label: String,
    /// Decomposed.
    pub nfd: String,
    /// Composed.
    pub nfc: String,
}

/// Loads the sample committee.
pub fn sample() -> Sample {
    let text = std::fs::read_to_string(fixtures_dir().join("song_lam_xanh.json"))
        .unwrap_or_else(|e| panic!("reading the sample committee: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing the sample committee: {e}"))
}

/// Loads the NFD cases.
pub fn nfd_cases() -> Vec<NfdCase> {
    let text = std::fs::read_to_string(fixtures_dir().join("nfd_inputs.json"))
        .unwrap_or_else(|e| panic!("reading nfd_inputs.json: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing nfd_inputs.json: {e}"))
}

/// A 2026 plan for `branch` numbered `number`, with a short purpose (for tests).
pub fn plan_for(branch: &str, number: &str) -> NewPlan {
    NewPlan {
        branch_id: BranchId::new(branch),
        year: 2026,
        title: String::new(),
        number: number.into(),
        issue_date: None,
        purpose: "Nâng cao chất lượng sinh hoạt chuyên đề của chi bộ.".into(),
        implementation: String::new(),
    }
}

/// A topic in `month` with only a title (for tests).
pub fn simple_topic(title: &str, month: u8) -> NewTopic {
    NewTopic {
        title: title.into(),
        group: TopicGroup::ProductionTargets,
        month,
        scheduled_date: None,
        combined_with_regular_meeting: false,
        preparers: vec![],
        presenter: None,
        executive: None,
        draft_deadline: None,
        expected_output: String::new(),
        notes: String::new(),
    }
}

/// Puts the demo branch's members into a store's directory; `name` maps each name first
/// (tests pass an NFD conversion to prove normalisation).
pub fn seed_members(
    store: &mut Store,
    sample: &Sample,
    name: impl Fn(&str) -> String,
) -> Result<()> {
    for m in &sample.demo_branch.members {
        store.upsert_member(&Member {
            id: MemberId::new(&m.id),
            branch_id: BranchId::new(&sample.demo_branch.id),
            full_name: name(&m.full_name),
            role: Role::parse(&m.role)?,
            status: MemberStatus::parse(&m.status)?,
        })?;
    }
    Ok(())
}

/// Writes the sample 2026 plan into a store; `text` maps every string first.
pub fn seed_plan(
    store: &mut Store,
    sample: &Sample,
    text: impl Fn(&str) -> String,
) -> Result<DocId> {
    let p = &sample.plan;
    let plan = store.create_plan(&NewPlan {
        branch_id: BranchId::new(&p.branch_id),
        year: p.year,
        title: text(&p.title),
        number: text(&p.number),
        issue_date: Some(date::parse(&p.issue_date)?),
        purpose: text(
            "Nâng cao chất lượng sinh hoạt chuyên đề; mọi đảng viên cùng xây dựng kế hoạch.",
        ),
        implementation: text(
            "Chi ủy phân công đảng viên chuẩn bị dự thảo, gửi trước ít nhất 10 ngày.",
        ),
    })?;
    for b in &p.legal_bases {
        store.add_legal_basis(
            &plan,
            &text(&b.number),
            Some(date::parse(&b.date)?),
            &text(&b.title),
        )?;
    }
    for t in &p.topics {
        store.add_topic(
            &plan,
            &NewTopic {
                title: text(&t.title),
                group: TopicGroup::parse(&t.topic_group)?,
                month: t.month,
                scheduled_date: Some(date::parse(&t.scheduled_date)?),
                combined_with_regular_meeting: t.combined_with_regular_meeting,
                preparers: t.preparers.iter().map(MemberId::new).collect(),
                presenter: Some(MemberId::new(&t.presenter)),
                executive: None,
                draft_deadline: Some(date::parse(&t.draft_deadline)?),
                expected_output: text(&t.expected_output),
                notes: String::new(),
            },
        )?;
    }
    Ok(plan)
}
