//! Who may sign what, checked offline on every phone and on the server.
//!
//! A signature only proves that *some* key signed the bytes. Whether that key belonged to the
//! signer's enrolled, unrevoked device, and whether the signer held a role that may approve
//! this kind of document *on the day she signed*, is decided here against an [`Authority`]:
//! what the verifier knows of the directory. The server implements it from its database, a
//! phone from its synced copy of the directory; both run the same [`verify`], so a phone
//! never has to trust the server's word that an approval is genuine.
//!
//! Checks are made at the record's `signed_at` (the device clock): an approval signed while
//! the secretary was secretary stays valid after she hands over the office, and a key revoked
//! after a genuine approval does not void it. The price is that a stolen, not yet revoked
//! device could backdate; revocation therefore voids everything the device signed *at or
//! after* the revocation time, and the server's `received_at` is kept for audit.
//!
//! [`check_document`] ties a record to one document (id, kind, branch, and heads this replica
//! holds), so an approval of one document or branch cannot be replayed onto another.
//! [`check_ready`] is the gate the approving phone applies before it signs.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::record::{Signoff, SignoffAction};
use crate::ids::{BranchId, DocKind, MemberId, TopicId};
use crate::model::Document;
use crate::model::conflict::{self, Conflict};
use crate::model::plan::{self, TopicStatus};
use crate::org::Role;

/// What the directory knows of one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFacts {
    /// The member the device was enrolled for.
    pub member: MemberId,
    /// Its ed25519 public key.
    pub public_key: [u8; 32],
    /// When it was enrolled (server clock, Unix seconds).
    pub enrolled_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// What a verifier knows: the device registry, each member's role history, and the
/// branches' delegations. Implemented by the server (database) and the phone (synced
/// directory); [`MemoryAuthority`] is an in-memory one.
pub trait Authority {
    /// The device with this directory id, revoked ones included.
    fn device(&self, device_id: &str) -> Option<DeviceFacts>;
    /// The branch and role `member` held at Unix time `at` (role history), if any.
    fn role_at(&self, member: &MemberId, at: i64) -> Option<(BranchId, Role)>;
    /// Whether `branch` had delegated approval of its annual plan to its deputy secretary at
    /// time `at`.
    fn deputy_approves_plans(&self, branch: &BranchId, at: i64) -> bool;
}

/// The roles that may approve a document of `kind`.
///
/// - annual plan: the secretary; also the deputy secretary while the branch has delegated
///   plan approval to them;
/// - topic draft and material: the secretary or an executive (chi ủy viên).
pub fn required_roles(kind: DocKind, deputy_delegated: bool) -> &'static [Role] {
    match (kind, deputy_delegated) {
        (DocKind::AnnualPlan, false) => &[Role::Secretary],
        (DocKind::AnnualPlan, true) => &[Role::Secretary, Role::DeputySecretary],
        (DocKind::TopicDraft | DocKind::Material, _) => &[Role::Secretary, Role::Executive],
        // Minutes are adopted by the chair and the clerk the minutes name, whatever their
        // branch role: checked against the document in [`check_document`].
        (DocKind::Session, _) => &[
            Role::Secretary,
            Role::DeputySecretary,
            Role::Executive,
            Role::Member,
        ],
        (DocKind::ReadingLog, _) => &[],
    }
}

/// Why a sign-off does not count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Invalid {
    /// The record is not in canonical shape (unsorted or no heads, non-NFC text, …).
    #[error("the sign-off is malformed: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// The signature does not match the record and its public key (forged or altered).
    #[error("the signature does not match the record: it was forged or altered after signing")]
    BadSignature,
    /// The directory has no such device.
    #[error("device {device_id:?} is not in the directory")]
    UnknownDevice {
        /// The device named by the record.
        device_id: String,
    },
    /// The record's key is not the device's, or the device belongs to another member.
    #[error(
        "device {device_id:?} is not {signer}'s device with this key (the key or the member does not match the directory)"
    )]
    KeyMismatch {
        /// The device named by the record.
        device_id: String,
        /// The member named by the record.
        signer: MemberId,
    },
    /// The device had been revoked when the record was signed.
    #[error("the device was revoked at {revoked_at}, at or before the signing time {signed_at}")]
    DeviceRevoked {
        /// When the device was revoked.
        revoked_at: i64,
        /// When the record says it was signed.
        signed_at: i64,
    },
    /// The record claims a signing time before the device was enrolled.
    #[error("signed at {signed_at}, before the device was enrolled at {enrolled_at}")]
    SignedBeforeEnrollment {
        /// When the record says it was signed.
        signed_at: i64,
        /// When the device was enrolled.
        enrolled_at: i64,
    },
    /// The signer did not hold the claimed role, or the role may not approve this document.
    #[error(
        "signed as {claimed} while holding {held}; this needs {required}",
        claimed = claimed.as_str(),
        held = held.map_or("no role in this branch", Role::as_str),
        required = required.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
    )]
    WrongRole {
        /// The role the record claims.
        claimed: Role,
        /// The role the signer held at signing time.
        held: Option<Role>,
        /// The roles that would do.
        required: Vec<Role>,
    },
    /// The signer was not a member of the record's branch at signing time.
    #[error("the signer belonged to {signer_branch:?} at signing time, not to branch {record}")]
    WrongBranch {
        /// The branch the record names.
        record: BranchId,
        /// The signer's branch then (none: not a member anywhere).
        signer_branch: Option<BranchId>,
    },
    /// The record is about another document (id, kind or branch differ): a replay.
    #[error("the sign-off is for {field} {record:?}, but this document has {document:?}")]
    WrongDocument {
        /// "document id", "kind" or "branch".
        field: String,
        /// The record's value.
        record: String,
        /// The document's value.
        document: String,
    },
    /// Minutes signed by a member the minutes, at the signed version, name neither chair
    /// nor clerk (only those two adopt minutes).
    #[error("{signer} signed minutes that name neither them as chair nor as clerk at that version")]
    NotChairOrClerk {
        /// The signer.
        signer: MemberId,
    },
    /// This replica does not hold the version the record names (not synced yet, or never
    /// existed).
    #[error("this device does not have the signed version ({missing} change(s) missing); sync")]
    HeadsUnknown {
        /// How many of the named changes (or their dependencies) are missing.
        missing: usize,
    },
}

impl Invalid {
    /// A Vietnamese sentence for the screen.
    pub fn message_vi(&self) -> String {
        match self {
            Invalid::Malformed { .. } => "Bản ký duyệt sai định dạng.".into(),
            Invalid::BadSignature => {
                "Chữ ký không khớp với nội dung: bản ký duyệt đã bị giả mạo hoặc sửa đổi.".into()
            }
            Invalid::UnknownDevice { device_id } => {
                format!("Thiết bị {device_id} không có trong danh bạ.")
            }
            Invalid::KeyMismatch { device_id, signer } => format!(
                "Thiết bị {device_id} không phải là thiết bị của {signer} đã đăng ký với khóa này."
            ),
            Invalid::DeviceRevoked { .. } => {
                "Thiết bị đã bị thu hồi trước hoặc đúng vào thời điểm ký.".into()
            }
            Invalid::SignedBeforeEnrollment { .. } => {
                "Thời điểm ký sớm hơn thời điểm đăng ký thiết bị.".into()
            }
            Invalid::WrongRole { .. } => {
                "Người ký không giữ chức vụ có thẩm quyền duyệt văn bản này vào thời điểm ký."
                    .into()
            }
            Invalid::WrongBranch { .. } => {
                "Người ký không thuộc chi bộ này vào thời điểm ký.".into()
            }
            Invalid::WrongDocument { .. } => {
                "Bản ký duyệt thuộc về văn bản khác, không áp dụng cho văn bản này.".into()
            }
            Invalid::NotChairOrClerk { .. } => {
                "Người ký không phải chủ trì hay thư ký ghi trong biên bản ở phiên bản đã ký."
                    .into()
            }
            Invalid::HeadsUnknown { .. } => {
                "Máy này chưa nhận được phiên bản đã ký duyệt; hãy đồng bộ.".into()
            }
        }
    }
}

/// Verifies a record's shape, signature and the signer's standing at `signed_at`, in this
/// order (the first failure is returned):
///
/// 1. shape and signature ([`Signoff::verify_signature`]) → `Malformed`, `BadSignature`;
/// 2. the device is in the directory → `UnknownDevice`;
/// 3. it is the signer's and carries the record's key → `KeyMismatch`;
/// 4. it was enrolled at or before `signed_at` → `SignedBeforeEnrollment`;
/// 5. it was not revoked at or before `signed_at` → `DeviceRevoked`;
/// 6. the signer belonged to the record's branch then → `WrongBranch`;
/// 7. and held the role the record claims → `WrongRole`;
/// 8. for an approval, that role is one [`required_roles`] allows for the kind, with the
///    branch's deputy delegation at that time → `WrongRole`. A submission needs no role.
///
/// Does not look at any document: see [`check_document`].
pub fn verify(s: &Signoff, authority: &dyn Authority) -> Result<(), Invalid> {
    s.verify_signature()?;
    let device = authority
        .device(&s.device_id)
        .ok_or_else(|| Invalid::UnknownDevice {
            device_id: s.device_id.clone(),
        })?;
    if device.member != s.signer || device.public_key != s.public_key {
        return Err(Invalid::KeyMismatch {
            device_id: s.device_id.clone(),
            signer: s.signer.clone(),
        });
    }
    if s.signed_at < device.enrolled_at {
        return Err(Invalid::SignedBeforeEnrollment {
            signed_at: s.signed_at,
            enrolled_at: device.enrolled_at,
        });
    }
    if let Some(revoked_at) = device.revoked_at.filter(|r| *r <= s.signed_at) {
        return Err(Invalid::DeviceRevoked {
            revoked_at,
            signed_at: s.signed_at,
        });
    }
    let held = authority.role_at(&s.signer, s.signed_at);
    match &held {
        Some((branch, _)) if *branch == s.branch_id => {}
        _ => {
            return Err(Invalid::WrongBranch {
                record: s.branch_id.clone(),
                signer_branch: held.map(|(b, _)| b),
            });
        }
    }
    let held_role = held.map(|(_, r)| r);
    if held_role != Some(s.role) {
        return Err(Invalid::WrongRole {
            claimed: s.role,
            held: held_role,
            required: vec![s.role],
        });
    }
    if s.action == SignoffAction::Approve {
        let delegated = authority.deputy_approves_plans(&s.branch_id, s.signed_at);
        let required = required_roles(s.doc_kind, delegated);
        if !required.contains(&s.role) {
            return Err(Invalid::WrongRole {
                claimed: s.role,
                held: held_role,
                required: required.to_vec(),
            });
        }
    }
    Ok(())
}

/// Checks that the record is about `doc` — same id, kind and branch — and that this replica
/// holds the version it names ([`Document::has_all`]). Cheap: no document content is read
/// beyond the root's `branch_id`.
pub fn check_document(s: &Signoff, doc: &Document) -> Result<(), Invalid> {
    check_identity(s, doc)?;
    let heads = s.change_hashes();
    if !doc.has_all(&heads) {
        return Err(Invalid::HeadsUnknown {
            missing: doc.missing_count(&heads),
        });
    }
    if s.doc_kind == DocKind::Session && s.action == SignoffAction::Approve {
        let (chair, clerk) =
            crate::model::session::signers_at(doc, &heads).map_err(|e| Invalid::Malformed {
                reason: e.to_string(),
            })?;
        if chair.as_ref() != Some(&s.signer) && clerk.as_ref() != Some(&s.signer) {
            return Err(Invalid::NotChairOrClerk {
                signer: s.signer.clone(),
            });
        }
    }
    Ok(())
}

/// [`check_document`] without the heads: id, kind and branch.
pub(crate) fn check_identity(s: &Signoff, doc: &Document) -> Result<(), Invalid> {
    let wrong = |field: &str, record: String, document: String| {
        Err(Invalid::WrongDocument {
            field: field.into(),
            record,
            document,
        })
    };
    if &s.doc_id != doc.id() {
        return wrong("document id", s.doc_id.to_string(), doc.id().to_string());
    }
    if s.doc_kind != doc.kind() {
        return wrong("kind", s.doc_kind.to_string(), doc.kind().to_string());
    }
    let branch = doc.branch_id();
    if branch.as_ref() != Some(&s.branch_id) {
        return wrong(
            "branch",
            s.branch_id.to_string(),
            branch.map(|b| b.to_string()).unwrap_or_default(),
        );
    }
    Ok(())
}

/// [`verify`] then [`check_document`].
pub fn verify_for(s: &Signoff, authority: &dyn Authority, doc: &Document) -> Result<(), Invalid> {
    verify(s, authority)?;
    check_document(s, doc)
}

/// A field a topic must have before its plan can be approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredField {
    /// The session month (scheduled date).
    Month,
    /// At least one preparer.
    Preparer,
    /// The presenter.
    Presenter,
}

impl RequiredField {
    /// English name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequiredField::Month => "month",
            RequiredField::Preparer => "preparer",
            RequiredField::Presenter => "presenter",
        }
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            RequiredField::Month => "thời gian (tháng)",
            RequiredField::Preparer => "người chuẩn bị",
            RequiredField::Presenter => "người trình bày",
        }
    }
}

/// One topic lacking one required field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingItem {
    /// The topic.
    pub topic_id: TopicId,
    /// Its title, as shown.
    pub topic_title: String,
    /// What it lacks.
    pub field: RequiredField,
}

/// Why a document cannot be approved yet: every unresolved conflict and every missing item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotReady {
    /// Fields still holding concurrent values.
    pub conflicts: Vec<Conflict>,
    /// Non-cancelled topics lacking a month, a preparer or a presenter (plans only).
    pub missing: Vec<MissingItem>,
    /// Minutes only: the parts they lack before the chair and the clerk sign, as the keys
    /// of their fields (`started_at`, `ended_at`, `chair`, `clerk`; words:
    /// `labels::FieldScope::Session`). The duration is checked against these times.
    pub missing_minutes: Vec<String>,
    /// The document could not be read as its kind (damaged).
    pub unreadable: Option<String>,
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not ready for approval")?;
        let mut sep = ": ";
        if let Some(reason) = &self.unreadable {
            write!(f, "{sep}the document cannot be read ({reason})")?;
            sep = "; ";
        }
        for c in &self.conflicts {
            let values: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
            write!(
                f,
                "{sep}conflicting values for {}: {}",
                c.path_string(),
                values.join(" / ")
            )?;
            sep = "; ";
        }
        for m in &self.missing {
            write!(
                f,
                "{sep}topic \"{}\" has no {}",
                m.topic_title,
                m.field.as_str()
            )?;
            sep = "; ";
        }
        if !self.missing_minutes.is_empty() {
            let words: Vec<&str> = self
                .missing_minutes
                .iter()
                .map(|k| match k.as_str() {
                    "started_at" => "the start time",
                    "ended_at" => "the end time",
                    "chair" => "a chair",
                    "clerk" => "a clerk",
                    other => other,
                })
                .collect();
            write!(f, "{sep}the minutes lack {}", words.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for NotReady {}

/// Refuses approval while `doc` has unresolved conflicts or, for a plan, while any topic
/// that is not cancelled lacks a month (scheduled date), a preparer or a presenter, or, for
/// minutes, while they lack the start or end time (the duration rule needs both), the chair
/// or the clerk. Lists every problem, not just the first, so it is fixed in one pass. The
/// server applies the same gate to every pushed sign-off.
pub fn check_ready(doc: &Document) -> Result<(), NotReady> {
    let mut not_ready = NotReady {
        conflicts: conflict::list(doc),
        missing: Vec::new(),
        missing_minutes: Vec::new(),
        unreadable: None,
    };
    if doc.kind() == DocKind::Session {
        match crate::model::session::get(doc) {
            Ok(s) => {
                for (key, lacks) in [
                    ("started_at", s.started_at.is_none()),
                    ("ended_at", s.ended_at.is_none()),
                    ("chair", s.chair.is_none()),
                    ("clerk", s.clerk.is_none()),
                ] {
                    if lacks {
                        not_ready.missing_minutes.push(key.to_owned());
                    }
                }
            }
            Err(e) => not_ready.unreadable = Some(e.to_string()),
        }
    }
    if doc.kind() == DocKind::AnnualPlan {
        match plan::get(doc) {
            Ok(p) => {
                for t in p
                    .topics
                    .iter()
                    .filter(|t| t.status != TopicStatus::Cancelled)
                {
                    let mut lack = |field| {
                        not_ready.missing.push(MissingItem {
                            topic_id: t.id.clone(),
                            topic_title: t.title.clone(),
                            field,
                        })
                    };
                    if t.scheduled_date.is_none() {
                        lack(RequiredField::Month);
                    }
                    if t.preparers.is_empty() {
                        lack(RequiredField::Preparer);
                    }
                    if t.presenter.is_none() {
                        lack(RequiredField::Presenter);
                    }
                }
            }
            Err(e) => not_ready.unreadable = Some(e.to_string()),
        }
    }
    if not_ready.conflicts.is_empty()
        && not_ready.missing.is_empty()
        && not_ready.missing_minutes.is_empty()
        && not_ready.unreadable.is_none()
    {
        Ok(())
    } else {
        Err(not_ready)
    }
}

/// An in-memory [`Authority`]: devices, role histories and delegation histories. Useful to
/// tests, benches and tools, and the reference for what the trait's answers mean.
#[derive(Clone, Debug, Default)]
pub struct MemoryAuthority {
    devices: HashMap<String, DeviceFacts>,
    /// Per member: from-time → role (None: left the branch), latest entry at or before `at`
    /// applies.
    roles: HashMap<MemberId, BTreeMap<i64, Option<(BranchId, Role)>>>,
    delegations: HashMap<BranchId, BTreeMap<i64, bool>>,
}

impl MemoryAuthority {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a device.
    pub fn add_device(&mut self, device_id: &str, facts: DeviceFacts) {
        self.devices.insert(device_id.to_owned(), facts);
    }

    /// Marks a device revoked at `at`.
    pub fn revoke(&mut self, device_id: &str, at: i64) {
        if let Some(d) = self.devices.get_mut(device_id) {
            d.revoked_at = Some(at);
        }
    }

    /// From `from` on, `member` holds `role` in `branch` (`None`: no longer a member).
    pub fn set_role(&mut self, member: &MemberId, from: i64, role: Option<(BranchId, Role)>) {
        self.roles
            .entry(member.clone())
            .or_default()
            .insert(from, role);
    }

    /// From `from` on, `branch` has (or no longer has) delegated plan approval to its
    /// deputy secretary.
    pub fn set_deputy_delegation(&mut self, branch: &BranchId, from: i64, delegated: bool) {
        self.delegations
            .entry(branch.clone())
            .or_default()
            .insert(from, delegated);
    }
}

impl Authority for MemoryAuthority {
    fn device(&self, device_id: &str) -> Option<DeviceFacts> {
        self.devices.get(device_id).cloned()
    }

    fn role_at(&self, member: &MemberId, at: i64) -> Option<(BranchId, Role)> {
        self.roles
            .get(member)?
            .range(..=at)
            .next_back()
            .and_then(|(_, r)| r.clone())
    }

    fn deputy_approves_plans(&self, branch: &BranchId, at: i64) -> bool {
        self.delegations
            .get(branch)
            .and_then(|h| h.range(..=at).next_back())
            .is_some_and(|(_, d)| *d)
    }
}
