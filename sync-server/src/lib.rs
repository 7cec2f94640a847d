//! # sotay-server
//!
//! The SoTay sync server (work in progress: Step 2). Storage is behind [`store::ServerStore`].

pub mod admin;
pub mod demo;
pub mod directory;
pub mod error;
pub mod identity;
pub mod server;
pub mod store;
pub mod sync;

pub use error::{Error, Result};
