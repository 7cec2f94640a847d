//! # sotay-ffi
//!
//! SoTay's bindings for the phones: `sotay-core`'s [`sotay_core::Store`] exposed to Kotlin
//! (Android) and Swift (iOS) through UniFFI proc-macros (no UDL).
//!
//! ## Why it is thin
//!
//! Everything a member does — merging, conflicts, role rules, signing and verifying
//! approvals, deltas, Vietnamese text rules — must behave identically on Android, iOS, the
//! CLI and the server. It therefore lives once, in `sotay-core`, where it is tested. This
//! crate only **converts**: core's types into UniFFI records and enums (ids as strings,
//! dates as ISO strings, versions as hex hashes), core's error into one flat [`ApiError`]
//! whose variants tell the app what to do, and core's `&mut Store` calls into methods on a
//! shared, thread-safe [`SotayStore`]. A method that would need more than a conversion is a
//! sign that core lacks something; it is added there, not here. The only machinery of its
//! own is what a foreign boundary needs: the tokio runtime that runs network calls for the
//! apps' `async` — sync and attachment downloads, each locking the store only for its local
//! steps ([`runtime`]) — and the observer plumbing that tells the apps' listeners
//! about sync status and document changes ([`listeners`]).
//!
//! ## Layout
//!
//! - [`store`]: the [`SotayStore`] object — identity and members; plans, topics, texts and
//!   legal bases; drafts, materials, comments and proposals; conflicts; approvals, status,
//!   delta, readiness and `can_approve`; "what needs me" (`needs_me`: threads, approvals,
//!   drafts to read; `mark_thread_seen`); the session cycle (sessions and their minutes,
//!   publishing, receipts and the reading list, minutes signed and adopted by chair and
//!   clerk, tasks); the proposals board, the branch overview and participation evidence;
//!   attachments (`attach` a file to a material, `attachments` with whether each is on
//!   this phone and waits to be sent or was refused, `attachment_bytes`, `fetch_attachment`
//!   — async, lazy, hash-checked — and `blob_refusals`); history; `enroll` and `sync`
//!   (async; a sync sends the attached files after the documents), `set_server_url`;
//!   listener registration.
//! - [`records`]: the records and enums that cross the boundary, with their conversions
//!   (and `vietnam_time`, how a typed "08:00" becomes a session's start).
//! - [`labels`]: the Vietnamese words for roles, statuses, kinds, attendance, task and
//!   proposal stages, evidence categories, quality levels and field names, from core's
//!   `label_vi` functions (`role_label`, `attendance_label`, `field_label`, …).
//! - [`listeners`]: the foreign traits [`SyncStatusListener`] and
//!   [`DocumentChangeListener`], and the [`ListenerHandle`] that unregisters on drop.
//! - [`error`]: the flat [`ApiError`].
//! - `src/bin/uniffi-bindgen.rs`: the workspace's own `uniffi-bindgen` (same UniFFI version).
//!
//! ## Example (Rust; Kotlin and Swift read the same)
//!
//! ```no_run
//! use sotay_ffi::{NewPlan, SotayStore};
//! let store = SotayStore::open("phone.sotay".into())?;
//! store.set_identity("m-viet".into())?;
//! let plan = store.create_plan(NewPlan {
//!     branch_id: "b-co-dien".into(), year: 2026, title: String::new(),
//!     number: "01-KH/CB".into(), issue_date: Some("15/01/2026".into()),
//!     purpose: String::new(), implementation: String::new(),
//! })?;
//! println!("{} topics", store.topic_rows(plan)?.len());
//! # Ok::<(), sotay_ffi::ApiError>(())
//! ```

pub mod error;
pub mod labels;
pub mod listeners;
pub mod records;
mod runtime;
pub mod store;

pub use error::ApiError;
pub use labels::*;
pub use listeners::{DocumentChangeListener, ListenerHandle, SyncStatusListener};
pub use records::*;
pub use store::SotayStore;

uniffi::setup_scaffolding!();
