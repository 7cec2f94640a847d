//! Members, roles, this device's enrollment, damaged documents and document history.

use sotay_core::ids::{BranchId, MemberId};
use sotay_core::model::ChangeInfo as CoreChangeInfo;
use sotay_core::model::blame as core_blame;
use sotay_core::org as core_org;
use sotay_core::store as core_store;

use super::n32;
use crate::error::{ApiError, Result};

/// A member's role (docs/roles.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Role {
    /// Bí thư.
    Secretary,
    /// Phó bí thư.
    DeputySecretary,
    /// Chi ủy viên.
    Executive,
    /// Đảng viên.
    Member,
    /// Ủy viên ủy ban kiểm tra (committee level).
    Inspector,
    /// Committee staff administrator.
    Admin,
}

impl From<core_org::Role> for Role {
    fn from(r: core_org::Role) -> Self {
        match r {
            core_org::Role::Secretary => Role::Secretary,
            core_org::Role::DeputySecretary => Role::DeputySecretary,
            core_org::Role::Executive => Role::Executive,
            core_org::Role::Member => Role::Member,
            core_org::Role::Inspector => Role::Inspector,
            core_org::Role::Admin => Role::Admin,
        }
    }
}

impl From<Role> for core_org::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Secretary => core_org::Role::Secretary,
            Role::DeputySecretary => core_org::Role::DeputySecretary,
            Role::Executive => core_org::Role::Executive,
            Role::Member => core_org::Role::Member,
            Role::Inspector => core_org::Role::Inspector,
            Role::Admin => core_org::Role::Admin,
        }
    }
}

/// A member's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum MemberStatus {
    /// Chính thức.
    Full,
    /// Dự bị.
    Probationary,
    /// Miễn sinh hoạt.
    Exempt,
}

impl From<core_org::MemberStatus> for MemberStatus {
    fn from(s: core_org::MemberStatus) -> Self {
        match s {
            core_org::MemberStatus::Full => MemberStatus::Full,
            core_org::MemberStatus::Probationary => MemberStatus::Probationary,
            core_org::MemberStatus::Exempt => MemberStatus::Exempt,
        }
    }
}

impl From<MemberStatus> for core_org::MemberStatus {
    fn from(s: MemberStatus) -> Self {
        match s {
            MemberStatus::Full => core_org::MemberStatus::Full,
            MemberStatus::Probationary => core_org::MemberStatus::Probationary,
            MemberStatus::Exempt => core_org::MemberStatus::Exempt,
        }
    }
}

/// A member of the branch, from the local directory.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Member {
    /// Directory id ("m-luong").
    pub id: String,
    /// Branch.
    pub branch_id: String,
    /// Full name, NFC ("Hoàng Đức Lượng").
    pub full_name: String,
    /// Role in the branch.
    pub role: Role,
    /// Standing.
    pub status: MemberStatus,
}

impl From<core_org::Member> for Member {
    fn from(m: core_org::Member) -> Self {
        Member {
            id: m.id.to_string(),
            branch_id: m.branch_id.to_string(),
            full_name: m.full_name,
            role: m.role.into(),
            status: m.status.into(),
        }
    }
}

impl TryFrom<Member> for core_org::Member {
    type Error = ApiError;

    fn try_from(m: Member) -> Result<Self> {
        Ok(core_org::Member {
            id: MemberId::new(&m.id),
            branch_id: BranchId::new(&m.branch_id),
            full_name: m.full_name,
            role: m.role.into(),
            status: m.status.into(),
        })
    }
}

/// The server this device is enrolled with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Enrollment {
    /// Base URL ("https://sotay.example.vn").
    pub server_url: String,
    /// The device id the server gave.
    pub device_id: String,
    /// The member this device belongs to.
    pub member_id: String,
    /// The committee.
    pub committee_id: String,
    /// When (Unix seconds).
    pub enrolled_at: i64,
}

impl From<core_store::Enrollment> for Enrollment {
    fn from(e: core_store::Enrollment) -> Self {
        Enrollment {
            server_url: e.server_url,
            device_id: e.device_id,
            member_id: e.member_id.to_string(),
            committee_id: e.committee_id,
            enrolled_at: e.enrolled_at,
        }
    }
}

/// A document the store could not load (quarantined; everything else works).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DamagedDocument {
    /// The document id.
    pub doc_id: String,
    /// Its stored kind.
    pub kind: String,
    /// Why it failed.
    pub reason: String,
}

impl From<core_store::DamagedDocument> for DamagedDocument {
    fn from(d: core_store::DamagedDocument) -> Self {
        DamagedDocument {
            doc_id: d.doc_id.to_string(),
            kind: d.kind,
            reason: d.reason,
        }
    }
}

/// One change of a document's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChangeInfo {
    /// The change hash (hex).
    pub hash: String,
    /// The member who made it, when recorded.
    pub member: Option<String>,
    /// The actor (one per device session).
    pub actor: String,
    /// Unix seconds, the device's clock (informational).
    pub time: i64,
    /// What it did ("topic.add").
    pub message: String,
}

impl From<CoreChangeInfo> for ChangeInfo {
    fn from(c: CoreChangeInfo) -> Self {
        ChangeInfo {
            hash: c.hash,
            member: c.member.map(|m| m.to_string()),
            actor: c.actor,
            time: c.time,
            message: c.message,
        }
    }
}

/// How many changes of one kind a session made.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Touch {
    /// The change message ("topic.set").
    pub message: String,
    /// How many.
    pub count: u32,
}

/// Consecutive changes of one member from one sitting.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EditSession {
    /// How many changes.
    pub change_count: u32,
    /// The first change's time.
    pub first_time: i64,
    /// The last change's time.
    pub last_time: i64,
    /// The first change (hex hash).
    pub first_change: String,
    /// The last change (hex hash).
    pub last_change: String,
    /// What they did, by kind.
    pub touched: Vec<Touch>,
}

/// Everything one member did to a document.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MemberHistory {
    /// The member (`None`: changes with no recorded author).
    pub member: Option<String>,
    /// How many changes.
    pub change_count: u32,
    /// The earliest change's time.
    pub first_time: i64,
    /// The latest.
    pub last_time: i64,
    /// Their sessions, in history order.
    pub sessions: Vec<EditSession>,
}

impl From<core_blame::MemberHistory> for MemberHistory {
    fn from(h: core_blame::MemberHistory) -> Self {
        MemberHistory {
            member: h.member.map(|m| m.to_string()),
            change_count: n32(h.change_count),
            first_time: h.first_time,
            last_time: h.last_time,
            sessions: h
                .sessions
                .into_iter()
                .map(|s| EditSession {
                    change_count: n32(s.change_count),
                    first_time: s.first_time,
                    last_time: s.last_time,
                    first_change: s.first_change,
                    last_change: s.last_change,
                    touched: s
                        .touched
                        .into_iter()
                        .map(|t| Touch {
                            message: t.message,
                            count: n32(t.count),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_member_round_trips_through_core() {
        let m = Member {
            id: "m-luong".into(),
            branch_id: "b-co-dien".into(),
            full_name: "Hoàng Đức Lượng".into(),
            role: Role::Member,
            status: MemberStatus::Probationary,
        };
        let core: core_org::Member = m.clone().try_into().expect("converts");
        assert_eq!(core.role, core_org::Role::Member);
        assert_eq!(Member::from(core), m);
        for r in [
            Role::Secretary,
            Role::DeputySecretary,
            Role::Executive,
            Role::Member,
            Role::Inspector,
            Role::Admin,
        ] {
            assert_eq!(Role::from(core_org::Role::from(r)), r);
        }
    }
}
