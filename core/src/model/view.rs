//! Read access to a document at its current version or at given heads.
//!
//! Every typed reader goes through `View`, so the same code shows the live plan and the plan
//! exactly as approved (Step 3) without `fork_at`'s history replay.

use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, Value};

#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    doc: &'a AutoCommit,
    heads: Option<&'a [ChangeHash]>,
}

impl<'a> View<'a> {
    pub(crate) fn new(doc: &'a AutoCommit, heads: Option<&'a [ChangeHash]>) -> Self {
        Self { doc, heads }
    }

    pub(crate) fn get(&self, obj: &ObjId, key: &str) -> Option<(Value<'a>, ObjId)> {
        let r = match self.heads {
            None => self.doc.get(obj, key),
            Some(h) => self.doc.get_at(obj, key, h),
        };
        r.ok().flatten()
    }

    pub(crate) fn get_all(&self, obj: &ObjId, key: &str) -> Vec<(Value<'a>, ObjId)> {
        let r = match self.heads {
            None => self.doc.get_all(obj, key),
            Some(h) => self.doc.get_all_at(obj, key, h),
        };
        r.unwrap_or_default()
    }

    pub(crate) fn str(&self, obj: &ObjId, key: &str) -> Option<String> {
        self.get(obj, key)
            .and_then(|(v, _)| v.as_str().map(str::to_owned))
    }

    pub(crate) fn opt_str(&self, obj: &ObjId, key: &str) -> Option<String> {
        self.str(obj, key).filter(|s| !s.is_empty())
    }

    pub(crate) fn u64(&self, obj: &ObjId, key: &str) -> Option<u64> {
        self.get(obj, key).and_then(|(v, _)| match v {
            Value::Scalar(s) => s.as_u64().or_else(|| s.as_i64().map(|i| i.max(0) as u64)),
            _ => None,
        })
    }

    pub(crate) fn i64(&self, obj: &ObjId, key: &str) -> Option<i64> {
        self.get(obj, key).and_then(|(v, _)| match v {
            Value::Scalar(s) => s.as_i64().or_else(|| s.as_u64().map(|u| u as i64)),
            _ => None,
        })
    }

    pub(crate) fn bool(&self, obj: &ObjId, key: &str) -> Option<bool> {
        self.get(obj, key).and_then(|(v, _)| match v {
            Value::Scalar(s) => s.as_bool(),
            _ => None,
        })
    }

    /// The object at `key`, if it is an object of type `ty`.
    pub(crate) fn obj(&self, obj: &ObjId, key: &str, ty: ObjType) -> Option<ObjId> {
        match self.get(obj, key) {
            Some((Value::Object(t), id)) if t == ty => Some(id),
            _ => None,
        }
    }

    pub(crate) fn keys(&self, obj: &ObjId) -> Vec<String> {
        match self.heads {
            None => self.doc.keys(obj).collect(),
            Some(h) => self.doc.keys_at(obj, h).collect(),
        }
    }

    pub(crate) fn text(&self, obj: &ObjId) -> String {
        let r = match self.heads {
            None => self.doc.text(obj),
            Some(h) => self.doc.text_at(obj, h),
        };
        r.unwrap_or_default()
    }

    pub(crate) fn length(&self, obj: &ObjId) -> usize {
        match self.heads {
            None => self.doc.length(obj),
            Some(h) => self.doc.length_at(obj, h),
        }
    }

    pub(crate) fn heads(&self) -> Option<&'a [ChangeHash]> {
        self.heads
    }

    pub(crate) fn doc(&self) -> &'a AutoCommit {
        self.doc
    }
}
