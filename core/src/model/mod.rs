//! The typed document model on Automerge.
//!
//! Callers never touch raw Automerge: they get [`Document`] (one CRDT document with its id,
//! kind and schema version) and typed operations in [`plan`] and [`text_doc`]. Everything
//! written is NFC-normalised here, every commit carries the member (as the Automerge 0.12
//! author) and a real timestamp, and every decode of stored or received bytes goes through
//! [`Document::load`], which catches Automerge's panics on malformed input.
//!
//! Schema rules that keep merges lossless:
//! - container objects (maps, lists, texts) that several replicas share are created once, by
//!   the creator of the document, never concurrently;
//! - things many members add (topics, comments, legal bases) live in maps keyed by a random id,
//!   so concurrent additions never collide; order is a fractional position ([`position`]);
//! - short fields are last-writer-wins scalars whose concurrent values are surfaced as
//!   [`conflict::Conflict`]s, never hidden; long prose is collaborative text.

pub mod blame;
pub mod conflict;
pub mod plan;
pub mod position;
pub mod reading_log;
pub mod session;
pub mod text_doc;
mod view;

use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Author, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::ids::{DocId, DocKind, MemberId};
use crate::{Error, Result};
pub(crate) use view::View;

/// The schema version written into every new document. Readers accept documents up to it.
pub const SCHEMA_VERSION: u64 = 1;

/// Who edits and when: recorded in every commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editor {
    /// The member making the edit (becomes the Automerge author of the change).
    pub member: MemberId,
    /// Unix time in seconds. Informational only: never used for ordering or authority.
    pub time: i64,
}

impl Editor {
    /// An editor stamped with the current wall-clock time.
    pub fn now(member: MemberId) -> Self {
        Self {
            member,
            time: now_unix(),
        }
    }
}

/// Current Unix time in seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Metadata every document carries in its root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocHeader {
    /// The document id.
    pub id: DocId,
    /// What it is.
    pub kind: DocKind,
    /// The schema version it was created with.
    pub schema_version: u64,
}

/// One change in a document's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeInfo {
    /// The change hash (hex).
    pub hash: String,
    /// The member who made it (the Automerge author).
    pub member: Option<MemberId>,
    /// The actor (one per device session).
    pub actor: String,
    /// Unix seconds, the device's clock (informational).
    pub time: i64,
    /// What it did ("topic.add").
    pub message: String,
}

/// One Automerge document with its SoTay header.
#[derive(Debug)]
pub struct Document {
    doc: AutoCommit,
    header: DocHeader,
    /// Heads of what is already saved where this document came from (the store or a peer):
    /// [`Document::save_incremental`] returns only what came after. Automerge's own cursor
    /// starts empty after a load, so its `save_incremental` would re-save the whole history.
    saved: Vec<ChangeHash>,
}

impl Document {
    /// Creates a new document whose root holds the header; `init` builds the kind's skeleton
    /// (every shared container object) in the same first change.
    pub(crate) fn create(
        id: DocId,
        kind: DocKind,
        editor: &Editor,
        init: impl FnOnce(&mut AutoCommit) -> Result<()>,
    ) -> Result<Self> {
        let mut doc = AutoCommit::new().with_actor(ActorId::random());
        doc.set_author(Some(author_of(&editor.member)));
        doc.put(ROOT, "doc_id", id.as_str())?;
        doc.put(ROOT, "kind", kind.as_str())?;
        doc.put(ROOT, "schema_version", SCHEMA_VERSION)?;
        init(&mut doc)?;
        doc.commit_with(
            CommitOptions::default()
                .with_time(editor.time)
                .with_message(format!("create {kind}")),
        );
        Ok(Self {
            doc,
            header: DocHeader {
                id,
                kind,
                schema_version: SCHEMA_VERSION,
            },
            saved: Vec::new(),
        })
    }

    /// A copy of the document exactly as it was at `heads` (Automerge's `fork_at`, which
    /// replays history: for rare checks such as a server validating an approval, never for
    /// status). Panics inside Automerge become errors.
    pub fn fork_at(&mut self, heads: &[ChangeHash]) -> Result<Document> {
        let doc = &mut self.doc;
        let forked = catch_unwind(AssertUnwindSafe(|| doc.fork_at(heads))).map_err(|_| {
            Error::InvalidDocument("Automerge panicked forking the document".into())
        })??;
        Ok(Document {
            doc: forked.with_actor(ActorId::random()),
            header: self.header.clone(),
            saved: Vec::new(),
        })
    }

    /// Loads a document from a snapshot followed by incremental chunks (either may be empty).
    ///
    /// Untrusted or possibly corrupt bytes: Automerge 0.12 panics on some malformed input, so
    /// the whole decode runs inside `catch_unwind`; a panic becomes an error and the half-built
    /// document is dropped. Each load gets a fresh actor, so a device restored from an old
    /// backup can never reuse a sequence number it already spent.
    pub fn load(snapshot: &[u8], chunks: &[Vec<u8>]) -> Result<Self> {
        // One buffer, one load: Automerge reads a snapshot followed by change chunks in one
        // pass (chunk by chunk `load_incremental` is ~20× slower on a long history).
        let mut all =
            Vec::with_capacity(snapshot.len() + chunks.iter().map(Vec::len).sum::<usize>());
        all.extend_from_slice(snapshot);
        for chunk in chunks {
            all.extend_from_slice(chunk);
        }
        let decoded = catch_unwind(AssertUnwindSafe(|| AutoCommit::load(&all)));
        let mut doc = match decoded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) => return Err(Error::InvalidDocument(e.to_string())),
            Err(panic) => {
                return Err(Error::InvalidDocument(format!(
                    "the decoder panicked: {}",
                    panic_message(&panic)
                )));
            }
        };
        doc.set_actor(ActorId::random());
        let header = read_header(&doc)?;
        let saved = doc.get_heads();
        Ok(Self { doc, header, saved })
    }

    /// Builds a document from received changes (a document new to this replica). The bytes
    /// are untrusted: decoding and applying run inside `catch_unwind`.
    pub fn from_untrusted_changes(changes: &[Vec<u8>]) -> Result<Self> {
        let decoded = decode_changes(changes)?;
        let mut doc = AutoCommit::new();
        apply_guarded(&mut doc, decoded)?;
        doc.set_actor(ActorId::random());
        let header = read_header(&doc)?;
        Ok(Self {
            doc,
            header,
            saved: Vec::new(),
        })
    }

    /// Applies received changes. The bytes are untrusted: decoding and applying run inside
    /// `catch_unwind`. On `Err` the document may be half-changed and **must be discarded**
    /// (reloaded from storage); the header is re-checked so a change cannot turn a plan into
    /// something else.
    pub fn apply_untrusted_changes(&mut self, changes: &[Vec<u8>]) -> Result<Vec<ChangeHash>> {
        let decoded = decode_changes(changes)?;
        let hashes = decoded.iter().map(|c| c.hash).collect();
        apply_guarded(&mut self.doc, decoded)?;
        let header = read_header(&self.doc)?;
        if header.id != self.header.id || header.kind != self.header.kind {
            return Err(Error::InvalidDocument(format!(
                "changes turn {} {} into {} {}",
                self.header.kind, self.header.id, header.kind, header.id
            )));
        }
        Ok(hashes)
    }

    /// Reduces a set of change hashes this document holds to the ones no other in the set
    /// depends on directly (a compact "known up to here" marker).
    pub fn minimal_heads(&mut self, hashes: &[ChangeHash]) -> Vec<ChangeHash> {
        let mut deps = std::collections::HashSet::new();
        for h in hashes {
            if let Some(c) = self.doc.get_change_by_hash(h) {
                deps.extend(c.deps().iter().copied());
            }
        }
        let mut out: Vec<ChangeHash> = hashes
            .iter()
            .filter(|h| !deps.contains(*h))
            .copied()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Checks what the schema guarantees and a crafted change could break: the header keys
    /// (`doc_id`, `kind`, `schema_version`, `branch_id`) and every container object in the
    /// root hold exactly one value. Our own replicas create those once, in a document's first
    /// change; a second value means a change tried to replace or shadow them.
    ///
    /// The one exception is a reading log: its id is derived from its owner, so two of the
    /// owner's phones that open a material offline each create it, and the merge holds every
    /// header key twice — with the same values (anything else is still refused). And several
    /// maps under an `attachment/<sha256>` key are accepted: the same file attached by two
    /// members concurrently (`text_doc::attachments`).
    pub fn check_structure(&self) -> Result<()> {
        let view = self.view();
        let twice_created = self.kind() == DocKind::ReadingLog;
        for key in view.keys(&ROOT) {
            let all = view.get_all(&ROOT, &key);
            let header = matches!(
                key.as_str(),
                "doc_id" | "kind" | "schema_version" | "branch_id"
            );
            let container = all
                .iter()
                .any(|(v, _)| matches!(v, automerge::Value::Object(_)));
            let same = all.windows(2).all(|w| w[0].0 == w[1].0);
            // Two members attaching the same file offline each create its entry: both maps
            // describe the same bytes, and neither hides anything.
            let attachment = key.starts_with(text_doc::ATTACHMENT_KEY_PREFIX)
                && all
                    .iter()
                    .all(|(v, _)| matches!(v, automerge::Value::Object(ObjType::Map)));
            if all.len() > 1 && !attachment && (container || (header && !(twice_created && same))) {
                return Err(Error::InvalidDocument(format!(
                    "the document's {key:?} was written twice; only its creation may set it"
                )));
            }
        }
        Ok(())
    }

    /// [`Document::save_incremental`], with a panic inside Automerge turned into an error.
    pub fn try_save_incremental(&mut self) -> Result<Vec<u8>> {
        catch_unwind(AssertUnwindSafe(|| self.save_incremental())).map_err(|p| {
            Error::InvalidDocument(format!(
                "saving the document panicked: {}",
                panic_message(&p)
            ))
        })
    }

    /// Applies changes this replica stored itself after checking them (the server's log):
    /// still inside `catch_unwind`, without the canonical re-encoding check.
    pub fn apply_stored_changes(&mut self, changes: &[Vec<u8>]) -> Result<()> {
        apply_stored(&mut self.doc, changes)
    }

    /// Builds a document from changes this replica stored itself (see
    /// [`Document::apply_stored_changes`]).
    pub fn from_stored_changes(changes: &[Vec<u8>]) -> Result<Self> {
        let mut doc = AutoCommit::new();
        apply_stored(&mut doc, changes)?;
        doc.set_actor(ActorId::random());
        let header = read_header(&doc)?;
        Ok(Self {
            doc,
            header,
            saved: Vec::new(),
        })
    }

    /// Hashes of changes some applied change depends on but this document lacks.
    pub fn missing_deps(&mut self) -> Vec<ChangeHash> {
        self.doc.get_missing_deps(&[])
    }

    /// The branch named in the document's root.
    pub fn branch_id(&self) -> Option<crate::ids::BranchId> {
        self.view()
            .opt_str(&ROOT, "branch_id")
            .map(crate::ids::BranchId::new)
    }

    /// The header (id, kind, schema version).
    pub fn header(&self) -> &DocHeader {
        &self.header
    }

    /// The document id.
    pub fn id(&self) -> &DocId {
        &self.header.id
    }

    /// The document kind.
    pub fn kind(&self) -> DocKind {
        self.header.kind
    }

    /// The current heads (the exact version).
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// A compact snapshot of the whole document.
    pub fn save(&mut self) -> Vec<u8> {
        let bytes = self.doc.save();
        self.saved = self.doc.get_heads();
        bytes
    }

    /// The changes made since the document was loaded or last saved (`save` or
    /// `save_incremental`).
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let bytes = self.doc.save_after(&self.saved);
        if !bytes.is_empty() {
            self.saved = self.doc.get_heads();
        }
        bytes
    }

    /// Encoded changes the holder of `heads` lacks (for sync: changes since the acked heads).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<Vec<u8>> {
        self.doc
            .get_changes(heads)
            .into_iter()
            // Uncompressed: Automerge deflates big changes one by one, which leaves nothing for
            // the zstd of a whole sync body to compress (2–3.5× the bytes on the wire).
            .map(|c| c.raw_bytes().to_vec())
            .collect()
    }

    /// Merges changes from `other` (another replica of the same document) into this one.
    /// Returns whether anything new arrived.
    pub fn merge(&mut self, other: &mut Document) -> Result<bool> {
        if other.header.id != self.header.id {
            return Err(Error::InvalidInput(format!(
                "cannot merge document {} into {}",
                other.header.id, self.header.id
            )));
        }
        let before = self.doc.get_heads();
        self.doc.merge(&mut other.doc)?;
        Ok(self.doc.get_heads() != before)
    }

    /// Whether every change in `heads` is in this document.
    pub fn has_all(&self, heads: &[ChangeHash]) -> bool {
        ReadDoc::get_missing_deps(&self.doc, heads).is_empty()
    }

    /// Read-only view at the current version.
    pub(crate) fn view(&self) -> View<'_> {
        View::new(&self.doc, None)
    }

    /// Read-only view at the given heads (heads must exist in the document).
    pub(crate) fn view_at<'a>(&'a self, heads: &'a [ChangeHash]) -> Result<View<'a>> {
        let missing: Vec<String> = ReadDoc::get_missing_deps(&self.doc, heads)
            .iter()
            .map(|h| h.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::InvalidInput(format!(
                "this document does not contain version {}",
                missing.join(",")
            )));
        }
        Ok(View::new(&self.doc, Some(heads)))
    }

    /// Runs `edit` as one change by `editor`. On error nothing is committed (the transaction
    /// is rolled back); on success the change is committed with the member as author and
    /// the editor's time. Returns `edit`'s value.
    pub(crate) fn transact<R>(
        &mut self,
        editor: &Editor,
        message: &str,
        edit: impl FnOnce(&mut AutoCommit) -> Result<R>,
    ) -> Result<R> {
        let author = author_of(&editor.member);
        if self.doc.get_author() != Some(&author) {
            // A new author needs a new actor: Automerge ties each actor to one author.
            self.doc.set_actor(ActorId::random());
            self.doc.set_author(Some(author));
        }
        match edit(&mut self.doc) {
            Ok(value) => {
                self.doc.commit_with(
                    CommitOptions::default()
                        .with_time(editor.time)
                        .with_message(message.to_owned()),
                );
                Ok(value)
            }
            Err(e) => {
                self.doc.rollback();
                Err(e)
            }
        }
    }

    /// Every change, oldest first (causal order), with who made it, when and what.
    pub fn history(&mut self) -> Vec<ChangeInfo> {
        let metas = self.doc.get_changes_meta(&[]);
        metas
            .into_iter()
            .map(|m| ChangeInfo {
                hash: m.hash.to_string(),
                member: m
                    .author
                    .as_ref()
                    .and_then(|a| std::str::from_utf8(a.as_bytes()).ok().map(MemberId::new)),
                actor: m.actor.to_hex_string(),
                time: m.timestamp,
                message: m.message.as_deref().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// The member who wrote changes under `actor`, if recorded.
    pub(crate) fn member_of_actor(&self, actor: &ActorId) -> Option<MemberId> {
        self.doc
            .get_author_for_actor(actor)
            .and_then(|a| std::str::from_utf8(a.as_bytes()).ok().map(MemberId::new))
    }

    /// The changes this document holds that are not in the history of `heads` (hash and
    /// author), in causal order. Empty when the document is exactly at `heads` or behind it.
    ///
    /// Reads change metadata only (no operation is decoded); `heads` must all be in the
    /// document.
    pub(crate) fn changes_after(
        &mut self,
        heads: &[ChangeHash],
    ) -> Result<Vec<(ChangeHash, Option<MemberId>)>> {
        if !self.has_all(heads) {
            return Err(Error::InvalidInput(
                "this document does not contain the given version".into(),
            ));
        }
        let metas = catch_unwind(AssertUnwindSafe(|| {
            self.doc
                .get_changes_meta(heads)
                .into_iter()
                .map(|m| {
                    let member = m
                        .author
                        .as_ref()
                        .and_then(|a| std::str::from_utf8(a.as_bytes()).ok().map(MemberId::new));
                    (m.hash, member)
                })
                .collect::<Vec<_>>()
        }));
        metas.map_err(|p| {
            Error::InvalidDocument(format!(
                "reading the change history panicked: {}",
                panic_message(&p)
            ))
        })
    }

    /// How many of `heads` (or changes they depend on) this document lacks; 0 when
    /// [`Document::has_all`].
    pub(crate) fn missing_count(&self, heads: &[ChangeHash]) -> usize {
        ReadDoc::get_missing_deps(&self.doc, heads).len()
    }

    /// Automerge's own patches turning object `obj` (not its children) as it was at `before`
    /// into what it is at `after`. Both versions must be in the document. The diff reads the
    /// object's operations once; a panic inside Automerge becomes an error.
    pub(crate) fn object_patches(
        &mut self,
        obj: &ObjId,
        before: &[ChangeHash],
        after: &[ChangeHash],
    ) -> Result<Vec<automerge::Patch>> {
        if !self.has_all(before) || !self.has_all(after) {
            return Err(Error::InvalidInput(
                "this document does not contain the given version".into(),
            ));
        }
        match catch_unwind(AssertUnwindSafe(|| {
            self.doc.diff_obj(obj, before, after, false)
        })) {
            Ok(r) => Ok(r?),
            Err(p) => Err(Error::InvalidDocument(format!(
                "diffing the document panicked: {}",
                panic_message(&p)
            ))),
        }
    }
}

fn author_of(member: &MemberId) -> Author<'static> {
    Author::from(member.as_str().as_bytes().to_vec())
}

fn read_header(doc: &AutoCommit) -> Result<DocHeader> {
    let view = View::new(doc, None);
    let id = view
        .str(&ROOT, "doc_id")
        .ok_or_else(|| Error::InvalidDocument("no doc_id in the root".into()))?;
    let kind_s = view
        .str(&ROOT, "kind")
        .ok_or_else(|| Error::InvalidDocument("no kind in the root".into()))?;
    let kind = DocKind::parse(&kind_s)
        .ok_or_else(|| Error::InvalidDocument(format!("unknown kind {kind_s:?}")))?;
    let schema_version = view
        .u64(&ROOT, "schema_version")
        .ok_or_else(|| Error::InvalidDocument("no schema_version in the root".into()))?;
    if schema_version > SCHEMA_VERSION {
        return Err(Error::InvalidDocument(format!(
            "schema version {schema_version} is newer than this build supports ({SCHEMA_VERSION})"
        )));
    }
    Ok(DocHeader {
        id: DocId::new(id),
        kind,
        schema_version,
    })
}

/// A change decoded from untrusted bytes.
#[derive(Debug, Clone)]
pub struct DecodedChange {
    /// The change.
    pub change: automerge::Change,
    /// Its hash.
    pub hash: ChangeHash,
    /// The actor that wrote it.
    pub actor: ActorId,
    /// The member it names as its author (Automerge 0.12 author), if any.
    pub author: Option<MemberId>,
}

/// Decodes untrusted change bytes, each inside `catch_unwind` (Automerge 0.12 panics on some
/// malformed input). Any failure fails the whole batch.
///
/// Decoding is not enough: Automerge 0.12 accepts changes whose columns disagree (and does not
/// verify checksums), applies them, and then cannot load its own `save()`. So every change is
/// re-encoded from its decoded operations and must come out byte for byte the same — only a
/// canonical change, exactly as Automerge itself writes it, is accepted.
pub fn decode_changes(changes: &[Vec<u8>]) -> Result<Vec<DecodedChange>> {
    changes
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let decoded = catch_unwind(AssertUnwindSafe(|| -> Result<DecodedChange> {
                let change = automerge::Change::from_bytes(bytes.clone())
                    .map_err(|e| Error::InvalidDocument(format!("change {i} does not decode: {e}")))?;
                let canonical = automerge::Change::from(change.decode());
                if canonical.hash() != change.hash() || canonical.raw_bytes() != bytes.as_slice() {
                    return Err(Error::InvalidDocument(format!(
                        "change {i} is not in canonical form (inconsistent columns or a wrong checksum)"
                    )));
                }
                let hash = change.hash();
                let actor = change.actor_id().clone();
                let author = change
                    .author()
                    .and_then(|a| std::str::from_utf8(a.as_bytes()).ok().map(MemberId::new));
                Ok(DecodedChange {
                    change,
                    hash,
                    actor,
                    author,
                })
            }));
            match decoded {
                Ok(r) => r,
                Err(p) => Err(Error::InvalidDocument(format!(
                    "change {i} made the decoder panic: {}",
                    panic_message(&p)
                ))),
            }
        })
        .collect()
}

fn apply_stored(doc: &mut AutoCommit, changes: &[Vec<u8>]) -> Result<()> {
    let decoded = changes
        .iter()
        .map(|bytes| {
            catch_unwind(AssertUnwindSafe(|| {
                automerge::Change::from_bytes(bytes.clone())
            }))
            .map_err(|p| {
                Error::InvalidDocument(format!("a stored change panicked: {}", panic_message(&p)))
            })?
            .map_err(|e| Error::InvalidDocument(format!("a stored change does not decode: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    match catch_unwind(AssertUnwindSafe(|| doc.apply_changes(decoded))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::InvalidDocument(format!(
            "stored changes do not apply: {e}"
        ))),
        Err(p) => Err(Error::InvalidDocument(format!(
            "applying stored changes panicked: {}",
            panic_message(&p)
        ))),
    }
}

fn apply_guarded(doc: &mut AutoCommit, changes: Vec<DecodedChange>) -> Result<()> {
    let changes: Vec<automerge::Change> = changes.into_iter().map(|c| c.change).collect();
    match catch_unwind(AssertUnwindSafe(|| doc.apply_changes(changes))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::InvalidDocument(format!("changes do not apply: {e}"))),
        Err(p) => Err(Error::InvalidDocument(format!(
            "applying the changes panicked: {}",
            panic_message(&p)
        ))),
    }
}

/// Best-effort text of a caught panic payload.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Creates a map at `key` of `parent` (helper for skeletons and new entries).
pub(crate) fn put_map(doc: &mut AutoCommit, parent: &ObjId, key: &str) -> Result<ObjId> {
    Ok(doc.put_object(parent, key, ObjType::Map)?)
}

/// Creates a text object at `key` of `parent` holding `initial` (NFC-normalised).
pub(crate) fn put_text(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    initial: &str,
) -> Result<ObjId> {
    let obj = doc.put_object(parent, key, ObjType::Text)?;
    let initial = crate::text::nfc(initial);
    if !initial.is_empty() {
        doc.splice_text(&obj, 0, 0, &initial)?;
    }
    Ok(obj)
}

/// Puts an NFC-normalised string.
pub(crate) fn put_str(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: &str) -> Result<()> {
    doc.put(obj, crate::text::nfc(key), crate::text::nfc(value))?;
    Ok(())
}

/// Splices NFC text into a text object and repairs normalisation at the seams.
///
/// Inserting already-NFC text can still leave the document un-normalised: a keyboard that
/// sends a base letter and its combining mark as two edits produces "e" + U+0302 across two
/// splices. We look at a few characters around the edit and, if that window is not NFC,
/// replace it with its NFC form, so the stored text is always NFC.
pub(crate) fn splice_nfc(
    doc: &mut AutoCommit,
    obj: &ObjId,
    pos: usize,
    del: usize,
    insert: &str,
) -> Result<()> {
    let len = doc.length(obj);
    if pos > len || pos + del > len {
        return Err(Error::InvalidInput(format!(
            "edit {pos}..{} is outside the text (length {len})",
            pos + del
        )));
    }
    let insert = crate::text::nfc(insert);
    doc.splice_text(obj, pos, del as isize, &insert)?;
    let inserted = insert.chars().count();
    let len = doc.length(obj);
    let start = pos.saturating_sub(3);
    let end = (pos + inserted + 2).min(len);
    let window: Vec<char> = (start..end)
        .filter_map(|i| doc.get(obj, i).ok().flatten())
        .filter_map(|(v, _)| v.as_str().map(str::to_owned))
        .flat_map(|s| s.chars().collect::<Vec<_>>())
        .collect();
    let text: String = window.iter().collect();
    if !crate::text::is_nfc(&text) {
        // Replace only the characters that change, so concurrent edits next to this one
        // (and comments anchored there) are not disturbed.
        let fixed: Vec<char> = crate::text::nfc(&text).chars().collect();
        let prefix = window
            .iter()
            .zip(&fixed)
            .take_while(|(a, b)| a == b)
            .count();
        let suffix = window[prefix..]
            .iter()
            .rev()
            .zip(fixed[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let replaced: String = fixed[prefix..fixed.len() - suffix].iter().collect();
        let removed = window.len() - prefix - suffix;
        doc.splice_text(obj, start + prefix, removed as isize, &replaced)?;
    }
    Ok(())
}
