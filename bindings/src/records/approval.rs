//! Sign-offs (submit / approve an exact version), where a document's approval stands, and
//! whether it is ready to approve. What changed since an approval is in [`super::delta`].

use sotay_core::approval as core_approval;
use sotay_core::ids::DocId;
use sotay_core::labels::FieldScope;
use sotay_core::store as core_store;

use super::delta::Delta;
use super::text_doc::{Conflict, DocKind};
use super::{Role, heads_out};
use crate::error::{ApiError, Result};

/// Submit (ask for approval) or approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SignoffAction {
    /// A member asks for this version to be approved.
    Submit,
    /// An officer approves exactly this version.
    Approve,
}

impl From<core_approval::SignoffAction> for SignoffAction {
    fn from(a: core_approval::SignoffAction) -> Self {
        match a {
            core_approval::SignoffAction::Submit => SignoffAction::Submit,
            core_approval::SignoffAction::Approve => SignoffAction::Approve,
        }
    }
}

/// A signed sign-off record (signed on the phone with its device key; verified by every
/// phone against the server-signed directory).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Signoff {
    /// The record's id (a hash of its content).
    pub id: String,
    /// Submit or approve.
    pub action: SignoffAction,
    /// The document.
    pub doc_id: String,
    /// Its kind.
    pub doc_kind: DocKind,
    /// Its branch.
    pub branch_id: String,
    /// The exact version signed (hex change hashes).
    pub heads: Vec<String>,
    /// Who signed.
    pub signer: String,
    /// The role claimed at signing.
    pub role: Role,
    /// The signing device.
    pub device_id: String,
    /// When, by the signing phone's clock (Unix seconds).
    pub signed_at: i64,
    /// The approval this one replaces.
    pub supersedes: Option<String>,
    /// The signer's note ("Đồng ý ban hành").
    pub note: String,
    /// When the server received it, if known.
    pub received_at: Option<i64>,
}

impl From<&core_approval::Signoff> for Signoff {
    fn from(s: &core_approval::Signoff) -> Self {
        Signoff {
            id: s.id().as_str().to_owned(),
            action: s.action.into(),
            doc_id: s.doc_id.to_string(),
            doc_kind: s.doc_kind.into(),
            branch_id: s.branch_id.to_string(),
            heads: heads_out(&s.change_hashes()),
            signer: s.signer.to_string(),
            role: s.role.into(),
            device_id: s.device_id.clone(),
            signed_at: s.signed_at,
            supersedes: s.supersedes.as_ref().map(|i| i.as_str().to_owned()),
            note: s.note.clone(),
            received_at: s.received_at,
        }
    }
}

/// Where a sign-off stands on this phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SignoffState {
    /// Made here, not yet acknowledged by the server.
    Unsent,
    /// The server has it.
    Synced,
    /// The server refused it (it reached nobody).
    Refused,
}

impl From<core_store::SignoffState> for SignoffState {
    fn from(s: core_store::SignoffState) -> Self {
        match s {
            core_store::SignoffState::Unsent => SignoffState::Unsent,
            core_store::SignoffState::Synced => SignoffState::Synced,
            core_store::SignoffState::Refused => SignoffState::Refused,
        }
    }
}

impl From<SignoffState> for core_store::SignoffState {
    fn from(s: SignoffState) -> Self {
        match s {
            SignoffState::Unsent => core_store::SignoffState::Unsent,
            SignoffState::Synced => core_store::SignoffState::Synced,
            SignoffState::Refused => core_store::SignoffState::Refused,
        }
    }
}

/// A sign-off with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignoffEntry {
    /// The record.
    pub signoff: Signoff,
    /// Unsent, synced or refused.
    pub state: SignoffState,
    /// The server's refusal code, if refused.
    pub refusal_code: Option<String>,
    /// The server's refusal message, if refused.
    pub refusal_message: Option<String>,
}

impl TryFrom<core_store::SignoffRecord> for SignoffEntry {
    type Error = ApiError;

    fn try_from(r: core_store::SignoffRecord) -> Result<Self> {
        let state = core_store::SignoffState::parse(&r.state)?.into();
        let (refusal_code, refusal_message) = r.refusal.unzip();
        Ok(SignoffEntry {
            signoff: (&r.signoff).into(),
            state,
            refusal_code,
            refusal_message,
        })
    }
}

/// Where a document's approval stands, verified on this phone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ApprovalStatus {
    /// No approval and no pending submission.
    NotSubmitted,
    /// A member asked for approval of a version no valid approval covers.
    Submitted {
        /// Who submitted.
        by: String,
        /// When (device clock).
        at: i64,
        /// The submission.
        submission: Signoff,
        /// The approval in force, if any.
        previous: Option<Signoff>,
    },
    /// The document is exactly the approved version, with a valid signature.
    Approved {
        /// The current approval.
        approval: Signoff,
    },
    /// Approved (valid signature), and changed since.
    ApprovedWithChanges {
        /// The current approval.
        approval: Signoff,
        /// What changed since; `None` if a version could not be read (a damaged document,
        /// which does not void the approval).
        delta: Option<Delta>,
    },
    /// The newest approval record does not verify (forged, wrong role, revoked device…).
    Invalid {
        /// The newest approval record.
        approval: Signoff,
        /// Why it does not count (English, for logs).
        reason: String,
        /// Why it does not count, in Vietnamese for the screen.
        reason_vi: String,
        /// The newest approval that does verify, if any.
        last_valid: Option<Signoff>,
    },
}

impl From<core_approval::Status> for ApprovalStatus {
    fn from(s: core_approval::Status) -> Self {
        use core_approval::Status as S;
        match s {
            S::NotSubmitted => ApprovalStatus::NotSubmitted,
            S::Submitted {
                by,
                at,
                submission,
                previous,
            } => ApprovalStatus::Submitted {
                by: by.to_string(),
                at,
                submission: (&*submission).into(),
                previous: previous.as_deref().map(Into::into),
            },
            S::Approved { approval } => ApprovalStatus::Approved {
                approval: (&*approval).into(),
            },
            S::ApprovedWithChanges { approval, delta } => ApprovalStatus::ApprovedWithChanges {
                approval: (&*approval).into(),
                delta: delta.map(|d| (*d).into()),
            },
            S::Invalid {
                approval,
                reason,
                last_valid,
            } => ApprovalStatus::Invalid {
                approval: (&*approval).into(),
                reason: reason.to_string(),
                reason_vi: reason.message_vi(),
                last_valid: last_valid.as_deref().map(Into::into),
            },
        }
    }
}

/// Which of the five states an [`ApprovalStatus`] is, without its records (for its label,
/// `approval_status_label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ApprovalStatusKind {
    /// [`ApprovalStatus::NotSubmitted`].
    NotSubmitted,
    /// [`ApprovalStatus::Submitted`].
    Submitted,
    /// [`ApprovalStatus::Approved`].
    Approved,
    /// [`ApprovalStatus::ApprovedWithChanges`].
    ApprovedWithChanges,
    /// [`ApprovalStatus::Invalid`].
    Invalid,
}

impl From<core_approval::StatusKind> for ApprovalStatusKind {
    fn from(k: core_approval::StatusKind) -> Self {
        use core_approval::StatusKind as K;
        match k {
            K::NotSubmitted => ApprovalStatusKind::NotSubmitted,
            K::Submitted => ApprovalStatusKind::Submitted,
            K::Approved => ApprovalStatusKind::Approved,
            K::ApprovedWithChanges => ApprovalStatusKind::ApprovedWithChanges,
            K::Invalid => ApprovalStatusKind::Invalid,
        }
    }
}

impl From<ApprovalStatusKind> for core_approval::StatusKind {
    fn from(k: ApprovalStatusKind) -> Self {
        use core_approval::StatusKind as K;
        match k {
            ApprovalStatusKind::NotSubmitted => K::NotSubmitted,
            ApprovalStatusKind::Submitted => K::Submitted,
            ApprovalStatusKind::Approved => K::Approved,
            ApprovalStatusKind::ApprovedWithChanges => K::ApprovedWithChanges,
            ApprovalStatusKind::Invalid => K::Invalid,
        }
    }
}

/// A field an approvable plan's topics must have (docs/roles.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RequiredField {
    /// The session month (scheduled date).
    Month,
    /// At least one preparer.
    Preparer,
    /// The presenter.
    Presenter,
}

impl From<core_approval::RequiredField> for RequiredField {
    fn from(f: core_approval::RequiredField) -> Self {
        match f {
            core_approval::RequiredField::Month => RequiredField::Month,
            core_approval::RequiredField::Preparer => RequiredField::Preparer,
            core_approval::RequiredField::Presenter => RequiredField::Presenter,
        }
    }
}

impl From<RequiredField> for core_approval::RequiredField {
    fn from(f: RequiredField) -> Self {
        match f {
            RequiredField::Month => core_approval::RequiredField::Month,
            RequiredField::Preparer => core_approval::RequiredField::Preparer,
            RequiredField::Presenter => core_approval::RequiredField::Presenter,
        }
    }
}

/// One topic lacking one required field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MissingItem {
    /// The topic.
    pub topic_id: String,
    /// Its title.
    pub topic_title: String,
    /// What it lacks.
    pub field: RequiredField,
}

/// Whether the current version may be approved, with everything that stands in the way.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Readiness {
    /// Nothing stands in the way.
    pub ready: bool,
    /// Fields still holding concurrent values.
    pub conflicts: Vec<Conflict>,
    /// Non-cancelled topics lacking a month, a preparer or a presenter (plans only).
    pub missing: Vec<MissingItem>,
    /// Minutes only: the parts they lack before the chair and the clerk sign (start and end
    /// times, chair, clerk).
    pub missing_minutes: Vec<MissingField>,
    /// The document could not be read as its kind (damaged).
    pub unreadable: Option<String>,
}

/// A field a document lacks, by key, with its Vietnamese label.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MissingField {
    /// The field's key (`started_at`).
    pub key: String,
    /// Its label ("Thời gian bắt đầu").
    pub label: String,
}

impl Readiness {
    /// Converts core's answer for document `doc`.
    pub(crate) fn new(doc: &DocId, r: std::result::Result<(), core_approval::NotReady>) -> Self {
        match r {
            Ok(()) => Readiness {
                ready: true,
                conflicts: Vec::new(),
                missing: Vec::new(),
                missing_minutes: Vec::new(),
                unreadable: None,
            },
            Err(n) => Readiness {
                ready: false,
                conflicts: n
                    .conflicts
                    .into_iter()
                    .map(|c| (doc.clone(), c).into())
                    .collect(),
                missing: n
                    .missing
                    .into_iter()
                    .map(|m| MissingItem {
                        topic_id: m.topic_id.to_string(),
                        topic_title: m.topic_title,
                        field: m.field.into(),
                    })
                    .collect(),
                missing_minutes: n
                    .missing_minutes
                    .into_iter()
                    .map(|key| MissingField {
                        label: FieldScope::Session.field_label_vi(&key).to_owned(),
                        key,
                    })
                    .collect(),
                unreadable: n.unreadable,
            },
        }
    }
}

/// Something that stands in the way of this member approving a document now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ApproveBlocker {
    /// This device is not enrolled: approvals are signed with an enrolled device's key.
    NotEnrolled,
    /// No member directory synced yet: sync once, then roles can be checked.
    NoDirectory,
    /// This member does not belong to the document's branch.
    NotInBranch,
    /// This member's role does not approve documents of this kind.
    WrongRole {
        /// The role held.
        held: Role,
        /// The roles that may approve it (delegation considered).
        needed: Vec<Role>,
    },
    /// Conflicts or missing fields, all listed.
    NotReady {
        /// What to fix.
        readiness: Readiness,
    },
    /// Minutes: this member is not the chair or the clerk they name (or they do not name
    /// two different members yet).
    NotChairOrClerk,
}

/// Whether this member may approve a document now, with every reason not (the rules
/// `approve` applies).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ApprovalRights {
    /// The document.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// This member's role in the document's branch now, if they belong to it.
    pub role: Option<Role>,
    /// The roles that may approve it now.
    pub required_roles: Vec<Role>,
    /// The branch has delegated plan approval to its deputy secretary.
    pub deputy_delegated: bool,
    /// Approving the current version now would be accepted (no blockers).
    pub can_approve: bool,
    /// This member holds the authority to approve it (enrolled, directory, branch, role),
    /// readiness aside: show the approve action, with what blocks it.
    pub has_authority: bool,
    /// Everything in the way, in the order `approve` checks them.
    pub blockers: Vec<ApproveBlocker>,
}

impl From<core_store::ApprovalRights> for ApprovalRights {
    fn from(r: core_store::ApprovalRights) -> Self {
        let can_approve = r.can_approve();
        let has_authority = r.has_authority();
        let doc = r.doc_id.clone();
        ApprovalRights {
            doc_id: r.doc_id.to_string(),
            kind: r.kind.into(),
            role: r.role.map(Into::into),
            required_roles: r.required_roles.into_iter().map(Into::into).collect(),
            deputy_delegated: r.deputy_delegated,
            can_approve,
            has_authority,
            blockers: r
                .blockers
                .into_iter()
                .map(|b| match b {
                    core_store::ApproveBlocker::NotEnrolled => ApproveBlocker::NotEnrolled,
                    core_store::ApproveBlocker::NoDirectory => ApproveBlocker::NoDirectory,
                    core_store::ApproveBlocker::NotInBranch => ApproveBlocker::NotInBranch,
                    core_store::ApproveBlocker::WrongRole { held, needed } => {
                        ApproveBlocker::WrongRole {
                            held: held.into(),
                            needed: needed.into_iter().map(Into::into).collect(),
                        }
                    }
                    core_store::ApproveBlocker::NotReady(n) => ApproveBlocker::NotReady {
                        readiness: Readiness::new(&doc, Err(n)),
                    },
                    core_store::ApproveBlocker::NotChairOrClerk => ApproveBlocker::NotChairOrClerk,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotay_core::ids::TopicId;

    #[test]
    fn test_readiness_lists_everything_in_the_way() {
        let r = Readiness::new(
            &DocId::new("p"),
            Err(core_approval::NotReady {
                conflicts: Vec::new(),
                missing: vec![core_approval::MissingItem {
                    topic_id: TopicId::new("t1"),
                    topic_title: "Chuyên đề".into(),
                    field: core_approval::RequiredField::Presenter,
                }],
                missing_minutes: vec!["ended_at".into()],
                unreadable: None,
            }),
        );
        assert!(!r.ready);
        assert_eq!(r.missing[0].field, RequiredField::Presenter);
        assert_eq!(
            r.missing_minutes,
            [MissingField {
                key: "ended_at".into(),
                label: "Thời gian kết thúc".into()
            }]
        );
        assert!(Readiness::new(&DocId::new("p"), Ok(())).ready);
    }
}
