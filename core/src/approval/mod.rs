//! Signed approval of merged plans and drafts.
//!
//! After weeks of offline edits by the whole branch, the secretary approves *exactly the
//! version she read*: a set of Automerge heads. The approval cannot live inside the CRDT (any
//! member could overwrite it, and writing it would move the heads it names), so it is a
//! separate record, signed with the device's ed25519 key on her phone, offline, synced later,
//! and verified by every phone offline against its copy of the member/device directory.
//!
//! - [`record`]: the [`Signoff`] record (submit or approve), its canonical, versioned,
//!   domain-separated encoding, signing and signature check.
//! - [`rules`]: [`Authority`] (what a verifier knows of the directory), who may approve
//!   which kind ([`required_roles`]), [`verify`], the replay check against a document
//!   ([`check_document`]) and the approval gate [`check_ready`].
//! - [`status`]: [`status()`] — not submitted, submitted, approved, approved with changes,
//!   or invalid — and the rule that picks the current approval.
//! - [`delta`]: [`delta()`] — what changed between two versions (since an approval, or
//!   between two approvals), by reading the document at both heads.
//!
//! Everything reads the document in place at heads (`view_at`, `plan::get_at`): nothing
//! replays history with `fork_at`, so status stays cheap on a year-old document.
//!
//! ```
//! use sotay_core::approval::{self, MemoryAuthority, DeviceFacts, Signoff, SignoffAction,
//!     SignoffFields, Status};
//! use sotay_core::ids::{BranchId, MemberId};
//! use sotay_core::model::{Editor, plan::{self, NewPlan}};
//! use sotay_core::org::Role;
//!
//! let viet = MemberId::new("m-viet");
//! let branch = BranchId::new("b-co-dien");
//! let mut doc = plan::create(&NewPlan {
//!     branch_id: branch.clone(), year: 2026, title: String::new(), number: "01-KH/CB".into(),
//!     issue_date: None, purpose: String::new(), implementation: String::new(),
//! }, &Editor { member: viet.clone(), time: 1_767_000_000 })?;
//!
//! let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
//! let mut directory = MemoryAuthority::new();
//! directory.add_device("dev-viet", DeviceFacts {
//!     member: viet.clone(), public_key: key.verifying_key().to_bytes(),
//!     enrolled_at: 1_760_000_000, revoked_at: None,
//! });
//! directory.set_role(&viet, 0, Some((branch.clone(), Role::Secretary)));
//!
//! approval::check_ready(&doc).expect("nothing missing");
//! let approval = Signoff::sign(SignoffFields {
//!     action: SignoffAction::Approve, doc_id: doc.id().clone(), doc_kind: doc.kind(),
//!     branch_id: branch, heads: doc.heads(), signer: viet, role: Role::Secretary,
//!     device_id: "dev-viet".into(), signed_at: 1_767_100_000, supersedes: None,
//!     note: "Đồng ý ban hành".into(),
//! }, &key)?;
//! assert!(matches!(approval::status(&mut doc, &[approval], &directory),
//!     Status::Approved { .. }));
//! # Ok::<(), sotay_core::Error>(())
//! ```

pub mod adoption;
pub mod delta;
pub mod record;
pub mod rules;
pub mod status;

pub use adoption::{Adoption, adoption};
pub use delta::{
    CommentNote, Delta, DeltaContent, FieldChange, FieldValue, LegalBasisChange, LegalBasisRef,
    PlanDelta, ProposalChange, SESSION_FIELDS, SessionDelta, TextDocDelta, TextEdit, TextEditKind,
    TopicAdded, TopicFieldChange, TopicMoved, TopicRef, delta,
};
pub use record::{Signoff, SignoffAction, SignoffFields, SignoffId};
pub use rules::{
    Authority, DeviceFacts, Invalid, MemoryAuthority, MissingItem, NotReady, RequiredField,
    check_document, check_ready, required_roles, verify, verify_for,
};
pub use status::{Status, StatusKind, status};
