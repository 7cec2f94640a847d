//! The organisation as a device sees it: members of its branch with their roles.
//!
//! The committee's directory lives on the sync server (Step 2); the store keeps a local copy
//! so names render, sort and search offline.

use serde::{Deserialize, Serialize};

use crate::ids::{BranchId, MemberId};
use crate::{Error, Result};

/// A member's role (DOMAIN.md "Roles").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl Role {
    /// The code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretary => "Secretary",
            Role::DeputySecretary => "DeputySecretary",
            Role::Executive => "Executive",
            Role::Member => "Member",
            Role::Inspector => "Inspector",
            Role::Admin => "Admin",
        }
    }

    /// Parses a code name.
    pub fn parse(s: &str) -> Result<Self> {
        [
            Role::Secretary,
            Role::DeputySecretary,
            Role::Executive,
            Role::Member,
            Role::Inspector,
            Role::Admin,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| Error::InvalidInput(format!("unknown role {s:?}")))
    }
}

/// A member's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberStatus {
    /// Chính thức.
    Full,
    /// Dự bị.
    Probationary,
    /// Miễn sinh hoạt.
    Exempt,
}

impl MemberStatus {
    /// The code name.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Full => "Full",
            MemberStatus::Probationary => "Probationary",
            MemberStatus::Exempt => "Exempt",
        }
    }

    /// Parses a code name.
    pub fn parse(s: &str) -> Result<Self> {
        [
            MemberStatus::Full,
            MemberStatus::Probationary,
            MemberStatus::Exempt,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| Error::InvalidInput(format!("unknown member status {s:?}")))
    }
}

/// A member of a branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Directory id.
    pub id: MemberId,
    /// Branch.
    pub branch_id: BranchId,
    /// Full name, NFC ("Nguyễn Thị Huyền Trang").
    pub full_name: String,
    /// Role in the branch.
    pub role: Role,
    /// Status.
    pub status: MemberStatus,
}
