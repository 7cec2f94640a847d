//! `enroll` and `sync`: the device's connection to the committee's sync server.
//!
//! The CLI is synchronous; these two commands run the async client on a small
//! current-thread tokio runtime of their own.

use serde::Serialize;

use super::args::{EnrollArgs, SyncArgs};
use super::{Ctx, render};
use crate::store::{Enrollment, SyncState};
use crate::sync::{self, ClientConfig, SyncReport};
use crate::{Error, Result};

pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Io)
}

pub(super) fn enroll(ctx: &mut Ctx<'_>, a: &EnrollArgs) -> Result<()> {
    let resp = runtime()?.block_on(sync::enroll(&mut ctx.store, &a.server, &a.code, &a.name))?;
    let text = format!(
        "enrolled: this device ({}) now belongs to {} ({}), committee {}; run `sotay sync`",
        render::short(&resp.device_id),
        resp.member.full_name,
        resp.member.id,
        resp.committee_id
    );
    ctx.emit(&resp, &text)
}

#[derive(Debug, Serialize)]
struct Status {
    enrollment: Option<Enrollment>,
    state: SyncState,
    queued_documents: usize,
    /// Attachments' files waiting to be sent.
    queued_files: usize,
}

pub(super) fn sync(ctx: &mut Ctx<'_>, a: &SyncArgs) -> Result<()> {
    if a.status {
        let status = Status {
            enrollment: ctx.store.enrollment()?,
            state: ctx.store.sync_state()?,
            queued_documents: ctx.store.documents_with_unsent()?.len(),
            queued_files: ctx.store.pending_blob_uploads()?.len(),
        };
        let last = status
            .state
            .last_sync_at
            .map(render::time_vi)
            .unwrap_or_else(|| "chưa bao giờ (never)".into());
        let text = match &status.enrollment {
            None => "not enrolled: run `sotay enroll --server URL --code CODE`".to_owned(),
            Some(e) => format!(
                "server {} · member {} · last sync {} · {} document(s) and {} file(s) waiting to be sent{}",
                e.server_url,
                e.member_id,
                last,
                status.queued_documents,
                status.queued_files,
                status
                    .state
                    .last_error
                    .as_ref()
                    .map(|err| format!(" · last error: {err}"))
                    .unwrap_or_default()
            ),
        };
        return ctx.emit(&status, &text);
    }
    let cfg = ClientConfig {
        budget: a.budget,
        ..ClientConfig::default()
    };
    let report: SyncReport = runtime()?.block_on(sync::sync(&mut ctx.store, &cfg, &mut |_| {}))?;
    let mut text = format!(
        "synced in {} round trip(s): sent {} document(s) ({} change(s)), received {} document(s); {} B up, {} B down",
        report.round_trips,
        report.docs_pushed,
        report.changes_pushed,
        report.docs_pulled,
        report.bytes_up,
        report.bytes_down
    );
    for r in &report.rejected {
        text.push_str(&format!(
            "\nrefused by the server: {} ({}): {}",
            r.doc_id, r.code, r.message
        ));
    }
    for d in &report.failed_to_apply {
        text.push_str(&format!("\nreceived but could not apply: {d}"));
    }
    if report.blobs_uploaded > 0 {
        text.push_str(&format!(
            "\nsent {} attached file(s)",
            report.blobs_uploaded
        ));
    }
    for r in &report.blobs_refused {
        text.push_str(&format!(
            "\nattached file refused by the server: {} ({}): {}",
            render::short(&r.sha256.to_hex()),
            r.code,
            r.message
        ));
    }
    for d in &report.deferred {
        text.push_str(&format!(
            "\nkept here for now: {d} holds other members' changes the server lacks; they come back from their own phones"
        ));
    }
    ctx.emit(&report, &text)
}
