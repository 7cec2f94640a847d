//! The official plan paper as a reader gets it: the `sotay export-plan` binary writes DOCX and
//! HTML from a real store, LibreOffice (headless) turns each into a PDF, `pdftotext -layout`
//! reads the PDF back, and the Vietnamese text a person would see is checked — header lines,
//! a topic title with diacritics, the table's column headings, names instead of member ids,
//! the signature block.
//!
//! Needs `soffice` (Debian `libreoffice-writer-nogui`) and `pdftotext` (`poppler-utils`);
//! `scripts/test.sh` installs them. Without them the tests say so and pass, except under CI
//! (`CI` set), where a missing tool fails the run.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sotay_core::Store;
use sotay_core::date;
use sotay_core::ids::{BranchId, DocId, MemberId};
use sotay_core::model::plan::{NewPlan, NewTopic, TopicGroup};
use sotay_core::org::{Member, MemberStatus, Role};
use sotay_core::render::plan::COLUMNS;
use sotay_core::text::nfc;

const COMMITTEE: &str = "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh";
const TOPIC_1: &str = "Phát huy vai trò nêu gương của đảng viên trong thực hiện công tác an toàn, vệ sinh lao động tại Phân xưởng Cơ điện";
const TOPIC_2: &str = "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II";
const CANCELLED: &str = "Chuyên đề hủy bỏ về quản lý kho";

/// The path of `tool` on PATH, if any.
fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// Whether LibreOffice and pdftotext are here. Under CI their absence is a failure.
fn tools() -> bool {
    let missing: Vec<&str> = ["soffice", "pdftotext"]
        .into_iter()
        .filter(|t| which(t).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{} not found (Debian: libreoffice-writer-nogui poppler-utils; scripts/test.sh installs them)",
        missing.join(", ")
    );
    assert!(std::env::var_os("CI").is_none(), "{msg}");
    eprintln!("skipping the LibreOffice check: {msg}");
    false
}

/// A store with the demo branch's members and a 2026 plan of three topics (one cancelled).
fn store(dir: &Path) -> (PathBuf, DocId) {
    let path = dir.join("phone.sotay");
    let mut s = Store::open(&path).unwrap();
    s.set_identity(&MemberId::new("m-viet")).unwrap();
    for (id, name, role) in [
        ("m-viet", "Đặng Quốc Việt", Role::Secretary),
        // Typed on a keyboard that sends NFD: the paper must still read NFC.
        (
            "m-luong",
            "Hoa\u{300}ng Đư\u{301}c Lươ\u{323}ng",
            Role::Member,
        ),
        ("m-ung", "Lê Văn Ứng", Role::Executive),
        ("m-hoa", "Vũ Thị Hoà", Role::Executive),
        ("m-anh", "Phạm Ngọc Ánh", Role::Member),
    ] {
        s.upsert_member(&Member {
            id: MemberId::new(id),
            branch_id: BranchId::new("b-co-dien"),
            full_name: name.into(),
            role,
            status: MemberStatus::Full,
        })
        .unwrap();
    }
    let plan = s
        .create_plan(&NewPlan {
            branch_id: BranchId::new("b-co-dien"),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: Some(date::parse("15/01/2026").unwrap()),
            purpose: "Nâng cao chất lượng sinh hoạt chi bộ theo Chỉ thị 50-CT/TW.".into(),
            implementation: "Chi ủy phân công chi ủy viên phụ trách từng chuyên đề.".into(),
        })
        .unwrap();
    s.add_legal_basis(
        &plan,
        "12-HD/BTCTW",
        Some(date::parse("06/07/2018").unwrap()),
        "Hướng dẫn về một số vấn đề nâng cao chất lượng sinh hoạt chi bộ",
    )
    .unwrap();
    let m = |s: &str| MemberId::new(s);
    let topic = |title: &str, month: u8| NewTopic {
        title: title.into(),
        group: TopicGroup::ProductionTargets,
        month,
        scheduled_date: None,
        combined_with_regular_meeting: false,
        preparers: vec![],
        presenter: None,
        executive: None,
        draft_deadline: None,
        expected_output: String::new(),
        notes: String::new(),
    };
    s.add_topic(
        &plan,
        &NewTopic {
            group: TopicGroup::PartyBuilding,
            preparers: vec![m("m-ung")],
            presenter: Some(m("m-ung")),
            executive: Some(m("m-hoa")),
            draft_deadline: Some(date::parse("21/02/2026").unwrap()),
            ..topic(TOPIC_1, 3)
        },
    )
    .unwrap();
    let cancelled = s.add_topic(&plan, &topic(CANCELLED, 4)).unwrap();
    s.cancel_topic(&plan, &cancelled).unwrap();
    s.add_topic(
        &plan,
        &NewTopic {
            preparers: vec![m("m-luong"), m("m-anh")],
            presenter: Some(m("m-luong")),
            executive: Some(m("m-ung")),
            draft_deadline: Some(date::parse("24/03/2026").unwrap()),
            expected_output: "Ít nhất 5 giải pháp, mỗi giải pháp có người phụ trách".into(),
            combined_with_regular_meeting: true,
            ..topic(TOPIC_2, 4)
        },
    )
    .unwrap();
    (path, plan)
}

/// Runs `sotay --store STORE export-plan PLAN ARGS…`; returns (exit code, stdout, stderr).
fn export(store: &Path, plan: &DocId, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sotay"))
        .arg("--store")
        .arg(store)
        .args(["export-plan", plan.as_str()])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// LibreOffice → PDF → `pdftotext -layout`, NFC. Each conversion gets its own LibreOffice
/// profile, so tests running in parallel do not fight over one.
fn pdf_text(file: &Path, work: &Path) -> String {
    let outdir = work.join("pdf");
    let profile = work.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&outdir)
        .arg(file)
        .output()
        .unwrap();
    let pdf = outdir.join(file.with_extension("pdf").file_name().unwrap());
    assert!(
        pdf.is_file(),
        "soffice made no PDF: {}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success(), "pdftotext failed");
    nfc(&String::from_utf8(text.stdout).unwrap())
}

/// The text with every run of whitespace made one space (columns of `-layout` sit apart by
/// many spaces).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words, split at whitespace and after each "/" (a cell may wrap "Tháng/Quý" after its
/// slash).
fn tokens(s: &str) -> Vec<&str> {
    s.split_whitespace()
        .flat_map(|w| w.split_inclusive('/'))
        .collect()
}

/// Whether the words of `phrase` appear in order in `text`, close together: text in a table
/// cell wraps, and `-layout` interleaves the lines of neighbouring cells, so a cell's words
/// come back in order with other cells' words between them.
fn words_in_order(text: &str, phrase: &str) -> bool {
    let tokens = tokens(text);
    let words = self::tokens(phrase);
    let window = words.len() * 15;
    (0..tokens.len())
        .filter(|&i| tokens[i] == words[0])
        .any(|start| {
            let mut at = start;
            for w in &words[1..] {
                match tokens[at + 1..].iter().position(|t| t == w) {
                    Some(p) => at += 1 + p,
                    None => return false,
                }
            }
            at - start <= window
        })
}

/// The part of `text` between two markers.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let a = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in {text}"));
    let b = text[a..]
        .find(to)
        .map(|b| a + b)
        .unwrap_or_else(|| panic!("{to:?} not after {from:?} in {text}"));
    &text[a..b]
}

/// What both formats must show, read back from the PDF. `whole_lines`: each of these lines
/// comes back on one line (the DOCX, laid out as written); LibreOffice's import of the HTML
/// page is its own narrower layout, where only the order of the words holds.
fn check_common(text: &str, whole_lines: bool) {
    let flat = flat(text);
    for line in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN",
        "Số 01-KH/CB",
        "Quảng Ninh, ngày 15 tháng 01 năm 2026",
        "KẾ HOẠCH",
        "Sinh hoạt chuyên đề năm 2026",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG",
        "III. TỔ CHỨC THỰC HIỆN",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Đặng Quốc Việt",
        "Nơi nhận:",
        "- Lưu chi bộ.",
    ] {
        let found = if whole_lines {
            flat.contains(line)
        } else {
            words_in_order(text, line)
        };
        assert!(found, "{line:?} missing from:\n{text}");
    }
    // The committee's name wraps inside the header's left column.
    assert!(
        words_in_order(text, "ĐẢNG BỘ CÔNG TY CỔ PHẦN CƠ ĐIỆN SÔNG LAM XANH"),
        "{text}"
    );
    assert!(words_in_order(
        text,
        "Căn cứ Hướng dẫn số 12-HD/BTCTW, ngày 06/7/2018"
    ));
    let table = between(
        text,
        "II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG",
        "III. TỔ CHỨC THỰC HIỆN",
    );
    for heading in COLUMNS {
        assert!(
            words_in_order(table, heading),
            "column {heading:?} missing from:\n{table}"
        );
    }
    for s in [
        TOPIC_1,
        TOPIC_2,
        "Hoàng Đức Lượng",
        "Phạm Ngọc Ánh",
        "Lê Văn Ứng",
    ] {
        assert!(words_in_order(table, s), "{s:?} missing from:\n{table}");
    }
    assert!(
        !text.contains("m-luong") && !text.contains("m-ung"),
        "{text}"
    );
    assert!(
        !words_in_order(text, CANCELLED),
        "the cancelled topic is left out"
    );
}

#[test]
fn test_docx_read_back_through_libreoffice_shows_the_official_text() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, plan) = store(dir.path());
    let docx = dir.path().join("ke-hoach-2026.docx");
    let (code, stdout, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            docx.to_str().unwrap(),
            "--committee",
            COMMITTEE,
            "--branch-name",
            "Chi bộ Phân xưởng Cơ điện",
            "--place",
            "Quảng Ninh",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("DỰ THẢO"), "{stdout}");
    assert!(stdout.contains("2 chuyên đề"), "{stdout}");
    let text = pdf_text(&docx, dir.path());
    check_common(&text, true);
    assert!(
        flat(&text).contains("DỰ THẢO"),
        "not approved: marked draft"
    );
    let table = between(
        &text,
        "II. NỘI DUNG, THỜI GIAN, PHÂN CÔNG",
        "III. TỔ CHỨC THỰC HIỆN",
    );
    // Dates fit their column whole on the landscape page.
    assert!(flat(table).contains("24/3/2026"), "{table}");
    assert!(flat(table).contains("21/02/2026"), "{table}");
    // The table is on a landscape page of its own: three pages, the second one wide.
    assert_eq!(text.matches('\u{c}').count(), 3, "{text}");
}

#[test]
fn test_html_read_back_through_libreoffice_shows_the_official_text() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, plan) = store(dir.path());
    let html = dir.path().join("ke-hoach-2026.html");
    let (code, stdout, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            html.to_str().unwrap(),
            "--committee",
            COMMITTEE,
            "--branch-name",
            "Chi bộ Phân xưởng Cơ điện",
            "--place",
            "Quảng Ninh",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["format"], "html");
    assert_eq!(v["version"], "draft");
    assert_eq!(v["signer"], "Đặng Quốc Việt");
    assert_eq!(v["topics"], 2);
    assert_eq!(v["unresolved_members"], serde_json::json!([]));
    let source = std::fs::read_to_string(&html).unwrap();
    assert!(source.contains("<meta charset=\"utf-8\">"));
    assert!(source.contains("Hoàng Đức Lượng"), "NFC in the file itself");
    // (LibreOffice's HTML import sets a paragraph that precedes a table on a page of its own
    // and drops it from the PDF, so the draft mark is checked in the page itself.)
    assert!(source.contains("<b>DỰ THẢO</b>"));
    check_common(&pdf_text(&html, dir.path()), false);
}

#[test]
fn test_export_needs_the_committee_name_and_a_known_format() {
    let dir = tempfile::tempdir().unwrap();
    let (store, plan) = store(dir.path());
    let out = dir.path().join("plan.docx");
    let (code, _, stderr) = export(&store, &plan, &["--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--branch-name"), "{stderr}");
    let (code, _, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            out.to_str().unwrap(),
            "--branch-name",
            "Chi bộ Phân xưởng Cơ điện",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--committee"), "{stderr}");
    assert!(!out.exists(), "nothing written on error");
    let odt = dir.path().join("plan.odt");
    let (code, _, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            odt.to_str().unwrap(),
            "--committee",
            COMMITTEE,
            "--branch-name",
            "Chi bộ Phân xưởng Cơ điện",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--format"), "{stderr}");
    // An explicit format wins over the extension; no place leaves dots to fill in.
    let (code, stdout, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            odt.to_str().unwrap(),
            "--format",
            "html",
            "--committee",
            COMMITTEE,
            "--branch-name",
            "Chi bộ Phân xưởng Cơ điện",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let html = std::fs::read_to_string(&odt).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(".........., ngày 15 tháng 01 năm 2026"));
}

/// Enrolls the store as m-viet's phone without a server, as `sotay enroll` and a first sync
/// leave it: a pinned server key and a member directory signed with it, which names the
/// branch and the members (Việt the secretary, with this device).
fn enroll_offline(path: &Path) {
    use sotay_core::protocol::{
        Directory, DirectoryBranch, DirectoryDevice, DirectoryMember, RoleSpan,
    };
    let public_key = {
        let mut s = Store::open(path).unwrap();
        s.set_enrollment(&sotay_core::store::Enrollment {
            server_url: "http://127.0.0.1:9".into(),
            device_id: "dev-viet".into(),
            member_id: MemberId::new("m-viet"),
            committee_id: "c-song-lam".into(),
            enrolled_at: 1_600_000_000,
        })
        .unwrap();
        s.device_public_key().unwrap()
    };
    let server = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let branch = BranchId::new("b-co-dien");
    let member = |id: &str, name: &str, role: Role, device: bool| DirectoryMember {
        id: MemberId::new(id),
        branch_id: Some(branch.clone()),
        full_name: name.into(),
        role,
        status: MemberStatus::Full,
        active: true,
        roles: vec![RoleSpan {
            branch_id: Some(branch.clone()),
            role,
            from: 0,
            until: None,
        }],
        devices: if device {
            vec![DirectoryDevice {
                id: "dev-viet".into(),
                public_key,
                enrolled_at: 1_600_000_000,
                revoked_at: None,
            }]
        } else {
            vec![]
        },
    };
    let mut dir = Directory {
        version: 1,
        committee_id: "c-song-lam".into(),
        committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
        members: vec![
            member("m-viet", "Đặng Quốc Việt", Role::Secretary, true),
            member("m-luong", "Hoàng Đức Lượng", Role::Member, false),
            member("m-ung", "Lê Văn Ứng", Role::Executive, false),
            member("m-hoa", "Vũ Thị Hoà", Role::Executive, false),
            member("m-anh", "Phạm Ngọc Ánh", Role::Member, false),
        ],
        branches: vec![DirectoryBranch {
            id: branch.clone(),
            name: "Chi bộ Phân xưởng Cơ điện".into(),
            plan_delegations: vec![],
        }],
        settings: Default::default(),
        issued_at: 1_600_000_000,
        signature: vec![],
    };
    dir.sign(&server).unwrap();
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute(
        "UPDATE enrollment SET server_key = ?1 WHERE id = 1",
        [server.verifying_key().to_bytes().to_vec()],
    )
    .unwrap();
    db.execute(
        "INSERT OR REPLACE INTO directory (id, version, bytes) VALUES (1, 1, ?1)",
        [postcard::to_allocvec(&dir).unwrap()],
    )
    .unwrap();
}

#[test]
fn test_export_renders_the_approved_version_signed_by_its_signer() {
    let dir = tempfile::tempdir().unwrap();
    let (store, plan) = store(dir.path());
    enroll_offline(&store);
    {
        let mut s = Store::open(&store).unwrap();
        s.approve(&plan, "Đồng ý ban hành").unwrap();
        // Changed after the approval: the paper must not show it.
        let topic = s.plan(&plan).unwrap().topics[0].id.clone();
        s.set_topic_field(
            &plan,
            &topic,
            &sotay_core::model::plan::TopicField::Title("Tên đã sửa sau khi duyệt".into()),
        )
        .unwrap();
    }
    let out = dir.path().join("approved.html");
    // No --branch-name: the signed directory names the branch.
    let (code, stdout, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            out.to_str().unwrap(),
            "--committee",
            COMMITTEE,
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], "approved");
    assert!(v["approval_id"].is_string(), "{v}");
    assert_eq!(v["signer"], "Đặng Quốc Việt");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(TOPIC_1), "the approved title");
    assert!(!html.contains("Tên đã sửa sau khi duyệt"));
    assert!(
        !html.contains("DỰ THẢO"),
        "an approved paper is not a draft"
    );
    assert!(html.contains("CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN"));
    assert!(html.contains("<b>Đặng Quốc Việt</b>"));
    // The text output says the plan moved on since.
    let (code, stdout, _) = export(
        &store,
        &plan,
        &["--out", out.to_str().unwrap(), "--committee", COMMITTEE],
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("bản đã duyệt"), "{stdout}");
    assert!(stdout.contains("changed since this approval"), "{stdout}");

    // --current: this device's version, marked as a draft.
    let (code, stdout, stderr) = export(
        &store,
        &plan,
        &[
            "--out",
            out.to_str().unwrap(),
            "--committee",
            COMMITTEE,
            "--current",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], "draft");
    assert!(v["approval_id"].is_null());
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Tên đã sửa sau khi duyệt"));
    assert!(html.contains("<b>DỰ THẢO</b>"));
}

/// The minutes paper through the binary, LibreOffice and pdftotext: header, title with the
/// quarter, times and duration, attendance with names and reasons, an opinion by name, the
/// task table, the quality score, and the clerk's and the chair's signature lines.
#[test]
fn test_minutes_docx_read_back_through_libreoffice_shows_the_official_text() {
    use sotay_core::model::session::{Attendance, NewTask, SessionField};
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, plan) = store(dir.path());
    let session = {
        let mut s = Store::open(&path).unwrap();
        s.set_identity(&MemberId::new("m-viet")).unwrap();
        let topic = s.topic_rows(&plan).unwrap()[0].topic_id.clone();
        let id = s
            .create_session_for_topic(&plan, &topic, Some(date::parse("2026-03-03").unwrap()))
            .unwrap();
        let m = |x: &str| MemberId::new(x);
        // 08:00 to 09:45 on 3 March 2026, Vietnam time.
        let start = sotay_core::store::day_start_vn(date::parse("2026-03-03").unwrap()) + 8 * 3600;
        for f in [
            SessionField::StartedAt(Some(start)),
            SessionField::EndedAt(Some(start + 105 * 60)),
            SessionField::Place("Hội trường Phân xưởng Cơ điện".into()),
            SessionField::Chair(Some(m("m-viet"))),
            SessionField::Clerk(Some(m("m-hoa"))),
            SessionField::Presenter(Some(m("m-ung"))),
            SessionField::VotesFor(3),
        ] {
            s.set_session_field(&id, &f).unwrap();
        }
        s.fill_attendance(&id).unwrap();
        s.set_attendance(&id, &m("m-anh"), Attendance::AbsentExcused, "Đi công tác")
            .unwrap();
        s.add_opinion(
            &id,
            Some(&m("m-luong")),
            "Đề nghị lắp cảm biến khí ở lò chợ số 3",
            None,
        )
        .unwrap();
        s.replace_session_text(&id, "conclusion", "Chi bộ thống nhất nội dung chuyên đề.")
            .unwrap();
        s.add_task(
            &id,
            &NewTask {
                title: "Lập phương án lắp cảm biến khí".into(),
                owner: m("m-luong"),
                deadline: Some(date::parse("2026-04-30").unwrap()),
                source: None,
            },
        )
        .unwrap();
        s.set_session_quality(&id, "attendance", Some(25)).unwrap();
        id
    };
    let docx = dir.path().join("bien-ban.docx");
    let out = Command::new(env!("CARGO_BIN_EXE_sotay"))
        .arg("--store")
        .arg(&path)
        .args(["export-minutes", session.as_str(), "--out"])
        .arg(&docx)
        .args([
            "--committee",
            COMMITTEE,
            "--branch-name",
            "Chi bộ Phân xưởng Cơ điện",
            "--place",
            "Quảng Ninh",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("DỰ THẢO"), "not adopted: {stdout}");
    let text = pdf_text(&docx, dir.path());
    let f = flat(&text);
    for phrase in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN",
        "BIÊN BẢN",
        "SINH HOẠT CHUYÊN ĐỀ QUÝ 1 NĂM 2026",
        "Quảng Ninh, ngày 03 tháng 3 năm 2026",
        "bắt đầu lúc 8 giờ 00 phút",
        "thời lượng 105 phút",
        "Hội trường Phân xưởng Cơ điện",
        "Vắng có lý do: 1 đồng chí: đồng chí Phạm Ngọc Ánh (Đi công tác)",
        "Đồng chí Hoàng Đức Lượng: Đề nghị lắp cảm biến khí ở lò chợ số 3",
        "Chủ trì: đồng chí Đặng Quốc Việt",
        "Thư ký: đồng chí Vũ Thị Hoà",
        "Lập phương án lắp cảm biến khí",
        "Tổng điểm: 25/100",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ] {
        assert!(
            f.contains(phrase) || words_in_order(&f, phrase),
            "missing {phrase:?} in:\n{text}"
        );
    }
}
