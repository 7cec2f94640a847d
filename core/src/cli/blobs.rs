//! `attach`, `blob fetch` and `blob list`: files attached to study materials.

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use super::args::{AttachArgs, BlobCmd};
use super::resolve::{self, Want};
use super::{Ctx, net, render};
use crate::blob::{BlobHash, human_size};
use crate::ids::{DocId, DocKind};
use crate::model::text_doc::Attachment;
use crate::store::{BlobRefusal, BlobUpload};
use crate::sync::{self, ClientConfig};
use crate::{Error, Result};

/// `--json` of `attach`: the entry and the material it is in.
#[derive(Debug, Serialize)]
struct Attached<'a> {
    doc_id: &'a DocId,
    #[serde(flatten)]
    attachment: &'a Attachment,
}

/// `--json` of `blob fetch`.
#[derive(Debug, Serialize)]
struct Fetched<'a> {
    sha256: &'a BlobHash,
    size: usize,
    out: &'a Path,
}

/// `--json` of `blob list`.
#[derive(Debug, Serialize)]
struct Queue {
    waiting: Vec<BlobUpload>,
    refused: Vec<BlobRefusal>,
}

pub(super) fn attach(ctx: &mut Ctx<'_>, a: &AttachArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.material, Want::Text)?;
    let title = ctx.store.text_doc(&id)?.title;
    let att = ctx
        .store
        .attach_file(&id, &a.file, a.name.as_deref(), a.mime.as_deref())?;
    let text = format!(
        "attached «{}» ({}, {}) to «{title}» · {} · sent at the next sync",
        att.name,
        human_size(att.size),
        att.mime,
        render::short(&att.sha256.to_hex())
    );
    ctx.emit(
        &Attached {
            doc_id: &id,
            attachment: &att,
        },
        &text,
    )
}

pub(super) fn blob(ctx: &mut Ctx<'_>, c: BlobCmd) -> Result<()> {
    match c {
        BlobCmd::Fetch { sha256, out } => {
            let sha256 = resolve_hash(ctx, &sha256)?;
            let cached = ctx.store.has_blob(&sha256)?;
            let bytes = net::runtime()?.block_on(sync::fetch_blob(
                &mut ctx.store,
                &ClientConfig::default(),
                &sha256,
            ))?;
            write_file(&out, &bytes)?;
            let text = format!(
                "{} {} to {}",
                if cached {
                    "saved (from this device)"
                } else {
                    "fetched and checked"
                },
                human_size(bytes.len() as u64),
                out.display()
            );
            ctx.emit(
                &Fetched {
                    sha256: &sha256,
                    size: bytes.len(),
                    out: &out,
                },
                &text,
            )
        }
        BlobCmd::List => {
            let queue = Queue {
                waiting: ctx.store.pending_blob_uploads()?,
                refused: ctx.store.blob_refusals()?,
            };
            let mut text = String::new();
            if queue.waiting.is_empty() && queue.refused.is_empty() {
                text.push_str("no files waiting to be sent");
            }
            for w in &queue.waiting {
                text.push_str(&format!(
                    "waiting: {} · {} · branch {}\n",
                    render::short(&w.sha256.to_hex()),
                    human_size(w.size),
                    w.branch_id
                ));
            }
            for r in &queue.refused {
                text.push_str(&format!(
                    "refused by the server: {} · branch {} · {} ({})\n",
                    render::short(&r.sha256.to_hex()),
                    r.branch_id,
                    r.message,
                    r.code
                ));
            }
            ctx.emit(&queue, &text)
        }
    }
}

/// A full SHA-256, or a unique prefix of one listed by a material in this store.
fn resolve_hash(ctx: &mut Ctx<'_>, input: &str) -> Result<BlobHash> {
    let input = input.trim().to_ascii_lowercase();
    if input.len() == 64 {
        return BlobHash::parse(&input);
    }
    if input.is_empty() || !input.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidInput(format!(
            "{input:?} is not a SHA-256 or a prefix of one"
        )));
    }
    let mut found: Vec<BlobHash> = Vec::new();
    for row in ctx.store.text_doc_rows(None)? {
        if row.kind != DocKind::Material {
            continue;
        }
        for a in ctx.store.attachments(&row.doc_id)? {
            if a.sha256.to_hex().starts_with(&input) && !found.contains(&a.sha256) {
                found.push(a.sha256);
            }
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::InvalidInput(format!(
            "no attachment in this store starts with {input}; sync first, or give the whole SHA-256"
        ))),
        _ => Err(Error::InvalidInput(format!(
            "{input} names {} attachments; type more of it",
            found.len()
        ))),
    }
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file beside it, then renamed.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let cannot =
        |e: std::io::Error| Error::InvalidInput(format!("cannot write {}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{} is not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.sotay-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(cannot(e));
    }
    Ok(())
}
