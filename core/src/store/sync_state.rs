//! The store's side of sync: the device key, enrollment, the pull cursor, what to push and
//! applying what was pulled. The network exchange itself lives in [`crate::sync`].

use automerge::ChangeHash;
use ed25519_dalek::{Signer, SigningKey};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, db};
use crate::ids::{DocId, MemberId};
use crate::model::{Document, now_unix};
use crate::org::Member;
use crate::protocol::{AuthHeader, Cursor, Directory, PullData, PullDoc, PushDoc, signing_payload};
use crate::{Error, Result};

/// The server this device is enrolled with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// Base URL ("http://127.0.0.1:8787").
    pub server_url: String,
    /// The device id the server gave.
    pub device_id: String,
    /// The member this device belongs to.
    pub member_id: MemberId,
    /// The committee.
    pub committee_id: String,
    /// When (Unix seconds).
    pub enrolled_at: i64,
}

/// Where this device's sync stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The pull cursor.
    pub cursor: Cursor,
    /// A first download in progress continues after this document.
    pub resume: Option<DocId>,
    /// The directory version held.
    pub directory_version: u64,
    /// The server asked for a heads reconciliation.
    pub reconcile: bool,
    /// Last successful sync (Unix seconds).
    pub last_sync_at: Option<i64>,
    /// The last sync's error, if it failed.
    pub last_error: Option<String>,
    /// What kind of failure the last sync ended with (`None` when it succeeded), so a
    /// restarted app can show "offline" or "failed" rather than "idle".
    #[serde(default)]
    pub last_error_kind: Option<SyncErrorKind>,
    /// Where the sign-off pull stands.
    pub signoff_cursor: u64,
}

/// The kind of failure a sync ended with (stored with its message in `sync_state`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncErrorKind {
    /// The server could not be reached (a normal state: every edit stays queued).
    Offline,
    /// The server answered with an error: it refused the request (4xx: a revoked device, a
    /// clock too far off, an old protocol…) or kept failing (5xx) after every retry.
    ServerRefused {
        /// The HTTP status.
        status: u16,
        /// The server's error code (`device_revoked`, `clock_skew`, `internal`, …).
        code: String,
    },
    /// Anything else (the response did not decode, the local store failed, …).
    Other,
}

impl SyncErrorKind {
    /// The kind of a sync error.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::Offline(_) => SyncErrorKind::Offline,
            Error::Server { status, code, .. } => SyncErrorKind::ServerRefused {
                status: *status,
                code: code.clone(),
            },
            _ => SyncErrorKind::Other,
        }
    }

    /// The stored columns: kind, HTTP status, server code.
    fn to_columns(&self) -> (&'static str, Option<i64>, Option<&str>) {
        match self {
            SyncErrorKind::Offline => ("offline", None, None),
            SyncErrorKind::ServerRefused { status, code } => (
                "server_refused",
                Some(i64::from(*status)),
                Some(code.as_str()),
            ),
            SyncErrorKind::Other => ("other", None, None),
        }
    }

    /// Reads the stored columns back (an unknown kind reads as `Other`).
    fn from_columns(kind: Option<&str>, status: Option<i64>, code: Option<String>) -> Option<Self> {
        Some(match kind? {
            "offline" => SyncErrorKind::Offline,
            "server_refused" => SyncErrorKind::ServerRefused {
                status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(0),
                code: code.unwrap_or_default(),
            },
            _ => SyncErrorKind::Other,
        })
    }
}

/// What signs this device's requests: its directory id and key, read once from the store so
/// a sync session can sign every attempt (fresh time and nonce) without holding the store.
#[derive(Clone)]
pub struct RequestSigner {
    device_id: String,
    key: SigningKey,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// The device id the server gave at enrollment.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Signs one request (a fresh nonce each call).
    pub fn sign(&self, method: &str, path: &str, body: &[u8], ts: i64) -> AuthHeader {
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let signature = self
            .key
            .sign(&signing_payload(method, path, ts, &nonce, body));
        AuthHeader {
            device_id: self.device_id.clone(),
            ts,
            nonce,
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// A document's unsent changes with the heads they bring the server to.
#[derive(Clone, Debug)]
pub struct PendingPush {
    /// What to send.
    pub push: PushDoc,
    /// The device's heads once the server has `push` (store them as acknowledged on ack).
    pub heads: Vec<ChangeHash>,
}

impl Store {
    /// The device's public key, generating the key pair on first use.
    pub fn device_public_key(&mut self) -> Result<[u8; 32]> {
        Ok(self.signing_key()?.verifying_key().to_bytes())
    }

    pub(crate) fn signing_key(&mut self) -> Result<SigningKey> {
        let existing: Option<Vec<u8>> = self
            .writer
            .query_row("SELECT secret_key FROM device_key WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(secret) = existing {
            let bytes: [u8; 32] = secret
                .as_slice()
                .try_into()
                .map_err(|_| Error::InvalidDocument("the stored device key is damaged".into()))?;
            return Ok(SigningKey::from_bytes(&bytes));
        }
        let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT INTO device_key (id, secret_key, public_key, created_at) VALUES (1, ?1, ?2, ?3)",
                params![key.to_bytes().to_vec(), key.verifying_key().to_bytes().to_vec(), now_unix()],
            )?;
            Ok(())
        })?;
        Ok(key)
    }

    /// Signs a request as this device.
    pub fn sign_request(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        ts: i64,
    ) -> Result<AuthHeader> {
        Ok(self.request_signer()?.sign(method, path, body, ts))
    }

    /// What signs this device's requests, for signing without the store (a sync session).
    pub fn request_signer(&mut self) -> Result<RequestSigner> {
        let enrollment = self.enrollment()?.ok_or(Error::NotEnrolled)?;
        Ok(RequestSigner {
            device_id: enrollment.device_id,
            key: self.signing_key()?,
        })
    }

    /// The enrollment, if this device has one.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        Ok(self
            .reader
            .query_row(
                "SELECT server_url, device_id, member_id, committee_id, enrolled_at FROM enrollment WHERE id = 1",
                [],
                |r| {
                    Ok(Enrollment {
                        server_url: r.get(0)?,
                        device_id: r.get(1)?,
                        member_id: MemberId::new(r.get::<_, String>(2)?),
                        committee_id: r.get(3)?,
                        enrolled_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records the enrollment and makes its member this device's identity.
    pub fn set_enrollment(&mut self, e: &Enrollment) -> Result<()> {
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO enrollment (id, server_url, device_id, member_id, committee_id, enrolled_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                params![e.server_url, e.device_id, e.member_id.as_str(), e.committee_id, e.enrolled_at],
            )?;
            // A new server: start the pull from scratch (and forget the old one's errors).
            tx.execute(
                "UPDATE sync_state SET epoch = 0, seq = 0, resume_doc = NULL, directory_version = 0, reconcile = 0, signoff_cursor = 0,
                     last_error = NULL, last_error_kind = NULL, last_error_status = NULL, last_error_code = NULL WHERE id = 1",
                [],
            )?;
            Ok(())
        })?;
        self.set_identity(&e.member_id)
    }

    /// Points this device at the server's new address (the same server, moved: a new host
    /// name or port). The enrollment, the device key, the pull cursors and everything queued
    /// are kept; the next sync goes to `url`. (A *different* server is a new enrollment.)
    pub fn set_server_url(&mut self, url: &str) -> Result<()> {
        let url = url.trim().trim_end_matches('/');
        let valid = ["http://", "https://"].iter().any(|scheme| {
            url.len() > scheme.len()
                && url
                    .get(..scheme.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
        });
        if !valid || url.chars().any(char::is_whitespace) {
            return Err(Error::InvalidInput(format!(
                "{url:?} is not a server address (http://… or https://…)"
            )));
        }
        if self.enrollment()?.is_none() {
            return Err(Error::NotEnrolled);
        }
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "UPDATE enrollment SET server_url = ?1 WHERE id = 1",
                params![url],
            )?;
            Ok(())
        })
    }

    /// Where sync stands.
    pub fn sync_state(&self) -> Result<SyncState> {
        Ok(self.reader.query_row(
            "SELECT epoch, seq, resume_doc, directory_version, reconcile, last_sync_at, last_error, signoff_cursor,
                    last_error_kind, last_error_status, last_error_code FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncState {
                    cursor: Cursor {
                        epoch: r.get::<_, i64>(0)? as u64,
                        seq: r.get::<_, i64>(1)? as u64,
                    },
                    resume: r.get::<_, Option<String>>(2)?.map(DocId::new),
                    directory_version: r.get::<_, i64>(3)? as u64,
                    reconcile: r.get(4)?,
                    last_sync_at: r.get(5)?,
                    last_error: r.get(6)?,
                    signoff_cursor: r.get::<_, i64>(7)? as u64,
                    last_error_kind: SyncErrorKind::from_columns(
                        r.get::<_, Option<String>>(8)?.as_deref(),
                        r.get(9)?,
                        r.get(10)?,
                    ),
                })
            },
        )?)
    }

    /// Saves where sync stands.
    pub fn set_sync_state(&mut self, s: &SyncState) -> Result<()> {
        let (kind, status, code) = match &s.last_error_kind {
            Some(k) => {
                let (kind, status, code) = k.to_columns();
                (Some(kind), status, code)
            }
            None => (None, None, None),
        };
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "UPDATE sync_state SET epoch = ?1, seq = ?2, resume_doc = ?3, directory_version = ?4, reconcile = ?5,
                     last_sync_at = ?6, last_error = ?7, signoff_cursor = ?8,
                     last_error_kind = ?9, last_error_status = ?10, last_error_code = ?11 WHERE id = 1",
                params![
                    s.cursor.epoch as i64,
                    s.cursor.seq as i64,
                    s.resume.as_ref().map(|d| d.as_str()),
                    s.directory_version as i64,
                    s.reconcile,
                    s.last_sync_at,
                    s.last_error,
                    s.signoff_cursor as i64,
                    kind,
                    status,
                    code
                ],
            )?;
            Ok(())
        })
    }

    /// Every document's unsent changes, ready to push.
    pub fn pending_pushes(&mut self) -> Result<Vec<PendingPush>> {
        let mut out = Vec::new();
        for id in self.documents_with_unsent()? {
            let changes = self.unsent_changes(&id)?;
            let doc = self.doc(&id)?;
            let heads = doc.heads();
            if changes.is_empty() {
                continue;
            }
            out.push(PendingPush {
                push: PushDoc {
                    doc_id: id.clone(),
                    kind: doc.kind(),
                    changes,
                },
                heads,
            });
        }
        Ok(out)
    }

    /// Every change of a document (when the server lost some and asks for all).
    pub fn full_push(&mut self, id: &DocId) -> Result<PendingPush> {
        let doc = self.doc(id)?;
        Ok(PendingPush {
            push: PushDoc {
                doc_id: id.clone(),
                kind: doc.kind(),
                changes: doc.changes_since(&[]),
            },
            heads: doc.heads(),
        })
    }

    /// Every document's heads (for the server's fallback reconciliation).
    pub fn all_heads(&mut self) -> Result<Vec<(DocId, Vec<ChangeHash>)>> {
        let mut out = Vec::new();
        for (id, _) in self.document_ids()? {
            match self.doc(&id) {
                Ok(doc) => out.push((id, doc.heads())),
                Err(Error::DocumentDamaged { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Records a server rejection of a document.
    pub fn record_rejection(&mut self, doc: &DocId, code: &str, message: &str) -> Result<()> {
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT INTO sync_rejections (doc_id, code, message, at) VALUES (?1, ?2, ?3, ?4)",
                params![doc.as_str(), code, message, now_unix()],
            )?;
            Ok(())
        })
    }

    /// Applies what the server sent for one document, durably, and counts it as known to the
    /// server. Received bytes are untrusted: a document they fail to apply to is reloaded
    /// from disk, and the error is returned.
    pub fn apply_pulled(&mut self, pulled: &PullDoc) -> Result<()> {
        let id = &pulled.doc_id;
        let exists = self.has_document(id)?;
        // Nothing local waiting: after this the server has exactly what we have, so the new
        // heads are acknowledged as they are (no walk over the received changes' deps).
        let in_step = !exists
            || !self.reader.query_row(
                "SELECT has_unsent FROM documents WHERE doc_id = ?1",
                params![id.as_str()],
                |r| r.get::<_, bool>(0),
            )?;
        let hashes = match &pulled.data {
            PullData::Changes(changes) if exists => {
                let doc = self.doc(id)?;
                let hashes = match doc.apply_untrusted_changes(changes) {
                    Ok(h) => h,
                    Err(e) => {
                        // Touched by a failing apply: throw it away, reload from disk.
                        self.open_docs.remove(id);
                        return Err(e);
                    }
                };
                self.persist(
                    id,
                    true,
                    &super::read_model::CountsHint::Recount,
                    now_unix(),
                )?;
                hashes
            }
            data => {
                let mut incoming = match data {
                    PullData::Snapshot(bytes) => Document::load(bytes, &[])?,
                    PullData::Changes(changes) => Document::from_untrusted_changes(changes)?,
                };
                if incoming.id() != id || incoming.kind() != pulled.kind {
                    return Err(Error::InvalidDocument(format!(
                        "the server sent another document for {id}"
                    )));
                }
                let heads = incoming.heads();
                self.merge_document(&mut incoming)?;
                heads
            }
        };
        if in_step {
            let heads = self.doc(id)?.heads();
            self.set_acked_heads(id, &heads)
        } else {
            self.acknowledge(id, &hashes)
        }
    }

    /// Replaces the local member directory with the server's, once its signature checks
    /// against the key pinned at enrollment (a tampered directory is refused, nothing
    /// changes). The members table (names, current roles) lists the active members with a
    /// branch; the signed directory itself is kept for verifying sign-offs.
    pub fn replace_directory(&mut self, dir: &Directory) -> Result<()> {
        self.store_directory(dir)?;
        let listed: Vec<&crate::protocol::DirectoryMember> = dir
            .members
            .iter()
            .filter(|m| m.active && m.branch_id.is_some())
            .collect();
        let keep: std::collections::HashSet<&str> = listed.iter().map(|m| m.id.as_str()).collect();
        let stale: Vec<String> = self
            .members()?
            .into_iter()
            .map(|m| m.id.to_string())
            .filter(|id| !keep.contains(id.as_str()))
            .collect();
        db::write(&mut self.writer, |tx| {
            for id in &stale {
                tx.execute("DELETE FROM members WHERE member_id = ?1", params![id])?;
            }
            Ok(())
        })?;
        for m in listed {
            let Some(branch_id) = m.branch_id.clone() else {
                continue;
            };
            self.upsert_member(&Member {
                id: m.id.clone(),
                branch_id,
                full_name: m.full_name.clone(),
                role: m.role,
                status: m.status,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_an_error_stored_before_migration_5_reads_as_other() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("old.sotay");
        {
            // A store as the build before migration 5 left it, after a failed sync.
            let mut conn = rusqlite::Connection::open(&path).expect("open");
            db::migrate(&mut conn, &path, 4).expect("migrate to 4");
            conn.execute(
                "UPDATE sync_state SET last_error = 'the server could not be reached: refused' WHERE id = 1",
                [],
            )
            .expect("set error");
        }
        let store = Store::open(&path).expect("migrates");
        let state = store.sync_state().expect("state");
        assert_eq!(state.last_error_kind, Some(SyncErrorKind::Other));
        assert!(state.last_error.is_some());
    }

    /// The build before migration 9 kept the weights on the device and a directory without
    /// the committee's settings (which no longer decodes): both go, and the next sync asks
    /// for the directory from scratch.
    #[test]
    fn test_a_store_from_before_migration_9_drops_its_own_settings_and_refetches_the_directory() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("old.sotay");
        {
            let mut conn = rusqlite::Connection::open(&path).expect("open");
            db::migrate(&mut conn, &path, 8).expect("migrate to 8");
            conn.execute_batch(
                "INSERT INTO settings (key, value) VALUES ('evidence_weights', '{}');
                 INSERT INTO directory (id, version, bytes) VALUES (1, 5, x'0102');
                 UPDATE sync_state SET directory_version = 5 WHERE id = 1;",
            )
            .expect("old state");
        }
        let store = Store::open(&path).expect("migrates");
        assert_eq!(store.directory().expect("reads"), None);
        assert_eq!(store.sync_state().expect("state").directory_version, 0);
        assert_eq!(
            store.evidence_weights().expect("weights"),
            crate::store::evidence::Weights::default()
        );
    }

    #[test]
    fn test_error_kinds_round_trip_through_their_columns() {
        for kind in [
            SyncErrorKind::Offline,
            SyncErrorKind::ServerRefused {
                status: 426,
                code: "version".into(),
            },
            SyncErrorKind::Other,
        ] {
            let (k, status, code) = kind.to_columns();
            let back = SyncErrorKind::from_columns(Some(k), status, code.map(str::to_owned));
            assert_eq!(back, Some(kind));
        }
        assert_eq!(SyncErrorKind::from_columns(None, None, None), None);
        assert_eq!(
            SyncErrorKind::of(&Error::Offline("x".into())),
            SyncErrorKind::Offline
        );
        assert_eq!(SyncErrorKind::of(&Error::NotEnrolled), SyncErrorKind::Other);
    }
}
