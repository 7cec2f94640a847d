//! The local store: the one entry point the app (CLI, phone bindings) talks to.
//!
//! [`Store`] owns the SQLite connections (one writer, one reader, WAL) and the documents it
//! has open. Every edit goes through one path ([`Store::edit`]): apply the typed operation to
//! the document as one Automerge change, then — in one IMMEDIATE transaction — append the
//! change bytes as a chunk, re-project the document's read-model rows and, every
//! `compact_every` chunks, fold the chunks into a fresh snapshot. The call returns only after
//! that transaction is on disk (`synchronous=FULL`), so an acknowledged edit survives a crash
//! or a killed process. If the transaction fails, the in-memory copy is dropped, so memory
//! never runs ahead of disk.
//!
//! Damaged data is contained: a file that is not a database is moved aside (never deleted);
//! a document whose bytes fail to load — or make Automerge panic — is quarantined and
//! reported while everything else keeps working.

mod approvals;
mod blobs;
mod db;
mod docs;
pub mod evidence;
mod history;
mod needs_me;
mod papers;
mod read_model;
mod sessions;
mod sync_state;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};

pub use approvals::{ApprovalRights, ApproveBlocker, SignoffRecord, SignoffState};
pub use blobs::{AttachmentSource, AttachmentState, AttachmentUpload, BlobRefusal, BlobUpload};
pub use db::SCHEMA_VERSION;
pub use needs_me::{ApprovalNeedingMe, NeedsMe, ThreadNeedingMe, ThreadReason};
pub use papers::{Paper, PaperFormat, PaperOptions};
use read_model::CountsHint;
pub use read_model::{PlanRow, TextDocRow, TopicRow};
pub use sessions::{
    BranchOverview, DistributionStatus, ProposalItem, ProposalStage, ReadingItem, SessionOverview,
    SessionRow, TaskRef, day_start_vn, today_vn,
};
pub use sync_state::{Enrollment, PendingPush, RequestSigner, SyncErrorKind, SyncState};

use crate::date::Date;
use crate::ids::{BranchId, CommentId, DocId, DocKind, LegalBasisId, MemberId, TopicId};
use crate::model::conflict::{self, Conflict};
use crate::model::plan::{self, AnnualPlan, NewPlan, NewTopic, PlanField, PlanText, TopicField};
use crate::model::text_doc::{self, NewComment, NewTextDoc, ProposalStatus, TextDocument};
use crate::model::{ChangeInfo, Document, Editor, now_unix};
use crate::org::{Member, MemberStatus, Role};
use crate::text;
use crate::{Error, Result};

/// How many chunks a document collects before it is compacted into a new snapshot.
pub const DEFAULT_COMPACT_EVERY: i64 = 256;

/// A document the store could not load.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DamagedDocument {
    /// The document id.
    pub doc_id: DocId,
    /// The stored kind.
    pub kind: String,
    /// Why it failed.
    pub reason: String,
}

/// The local store of one device.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Connection,
    reader: Connection,
    open_docs: HashMap<DocId, Document>,
    identity: Option<MemberId>,
    compact_every: i64,
}

impl Store {
    /// Opens (or creates) the store at `path`, migrating it to the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let writer = db::open_writer(&path)?;
        let reader = db::open_reader(&path)?;
        let identity = writer
            .query_row("SELECT member_id FROM identity WHERE id = 1", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(MemberId::new);
        let mut store = Store {
            path,
            writer,
            reader,
            open_docs: HashMap::new(),
            identity,
            compact_every: DEFAULT_COMPACT_EVERY,
        };
        let rebuild: bool = store
            .writer
            .query_row(
                "SELECT 1 FROM maintenance WHERE task = 'rebuild_read_model'",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if rebuild {
            store.rebuild_read_model()?;
        }
        Ok(store)
    }

    /// Sets how many chunks a document collects before compaction (at least 1).
    pub fn set_compact_every(&mut self, n: i64) {
        self.compact_every = n.max(1);
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The member this device edits as, if set.
    pub fn identity(&self) -> Option<&MemberId> {
        self.identity.as_ref()
    }

    /// Sets the member this device edits as (Step 2 replaces this with enrollment).
    pub fn set_identity(&mut self, member: &MemberId) -> Result<()> {
        if member.as_str().is_empty() {
            return Err(Error::InvalidInput("a member id must not be empty".into()));
        }
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT INTO identity (id, member_id, device_id) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id",
                params![member.as_str(), uuid::Uuid::new_v4().simple().to_string()],
            )?;
            Ok(())
        })?;
        self.identity = Some(member.clone());
        Ok(())
    }

    fn editor(&self) -> Result<Editor> {
        let member = self.identity.clone().ok_or(Error::NoIdentity)?;
        Ok(Editor::now(member))
    }

    // ----- documents: loading, creating, editing -------------------------------------------

    /// Loads a document into memory (or returns the open one). A document whose bytes fail to
    /// load is quarantined and reported as [`Error::DocumentDamaged`].
    fn doc(&mut self, id: &DocId) -> Result<&mut Document> {
        self.load(id)?;
        self.open_docs
            .get_mut(id)
            .ok_or_else(|| Error::DocumentNotFound(id.to_string()))
    }

    fn load(&mut self, id: &DocId) -> Result<()> {
        if self.open_docs.contains_key(id) {
            return Ok(());
        }
        let stored = docs::read(&self.writer, id)?;
        if let Some(reason) = stored.load_error {
            return Err(Error::DocumentDamaged {
                id: id.to_string(),
                reason,
            });
        }
        let reason = match Document::load(&stored.snapshot, &stored.chunks) {
            Ok(doc) if doc.id() == id && doc.kind().as_str() == stored.kind => {
                self.open_docs.insert(id.clone(), doc);
                return Ok(());
            }
            Ok(doc) => format!(
                "the bytes hold {} {}, not {} {id}",
                doc.kind(),
                doc.id(),
                stored.kind
            ),
            Err(e) => e.to_string(),
        };
        docs::mark_damaged(&self.writer, id, &reason)?;
        Err(Error::DocumentDamaged {
            id: id.to_string(),
            reason,
        })
    }

    /// Makes the open document's unsaved changes durable: one transaction appends them as a
    /// chunk, re-projects the read model and compacts when due. On failure the in-memory copy
    /// is dropped so memory never runs ahead of disk.
    fn persist(
        &mut self,
        id: &DocId,
        rescan_conflicts: bool,
        counts: &CountsHint,
        now: i64,
    ) -> Result<()> {
        let compact_every = self.compact_every;
        let doc = self
            .open_docs
            .get_mut(id)
            .ok_or_else(|| Error::DocumentNotFound(id.to_string()))?;
        let chunk = match doc.try_save_incremental() {
            Ok(c) => c,
            Err(e) => {
                self.open_docs.remove(id);
                return Err(e);
            }
        };
        if chunk.is_empty() {
            return Ok(());
        }
        let result = db::write(&mut self.writer, |tx| {
            let pending = docs::append_chunk(tx, id, &chunk, now)?;
            read_model::project(tx, doc, rescan_conflicts, counts, now)?;
            if pending >= compact_every {
                docs::compact(tx, id, &doc.save())?;
            }
            Ok(())
        });
        if result.is_err() {
            self.open_docs.remove(id);
        }
        result
    }

    fn insert_new(&mut self, mut doc: Document, branch: &BranchId) -> Result<DocId> {
        let id = doc.id().clone();
        let now = now_unix();
        db::write(&mut self.writer, |tx| {
            docs::insert(tx, &mut doc, branch, now)?;
            read_model::project(tx, &mut doc, true, &CountsHint::Recount, now)
        })?;
        self.open_docs.insert(id.clone(), doc);
        Ok(id)
    }

    /// Applies `op` to document `id` as the current member and makes it durable.
    ///
    /// This is the one write path; every typed method below is a line over it.
    pub fn edit<R>(
        &mut self,
        id: &DocId,
        op: impl FnOnce(&mut Document, &Editor) -> Result<R>,
    ) -> Result<R> {
        self.edit_hinted(id, |d, e| Ok((op(d, e)?, CountsHint::Recount)))
    }

    /// [`Store::edit`], with the operation saying how comment counts changed.
    fn edit_hinted<R>(
        &mut self,
        id: &DocId,
        op: impl FnOnce(&mut Document, &Editor) -> Result<(R, CountsHint)>,
    ) -> Result<R> {
        let editor = self.editor()?;
        let (value, counts) = op(self.doc(id)?, &editor)?;
        let rescan = had_conflicts(&self.writer, id)?;
        self.persist(id, rescan, &counts, editor.time)?;
        Ok(value)
    }

    /// Edits one comment of a text document, keeping its counts up to date cheaply.
    fn edit_comment_with(
        &mut self,
        id: &DocId,
        comment: &CommentId,
        op: impl FnOnce(&mut Document, &Editor) -> Result<()>,
    ) -> Result<()> {
        self.edit_hinted(id, |d, e| {
            let before = text_doc::comment_contribution(d, comment)?;
            op(d, e)?;
            Ok((
                (),
                CountsHint::Changed {
                    comment: comment.clone(),
                    before,
                },
            ))
        })
    }

    /// Drops the in-memory copies of all documents (they reload from disk when next used).
    pub fn close_documents(&mut self) {
        self.open_docs.clear();
    }

    /// Re-projects every document's read-model rows (after a migration or a repair).
    pub fn rebuild_read_model(&mut self) -> Result<()> {
        let ids = docs::list(&self.writer)?;
        for (id, _, load_error) in ids {
            if load_error.is_some() {
                continue;
            }
            let now = now_unix();
            match self.load(&id) {
                Ok(()) => {}
                Err(Error::DocumentDamaged { .. }) => continue,
                Err(e) => return Err(e),
            }
            let Some(doc) = self.open_docs.get_mut(&id) else {
                continue;
            };
            db::write(&mut self.writer, |tx| {
                read_model::project(tx, doc, true, &CountsHint::Recount, now)
            })?;
        }
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "DELETE FROM maintenance WHERE task = 'rebuild_read_model'",
                [],
            )?;
            Ok(())
        })
    }

    /// Every stored document (damaged ones included) with its kind, oldest first.
    pub fn document_ids(&self) -> Result<Vec<(DocId, Option<DocKind>)>> {
        Ok(docs::list(&self.reader)?
            .into_iter()
            .map(|(id, kind, _)| (id, kind))
            .collect())
    }

    /// Documents whose stored bytes could not be loaded.
    pub fn damaged_documents(&self) -> Result<Vec<DamagedDocument>> {
        Ok(docs::list(&self.reader)?
            .into_iter()
            .filter_map(|(doc_id, kind, reason)| {
                reason.map(|reason| DamagedDocument {
                    doc_id,
                    kind: kind
                        .map(|k| k.as_str().to_owned())
                        .unwrap_or_else(|| "unknown".into()),
                    reason,
                })
            })
            .collect())
    }

    /// Runs SQLite's `PRAGMA integrity_check`; returns its messages ("ok" when sound).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.reader.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The change history of a document, oldest first.
    pub fn history(&mut self, id: &DocId) -> Result<Vec<ChangeInfo>> {
        Ok(self.doc(id)?.history())
    }

    /// Whether a document is stored (damaged ones included).
    pub fn has_document(&self, id: &DocId) -> Result<bool> {
        Ok(self
            .reader
            .query_row(
                "SELECT 1 FROM documents WHERE doc_id = ?1",
                params![id.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The kind of a stored document.
    pub fn kind_of(&self, id: &DocId) -> Result<DocKind> {
        let kind: String = self
            .reader
            .query_row(
                "SELECT kind FROM documents WHERE doc_id = ?1",
                params![id.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::DocumentNotFound(id.to_string()))?;
        DocKind::parse(&kind).ok_or_else(|| Error::InvalidDocument(format!("unknown kind {kind}")))
    }

    // ----- sync bookkeeping (used by Step 2's client) --------------------------------------

    /// The heads the server last acknowledged for a document.
    pub fn acked_heads(&self, id: &DocId) -> Result<Vec<ChangeHash>> {
        let bytes: Vec<u8> = self
            .reader
            .query_row(
                "SELECT acked_heads FROM documents WHERE doc_id = ?1",
                params![id.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::DocumentNotFound(id.to_string()))?;
        docs::decode_heads(&bytes)
    }

    /// Records the heads the server acknowledged (replacing the previous ones).
    pub fn set_acked_heads(&mut self, id: &DocId, heads: &[ChangeHash]) -> Result<()> {
        let doc = self.doc(id)?;
        let heads = doc.minimal_heads(heads);
        let has_unsent = !doc.changes_since(&heads).is_empty();
        let acked = docs::encode_heads(&heads);
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "UPDATE documents SET acked_heads = ?2, has_unsent = ?3 WHERE doc_id = ?1",
                params![id.as_str(), acked, has_unsent],
            )?;
            Ok(())
        })
    }

    /// Adds changes the server is known to have (pushed and accepted, or received from it).
    pub fn acknowledge(&mut self, id: &DocId, hashes: &[ChangeHash]) -> Result<()> {
        let mut all = self.acked_heads(id)?;
        all.extend_from_slice(hashes);
        self.set_acked_heads(id, &all)
    }

    /// Encoded changes the server has not acknowledged yet.
    pub fn unsent_changes(&mut self, id: &DocId) -> Result<Vec<Vec<u8>>> {
        let acked = self.acked_heads(id)?;
        let doc = self.doc(id)?;
        if !acked.is_empty() && !doc.has_all(&acked) {
            // The server knows heads we lack (restored from backup): send everything.
            return Ok(doc.changes_since(&[]));
        }
        Ok(doc.changes_since(&acked))
    }

    /// Documents with changes the server has not acknowledged.
    pub fn documents_with_unsent(&self) -> Result<Vec<DocId>> {
        let mut stmt = self
            .reader
            .prepare_cached("SELECT doc_id FROM documents WHERE has_unsent = 1 AND load_error IS NULL ORDER BY doc_id")?;
        let rows = stmt
            .query_map([], |r| Ok(DocId::new(r.get::<_, String>(0)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    // ----- members ---------------------------------------------------------------------

    /// Adds or updates a member in the local directory.
    pub fn upsert_member(&mut self, m: &Member) -> Result<()> {
        let name = text::nfc(m.full_name.trim());
        if name.is_empty() || m.id.as_str().is_empty() {
            return Err(Error::InvalidInput(
                "a member needs an id and a name".into(),
            ));
        }
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO members (member_id, branch_id, full_name, canonical_name, search_key, role, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    m.id.as_str(),
                    m.branch_id.as_str(),
                    name,
                    text::canonical_name(&name),
                    text::search_key(&name),
                    m.role.as_str(),
                    m.status.as_str()
                ],
            )?;
            Ok(())
        })
    }

    /// The local directory, in Vietnamese name order (given name, middle, family).
    pub fn members(&self) -> Result<Vec<Member>> {
        let mut stmt = self
            .reader
            .prepare_cached("SELECT member_id, branch_id, full_name, role, status FROM members")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut members = rows
            .into_iter()
            .map(|(id, branch, name, role, status)| {
                Ok(Member {
                    id: MemberId::new(id),
                    branch_id: BranchId::new(branch),
                    full_name: name,
                    role: Role::parse(&role)?,
                    status: MemberStatus::parse(&status)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        members.sort_by(|a, b| text::compare_person_names(&a.full_name, &b.full_name));
        Ok(members)
    }

    /// Members whose name matches `query`, accents and tone placement ignored.
    pub fn search_members(&self, query: &str) -> Result<Vec<Member>> {
        Ok(self
            .members()?
            .into_iter()
            .filter(|m| text::matches_search(&m.full_name, query))
            .collect())
    }

    /// A member by directory id or by (accent-insensitive, tone-placement-insensitive) name.
    pub fn find_member(&self, id_or_name: &str) -> Result<Option<Member>> {
        let members = self.members()?;
        let canon = text::search_key(&text::canonical_name(id_or_name));
        Ok(members.into_iter().find(|m| {
            m.id.as_str() == id_or_name
                || text::search_key(&text::canonical_name(&m.full_name)) == canon
        }))
    }

    // ----- plans -------------------------------------------------------------------------

    /// This member's role per the local directory; `None` when the directory does not list
    /// them (an unenrolled store): the phone then leaves the role rules to the server.
    pub fn my_role(&self) -> Result<Option<Role>> {
        let Some(me) = self.identity() else {
            return Ok(None);
        };
        Ok(self
            .members()?
            .into_iter()
            .find(|m| &m.id == me)
            .map(|m| m.role))
    }

    /// Applies a role rule (`crate::roles`) when this member's role is known.
    fn check_role(&self, rule: impl FnOnce(Role) -> Result<()>) -> Result<()> {
        match self.my_role()? {
            Some(role) => rule(role),
            None => Ok(()),
        }
    }

    /// Checks that this member may resolve or decide comment `c` of `id`.
    fn check_moderation(&mut self, id: &DocId, c: &CommentId) -> Result<()> {
        let Some(role) = self.my_role()? else {
            return Ok(());
        };
        let me = self.identity().map(|m| m.to_string()).unwrap_or_default();
        let comments = text_doc::raw_comments_of(self.doc(id)?, [c])?;
        let author = comments
            .get(c)
            .map(|r| r.author.clone())
            .ok_or_else(|| Error::CommentNotFound(c.to_string()))?;
        crate::roles::check_moderate(role, &me, &author)
    }

    /// Creates an annual plan (secretary, deputy secretary or an executive: `docs/roles.md`).
    pub fn create_plan(&mut self, new: &NewPlan) -> Result<DocId> {
        self.check_role(crate::roles::check_create_plan)?;
        let doc = plan::create(new, &self.editor()?)?;
        self.insert_new(doc, &new.branch_id)
    }

    /// Plans in the read model, optionally of one branch (no document is loaded).
    pub fn plan_rows(&self, branch: Option<&BranchId>) -> Result<Vec<PlanRow>> {
        read_model::plans(&self.reader, branch)
    }

    /// A plan's topics from the read model (no document is loaded).
    pub fn topic_rows(&self, plan: &DocId) -> Result<Vec<TopicRow>> {
        read_model::topics(&self.reader, plan)
    }

    /// Topics whose title, output or notes match `query`, accents ignored ("an toan" finds
    /// "an toàn").
    pub fn search_topics(&self, query: &str) -> Result<Vec<TopicRow>> {
        read_model::search_topics(&self.reader, query)
    }

    /// The whole plan (loads the document).
    pub fn plan(&mut self, id: &DocId) -> Result<AnnualPlan> {
        plan::get(self.doc(id)?)
    }

    /// Adds a topic.
    pub fn add_topic(&mut self, plan_id: &DocId, t: &NewTopic) -> Result<TopicId> {
        self.edit(plan_id, |d, e| plan::add_topic(d, e, t))
    }

    /// Sets one field of a topic.
    pub fn set_topic_field(
        &mut self,
        plan_id: &DocId,
        topic: &TopicId,
        f: &TopicField,
    ) -> Result<()> {
        self.edit(plan_id, |d, e| plan::set_topic_field(d, e, topic, f))
    }

    /// Adds or removes a preparer.
    pub fn set_preparer(
        &mut self,
        plan_id: &DocId,
        topic: &TopicId,
        m: &MemberId,
        present: bool,
    ) -> Result<()> {
        self.edit(plan_id, |d, e| plan::set_preparer(d, e, topic, m, present))
    }

    /// Moves a topic to a 0-based index.
    pub fn move_topic(&mut self, plan_id: &DocId, topic: &TopicId, index: usize) -> Result<()> {
        self.edit(plan_id, |d, e| plan::move_topic(d, e, topic, index))
    }

    /// Cancels a topic.
    pub fn cancel_topic(&mut self, plan_id: &DocId, topic: &TopicId) -> Result<()> {
        self.edit(plan_id, |d, e| plan::cancel_topic(d, e, topic))
    }

    /// Sets a plan header field.
    pub fn set_plan_field(&mut self, plan_id: &DocId, f: &PlanField) -> Result<()> {
        if matches!(f, PlanField::Number(_) | PlanField::IssueDate(_)) {
            self.check_role(crate::roles::check_plan_metadata)?;
        }
        self.edit(plan_id, |d, e| plan::set_plan_field(d, e, f))
    }

    /// Edits a plan text section.
    pub fn splice_plan_text(
        &mut self,
        plan_id: &DocId,
        which: PlanText,
        pos: usize,
        del: usize,
        ins: &str,
    ) -> Result<()> {
        self.edit(plan_id, |d, e| {
            plan::splice_text(d, e, which, pos, del, ins)
        })
    }

    /// Replaces a plan text section.
    pub fn replace_plan_text(
        &mut self,
        plan_id: &DocId,
        which: PlanText,
        text: &str,
    ) -> Result<()> {
        self.edit(plan_id, |d, e| plan::replace_text(d, e, which, text))
    }

    /// Adds a legal basis.
    pub fn add_legal_basis(
        &mut self,
        plan_id: &DocId,
        number: &str,
        date: Option<Date>,
        title: &str,
    ) -> Result<LegalBasisId> {
        self.check_role(crate::roles::check_plan_metadata)?;
        self.edit(plan_id, |d, e| {
            plan::add_legal_basis(d, e, number, date, title)
        })
    }

    /// Removes a legal basis.
    pub fn remove_legal_basis(&mut self, plan_id: &DocId, id: &LegalBasisId) -> Result<()> {
        self.check_role(crate::roles::check_plan_metadata)?;
        self.edit(plan_id, |d, e| plan::remove_legal_basis(d, e, id))
    }

    // ----- drafts and materials ---------------------------------------------------------

    /// Creates a topic draft or a material.
    pub fn create_text_doc(&mut self, new: &NewTextDoc) -> Result<DocId> {
        let doc = text_doc::create(new, &self.editor()?)?;
        self.insert_new(doc, &new.branch_id)
    }

    /// Drafts and materials from the read model, optionally of one plan.
    pub fn text_doc_rows(&self, plan: Option<&DocId>) -> Result<Vec<TextDocRow>> {
        read_model::text_docs(&self.reader, plan)
    }

    /// A draft or material with its comments (loads the document).
    pub fn text_doc(&mut self, id: &DocId) -> Result<TextDocument> {
        text_doc::get(self.doc(id)?)
    }

    /// Edits a draft's or material's text.
    pub fn splice_body(&mut self, id: &DocId, pos: usize, del: usize, ins: &str) -> Result<()> {
        self.edit_hinted(id, |d, e| {
            Ok((
                text_doc::splice_body(d, e, pos, del, ins)?,
                CountsHint::Keep,
            ))
        })
    }

    /// Replaces a draft's or material's text.
    pub fn replace_body(&mut self, id: &DocId, text: &str) -> Result<()> {
        self.edit_hinted(id, |d, e| {
            Ok((text_doc::replace_body(d, e, text)?, CountsHint::Keep))
        })
    }

    /// Adds a comment, proposal or reply. Replying counts as looking at the thread
    /// ([`Store::mark_thread_seen`]).
    pub fn add_comment(&mut self, id: &DocId, c: &NewComment) -> Result<CommentId> {
        let comment = self.edit_hinted(id, |d, e| {
            let comment = text_doc::add_comment(d, e, c)?;
            let hint = CountsHint::Changed {
                comment: comment.clone(),
                before: Default::default(),
            };
            Ok((comment, hint))
        })?;
        if c.reply_to.is_some() {
            self.acted_on_thread(id, &comment);
        }
        Ok(comment)
    }

    /// Edits a comment (author only).
    pub fn edit_comment(&mut self, id: &DocId, c: &CommentId, body: &str) -> Result<()> {
        self.edit_comment_with(id, c, |d, e| text_doc::edit_comment(d, e, c, body))
    }

    /// Deletes a comment (author only; a tombstone stays).
    pub fn delete_comment(&mut self, id: &DocId, c: &CommentId) -> Result<()> {
        self.edit_comment_with(id, c, |d, e| text_doc::delete_comment(d, e, c))
    }

    /// Resolves or reopens a thread (which counts as looking at it).
    pub fn resolve_comment(&mut self, id: &DocId, c: &CommentId, resolved: bool) -> Result<()> {
        self.check_moderation(id, c)?;
        self.edit_comment_with(id, c, |d, e| text_doc::resolve_comment(d, e, c, resolved))?;
        self.acted_on_thread(id, c);
        Ok(())
    }

    /// Sets a proposal's status (which counts as looking at its thread).
    pub fn set_proposal_status(
        &mut self,
        id: &DocId,
        c: &CommentId,
        s: ProposalStatus,
    ) -> Result<()> {
        self.check_moderation(id, c)?;
        self.edit_comment_with(id, c, |d, e| text_doc::set_proposal_status(d, e, c, s))?;
        self.acted_on_thread(id, c);
        Ok(())
    }

    // ----- conflicts ----------------------------------------------------------------------

    /// Conflicts waiting for a choice (from the read model), optionally of one document.
    pub fn conflicts(&self, doc: Option<&DocId>) -> Result<Vec<(DocId, Conflict)>> {
        read_model::conflicts(&self.reader, doc)
    }

    /// Resolves a conflict by choosing the value written by operation `op`.
    pub fn resolve_conflict(&mut self, doc: &DocId, path: &[String], op: &str) -> Result<()> {
        self.edit(doc, |d, e| conflict::resolve(d, e, path, op))
    }

    // ----- merging replicas (Step 2's sync applies received changes through this) ----------

    /// Merges another replica of a document into the stored one, durably, re-projecting its
    /// rows and rescanning conflicts. Returns whether anything new arrived.
    pub fn merge_document(&mut self, other: &mut Document) -> Result<bool> {
        let id = other.id().clone();
        let exists = self.has_document(&id)?;
        if !exists {
            let mut copy = Document::load(&other.save(), &[])?;
            let branch = branch_of(&mut copy)?;
            self.insert_new(copy, &branch)?;
            return Ok(true);
        }
        let doc = self.doc(&id)?;
        if doc.kind() != other.kind() {
            return Err(Error::WrongKind {
                id: id.to_string(),
                expected: doc.kind().as_str(),
                actual: other.kind().to_string(),
            });
        }
        if !doc.merge(other)? {
            return Ok(false);
        }
        self.persist(&id, true, &CountsHint::Recount, now_unix())?;
        Ok(true)
    }

    /// A copy of a stored document (for handing to another replica).
    pub fn export_document(&mut self, id: &DocId) -> Result<Document> {
        let bytes = self.doc(id)?.save();
        Document::load(&bytes, &[])
    }
}

fn branch_of(doc: &mut Document) -> Result<BranchId> {
    Ok(match doc.kind() {
        DocKind::AnnualPlan => plan::get(doc)?.branch_id,
        DocKind::TopicDraft | DocKind::Material => text_doc::header(doc)?.branch_id,
        DocKind::Session | DocKind::ReadingLog => doc
            .branch_id()
            .ok_or_else(|| Error::InvalidDocument(format!("{} names no branch", doc.id())))?,
    })
}

/// Whether the read model must rescan a document for conflicts after a local edit: only if
/// it had some (a local edit supersedes the values it touches and cannot create new ones).
fn had_conflicts(conn: &Connection, id: &DocId) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM rm_conflicts WHERE doc_id = ?1",
        params![id.as_str()],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}
