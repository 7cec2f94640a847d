//! Attachments: the files listed in a material, with where their bytes stand on this phone,
//! and the files the server refused.

use sotay_core::blob::{BlobHash, human_size};
use sotay_core::store as core_store;

use crate::error::{ApiError, Result};

/// A file attached to a material (its bytes travel apart from sync and are fetched the
/// first time a phone opens it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Attachment {
    /// The SHA-256 of its bytes (64 lowercase hex digits): what `fetch_attachment` and
    /// `attachment_bytes` take.
    pub sha256: String,
    /// The file name shown and offered when saving ("Nghị quyết 21-NQ∕TW.pdf"), NFC; a `/` or
    /// `\` given when attaching is kept as the look-alike "∕" (U+2215), never a separator.
    pub name: String,
    /// Its media type ("application/pdf"), for choosing the app that opens it.
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its size for people ("512 B", "3.4 KiB", "20.0 MiB"), the CLI's words.
    pub size_label: String,
    /// The member who attached it.
    pub added_by: String,
    /// When (Unix seconds, the attaching phone's clock).
    pub added_at: i64,
    /// This phone holds the bytes (attached here, or fetched already): opening needs no
    /// network. Otherwise `fetch_attachment` downloads them.
    pub on_device: bool,
    /// Whether the bytes wait to be sent from this phone.
    pub upload: AttachmentUpload,
}

impl From<core_store::AttachmentState> for Attachment {
    fn from(s: core_store::AttachmentState) -> Self {
        let a = s.attachment;
        Attachment {
            sha256: a.sha256.to_hex(),
            name: a.name,
            mime: a.mime,
            size: a.size,
            size_label: human_size(a.size),
            added_by: a.added_by.to_string(),
            added_at: a.added_at,
            on_device: s.on_device,
            upload: s.upload.into(),
        }
    }
}

/// Whether an attachment's bytes wait to be sent from this phone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AttachmentUpload {
    /// Nothing waits here: the server has them, or another phone attached the file.
    NotQueued,
    /// They go with the next sync (after the documents).
    Pending,
    /// The server refused them for good; they are not sent again unless attached again.
    Refused {
        /// The server's code (`too_large`, `forbidden`, …).
        code: String,
        /// The server's message.
        message: String,
    },
}

impl From<core_store::AttachmentUpload> for AttachmentUpload {
    fn from(u: core_store::AttachmentUpload) -> Self {
        match u {
            core_store::AttachmentUpload::NotQueued => AttachmentUpload::NotQueued,
            core_store::AttachmentUpload::Pending => AttachmentUpload::Pending,
            core_store::AttachmentUpload::Refused { code, message } => {
                AttachmentUpload::Refused { code, message }
            }
        }
    }
}

/// A file attached on this phone that the server refused for good.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BlobRefusal {
    /// The file's SHA-256.
    pub sha256: String,
    /// The branch it was sent to.
    pub branch_id: String,
    /// The server's code (`too_large`, `forbidden`, …).
    pub code: String,
    /// The server's message.
    pub message: String,
}

impl From<core_store::BlobRefusal> for BlobRefusal {
    fn from(r: core_store::BlobRefusal) -> Self {
        BlobRefusal {
            sha256: r.sha256.to_hex(),
            branch_id: r.branch_id.to_string(),
            code: r.code,
            message: r.message,
        }
    }
}

/// A SHA-256 from the app (`InvalidInput` unless 64 lowercase hex digits; surrounding
/// spaces are ignored).
pub(crate) fn hash_in(sha256: &str) -> Result<BlobHash> {
    BlobHash::parse(sha256.trim()).map_err(ApiError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotay_core::ids::{BranchId, MemberId};
    use sotay_core::model::text_doc;

    #[test]
    fn test_an_attachment_crosses_with_its_hash_size_and_state() {
        let sha = BlobHash::of(b"%PDF-1.7");
        let a: Attachment = core_store::AttachmentState {
            attachment: text_doc::Attachment {
                sha256: sha,
                name: "Nghị quyết.pdf".into(),
                mime: "application/pdf".into(),
                size: 3 * 1024 + 512,
                added_by: MemberId::new("m-viet"),
                added_at: 7,
            },
            on_device: false,
            upload: core_store::AttachmentUpload::Refused {
                code: "too_large".into(),
                message: "quá lớn".into(),
            },
        }
        .into();
        assert_eq!(a.sha256, sha.to_hex());
        assert_eq!(a.size_label, "3.5 KiB");
        assert_eq!((a.added_by.as_str(), a.added_at), ("m-viet", 7));
        assert!(!a.on_device);
        assert_eq!(
            a.upload,
            AttachmentUpload::Refused {
                code: "too_large".into(),
                message: "quá lớn".into()
            }
        );
        let r: BlobRefusal = core_store::BlobRefusal {
            sha256: sha,
            branch_id: BranchId::new("b-co-dien"),
            code: "forbidden".into(),
            message: "m".into(),
        }
        .into();
        assert_eq!(
            (r.sha256.as_str(), r.branch_id.as_str()),
            (a.sha256.as_str(), "b-co-dien")
        );
    }

    #[test]
    fn test_hashes_from_the_app_are_checked() {
        let sha = BlobHash::of(b"x");
        assert_eq!(hash_in(&format!(" {sha} ")).expect("trimmed"), sha);
        for bad in ["", "xyz", &sha.to_hex().to_uppercase(), "../../etc/passwd"] {
            assert!(
                matches!(hash_in(bad), Err(ApiError::InvalidInput(_))),
                "{bad:?}"
            );
        }
    }
}
