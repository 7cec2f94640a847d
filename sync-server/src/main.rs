//! The `sotay-server` binary: reads the command line, opens the store, binds, and hands over
//! to the library ([`sotay_server::server::run`], [`sotay_server::admin`]).
//!
//! ```text
//! sotay-server serve --data DIR [--listen 127.0.0.1:8787] [--demo] [--max-blob-mib 20]
//! sotay-server admin --data DIR committee create --id ID --name NAME
//! sotay-server admin --data DIR committee settings C
//! sotay-server admin --data DIR committee set-evidence-weights C (--file W.json | --default)
//! sotay-server admin --data DIR committee set-quality-grid C (--file G.json | --default)
//! sotay-server admin --data DIR branch create --id ID --committee C --name NAME
//! sotay-server admin --data DIR branch delegate-plan-approval BRANCH (--on | --off)
//! sotay-server admin --data DIR member add --id ID --name NAME (--branch B | --committee-level --committee C) --role R [--status S]
//! sotay-server admin --data DIR member import FILE.csv --committee C
//! sotay-server admin --data DIR member remove ID
//! sotay-server admin --data DIR member move ID --branch B
//! sotay-server admin --data DIR member set-role ID ROLE
//! sotay-server admin --data DIR code issue MEMBER [--days 7]
//! sotay-server admin --data DIR device list MEMBER
//! sotay-server admin --data DIR device revoke DEVICE
//! sotay-server admin --data DIR server-key
//! ```
//!
//! Exit codes: 0 done, 1 the server or storage failed, 2 bad input (usage, unknown ids,
//! refused CSV).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::CommitteeSettings;
use sotay_server::admin::{self, NewMember};
use sotay_server::server::{self, AppState};
use sotay_server::store::ServerStore;
use sotay_server::store::sqlite::SqliteStore;
use sotay_server::{Error, demo};

/// The database file inside the data directory.
const DB_FILE: &str = "sotay-server.db";

#[derive(Debug, Parser)]
#[command(name = "sotay-server", version, about = "SoTay sync server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve sync requests.
    Serve {
        /// Data directory (created if missing); the database is DIR/sotay-server.db.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Seed the sample committee of DOMAIN.md and print enrollment codes.
        #[arg(long)]
        demo: bool,
        /// The largest attachment accepted, in MiB (phones refuse larger files themselves at
        /// 20 MiB).
        #[arg(long, value_name = "MIB", default_value_t = 20,
              value_parser = clap::value_parser!(u64).range(1..=1024))]
        max_blob_mib: u64,
    },
    /// Administer committees, branches, members, codes and devices.
    Admin {
        /// Data directory holding sotay-server.db.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Committees (đảng bộ).
    #[command(subcommand)]
    Committee(CommitteeCommand),
    /// Branches (chi bộ).
    #[command(subcommand)]
    Branch(BranchCommand),
    /// Members (đảng viên) and committee staff.
    #[command(subcommand)]
    Member(MemberCommand),
    /// One-time enrollment codes.
    #[command(subcommand)]
    Code(CodeCommand),
    /// Enrolled devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Print the server's public key (hex), which phones pin at enrollment and check every
    /// member directory against.
    ServerKey,
    /// Mark the database as restored from a backup (run with the server stopped): it gets a
    /// new epoch, and every phone reconciles by heads on its next sync, pushing what the
    /// backup lacks.
    Restored,
}

#[derive(Debug, Subcommand)]
enum CommitteeCommand {
    /// Create a committee.
    Create {
        /// Id, e.g. c-song-lam-xanh.
        #[arg(long)]
        id: String,
        /// Name, e.g. "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".
        #[arg(long)]
        name: String,
    },
    /// Show the committee's own settings (evidence weights, meeting-quality grid).
    Settings {
        /// The committee's id.
        committee: String,
    },
    /// Set the participation-evidence weights every phone of the committee uses (JSON, the
    /// shape `sotay evidence weights --json` prints), or go back to the defaults.
    SetEvidenceWeights {
        /// The committee's id.
        committee: String,
        #[command(flatten)]
        source: SettingSource,
    },
    /// Set the meeting-quality self-score grid (JSON: criteria with code, label, max; the
    /// maxima add up to 100), or go back to the default grid.
    SetQualityGrid {
        /// The committee's id.
        committee: String,
        #[command(flatten)]
        source: SettingSource,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct SettingSource {
    /// A JSON file with the setting.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Go back to the default.
    #[arg(long)]
    default: bool,
}

impl SettingSource {
    /// The JSON to set, `None` for the default.
    fn read(&self) -> Result<Option<String>, Error> {
        match &self.file {
            Some(f) => std::fs::read_to_string(f)
                .map(Some)
                .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", f.display()))),
            None => Ok(None),
        }
    }
}

fn print_settings(committee: &str, s: &CommitteeSettings) {
    let show = |what: &str, v: &Option<String>| match v {
        Some(json) => println!("{what}: {json}"),
        None => println!("{what}: mặc định (default)"),
    };
    println!("committee {committee}");
    show("evidence weights", &s.evidence_weights);
    show("quality grid", &s.quality_grid);
    println!("every phone of the committee receives these with its next sync");
}

#[derive(Debug, Subcommand)]
enum BranchCommand {
    /// Create a branch of a committee.
    Create {
        /// Id, e.g. b-co-dien.
        #[arg(long)]
        id: String,
        /// The committee's id.
        #[arg(long)]
        committee: String,
        /// Name, e.g. "Chi bộ Phân xưởng Cơ điện".
        #[arg(long)]
        name: String,
    },
    /// Delegate approval of the branch's annual plan to its deputy secretary (--on), or
    /// withdraw it (--off). Approvals made while it held stay valid.
    DelegatePlanApproval {
        /// The branch's id.
        branch: String,
        #[command(flatten)]
        switch: OnOff,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct OnOff {
    /// Turn it on.
    #[arg(long)]
    on: bool,
    /// Turn it off.
    #[arg(long)]
    off: bool,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct Placement {
    /// The member's branch.
    #[arg(long)]
    branch: Option<String>,
    /// Committee-level staff (Inspector, Admin): no branch.
    #[arg(long, requires = "committee")]
    committee_level: bool,
}

#[derive(Debug, Subcommand)]
enum MemberCommand {
    /// Add one member.
    Add {
        /// Id, e.g. m-viet.
        #[arg(long)]
        id: String,
        /// Full name, e.g. "Đặng Quốc Việt".
        #[arg(long)]
        name: String,
        #[command(flatten)]
        placement: Placement,
        /// The committee (needed with --committee-level; else taken from the branch).
        #[arg(long)]
        committee: Option<String>,
        /// Secretary, DeputySecretary, Executive, Member, Inspector or Admin.
        #[arg(long)]
        role: String,
        /// Full, Probationary or Exempt.
        #[arg(long, default_value = "Full")]
        status: String,
    },
    /// Import members from a UTF-8 CSV: id,full_name,branch_id,role,status (all or nothing).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// The committee the members belong to.
        #[arg(long)]
        committee: String,
    },
    /// Remove a member: their devices are refused from the next request and revoked.
    Remove {
        /// The member's id.
        id: String,
    },
    /// Move a member to another branch of the same committee.
    Move {
        /// The member's id.
        id: String,
        /// The new branch.
        #[arg(long)]
        branch: String,
    },
    /// Change a member's role (e.g. after a re-election): the former role ends now, and what
    /// they signed in it stays valid.
    SetRole {
        /// The member's id.
        id: String,
        /// Secretary, DeputySecretary, Executive, Member, Inspector or Admin.
        role: String,
    },
}

#[derive(Debug, Subcommand)]
enum CodeCommand {
    /// Issue a one-time enrollment code for a member.
    Issue {
        /// The member's id.
        member: String,
        /// Days the code stays valid.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=365))]
        days: i64,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List a member's devices.
    List {
        /// The member's id.
        member: String,
    },
    /// Revoke a device: its next request is refused.
    Revoke {
        /// The device's id.
        device: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            data,
            listen,
            demo,
            max_blob_mib,
        } => serve(&data, listen, demo, max_blob_mib * 1024 * 1024),
        Command::Admin { data, command } => admin_command(&data, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sotay-server: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// 2 for what the operator can fix in the command, 1 for everything else.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::InvalidInput(_)
        | Error::NotFound(_)
        | Error::AlreadyExists(_)
        | Error::Csv(_)
        | Error::Core(sotay_core::Error::InvalidInput(_)) => 2,
        _ => 1,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Unix seconds as "2026-01-15 08:30 UTC".
fn utc(t: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(format).ok())
        .unwrap_or_else(|| t.to_string())
}

fn open_store(data: &Path, create: bool) -> Result<SqliteStore, Error> {
    if create {
        std::fs::create_dir_all(data)?;
    } else if !data.is_dir() {
        return Err(Error::NotFound(format!(
            "data directory {}",
            data.display()
        )));
    }
    SqliteStore::open(data.join(DB_FILE))
}

fn serve(data: &Path, listen: SocketAddr, seed: bool, max_blob_bytes: u64) -> Result<(), Error> {
    init_tracing();
    let store = open_store(data, true)?;
    if seed {
        let codes = demo::seed_demo(&store, now())?;
        print_codes(&codes);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        println!("sotay-server listening on http://{addr}");
        tracing::info!(%addr, db = %data.join(DB_FILE).display(), "listening");
        let shutdown = async {
            // If the signal handler cannot be installed, serve until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down");
        };
        let state = AppState::new(Arc::new(store)).with_max_blob_bytes(max_blob_bytes);
        server::run(listener, state, shutdown).await
    })?;
    Ok(())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to stderr, so stdout carries only what the operator reads (address, codes).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn print_codes(codes: &[(sotay_server::store::ServerMember, String)]) {
    let width = codes
        .iter()
        .map(|(m, _)| m.full_name.chars().count())
        .max()
        .unwrap_or(0)
        .max("Họ và tên".chars().count());
    println!("Enrollment codes (one-time, valid 7 days):");
    println!(
        "  {:<width$}  {:<16}  {:<14}  Mã đăng ký",
        "Họ và tên", "Vai trò", "Id"
    );
    for (m, code) in codes {
        println!(
            "  {:<width$}  {:<16}  {:<14}  {}",
            m.full_name,
            m.role.as_str(),
            m.id.as_str(),
            code
        );
    }
}

fn admin_command(data: &Path, command: AdminCommand) -> Result<(), Error> {
    let mut sqlite = open_store(data, false)?;
    let store: &dyn ServerStore = &sqlite;
    match command {
        AdminCommand::Restored => {
            let epoch = sqlite.mark_restored()?;
            println!(
                "database marked as restored (new epoch {epoch}); phones will reconcile on their next sync"
            );
        }
        AdminCommand::Committee(CommitteeCommand::Create { id, name }) => {
            let c = admin::create_committee(store, &id, &name)?;
            println!("created committee {} — {}", c.id, c.name);
        }
        AdminCommand::Committee(CommitteeCommand::Settings { committee }) => {
            let s = admin::committee_settings(store, &committee)?;
            print_settings(&committee, &s);
        }
        AdminCommand::Committee(CommitteeCommand::SetEvidenceWeights { committee, source }) => {
            let s = admin::set_evidence_weights(store, &committee, source.read()?.as_deref())?;
            print_settings(&committee, &s);
        }
        AdminCommand::Committee(CommitteeCommand::SetQualityGrid { committee, source }) => {
            let s = admin::set_quality_grid(store, &committee, source.read()?.as_deref())?;
            print_settings(&committee, &s);
        }
        AdminCommand::Branch(BranchCommand::Create {
            id,
            committee,
            name,
        }) => {
            let b = admin::create_branch(store, &id, &committee, &name)?;
            println!(
                "created branch {} — {} (committee {})",
                b.id, b.name, b.committee_id
            );
        }
        AdminCommand::Member(MemberCommand::Add {
            id,
            name,
            placement,
            committee,
            role,
            status,
        }) => {
            let committee_id = match (&placement.branch, committee) {
                (Some(branch), given) => {
                    let b = store
                        .branch(&BranchId::new(branch))?
                        .ok_or_else(|| Error::NotFound(format!("branch {branch}")))?;
                    if given.as_deref().is_some_and(|c| c.trim() != b.committee_id) {
                        return Err(Error::InvalidInput(format!(
                            "branch {} belongs to committee {}",
                            b.id, b.committee_id
                        )));
                    }
                    b.committee_id
                }
                (None, Some(c)) => c,
                (None, None) => {
                    return Err(Error::InvalidInput(
                        "--committee-level needs --committee".to_owned(),
                    ));
                }
            };
            let m = admin::add_member(
                store,
                &NewMember {
                    id,
                    committee_id,
                    branch_id: placement.branch,
                    full_name: name,
                    role: Role::parse(&role)?,
                    status: MemberStatus::parse(&status)?,
                },
                now(),
            )?;
            println!(
                "added {} — {} ({}, {}) in {}",
                m.id,
                m.full_name,
                m.role.as_str(),
                m.status.as_str(),
                m.branch_id
                    .as_ref()
                    .map_or(m.committee_id.as_str(), |b| b.as_str())
            );
        }
        AdminCommand::Member(MemberCommand::Import { file, committee }) => {
            let bytes = std::fs::read(&file)
                .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", file.display())))?;
            let members = admin::import_members_csv(store, &committee, &bytes, now())?;
            println!("imported {} members into {committee}", members.len());
        }
        AdminCommand::Member(MemberCommand::Remove { id }) => {
            let id = MemberId::new(id);
            let revoked = admin::remove_member(store, &id, now())?;
            println!("removed member {id}; {revoked} device(s) revoked");
        }
        AdminCommand::Member(MemberCommand::Move { id, branch }) => {
            let m = admin::move_member(store, &MemberId::new(id), &BranchId::new(branch), now())?;
            let to = m.branch_id.as_ref().map_or("", |b| b.as_str());
            println!("moved {} — {} to {to}", m.id, m.full_name);
        }
        AdminCommand::Member(MemberCommand::SetRole { id, role }) => {
            let m = admin::set_role(store, &MemberId::new(id), Role::parse(&role)?, now())?;
            println!("{} — {} is now {}", m.id, m.full_name, m.role.as_str());
        }
        AdminCommand::Branch(BranchCommand::DelegatePlanApproval { branch, switch }) => {
            // clap lets exactly one of the two through.
            let delegated = switch.on && !switch.off;
            let b = admin::set_plan_delegation(store, &BranchId::new(branch), delegated, now())?;
            if delegated {
                println!(
                    "{} — {}: the deputy secretary may now approve the annual plan too",
                    b.id, b.name
                );
            } else {
                println!(
                    "{} — {}: only the secretary approves the annual plan from now on",
                    b.id, b.name
                );
            }
        }
        AdminCommand::ServerKey => {
            println!("{}", hex::encode(admin::server_public_key(store)?));
        }
        AdminCommand::Code(CodeCommand::Issue { member, days }) => {
            let issued =
                admin::issue_code(store, &MemberId::new(member), now(), days * 24 * 60 * 60)?;
            println!("{}", issued.code);
            eprintln!(
                "one-time enrollment code for {}, valid {days} day(s)",
                issued.member_id
            );
        }
        AdminCommand::Device(DeviceCommand::List { member }) => {
            let devices = admin::list_devices(store, &MemberId::new(member))?;
            if devices.is_empty() {
                println!("no devices");
            }
            for d in devices {
                let state = d
                    .revoked_at
                    .map_or("active".to_owned(), |t| format!("revoked {}", utc(t)));
                println!(
                    "{}  {}  enrolled {}  {state}",
                    d.id,
                    d.name,
                    utc(d.enrolled_at)
                );
            }
        }
        AdminCommand::Device(DeviceCommand::Revoke { device }) => {
            if admin::revoke_device(store, &device, now())? {
                println!("revoked device {device}");
            } else {
                println!("device {device} was already revoked");
            }
        }
    }
    Ok(())
}
