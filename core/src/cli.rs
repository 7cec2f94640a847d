//! The device CLI.
