//! The `sotay` device CLI, run as the real binary on temporary store files: a walk-through of
//! the demo branch's plan in Vietnamese, two store files as two phones for conflicts, and the
//! error paths (exit codes, messages, `--json` errors, NFD input).
#![allow(clippy::unwrap_used)]

mod cli_support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sotay_core::text;

use cli_support::{Phone, run_in};

const LUONG: &str = "Hoàng Đức Lượng";
const ANH: &str = "Phạm Ngọc Ánh";
const TOPIC_1: &str = "Phát huy vai trò nêu gương của đảng viên trong thực hiện công tác an toàn, vệ sinh lao động tại Phân xưởng Cơ điện";
const TOPIC_2: &str = "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II";
const TOPIC_3: &str =
    "Quán triệt và thực hiện Chỉ thị 50-CT/TW về đổi mới, nâng cao chất lượng sinh hoạt chi bộ";
const DRAFT_BODY: &str = "Quý I, thời gian dừng máy ngoài kế hoạch là 46 giờ. Nguyên nhân chính: thiếu phụ tùng thay thế và bảo dưỡng chưa đúng kỳ.";

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A phone of the demo branch: identity `member`, the branch's 16 members from the fixture.
fn demo_phone(member: &str) -> Phone {
    let p = Phone::new();
    p.ok(&["init", "--member", member]);
    let f = fixture("song_lam_xanh.json");
    for m in f["demo_branch"]["members"].as_array().unwrap() {
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

/// The demo plan 01-KH/CB with three topics; returns the plan id.
fn demo_plan(p: &Phone) -> String {
    let plan = p.ok(&[
        "plan",
        "create",
        "--branch",
        "b-co-dien",
        "--year",
        "2026",
        "--number",
        "01-KH/CB",
        "--date",
        "15/01/2026",
        "--purpose",
        "Nâng cao chất lượng sinh hoạt chuyên đề, gắn với nhiệm vụ sản xuất của Phân xưởng.",
    ]);
    p.ok(&[
        "topic",
        "add",
        &plan,
        "--title",
        TOPIC_1,
        "--month",
        "3",
        "--group",
        "ho_chi_minh",
        "--preparer",
        "Lê Văn Ứng",
        "--presenter",
        "m-ung",
        "--deadline",
        "21/02/2026",
    ]);
    p.ok(&[
        "topic",
        "add",
        &plan,
        "--title",
        TOPIC_2,
        "--month",
        "4",
        "--group",
        "production_targets",
        "--combined",
        "--preparer",
        "hoang duc luong",
        "--output",
        "Ít nhất 5 giải pháp, mỗi giải pháp có người phụ trách",
    ]);
    p.ok(&[
        "topic",
        "add",
        &plan,
        "--title",
        TOPIC_3,
        "--month",
        "6",
        "--group",
        "resolutions_and_laws",
        "--preparer",
        "m-trang",
        "--presenter",
        "Nguyễn Thị Huyền Trang",
    ]);
    plan
}

fn topic_titles(plan_json: &Value) -> Vec<String> {
    plan_json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect()
}

/// A draft of topic 2 with the demo body; returns its id.
fn demo_draft(p: &Phone, plan: &str) -> String {
    p.ok(&[
        "draft", "create", "--plan", plan, "--topic", "2", "--body", DRAFT_BODY,
    ])
}

#[test]
fn test_walkthrough_builds_the_demo_plan_in_vietnamese() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    assert_eq!(plan.len(), 32, "plan create prints the id: {plan}");

    // Move topic 3 to the front using an id prefix of the plan (1-based position).
    p.ok(&["topic", "move", &plan[..6], "3", "1"]);
    let shown = p.json(&["plan", "show", &plan[..8]]);
    assert_eq!(shown["number"], "01-KH/CB");
    assert_eq!(shown["issue_date"], "2026-01-15");
    assert_eq!(shown["title"], "Kế hoạch sinh hoạt chuyên đề năm 2026");
    assert_eq!(topic_titles(&shown), [TOPIC_3, TOPIC_1, TOPIC_2]);
    let t2 = &shown["topics"][2];
    assert_eq!(t2["preparers"], serde_json::json!(["m-luong"]));
    assert_eq!(t2["combined_with_regular_meeting"], true);
    assert_eq!(t2["scheduled_date"], "2026-04-03");
    assert_eq!(shown["member_names"]["m-luong"], LUONG);

    // The readable table, in the plan's own Vietnamese terms and with names, not ids.
    let table = p.ok(&["plan", "show", &plan]);
    for needle in [
        "KẾ HOẠCH SINH HOẠT CHUYÊN ĐỀ NĂM 2026",
        "Số: 01-KH/CB",
        "Ngày: 15/01/2026",
        "I. Mục đích, yêu cầu",
        "STT",
        "Tên chuyên đề",
        "Người chuẩn bị",
        "Người trình bày",
        "Hạn gửi dự thảo",
        "Trạng thái",
        "Lê Văn Ứng",
        "Nguyễn Thị Huyền Trang",
        LUONG,
        "21/02/2026",
        "III. Tổ chức thực hiện",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in:\n{table}");
    }
    let first_row = table.lines().find(|l| l.starts_with("| 1 ")).unwrap();
    assert!(first_row.contains("6/2026"), "{first_row}");

    let plans = p.json(&["plan", "list"]);
    assert_eq!(plans[0]["doc_id"], plan.as_str());
    assert_eq!(plans[0]["topic_count"], 3);
}

#[test]
fn test_presenter_by_name_ignores_accents_and_tone_placement() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    // By the exact name.
    let t = p.json(&["topic", "set", &plan, "2", "presenter", LUONG]);
    assert_eq!(t["presenter"], "m-luong");
    assert_eq!(t["member_names"]["m-luong"], LUONG);
    // Clear it, then by the tone-placement variant (old style "Lựơng") and without accents.
    let t = p.json(&["topic", "set", &plan, "2", "presenter", ""]);
    assert_eq!(t["presenter"], Value::Null);
    let t = p.json(&["topic", "set", &plan, "2", "presenter", "Hoàng Đức Lựơng"]);
    assert_eq!(t["presenter"], "m-luong");
    let t = p.json(&["topic", "set", &plan, "2", "executive", "vu thi hoa"]);
    assert_eq!(t["executive"], "m-hoa");
    // "Hòa" (new-style tone placement) is the same executive as the directory's "Hoà".
    let t = p.json(&["topic", "set", &plan, "1", "executive", "Vũ Thị Hòa"]);
    assert_eq!(t["executive"], "m-hoa");
    // An unknown value is taken as a member id as given.
    let t = p.json(&["topic", "preparer", &plan, "2", "add", "m-ngoai"]);
    assert_eq!(t["preparers"], serde_json::json!(["m-luong", "m-ngoai"]));
    let t = p.json(&["topic", "preparer", &plan, "2", "remove", "m-ngoai"]);
    assert_eq!(t["preparers"], serde_json::json!(["m-luong"]));
}

#[test]
fn test_topic_accepts_stt_number_or_id_prefix() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let by_stt = p.json(&["topic", "show", &plan, "3"]);
    assert_eq!(by_stt["title"], TOPIC_3);
    assert_eq!(by_stt["stt"], 3);
    let id = by_stt["id"].as_str().unwrap().to_owned();
    let by_prefix = p.json(&["topic", "show", &plan, &id[..10]]);
    assert_eq!(by_prefix["id"], id.as_str());
    let cancelled = p.json(&["topic", "cancel", &plan, &id[..10]]);
    assert_eq!(cancelled["status"], "cancelled");
    let shown = p.ok(&["plan", "show", &plan]);
    assert!(shown.contains("Đã hủy"), "{shown}");
    let r = p.run(&["topic", "show", &plan, "9"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("topic number 9"), "{}", r.stderr);
}

#[test]
fn test_comment_on_words_proposal_and_reply_show_in_threads() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    let comment = p.ok(&[
        "comment",
        "add",
        &draft[..8],
        "--text",
        "Cần nêu số liệu dừng máy từng tháng.",
        "--on",
        "46 giờ",
    ]);
    let proposal = p.json(&[
        "comment",
        "add",
        &draft[..8],
        "--proposal",
        "--text",
        "Lập kho phụ tùng dự phòng cho 10 thiết bị trọng yếu.",
        "--on",
        "thiếu phụ tùng thay thế",
    ]);
    let proposal_id = proposal["id"].as_str().unwrap().to_owned();
    assert_eq!(proposal["kind"], "proposal");
    assert_eq!(proposal["status"], "open");
    assert_eq!(proposal["anchor"]["quote"], "thiếu phụ tùng thay thế");
    p.ok(&["init", "--member", LUONG]);
    let reply = p.json(&[
        "comment",
        "add",
        &draft,
        "--reply-to",
        &proposal_id[..6],
        "--text",
        "Đồng ý, tổ 1 lập danh mục trước ngày 24/3.",
    ]);
    assert_eq!(reply["reply_to"], proposal_id.as_str());
    assert_eq!(reply["author"], "m-luong");
    assert_eq!(reply["author_name"], LUONG);
    p.ok(&["init", "--member", "m-viet"]);
    let st = p.json(&["proposal", "status", &draft, &proposal_id[..6], "accepted"]);
    assert_eq!(st["status"], "accepted");

    let doc = p.json(&["doc", "show", &draft]);
    assert_eq!(doc["body"], DRAFT_BODY);
    assert_eq!(doc["topic"]["stt"], 2);
    let comments = doc["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 3);
    let c = comments
        .iter()
        .find(|c| c["id"] == comment.as_str())
        .unwrap();
    let start = c["anchor"]["start"].as_u64().unwrap() as usize;
    let end = c["anchor"]["end"].as_u64().unwrap() as usize;
    let anchored: String = DRAFT_BODY.chars().skip(start).take(end - start).collect();
    assert_eq!(anchored, "46 giờ");
    assert_eq!(doc["member_names"]["m-luong"], LUONG);

    let text = p.ok(&["doc", "show", &draft]);
    for needle in [
        "DỰ THẢO",
        "về «46 giờ»",
        "về «thiếu phụ tùng thay thế»",
        "Hiến kế (được chấp nhận)",
        "↳",
        "Đồng ý, tổ 1 lập danh mục trước ngày 24/3.",
        LUONG,
        "Đặng Quốc Việt",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The reply is printed inside its thread, after the proposal it answers.
    let at = |s: &str| text.find(s).unwrap();
    assert!(at("Lập kho phụ tùng") < at("Đồng ý, tổ 1"));

    let listed = p.json(&["doc", "list", "--plan", &plan]);
    assert_eq!(listed[0]["comment_count"], 3);
    assert_eq!(listed[0]["proposal_count"], 1);
}

#[test]
fn test_only_the_author_may_edit_or_delete_a_comment() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    let comment = p.ok(&[
        "comment",
        "add",
        &draft,
        "--text",
        "Cần nêu số liệu từng tháng.",
        "--on",
        "46 giờ",
    ]);
    // Another member on this device cannot edit or delete it.
    p.ok(&["init", "--member", "m-trang"]);
    let r = p.run(&["comment", "edit", &draft, &comment[..8], "--text", "Sửa hộ"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("only the author") && r.stderr.contains("may edit"),
        "{}",
        r.stderr
    );
    let r = p.run(&["--json", "comment", "delete", &draft, &comment[..8]]);
    assert_eq!(r.code, 1);
    let err: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(err["kind"], "not_author");
    // The author can.
    p.ok(&["init", "--member", "Đặng Quốc Việt"]);
    let edited = p.json(&[
        "comment",
        "edit",
        &draft,
        &comment[..8],
        "--text",
        "Cần nêu số liệu dừng máy từng tháng của quý I.",
    ]);
    assert_eq!(
        edited["body"],
        "Cần nêu số liệu dừng máy từng tháng của quý I."
    );
    assert!(edited["edited_at"].is_i64());
    let deleted = p.json(&["comment", "delete", &draft, &comment[..8]]);
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["body"], "");
    let text = p.ok(&["doc", "show", &draft]);
    assert!(text.contains("(đã xóa)"), "{text}");
    assert!(!text.contains("của quý I"), "{text}");
}

#[test]
fn test_two_phones_presenter_conflict_lists_both_names_and_resolves() {
    let a = demo_phone("m-viet");
    let plan = demo_plan(&a);
    let b = Phone::new();
    b.ok(&["init", "--member", "m-trang"]);
    let merged = b.json(&["dev", "merge", "--from", a.store.to_str().unwrap()]);
    assert_eq!(merged["changed"], serde_json::json!([plan.as_str()]));
    assert_eq!(merged["members_added"], 16);

    // Offline on both phones: two presenters for topic 2.
    a.ok(&["topic", "set", &plan, "2", "presenter", LUONG]);
    b.ok(&["topic", "set", &plan, "2", "presenter", "pham ngoc anh"]);
    let merged = a.json(&["dev", "merge", "--from", b.store.to_str().unwrap()]);
    assert_eq!(merged["conflicts"], 1);

    let list = a.json(&["conflicts"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c["doc_id"], plan.as_str());
    assert_eq!(c["path"][2], "presenter");
    let mut values: Vec<&str> = c["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    values.sort_unstable();
    assert_eq!(values, ["m-anh", "m-luong"]);
    assert_eq!(c["member_names"]["m-anh"], ANH);
    assert_eq!(c["member_names"]["m-luong"], LUONG);
    assert_eq!(c["member_names"]["m-trang"], "Nguyễn Thị Huyền Trang");

    let text = a.ok(&["conflicts", &plan[..8]]);
    for needle in [
        LUONG,
        ANH,
        "người trình bày (presenter)",
        "Chuyên đề 2",
        "[1]",
        "[2]",
        "set by Đặng Quốc Việt",
        "set by Nguyễn Thị Huyền Trang",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let shown = a.ok(&["plan", "show", &plan]);
    assert!(shown.contains("sotay conflicts"), "{shown}");

    // Keep choice 2, whichever it is.
    let keep = c["values"][1]["value"].as_str().unwrap().to_owned();
    let path = c["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("/");
    let resolved = a.json(&["conflicts", "resolve", &plan[..8], &path, "2"]);
    assert_eq!(resolved["remaining"], 0);
    assert_eq!(resolved["chosen"]["value"], keep.as_str());
    assert_eq!(a.json(&["conflicts"]), serde_json::json!([]));
    assert_eq!(
        a.json(&["topic", "show", &plan, "2"])["presenter"],
        keep.as_str()
    );
    // The choice travels: the other phone ends with the same presenter and no conflict.
    b.ok(&["dev", "merge", "--from", a.store.to_str().unwrap()]);
    assert_eq!(b.json(&["conflicts"]), serde_json::json!([]));
    assert_eq!(
        b.json(&["topic", "show", &plan, "2"])["presenter"],
        keep.as_str()
    );
}

#[test]
fn test_conflict_choice_by_op_id_and_conflict_number() {
    let a = demo_phone("m-viet");
    let plan = demo_plan(&a);
    let b = Phone::new();
    b.ok(&["init", "--member", "m-trang"]);
    b.ok(&["dev", "merge", "--from", a.store.to_str().unwrap()]);
    a.ok(&["topic", "set", &plan, "1", "deadline", "20/02/2026"]);
    b.ok(&["topic", "set", &plan, "1", "deadline", "2026-02-19"]);
    a.ok(&["dev", "merge", "--from", b.store.to_str().unwrap()]);
    let text = a.ok(&["conflicts"]);
    assert!(
        text.contains("20/02/2026") && text.contains("19/02/2026"),
        "{text}"
    );
    let c = a.json(&["conflicts", &plan]);
    let op = c[0]["values"][0]["op"].as_str().unwrap().to_owned();
    let kept = c[0]["values"][0]["value"].as_str().unwrap().to_owned();
    let r = a.run(&["conflicts", "resolve", &plan, "#1", "7"]);
    assert_eq!(r.code, 2, "{r:?}");
    let resolved = a.json(&["conflicts", "resolve", &plan, "#1", &op]);
    assert_eq!(resolved["chosen"]["value"], kept.as_str());
    assert_eq!(
        a.json(&["topic", "show", &plan, "1"])["draft_deadline"],
        kept.as_str()
    );
}

#[test]
fn test_unknown_plan_id_exits_2_with_clear_message() {
    let p = demo_phone("m-viet");
    demo_plan(&p);
    let r = p.run(&["plan", "show", "khongco"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.trim(), "error: no document khongco in this store");
    assert!(r.stdout.is_empty());
    let r = p.run(&[
        "topic",
        "add",
        "khongco",
        "--title",
        "Chuyên đề",
        "--month",
        "5",
    ]);
    assert_eq!(r.code, 2);
    let r = p.run(&["plan", "show", "khongco", "--json"]);
    assert_eq!(r.code, 2);
    let err: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(err["kind"], "not_found");
    assert!(err["error"].as_str().unwrap().contains("khongco"));
    assert!(r.stderr.is_empty());
}

#[test]
fn test_bad_date_is_refused_with_exit_2() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let r = p.run(&["plan", "create", "--year", "2027", "--date", "31/02/2027"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("\"31/02/2027\" is not a date"),
        "{}",
        r.stderr
    );
    let r = p.run(&["topic", "set", &plan, "1", "deadline", "hôm qua"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a date"), "{}", r.stderr);
    let r = p.run(&[
        "topic",
        "add",
        &plan,
        "--title",
        "X",
        "--month",
        "5",
        "--date",
        "03/06/2026",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not in month 5"), "{}", r.stderr);
    // Nothing was added by the refused commands.
    assert_eq!(p.json(&["plan", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(
        p.json(&["plan", "show", &plan])["topics"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn test_on_words_not_in_the_text_are_refused() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    let r = p.run(&[
        "comment",
        "add",
        &draft,
        "--text",
        "Góp ý",
        "--on",
        "không có trong văn bản",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("are not in the text"), "{}", r.stderr);
    // Accents matter: "46 gio" is not "46 giờ".
    let r = p.run(&[
        "comment", "add", &draft, "--text", "Góp ý", "--on", "46 gio",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        p.json(&["doc", "show", &draft])["comments"],
        serde_json::json!([])
    );
}

#[test]
fn test_nfd_arguments_come_out_nfc_in_json() {
    let inputs = fixture("nfd_inputs.json");
    let get = |label: &str| {
        let e = inputs
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["label"] == label)
            .unwrap();
        let (nfd, nfc) = (e["nfd"].as_str().unwrap(), e["nfc"].as_str().unwrap());
        assert!(!text::is_nfc(nfd), "{label} is NFD in the fixture");
        (nfd.to_owned(), nfc.to_owned())
    };
    let (uoc_nfd, uoc_nfc) = get("name_uoc");
    let (title_nfd, title_nfc) = get("topic_title");
    let (sentence_nfd, sentence_nfc) = get("sentence");
    let (luong_nfd, _) = get("name_luong");

    let p = Phone::new();
    p.ok(&["init", "--member", "m-luong"]);
    p.ok(&[
        "member",
        "add",
        "--id",
        "m-luong",
        "--name",
        LUONG,
        "--branch",
        "b-co-dien",
        // Plans are created by the branch's officers (docs/roles.md).
        "--role",
        "Executive",
    ]);
    let m = p.json(&[
        "member",
        "add",
        "--id",
        "m-uoc",
        "--name",
        &uoc_nfd,
        "--status",
        "Probationary",
    ]);
    assert_eq!(m["full_name"], uoc_nfc.as_str());
    assert_eq!(m["branch_id"], "b-co-dien");
    let plan = p.ok(&["plan", "create", "--year", "2026", "--number", "01-KH/CB"]);
    let t = p.json(&[
        "topic",
        "add",
        &plan,
        "--title",
        &title_nfd,
        "--month",
        "4",
        "--presenter",
        &luong_nfd,
    ]);
    assert_eq!(t["title"], title_nfc.as_str());
    // The NFD name found the member.
    assert_eq!(t["presenter"], "m-luong");
    let draft = p.json(&[
        "draft",
        "create",
        "--plan",
        &plan,
        "--topic",
        "1",
        "--body",
        &sentence_nfd,
    ]);
    assert_eq!(draft["body"], sentence_nfc.as_str());
    assert_eq!(draft["title"], title_nfc.as_str());
    let draft_id = draft["id"].as_str().unwrap().to_owned();
    // `--on` words typed in NFD find the NFC text.
    let (words_nfd, _) = get("name_luong");
    let c = p.json(&[
        "comment",
        "add",
        &draft_id,
        "--text",
        &sentence_nfd,
        "--on",
        &words_nfd,
    ]);
    assert_eq!(c["anchor"]["quote"], LUONG);
    assert_eq!(c["body"], sentence_nfc.as_str());
    // No NFD anywhere in the raw JSON output.
    let raw = p.run(&["doc", "show", &draft_id, "--json"]).stdout;
    assert!(text::is_nfc(&raw));
    assert!(raw.contains(&sentence_nfc));
    let raw = p.run(&["member", "list", "--json"]).stdout;
    assert!(text::is_nfc(&raw) && raw.contains(&uoc_nfc));
}

#[test]
fn test_commands_need_an_existing_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("chua-co.sotay");
    let r = run_in(&store, &["plan", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("sotay init --member"), "{}", r.stderr);
    assert!(!store.exists(), "a mistyped path must not create a store");
    let r = run_in(&store, &["init", "--member", "m-viet", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["member_id"], "m-viet");
    assert!(store.exists());
}

#[test]
fn test_editing_without_identity_is_refused() {
    // A store created by another tool without an identity: edits say why they fail.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sotay");
    drop(sotay_core::Store::open(&store).unwrap());
    let r = run_in(
        &store,
        &[
            "plan",
            "create",
            "--branch",
            "b-co-dien",
            "--year",
            "2026",
            "--json",
        ],
    );
    assert_eq!(r.code, 1);
    let err: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(err["kind"], "no_identity");
}

#[test]
fn test_usage_errors_exit_2_and_are_json_with_json() {
    let p = Phone::new();
    p.ok(&["init", "--member", "m-viet"]);
    let r = p.run(&["topic", "sett"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    let r = p.run(&[
        "--json", "comment", "add", "x", "--text", "a", "--on", "b", "--range", "1", "2",
    ]);
    assert_eq!(r.code, 2);
    let err: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(err["kind"], "invalid_input");
    assert!(err["error"].as_str().unwrap().contains("--range"));
    let help = p.ok(&["--help"]);
    for cmd in [
        "init",
        "member",
        "plan",
        "topic",
        "draft",
        "material",
        "doc",
        "comment",
        "proposal",
        "conflicts",
        "history",
        "check",
    ] {
        assert!(
            help.contains(&format!("  {cmd} ")),
            "help lacks {cmd}:\n{help}"
        );
    }
    assert!(
        help.contains("dev merge --from"),
        "the hidden dev merge is documented"
    );
}

#[test]
fn test_store_defaults_to_sotay_store_env() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("env.sotay");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sotay"))
            .args(args)
            .env("SOTAY_STORE", &store)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    assert!(run(&["init", "--member", "m-viet"]).status.success());
    assert!(store.exists());
    assert!(!dir.path().join("sotay.db").exists());
    let out = run(&["plan", "create", "--branch", "b-co-dien", "--year", "2026"]);
    assert!(out.status.success());
    let listed = run(&["plan", "list", "--json"]);
    let v: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn test_plan_text_legal_basis_and_header_edits() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let s = p.json(&[
        "plan",
        "text",
        &plan,
        "implementation",
        "--set",
        "Chi ủy phân công theo dõi.",
    ]);
    assert_eq!(s["text"], "Chi ủy phân công theo dõi.");
    let s = p.json(&[
        "plan",
        "text",
        &plan,
        "implementation",
        "--insert",
        "0",
        "1. ",
    ]);
    assert_eq!(s["text"], "1. Chi ủy phân công theo dõi.");
    let s = p.json(&[
        "plan",
        "text",
        &plan,
        "implementation",
        "--delete",
        "0",
        "3",
    ]);
    assert_eq!(s["text"], "Chi ủy phân công theo dõi.");
    assert_eq!(
        p.ok(&["plan", "text", &plan, "implementation"]),
        "Chi ủy phân công theo dõi."
    );
    let r = p.run(&[
        "plan",
        "text",
        &plan,
        "implementation",
        "--delete",
        "20",
        "50",
    ]);
    assert_eq!(r.code, 2, "{r:?}");

    let b1 = p.json(&[
        "plan",
        "basis",
        "add",
        &plan,
        "--number",
        "12-HD/BTCTW",
        "--date",
        "06/7/2018",
        "--title",
        "Hướng dẫn một số vấn đề về nâng cao chất lượng sinh hoạt chi bộ",
    ]);
    assert_eq!(b1["date"], "2018-07-06");
    p.ok(&[
        "plan",
        "basis",
        "add",
        &plan,
        "--number",
        "50-CT/TW",
        "--date",
        "23/07/2025",
    ]);
    let shown = p.ok(&["plan", "show", &plan]);
    assert!(shown.contains("1. 12-HD/BTCTW ngày 06/07/2018"), "{shown}");
    assert!(shown.contains("2. 50-CT/TW ngày 23/07/2025"), "{shown}");
    let after = p.json(&["plan", "basis", "remove", &plan, "1"]);
    let bases = after["legal_bases"].as_array().unwrap();
    assert_eq!(bases.len(), 1);
    assert_eq!(bases[0]["number"], "50-CT/TW");

    let h = p.json(&["plan", "set", &plan, "number", "02-KH/CB"]);
    assert_eq!(h["number"], "02-KH/CB");
    let r = p.run(&["plan", "set", &plan, "so", "x"]);
    assert_eq!(r.code, 2);
}

#[test]
fn test_doc_edit_and_material() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    let d = p.json(&["doc", "edit", &draft, "--insert", "0", "Tổ 1: "]);
    assert!(d["body"].as_str().unwrap().starts_with("Tổ 1: Quý I"));
    let d = p.json(&["doc", "edit", &draft, "--delete", "0", "6"]);
    assert_eq!(d["body"], DRAFT_BODY);
    let d = p.json(&["doc", "edit", &draft, "--title", "Dự thảo chuyên đề quý II"]);
    assert_eq!(d["title"], "Dự thảo chuyên đề quý II");
    let r = p.run(&["doc", "edit", &draft]);
    assert_eq!(r.code, 2);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tai-lieu.txt");
    std::fs::write(&file, "Chỉ thị 50-CT/TW ngày 23/7/2025 của Ban Bí thư.").unwrap();
    let m = p.json(&[
        "material",
        "create",
        "--title",
        "Chỉ thị 50-CT/TW",
        "--plan",
        &plan,
        "--topic",
        "3",
        "--body-file",
        file.to_str().unwrap(),
        "--description",
        "Ban Bí thư",
    ]);
    assert_eq!(m["kind"], "material");
    assert_eq!(m["body"], "Chỉ thị 50-CT/TW ngày 23/7/2025 của Ban Bí thư.");
    assert_eq!(m["topic"]["stt"], 3);
    let docs = p.json(&["doc", "list"]);
    assert_eq!(docs.as_array().unwrap().len(), 2);
    // A plan is not a draft.
    let r = p.run(&["doc", "show", &plan]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not topic_draft or material"),
        "{}",
        r.stderr
    );
}

#[test]
fn test_resolve_thread_history_and_check() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    let c = p.ok(&[
        "comment",
        "add",
        &draft,
        "--text",
        "Bổ sung nguyên nhân.",
        "--range",
        "0",
        "4",
    ]);
    let r = p.json(&["comment", "resolve", &draft, &c[..8]]);
    assert_eq!(r["resolved"], true);
    assert_eq!(r["resolved_by"], "m-viet");
    let r = p.json(&["comment", "resolve", &draft, &c[..8], "--reopen"]);
    assert_eq!(r["resolved"], false);
    let r = p.run(&["proposal", "status", &draft, &c[..8], "done"]);
    assert_eq!(r.code, 2, "a comment is not a proposal: {r:?}");

    let h = p.json(&["history", &draft]);
    let messages: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "create topic_draft",
            "comment.add",
            "comment.resolve",
            "comment.reopen"
        ]
    );
    assert_eq!(h[0]["member_name"], "Đặng Quốc Việt");
    let text = p.ok(&["history", &plan]);
    assert!(
        text.contains("thêm chuyên đề") && text.contains("Đặng Quốc Việt"),
        "{text}"
    );

    let check = p.json(&["check"]);
    assert_eq!(check["ok"], true);
    assert_eq!(check["integrity"], serde_json::json!(["ok"]));
    assert_eq!(check["documents_checked"], 2);
}

#[test]
fn test_in_process_run_writes_to_the_given_output() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let mut out = Vec::new();
    let args = [
        "sotay",
        "--store",
        p.store.to_str().unwrap(),
        "plan",
        "show",
        &plan,
        "--json",
    ];
    sotay_core::cli::run(args.map(String::from), &mut out).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(topic_titles(&v), [TOPIC_1, TOPIC_2, TOPIC_3]);
    let mut out = Vec::new();
    let args = [
        "sotay",
        "--store",
        p.store.to_str().unwrap(),
        "plan",
        "show",
        "khongco",
    ];
    let err = sotay_core::cli::run(args.map(String::from), &mut out).unwrap_err();
    assert_eq!(sotay_core::cli::exit_code(&err), 2);
    assert_eq!(sotay_core::cli::error_kind(&err), "not_found");
}

#[test]
fn test_check_reports_a_damaged_document_and_exits_1() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    {
        let db = rusqlite::Connection::open(&p.store).unwrap();
        let n = db
            .execute(
                "UPDATE documents SET snapshot = x'00010203' WHERE doc_id = ?1",
                [plan.as_str()],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let r = p.run(&["check", "--json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let report: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["damaged_documents"][0]["doc_id"], plan.as_str());
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains(&plan), "{}", r.stdout);
    assert!(r.stderr.contains("found problems"), "{}", r.stderr);
    // The damaged plan fails with a clear error; the rest of the store keeps working.
    let r = p.run(&["plan", "show", &plan, "--json"]);
    assert_eq!(r.code, 1);
    let err: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(err["kind"], "document_damaged");
    assert_eq!(p.json(&["doc", "show", &draft])["body"], DRAFT_BODY);
}

// ----- approval and attributable history -----------------------------------------------------

/// Enrolls a phone without a server, leaving what `sotay enroll` and the first `sync` leave:
/// the enrollment, the device key, a pinned server key and a member directory signed with
/// it listing `members` (id, role) of branch b-co-dien, `me` with this device. `None` for
/// `members`: enrolled, but no directory received yet.
fn enroll_offline(p: &Phone, me: &str, members: Option<&[(&str, sotay_core::org::Role)]>) {
    use sotay_core::ids::{BranchId, MemberId};
    use sotay_core::org::MemberStatus;
    use sotay_core::protocol::{
        Directory, DirectoryBranch, DirectoryDevice, DirectoryMember, RoleSpan,
    };
    let device = format!("dev-{me}");
    let public_key = {
        let mut store = sotay_core::Store::open(&p.store).unwrap();
        store
            .set_enrollment(&sotay_core::store::Enrollment {
                server_url: "http://127.0.0.1:9".into(),
                device_id: device.clone(),
                member_id: MemberId::new(me),
                committee_id: "c-song-lam".into(),
                enrolled_at: 1_600_000_000,
            })
            .unwrap();
        store.device_public_key().unwrap()
    };
    let server = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let db = rusqlite::Connection::open(&p.store).unwrap();
    db.execute(
        "UPDATE enrollment SET server_key = ?1 WHERE id = 1",
        [server.verifying_key().to_bytes().to_vec()],
    )
    .unwrap();
    let Some(members) = members else {
        return;
    };
    let branch = BranchId::new("b-co-dien");
    let mut dir = Directory {
        version: 1,
        committee_id: "c-song-lam".into(),
        committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
        members: members
            .iter()
            .map(|(id, role)| DirectoryMember {
                id: MemberId::new(*id),
                branch_id: Some(branch.clone()),
                full_name: (*id).to_owned(),
                role: *role,
                status: MemberStatus::Full,
                active: true,
                roles: vec![RoleSpan {
                    branch_id: Some(branch.clone()),
                    role: *role,
                    from: 0,
                    until: None,
                }],
                devices: if *id == me {
                    vec![DirectoryDevice {
                        id: device.clone(),
                        public_key,
                        enrolled_at: 1_600_000_000,
                        revoked_at: None,
                    }]
                } else {
                    vec![]
                },
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
    db.execute(
        "INSERT OR REPLACE INTO directory (id, version, bytes) VALUES (1, 1, ?1)",
        [postcard::to_allocvec(&dir).unwrap()],
    )
    .unwrap();
}

/// Runs a command that must fail with `--json`; returns (exit code, error kind, message).
fn refused(p: &Phone, args: &[&str]) -> (i32, String, String) {
    let mut a = args.to_vec();
    a.push("--json");
    let r = p.run(&a);
    assert_ne!(r.code, 0, "sotay {args:?} should fail: {r:?}");
    let v: Value =
        serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    (
        r.code,
        v["kind"].as_str().unwrap().to_owned(),
        v["error"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn test_status_of_a_fresh_plan_is_not_submitted() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    let draft = demo_draft(&p, &plan);
    let one = p.json(&["status", &plan[..8]]);
    assert_eq!(one["doc_id"], plan.as_str());
    assert_eq!(one["kind"], "annual_plan");
    assert_eq!(one["state"], "not_submitted");
    assert_eq!(one["status"], "not_submitted");
    assert_eq!(one["signoffs"], serde_json::json!([]));
    let text = p.ok(&["status", &plan]);
    assert!(text.contains("chưa gửi duyệt (not submitted)"), "{text}");

    // One line per document.
    let all = p.json(&["status"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    let ids: Vec<&str> = all.iter().map(|v| v["doc_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&plan.as_str()) && ids.contains(&draft.as_str()));
    assert!(all.iter().all(|v| v["state"] == "not_submitted"));
    assert!(all.iter().all(|v| v.get("signoffs").is_none()));
    let text = p.ok(&["status"]);
    assert!(
        text.contains("Kế hoạch 01-KH/CB năm 2026") && text.contains(&plan[..8]),
        "{text}"
    );

    // Nothing approved: nothing to diff from or show.
    for args in [
        vec!["diff", plan.as_str()],
        vec!["show-approved", plan.as_str()],
        vec!["status", plan.as_str(), "--as-approved"],
    ] {
        let (code, kind, msg) = refused(&p, &args);
        assert_eq!(
            (code, kind.as_str()),
            (2, "invalid_input"),
            "{args:?}: {msg}"
        );
        assert!(msg.contains("no approval in force"), "{msg}");
    }
    let (code, kind, _) = refused(&p, &["diff", &plan, "--from", "abcdef"]);
    assert_eq!((code, kind.as_str()), (2, "invalid_input"));
}

#[test]
fn test_submit_and_approve_on_an_unenrolled_store_are_not_enrolled() {
    let p = demo_phone("m-viet");
    let plan = demo_plan(&p);
    for cmd in ["approve", "submit"] {
        let (code, kind, msg) = refused(&p, &[cmd, &plan, "--note", "Đồng ý"]);
        assert_eq!((code, kind.as_str()), (1, "not_enrolled"), "{cmd}: {msg}");
        let r = p.run(&[cmd, &plan]);
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("not enrolled"), "{r:?}");
    }
    // Enrolled, but no directory yet: sync first.
    enroll_offline(&p, "m-viet", None);
    let (code, kind, msg) = refused(&p, &["approve", &plan]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"));
    assert!(
        msg.contains("sync first") && msg.contains("đồng bộ"),
        "{msg}"
    );
}

#[test]
fn test_approve_lists_why_not_ready_then_status_diff_and_show_approved() {
    use sotay_core::org::Role;
    let p = demo_phone("m-viet");
    enroll_offline(&p, "m-viet", Some(&[("m-viet", Role::Secretary)]));
    let plan = demo_plan(&p);
    // Topic 2 has no presenter, and a topic without month or preparer is added.
    p.ok(&[
        "topic",
        "add",
        &plan,
        "--title",
        "Chuyên đề bổ sung",
        "--month",
        "9",
    ]);
    p.ok(&["topic", "set", &plan, "4", "date", ""]);
    let (code, kind, msg) = refused(&p, &["approve", &plan]);
    assert_eq!((code, kind.as_str()), (1, "not_ready"), "{msg}");
    for needle in [
        "chưa thể duyệt",
        "Chuyên đề 2 «Giải pháp giảm thời gian dừng máy",
        "thiếu người trình bày (presenter)",
        "Chuyên đề 4 «Chuyên đề bổ sung»: thiếu thời gian (tháng) (month)",
        "Chuyên đề 4 «Chuyên đề bổ sung»: thiếu người chuẩn bị (preparer)",
    ] {
        assert!(msg.contains(needle), "missing {needle:?} in:\n{msg}");
    }
    p.ok(&["topic", "cancel", &plan, "4"]);
    p.ok(&["topic", "set", &plan, "2", "presenter", LUONG]);

    let signed = p.json(&["approve", &plan[..8], "--note", "Đồng ý ban hành"]);
    let first = signed["id"].as_str().unwrap().to_owned();
    assert_eq!(first.len(), 32);
    assert_eq!(signed["state"], "unsent");
    assert_eq!(signed["signoff"]["action"], "approve");
    assert_eq!(signed["signoff"]["signer"], "m-viet");
    assert_eq!(signed["signoff"]["note"], "Đồng ý ban hành");

    let st = p.json(&["status", &plan]);
    assert_eq!(st["state"], "approved");
    assert_eq!(st["status"]["approved"]["approval"]["signer"], "m-viet");
    assert_eq!(st["signoffs"][0]["id"], first.as_str());
    assert_eq!(st["signoffs"][0]["state"], "unsent");
    assert_eq!(st["member_names"]["m-viet"], "Đặng Quốc Việt");
    let text = p.ok(&["status", &plan]);
    for needle in [
        "đã duyệt (approved)",
        "Bí thư",
        "hợp lệ (signature valid)",
        &first[..8],
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    // Changes since the approval.
    p.ok(&["topic", "set", &plan, "1", "presenter", ANH]);
    p.ok(&["topic", "move", &plan, "3", "1"]);
    p.ok(&[
        "plan",
        "text",
        &plan,
        "purpose",
        "--insert",
        "0",
        "Năm 2026: ",
    ]);
    let st = p.json(&["status", &plan]);
    assert_eq!(st["state"], "approved_with_changes");
    let delta = &st["status"]["approved_with_changes"]["delta"];
    assert_eq!(delta["change_count"], 3);
    assert_eq!(delta["editors"], serde_json::json!(["m-viet"]));
    let text = p.ok(&["status", &plan]);
    assert!(text.contains("3 thay đổi của Đặng Quốc Việt"), "{text}");
    let full = p.ok(&["status", &plan, "--full"]);
    assert!(full.contains("STT 3 → STT 1"), "{full}");

    let d = p.json(&["diff", &plan]);
    assert_eq!(d["from"]["version"], "signoff");
    assert_eq!(d["from"]["signoff"]["id"], first.as_str());
    assert_eq!(d["to"]["version"], "current");
    let content = &d["delta"]["content"]["plan"];
    let change = &content["topic_fields"][0];
    assert_eq!(change["change"]["field"], "presenter");
    assert_eq!(change["change"]["from"]["member"], "m-ung");
    assert_eq!(change["change"]["to"]["member"], "m-anh");
    assert_eq!(change["change"]["by"], "m-viet");
    assert_eq!(content["topics_moved"][0]["from_index"], 2);
    assert_eq!(content["purpose"][0]["kind"], "inserted");
    assert_eq!(content["purpose"][0]["text"], "Năm 2026: ");
    let text = p.ok(&["diff", &plan]);
    for needle in [
        "người trình bày (presenter): Lê Văn Ứng → Phạm Ngọc Ánh (Đặng Quốc Việt)",
        "↕ Chuyển chuyên đề «Quán triệt",
        "STT 3 → STT 1",
        "I. Mục đích, yêu cầu: thêm «Năm 2026: » tại ký tự 0 (Đặng Quốc Việt)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    // The plan exactly as approved.
    let shown = p.json(&["show-approved", &plan]);
    assert_eq!(shown["in_force"], true);
    assert_eq!(shown["invalid"], Value::Null);
    assert_eq!(shown["approval"]["id"], first.as_str());
    assert_eq!(topic_titles(&shown["plan"])[0], TOPIC_1);
    assert_eq!(shown["plan"]["topics"][0]["presenter"], "m-ung");
    assert!(
        !shown["plan"]["purpose"]
            .as_str()
            .unwrap()
            .starts_with("Năm 2026")
    );
    let text = p.ok(&["status", &plan, "--as-approved"]);
    assert!(
        text.contains("BẢN ĐÃ DUYỆT") && text.contains("Phát huy vai trò nêu gương"),
        "{text}"
    );

    // A second approval supersedes the first; diff between the two.
    let second = p.json(&["approve", &plan])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let st = p.json(&["status", &plan]);
    assert_eq!(st["state"], "approved");
    assert_eq!(
        st["status"]["approved"]["approval"]["supersedes"],
        first.as_str()
    );
    let d = p.json(&["diff", &plan, "--from", &first[..8], "--to", &second[..8]]);
    assert_eq!(d["delta"]["change_count"], 3);
    assert_eq!(d["to"]["signoff"]["id"], second.as_str());
    let d = p.json(&["diff", &plan]);
    assert_eq!(d["delta"]["change_count"], 0);
    let old = p.json(&["show-approved", &plan, "--approval", &first[..10]]);
    assert_eq!(old["in_force"], false);
    assert_eq!(old["plan"]["topics"][0]["presenter"], "m-ung");

    // A submission after an approval: the officer sees what it asks to approve.
    p.ok(&["plan", "set", &plan, "number", "02-KH/CB"]);
    p.ok(&["submit", &plan]);
    let st = p.json(&["status", &plan]);
    assert_eq!(st["state"], "submitted");
    assert_eq!(
        st["status"]["submitted"]["previous"]["supersedes"],
        first.as_str()
    );
    let text = p.ok(&["status", &plan]);
    for needle in [
        "Đề nghị duyệt các thay đổi (changes submitted): 1 thay đổi",
        "Kế hoạch › số hiệu (number): «01-KH/CB» → «02-KH/CB» (Đặng Quốc Việt)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    // A directory in which Việt was never secretary: the approvals no longer verify.
    enroll_offline(&p, "m-viet", Some(&[("m-viet", Role::Member)]));
    let st = p.json(&["status", &plan]);
    assert_eq!(st["state"], "invalid");
    assert_eq!(st["status"]["invalid"]["approval"]["signer"], "m-viet");
    assert!(
        st["status"]["invalid"]["reason"]["WrongRole"].is_object(),
        "{st}"
    );
    let text = p.ok(&["status", &plan]);
    for needle in [
        "bản duyệt không hợp lệ (approval invalid)",
        "Người ký không giữ chức vụ có thẩm quyền",
        "(reason: signed as Secretary while holding Member",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let shown = p.json(&["show-approved", &plan, "--approval", &second]);
    assert!(shown["invalid"]["WrongRole"].is_object(), "{shown}");
    let text = p.ok(&["show-approved", &plan, "--approval", &second]);
    assert!(text.contains("! bản ký này không hợp lệ"), "{text}");
}

#[test]
fn test_a_member_may_submit_but_not_approve() {
    use sotay_core::org::Role;
    let a = demo_phone("m-viet");
    let plan = demo_plan(&a);
    let b = demo_phone("m-anh");
    b.ok(&["dev", "merge", "--from", a.store.to_str().unwrap()]);
    enroll_offline(
        &b,
        "m-anh",
        Some(&[("m-viet", Role::Secretary), ("m-anh", Role::Member)]),
    );
    let (code, kind, msg) = refused(&b, &["approve", &plan]);
    assert_eq!((code, kind.as_str()), (1, "not_permitted"));
    assert!(
        msg.contains("not permitted") && msg.contains("Secretary"),
        "{msg}"
    );

    let signed = b.json(&["submit", &plan, "--note", "Xin ý kiến chi ủy"]);
    assert_eq!(signed["signoff"]["action"], "submit");
    let st = b.json(&["status", &plan]);
    assert_eq!(st["state"], "submitted");
    assert_eq!(st["status"]["submitted"]["by"], "m-anh");
    let text = b.ok(&["status", &plan]);
    assert!(
        text.contains("đã gửi duyệt, chờ duyệt (submitted)") && text.contains(ANH),
        "{text}"
    );
    // A submission is a version too: diff from it.
    b.ok(&[
        "topic",
        "set",
        &plan,
        "1",
        "notes",
        "Mời đại diện công đoàn",
    ]);
    let id = signed["id"].as_str().unwrap();
    let d = b.json(&["diff", &plan, "--from", &id[..8]]);
    assert_eq!(
        d["delta"]["content"]["plan"]["topic_fields"][0]["change"]["field"],
        "notes"
    );
    assert_eq!(d["member_names"]["m-anh"], ANH);
}

#[test]
fn test_history_by_member_and_blame_after_a_merge() {
    let a = demo_phone("m-viet");
    let plan = demo_plan(&a);
    let b = Phone::new();
    b.ok(&["init", "--member", "m-trang"]);
    b.ok(&["dev", "merge", "--from", a.store.to_str().unwrap()]);
    // Offline on both phones.
    a.ok(&["topic", "set", &plan, "3", "notes", "Mời báo cáo viên"]);
    b.ok(&["topic", "set", &plan, "2", "presenter", ANH]);
    b.ok(&["topic", "preparer", &plan, "2", "add", "m-trang"]);
    let purpose = a.json(&["plan", "text", &plan, "purpose"])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let end = purpose.chars().count().to_string();
    b.ok(&[
        "plan",
        "text",
        &plan,
        "purpose",
        "--insert",
        &end,
        " Hoàn thành đúng hạn.",
    ]);
    a.ok(&["dev", "merge", "--from", b.store.to_str().unwrap()]);

    let groups = a.json(&["history", &plan, "--by-member"]);
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups[0]["member"], "m-viet");
    assert_eq!(groups[0]["member_name"], "Đặng Quốc Việt");
    assert_eq!(groups[0]["change_count"], 5);
    assert_eq!(groups[1]["member"], "m-trang");
    assert_eq!(groups[1]["change_count"], 3);
    let sessions = groups[1]["sessions"].as_array().unwrap();
    assert_eq!(
        sessions.len(),
        1,
        "Trang's three edits in a row: {sessions:?}"
    );
    let touched: Vec<&str> = sessions[0]["touched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        touched,
        [
            "topic.set.presenter",
            "topic.preparer.add",
            "plan.text.purpose"
        ]
    );
    let text = a.ok(&["history", &plan, "--by-member"]);
    for needle in [
        "Đặng Quốc Việt (m-viet) — 5 thay đổi",
        "Nguyễn Thị Huyền Trang (m-trang) — 3 thay đổi, 1 phiên",
        "thêm chuyên đề ×3",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    let blame = a.json(&["history", &plan, "--blame"]);
    let p = &blame["plan"];
    let field = |t: usize, key: &str| -> Value {
        p["topics"][t]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(field(1, "presenter")["value"], "m-anh");
    assert_eq!(field(1, "presenter")["by"], "m-trang");
    assert_eq!(field(2, "notes")["by"], "m-viet");
    assert_eq!(field(0, "presenter")["by"], "m-viet");
    assert_eq!(p["topics"][1]["preparers"][1]["field"], "m-trang");
    assert_eq!(p["topics"][1]["preparers"][1]["by"], "m-trang");
    let spans = p["purpose"].as_array().unwrap();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!(spans[0]["by"], "m-viet");
    assert_eq!(spans[0]["text"], purpose.as_str());
    assert_eq!(spans[1]["by"], "m-trang");
    assert_eq!(spans[1]["text"], " Hoàn thành đúng hạn.");
    assert_eq!(blame["member_names"]["m-trang"], "Nguyễn Thị Huyền Trang");
    let text = a.ok(&["history", &plan, "--blame"]);
    for needle in [
        "người trình bày (presenter): Phạm Ngọc Ánh (m-anh) — Nguyễn Thị Huyền Trang",
        "[Nguyễn Thị Huyền Trang · ",
        "Hoàn thành đúng hạn.",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // A draft: body spans.
    let draft = demo_draft(&a, &plan);
    a.ok(&["doc", "edit", &draft, "--insert", "0", "Báo cáo: "]);
    let blame = a.json(&["history", &draft, "--blame"]);
    assert_eq!(blame["text"]["body"][0]["by"], "m-viet");
    let r = a.run(&["history", &plan, "--blame", "--by-member"]);
    assert_eq!(r.code, 2, "{r:?}");
}
