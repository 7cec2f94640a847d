//! A member's receipts (đã đọc): when they first opened each published material.
//!
//! One document per member per branch, id `rl-<branch>-<member>` so every phone of the member
//! finds the same one. Two phones may create it offline at the same time: Automerge merges
//! two independently created documents, and nothing here can be lost because every entry is
//! a root scalar (`opened/<doc_id>` = Unix seconds) — no container is ever created twice. A
//! key written concurrently keeps every value, and the earliest is the first opening.
//! Only the owner writes it; the server refuses a change by anyone else
//! ([`crate::roles::check_push`]).
//!
//! Layout (root map): `doc_id, kind = "reading_log", schema_version, branch_id, member_id,
//! opened/<doc_id>: int`.

use std::collections::BTreeMap;

use automerge::{ROOT, transaction::Transactable};

use super::{Document, Editor, put_str};
use crate::ids::{BranchId, DocId, DocKind, MemberId};
use crate::{Error, Result};

const PREFIX: &str = "opened/";

/// The id of `member`'s reading log in `branch`.
pub fn id_for(branch: &BranchId, member: &MemberId) -> DocId {
    DocId::new(format!("rl-{branch}-{member}"))
}

/// Creates `editor.member`'s reading log for `branch`.
pub fn create(branch: &BranchId, editor: &Editor) -> Result<Document> {
    if branch.as_str().is_empty() {
        return Err(Error::InvalidInput("a reading log needs a branch".into()));
    }
    Document::create(
        id_for(branch, &editor.member),
        DocKind::ReadingLog,
        editor,
        |doc| {
            put_str(doc, &ROOT, "branch_id", branch.as_str())?;
            put_str(doc, &ROOT, "member_id", editor.member.as_str())?;
            Ok(())
        },
    )
}

fn expect_log(doc: &Document) -> Result<()> {
    if doc.kind() != DocKind::ReadingLog {
        return Err(Error::WrongKind {
            id: doc.id().to_string(),
            expected: "reading_log",
            actual: doc.kind().to_string(),
        });
    }
    Ok(())
}

/// The owner named in the log (every value, if concurrent creations disagree — they cannot
/// when the id is derived from the member, which the server checks).
pub fn owner(doc: &Document) -> Option<MemberId> {
    doc.view().opt_str(&ROOT, "member_id").map(MemberId::new)
}

/// Records that the owner opened `material` at `editor.time`, unless already recorded.
/// Returns whether it wrote.
pub fn mark_opened(doc: &mut Document, editor: &Editor, material: &DocId) -> Result<bool> {
    expect_log(doc)?;
    if owner(doc).as_ref() != Some(&editor.member) {
        return Err(Error::NotPermitted(
            "a reading log is written only by its owner".into(),
        ));
    }
    let key = format!("{PREFIX}{material}");
    if doc.view().i64(&ROOT, &key).is_some() {
        return Ok(false);
    }
    doc.transact(editor, "reading_log.opened", |d| {
        d.put(ROOT, key.as_str(), editor.time)?;
        Ok(())
    })?;
    Ok(true)
}

/// First opening of each material: the earliest of concurrent values.
pub fn opened(doc: &Document) -> Result<BTreeMap<DocId, i64>> {
    expect_log(doc)?;
    let view = doc.view();
    let mut out = BTreeMap::new();
    for key in view.keys(&ROOT) {
        let Some(material) = key.strip_prefix(PREFIX) else {
            continue;
        };
        let first = view
            .get_all(&ROOT, &key)
            .into_iter()
            .filter_map(|(v, _)| match v {
                automerge::Value::Scalar(s) => s.as_i64().or_else(|| s.as_u64().map(|u| u as i64)),
                _ => None,
            })
            .min();
        if let Some(t) = first {
            out.insert(DocId::new(material), t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ed(m: &str, t: i64) -> Editor {
        Editor {
            member: MemberId::new(m),
            time: t,
        }
    }

    #[test]
    fn first_opening_is_kept_and_only_the_owner_writes() {
        let b = BranchId::new("b1");
        let mut log = create(&b, &ed("m-a", 1)).unwrap();
        assert_eq!(log.id().as_str(), "rl-b1-m-a");
        assert!(mark_opened(&mut log, &ed("m-a", 100), &DocId::new("d1")).unwrap());
        assert!(!mark_opened(&mut log, &ed("m-a", 200), &DocId::new("d1")).unwrap());
        assert_eq!(opened(&log).unwrap()[&DocId::new("d1")], 100);
        assert!(matches!(
            mark_opened(&mut log, &ed("m-b", 300), &DocId::new("d2")),
            Err(Error::NotPermitted(_))
        ));
    }

    #[test]
    fn two_phones_creating_the_log_offline_merge_with_the_earliest_opening() {
        let b = BranchId::new("b1");
        let mut phone1 = create(&b, &ed("m-a", 1)).unwrap();
        let mut phone2 = create(&b, &ed("m-a", 2)).unwrap();
        mark_opened(&mut phone1, &ed("m-a", 500), &DocId::new("d1")).unwrap();
        mark_opened(&mut phone2, &ed("m-a", 400), &DocId::new("d1")).unwrap();
        mark_opened(&mut phone2, &ed("m-a", 450), &DocId::new("d2")).unwrap();
        phone1.merge(&mut phone2).unwrap();
        let o = opened(&phone1).unwrap();
        assert_eq!(o[&DocId::new("d1")], 400, "the earliest opening wins");
        assert_eq!(o[&DocId::new("d2")], 450);
        assert_eq!(owner(&phone1), Some(MemberId::new("m-a")));
    }
}
