//! The command-line grammar (clap derive). Help texts are English with the Vietnamese terms
//! in parentheses, because the people reading them run a Vietnamese branch's plan.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Ids: plans, drafts, materials, sessions, comments and legal bases accept any unique prefix of
their id (the 8-character prefixes shown in lists are enough); a session's tasks also accept
their number in `sotay session show`. Topics accept the STT number shown by
`sotay plan show` (a plain number is always read as an STT) or a unique prefix of the topic id.
Members (presenter, preparer, executive) accept a directory id or a full name; names match with
accents and tone placement ignored (\"Hoàng Đức Lượng\", \"Hoang Duc Luong\" and \"Hoàng Đức Lựơng\"
are the same person). A value that matches nobody is taken as a member id as given.

Approval (duyệt): `sotay submit DOC` asks for it (any member); `sotay approve DOC` signs exactly
the current version on this device (secretary; executives for drafts and materials), refused
while conflicts or missing months/preparers/presenters remain, and before the first sync (the
member directory it is checked against comes with sync). `sotay status [DOC]` says where each
document stands, `sotay diff DOC` what changed since the approval (or `--from ID --to ID` between
two sign-offs), `sotay show-approved DOC` the approved version itself. Sign-off ids accept a
unique prefix (`sotay status DOC` lists them). `sotay history DOC --by-member` / `--blame` tell
who did what.

Every command takes --json: the result (or {\"error\", \"kind\"}) as JSON on stdout.
Exit codes: 0 done; 2 invalid input or not found; 1 anything else (refused — not_permitted,
not_ready, not_enrolled —, storage failure).

Development aid until `sync` arrives in Step 2: `sotay dev merge --from OTHER_STORE` merges every
document of another store file into this one (see `sotay dev merge --help`).";

/// `sotay`: one device's store of a branch's annual thematic plan (kế hoạch sinh hoạt chuyên
/// đề), its topic drafts (dự thảo), study materials (tài liệu) and comments (góp ý).
#[derive(Debug, Parser)]
#[command(
    name = "sotay",
    version,
    about = "SoTay device CLI: a branch's annual thematic plan (kế hoạch sinh hoạt chuyên đề), drafts and comments, offline",
    after_help = AFTER_HELP
)]
pub(super) struct Cli {
    /// The store file (default: $SOTAY_STORE, else ./sotay.db).
    #[arg(long, global = true, value_name = "PATH")]
    pub(super) store: Option<PathBuf>,
    /// Print the result as JSON on stdout (errors too: {"error", "kind"}).
    #[arg(long, global = true)]
    pub(super) json: bool,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Create the store if needed and set the member this device edits as (danh tính).
    Init(InitArgs),
    /// The local member directory (danh sách đảng viên).
    #[command(subcommand)]
    Member(MemberCmd),
    /// Annual thematic plans (kế hoạch sinh hoạt chuyên đề năm).
    #[command(subcommand)]
    Plan(PlanCmd),
    /// Topics of a plan (chuyên đề).
    #[command(subcommand)]
    Topic(TopicCmd),
    /// Topic drafts (dự thảo).
    #[command(subcommand)]
    Draft(DraftCmd),
    /// Study materials (tài liệu).
    #[command(subcommand)]
    Material(MaterialCmd),
    /// Drafts and materials: list, show, edit the text.
    #[command(subcommand)]
    Doc(DocCmd),
    /// Attach a file (a PDF, a scan) to a study material (đính kèm tệp).
    ///
    /// The file is kept on this device, listed in the material, and sent to the server at the
    /// next sync; other members fetch it when they open it (`sotay blob fetch`). At most 20 MiB.
    Attach(AttachArgs),
    /// Attachments' files (tệp đính kèm): fetch one from the server, list what waits to be sent.
    #[command(subcommand)]
    Blob(BlobCmd),
    /// Comments and replies on a draft or material (góp ý).
    #[command(subcommand)]
    Comment(CommentCmd),
    /// Proposals (giải pháp, hiến kế): follow their status.
    #[command(subcommand)]
    Proposal(ProposalCmd),
    /// Fields two devices set differently while offline (xung đột): list them, or resolve one.
    Conflicts(ConflictsArgs),
    /// The change history of a plan, draft or material (lịch sử thay đổi); who did what.
    ///
    /// Every change one by one; --by-member groups them by member and session; --blame shows
    /// who last set each field and who typed each span of text.
    History(HistoryArgs),
    /// Ask for approval of the current version (đề nghị duyệt); any member.
    ///
    /// Signed on this device with its key, sent at the next sync.
    Submit(SignArgs),
    /// Approve exactly the current version (duyệt), signed on this device.
    ///
    /// The secretary approves a plan (the deputy too while delegated); the secretary or an
    /// executive a draft or material. Refused while the document has conflicts or a topic
    /// lacks its month, preparer or presenter (every reason is listed), and before the first
    /// sync brought the member directory.
    Approve(SignArgs),
    /// Where approval stands (trạng thái duyệt), per document or for one in detail.
    ///
    /// Not submitted, submitted, approved, approved with changes (with what changed), or
    /// approval invalid (with why).
    Status(StatusArgs),
    /// Show a plan, draft or material exactly as approved (bản đã duyệt).
    ShowApproved(ShowApprovedArgs),
    /// What changed since the current approval, or between two approvals (so sánh phiên bản).
    Diff(DiffArgs),
    /// Check the store: SQLite integrity and damaged documents (kiểm tra).
    Check,
    /// Enroll this device with the committee's sync server using a one-time code from the
    /// admin (đăng ký thiết bị). Creates the store if needed; the device key never leaves it.
    Enroll(EnrollArgs),
    /// Sync every document with the server in one round trip (đồng bộ); offline is fine:
    /// edits stay queued. `--status` shows where sync stands without connecting.
    Sync(SyncArgs),
    /// Write the annual plan as the official paper (văn bản kế hoạch), DOCX or HTML.
    ///
    /// The approval in force, exactly as signed, with its signer under "T/M CHI BỘ"; without
    /// one (or with --current) this device's version, marked "DỰ THẢO". Cancelled topics are
    /// left out of the table. Names come from the member directory; the branch's name from
    /// the synced directory (or --branch-name); the committee's name from --committee.
    ExportPlan(ExportPlanArgs),
    /// Write a session's minutes as the official paper (biên bản), DOCX or HTML.
    ///
    /// The adopted version (both signatures on it), with the clerk's and the chair's names
    /// under their signature lines; without adoption (or with --current) this device's
    /// version, marked "DỰ THẢO".
    ExportMinutes(ExportMinutesArgs),
    /// Thematic sessions (buổi sinh hoạt chuyên đề) and their minutes (biên bản).
    ///
    /// An officer creates the session of a topic; the chair and the clerk (or an officer)
    /// record the minutes: times, attendance, opinions by name, conclusion, resolution and
    /// vote, tasks; the chair and the clerk adopt them by signing the same version.
    #[command(subcommand)]
    Session(SessionCmd),
    /// Publish a draft or material to the branch for a session (gửi tài liệu); the secretary
    /// or an executive. A topic draft goes out exactly as approved, and only once approved.
    Publish(PublishArgs),
    /// Open a draft or material: show it and record that you read it (đã đọc) — once, on
    /// this device, offline; the receipt syncs like any edit.
    Open(OpenArgs),
    /// The materials published to you, newest session first, and whether you read them.
    ReadingList(ReadingListArgs),
    /// Who has read each material of a session and who has not, and whether it went out
    /// later than the branch's rule (HD 42: at least one day before).
    Distribution(DistributionArgs),
    /// Branch settings kept in its annual plan.
    #[command(subcommand)]
    Branch(BranchCmd),
    /// Proposals followed through (theo dõi hiến kế): each proposal with its stage — open,
    /// adopted into a resolution, overdue, done, rejected — and the task that carries it.
    Proposals(ProposalsArgs),
    /// Participation evidence (minh chứng) per member for the year: a proposal for the
    /// branch's vote under QĐ 366, never a rating. `evidence sheet` prints one member's
    /// sheet; `evidence weights` shows the committee's weights.
    Evidence(EvidenceArgs),
    /// Development aids (not for production use).
    #[command(subcommand, hide = true)]
    Dev(DevCmd),
}

#[derive(Debug, Args)]
pub(super) struct AttachArgs {
    /// The material: id or unique prefix.
    pub(super) material: String,
    /// The file to attach.
    pub(super) file: PathBuf,
    /// The name shown to members; default: the file's name.
    #[arg(long, value_name = "N")]
    pub(super) name: Option<String>,
    /// Its media type ("application/pdf"); default: guessed from the name.
    #[arg(long, value_name = "TYPE")]
    pub(super) mime: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(super) enum BlobCmd {
    /// Save an attachment's file: from this device if it has it, else fetched from the
    /// server (checked against its SHA-256 before anything is kept).
    Fetch {
        /// The attachment's SHA-256, or a unique prefix of it (as `sotay doc show` lists them).
        sha256: String,
        /// Where to write the file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Files added here that wait to be sent, and those the server refused (with why).
    List,
}

#[derive(Debug, Args)]
pub(super) struct HistoryArgs {
    /// The document (plan, draft or material): id or unique prefix.
    pub(super) doc: String,
    /// Group the changes by member, then by session (consecutive changes of one device
    /// sitting), with counts, first and last time and what they touched.
    #[arg(long, conflicts_with = "blame")]
    pub(super) by_member: bool,
    /// Who last set each field (plan header, each topic, each căn cứ) and who typed each
    /// span of the texts, with when.
    #[arg(long)]
    pub(super) blame: bool,
}

#[derive(Debug, Args)]
pub(super) struct SignArgs {
    /// The document (plan, draft or material): id or unique prefix.
    pub(super) doc: String,
    /// A remark signed with the record ("Đồng ý ban hành").
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(super) note: String,
}

#[derive(Debug, Args)]
pub(super) struct StatusArgs {
    /// One document (id or unique prefix); without it, one line per document.
    pub(super) doc: Option<String>,
    /// List every change since the approval, not just a summary.
    #[arg(long, requires = "doc")]
    pub(super) full: bool,
    /// Show the document exactly as approved (like `sotay show-approved DOC`).
    #[arg(long, requires = "doc", conflicts_with = "full")]
    pub(super) as_approved: bool,
}

#[derive(Debug, Args)]
pub(super) struct ShowApprovedArgs {
    /// The document (plan, draft or material): id or unique prefix.
    pub(super) doc: String,
    /// Which approval (a unique prefix of its id, as `sotay status DOC` lists them); default:
    /// the approval in force.
    #[arg(long, value_name = "ID")]
    pub(super) approval: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct DiffArgs {
    /// The document (plan, draft or material): id or unique prefix.
    pub(super) doc: String,
    /// The older version: a sign-off id prefix, or `current-approval` (the default).
    #[arg(long, value_name = "APPROVAL_ID")]
    pub(super) from: Option<String>,
    /// The newer version: a sign-off id prefix, or `current` (the default: this device's
    /// current version).
    #[arg(long, value_name = "APPROVAL_ID")]
    pub(super) to: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct EnrollArgs {
    /// The server's base URL ("http://127.0.0.1:8787").
    #[arg(long)]
    pub(super) server: String,
    /// The one-time enrollment code ("ABCD-EFGH-JKMN").
    #[arg(long)]
    pub(super) code: String,
    /// A name for this device.
    #[arg(long, default_value = "sotay CLI")]
    pub(super) name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ExportFormat {
    /// Word document (A4, Times New Roman), to print, sign and file.
    Docx,
    /// One self-contained HTML page that prints on A4.
    Html,
}

#[derive(Debug, Args)]
pub(super) struct ExportPlanArgs {
    /// The plan: id or unique prefix.
    pub(super) plan: String,
    /// docx | html; default: from the --out file's extension.
    #[arg(long, value_enum)]
    pub(super) format: Option<ExportFormat>,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub(super) out: PathBuf,
    /// The superior committee ("Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh"): the header's
    /// first line and the first recipient. Default: the name in the signed member directory.
    #[arg(long, value_name = "NAME")]
    pub(super) committee: Option<String>,
    /// The branch ("Chi bộ Phân xưởng Cơ điện"); default: its name in the synced directory.
    #[arg(long, value_name = "NAME")]
    pub(super) branch_name: Option<String>,
    /// The place in the dateline ("Quảng Ninh"); default: dots, to fill in by hand.
    #[arg(long, value_name = "NAME")]
    pub(super) place: Option<String>,
    /// The name under "T/M CHI BỘ / BÍ THƯ"; default: the approval's signer, else the
    /// branch's secretary in the directory.
    #[arg(long, value_name = "NAME")]
    pub(super) signer: Option<String>,
    /// A further recipient (nơi nhận) between the committee and "Lưu chi bộ"; repeat for
    /// several.
    #[arg(long, value_name = "TEXT")]
    pub(super) recipient: Vec<String>,
    /// Export this device's current version (marked "DỰ THẢO" unless it is exactly the
    /// approved one) instead of the approval in force.
    #[arg(long)]
    pub(super) current: bool,
}

#[derive(Debug, Args)]
pub(super) struct ExportMinutesArgs {
    /// The session: id or unique prefix.
    pub(super) session: String,
    /// docx | html; default: from the --out file's extension.
    #[arg(long, value_enum)]
    pub(super) format: Option<ExportFormat>,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub(super) out: PathBuf,
    /// The superior committee ("Đảng bộ …"). Default: the name in the signed directory.
    #[arg(long, value_name = "NAME")]
    pub(super) committee: Option<String>,
    /// The branch ("Chi bộ …"); default: its name in the synced directory.
    #[arg(long, value_name = "NAME")]
    pub(super) branch_name: Option<String>,
    /// The place in the dateline; default: dots.
    #[arg(long, value_name = "NAME")]
    pub(super) place: Option<String>,
    /// Export this device's current version instead of the adopted one.
    #[arg(long)]
    pub(super) current: bool,
}

#[derive(Debug, Args)]
pub(super) struct SyncArgs {
    /// Only show the sync status (last sync, cursor, queued documents); no network.
    #[arg(long)]
    pub(super) status: bool,
    /// Response size budget in bytes (small values page a first download).
    #[arg(long, default_value_t = 0)]
    pub(super) budget: u32,
}

#[derive(Debug, Args)]
pub(super) struct InitArgs {
    /// The member this device edits as: a directory id ("m-viet") or a known name.
    #[arg(long, value_name = "ID")]
    pub(super) member: String,
}

#[derive(Debug, Subcommand)]
pub(super) enum MemberCmd {
    /// Add a member to the local directory, or update one with the same id (thêm đảng viên).
    Add {
        /// Directory id ("m-luong").
        #[arg(long)]
        id: String,
        /// Full name ("Hoàng Đức Lượng").
        #[arg(long)]
        name: String,
        /// Branch (chi bộ) id; default: the branch of this device's member, or the only branch
        /// the store knows.
        #[arg(long, value_name = "B")]
        branch: Option<String>,
        /// Secretary (bí thư) | DeputySecretary (phó bí thư) | Executive (chi ủy viên) | Member
        /// (đảng viên).
        #[arg(long, default_value = "Member")]
        role: String,
        /// Full (chính thức) | Probationary (dự bị) | Exempt (miễn sinh hoạt).
        #[arg(long, default_value = "Full")]
        status: String,
    },
    /// List the directory in Vietnamese name order (given name first).
    List {
        /// Only names containing these words, accents ignored ("nguyen" finds "Nguyễn").
        #[arg(long, value_name = "Q")]
        search: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum PlanCmd {
    /// Create an annual plan; prints its id.
    Create(PlanCreate),
    /// List the plans in this store.
    List,
    /// Show a plan: header, căn cứ, purpose, the topic table (STT, Tháng, Tên chuyên đề …).
    Show {
        /// The plan: id or unique prefix.
        plan: String,
    },
    /// Set a header field: title | number | date (ngày ban hành, DD/MM/YYYY or YYYY-MM-DD).
    Set {
        /// The plan: id or unique prefix.
        plan: String,
        /// title | number | date.
        field: String,
        /// The new value (an empty value clears the date).
        value: String,
    },
    /// Show or edit a text section: purpose (I. Mục đích, yêu cầu) or implementation (III. Tổ
    /// chức thực hiện).
    Text(PlanTextArgs),
    /// Legal bases (căn cứ): regulations the plan rests on, number with date.
    #[command(subcommand)]
    Basis(BasisCmd),
}

#[derive(Debug, Args)]
pub(super) struct PlanCreate {
    /// Branch (chi bộ) id; default: the branch of this device's member, or the only branch known.
    #[arg(long, value_name = "B")]
    pub(super) branch: Option<String>,
    /// The plan's year (năm).
    #[arg(long, value_name = "Y")]
    pub(super) year: i32,
    /// Number (số), e.g. "01-KH/CB".
    #[arg(long, default_value = "")]
    pub(super) number: String,
    /// Issue date (ngày ban hành): DD/MM/YYYY or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(super) date: Option<String>,
    /// Title; default "Kế hoạch sinh hoạt chuyên đề năm Y".
    #[arg(long, default_value = "")]
    pub(super) title: String,
    /// I. Mục đích, yêu cầu.
    #[arg(long, default_value = "")]
    pub(super) purpose: String,
    /// III. Tổ chức thực hiện.
    #[arg(long, default_value = "")]
    pub(super) implementation: String,
}

#[derive(Debug, Args)]
pub(super) struct PlanTextArgs {
    /// The plan: id or unique prefix.
    pub(super) plan: String,
    /// purpose | implementation.
    pub(super) section: String,
    #[command(flatten)]
    pub(super) edit: TextEdit,
}

/// One edit of a collaborative text. Positions and lengths count Unicode characters (code
/// points of the NFC text), so "ệ" is one.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub(super) struct TextEdit {
    /// Replace the whole text (as the smallest edits, so concurrent edits merge).
    #[arg(long, value_name = "TEXT")]
    pub(super) set: Option<String>,
    /// Replace the whole text with a UTF-8 file's content ("-" reads stdin).
    #[arg(long, value_name = "PATH")]
    pub(super) set_file: Option<PathBuf>,
    /// Insert TEXT at character position POS (0 = the start).
    #[arg(long, num_args = 2, value_names = ["POS", "TEXT"], allow_hyphen_values = true)]
    pub(super) insert: Option<Vec<String>>,
    /// Delete LEN characters starting at character position POS.
    #[arg(long, num_args = 2, value_names = ["POS", "LEN"])]
    pub(super) delete: Option<Vec<usize>>,
}

#[derive(Debug, Subcommand)]
pub(super) enum BasisCmd {
    /// Add a legal basis; prints its id.
    Add {
        /// The plan: id or unique prefix.
        plan: String,
        /// Number ("12-HD/BTCTW").
        #[arg(long)]
        number: String,
        /// Its date — numbers repeat across years, the date tells them apart.
        #[arg(long)]
        date: Option<String>,
        /// What it is ("Hướng dẫn … nâng cao chất lượng sinh hoạt chi bộ").
        #[arg(long, default_value = "")]
        title: String,
    },
    /// Remove a legal basis.
    Remove {
        /// The plan: id or unique prefix.
        plan: String,
        /// The basis: its number in the list (1, 2 …) or a unique prefix of its id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum TopicCmd {
    /// Add a topic at the end of the plan; prints its id.
    Add(TopicAdd),
    /// Show every field of one topic.
    Show {
        /// The plan: id or unique prefix.
        plan: String,
        /// The topic: STT number or unique id prefix.
        topic: String,
    },
    /// Set one field: title | group | date | combined | presenter | executive | deadline |
    /// output | notes | status (planned, drafting, held, postponed, cancelled).
    Set {
        /// The plan: id or unique prefix.
        plan: String,
        /// The topic: STT number or unique id prefix.
        topic: String,
        /// The field name.
        field: String,
        /// The new value; members by id or name; an empty value clears optional fields.
        value: String,
    },
    /// Add or remove a preparer (người chuẩn bị).
    Preparer {
        /// The plan: id or unique prefix.
        plan: String,
        /// The topic: STT number or unique id prefix.
        topic: String,
        /// add | remove.
        action: PreparerAction,
        /// The member: id or name.
        member: String,
    },
    /// Move a topic to a position in the plan (1 = first).
    Move {
        /// The plan: id or unique prefix.
        plan: String,
        /// The topic: STT number or unique id prefix.
        topic: String,
        /// The new STT position, 1-based.
        index: usize,
    },
    /// Cancel a topic (hủy): it stays in the plan, marked cancelled.
    Cancel {
        /// The plan: id or unique prefix.
        plan: String,
        /// The topic: STT number or unique id prefix.
        topic: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum PreparerAction {
    /// Add the member as a preparer.
    Add,
    /// Remove the member.
    Remove,
}

#[derive(Debug, Args)]
pub(super) struct TopicAdd {
    /// The plan: id or unique prefix.
    pub(super) plan: String,
    /// Tên chuyên đề.
    #[arg(long)]
    pub(super) title: String,
    /// Month (tháng) 1–12; the session is on the 3rd unless --date says otherwise.
    #[arg(long, value_name = "M")]
    pub(super) month: Option<u8>,
    /// Topic group (nhóm vấn đề, HD 12): ho_chi_minh | political_theory |
    /// resolutions_and_laws | preventing_degradation | party_building | anti_corruption |
    /// production_targets, or its number 1–7 in that order.
    #[arg(long, value_name = "CODE", default_value = "party_building")]
    pub(super) group: String,
    /// The session date, overriding the 3rd of the month.
    #[arg(long, value_name = "D")]
    pub(super) date: Option<String>,
    /// Shares the sitting with the monthly regular meeting (≥ 120 minutes).
    #[arg(long)]
    pub(super) combined: bool,
    /// A preparer (người chuẩn bị); repeat for several.
    #[arg(long, value_name = "X")]
    pub(super) preparer: Vec<String>,
    /// The presenter (người trình bày).
    #[arg(long, value_name = "X")]
    pub(super) presenter: Option<String>,
    /// The executive in charge (chi ủy viên phụ trách).
    #[arg(long, value_name = "X")]
    pub(super) executive: Option<String>,
    /// Draft deadline (hạn gửi dự thảo).
    #[arg(long, value_name = "D")]
    pub(super) deadline: Option<String>,
    /// Expected output (sản phẩm dự kiến).
    #[arg(long, default_value = "")]
    pub(super) output: String,
    /// Notes (ghi chú).
    #[arg(long, default_value = "")]
    pub(super) notes: String,
}

/// Where a new document's text comes from.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub(super) struct BodySource {
    /// The initial text.
    #[arg(long, value_name = "TEXT")]
    pub(super) body: Option<String>,
    /// Read the initial text from a UTF-8 file ("-" reads stdin).
    #[arg(long, value_name = "PATH")]
    pub(super) body_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(super) enum DraftCmd {
    /// Create the draft of a topic; prints its id.
    Create {
        /// The plan: id or unique prefix.
        #[arg(long)]
        plan: String,
        /// The topic: STT number or unique id prefix.
        #[arg(long)]
        topic: String,
        /// Title; default: the topic's title.
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        body: BodySource,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum MaterialCmd {
    /// Create a study material; prints its id.
    Create {
        /// Title.
        #[arg(long)]
        title: String,
        /// The plan it belongs to: id or unique prefix.
        #[arg(long)]
        plan: Option<String>,
        /// The topic it belongs to (needs --plan): STT number or unique id prefix.
        #[arg(long, requires = "plan")]
        topic: Option<String>,
        /// Source, author (nguồn, tác giả).
        #[arg(long, default_value = "")]
        description: String,
        #[command(flatten)]
        body: BodySource,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum DocCmd {
    /// List drafts and materials.
    List {
        /// Only those of this plan.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Show a draft or material: text, then comments in threads.
    Show {
        /// The draft or material: id or unique prefix.
        doc: String,
    },
    /// Edit the text (or the title) of a draft or material.
    Edit {
        /// The draft or material: id or unique prefix.
        doc: String,
        /// Rename the document.
        #[arg(long, conflicts_with_all = ["set", "set_file", "insert", "delete"])]
        title: Option<String>,
        #[command(flatten)]
        edit: TextEdit,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum CommentCmd {
    /// Add a comment (góp ý), a proposal (hiến kế) or a reply; prints its id.
    Add {
        /// The draft or material: id or unique prefix.
        doc: String,
        /// The comment's text.
        #[arg(long)]
        text: String,
        /// It is a proposal (giải pháp, hiến kế), followed until done.
        #[arg(long)]
        proposal: bool,
        /// Anchor it on the first occurrence of these exact words in the text.
        #[arg(long, value_name = "WORDS", conflicts_with_all = ["range", "reply_to"])]
        on: Option<String>,
        /// Anchor it on characters START..END (end exclusive).
        #[arg(long, num_args = 2, value_names = ["START", "END"], conflicts_with = "reply_to")]
        range: Option<Vec<usize>>,
        /// Reply in the thread of this comment (id prefix).
        #[arg(long, value_name = "COMMENT")]
        reply_to: Option<String>,
    },
    /// Change a comment's text (its author only).
    Edit {
        /// The draft or material: id or unique prefix.
        doc: String,
        /// The comment: unique id prefix.
        comment: String,
        /// The new text.
        #[arg(long)]
        text: String,
    },
    /// Delete a comment (its author only); replies keep their thread.
    Delete {
        /// The draft or material: id or unique prefix.
        doc: String,
        /// The comment: unique id prefix.
        comment: String,
    },
    /// Mark a thread resolved (đã giải quyết), or reopen it.
    Resolve {
        /// The draft or material: id or unique prefix.
        doc: String,
        /// The comment: unique id prefix.
        comment: String,
        /// Reopen instead.
        #[arg(long)]
        reopen: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum ProposalCmd {
    /// Set a proposal's status: open | accepted | rejected | done.
    Status {
        /// The draft or material: id or unique prefix.
        doc: String,
        /// The proposal: unique id prefix.
        comment: String,
        /// open (đang mở) | accepted (được chấp nhận) | rejected (không chấp nhận) | done (đã
        /// thực hiện).
        status: String,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(super) struct ConflictsArgs {
    #[command(subcommand)]
    pub(super) action: Option<ConflictsCmd>,
    /// Only this document (id or unique prefix).
    pub(super) doc: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(super) enum ConflictsCmd {
    /// Keep one of the values; it supersedes the others on every device.
    Resolve {
        /// The document: id or unique prefix.
        doc: String,
        /// The field's path as listed (topics/<id>/presenter), or the conflict's #number.
        path: String,
        /// The value to keep: its number as listed (1, 2 …) or its op id.
        choice: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum DevCmd {
    /// Merge every document of another store file into this one (a development aid until
    /// `sync` arrives in Step 2): two store files play two phones. Members missing here are
    /// copied too, so names render.
    Merge {
        /// The other store file.
        #[arg(long, value_name = "OTHER_STORE_PATH")]
        from: PathBuf,
    },
}

// ----- sessions (Step 5) ---------------------------------------------------------------------

#[derive(Debug, Subcommand)]
pub(super) enum SessionCmd {
    /// Create the session of a topic (officers); prints its id. Dated the topic's date unless
    /// --date says otherwise.
    Create {
        /// The plan: id or unique prefix.
        plan: String,
        /// The topic: STT number or unique id prefix.
        topic: String,
        /// The session date (DD/MM/YYYY or YYYY-MM-DD).
        #[arg(long, value_name = "D")]
        date: Option<String>,
    },
    /// List the sessions held here, by date.
    List,
    /// Show the minutes (biên bản): date, time and length against HD 42's 90/120 minutes,
    /// place, chair, clerk, presenter, attendance, guests, opinions, conclusion, resolution
    /// and vote, tasks, quality score, and whether the chair and the clerk adopted them.
    Show {
        /// The session: id or unique prefix.
        session: String,
    },
    /// Set a field: date | combined (yes/no) | start | end ("2026-03-03 08:00" or "08:00" on
    /// the session's day, Vietnam time) | place | chair | clerk | presenter (member id or
    /// name) | votes-for | votes-against | purpose | summary | conclusion | resolution.
    Set {
        /// The session: id or unique prefix.
        session: String,
        /// The field name.
        field: String,
        /// The new value (empty clears).
        value: String,
    },
    /// Record attendance (điểm danh): one member's status, or --all-present for everyone
    /// not yet recorded (exempt members as exempt).
    Attend {
        /// The session: id or unique prefix.
        session: String,
        /// The member: id or name.
        #[arg(required_unless_present = "all_present")]
        member: Option<String>,
        /// present | absent-excused | absent-unexcused | exempt.
        #[arg(required_unless_present = "all_present")]
        status: Option<String>,
        /// The reason for an absence or exemption.
        #[arg(long, default_value = "")]
        reason: String,
        /// Everyone of the branch not yet recorded is present (exempt members: exempt).
        #[arg(long, conflicts_with_all = ["member", "status"])]
        all_present: bool,
    },
    /// Add a guest or a superior committee's delegate (khách mời, đại biểu).
    Guest {
        /// The session: id or unique prefix.
        session: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Position or unit ("Đảng ủy viên, Đảng bộ Công ty").
        #[arg(long, default_value = "")]
        title: String,
        /// A delegate of the superior committee.
        #[arg(long)]
        delegate: bool,
    },
    /// Record an opinion by name (ý kiến phát biểu): typed in, or picked from a comment or
    /// proposal (its author and text; --text overrides the text).
    Opinion {
        /// The session: id or unique prefix.
        session: String,
        /// Who spoke: id or name.
        #[arg(long, required_unless_present = "from", conflicts_with = "from")]
        member: Option<String>,
        /// What they said.
        #[arg(long, required_unless_present = "from")]
        text: Option<String>,
        /// Take it from this comment or proposal: DOC COMMENT (id prefixes).
        #[arg(long, num_args = 2, value_names = ["DOC", "COMMENT"])]
        from: Option<Vec<String>>,
    },
    /// Tasks assigned by the session (phân công thực hiện).
    #[command(subcommand)]
    Task(SessionTaskCmd),
    /// Score one criterion of the meeting-quality grid (tự chấm điểm); empty points clear.
    Quality {
        /// The session: id or unique prefix.
        session: String,
        /// The criterion's code (`sotay session show` lists the grid).
        criterion: String,
        /// Points, at most the criterion's maximum.
        points: String,
    },
    /// Sign the minutes' current version as their chair or clerk (thông qua biên bản); they
    /// are adopted once both signed the same version. Signed here, sent at the next sync.
    Sign {
        /// The session: id or unique prefix.
        session: String,
        /// A remark signed with the record.
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum SessionTaskCmd {
    /// Add a task; with --proposal it adopts that proposal into the resolution (the proposal
    /// becomes accepted). Prints its id.
    Add {
        /// The session: id or unique prefix.
        session: String,
        /// Who does it: id or name.
        #[arg(long)]
        owner: String,
        /// What is to be done.
        #[arg(long)]
        title: String,
        /// By when (DD/MM/YYYY or YYYY-MM-DD).
        #[arg(long, value_name = "D")]
        deadline: Option<String>,
        /// The proposal it adopts: DOC COMMENT (id prefixes).
        #[arg(long, num_args = 2, value_names = ["DOC", "COMMENT"])]
        proposal: Option<Vec<String>>,
    },
    /// Post progress (the owner or an officer): open | in-progress | done | dropped. Done
    /// also marks the adopted proposal done.
    Update {
        /// The session: id or unique prefix.
        session: String,
        /// The task: unique id prefix, or its number in `session show`.
        task: String,
        /// open | in-progress | done | dropped.
        status: String,
        /// What was done.
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Args)]
pub(super) struct PublishArgs {
    /// The session: id or unique prefix.
    pub(super) session: String,
    /// The draft or material: id or unique prefix.
    pub(super) doc: String,
}

#[derive(Debug, Args)]
pub(super) struct OpenArgs {
    /// The draft or material: id or unique prefix.
    pub(super) doc: String,
}

#[derive(Debug, Args)]
pub(super) struct ReadingListArgs {
    /// Only what you have not opened yet.
    #[arg(long)]
    pub(super) unread: bool,
}

#[derive(Debug, Args)]
pub(super) struct DistributionArgs {
    /// The session: id or unique prefix.
    pub(super) session: String,
}

#[derive(Debug, Subcommand)]
pub(super) enum BranchCmd {
    /// How many days before a session its materials must go out (secretary or deputy; HD 42:
    /// at least 1, the default). Kept in the branch's annual plan.
    LeadDays {
        /// The plan: id or unique prefix.
        plan: String,
        /// Days, 1–30.
        days: u32,
    },
}

#[derive(Debug, Args)]
pub(super) struct ProposalsArgs {
    /// Only proposals made in this year (Vietnam time); default: every year.
    #[arg(long, value_name = "Y")]
    pub(super) year: Option<i32>,
    /// Only this branch (id); default: every branch held here.
    #[arg(long, value_name = "B")]
    pub(super) branch: Option<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(super) struct EvidenceArgs {
    #[command(subcommand)]
    pub(super) action: Option<EvidenceCmd>,
    /// The year; default: this year (Vietnam time).
    #[arg(long, value_name = "Y")]
    pub(super) year: Option<i32>,
    /// The branch (id); default: this device's member's branch.
    #[arg(long, value_name = "B")]
    pub(super) branch: Option<String>,
    /// Also write the figures as CSV (UTF-8, one row per member) to this file.
    #[arg(long, value_name = "FILE")]
    pub(super) csv: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(super) enum EvidenceCmd {
    /// Write one member's printable evidence sheet (HTML or DOCX): each category with its
    /// count, suggested points and every piece of evidence.
    Sheet {
        /// The member: id or name.
        member: String,
        /// The year; default: this year (Vietnam time).
        #[arg(long, value_name = "Y")]
        year: Option<i32>,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// html | docx; default: from the --out file's extension.
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        /// The superior committee's name for the header ("Đảng bộ …"); default: the name in
        /// the signed member directory (left out before the first sync).
        #[arg(long, value_name = "NAME")]
        committee: Option<String>,
        /// The branch's name for the header; default: its name in the synced directory.
        #[arg(long, value_name = "NAME")]
        branch_name: Option<String>,
    },
    /// Show the committee's weights (its admin sets them on the server:
    /// `sotay-server admin committee set-evidence-weights`; every phone receives them with
    /// the signed directory).
    Weights,
}
