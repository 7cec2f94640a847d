//! Attachments' bytes: content-addressed blobs (issue 6).
//!
//! A file attached to a material (a PDF, a scanned resolution) is not put into the Automerge
//! document: the document lists it (`model::text_doc::Attachment`) by the SHA-256 of its bytes,
//! and the bytes travel separately, uploaded once and fetched lazily by the phones that open
//! it. The hash names the bytes everywhere — the phone's cache, the upload queue, the server's
//! storage and the download path — so whoever holds a blob can check it is the one listed,
//! and a damaged or substituted download is refused before anything is stored.
//!
//! ```
//! use sotay_core::blob::BlobHash;
//! let h = BlobHash::of(b"%PDF-1.7");
//! assert_eq!(BlobHash::parse(&h.to_hex())?, h);
//! # Ok::<(), sotay_core::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The largest blob a phone adds and the server accepts by default: 20 MiB. The server's
/// limit is configurable (`sotay-server serve --max-blob-mib`); phones check this one before
/// they store or send anything, so a file too large is refused where it is picked.
pub const DEFAULT_MAX_BLOB_BYTES: u64 = 20 * 1024 * 1024;

/// A blob's content address: the SHA-256 of its bytes. Written as 64 lowercase hex digits
/// (in paths, documents, JSON and the phone's database).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobHash([u8; 32]);

impl BlobHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Wraps a digest.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 lowercase hex digits (the one spelling, so a hash names one path and one
    /// document key).
    pub fn parse(s: &str) -> Result<Self> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let bytes: Option<[u8; 32]> = ok
            .then(|| hex::decode(s).ok().and_then(|v| v.try_into().ok()))
            .flatten();
        bytes.map(Self).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{:?} is not a SHA-256 (64 lowercase hex digits)",
                s.chars().take(80).collect::<String>()
            ))
        })
    }

    /// The digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHash({})", self.to_hex())
    }
}

impl Serialize for BlobHash {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for BlobHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BlobHash::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Refuses a blob of `size` bytes over `limit`, saying both in words people read.
pub fn check_size(size: u64, limit: u64) -> Result<()> {
    if size > limit {
        return Err(Error::InvalidInput(format!(
            "the file is {} ({size} bytes); attachments may be at most {} ({limit} bytes)",
            human_size(size),
            human_size(limit)
        )));
    }
    Ok(())
}

/// The header a server's `HEAD` answer carries with its attachment size limit (bytes), so a
/// phone refuses a file the server would refuse without sending it.
pub const MAX_BYTES_HEADER: &str = "x-sotay-max-blob-bytes";

/// The refusal of an attachment over `limit` bytes (`size`: its size, if known), in the same
/// words on the server and on a phone that refuses it itself.
pub fn too_large_message(size: Option<u64>, limit: u64) -> String {
    let what = match size {
        Some(n) => format!("the attachment is {} ({n} bytes)", human_size(n)),
        None => "the attachment is larger than that or was cut off".to_owned(),
    };
    format!(
        "{what}; this server accepts attachments of at most {} ({limit} bytes)",
        human_size(limit)
    )
}

/// A size for people: "512 B", "3.4 KiB", "20.0 MiB".
pub fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_hash_round_trips_through_hex_and_serde() {
        let h = BlobHash::of("%PDF-1.7 Nghị quyết".as_bytes());
        assert_eq!(h.to_hex().len(), 64);
        assert_eq!(BlobHash::parse(&h.to_hex()).expect("parses"), h);
        let json = serde_json::to_string(&h).expect("json");
        assert_eq!(json, format!("\"{h}\""));
        assert_eq!(serde_json::from_str::<BlobHash>(&json).expect("back"), h);
    }

    #[test]
    fn test_parse_refuses_every_other_spelling() {
        let h = BlobHash::of(b"x").to_hex();
        for bad in [
            String::new(),
            h[..63].to_owned(),
            format!("{h}0"),
            h.to_uppercase(),
            format!("{}g", &h[..63]),
            "../../etc/passwd".to_owned(),
        ] {
            let e = BlobHash::parse(&bad).expect_err(&bad);
            assert!(e.to_string().contains("SHA-256"), "{e}");
        }
        assert!(serde_json::from_str::<BlobHash>("\"abc\"").is_err());
    }

    #[test]
    fn test_size_limit_is_inclusive_and_says_both_sizes() {
        assert!(check_size(DEFAULT_MAX_BLOB_BYTES, DEFAULT_MAX_BLOB_BYTES).is_ok());
        let e = check_size(DEFAULT_MAX_BLOB_BYTES + 1, DEFAULT_MAX_BLOB_BYTES)
            .expect_err("over the limit");
        let msg = e.to_string();
        assert!(msg.contains("20.0 MiB"), "{msg}");
        assert!(
            msg.contains(&(DEFAULT_MAX_BLOB_BYTES + 1).to_string()),
            "{msg}"
        );
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(3 * 1024 + 512), "3.5 KiB");
    }
}
