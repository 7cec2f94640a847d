//! Administering the organisation: committees, branches, members (roles and their history),
//! plan-approval delegation, enrollment codes, devices, the server's key.
//!
//! Library functions over `&dyn ServerStore`, shared by the `sotay-server admin …`
//! subcommands, the demo seeder and the enroll endpoint ([`enroll`]). Every name is trimmed,
//! its whitespace collapsed and NFC-normalised ([`sotay_core::text::nfc`]) before it is
//! stored, so "Nguyễn" typed on a macOS keyboard (NFD) is the same member as on a phone.
//!
//! Enrollment codes are 12 characters from an alphabet without look-alikes
//! ([`CODE_ALPHABET`]), shown as `XXXX-XXXX-XXXX`, valid [`DEFAULT_CODE_VALIDITY_SECS`] and
//! usable once. The server keeps only the SHA-256 of the normalised code (uppercase, dashes
//! and spaces removed), so a copy of the database does not hand out enrollments.
//!
//! Every operation that changes a member or a delegation takes the time it happens (`now`,
//! Unix seconds): the store keeps roles and plan-approval delegations as history, because a
//! sign-off is checked against the role its signer held when signing — a re-election
//! ([`set_role`]) must not void what the former secretary approved.
//!
//! ```no_run
//! # use sotay_server::{admin, store::ServerStore};
//! # fn f(store: &dyn ServerStore, now: i64) -> sotay_server::Result<()> {
//! admin::create_committee(store, "c-song-lam-xanh", "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh")?;
//! admin::create_branch(store, "b-co-dien", "c-song-lam-xanh", "Chi bộ Phân xưởng Cơ điện")?;
//! let csv = "id,full_name,branch_id,role,status\nm-viet,Đặng Quốc Việt,b-co-dien,Secretary,Full\n";
//! admin::import_members_csv(store, "c-song-lam-xanh", csv.as_bytes(), now)?;
//! let code = admin::issue_code(store, &"m-viet".into(), now, admin::DEFAULT_CODE_VALIDITY_SECS)?;
//! println!("{}", code.code); // e.g. "K7QM-3RTA-XW9P"
//! # Ok(()) }
//! ```

use std::collections::HashMap;

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::Rng;
use sha2::{Digest, Sha256};
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::model::session::QualityGrid;
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{CommitteeSettings, EnrollRequest, EnrollResponse, ErrorBody};
use sotay_core::store::evidence::Weights;
use sotay_core::text::nfc;

use crate::store::{Branch, Committee, Device, ServerMember, ServerStore};
use crate::{Error, Result};

/// The characters of an enrollment code: no 0/O, 1/I/L, so it can be read aloud and typed.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Characters in a code (about 59 bits of randomness).
pub const CODE_LEN: usize = 12;

/// How long a code stays valid unless told otherwise: 7 days.
pub const DEFAULT_CODE_VALIDITY_SECS: i64 = 7 * 24 * 60 * 60;

/// Longest accepted name (people, branches, committees, devices), in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Longest accepted device name, in characters.
pub const MAX_DEVICE_NAME_CHARS: usize = 64;

/// Longest accepted id (committee, branch, member), in characters.
pub const MAX_ID_CHARS: usize = 64;

// ----- names and ids -----------------------------------------------------------------------

/// A name as stored: trimmed, whitespace runs collapsed to one space, NFC. Refuses empty
/// names, control characters and names over `max` characters.
fn clean_name(what: &str, s: &str, max: usize) -> Result<String> {
    let name = nfc(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    if name.is_empty() {
        return Err(Error::InvalidInput(format!("{what} is empty")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!(
            "{what} contains control characters"
        )));
    }
    if name.chars().count() > max {
        return Err(Error::InvalidInput(format!(
            "{what} is longer than {max} characters"
        )));
    }
    Ok(name)
}

/// An id as stored: trimmed, NFC, 1–64 characters, no spaces or control characters.
fn clean_id(what: &str, s: &str) -> Result<String> {
    let id = nfc(s.trim());
    if id.is_empty() {
        return Err(Error::InvalidInput(format!("{what} is empty")));
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::InvalidInput(format!(
            "{what} {id:?} contains spaces or control characters"
        )));
    }
    if id.chars().count() > MAX_ID_CHARS {
        return Err(Error::InvalidInput(format!(
            "{what} is longer than {MAX_ID_CHARS} characters"
        )));
    }
    Ok(id)
}

/// Whether a role belongs to a branch (as opposed to committee-level staff).
pub fn is_branch_role(role: Role) -> bool {
    matches!(
        role,
        Role::Member | Role::Secretary | Role::DeputySecretary | Role::Executive
    )
}

// ----- committees and branches -------------------------------------------------------------

/// Creates a committee.
pub fn create_committee(store: &dyn ServerStore, id: &str, name: &str) -> Result<Committee> {
    let committee = Committee {
        id: clean_id("committee id", id)?,
        name: clean_name("committee name", name, MAX_NAME_CHARS)?,
    };
    if store.committee(&committee.id)?.is_some() {
        return Err(Error::AlreadyExists(format!("committee {}", committee.id)));
    }
    store.create_committee(&committee)?;
    Ok(committee)
}

/// Creates a branch of an existing committee.
pub fn create_branch(
    store: &dyn ServerStore,
    id: &str,
    committee_id: &str,
    name: &str,
) -> Result<Branch> {
    let branch = Branch {
        id: BranchId::new(clean_id("branch id", id)?),
        committee_id: clean_id("committee id", committee_id)?,
        name: clean_name("branch name", name, MAX_NAME_CHARS)?,
    };
    if store.committee(&branch.committee_id)?.is_none() {
        return Err(Error::NotFound(format!(
            "committee {}",
            branch.committee_id
        )));
    }
    if store.branch(&branch.id)?.is_some() {
        return Err(Error::AlreadyExists(format!("branch {}", branch.id)));
    }
    store.create_branch(&branch)?;
    Ok(branch)
}

// ----- members -----------------------------------------------------------------------------

/// A member to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMember {
    /// Directory id ("m-viet").
    pub id: String,
    /// The committee.
    pub committee_id: String,
    /// The branch; `None` for committee-level staff (inspectors, admins).
    pub branch_id: Option<String>,
    /// Full name (any normalisation; stored NFC).
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Status.
    pub status: MemberStatus,
}

/// Checks a new member against the store and returns it as it would be stored (without
/// storing it). Every check of [`add_member`] and [`import_members_csv`] lives here, so both
/// refuse the same things.
fn check_member(
    store: &dyn ServerStore,
    new: &NewMember,
    branches: &HashMap<BranchId, Branch>,
) -> Result<ServerMember> {
    let id = MemberId::new(clean_id("member id", &new.id)?);
    let committee_id = clean_id("committee id", &new.committee_id)?;
    let full_name = clean_name("full name", &new.full_name, MAX_NAME_CHARS)?;
    let branch_id = match new.branch_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b) => {
            let b = BranchId::new(clean_id("branch id", b)?);
            match branches.get(&b) {
                Some(branch) if branch.committee_id == committee_id => Some(b),
                // A branch of another committee is reported as unknown: the admin of one
                // committee learns nothing about another's.
                _ => return Err(Error::InvalidInput(format!("unknown branch \"{b}\""))),
            }
        }
    };
    match (is_branch_role(new.role), &branch_id) {
        (true, None) => {
            return Err(Error::InvalidInput(format!(
                "role {} needs a branch",
                new.role.as_str()
            )));
        }
        (false, Some(_)) => {
            return Err(Error::InvalidInput(format!(
                "role {} is committee-level and takes no branch",
                new.role.as_str()
            )));
        }
        _ => {}
    }
    if store.member(&id)?.is_some() {
        return Err(Error::AlreadyExists(format!("member {id}")));
    }
    Ok(ServerMember {
        id,
        committee_id,
        branch_id,
        full_name,
        role: new.role,
        status: new.status,
        active: true,
    })
}

fn branches_by_id(
    store: &dyn ServerStore,
    committee_id: &str,
) -> Result<HashMap<BranchId, Branch>> {
    Ok(store
        .branches(committee_id)?
        .into_iter()
        .map(|b| (b.id.clone(), b))
        .collect())
}

/// Adds a member, holding their role from `now`. Branch roles need a branch of the committee;
/// `Inspector` and `Admin` are committee-level and take none. An existing id is refused (use
/// [`move_member`], [`set_role`] and [`remove_member`] to change a member).
pub fn add_member(store: &dyn ServerStore, new: &NewMember, now: i64) -> Result<ServerMember> {
    let committee_id = clean_id("committee id", &new.committee_id)?;
    if store.committee(&committee_id)?.is_none() {
        return Err(Error::NotFound(format!("committee {committee_id}")));
    }
    let member = check_member(store, new, &branches_by_id(store, &committee_id)?)?;
    store.put_member(&member, now)?;
    Ok(member)
}

/// The columns of a members CSV, in this order.
pub const CSV_HEADER: [&str; 5] = ["id", "full_name", "branch_id", "role", "status"];

/// Imports members from a UTF-8 CSV (`id,full_name,branch_id,role,status`; an empty
/// `branch_id` for committee-level staff) into `committee_id`; each holds their role from
/// `now`.
///
/// All or nothing: every row is checked first — unknown branch, bad role or status, an id
/// repeated in the file or already present, an empty name, bytes that are not UTF-8 — and if
/// any row is wrong nothing is stored and the error lists every problem with its line
/// number (line 1 is the header). A UTF-8 byte-order mark (spreadsheet exports) is skipped.
///
/// The checks leave only a storage failure to interrupt the writes; the store trait has no
/// batch insert of members, so such a failure can leave the rows before it stored.
pub fn import_members_csv(
    store: &dyn ServerStore,
    committee_id: &str,
    data: &[u8],
    now: i64,
) -> Result<Vec<ServerMember>> {
    let committee_id = clean_id("committee id", committee_id)?;
    if store.committee(&committee_id)?.is_none() {
        return Err(Error::NotFound(format!("committee {committee_id}")));
    }
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let branches = branches_by_id(store, &committee_id)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);

    let mut problems: Vec<String> = Vec::new();
    let mut members: Vec<ServerMember> = Vec::new();
    let mut seen: HashMap<MemberId, u64> = HashMap::new();
    let mut header_seen = false;
    for (index, record) in reader.byte_records().enumerate() {
        let fallback_line = index as u64 + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(fallback_line, |p| p.line());
                problems.push(format!("line {line}: cannot read the row: {e}"));
                // A CSV syntax error leaves the reader's position uncertain: stop here.
                break;
            }
        };
        let line = record.position().map_or(fallback_line, |p| p.line());
        let fields: Vec<String> = match record
            .iter()
            .map(|f| std::str::from_utf8(f).map(str::to_owned))
            .collect::<std::result::Result<_, _>>()
        {
            Ok(f) => f,
            Err(_) => {
                problems.push(format!(
                    "line {line}: not UTF-8 (save the file as CSV UTF-8)"
                ));
                continue;
            }
        };
        if !header_seen {
            header_seen = true;
            let names: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
            if names != CSV_HEADER {
                problems.push(format!(
                    "line {line}: the header must be \"{}\"",
                    CSV_HEADER.join(",")
                ));
                break;
            }
            continue;
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line (spreadsheets add them at the end)
        }
        if fields.len() != CSV_HEADER.len() {
            problems.push(format!(
                "line {line}: expected {} columns, found {}",
                CSV_HEADER.len(),
                fields.len()
            ));
            continue;
        }
        let mut row_problems = Vec::new();
        let role = Role::parse(fields[3].trim())
            .map_err(|_| row_problems.push(format!("unknown role {:?}", fields[3].trim())))
            .ok();
        let status = MemberStatus::parse(fields[4].trim())
            .map_err(|_| row_problems.push(format!("unknown status {:?}", fields[4].trim())))
            .ok();
        let id = MemberId::new(&fields[0]);
        if let Some(first) = seen.get(&id) {
            row_problems.push(format!(
                "member id \"{id}\" already appears on line {first}"
            ));
        } else if !id.as_str().is_empty() {
            seen.insert(id, line);
        }
        if let (Some(role), Some(status), true) = (role, status, row_problems.is_empty()) {
            let new = NewMember {
                id: fields[0].clone(),
                committee_id: committee_id.clone(),
                branch_id: Some(fields[2].clone()),
                full_name: fields[1].clone(),
                role,
                status,
            };
            match check_member(store, &new, &branches) {
                Ok(m) => members.push(m),
                Err(Error::InvalidInput(msg)) => row_problems.push(msg),
                Err(Error::AlreadyExists(what)) => {
                    row_problems.push(format!("{what} already exists"))
                }
                Err(e) => return Err(e),
            }
        }
        problems.extend(
            row_problems
                .into_iter()
                .map(|p| format!("line {line}: {p}")),
        );
    }
    if !header_seen && problems.is_empty() {
        problems.push("line 1: the file is empty".to_owned());
    }
    if !problems.is_empty() {
        return Err(Error::InvalidInput(format!(
            "members CSV refused, nothing was imported:\n{}",
            problems.join("\n")
        )));
    }
    for m in &members {
        store.put_member(m, now)?;
    }
    Ok(members)
}

/// A member by id, or [`Error::NotFound`].
fn existing_member(store: &dyn ServerStore, id: &MemberId) -> Result<ServerMember> {
    store
        .member(id)?
        .ok_or_else(|| Error::NotFound(format!("member {id}")))
}

/// Removes a member at `now`: marks them inactive (their devices are refused from the next
/// request; their role ends at `now`, so nothing they sign later counts) and revokes all
/// their devices. Returns how many devices were revoked now. Removing a removed member again
/// only revokes what is left.
pub fn remove_member(store: &dyn ServerStore, id: &MemberId, now: i64) -> Result<usize> {
    let mut member = existing_member(store, id)?;
    if member.active {
        member.active = false;
        // First cut everything off with one write; then revoke each device.
        store.put_member(&member, now)?;
    }
    let mut revoked = 0;
    for device in store.devices_of_member(id)? {
        if device.revoked_at.is_none() && store.revoke_device(&device.id, now)? {
            revoked += 1;
        }
    }
    Ok(revoked)
}

/// Moves an active branch member to another branch of the same committee at `now` (their role
/// in the old branch ends then). From the next request their devices read and write the new
/// branch only.
pub fn move_member(
    store: &dyn ServerStore,
    id: &MemberId,
    branch: &BranchId,
    now: i64,
) -> Result<ServerMember> {
    let mut member = existing_member(store, id)?;
    if !member.active {
        return Err(Error::InvalidInput(format!("member {id} was removed")));
    }
    if !is_branch_role(member.role) {
        return Err(Error::InvalidInput(format!(
            "member {id} is committee-level ({}) and belongs to no branch",
            member.role.as_str()
        )));
    }
    let target = store
        .branch(branch)?
        .filter(|b| b.committee_id == member.committee_id)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "branch {branch} in committee {}",
                member.committee_id
            ))
        })?;
    member.branch_id = Some(target.id);
    store.put_member(&member, now)?;
    Ok(member)
}

/// Changes an active member's role at `now` (a re-election, a new executive): their former
/// role ends and the new one starts then, so what they signed in the former role stays valid
/// and nothing they sign afterwards counts under it. A branch role stays a branch role and a
/// committee-level role (`Inspector`, `Admin`) stays committee-level: a member who changes
/// between the two is removed and added again under the right placement. Setting the role a
/// member already holds changes nothing.
///
/// Several secretaries at once are not refused: a hand-over is two calls (the new secretary,
/// then the former one back to `Member`, or the other way round), and either order is valid.
pub fn set_role(
    store: &dyn ServerStore,
    id: &MemberId,
    role: Role,
    now: i64,
) -> Result<ServerMember> {
    let mut member = existing_member(store, id)?;
    if !member.active {
        return Err(Error::InvalidInput(format!("member {id} was removed")));
    }
    match (is_branch_role(role), &member.branch_id) {
        (true, None) => {
            return Err(Error::InvalidInput(format!(
                "member {id} is committee-level and belongs to no branch; role {} needs one",
                role.as_str()
            )));
        }
        (false, Some(branch)) => {
            return Err(Error::InvalidInput(format!(
                "role {} is committee-level, but member {id} belongs to branch {branch}",
                role.as_str()
            )));
        }
        _ => {}
    }
    if member.role != role {
        member.role = role;
        store.put_member(&member, now)?;
    }
    Ok(member)
}

/// Turns the delegation of a branch's annual-plan approval to its deputy secretary on or off
/// at `now`. Returns the branch. While it is on, the deputy secretary's approvals of the
/// branch's annual plan count as the secretary's; turning it off does not void what the
/// deputy approved while it was on.
pub fn set_plan_delegation(
    store: &dyn ServerStore,
    branch: &BranchId,
    delegated: bool,
    now: i64,
) -> Result<Branch> {
    let b = store
        .branch(branch)?
        .ok_or_else(|| Error::NotFound(format!("branch {branch}")))?;
    store.set_plan_delegation(branch, delegated, now)?;
    Ok(b)
}

/// A committee's own settings (all `None`: the defaults). An unknown committee is
/// [`Error::NotFound`].
pub fn committee_settings(
    store: &dyn ServerStore,
    committee_id: &str,
) -> Result<CommitteeSettings> {
    committee(store, committee_id)?;
    store.committee_settings(committee_id)
}

/// Sets the committee's participation-evidence weights from their JSON (the shape `sotay
/// evidence weights --json` prints), or with `None` goes back to the defaults. Weights
/// outside QĐ 366's frame or that do not read are refused ([`Error::Core`] with
/// `InvalidInput`) and change nothing. Every phone of the committee receives them with the
/// signed directory at its next sync. Returns the settings now in force.
pub fn set_evidence_weights(
    store: &dyn ServerStore,
    committee_id: &str,
    json: Option<&str>,
) -> Result<CommitteeSettings> {
    let mut settings = committee_settings(store, committee_id)?;
    settings.evidence_weights = match json {
        Some(j) => Some(canonical_json(&Weights::from_json(j)?)?),
        None => None,
    };
    store.set_committee_settings(committee_id, &settings)?;
    Ok(settings)
}

/// Sets the committee's meeting-quality grid from its JSON (criteria with maxima adding up to
/// 100), or with `None` goes back to the default grid; as [`set_evidence_weights`].
pub fn set_quality_grid(
    store: &dyn ServerStore,
    committee_id: &str,
    json: Option<&str>,
) -> Result<CommitteeSettings> {
    let mut settings = committee_settings(store, committee_id)?;
    settings.quality_grid = match json {
        Some(j) => Some(canonical_json(&QualityGrid::from_json(j)?)?),
        None => None,
    };
    store.set_committee_settings(committee_id, &settings)?;
    Ok(settings)
}

/// What is stored: the checked value written again, so formatting alone changes nothing.
fn canonical_json<T: serde::Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

fn committee(store: &dyn ServerStore, committee_id: &str) -> Result<Committee> {
    store
        .committee(committee_id)?
        .ok_or_else(|| Error::NotFound(format!("committee {committee_id}")))
}

/// The server's ed25519 public key (what phones pin at enrollment; print it with `sotay-server
/// admin --data DIR server-key` to compare with a phone's).
pub fn server_public_key(store: &dyn ServerStore) -> Result<[u8; 32]> {
    Ok(SigningKey::from_bytes(&store.server_secret()?)
        .verifying_key()
        .to_bytes())
}

/// A member's devices (revoked ones included).
pub fn list_devices(store: &dyn ServerStore, member: &MemberId) -> Result<Vec<Device>> {
    existing_member(store, member)?;
    store.devices_of_member(member)
}

/// Revokes a device: its next request is refused. Returns `false` if it was revoked already.
pub fn revoke_device(store: &dyn ServerStore, device_id: &str, now: i64) -> Result<bool> {
    if store.device(device_id)?.is_none() {
        return Err(Error::NotFound(format!("device {device_id}")));
    }
    store.revoke_device(device_id, now)
}

// ----- enrollment codes --------------------------------------------------------------------

/// A freshly issued enrollment code. The code is shown once and never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCode {
    /// The member it enrolls a device for.
    pub member_id: MemberId,
    /// The code, grouped for reading: `XXXX-XXXX-XXXX`.
    pub code: String,
    /// Unix seconds after which it no longer works.
    pub expires_at: i64,
}

/// A code as compared: uppercase, without dashes and spaces.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// The SHA-256 the store keeps for a code (of its normalised form).
pub fn code_hash(code: &str) -> [u8; 32] {
    Sha256::digest(normalize_code(code).as_bytes()).into()
}

fn random_code() -> String {
    let mut rng = rand::rng(); // ChaCha-based, seeded from the OS: cryptographically secure
    let raw: Vec<char> = (0..CODE_LEN)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect();
    raw.chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Issues a one-time enrollment code for an active member, valid `valid_for_secs` from `now`.
/// Earlier codes of the member stay valid until used or expired.
pub fn issue_code(
    store: &dyn ServerStore,
    member: &MemberId,
    now: i64,
    valid_for_secs: i64,
) -> Result<IssuedCode> {
    if valid_for_secs <= 0 {
        return Err(Error::InvalidInput(
            "a code must be valid for some time".to_owned(),
        ));
    }
    let m = existing_member(store, member)?;
    if !m.active {
        return Err(Error::InvalidInput(format!("member {member} was removed")));
    }
    let code = random_code();
    let expires_at = now.saturating_add(valid_for_secs);
    store.create_enrollment_code(code_hash(&code), member, expires_at)?;
    Ok(IssuedCode {
        member_id: m.id,
        code,
        expires_at,
    })
}

/// Why an enrollment was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnrollError {
    /// The code is unknown, used or expired — deliberately not saying which.
    #[error("this enrollment code is not valid")]
    InvalidCode,
    /// The public key or device name is not acceptable.
    #[error("{0}")]
    InvalidInput(String),
    /// The store failed (the detail is for the server log, not the client).
    #[error("storage failed during enrollment: {0}")]
    Storage(String),
}

impl EnrollError {
    /// The HTTP status: 403 for a code that does not work, 400 for bad input, 500 for storage.
    pub fn status(&self) -> u16 {
        match self {
            EnrollError::InvalidCode => 403,
            EnrollError::InvalidInput(_) => 400,
            EnrollError::Storage(_) => 500,
        }
    }

    /// A stable code for [`ErrorBody::code`].
    pub fn code(&self) -> &'static str {
        match self {
            EnrollError::InvalidCode => "invalid_code",
            EnrollError::InvalidInput(_) => "bad_request",
            EnrollError::Storage(_) => "internal",
        }
    }

    /// A message for people.
    pub fn message(&self) -> String {
        match self {
            EnrollError::Storage(_) => {
                "the server could not enroll this device; try again later".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The JSON error body of the response.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.message(),
        }
    }
}

impl From<Error> for EnrollError {
    fn from(e: Error) -> Self {
        EnrollError::Storage(e.to_string())
    }
}

/// Parses a device's public key: 64 hex digits, a valid ed25519 point of full order.
pub fn parse_public_key(hex_key: &str) -> std::result::Result<[u8; 32], EnrollError> {
    let bad = || {
        EnrollError::InvalidInput(
            "public_key must be an ed25519 public key, 64 hex digits".to_owned(),
        )
    };
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad())?;
    // A small-order key would let anyone forge "valid" signatures under lax verification.
    if key.is_weak() {
        return Err(bad());
    }
    Ok(bytes)
}

/// Redeems an enrollment code for a device (the `/v1/enroll` endpoint).
///
/// Checks the public key ([`parse_public_key`]) and the device name (1–64 characters, NFC),
/// then redeems the normalised code atomically and binds a new device (random 16-byte hex id)
/// to the code's member. A code that is unknown, already used, expired, or whose member was
/// removed meanwhile gets one answer, [`EnrollError::InvalidCode`], so a guesser learns nothing.
pub fn enroll(
    store: &dyn ServerStore,
    req: &EnrollRequest,
    now: i64,
) -> std::result::Result<EnrollResponse, EnrollError> {
    let public_key = parse_public_key(&req.public_key)?;
    let name =
        clean_name("device_name", &req.device_name, MAX_DEVICE_NAME_CHARS).map_err(
            |e| match e {
                Error::InvalidInput(msg) => EnrollError::InvalidInput(msg),
                other => EnrollError::from(other),
            },
        )?;
    let code = normalize_code(&req.code);
    if code.len() != CODE_LEN || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return Err(EnrollError::InvalidCode);
    }
    // Before the code is spent: a failure here must leave it usable.
    let server_key = hex::encode(server_public_key(store)?);
    let device = Device {
        id: hex::encode(rand::random::<[u8; 16]>()),
        member_id: MemberId::new(""),
        public_key,
        name,
        enrolled_at: now,
        revoked_at: None,
    };
    let Some(device) = store.redeem_enrollment_code(code_hash(&code), &device, now)? else {
        return Err(EnrollError::InvalidCode);
    };
    let member = match store.member(&device.member_id)? {
        Some(m) if m.active => m,
        _ => {
            // Removed after the code was issued: the code is spent and the device useless.
            store.revoke_device(&device.id, now)?;
            return Err(EnrollError::InvalidCode);
        }
    };
    Ok(EnrollResponse {
        device_id: device.id,
        member: crate::directory::member_entry(&member),
        committee_id: member.committee_id,
        server_key,
    })
}
