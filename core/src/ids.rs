//! Identifiers and document kinds.
//!
//! Ids are opaque strings: documents, topics and comments get random UUIDs (so two phones
//! creating things offline never collide); members get the ids the committee's directory
//! gives them. All of them are NFC-normalised on the way in.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id, normalising it to NFC.
            pub fn new(s: impl AsRef<str>) -> Self {
                Self(crate::text::nfc(s.as_ref().trim()))
            }
            /// A fresh random id.
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4().simple().to_string())
            }
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::new(s)
            }
        }
    };
}

string_id!(
    /// A document (plan, draft, material).
    DocId
);
string_id!(
    /// A topic inside an annual plan.
    TopicId
);
string_id!(
    /// A comment or proposal inside a draft or material.
    CommentId
);
string_id!(
    /// A party member, as the committee's directory knows them.
    MemberId
);
string_id!(
    /// A branch (chi bộ).
    BranchId
);
string_id!(
    /// A legal basis (căn cứ) entry of a plan.
    LegalBasisId
);

/// What a document is. Stored in every document's root as `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A branch's annual thematic plan.
    AnnualPlan,
    /// The draft text of one topic.
    TopicDraft,
    /// A study material.
    Material,
    /// A thematic session and its minutes.
    Session,
    /// One member's receipts (first opening of each material).
    ReadingLog,
}

impl DocKind {
    /// The name stored in documents and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::AnnualPlan => "annual_plan",
            DocKind::TopicDraft => "topic_draft",
            DocKind::Material => "material",
            DocKind::Session => "session",
            DocKind::ReadingLog => "reading_log",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "annual_plan" => Some(DocKind::AnnualPlan),
            "topic_draft" => Some(DocKind::TopicDraft),
            "material" => Some(DocKind::Material),
            "session" => Some(DocKind::Session),
            "reading_log" => Some(DocKind::ReadingLog),
            _ => None,
        }
    }

    /// Drafts and materials are text documents that carry comments.
    pub fn is_text(self) -> bool {
        matches!(self, DocKind::TopicDraft | DocKind::Material)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
