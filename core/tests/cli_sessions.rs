//! The session cycle through the `sotay` binary (Step 5): a topic's session, its approved
//! draft published, a member reading it, the distribution report, the minutes recorded by
//! the clerk, adopted by the chair's and the clerk's signatures, a task carrying a proposal
//! to done, the proposals board, and participation evidence (table, CSV, a member's sheet,
//! the weights) — with the refusals on the way (a plain member publishing, creating a
//! session, writing or signing minutes that are not theirs).
//!
//! Three store files play three enrolled phones (the secretary, a member, the clerk), each
//! with its own device key, verified against one server-signed directory as after a real
//! enrollment and sync. Documents move between them with `sotay dev merge`, sign-offs as a
//! sync's pull stores them; the same path against the real server is the README's
//! walk-through.
#![allow(clippy::unwrap_used)]

mod cli_support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use sotay_core::date::{self, Date};
use sotay_core::org::Role;

use cli_support::Phone;

const TOPIC: &str = "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II";
const BODY: &str = "Quý I, thời gian dừng máy ngoài kế hoạch là 46 giờ. Nguyên nhân chính: thiếu phụ tùng thay thế và bảo dưỡng chưa đúng kỳ.";
const PROPOSAL: &str = "Bảo dưỡng định kỳ theo ca, lập lịch <ca 3> & ghi sổ";
const LUONG: &str = "Hoàng Đức Lượng";
const THUY: &str = "Trương Thị Thuỷ";
const VIET: &str = "Đặng Quốc Việt";
const ANH: &str = "Phạm Ngọc Ánh";

impl Phone {
    /// Fails with `--json`; returns (exit code, error kind, message).
    fn refused(&self, args: &[&str]) -> (i32, String, String) {
        let mut a = args.to_vec();
        a.push("--json");
        let r = self.run(&a);
        assert_ne!(r.code, 0, "sotay {args:?} should fail: {r:?}");
        assert!(r.stderr.is_empty(), "--json errors go to stdout: {r:?}");
        let v: Value = serde_json::from_str(r.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
        (
            r.code,
            v["kind"].as_str().unwrap().to_owned(),
            v["error"].as_str().unwrap().to_owned(),
        )
    }

    /// Receives every document (and the members) `other` holds, as a sync would.
    fn merge(&self, other: &Phone) {
        self.ok(&["dev", "merge", "--from", other.store.to_str().unwrap()]);
        copy_signoffs(other, self);
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Stores `from`'s sign-offs on `to` the way a sync's pull does (verbatim, `synced`).
fn copy_signoffs(from: &Phone, to: &Phone) {
    let src = rusqlite::Connection::open(&from.store).unwrap();
    let dst = rusqlite::Connection::open(&to.store).unwrap();
    let mut stmt = src
        .prepare("SELECT id, doc_id, action, signed_at, bytes FROM signoffs")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, doc, action, at, bytes) = row.unwrap();
        dst.execute(
            "INSERT OR IGNORE INTO signoffs (id, doc_id, action, signed_at, bytes, state)
             VALUES (?1, ?2, ?3, ?4, ?5, 'synced')",
            rusqlite::params![id, doc, action, at, bytes],
        )
        .unwrap();
    }
}

fn fixture_members() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/song_lam_xanh.json");
    let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f["demo_branch"]["members"].as_array().unwrap().clone()
}

/// A phone of the demo branch: identity `member`, the branch's 16 members.
fn demo_phone(member: &str) -> Phone {
    let p = Phone::new();
    p.ok(&["init", "--member", member]);
    for m in fixture_members() {
        p.ok(&[
            "member",
            "add",
            "--id",
            m["id"].as_str().unwrap(),
            "--name",
            m["full_name"].as_str().unwrap(),
            "--branch",
            "b-co-dien",
            "--role",
            m["role"].as_str().unwrap(),
            "--status",
            m["status"].as_str().unwrap(),
        ]);
    }
    p
}

/// Enrolls every phone (member id) without a server, leaving what `sotay enroll` and the first
/// `sync` leave: the enrollment, the device key, a pinned server key, and one member directory
/// signed with it listing the demo branch with every phone's device.
fn enroll(phones: &[(&Phone, &str)]) {
    use sotay_core::ids::{BranchId, MemberId};
    use sotay_core::org::MemberStatus;
    use sotay_core::protocol::{
        Directory, DirectoryBranch, DirectoryDevice, DirectoryMember, RoleSpan,
    };
    let mut devices = Vec::new();
    for (p, me) in phones {
        let mut store = sotay_core::Store::open(&p.store).unwrap();
        store
            .set_enrollment(&sotay_core::store::Enrollment {
                server_url: "http://127.0.0.1:9".into(),
                device_id: format!("dev-{me}"),
                member_id: MemberId::new(*me),
                committee_id: "c-song-lam".into(),
                enrolled_at: 1_600_000_000,
            })
            .unwrap();
        devices.push((me.to_string(), store.device_public_key().unwrap()));
    }
    let branch = BranchId::new("b-co-dien");
    let server = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let mut dir = Directory {
        version: 1,
        committee_id: "c-song-lam".into(),
        committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
        members: fixture_members()
            .iter()
            .map(|m| {
                let id = m["id"].as_str().unwrap();
                let role = Role::parse(m["role"].as_str().unwrap()).unwrap();
                DirectoryMember {
                    id: MemberId::new(id),
                    branch_id: Some(branch.clone()),
                    full_name: m["full_name"].as_str().unwrap().to_owned(),
                    role,
                    status: MemberStatus::parse(m["status"].as_str().unwrap()).unwrap(),
                    active: true,
                    roles: vec![RoleSpan {
                        branch_id: Some(branch.clone()),
                        role,
                        from: 0,
                        until: None,
                    }],
                    devices: devices
                        .iter()
                        .filter(|(who, _)| who == id)
                        .map(|(who, key)| DirectoryDevice {
                            id: format!("dev-{who}"),
                            public_key: *key,
                            enrolled_at: 1_600_000_000,
                            revoked_at: None,
                        })
                        .collect(),
                }
            })
            .collect(),
        branches: vec![DirectoryBranch {
            id: branch,
            name: "Chi bộ Phân xưởng Cơ điện".into(),
            plan_delegations: vec![],
        }],
        settings: Default::default(),
        issued_at: 1_600_000_000,
        signature: vec![],
    };
    dir.sign(&server).unwrap();
    let bytes = postcard::to_allocvec(&dir).unwrap();
    for (p, _) in phones {
        let db = rusqlite::Connection::open(&p.store).unwrap();
        db.execute(
            "UPDATE enrollment SET server_key = ?1 WHERE id = 1",
            [server.verifying_key().to_bytes().to_vec()],
        )
        .unwrap();
        db.execute(
            "INSERT OR REPLACE INTO directory (id, version, bytes) VALUES (1, 1, ?1)",
            [bytes.clone()],
        )
        .unwrap();
    }
}

/// A session day after today (Vietnam time) in this year — today itself on the year's last
/// days — so every reading, comment and proposal of the test comes before the session.
fn session_day() -> Date {
    let today = sotay_core::store::today_vn();
    let later = Date::from_julian_day(today.to_julian_day() + 3).unwrap();
    if later.year() == today.year() {
        later
    } else {
        today
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

/// The secretary's plan (topic 1 prepared and presented by Lượng, dated `day`) and Lượng's
/// draft with his proposal, submitted and approved; on all three phones.
fn plan_and_approved_draft(
    viet: &Phone,
    luong: &Phone,
    thuy: &Phone,
    day: Date,
) -> (String, String, String) {
    let plan = viet.ok(&[
        "plan",
        "create",
        "--branch",
        "b-co-dien",
        "--year",
        &day.year().to_string(),
        "--number",
        "01-KH/CB",
    ]);
    viet.ok(&[
        "topic",
        "add",
        &plan,
        "--title",
        TOPIC,
        "--group",
        "production_targets",
        "--date",
        &date::format(day),
        "--preparer",
        "hoang duc luong",
        "--presenter",
        "m-luong",
    ]);
    luong.merge(viet);
    let draft = luong.ok(&[
        "draft", "create", "--plan", &plan, "--topic", "1", "--body", BODY,
    ]);
    let proposal = luong.ok(&[
        "comment",
        "add",
        &draft,
        "--proposal",
        "--on",
        "bảo dưỡng chưa đúng kỳ",
        "--text",
        PROPOSAL,
    ]);
    luong.ok(&["submit", &draft, "--note", "Đề nghị chi ủy duyệt"]);
    viet.merge(luong);
    viet.ok(&["approve", &draft, "--note", "Đồng ý gửi đảng viên"]);
    luong.merge(viet);
    thuy.merge(viet);
    (plan, draft, proposal)
}

#[test]
fn test_from_a_published_draft_to_adopted_minutes_and_evidence() {
    let viet = demo_phone("m-viet");
    let luong = demo_phone("m-luong");
    let thuy = demo_phone("m-thuy");
    enroll(&[(&viet, "m-viet"), (&luong, "m-luong"), (&thuy, "m-thuy")]);
    let day = session_day();
    let year = day.year().to_string();
    let (plan, draft, proposal) = plan_and_approved_draft(&viet, &luong, &thuy, day);

    // A plain member may not create the session; the secretary does, dated as the topic.
    let (code, kind, msg) = luong.refused(&["session", "create", &plan, "1"]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"), "{msg}");
    let s = viet.ok(&["session", "create", &plan, "1"]);
    assert_eq!(s.len(), 32, "{s}");
    let created = viet.json(&["session", "show", &s[..8]]);
    assert_eq!(created["session_date"], date::format(day).as_str());
    assert_eq!(created["title"], TOPIC);
    assert_eq!(created["adoption"]["state"], "not_signed");
    let listed = viet.json(&["session", "list"]);
    assert_eq!(listed[0]["doc_id"], s.as_str());
    assert_eq!(listed[0]["adoption"], "not_signed");

    // Publishing is for the secretary or an executive, not a plain member.
    luong.merge(&viet);
    let (code, kind, msg) = luong.refused(&["publish", &s, &draft]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"), "{msg}");
    assert!(msg.contains("publishing"), "{msg}");
    let published = viet.json(&["publish", &s[..8], &draft[..8]]);
    assert_eq!(published["doc_id"], draft.as_str());
    assert_eq!(published["kind"], "topic_draft");
    assert_eq!(published["lead_days"], 1);
    assert!(strs(&published["not_opened"]).contains(&"m-luong".to_owned()));

    // Lượng reads it on his phone: the reading list, then the receipt, once.
    luong.merge(&viet);
    let unread = luong.json(&["reading-list", "--unread"]);
    assert_eq!(unread.as_array().unwrap().len(), 1, "{unread}");
    assert_eq!(unread[0]["doc_id"], draft.as_str());
    assert!(unread[0]["opened_at"].is_null());
    let opened = luong.json(&["open", &draft[..8]]);
    assert_eq!(opened["first_opening"], true);
    assert_eq!(opened["body"], BODY);
    let at = opened["opened_at"].as_i64().unwrap();
    let again = luong.ok(&["open", &draft]);
    assert!(again.contains(BODY), "{again}");
    assert!(
        again.contains("bạn đã mở tài liệu này lần đầu lúc"),
        "{again}"
    );
    assert_eq!(
        luong.json(&["reading-list", "--unread"]),
        serde_json::json!([])
    );
    let all = luong.json(&["reading-list"]);
    assert_eq!(all[0]["opened_at"].as_i64(), Some(at));

    // The secretary sees who has read it, and who has not.
    viet.merge(&luong);
    let report = viet.json(&["distribution", &s]);
    assert_eq!(report[0]["opened"][0][0], "m-luong");
    assert_eq!(report[0]["opened"][0][1].as_i64(), Some(at));
    let not_opened = strs(&report[0]["not_opened"]);
    assert_eq!(not_opened.len(), 15);
    assert!(!not_opened.contains(&"m-luong".to_owned()));
    let text = viet.ok(&["distribution", &s]);
    assert!(text.contains("Đã đọc (1/16): Hoàng Đức Lượng ("), "{text}");
    assert!(
        text.contains(THUY) && text.contains("Chưa đọc (15/16)"),
        "{text}"
    );
    // The branch asks for a week: the same publication is now late.
    viet.ok(&["branch", "lead-days", &plan, "7"]);
    let report = viet.json(&["distribution", &s]);
    assert_eq!(
        (report[0]["lead_days"].as_u64(), report[0]["late"].as_bool()),
        (Some(7), Some(true))
    );
    assert!(viet.ok(&["distribution", &s]).contains("GỬI MUỘN"));

    // The secretary names the chair (herself) and the clerk; the clerk writes the minutes.
    viet.ok(&["session", "set", &s, "chair", VIET]);
    viet.ok(&["session", "set", &s, "clerk", "truong thi thuy"]);
    viet.ok(&["session", "set", &s, "presenter", "m-luong"]);
    thuy.merge(&viet);
    let day_iso = date::format(day);
    thuy.ok(&["session", "set", &s, "start", &format!("{day_iso} 22:00")]);
    // "HH:MM" alone is on the session's day; 60 minutes is short of HD 42's 90.
    let short = thuy.ok(&["session", "set", &s, "end", "23:00"]);
    assert!(
        short.contains("22:00–23:00 (60 phút; tối thiểu 90 phút: CHƯA ĐẠT)"),
        "{short}"
    );
    let set = thuy.json(&["session", "set", &s, "end", "23:45"]);
    assert_eq!(set["duration_minutes"], 105);
    assert_eq!(set["duration_ok"], true);
    assert_eq!(
        set["ended_at"].as_i64(),
        Some(date::parse_time_vn(&format!("{day_iso} 23:45"), None).unwrap())
    );
    thuy.ok(&[
        "session",
        "set",
        &s,
        "place",
        "Hội trường Phân xưởng Cơ điện",
    ]);
    // The clerk may not name the chair.
    let (code, kind, _) = thuy.refused(&["session", "set", &s, "chair", "m-thuy"]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"));
    let filled = thuy.ok(&["session", "attend", &s, "--all-present"]);
    assert!(filled.contains("16 đồng chí"), "{filled}");
    thuy.ok(&[
        "session",
        "attend",
        &s,
        "pham ngoc anh",
        "absent-excused",
        "--reason",
        "Đi công tác",
    ]);
    let op = thuy.ok(&[
        "session",
        "opinion",
        &s,
        "--from",
        &draft[..8],
        &proposal[..8],
    ]);
    assert!(op.contains(&format!("ý kiến 1 của {LUONG}")), "{op}");
    thuy.ok(&[
        "session",
        "opinion",
        &s,
        "--member",
        "Lê Văn Ứng",
        "--text",
        "Nhất trí, đề nghị tổ đảng số 1 phối hợp",
    ]);
    thuy.ok(&[
        "session",
        "set",
        &s,
        "conclusion",
        "Chi bộ thống nhất bảo dưỡng theo ca.",
    ]);
    thuy.ok(&[
        "session",
        "set",
        &s,
        "resolution",
        "Giao đồng chí Lượng lập lịch bảo dưỡng.",
    ]);
    thuy.ok(&["session", "set", &s, "votes-for", "15"]);
    let deadline = date::format(Date::from_julian_day(day.to_julian_day() + 30).unwrap());
    let task = thuy.ok(&[
        "session",
        "task",
        "add",
        &s,
        "--owner",
        LUONG,
        "--title",
        "Lập lịch bảo dưỡng theo ca",
        "--deadline",
        &deadline,
        "--proposal",
        &draft,
        &proposal,
    ]);
    assert_eq!(task.len(), 32, "{task}");
    thuy.ok(&["session", "quality", &s, "attendance", "23"]);
    let (code, kind, msg) = thuy.refused(&["session", "quality", &s, "duration", "16"]);
    assert_eq!((code, kind.as_str()), (2, "invalid_input"), "{msg}");
    assert!(msg.contains("at most 15"), "{msg}");

    let shown = thuy.json(&["session", "show", &s]);
    assert_eq!(shown["attendance"].as_array().unwrap().len(), 16);
    assert_eq!(shown["opinions"][0]["member"], "m-luong");
    assert_eq!(shown["opinions"][0]["body"], PROPOSAL);
    assert_eq!(
        shown["opinions"][0]["source"]["comment_id"],
        proposal.as_str()
    );
    assert_eq!(shown["tasks"][0]["id"], task.as_str());
    assert_eq!(shown["tasks"][0]["source"]["doc_id"], draft.as_str());
    assert_eq!(shown["quality_total"], 23);
    assert_eq!(shown["member_names"]["m-thuy"], THUY);
    let text = thuy.ok(&["session", "show", &s]);
    for needle in [
        "BIÊN BẢN SINH HOẠT CHUYÊN ĐỀ · Giải pháp giảm thời gian dừng máy",
        "Kế hoạch 01-KH/CB",
        "22:00–23:45 (105 phút; tối thiểu 90 phút: đạt)",
        "Địa điểm: Hội trường Phân xưởng Cơ điện",
        &format!("Chủ trì: {VIET} · Thư ký: {THUY} · Người trình bày: {LUONG}"),
        "Có mặt (15)",
        &format!("Vắng có lý do (1): {ANH} (Đi công tác)"),
        &format!("1. {LUONG}: {PROPOSAL} (từ góp ý [{}]", &proposal[..8]),
        "2. Lê Văn Ứng: Nhất trí",
        "Chi bộ thống nhất bảo dưỡng theo ca.",
        "Biểu quyết: 15 tán thành, 0 không tán thành (có mặt 15)",
        "Lập lịch bảo dưỡng theo ca",
        "Tự chấm điểm chất lượng: 23/100 — Kém",
        "chưa ký thông qua",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("m-luong"), "names, not ids:\n{text}");

    // Lượng is neither chair nor clerk: he writes none of the minutes and signs nothing.
    luong.merge(&thuy);
    let (code, kind, _) = luong.refused(&["session", "set", &s, "place", "Nhà ăn"]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"));
    let (code, kind, msg) = luong.refused(&["session", "sign", &s]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"), "{msg}");
    assert!(msg.contains("chair") && msg.contains("clerk"), "{msg}");

    // The clerk signs, then the chair on the same version: adopted, on every phone.
    let signed = thuy.json(&["session", "sign", &s, "--note", "Thư ký ký biên bản"]);
    assert_eq!(signed["state"], "unsent");
    assert_eq!(signed["adoption"]["state"], "partly_signed");
    assert_eq!(
        signed["adoption"]["awaiting"],
        serde_json::json!(["m-viet"])
    );
    viet.merge(&thuy);
    let text = viet.ok(&["session", "sign", &s]);
    assert!(
        text.contains("đã ký biên bản với tư cách chủ trì"),
        "{text}"
    );
    assert!(text.contains("ĐÃ THÔNG QUA (adopted)"), "{text}");
    thuy.merge(&viet);
    luong.merge(&viet);
    for p in [&viet, &thuy, &luong] {
        let v = p.json(&["session", "show", &s]);
        assert_eq!(v["adoption"]["state"], "adopted", "{}", v["adoption"]);
        assert_eq!(v["adoption"]["chair"]["signer"], "m-viet");
        assert_eq!(v["adoption"]["clerk"]["signer"], "m-thuy");
    }
    assert_eq!(viet.json(&["session", "list"])[0]["adoption"], "adopted");

    // Lượng, the task's owner, reports it done; the proposal he made is done with it.
    let board = viet.json(&["proposals", "--year", &year]);
    assert_eq!(board[0]["stage"], "adopted", "{board}");
    let done = luong.ok(&[
        "session",
        "task",
        "update",
        &s,
        "1",
        "done",
        "--note",
        "Đã áp dụng",
    ]);
    assert!(
        done.contains("nhiệm vụ «Lập lịch bảo dưỡng theo ca»"),
        "{done}"
    );
    assert!(done.contains("đã thực hiện"), "{done}");
    viet.merge(&luong);
    let board = viet.json(&["proposals", "--year", &year]);
    assert_eq!(board.as_array().unwrap().len(), 1);
    assert_eq!(board[0]["comment_id"], proposal.as_str());
    assert_eq!(board[0]["stage"], "done");
    assert_eq!(board[0]["status"], "done");
    assert_eq!(board[0]["task"]["status"], "done");
    let text = viet.ok(&["proposals"]);
    assert!(
        text.contains("Đã thực hiện xong") && text.contains(LUONG),
        "{text}"
    );
    // Progress on a task is follow-through, not a change to the minutes adopted.
    assert_eq!(
        viet.json(&["session", "show", &s])["adoption"]["state"],
        "adopted"
    );

    // Evidence: Lượng's year as the record shows it, with its notice.
    let ev = viet.json(&["evidence", "--year", &year]);
    assert!(
        ev["notice"]
            .as_str()
            .unwrap()
            .contains("không phải kết quả đánh giá")
    );
    let me = ev["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "m-luong")
        .unwrap();
    let count = |c: &str| {
        me["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["category"] == c)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    for (c, n) in [
        ("assignment_on_time", 1),
        ("presentation", 1),
        ("proposal_before", 1),
        ("proposal_adopted", 1),
        ("proposal_done", 1),
        ("present", 1),
        ("absent_excused", 0),
        ("material_opened_before", 1),
    ] {
        assert_eq!(count(c), n, "{c}");
    }
    let anh = ev["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "m-anh")
        .unwrap();
    assert_eq!(anh["figures"][8]["category"], "absent_excused");
    assert_eq!(anh["figures"][8]["count"], 1);

    let csv = viet.path("minh-chung.csv");
    let text = viet.ok(&["evidence", "--year", &year, "--csv", csv.to_str().unwrap()]);
    assert!(text.contains("không phải kết quả đánh giá"), "{text}");
    assert!(text.contains(LUONG), "{text}");
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(
        csv.starts_with("\u{feff}member_id,ho_ten,chi_bo,assignment_on_time"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 17, "a header and 16 members");
    assert!(
        csv.contains(&format!("m-luong,{LUONG},b-co-dien,1,0,1,0,1,1,1,1,0,0,1,")),
        "{csv}"
    );

    let sheet = viet.path("phieu-luong.html");
    let text = viet.ok(&[
        "evidence",
        "sheet",
        "hoang duc luong",
        "--year",
        &year,
        "--out",
        sheet.to_str().unwrap(),
    ]);
    assert!(
        text.contains("phiếu minh chứng năm") && text.contains(LUONG),
        "{text}"
    );
    let html = std::fs::read_to_string(&sheet).unwrap();
    for needle in [
        "PHIẾU TỔNG HỢP MINH CHỨNG",
        "CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN",
        "Họ và tên đảng viên: Hoàng Đức Lượng",
        "không phải kết quả đánh giá, xếp loại đảng viên",
        "Hiến kế được đưa vào nghị quyết",
        // The proposal's text is escaped, never markup.
        "Bảo dưỡng định kỳ theo ca, lập lịch &lt;ca 3&gt; &amp; ghi sổ",
    ] {
        assert!(html.contains(needle), "missing {needle:?} in the sheet");
    }
    assert!(!html.contains("<ca 3>"));
    // The draft he prepared, submitted; the topic has no deadline, and the line says none.
    assert!(
        html.contains(&format!("Dự thảo chuyên đề «{TOPIC}» [")),
        "{html}"
    );
    assert!(!html.contains("(hạn )"), "{html}");
    let docx = viet.path("phieu-luong.docx");
    viet.ok(&[
        "evidence",
        "sheet",
        "m-luong",
        "--year",
        &year,
        "--out",
        docx.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&docx).unwrap().starts_with(b"PK"));
}

#[test]
fn test_evidence_weights_are_shown_and_cannot_be_set_on_a_phone() {
    let p = demo_phone("m-viet");
    let w = p.json(&["evidence", "weights"]);
    assert_eq!(w["general_cap"], 10.0);
    assert_eq!(w["task_cap"], 15.0);
    let text = p.ok(&["evidence", "weights"]);
    assert!(
        text.contains("Trình bày chuyên đề") && text.contains("presentation"),
        "{text}"
    );
    assert!(text.contains("mặc định"), "the committee set none: {text}");
    // The committee sets them on the server (sotay-server admin committee
    // set-evidence-weights); a phone cannot weigh its members its own way.
    let file = p.path("w.json");
    std::fs::write(&file, w.to_string()).unwrap();
    let r = p.run(&["evidence", "weights", "--file", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn test_session_input_errors_exit_2_and_minutes_need_times_before_signing() {
    let viet = demo_phone("m-viet");
    let luong = demo_phone("m-luong");
    let thuy = demo_phone("m-thuy");
    enroll(&[(&viet, "m-viet"), (&luong, "m-luong"), (&thuy, "m-thuy")]);
    let day = session_day();
    let (plan, draft, _) = plan_and_approved_draft(&viet, &luong, &thuy, day);
    let s = viet.ok(&[
        "session",
        "create",
        &plan,
        "1",
        "--date",
        &date::format_vi(day),
    ]);
    for (args, needle) in [
        (
            vec!["session", "set", &s, "venue", "x"],
            "unknown session field",
        ),
        (
            vec!["session", "set", &s, "start", "sáng nay"],
            "is not a time",
        ),
        (
            vec!["session", "set", &s, "votes-for", "nhiều"],
            "not a number",
        ),
        (
            vec!["session", "attend", &s, "m-luong", "late"],
            "unknown attendance",
        ),
        (vec!["session", "show", &draft], "session"),
        (vec!["session", "show", "zzzz"], "zzzz"),
    ] {
        let (code, _, msg) = viet.refused(&args);
        assert_eq!(code, 2, "{args:?}: {msg}");
        assert!(msg.contains(needle), "{args:?}: {msg}");
    }
    // Signing needs a chair and a clerk, then the times.
    let (code, kind, msg) = viet.refused(&["session", "sign", &s]);
    assert_eq!((code, kind.as_str()), (1, "not_ready"), "{msg}");
    viet.ok(&["session", "set", &s, "chair", "m-viet"]);
    viet.ok(&["session", "set", &s, "clerk", "m-thuy"]);
    let (code, kind, msg) = viet.refused(&["session", "sign", &s]);
    assert_eq!((code, kind.as_str()), (1, "not_ready"), "{msg}");
    assert!(msg.contains("the start time, the end time"), "{msg}");
    // An unknown task, by number or id.
    let (code, _, msg) = viet.refused(&["session", "task", "update", &s, "1", "done"]);
    assert_eq!(code, 2, "{msg}");
}
