//! Administering the organisation (`sotay_server::admin`), the demo seed and the
//! `sotay-server admin` command line: CSV import of Vietnamese names, enrollment codes and
//! the enroll flow, removing and moving members.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use ed25519_dalek::{Signer, SigningKey};
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::model::session::QualityGrid;
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{AuthHeader, EnrollRequest, EnrollResponse, signing_payload};
use sotay_core::store::evidence::Weights;
use sotay_server::Error;
use sotay_server::admin::{self, CODE_ALPHABET, EnrollError, NewMember};
use sotay_server::demo;
use sotay_server::identity::{AuthError, authenticate};
use sotay_server::store::memory::MemoryStore;
use sotay_server::store::{Scope, ServerStore};

const NOW: i64 = 1_767_225_600; // 2026-01-01
const DAY: i64 = 24 * 60 * 60;

fn org() -> MemoryStore {
    let store = MemoryStore::new();
    admin::create_committee(
        &store,
        "c1",
        "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh",
    )
    .unwrap();
    admin::create_branch(&store, "b-co-dien", "c1", "Chi bộ Phân xưởng Cơ điện").unwrap();
    admin::create_branch(&store, "b-van-tai", "c1", "Chi bộ Phân xưởng Vận tải").unwrap();
    admin::create_committee(&store, "c2", "Đảng bộ Khác").unwrap();
    admin::create_branch(&store, "b-khac", "c2", "Chi bộ Khác").unwrap();
    store
}

fn add(store: &dyn ServerStore, id: &str, branch: Option<&str>, role: Role) {
    admin::add_member(
        store,
        &NewMember {
            id: id.into(),
            committee_id: "c1".into(),
            branch_id: branch.map(Into::into),
            full_name: format!("Lê Văn {id}"),
            role,
            status: MemberStatus::Full,
        },
        NOW,
    )
    .unwrap();
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&rand::random::<[u8; 32]>())
}

fn enroll_req(code: &str, key: &SigningKey) -> EnrollRequest {
    EnrollRequest {
        code: code.to_owned(),
        public_key: hex::encode(key.verifying_key().as_bytes()),
        device_name: "Redmi 9A của Việt".to_owned(),
    }
}

fn enroll(store: &dyn ServerStore, member: &str) -> (EnrollResponse, SigningKey) {
    let k = key();
    let code = admin::issue_code(store, &MemberId::new(member), NOW, DAY).unwrap();
    (
        admin::enroll(store, &enroll_req(&code.code, &k), NOW).unwrap(),
        k,
    )
}

fn signed(device: &str, key: &SigningKey, ts: i64) -> String {
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    let sig = key.sign(&signing_payload("POST", "/v1/sync", ts, &nonce, b""));
    AuthHeader {
        device_id: device.to_owned(),
        ts,
        nonce,
        signature: hex::encode(sig.to_bytes()),
    }
    .to_header_value()
}

fn members_of(store: &dyn ServerStore, committee: &str) -> usize {
    store.members(committee).unwrap().len()
}

// ----- CSV import --------------------------------------------------------------------------

#[test]
fn test_csv_import_stores_vietnamese_names_in_nfc() {
    let store = org();
    // "Nguyễn Thị Huyền Trang" and "Quách Thị Ỷ" in NFD, as a macOS export writes them;
    // a BOM, CRLF line ends, a quoted name, spaces and a blank trailing line, as spreadsheets do.
    let nfd_trang = "Nguye\u{302}\u{303}n Thi\u{323} Huye\u{302}\u{300}n Trang";
    let nfd_y = "Qua\u{301}ch Thi\u{323} Y\u{309}";
    let csv = format!(
        "\u{feff}id,full_name,branch_id,role,status\r\n\
         m-viet,Đặng Quốc Việt,b-co-dien,Secretary,Full\r\n\
         m-trang,{nfd_trang},b-co-dien,DeputySecretary,Full\r\n\
         m-y,\"{nfd_y}\",b-co-dien,member,probationary\r\n\
         m-uoc,  Ông Thị  Ngọc Ước ,b-van-tai,Member,Exempt\r\n\
         m-kiem,Trần Văn Kiểm,,Inspector,Full\r\n\
         ,,,,\r\n"
    );
    let imported = admin::import_members_csv(&store, "c1", csv.as_bytes(), NOW).unwrap();
    assert_eq!(imported.len(), 5);

    let get = |id: &str| store.member(&MemberId::new(id)).unwrap().unwrap();
    assert_eq!(get("m-trang").full_name, "Nguyễn Thị Huyền Trang");
    assert_eq!(
        get("m-trang").full_name.chars().count(),
        22,
        "composed, not decomposed"
    );
    assert_eq!(get("m-y").full_name, "Quách Thị Ỷ");
    assert_eq!(get("m-y").status, MemberStatus::Probationary);
    assert_eq!(get("m-uoc").full_name, "Ông Thị Ngọc Ước");
    assert_eq!(get("m-uoc").branch_id, Some(BranchId::new("b-van-tai")));
    assert_eq!(get("m-viet").role, Role::Secretary);
    assert_eq!(get("m-kiem").branch_id, None);
    assert_eq!(get("m-kiem").role, Role::Inspector);
    assert!(store.members("c1").unwrap().iter().all(|m| m.active));
}

#[test]
fn test_bad_csv_refused_with_line_numbers_and_nothing_stored() {
    let store = org();
    let csv = "id,full_name,branch_id,role,status\n\
               m-1,Phạm Ngọc Ánh,b-co-dien,Member,Full\n\
               m-2,Hoàng Đức Lượng,b-khong-co,Member,Full\n\
               m-3,Bùi Thị Yến,b-co-dien,Chairman,Full\n\
               m-4,Ngô Quang Huy,b-co-dien,Member,Retired\n\
               m-1,Lưu Thị Ngọc Hằng,b-co-dien,Member,Full\n\
               m-6,   ,b-co-dien,Member,Full\n\
               m-7,Dương Văn Đoàn,b-khac,Member,Full\n\
               m-8,Tạ Quang Thắng,,Member,Probationary\n\
               m-9,Mạc Văn Đạt,b-co-dien,Admin,Full\n\
               m-10,Đỗ Mạnh Cường,b-co-dien\n";
    let err = admin::import_members_csv(&store, "c1", csv.as_bytes(), NOW).unwrap_err();
    let Error::InvalidInput(msg) = err else {
        panic!("{err:?}")
    };
    for expected in [
        "line 3: unknown branch",
        "line 4: unknown role \"Chairman\"",
        "line 5: unknown status \"Retired\"",
        "line 6: member id \"m-1\" already appears on line 2",
        "line 7: full name is empty",
        "line 8: unknown branch", // another committee's branch is as unknown as a missing one
        "line 9: role Member needs a branch",
        "line 10: role Admin is committee-level",
        "line 11: expected 5 columns, found 3",
    ] {
        assert!(msg.contains(expected), "missing {expected:?} in:\n{msg}");
    }
    assert!(!msg.contains("line 2:"), "line 2 is fine:\n{msg}");
    assert_eq!(members_of(&store, "c1"), 0, "all or nothing");
}

#[test]
fn test_csv_header_encoding_and_existing_ids_are_checked() {
    let store = org();
    add(&store, "m-old", Some("b-co-dien"), Role::Member);
    let cases: [(&[u8], &str); 4] = [
        (b"", "line 1: the file is empty"),
        (
            b"ma,ho_ten,chi_bo,vai_tro,trang_thai\nm-1,A,b-co-dien,Member,Full\n",
            "line 1: the header",
        ),
        // "Lê" in Windows-1258/Latin-1 bytes, not UTF-8.
        (
            b"id,full_name,branch_id,role,status\nm-1,L\xea V\xe3n,b-co-dien,Member,Full\n",
            "line 2: not UTF-8",
        ),
        (
            "id,full_name,branch_id,role,status\nm-old,Lê Văn Cũ,b-co-dien,Member,Full\n"
                .as_bytes(),
            "line 2: member m-old already exists",
        ),
    ];
    for (csv, expected) in cases {
        let err = admin::import_members_csv(&store, "c1", csv, NOW).unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{expected:?} not in {err}"
        );
    }
    assert_eq!(members_of(&store, "c1"), 1);
    let missing = admin::import_members_csv(
        &store,
        "c-none",
        b"id,full_name,branch_id,role,status\n",
        NOW,
    );
    assert!(matches!(missing, Err(Error::NotFound(_))));
}

// ----- members -----------------------------------------------------------------------------

#[test]
fn test_add_member_normalises_and_checks_role_against_branch() {
    let store = org();
    let new = |id: &str, branch: Option<&str>, role: Role| NewMember {
        id: id.into(),
        committee_id: "c1".into(),
        branch_id: branch.map(Into::into),
        full_name: "Vu\u{303} Thi\u{323} Hoa\u{300}".into(),
        role,
        status: MemberStatus::Full,
    };
    let m = admin::add_member(
        &store,
        &new("m-hoa", Some("b-co-dien"), Role::Executive),
        NOW,
    )
    .unwrap();
    assert_eq!(m.full_name, "Vũ Thị Hoà");
    assert!(matches!(
        admin::add_member(&store, &new("m-hoa", Some("b-co-dien"), Role::Member), NOW),
        Err(Error::AlreadyExists(_))
    ));
    for bad in [
        new("m-x", None, Role::Member),
        new("m-x", Some("b-co-dien"), Role::Inspector),
        new("m-x", Some("b-khac"), Role::Member),
        new("m x", Some("b-co-dien"), Role::Member),
        NewMember {
            full_name: " \t ".into(),
            ..new("m-x", Some("b-co-dien"), Role::Member)
        },
    ] {
        assert!(admin::add_member(&store, &bad, NOW).is_err(), "{bad:?}");
    }
    assert_eq!(members_of(&store, "c1"), 1);
    assert_eq!(members_of(&store, "c2"), 0);
}

#[test]
fn test_committee_and_branch_creation_checks() {
    let store = org();
    let c = admin::create_committee(&store, " c3 ", "Đa\u{309}ng bộ  Ba").unwrap();
    assert_eq!((c.id.as_str(), c.name.as_str()), ("c3", "Đảng bộ Ba"));
    assert!(matches!(
        admin::create_committee(&store, "c3", "X"),
        Err(Error::AlreadyExists(_))
    ));
    assert!(matches!(
        admin::create_branch(&store, "b-x", "c-none", "X"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        admin::create_branch(&store, "b-co-dien", "c3", "X"),
        Err(Error::AlreadyExists(_))
    ));
    assert!(admin::create_branch(&store, "b-y", "c3", "").is_err());
}

#[test]
fn test_remove_member_revokes_all_their_devices() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    add(&store, "m-b", Some("b-co-dien"), Role::Member);
    let (phone, phone_key) = enroll(&store, "m-a");
    let (_tablet, _) = enroll(&store, "m-a");
    let (other, other_key) = enroll(&store, "m-b");

    assert_eq!(
        admin::remove_member(&store, &MemberId::new("m-a"), NOW).unwrap(),
        2
    );
    let m = store.member(&MemberId::new("m-a")).unwrap().unwrap();
    assert!(!m.active);
    let devices = admin::list_devices(&store, &MemberId::new("m-a")).unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().all(|d| d.revoked_at == Some(NOW)));
    let refused = authenticate(
        &store,
        Some(&signed(&phone.device_id, &phone_key, NOW)),
        "POST",
        "/v1/sync",
        b"",
        NOW,
    );
    assert_eq!(refused.unwrap_err(), AuthError::Revoked);
    // Others are untouched; a removed member gets no new codes; removing again is harmless.
    let ok = authenticate(
        &store,
        Some(&signed(&other.device_id, &other_key, NOW)),
        "POST",
        "/v1/sync",
        b"",
        NOW,
    );
    assert!(ok.is_ok());
    assert!(admin::issue_code(&store, &MemberId::new("m-a"), NOW, DAY).is_err());
    assert_eq!(
        admin::remove_member(&store, &MemberId::new("m-a"), NOW).unwrap(),
        0
    );
    assert!(matches!(
        admin::remove_member(&store, &MemberId::new("m-none"), NOW),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn test_move_member_changes_scope_on_the_next_request() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let (dev, k) = enroll(&store, "m-a");
    let auth = || {
        authenticate(
            &store,
            Some(&signed(&dev.device_id, &k, NOW)),
            "POST",
            "/v1/sync",
            b"",
            NOW,
        )
        .unwrap()
    };
    let before = auth();
    assert!(before.may_write(&Scope::Branch(BranchId::new("b-co-dien"))));

    let moved = admin::move_member(
        &store,
        &MemberId::new("m-a"),
        &BranchId::new("b-van-tai"),
        NOW,
    )
    .unwrap();
    assert_eq!(moved.branch_id, Some(BranchId::new("b-van-tai")));
    let after = auth();
    assert_eq!(
        after.read_scopes(&store).unwrap(),
        vec![
            Scope::Branch(BranchId::new("b-van-tai")),
            Scope::Committee("c1".into())
        ]
    );
    assert!(after.may_write(&Scope::Branch(BranchId::new("b-van-tai"))));
    assert!(!after.may_write(&Scope::Branch(BranchId::new("b-co-dien"))));
    assert!(
        !after
            .may_read(&store, &Scope::Branch(BranchId::new("b-co-dien")))
            .unwrap()
    );
}

#[test]
fn test_move_member_stays_within_the_committee() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    add(&store, "m-insp", None, Role::Inspector);
    let to =
        |m: &str, b: &str| admin::move_member(&store, &MemberId::new(m), &BranchId::new(b), NOW);
    assert!(matches!(to("m-a", "b-khac"), Err(Error::NotFound(_))));
    assert!(matches!(to("m-a", "b-none"), Err(Error::NotFound(_))));
    assert!(matches!(
        to("m-insp", "b-co-dien"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(to("m-none", "b-co-dien"), Err(Error::NotFound(_))));
    admin::remove_member(&store, &MemberId::new("m-a"), NOW).unwrap();
    assert!(matches!(
        to("m-a", "b-van-tai"),
        Err(Error::InvalidInput(_))
    ));
    let m = store.member(&MemberId::new("m-a")).unwrap().unwrap();
    assert_eq!(m.branch_id, Some(BranchId::new("b-co-dien")));
}

// ----- roles and delegation ----------------------------------------------------------------

/// A re-election: the former secretary's span ends when the new role starts, so what she
/// approved as secretary stays checkable.
#[test]
fn test_set_role_records_the_hand_over() {
    let store = org();
    add(&store, "m-sec", Some("b-co-dien"), Role::Secretary);
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let id = |m: &str| MemberId::new(m);
    let v = store.directory_version("c1").unwrap();
    let new = admin::set_role(&store, &id("m-a"), Role::Secretary, NOW + DAY).unwrap();
    assert_eq!(new.role, Role::Secretary);
    let old = admin::set_role(&store, &id("m-sec"), Role::Member, NOW + DAY).unwrap();
    assert_eq!(old.role, Role::Member);
    assert_eq!(store.directory_version("c1").unwrap(), v + 2);
    let roles = store.role_history(&id("m-sec")).unwrap();
    assert_eq!(roles.len(), 2);
    assert_eq!(
        (roles[0].role, roles[0].from, roles[0].until),
        (Role::Secretary, NOW, Some(NOW + DAY))
    );
    assert_eq!(
        (roles[1].role, roles[1].from, roles[1].until),
        (Role::Member, NOW + DAY, None)
    );
    assert_eq!(
        store.member(&id("m-a")).unwrap().unwrap().role,
        Role::Secretary
    );
    // The same role again changes nothing, not even the directory version.
    admin::set_role(&store, &id("m-a"), Role::Secretary, NOW + 2 * DAY).unwrap();
    assert_eq!(store.role_history(&id("m-a")).unwrap().len(), 2);
    assert_eq!(store.directory_version("c1").unwrap(), v + 2);
}

#[test]
fn test_set_role_refuses_what_does_not_fit() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    add(&store, "m-insp", None, Role::Inspector);
    let id = |m: &str| MemberId::new(m);
    let set = |m: &str, role| admin::set_role(&store, &id(m), role, NOW + 1);
    assert!(matches!(
        set("m-none", Role::Member),
        Err(Error::NotFound(_))
    ));
    // A branch member cannot become committee staff in place, nor the reverse.
    assert!(matches!(
        set("m-a", Role::Inspector),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        set("m-insp", Role::Secretary),
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(store.role_history(&id("m-a")).unwrap().len(), 1);
    admin::remove_member(&store, &id("m-a"), NOW + 2).unwrap();
    assert!(matches!(
        set("m-a", Role::Secretary),
        Err(Error::InvalidInput(_))
    ));
    let roles = store.role_history(&id("m-a")).unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].until, Some(NOW + 2));
    // Committee staff change among committee roles.
    assert_eq!(set("m-insp", Role::Admin).unwrap().role, Role::Admin);
}

#[test]
fn test_move_and_import_record_roles_at_the_given_time() {
    let store = org();
    let csv = "id,full_name,branch_id,role,status
m-a,Lê Văn A,b-co-dien,Executive,Full
";
    admin::import_members_csv(&store, "c1", csv.as_bytes(), NOW).unwrap();
    admin::move_member(
        &store,
        &MemberId::new("m-a"),
        &BranchId::new("b-van-tai"),
        NOW + 5,
    )
    .unwrap();
    let roles = store.role_history(&MemberId::new("m-a")).unwrap();
    let summary: Vec<_> = roles
        .iter()
        .map(|r| (r.branch_id.clone().unwrap().to_string(), r.from, r.until))
        .collect();
    assert_eq!(
        summary,
        [
            ("b-co-dien".to_owned(), NOW, Some(NOW + 5)),
            ("b-van-tai".to_owned(), NOW + 5, None)
        ]
    );
}

#[test]
fn test_set_plan_delegation() {
    let store = org();
    let b = BranchId::new("b-co-dien");
    let v = store.directory_version("c1").unwrap();
    let branch = admin::set_plan_delegation(&store, &b, true, NOW).unwrap();
    assert_eq!(branch.name, "Chi bộ Phân xưởng Cơ điện");
    admin::set_plan_delegation(&store, &b, false, NOW + DAY).unwrap();
    let spans = store.plan_delegations(&b).unwrap();
    assert_eq!(spans.len(), 1);
    assert_eq!((spans[0].from, spans[0].until), (NOW, Some(NOW + DAY)));
    assert_eq!(store.directory_version("c1").unwrap(), v + 2);
    assert!(matches!(
        admin::set_plan_delegation(&store, &BranchId::new("b-none"), true, NOW),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn test_committee_settings_are_checked_stored_and_bump_the_directory() {
    let store = org();
    let v = store.directory_version("c1").unwrap();
    let mut w = Weights::default();
    w.weights[0].points_each = 5.0;
    w.weights[0].cap = 5.0;
    let set = admin::set_evidence_weights(
        &store,
        "c1",
        Some(&serde_json::to_string_pretty(&w).unwrap()),
    )
    .unwrap();
    // Stored as the checked value, read back equal.
    assert_eq!(
        Weights::from_json(set.evidence_weights.as_deref().unwrap()).unwrap(),
        w
    );
    assert_eq!(set.quality_grid, None);
    assert_eq!(store.directory_version("c1").unwrap(), v + 1);
    // Formatting alone changes nothing.
    admin::set_evidence_weights(&store, "c1", Some(&serde_json::to_string(&w).unwrap())).unwrap();
    assert_eq!(store.directory_version("c1").unwrap(), v + 1);
    // The grid beside it; the weights stay.
    let grid = QualityGrid::default();
    let both = admin::set_quality_grid(&store, "c1", Some(&serde_json::to_string(&grid).unwrap()))
        .unwrap();
    assert_eq!(both.evidence_weights, set.evidence_weights);
    assert_eq!(store.directory_version("c1").unwrap(), v + 2);
    // The signed directory a phone receives carries them.
    add(&store, "m-viet", Some("b-co-dien"), Role::Secretary);
    let m = store.member(&MemberId::new("m-viet")).unwrap().unwrap();
    let dir = sotay_server::directory::for_member(&store, &m, 9).unwrap();
    assert_eq!(dir.settings, both);

    // Bad input is refused and changes nothing.
    let mut over = w.clone();
    over.general_cap = 31.0;
    for bad in [
        serde_json::to_string(&over).unwrap(),
        "{\"weights\": 3}".to_owned(),
        "không phải JSON".to_owned(),
    ] {
        let e = admin::set_evidence_weights(&store, "c1", Some(&bad)).unwrap_err();
        assert!(
            matches!(e, Error::Core(sotay_core::Error::InvalidInput(_))),
            "{bad}: {e}"
        );
    }
    let mut short = grid.clone();
    short.criteria.pop();
    let e = admin::set_quality_grid(&store, "c1", Some(&serde_json::to_string(&short).unwrap()))
        .unwrap_err();
    assert!(e.to_string().contains("100"), "{e}");
    assert_eq!(admin::committee_settings(&store, "c1").unwrap(), both);
    assert_eq!(
        store.directory_version("c1").unwrap(),
        v + 3,
        "only the member added"
    );
    assert!(matches!(
        admin::set_evidence_weights(&store, "c-none", None),
        Err(Error::NotFound(_))
    ));

    // Back to the defaults.
    let none = admin::set_evidence_weights(&store, "c1", None).unwrap();
    assert_eq!(none.evidence_weights, None);
    assert!(none.quality_grid.is_some());
}

// ----- codes and enrollment ----------------------------------------------------------------

#[test]
fn test_codes_are_grouped_from_the_unambiguous_alphabet() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..50 {
        let c = admin::issue_code(
            &store,
            &MemberId::new("m-a"),
            NOW,
            admin::DEFAULT_CODE_VALIDITY_SECS,
        )
        .unwrap();
        assert_eq!(c.expires_at, NOW + 7 * DAY);
        let groups: Vec<&str> = c.code.split('-').collect();
        assert_eq!(groups.len(), 3, "{}", c.code);
        assert!(
            groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        );
        assert!(seen.insert(c.code));
    }
    assert_eq!(admin::normalize_code(" abcd-efgh jkmn "), "ABCDEFGHJKMN");
    assert_eq!(
        admin::code_hash("abcd-efgh-jkmn"),
        admin::code_hash("ABCDEFGHJKMN")
    );
    assert!(admin::issue_code(&store, &MemberId::new("m-none"), NOW, DAY).is_err());
    assert!(admin::issue_code(&store, &MemberId::new("m-a"), NOW, 0).is_err());
}

#[test]
fn test_enroll_flow_binds_the_key_to_the_member() {
    let store = org();
    admin::add_member(
        &store,
        &NewMember {
            id: "m-trang".into(),
            committee_id: "c1".into(),
            branch_id: Some("b-co-dien".into()),
            full_name: "Nguyễn Thị Huyền Trang".into(),
            role: Role::DeputySecretary,
            status: MemberStatus::Full,
        },
        NOW,
    )
    .unwrap();
    let code = admin::issue_code(&store, &MemberId::new("m-trang"), NOW, DAY).unwrap();
    let k = key();
    // Typed by a person: lower case, spaces instead of dashes.
    let typed = code.code.to_lowercase().replace('-', " ");
    let resp = admin::enroll(&store, &enroll_req(&typed, &k), NOW + 60).unwrap();
    assert_eq!(resp.committee_id, "c1");
    assert_eq!(resp.member.id, MemberId::new("m-trang"));
    assert_eq!(resp.member.full_name, "Nguyễn Thị Huyền Trang");
    assert_eq!(resp.member.branch_id, Some(BranchId::new("b-co-dien")));
    assert_eq!(resp.member.role, Role::DeputySecretary);
    assert_eq!(resp.device_id.len(), 32);
    assert!(resp.device_id.bytes().all(|b| b.is_ascii_hexdigit()));
    // The phone pins the server's public key (never the secret).
    let server_key = admin::server_public_key(&store).unwrap();
    assert_eq!(resp.server_key, hex::encode(server_key));
    assert_eq!(
        server_key,
        SigningKey::from_bytes(&store.server_secret().unwrap())
            .verifying_key()
            .to_bytes()
    );
    assert_ne!(server_key, store.server_secret().unwrap());

    let device = store.device(&resp.device_id).unwrap().unwrap();
    assert_eq!(device.public_key, k.verifying_key().to_bytes());
    assert_eq!(device.member_id, MemberId::new("m-trang"));
    assert_eq!(device.name, "Redmi 9A của Việt");
    assert_eq!(device.enrolled_at, NOW + 60);
    let ctx = authenticate(
        &store,
        Some(&signed(&resp.device_id, &k, NOW)),
        "POST",
        "/v1/sync",
        b"",
        NOW,
    );
    assert_eq!(ctx.unwrap().member.id, MemberId::new("m-trang"));
}

#[test]
fn test_codes_are_single_use_and_expire_with_one_generic_error() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let used = admin::issue_code(&store, &MemberId::new("m-a"), NOW, DAY).unwrap();
    admin::enroll(&store, &enroll_req(&used.code, &key()), NOW).unwrap();
    let expired = admin::issue_code(&store, &MemberId::new("m-a"), NOW, DAY).unwrap();

    let refusals = [
        admin::enroll(&store, &enroll_req(&used.code, &key()), NOW + 1),
        admin::enroll(&store, &enroll_req(&expired.code, &key()), NOW + DAY),
        admin::enroll(&store, &enroll_req("ABCD-EFGH-JKMN", &key()), NOW),
        admin::enroll(&store, &enroll_req("not a code at all", &key()), NOW),
        admin::enroll(&store, &enroll_req("", &key()), NOW),
    ];
    for r in refusals {
        let e = r.unwrap_err();
        assert_eq!(e, EnrollError::InvalidCode);
        assert_eq!(e.body().message, "this enrollment code is not valid");
        assert_eq!((e.status(), e.code()), (403, "invalid_code"));
    }
    // The expired code was still good a second before its end.
    let fresh = admin::issue_code(&store, &MemberId::new("m-a"), NOW, DAY).unwrap();
    assert!(admin::enroll(&store, &enroll_req(&fresh.code, &key()), NOW + DAY - 1).is_ok());
    assert_eq!(
        admin::list_devices(&store, &MemberId::new("m-a"))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn test_enroll_refuses_bad_keys_and_device_names_without_spending_the_code() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let code = admin::issue_code(&store, &MemberId::new("m-a"), NOW, DAY).unwrap();
    let good = hex::encode(key().verifying_key().as_bytes());
    // The identity point (small order), a non-point, wrong lengths, not hex.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let not_a_point = (2u8..=255)
        .map(|y| {
            let mut b = [0u8; 32];
            b[0] = y;
            b
        })
        .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_err())
        .unwrap();
    let bad_keys = [
        hex::encode(identity),
        hex::encode(not_a_point),
        good[..62].to_owned(),
        format!("{good}00"),
        "zz".repeat(32),
        String::new(),
    ];
    for public_key in bad_keys {
        let req = EnrollRequest {
            code: code.code.clone(),
            public_key: public_key.clone(),
            device_name: "Máy".into(),
        };
        let e = admin::enroll(&store, &req, NOW).unwrap_err();
        assert!(
            matches!(e, EnrollError::InvalidInput(_)),
            "{public_key}: {e:?}"
        );
        assert_eq!(e.status(), 400);
    }
    for device_name in [
        String::new(),
        "   ".into(),
        "x".repeat(65),
        "bad\u{7}name".into(),
    ] {
        let req = EnrollRequest {
            code: code.code.clone(),
            public_key: good.clone(),
            device_name,
        };
        assert!(matches!(
            admin::enroll(&store, &req, NOW),
            Err(EnrollError::InvalidInput(_))
        ));
    }
    assert!(
        admin::list_devices(&store, &MemberId::new("m-a"))
            .unwrap()
            .is_empty()
    );
    let req = EnrollRequest {
        code: code.code,
        public_key: good,
        device_name: "Ma\u{301}y ".into(),
    };
    admin::enroll(&store, &req, NOW).unwrap();
    assert_eq!(
        admin::list_devices(&store, &MemberId::new("m-a")).unwrap()[0].name,
        "Máy"
    );
}

#[test]
fn test_code_of_a_member_removed_before_enrollment_does_not_enroll() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let code = admin::issue_code(&store, &MemberId::new("m-a"), NOW, DAY).unwrap();
    admin::remove_member(&store, &MemberId::new("m-a"), NOW).unwrap();
    let e = admin::enroll(&store, &enroll_req(&code.code, &key()), NOW).unwrap_err();
    assert_eq!(e, EnrollError::InvalidCode);
    let devices = admin::list_devices(&store, &MemberId::new("m-a")).unwrap();
    assert!(devices.iter().all(|d| d.revoked_at.is_some()));
}

#[test]
fn test_committee_level_staff_enroll_with_no_branch() {
    let store = org();
    add(&store, "m-insp", None, Role::Inspector);
    let (resp, _) = enroll(&store, "m-insp");
    assert_eq!(resp.member.role, Role::Inspector);
    assert_eq!(resp.member.branch_id, None);
    assert_eq!(resp.committee_id, "c1");
}

#[test]
fn test_revoke_device_and_list_devices() {
    let store = org();
    add(&store, "m-a", Some("b-co-dien"), Role::Member);
    let (dev, _) = enroll(&store, "m-a");
    assert!(admin::revoke_device(&store, &dev.device_id, NOW).unwrap());
    assert!(!admin::revoke_device(&store, &dev.device_id, NOW + 1).unwrap());
    assert!(matches!(
        admin::revoke_device(&store, "nope", NOW),
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        admin::list_devices(&store, &MemberId::new("m-a")).unwrap()[0].revoked_at,
        Some(NOW)
    );
    assert!(matches!(
        admin::list_devices(&store, &MemberId::new("m-none")),
        Err(Error::NotFound(_))
    ));
}

// ----- demo --------------------------------------------------------------------------------

#[test]
fn test_seed_demo_builds_the_sample_committee_and_codes_that_enroll() {
    let store = MemoryStore::new();
    let codes = demo::seed_demo(&store, NOW).unwrap();
    let committee = demo::committee_id().unwrap();
    assert_eq!(committee, "c-song-lam-xanh");
    assert_eq!(
        store.committee(&committee).unwrap().unwrap().name,
        "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh"
    );
    assert_eq!(store.branches(&committee).unwrap().len(), 20);
    let members = store.members(&committee).unwrap();
    assert_eq!(members.len(), 18);
    let demo_branch = BranchId::new("b-co-dien");
    assert_eq!(
        members
            .iter()
            .filter(|m| m.branch_id.as_ref() == Some(&demo_branch))
            .count(),
        16
    );
    let kiem = store
        .member(&MemberId::new(demo::INSPECTOR_ID))
        .unwrap()
        .unwrap();
    assert_eq!(
        (kiem.full_name.as_str(), kiem.role, kiem.branch_id.clone()),
        ("Trần Văn Kiểm", Role::Inspector, None)
    );
    let adm = store
        .member(&MemberId::new(demo::ADMIN_ID))
        .unwrap()
        .unwrap();
    assert_eq!((adm.role, adm.branch_id), (Role::Admin, None));

    // 16 branch members + the inspector, secretary first, names as in DOMAIN.md.
    assert_eq!(codes.len(), 17);
    assert_eq!(codes[0].0.full_name, "Đặng Quốc Việt");
    assert_eq!(codes[0].0.role, Role::Secretary);
    assert_eq!(codes[16].0.id, MemberId::new("m-kiem"));
    assert!(codes.iter().any(|(m, _)| m.full_name == "Vũ Thị Hoà"));
    assert!(codes.iter().all(|(m, _)| m.role != Role::Admin));
    let (resp, _) = {
        let k = key();
        (
            admin::enroll(&store, &enroll_req(&codes[1].1, &k), NOW + 10).unwrap(),
            k,
        )
    };
    assert_eq!(resp.member.full_name, "Nguyễn Thị Huyền Trang");
    assert_eq!(resp.committee_id, committee);
}

#[test]
fn test_seed_demo_is_idempotent_and_issues_fresh_codes() {
    let store = MemoryStore::new();
    let first = demo::seed_demo(&store, NOW).unwrap();
    admin::remove_member(&store, &MemberId::new("m-dat"), NOW).unwrap();
    admin::move_member(
        &store,
        &MemberId::new("m-huy"),
        &BranchId::new("b-van-tai"),
        NOW,
    )
    .unwrap();
    let second = demo::seed_demo(&store, NOW + 100).unwrap();
    let committee = demo::committee_id().unwrap();
    assert_eq!(store.branches(&committee).unwrap().len(), 20);
    assert_eq!(store.members(&committee).unwrap().len(), 18);
    // The admin's changes stand; the removed member gets no code.
    assert_eq!(second.len(), 16);
    assert!(second.iter().all(|(m, _)| m.id != MemberId::new("m-dat")));
    let huy = store.member(&MemberId::new("m-huy")).unwrap().unwrap();
    assert_eq!(huy.branch_id, Some(BranchId::new("b-van-tai")));
    // Fresh codes; the first run's codes still work too (until used or expired).
    for (_, code) in &second {
        assert!(first.iter().all(|(_, c)| c != code));
    }
    assert!(admin::enroll(&store, &enroll_req(&first[0].1, &key()), NOW + 200).is_ok());
    assert!(admin::enroll(&store, &enroll_req(&second[0].1, &key()), NOW + 200).is_ok());
}

// ----- the command line --------------------------------------------------------------------

fn cli(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sotay-server"))
        .arg("admin")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn test_admin_command_line_sets_a_committees_weights_and_grid() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    drop(sotay_server::store::sqlite::SqliteStore::open(data.join("sotay-server.db")).unwrap());
    let (code, _, err) = cli(
        data,
        &["committee", "create", "--id", "c1", "--name", "Đảng bộ"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = cli(data, &["committee", "settings", "c1"]);
    assert_eq!(code, 0);
    assert!(out.contains("evidence weights: mặc định"), "{out}");

    let file = data.join("w.json");
    let w = Weights {
        task_cap: 20.0,
        ..Weights::default()
    };
    std::fs::write(&file, serde_json::to_string_pretty(&w).unwrap()).unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = cli(
        data,
        &["committee", "set-evidence-weights", "c1", "--file", f],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"task_cap\":20.0"), "{out}");
    // A grid that does not add up to 100: exit 2, a clear message, nothing stored.
    let grid = data.join("g.json");
    std::fs::write(
        &grid,
        r#"{"criteria":[{"code":"a","label":"Một","max":60}]}"#,
    )
    .unwrap();
    let g = grid.to_str().unwrap();
    let (code, _, err) = cli(data, &["committee", "set-quality-grid", "c1", "--file", g]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("100"), "{err}");
    let (code, _, err) = cli(
        data,
        &["committee", "set-quality-grid", "c-none", "--default"],
    );
    assert_eq!(code, 2, "{err}");
    let (_, out, _) = cli(data, &["committee", "settings", "c1"]);
    assert!(out.contains("quality grid: mặc định"), "{out}");
    assert!(out.contains("\"task_cap\":20.0"), "{out}");
    // Neither a file nor --default: a usage error.
    let (code, _, _) = cli(data, &["committee", "set-evidence-weights", "c1"]);
    assert_eq!(code, 2);
    let (code, out, _) = cli(
        data,
        &["committee", "set-evidence-weights", "c1", "--default"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("evidence weights: mặc định"), "{out}");
}

#[test]
fn test_admin_command_line_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // The data directory must exist for admin commands (serve creates it).
    let (code, _, err) = cli(
        &data.join("missing"),
        &["committee", "create", "--id", "c1", "--name", "X"],
    );
    assert_eq!(code, 2, "{err}");

    // Create the database the way `serve` would.
    drop(sotay_server::store::sqlite::SqliteStore::open(data.join("sotay-server.db")).unwrap());
    let ok = |args: &[&str]| {
        let (code, out, err) = cli(data, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    ok(&[
        "committee",
        "create",
        "--id",
        "c1",
        "--name",
        "Đảng bộ Sông Lam Xanh",
    ]);
    ok(&[
        "branch",
        "create",
        "--id",
        "b-co-dien",
        "--committee",
        "c1",
        "--name",
        "Chi bộ Phân xưởng Cơ điện",
    ]);
    ok(&[
        "branch",
        "create",
        "--id",
        "b-van-tai",
        "--committee",
        "c1",
        "--name",
        "Chi bộ Phân xưởng Vận tải",
    ]);
    let out = ok(&[
        "member",
        "add",
        "--id",
        "m-viet",
        "--name",
        "Đặng Quốc Việt",
        "--branch",
        "b-co-dien",
        "--role",
        "Secretary",
    ]);
    assert!(out.contains("Đặng Quốc Việt"), "{out}");
    ok(&[
        "member",
        "add",
        "--id",
        "m-kiem",
        "--name",
        "Trần Văn Kiểm",
        "--committee-level",
        "--committee",
        "c1",
        "--role",
        "Inspector",
    ]);

    let csv = data.join("members.csv");
    std::fs::write(
        &csv,
        "id,full_name,branch_id,role,status\nm-y,Quách Thị Ỷ,b-co-dien,Member,Probationary\n",
    )
    .unwrap();
    let out = ok(&[
        "member",
        "import",
        csv.to_str().unwrap(),
        "--committee",
        "c1",
    ]);
    assert!(out.contains("imported 1"), "{out}");
    std::fs::write(
        &csv,
        "id,full_name,branch_id,role,status\nm-z,Ông Thị Ngọc Ước,b-nowhere,Member,Full\n",
    )
    .unwrap();
    let (code, _, err) = cli(
        data,
        &[
            "member",
            "import",
            csv.to_str().unwrap(),
            "--committee",
            "c1",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("line 2: unknown branch"), "{err}");

    let out = ok(&["code", "issue", "m-y", "--days", "3"]);
    let code_text = out.trim();
    assert_eq!(code_text.len(), 14, "{out}");
    ok(&["member", "move", "m-y", "--branch", "b-van-tai"]);
    let out = ok(&["member", "set-role", "m-y", "Executive"]);
    assert!(out.contains("Executive"), "{out}");
    let out = ok(&["branch", "delegate-plan-approval", "b-co-dien", "--on"]);
    assert!(out.contains("deputy secretary"), "{out}");
    ok(&["branch", "delegate-plan-approval", "b-co-dien", "--off"]);
    let server_key = ok(&["server-key"]);
    assert_eq!(server_key.trim().len(), 64, "{server_key}");
    assert_eq!(ok(&["server-key"]), server_key);
    assert!(ok(&["device", "list", "m-y"]).contains("no devices"));
    let out = ok(&["member", "remove", "m-y"]);
    assert!(out.contains("0 device(s) revoked"), "{out}");

    // Bad input exits 2 with a message, never a panic.
    for args in [
        &["member", "remove", "m-none"][..],
        &["member", "move", "m-viet", "--branch", "b-none"],
        &[
            "member",
            "add",
            "--id",
            "m-q",
            "--name",
            "Q",
            "--branch",
            "b-co-dien",
            "--role",
            "King",
        ],
        &[
            "member", "add", "--id", "m-q", "--name", "Q", "--role", "Member",
        ],
        &["committee", "create", "--id", "c1", "--name", "Again"],
        &["device", "revoke", "nope"],
        &["code", "issue", "m-viet", "--days", "0"],
        &["member", "set-role", "m-viet", "King"],
        &["member", "set-role", "m-viet", "Inspector"],
        &["member", "set-role", "m-none", "Member"],
        &["branch", "delegate-plan-approval", "b-none", "--on"],
        &["branch", "delegate-plan-approval", "b-co-dien"],
        &[
            "branch",
            "delegate-plan-approval",
            "b-co-dien",
            "--on",
            "--off",
        ],
    ] {
        let (code, _, err) = cli(data, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    // What the command line did is what the library sees.
    let store =
        sotay_server::store::sqlite::SqliteStore::open(data.join("sotay-server.db")).unwrap();
    let y = store.member(&MemberId::new("m-y")).unwrap().unwrap();
    assert_eq!(y.full_name, "Quách Thị Ỷ");
    assert_eq!(y.branch_id, Some(BranchId::new("b-van-tai")));
    assert_eq!(y.role, Role::Executive);
    assert!(!y.active);
    assert_eq!(store.members("c1").unwrap().len(), 3);
    let roles = store.role_history(&MemberId::new("m-y")).unwrap();
    assert_eq!(
        roles.iter().map(|r| r.role).collect::<Vec<_>>(),
        [Role::Member, Role::Member, Role::Executive]
    );
    assert!(roles.iter().all(|r| r.until.is_some())); // removed
    let delegations = store.plan_delegations(&BranchId::new("b-co-dien")).unwrap();
    assert_eq!(delegations.len(), 1);
    assert!(delegations[0].until.is_some());
    assert_eq!(
        server_key.trim(),
        hex::encode(admin::server_public_key(&store).unwrap())
    );
}
