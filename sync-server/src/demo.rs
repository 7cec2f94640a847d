//! The demo organisation: DOMAIN.md's sample committee, ready to enroll devices into.
//!
//! [`seed_demo`] stores "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh" with its 20 branches,
//! the 16 members of the demo branch "Chi bộ Phân xưởng Cơ điện" (from the shared fixture
//! `core/tests/fixtures/song_lam_xanh.json`), a committee inspector and an admin, and issues an
//! enrollment code for every demo-branch member and the inspector. `sotay-server serve --demo`
//! prints those codes.

use serde::Deserialize;
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::org::{MemberStatus, Role};

use crate::Result;
use crate::admin::{self, DEFAULT_CODE_VALIDITY_SECS, NewMember};
use crate::store::{ServerMember, ServerStore};

/// The shared sample committee (NFC, committed with the core's fixtures).
const SAMPLE_JSON: &str = include_str!("../../core/tests/fixtures/song_lam_xanh.json");

/// The committee-level inspector of the demo (ủy viên UBKT).
pub const INSPECTOR_ID: &str = "m-kiem";
/// The inspector's name.
pub const INSPECTOR_NAME: &str = "Trần Văn Kiểm";
/// The committee's staff admin of the demo.
pub const ADMIN_ID: &str = "m-admin";
/// The admin's name.
pub const ADMIN_NAME: &str = "Phan Thanh Bình";

#[derive(Debug, Deserialize)]
struct Sample {
    committee: SampleCommittee,
    branches: Vec<SampleBranch>,
    demo_branch: SampleDemoBranch,
}

#[derive(Debug, Deserialize)]
struct SampleCommittee {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct SampleBranch {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct SampleDemoBranch {
    id: String,
    members: Vec<SampleMember>,
}

#[derive(Debug, Deserialize)]
struct SampleMember {
    id: String,
    full_name: String,
    role: String,
    status: String,
}

/// The demo committee's id.
pub fn committee_id() -> Result<String> {
    Ok(sample()?.committee.id)
}

fn sample() -> Result<Sample> {
    Ok(serde_json::from_str(SAMPLE_JSON)?)
}

/// Seeds the demo organisation and returns a fresh enrollment code (valid 7 days from `now`)
/// for each demo-branch member and the inspector, in the fixture's order (secretary first),
/// the inspector last.
///
/// Idempotent: what exists already is left as it is (an admin's later moves and removals
/// stand), what is missing is created, and every run issues fresh codes — removed members
/// get none.
pub fn seed_demo(store: &dyn ServerStore, now: i64) -> Result<Vec<(ServerMember, String)>> {
    let sample = sample()?;
    let committee_id = sample.committee.id.as_str();
    if store.committee(committee_id)?.is_none() {
        admin::create_committee(store, committee_id, &sample.committee.name)?;
    }
    for branch in &sample.branches {
        if store.branch(&BranchId::new(&branch.id))?.is_none() {
            admin::create_branch(store, &branch.id, committee_id, &branch.name)?;
        }
    }

    let mut people: Vec<NewMember> = Vec::new();
    for m in &sample.demo_branch.members {
        people.push(NewMember {
            id: m.id.clone(),
            committee_id: committee_id.to_owned(),
            branch_id: Some(sample.demo_branch.id.clone()),
            full_name: m.full_name.clone(),
            role: Role::parse(&m.role)?,
            status: MemberStatus::parse(&m.status)?,
        });
    }
    for (id, name, role) in [
        (INSPECTOR_ID, INSPECTOR_NAME, Role::Inspector),
        (ADMIN_ID, ADMIN_NAME, Role::Admin),
    ] {
        people.push(NewMember {
            id: id.to_owned(),
            committee_id: committee_id.to_owned(),
            branch_id: None,
            full_name: name.to_owned(),
            role,
            status: MemberStatus::Full,
        });
    }

    let mut codes = Vec::new();
    for new in &people {
        let id = MemberId::new(&new.id);
        let member = match store.member(&id)? {
            Some(m) => m,
            None => admin::add_member(store, new, now)?,
        };
        if !member.active || member.role == Role::Admin {
            continue;
        }
        let code = admin::issue_code(store, &member.id, now, DEFAULT_CODE_VALIDITY_SECS)?;
        codes.push((member, code.code));
    }
    Ok(codes)
}
