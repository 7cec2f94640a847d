//! Concurrent values, surfaced instead of hidden.
//!
//! When two members set the same field while offline (two presenters for one topic),
//! Automerge keeps both and `get` picks one by operation id — the same everywhere, but not by
//! time and not by authority. SoTay lists every such field with each value and who set it,
//! and the user resolves it by choosing one; writing the chosen value supersedes all of them.

use automerge::{ObjId, ObjType, ROOT, ScalarValue, Value, transaction::Transactable};
use serde::{Deserialize, Serialize};

use super::{Document, Editor, View};
use crate::ids::MemberId;
use crate::{Error, Result};

/// One of the concurrent values of a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The operation that wrote it ("counter@actor"): pass it back to choose this value.
    pub op: String,
    /// The value as text ("m-viet", "2026-03-03", "true").
    pub value: String,
    /// The member who set it, when recorded.
    pub set_by: Option<MemberId>,
}

/// A field holding concurrent values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// Path from the document root to the field, e.g. `["topics", "<id>", "presenter"]`.
    pub path: Vec<String>,
    /// The values, in a stable order (the one shown by default first).
    pub values: Vec<ConflictValue>,
}

impl Conflict {
    /// The path joined with '/', for display and keys.
    pub fn path_string(&self) -> String {
        self.path.join("/")
    }

    /// The field name (last path element).
    pub fn field(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or("")
    }
}

fn op_string(id: &ObjId) -> String {
    match id {
        ObjId::Root => "root".into(),
        ObjId::Id(ctr, actor, _) => format!("{ctr}@{actor}"),
    }
}

fn scalar_text(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Boolean(b) => b.to_string(),
        ScalarValue::Int(i) => i.to_string(),
        ScalarValue::Uint(u) => u.to_string(),
        ScalarValue::F64(f) => f.to_string(),
        ScalarValue::Timestamp(t) => t.to_string(),
        ScalarValue::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

/// Lists every field with more than one distinct concurrent value.
pub fn list(doc: &Document) -> Vec<Conflict> {
    let view = doc.view();
    let mut out = Vec::new();
    walk(doc, view, &ROOT, &mut Vec::new(), &mut out);
    out
}

fn walk(
    doc: &Document,
    view: View<'_>,
    obj: &ObjId,
    path: &mut Vec<String>,
    out: &mut Vec<Conflict>,
) {
    for key in view.keys(obj) {
        let all = view.get_all(obj, &key);
        if all.len() > 1 {
            let mut values: Vec<ConflictValue> = Vec::new();
            for (v, id) in &all {
                let text = match v {
                    Value::Scalar(s) => scalar_text(s),
                    Value::Object(t) => format!("<{t:?}>"),
                };
                let set_by = match id {
                    ObjId::Id(_, actor, _) => doc.member_of_actor(actor),
                    ObjId::Root => None,
                };
                values.push(ConflictValue {
                    op: op_string(id),
                    value: text,
                    set_by,
                });
            }
            // Put the winner `get` shows first, then the rest in a stable order.
            let winner = view.get(obj, &key).map(|(_, id)| op_string(&id));
            values.sort_by_key(|v| (Some(&v.op) != winner.as_ref(), v.op.clone()));
            let mut distinct: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() > 1 {
                let mut p = path.clone();
                p.push(key.clone());
                out.push(Conflict { path: p, values });
            }
        }
        if let Some((Value::Object(ObjType::Map), child)) = view.get(obj, &key) {
            path.push(key);
            walk(doc, view, &child, path, out);
            path.pop();
        }
    }
}

/// Resolves the conflict at `path` by choosing the value written by operation `op`.
pub fn resolve(doc: &mut Document, editor: &Editor, path: &[String], op: &str) -> Result<()> {
    let Some((field, parents)) = path.split_last() else {
        return Err(Error::InvalidInput("empty conflict path".into()));
    };
    let changed = || Error::ConflictChanged {
        field: path.join("/"),
    };
    doc.transact(editor, "conflict.resolve", |d| {
        let view = View::new(d, None);
        let mut obj = ROOT;
        for key in parents {
            obj = view.obj(&obj, key, ObjType::Map).ok_or_else(changed)?;
        }
        let all = view.get_all(&obj, field);
        if all.len() < 2 {
            return Err(changed());
        }
        let chosen = all
            .iter()
            .find(|(_, id)| op_string(id) == op)
            .ok_or_else(changed)?;
        let scalar = match &chosen.0 {
            Value::Scalar(s) => s.clone().into_owned(),
            Value::Object(_) => {
                return Err(Error::InvalidInput(
                    "objects cannot be chosen between".into(),
                ));
            }
        };
        // Automerge 0.12 turns a put of the value already shown into a deletion of the other
        // values, which leaves the shown value's first writer as its author. Deleting first
        // makes the resolution a write of its own: the resolver is the value's last writer
        // (blame, approval deltas), and the choice still supersedes every value it saw.
        d.delete(&obj, field.as_str())?;
        d.put(&obj, field.as_str(), scalar)?;
        Ok(())
    })
}
