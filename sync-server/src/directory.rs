//! The member directory a device receives, signed by the server.
//!
//! It lists everyone who ever belonged to the device's branch (the whole committee for
//! inspectors and admins) — removed and moved members included, flagged inactive — with their
//! role history and every device key, and the branch's delegations. Why so much: a phone
//! verifies every approval offline, and an approval signed by last year's secretary must stay
//! checkable after a re-election or after her phone was replaced. The server signs it with
//! its own key (pinned by the phone at enrollment), so a directory edited on a phone to make
//! a forged approval look valid does not verify.
//!
//! The server verifies pushed approvals against the very same structure ([`for_branch`]), so
//! both sides apply one rule set (`sotay_core::approval`).

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use sotay_core::ids::BranchId;
use sotay_core::model::now_unix;
use sotay_core::org::Role;
use sotay_core::protocol::{Directory, DirectoryBranch, DirectoryDevice, DirectoryMember};

use crate::Result;
use crate::store::{ServerMember, ServerStore};

/// The directory visible to `member`.
pub fn for_member(
    store: &dyn ServerStore,
    member: &ServerMember,
    version: u64,
) -> Result<Directory> {
    let committee_wide = matches!(member.role, Role::Inspector | Role::Admin);
    let branch = if committee_wide {
        None
    } else {
        member.branch_id.as_ref()
    };
    let mut dir = build(store, &member.committee_id, branch, committee_wide, version)?;
    dir.sign(&server_key(store)?)?;
    Ok(dir)
}

/// The directory of one branch, as its members' phones receive it (unsigned: the server
/// trusts its own database): what the server verifies a pushed approval against.
pub fn for_branch(
    store: &dyn ServerStore,
    committee_id: &str,
    branch: &BranchId,
) -> Result<Directory> {
    let version = store.directory_version(committee_id)?;
    build(store, committee_id, Some(branch), false, version)
}

/// The server's signing key.
pub fn server_key(store: &dyn ServerStore) -> Result<SigningKey> {
    Ok(SigningKey::from_bytes(&store.server_secret()?))
}

/// A member's current entry without history or devices (enrollment's answer).
pub fn member_entry(m: &ServerMember) -> DirectoryMember {
    DirectoryMember {
        id: m.id.clone(),
        branch_id: m.branch_id.clone(),
        full_name: m.full_name.clone(),
        role: m.role,
        status: m.status,
        active: m.active,
        roles: Vec::new(),
        devices: Vec::new(),
    }
}

fn build(
    store: &dyn ServerStore,
    committee_id: &str,
    branch: Option<&BranchId>,
    committee_wide: bool,
    version: u64,
) -> Result<Directory> {
    let mut members = Vec::new();
    for m in store.members(committee_id)? {
        let roles = store.role_history(&m.id)?;
        let belongs = committee_wide
            || branch.is_some_and(|b| {
                m.branch_id.as_ref() == Some(b)
                    || roles.iter().any(|r| r.branch_id.as_ref() == Some(b))
            });
        if !belongs {
            continue;
        }
        let devices = store
            .devices_of_member(&m.id)?
            .into_iter()
            .map(|d| DirectoryDevice {
                id: d.id,
                public_key: d.public_key,
                enrolled_at: d.enrolled_at,
                revoked_at: d.revoked_at,
            })
            .collect();
        members.push(DirectoryMember {
            roles,
            devices,
            ..member_entry(&m)
        });
    }
    let mut branches = BTreeMap::new();
    for b in store.branches(committee_id)? {
        if committee_wide || branch == Some(&b.id) {
            let plan_delegations = store.plan_delegations(&b.id)?;
            branches.insert(
                b.id.clone(),
                DirectoryBranch {
                    id: b.id,
                    name: b.name,
                    plan_delegations,
                },
            );
        }
    }
    Ok(Directory {
        version,
        committee_id: committee_id.to_owned(),
        committee_name: store
            .committee(committee_id)?
            .map(|c| c.name)
            .unwrap_or_default(),
        members,
        branches: branches.into_values().collect(),
        settings: store.committee_settings(committee_id)?,
        issued_at: now_unix(),
        signature: Vec::new(),
    })
}
