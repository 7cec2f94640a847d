//! Attachments on the phone: the blob cache, the upload queue, and files listed in materials.
//!
//! A blob is kept by its SHA-256 in `blobs`, and only after its bytes were checked against
//! that hash — whether the member picked the file here or it was fetched from the server — so
//! what the cache returns is always what the material lists. Adding a file keeps its bytes
//! *before* the material names it: a crash in between leaves at most a file nobody lists,
//! never a listed file this phone cannot open or send. Files added here wait in
//! `blob_uploads` until the server has them ([`crate::sync::BlobClient`]); files others added
//! are fetched the first time they are opened ([`crate::sync::fetch_blob`]).

use std::io::Read;
use std::path::Path;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, db};
use crate::blob::{self, BlobHash, DEFAULT_MAX_BLOB_BYTES};
use crate::ids::{BranchId, DocId, DocKind};
use crate::model::now_unix;
use crate::model::text_doc::{self, Attachment, NewAttachment};
use crate::{Error, Result};

/// A blob added on this phone that the server does not have yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobUpload {
    /// Its hash.
    pub sha256: BlobHash,
    /// The branch it goes to (its material's).
    pub branch_id: BranchId,
    /// Its size in bytes.
    pub size: u64,
    /// When it was queued (Unix seconds).
    pub queued_at: i64,
}

/// A blob the server refused for good (it is not sent again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRefusal {
    /// Its hash.
    pub sha256: BlobHash,
    /// The branch it was sent to.
    pub branch_id: BranchId,
    /// The server's error code (`too_large`, `forbidden`, …).
    pub code: String,
    /// The server's message.
    pub message: String,
}

/// Where an attachment is listed: the material and its branch (the server keeps a blob per
/// branch, so this is where it is fetched from).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentSource {
    /// The material listing it.
    pub doc_id: DocId,
    /// The material's branch.
    pub branch_id: BranchId,
    /// The entry.
    pub attachment: Attachment,
}

/// Where an attachment's bytes stand on this phone: whether it holds them, and whether they
/// wait to be sent from here (what a screen shows next to the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentState {
    /// The entry, as the material lists it.
    pub attachment: Attachment,
    /// This phone holds the bytes (added here, or fetched already): opening needs no network.
    pub on_device: bool,
    /// Whether the bytes wait to be sent from this phone to the material's branch.
    pub upload: AttachmentUpload,
}

/// Whether an attachment's bytes wait to be sent from this phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentUpload {
    /// Nothing waits here: the server has them, or another phone added them.
    NotQueued,
    /// Queued: they go with the next sync.
    Pending,
    /// The server refused them for good (they are not sent again unless attached again).
    Refused {
        /// The server's error code (`too_large`, `forbidden`, …).
        code: String,
        /// The server's message.
        message: String,
    },
}

fn parse_hash(s: &str) -> rusqlite::Result<BlobHash> {
    BlobHash::parse(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// Keeps `bytes` as a blob on this phone and queues it for upload to `branch`; returns
    /// its hash. Refused over [`DEFAULT_MAX_BLOB_BYTES`] (nothing is stored). Adding bytes the
    /// phone already holds stores them once; a blob the server refused before is queued again.
    pub fn add_blob(&mut self, branch: &BranchId, bytes: &[u8]) -> Result<BlobHash> {
        blob::check_size(bytes.len() as u64, DEFAULT_MAX_BLOB_BYTES)?;
        if branch.as_str().is_empty() {
            return Err(Error::InvalidInput("a blob needs a branch".into()));
        }
        let sha256 = BlobHash::of(bytes);
        let now = now_unix();
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT INTO blobs (sha256, size, bytes, stored_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sha256) DO NOTHING",
                params![sha256.to_hex(), bytes.len() as i64, bytes, now],
            )?;
            tx.execute(
                "INSERT INTO blob_uploads (sha256, branch_id, queued_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sha256, branch_id) DO UPDATE SET state = 'pending',
                     refused_code = NULL, refused_message = NULL
                 WHERE state = 'refused'",
                params![sha256.to_hex(), branch.as_str(), now],
            )?;
            Ok(())
        })?;
        Ok(sha256)
    }

    /// Attaches `bytes` to a material as the file `name` (media type `mime`, else guessed from
    /// the name): keeps them as a blob, queues them for the material's branch, and lists them
    /// in the material. Attaching a file the material lists already changes nothing and
    /// returns its entry. Refused over the size limit, for anything but a material, or
    /// without an identity — in each case before anything is stored.
    pub fn attach(
        &mut self,
        material: &DocId,
        bytes: &[u8],
        name: &str,
        mime: Option<&str>,
    ) -> Result<Attachment> {
        // Everything that can refuse is checked before anything is stored.
        self.editor()?;
        blob::check_size(bytes.len() as u64, DEFAULT_MAX_BLOB_BYTES)?;
        let doc = self.doc(material)?;
        text_doc::expect_material(doc)?;
        let branch = text_doc::header(doc)?.branch_id;
        let new = text_doc::checked_attachment(&NewAttachment {
            sha256: BlobHash::of(bytes),
            name: name.to_owned(),
            mime: mime
                .unwrap_or_else(|| text_doc::guess_mime(name))
                .to_owned(),
            size: bytes.len() as u64,
        })?;
        // The bytes first: the material never lists a file this phone cannot open or send.
        self.add_blob(&branch, bytes)?;
        self.edit(material, |d, e| text_doc::add_attachment(d, e, &new))?;
        text_doc::attachment(self.doc(material)?, &new.sha256)?
            .ok_or_else(|| Error::InvalidDocument("the attachment was not recorded".into()))
    }

    /// [`Store::attach`] with a file's bytes; `name` defaults to the file's name. A file over
    /// the size limit is refused before it is read.
    pub fn attach_file(
        &mut self,
        material: &DocId,
        path: &Path,
        name: Option<&str>,
        mime: Option<&str>,
    ) -> Result<Attachment> {
        let unreadable =
            |e: std::io::Error| Error::InvalidInput(format!("cannot read {}: {e}", path.display()));
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let meta = file.metadata().map_err(unreadable)?;
        if !meta.is_file() {
            return Err(Error::InvalidInput(format!(
                "{} is not a file",
                path.display()
            )));
        }
        blob::check_size(meta.len(), DEFAULT_MAX_BLOB_BYTES)?;
        // The file may grow while it is read: never read more than the limit allows.
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.take(DEFAULT_MAX_BLOB_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.attach(material, &bytes, name.unwrap_or(&file_name), mime)
    }

    /// A draft's or material's attachments, oldest first.
    pub fn attachments(&mut self, doc: &DocId) -> Result<Vec<Attachment>> {
        text_doc::attachments(self.doc(doc)?)
    }

    /// A draft's or material's attachments, oldest first, each with whether this phone holds
    /// its bytes and whether they wait to be sent from here (to the document's branch).
    pub fn attachment_states(&mut self, doc: &DocId) -> Result<Vec<AttachmentState>> {
        let d = self.doc(doc)?;
        let attachments = text_doc::attachments(d)?;
        let branch = text_doc::header(d)?.branch_id;
        attachments
            .into_iter()
            .map(|a| self.attachment_state_of(a, &branch))
            .collect()
    }

    /// One attachment of a draft or material with its state ([`Store::attachment_states`]);
    /// `None` when the document does not list `sha256`.
    pub fn attachment_state(
        &mut self,
        doc: &DocId,
        sha256: &BlobHash,
    ) -> Result<Option<AttachmentState>> {
        let d = self.doc(doc)?;
        let Some(attachment) = text_doc::attachment(d, sha256)? else {
            return Ok(None);
        };
        let branch = text_doc::header(d)?.branch_id;
        self.attachment_state_of(attachment, &branch).map(Some)
    }

    fn attachment_state_of(
        &self,
        attachment: Attachment,
        branch: &BranchId,
    ) -> Result<AttachmentState> {
        let queued: Option<(String, Option<String>, Option<String>)> = self
            .reader
            .query_row(
                "SELECT state, refused_code, refused_message FROM blob_uploads
                 WHERE sha256 = ?1 AND branch_id = ?2",
                params![attachment.sha256.to_hex(), branch.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let upload = match queued {
            None => AttachmentUpload::NotQueued,
            Some((state, code, message)) if state == "refused" => AttachmentUpload::Refused {
                code: code.unwrap_or_default(),
                message: message.unwrap_or_default(),
            },
            Some(_) => AttachmentUpload::Pending,
        };
        Ok(AttachmentState {
            on_device: self.has_blob(&attachment.sha256)?,
            attachment,
            upload,
        })
    }

    /// A blob's bytes from this phone's cache; `None` when this phone does not hold it yet:
    /// fetch it from the server with [`crate::sync::fetch_blob`].
    pub fn blob(&self, sha256: &BlobHash) -> Result<Option<Vec<u8>>> {
        Ok(self
            .reader
            .query_row(
                "SELECT bytes FROM blobs WHERE sha256 = ?1",
                [sha256.to_hex()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether this phone holds a blob.
    pub fn has_blob(&self, sha256: &BlobHash) -> Result<bool> {
        Ok(self
            .reader
            .query_row(
                "SELECT 1 FROM blobs WHERE sha256 = ?1",
                [sha256.to_hex()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Keeps bytes fetched from the server as the blob `sha256`, once they hash to it. Bytes
    /// that do not are refused with [`Error::BlobDamaged`] and nothing is stored.
    pub fn put_fetched_blob(&mut self, sha256: &BlobHash, bytes: &[u8]) -> Result<()> {
        let actual = BlobHash::of(bytes);
        if actual != *sha256 {
            return Err(Error::BlobDamaged {
                sha256: sha256.to_hex(),
                reason: format!("its {} bytes hash to {actual}", bytes.len()),
            });
        }
        let now = now_unix();
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT INTO blobs (sha256, size, bytes, stored_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sha256) DO NOTHING",
                params![sha256.to_hex(), bytes.len() as i64, bytes, now],
            )?;
            Ok(())
        })
    }

    /// Blobs waiting to be sent, oldest first.
    pub fn pending_blob_uploads(&self) -> Result<Vec<BlobUpload>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT u.sha256, u.branch_id, b.size, u.queued_at
             FROM blob_uploads u JOIN blobs b ON b.sha256 = u.sha256
             WHERE u.state = 'pending' ORDER BY u.queued_at, u.sha256, u.branch_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BlobUpload {
                    sha256: parse_hash(&r.get::<_, String>(0)?)?,
                    branch_id: BranchId::new(r.get::<_, String>(1)?),
                    size: r.get::<_, i64>(2)?.max(0) as u64,
                    queued_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Blobs the server refused for good, with its reasons.
    pub fn blob_refusals(&self) -> Result<Vec<BlobRefusal>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT sha256, branch_id, refused_code, refused_message FROM blob_uploads
             WHERE state = 'refused' ORDER BY queued_at, sha256, branch_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BlobRefusal {
                    sha256: parse_hash(&r.get::<_, String>(0)?)?,
                    branch_id: BranchId::new(r.get::<_, String>(1)?),
                    code: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    message: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records that the server has a queued blob (it leaves the queue).
    pub fn mark_blob_uploaded(&mut self, upload: &BlobUpload) -> Result<()> {
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "DELETE FROM blob_uploads WHERE sha256 = ?1 AND branch_id = ?2",
                params![upload.sha256.to_hex(), upload.branch_id.as_str()],
            )?;
            Ok(())
        })
    }

    /// Records that the server refused a queued blob for good (it is not sent again; adding
    /// the same file again queues it anew).
    pub fn mark_blob_refused(
        &mut self,
        upload: &BlobUpload,
        code: &str,
        message: &str,
    ) -> Result<()> {
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "UPDATE blob_uploads SET state = 'refused', refused_code = ?3, refused_message = ?4
                 WHERE sha256 = ?1 AND branch_id = ?2",
                params![
                    upload.sha256.to_hex(),
                    upload.branch_id.as_str(),
                    code,
                    message
                ],
            )?;
            Ok(())
        })
    }

    /// Every material in this store that lists `sha256`, with its branch: this phone's own
    /// branch first (where its member may always fetch), then by document id.
    pub fn attachment_sources(&mut self, sha256: &BlobHash) -> Result<Vec<AttachmentSource>> {
        let own = self.my_branch()?;
        let mut materials: Vec<(DocId, BranchId)> = {
            let mut stmt = self.reader.prepare_cached(
                "SELECT doc_id, branch_id FROM documents
                 WHERE kind = ?1 AND load_error IS NULL ORDER BY doc_id",
            )?;
            stmt.query_map([DocKind::Material.as_str()], |r| {
                Ok((
                    DocId::new(r.get::<_, String>(0)?),
                    BranchId::new(r.get::<_, String>(1)?),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        materials.sort_by_key(|(_, b)| Some(b) != own.as_ref());
        let mut out = Vec::new();
        for (doc_id, branch_id) in materials {
            let doc = match self.doc(&doc_id) {
                Ok(d) => d,
                Err(Error::DocumentDamaged { .. }) => continue,
                Err(e) => return Err(e),
            };
            if let Some(attachment) = text_doc::attachment(doc, sha256)? {
                out.push(AttachmentSource {
                    doc_id,
                    branch_id,
                    attachment,
                });
            }
        }
        Ok(out)
    }

    /// The branch of this phone's member per the local directory.
    fn my_branch(&self) -> Result<Option<BranchId>> {
        let Some(me) = self.identity() else {
            return Ok(None);
        };
        Ok(self
            .members()?
            .into_iter()
            .find(|m| &m.id == me)
            .map(|m| m.branch_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MemberId;
    use crate::model::text_doc::NewTextDoc;

    /// A store the build before migration 8 left (a material with its comments, a queued
    /// edit) opens, keeps its document, and attaches and caches files.
    #[test]
    fn test_a_store_from_before_migration_8_upgrades_and_attaches() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("old.sotay");
        let material = {
            let mut s = Store::open(&path).expect("open");
            s.set_identity(&MemberId::new("m-viet")).expect("identity");
            s.create_text_doc(&NewTextDoc {
                kind: DocKind::Material,
                branch_id: BranchId::new("b-co-dien"),
                plan_id: None,
                topic_id: None,
                title: "Tài liệu".into(),
                description: String::new(),
                body: "Nội dung.".into(),
            })
            .expect("material")
        };
        {
            // Back to schema 7: the blob tables gone (and migration 9's undone), as before
            // this build.
            let conn = rusqlite::Connection::open(&path).expect("conn");
            conn.execute_batch(
                "DROP TABLE blob_uploads; DROP TABLE blobs;
                 CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 PRAGMA user_version = 7;",
            )
            .expect("downgrade");
        }
        let mut s = Store::open(&path).expect("migrates");
        let version: i64 = s
            .reader
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, super::super::SCHEMA_VERSION);
        assert_eq!(s.text_doc(&material).expect("kept").body, "Nội dung.");
        let a = s
            .attach(&material, b"%PDF-1.4 old store", "a.pdf", None)
            .expect("attaches");
        assert_eq!(
            s.blob(&a.sha256).expect("reads").as_deref(),
            Some(&b"%PDF-1.4 old store"[..])
        );
        assert_eq!(s.pending_blob_uploads().expect("queue").len(), 1);
    }
}
