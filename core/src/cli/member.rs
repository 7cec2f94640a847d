//! `init` and `member`: who this device edits as, and the local member directory.

use std::fmt::Write as _;

use serde::Serialize;

use super::args::{InitArgs, MemberCmd};
use super::resolve;
use super::{Ctx, render};
use crate::ids::{BranchId, MemberId};
use crate::org::{Member, MemberStatus, Role};
use crate::text;
use crate::{Error, Result};

#[derive(Debug, Serialize)]
struct InitView<'a> {
    store: String,
    member_id: &'a MemberId,
    member: Option<Member>,
}

pub(super) fn init(ctx: &mut Ctx<'_>, a: &InitArgs) -> Result<()> {
    let id = resolve::member(&ctx.store, &a.member)?
        .ok_or_else(|| Error::InvalidInput("--member must not be empty".into()))?;
    ctx.store.set_identity(&id)?;
    let member = ctx.store.find_member(id.as_str())?;
    let view = InitView {
        store: ctx.store.path().display().to_string(),
        member_id: &id,
        member,
    };
    let mut text = format!(
        "store {}: this device now edits as {}",
        view.store,
        ctx.name_and_id(id.as_str())
    );
    if view.member.is_none() {
        text.push_str(" (not in the member directory yet: `sotay member add --id … --name …`)");
    }
    ctx.emit(&view, &text)
}

/// The branch to use when a command does not say: that of this device's member, else the
/// only branch the store knows.
pub(super) fn default_branch(ctx: &Ctx<'_>) -> Result<BranchId> {
    let members = ctx.store.members()?;
    let me = ctx.identity();
    if let Some(m) = members
        .iter()
        .find(|m| Some(&m.id) == me.as_ref() && !m.branch_id.as_str().is_empty())
    {
        return Ok(m.branch_id.clone());
    }
    let mut branches: Vec<BranchId> = members
        .into_iter()
        .map(|m| m.branch_id)
        .chain(ctx.store.plan_rows(None)?.into_iter().map(|p| p.branch_id))
        .filter(|b| !b.as_str().is_empty())
        .collect();
    branches.sort();
    branches.dedup();
    match branches.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Error::InvalidInput(
            "give the branch with --branch (the store cannot tell which one)".into(),
        )),
    }
}

pub(super) fn member(ctx: &mut Ctx<'_>, c: MemberCmd) -> Result<()> {
    match c {
        MemberCmd::Add {
            id,
            name,
            branch,
            role,
            status,
        } => {
            let branch_id = match branch {
                Some(b) => BranchId::new(b),
                None => default_branch(ctx)?,
            };
            let m = Member {
                id: MemberId::new(&id),
                branch_id,
                full_name: text::nfc(name.trim()),
                role: Role::parse(role.trim())?,
                status: MemberStatus::parse(status.trim())?,
            };
            ctx.store.upsert_member(&m)?;
            ctx.reload_names()?;
            let text = format!(
                "member {}: {}, {}, {}, chi bộ {}",
                m.id,
                m.full_name,
                m.role.label_vi(),
                m.status.label_vi(),
                m.branch_id
            );
            ctx.emit(&m, &text)
        }
        MemberCmd::List { search } => {
            let list = match &search {
                Some(q) => ctx.store.search_members(q)?,
                None => ctx.store.members()?,
            };
            let me = ctx.identity();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|m| {
                    let mark = if Some(&m.id) == me.as_ref() { " *" } else { "" };
                    vec![
                        format!("{}{mark}", m.id),
                        m.full_name.clone(),
                        m.role.label_vi().into(),
                        m.status.label_vi().into(),
                        m.branch_id.to_string(),
                    ]
                })
                .collect();
            let mut text = render::table(
                &["Mã", "Họ và tên", "Chức vụ", "Đảng tịch", "Chi bộ"],
                &[20, 30, 14, 14, 24],
                &rows,
            );
            let _ = writeln!(text, "{} member(s); * = this device's member", list.len());
            ctx.emit(&list, &text)
        }
    }
}
