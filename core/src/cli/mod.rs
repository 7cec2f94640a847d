//! The `sotay` device command line: the scripting and operations surface of one device's
//! store.
//!
//! Why it exists: the phone apps are one front end of [`Store`]; this is the other. Operators
//! use it to inspect and repair a device's store, testers and scripts use it to drive whole
//! scenarios (two store files play two phones), and every feature of the core gets a place
//! where a person can try it before an app screen exists. So **every command has `--json`**
//! (the typed core values, serialised with their ids, on stdout), errors are machine-readable
//! too (`{"error": …, "kind": …}` and exit codes 2 = invalid input or not found, 1 = anything
//! else), and Vietnamese text goes in and out as NFC UTF-8.
//!
//! Typing practicalities: documents and comments accept a unique id prefix, topics their STT
//! number, members an id or a name (accents and tone placement ignored, [`Store::find_member`]).
//!
//! Layout:
//! - `args`: the grammar (clap derive) and its help texts;
//! - `resolve`: turning what a person types into ids and edits (prefixes, STT, names,
//!   `--on` words, `--insert`/`--delete`/`--set`);
//! - `render`: tables, dates, Vietnamese labels;
//! - `member`: `init`, `member`;
//! - `plan`, `topic`: the plan and its topics;
//! - `docs`: `draft`, `material`, `doc`, `comment`, `proposal`;
//! - `ops`: `conflicts`, `check`, `dev merge`;
//! - `history`: `history` (one by one, `--by-member`, `--blame`);
//! - `approval`: `submit`, `approve`, `status`, `show-approved`, `diff` (sign-offs, what
//!   changed since an approval);
//! - `export`: `export-plan`, `export-minutes` (the plan and the minutes as the official DOCX
//!   or HTML paper, `crate::render`);
//! - `session`: `session`, `publish`, `open`, `reading-list`, `distribution`, `branch`,
//!   `proposals` (the session cycle: minutes, receipts, proposals followed through);
//! - `evidence`: `evidence` (participation evidence, its CSV, a member's printable sheet,
//!   the committee's weights);
//! - `blobs`: `attach`, `blob fetch`, `blob list` (attachments' files).
//!
//! ```no_run
//! let mut out = Vec::new();
//! sotay_core::cli::run(
//!     ["sotay", "--store", "phone.sotay", "plan", "list", "--json"].map(String::from),
//!     &mut out,
//! )?;
//! # Ok::<(), sotay_core::Error>(())
//! ```

mod approval;
mod args;
mod blobs;
mod docs;
mod evidence;
mod export;
mod history;
mod member;
mod net;
mod ops;
mod plan;
mod render;
mod resolve;
mod session;
mod topic;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;

use crate::ids::MemberId;
use crate::{Error, Result, Store};
use args::{Cli, Command};

/// The store file used when neither `--store` nor `$SOTAY_STORE` says otherwise.
pub const DEFAULT_STORE: &str = "./sotay.db";

/// Runs the CLI on the process's arguments, printing to stdout/stderr; returns the exit code
/// (0 done, 2 invalid input or not found, 1 anything else).
pub fn main() -> ExitCode {
    let mut args = Vec::new();
    for (i, a) in std::env::args_os().enumerate() {
        match a.into_string() {
            Ok(s) => args.push(s),
            Err(raw) => {
                let json = args.iter().any(|a| a == "--json");
                let e = Error::InvalidInput(format!(
                    "argument {i} ({}) is not valid UTF-8",
                    raw.to_string_lossy()
                ));
                return report_error(&e, json);
            }
        }
    }
    let json = wants_json(&args);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match execute(args, &mut out) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::ProblemsFound(msg)) => {
            if !json {
                eprintln!("error: {msg}");
            }
            ExitCode::from(1)
        }
        // The reader went away (`sotay … | head`): nothing left to tell anyone.
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            drop(out);
            report_error(&e, json)
        }
    }
}

/// Runs one command line (`args[0]` is the program name) against the store it names, writing
/// the command's output to `out`. Help and version texts are output too. Errors are returned,
/// not printed: [`main`] prints them and maps them with [`exit_code`] and [`error_kind`].
///
/// `sotay check` finding problems is an error here ([`Error::InvalidDocument`]) after its
/// report has been written.
pub fn run(args: impl IntoIterator<Item = String>, out: &mut dyn Write) -> Result<()> {
    match execute(args, out)? {
        Outcome::Done => Ok(()),
        Outcome::ProblemsFound(msg) => Err(Error::InvalidDocument(msg)),
    }
}

/// The exit code for an error: 2 when the input was invalid or named nothing that exists,
/// 1 otherwise (refused, storage or file failure, damaged data).
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::InvalidInput(_)
        | Error::DocumentNotFound(_)
        | Error::TopicNotFound(_)
        | Error::LegalBasisNotFound(_)
        | Error::CommentNotFound(_)
        | Error::WrongKind { .. } => 2,
        _ => 1,
    }
}

/// A stable machine-readable name for an error, for `--json` output.
pub fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Automerge(_) => "automerge",
        Error::Sqlite(_) => "database",
        Error::Io(_) => "io",
        Error::Json(_) => "json",
        Error::DocumentNotFound(_)
        | Error::TopicNotFound(_)
        | Error::LegalBasisNotFound(_)
        | Error::CommentNotFound(_) => "not_found",
        Error::DocumentDamaged { .. } => "document_damaged",
        Error::InvalidDocument(_) => "invalid_document",
        Error::WrongKind { .. } => "wrong_kind",
        Error::InvalidInput(_) => "invalid_input",
        Error::NotAuthor { .. } => "not_author",
        Error::ConflictChanged { .. } => "conflict_changed",
        Error::NoIdentity => "no_identity",
        Error::DatabaseTooNew { .. } => "database_too_new",
        Error::DatabaseMovedAside { .. } => "database_moved_aside",
        Error::NotEnrolled => "not_enrolled",
        Error::Offline(_) => "offline",
        Error::Server { .. } => "server_refused",
        Error::NotPermitted(_) => "not_permitted",
        Error::NotReady(_) => "not_ready",
        Error::BlobDamaged { .. } => "blob_damaged",
    }
}

fn report_error(e: &Error, json: bool) -> ExitCode {
    if json {
        let body = serde_json::json!({ "error": e.to_string(), "kind": error_kind(e) });
        let mut stdout = std::io::stdout().lock();
        // Nothing better to do if stdout itself is gone.
        let _ = writeln!(stdout, "{body}");
    } else {
        eprintln!("error: {e}");
    }
    ExitCode::from(exit_code(e))
}

/// Whether `--json` appears before a `--` (used to format errors clap raises before parsing
/// finishes).
fn wants_json(args: &[String]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// What a command ended with, short of an error.
#[derive(Debug)]
enum Outcome {
    Done,
    /// The command ran and reported problems (`check`): exit 1 without a second message.
    ProblemsFound(String),
}

fn execute(args: impl IntoIterator<Item = String>, out: &mut dyn Write) -> Result<Outcome> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                write!(out, "{}", e.render())?;
                return Ok(Outcome::Done);
            }
            let text = e.render().to_string();
            let text = text.trim();
            let text = text.strip_prefix("error: ").unwrap_or(text);
            return Err(Error::InvalidInput(text.to_owned()));
        }
    };
    let path = store_path(cli.store.as_deref());
    let json = cli.json;
    if let Command::Init(a) = &cli.command {
        let store = Store::open(&path)?;
        let mut ctx = Ctx::new(store, json, out)?;
        member::init(&mut ctx, a)?;
        return Ok(Outcome::Done);
    }
    if let Command::Enroll(a) = &cli.command {
        let store = Store::open(&path)?;
        let mut ctx = Ctx::new(store, json, out)?;
        net::enroll(&mut ctx, a)?;
        return Ok(Outcome::Done);
    }
    let store = open_existing(&path)?;
    let mut ctx = Ctx::new(store, json, out)?;
    match cli.command {
        // Handled above: only `init` may create the store.
        Command::Init(_) | Command::Enroll(_) => Ok(()),
        Command::Sync(a) => net::sync(&mut ctx, &a),
        Command::Member(c) => member::member(&mut ctx, c),
        Command::Plan(c) => plan::plan(&mut ctx, c),
        Command::Topic(c) => topic::topic(&mut ctx, c),
        Command::Draft(c) => docs::draft(&mut ctx, c),
        Command::Material(c) => docs::material(&mut ctx, c),
        Command::Doc(c) => docs::doc(&mut ctx, c),
        Command::Attach(a) => blobs::attach(&mut ctx, &a),
        Command::Blob(c) => blobs::blob(&mut ctx, c),
        Command::Comment(c) => docs::comment(&mut ctx, c),
        Command::Proposal(c) => docs::proposal(&mut ctx, c),
        Command::Conflicts(c) => ops::conflicts(&mut ctx, c),
        Command::History(a) => history::history(&mut ctx, &a),
        Command::Submit(a) => approval::submit(&mut ctx, &a),
        Command::Approve(a) => approval::approve(&mut ctx, &a),
        Command::Status(a) => approval::status(&mut ctx, &a),
        Command::ShowApproved(a) => approval::show_approved(&mut ctx, &a),
        Command::Diff(a) => approval::diff(&mut ctx, &a),
        Command::ExportPlan(a) => export::export_plan(&mut ctx, &a),
        Command::ExportMinutes(a) => export::export_minutes(&mut ctx, &a),
        Command::Session(c) => session::session(&mut ctx, c),
        Command::Publish(a) => session::publish(&mut ctx, &a),
        Command::Open(a) => session::open(&mut ctx, &a),
        Command::ReadingList(a) => session::reading_list(&mut ctx, &a),
        Command::Distribution(a) => session::distribution(&mut ctx, &a),
        Command::Branch(c) => session::branch(&mut ctx, c),
        Command::Proposals(a) => session::proposals(&mut ctx, &a),
        Command::Evidence(a) => evidence::evidence(&mut ctx, a),
        Command::Check => return ops::check(&mut ctx),
        Command::Dev(c) => ops::dev(&mut ctx, c, &path),
    }?;
    Ok(Outcome::Done)
}

/// `--store`, else `$SOTAY_STORE`, else [`DEFAULT_STORE`].
fn store_path(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_owned();
    }
    match std::env::var_os("SOTAY_STORE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_STORE),
    }
}

/// Opens a store that must exist already: only `init` creates one, so a mistyped path does
/// not silently start an empty store.
fn open_existing(path: &Path) -> Result<Store> {
    if !path.exists() {
        return Err(Error::InvalidInput(format!(
            "there is no store at {}; create it with `sotay init --member ID` (or point --store / SOTAY_STORE at it)",
            path.display()
        )));
    }
    Store::open(path)
}

/// What every command works with: the store, the output mode and the member names.
struct Ctx<'a> {
    store: Store,
    json: bool,
    out: &'a mut dyn Write,
    /// Directory id → full name, for rendering.
    names: BTreeMap<String, String>,
}

impl<'a> Ctx<'a> {
    fn new(store: Store, json: bool, out: &'a mut dyn Write) -> Result<Self> {
        let mut ctx = Ctx {
            store,
            json,
            out,
            names: BTreeMap::new(),
        };
        ctx.reload_names()?;
        Ok(ctx)
    }

    fn reload_names(&mut self) -> Result<()> {
        self.names = self
            .store
            .members()?
            .into_iter()
            .map(|m| (m.id.to_string(), m.full_name))
            .collect();
        Ok(())
    }

    /// The name of a member id, or the id itself when the directory does not know it.
    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// "Hoàng Đức Lượng (m-luong)", or just the id when unknown.
    fn name_and_id(&self, id: &str) -> String {
        match self.names.get(id) {
            Some(n) => format!("{n} ({id})"),
            None => id.to_owned(),
        }
    }

    /// Names of the given member ids that the directory knows (for `--json` output).
    fn names_of<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> BTreeMap<String, String> {
        ids.into_iter()
            .filter_map(|id| self.names.get(id).map(|n| (id.to_owned(), n.clone())))
            .collect()
    }

    /// Names of every member id the directory knows that appears as a string anywhere in
    /// `value` (for `--json` output of nested core types).
    fn names_in<T: Serialize + ?Sized>(&self, value: &T) -> BTreeMap<String, String> {
        fn walk(
            v: &serde_json::Value,
            names: &BTreeMap<String, String>,
            out: &mut BTreeMap<String, String>,
        ) {
            match v {
                serde_json::Value::String(s) => {
                    if let Some(n) = names.get(s) {
                        out.insert(s.clone(), n.clone());
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, names, out)),
                serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, names, out)),
                _ => {}
            }
        }
        let mut out = BTreeMap::new();
        if let Ok(v) = serde_json::to_value(value) {
            walk(&v, &self.names, &mut out);
        }
        out
    }

    fn identity(&self) -> Option<MemberId> {
        self.store.identity().cloned()
    }

    /// Writes `value` as JSON in `--json` mode, else `text` (a newline is added if missing).
    fn emit<T: Serialize + ?Sized>(&mut self, value: &T, text: &str) -> Result<()> {
        if self.json {
            serde_json::to_writer_pretty(&mut *self.out, value)?;
            writeln!(self.out)?;
        } else {
            self.out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                writeln!(self.out)?;
            }
        }
        Ok(())
    }
}
