//! Official papers (the plan, the minutes) and a member's evidence sheet, written by core
//! (`sotay_core::store::papers`) as DOCX or HTML bytes for the app to save, share or print.

use sotay_core::store as core_store;

/// What a paper is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PaperFormat {
    /// A Word document (A4, Times New Roman), to print, sign and file.
    Docx,
    /// One self-contained HTML page that prints on A4.
    Html,
}

impl From<PaperFormat> for core_store::PaperFormat {
    fn from(f: PaperFormat) -> Self {
        match f {
            PaperFormat::Docx => core_store::PaperFormat::Docx,
            PaperFormat::Html => core_store::PaperFormat::Html,
        }
    }
}

/// A paper, written.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Paper {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The file name to offer ("Kế hoạch học tập chuyên đề năm 2026.docx"), without path
    /// separators.
    pub file_name: String,
    /// Its media type, for the app that opens or shares it.
    pub mime: String,
    /// What it is (the plan's or the session's title, the member's name).
    pub title: String,
    /// The approved plan or the adopted minutes, as signed; `false`: marked "DỰ THẢO" (an
    /// evidence sheet is never official: it is a proposal for the branch's vote).
    pub official: bool,
    /// An approval is in force but this phone's version of the plan differs from it.
    pub changed_since_approval: bool,
    /// Who signs the plan under "T/M CHI BỘ" (empty for the others).
    pub signer: String,
    /// Member ids shown as ids because no directory names them (sync first).
    pub unresolved_members: Vec<String>,
}

impl From<core_store::Paper> for Paper {
    fn from(p: core_store::Paper) -> Self {
        Paper {
            file_name: p.file_name(),
            mime: p.format.mime().to_owned(),
            bytes: p.bytes,
            title: p.title,
            official: p.official,
            changed_since_approval: p.changed_since_approval,
            signer: p.signer,
            unresolved_members: p
                .unresolved_members
                .into_iter()
                .map(|m| m.to_string())
                .collect(),
        }
    }
}
