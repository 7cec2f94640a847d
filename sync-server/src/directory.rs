//! The member directory a device receives: its branch's active members (the whole
//! committee's for inspectors and admins).

use sotay_core::org::Role;
use sotay_core::protocol::{Directory, DirectoryMember};

use crate::Result;
use crate::store::{ServerMember, ServerStore};

/// The directory visible to `member`.
pub fn for_member(
    store: &dyn ServerStore,
    member: &ServerMember,
    version: u64,
) -> Result<Directory> {
    let committee_wide = matches!(member.role, Role::Inspector | Role::Admin);
    let members = store
        .members(&member.committee_id)?
        .into_iter()
        .filter(|m| m.active)
        .filter(|m| committee_wide || m.branch_id.is_some() && m.branch_id == member.branch_id)
        .filter_map(|m| {
            Some(DirectoryMember {
                id: m.id,
                branch_id: m.branch_id?,
                full_name: m.full_name,
                role: m.role,
                status: m.status,
            })
        })
        .collect();
    Ok(Directory { version, members })
}
