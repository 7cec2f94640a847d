//! # sotay-core
//!
//! The heart of SoTay: a branch's documents (the annual thematic plan, topic drafts, study
//! materials and their comments) as Automerge CRDTs behind a typed API, kept durably in a
//! local SQLite store, so members can co-author offline and merge without loss.
//!
//! Layout:
//! - [`model`]: typed documents on Automerge ([`model::plan`], [`model::text_doc`],
//!   [`model::conflict`]); NFC on every write; author and time on every commit.
//! - [`store`]: the one entry point, [`Store`]: SQLite (WAL, `synchronous=FULL`), numbered
//!   migrations, documents as snapshot + incremental chunks, read-model tables for screens.
//! - [`text`]: Vietnamese text — NFC, accent-insensitive search, Vietnamese collation.
//! - [`blob`]: attachments' bytes, content-addressed by SHA-256 and size-limited.
//! - [`labels`]: the Vietnamese words for roles, statuses, kinds and field names — one
//!   source for every screen and the CLI.
//! - [`render`]: official documents (the annual plan) as DOCX and HTML, through one layout
//!   model both writers consume.
//! - [`cli`]: the `sotay` device command line.
//!
//! ```no_run
//! use sotay_core::{Store, model::plan::NewPlan, ids::{BranchId, MemberId}};
//! let mut store = Store::open("phone.sotay")?;
//! store.set_identity(&MemberId::new("m-viet"))?;
//! let plan = store.create_plan(&NewPlan {
//!     branch_id: BranchId::new("b-co-dien"), year: 2026, title: String::new(),
//!     number: "01-KH/CB".into(), issue_date: None, purpose: String::new(),
//!     implementation: String::new(),
//! })?;
//! println!("{} topics", store.topic_rows(&plan)?.len());
//! # Ok::<(), sotay_core::Error>(())
//! ```

pub mod approval;
pub mod blob;
pub mod cli;
pub mod date;
mod error;
pub mod ids;
pub mod labels;
pub mod model;
pub mod org;
pub mod protocol;
pub mod render;
pub mod roles;
pub mod store;
pub mod sync;
pub mod text;

pub use error::{Error, Result};
pub use store::Store;
