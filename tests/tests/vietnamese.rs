//! Vietnamese text end to end: the sample committee's plan written with NFD input comes
//! out NFC everywhere; names sort the Vietnamese way; search ignores accents and đ.
#![allow(clippy::unwrap_used)]

use sotay_core::Store;
use sotay_core::ids::MemberId;
use sotay_core::text::is_nfc;
use sotay_tests::{nfd_cases, sample, seed_members, seed_plan};
use unicode_normalization::UnicodeNormalization;

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

fn store(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    s.set_identity(&MemberId::new("m-viet")).unwrap();
    s
}

#[test]
fn test_nfd_fixtures_are_really_decomposed() {
    let cases = nfd_cases();
    assert!(cases.len() >= 7);
    for c in &cases {
        assert_ne!(c.nfd, c.nfc, "{}", c.label);
        assert!(!is_nfc(&c.nfd), "{}", c.label);
        assert_eq!(sotay_core::text::nfc(&c.nfd), c.nfc, "{}", c.label);
    }
}

#[test]
fn test_sample_plan_written_in_nfd_reads_back_nfc_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample();
    let plan_id = {
        let mut s = store(&dir);
        seed_members(&mut s, &sample, nfd).unwrap();
        seed_plan(&mut s, &sample, nfd).unwrap()
    };
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    let plan = s.plan(&plan_id).unwrap();
    assert_eq!(plan.title, sample.plan.title);
    assert_eq!(plan.number, "01-KH/CB");
    assert_eq!(plan.legal_bases.len(), 3);
    assert_eq!(plan.topics.len(), sample.plan.topics.len());
    for (got, want) in plan.topics.iter().zip(&sample.plan.topics) {
        assert_eq!(got.title, want.title);
        assert!(is_nfc(&got.title));
        assert_eq!(got.expected_output, want.expected_output);
        assert_eq!(
            got.min_duration_minutes(),
            if want.combined_with_regular_meeting {
                120
            } else {
                90
            }
        );
    }
    assert!(is_nfc(&plan.purpose) && is_nfc(&plan.implementation));
    for row in s.topic_rows(&plan_id).unwrap() {
        assert!(is_nfc(&row.title), "{}", row.title);
    }
    for m in s.members().unwrap() {
        assert!(is_nfc(&m.full_name), "{}", m.full_name);
    }
}

#[test]
fn test_demo_branch_members_sort_by_given_name_in_vietnamese_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    seed_members(&mut s, &sample(), |n| n.to_owned()).unwrap();
    let given: Vec<String> = s
        .members()
        .unwrap()
        .iter()
        .map(|m| m.full_name.rsplit(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        given,
        [
            "Ánh", "Cường", "Đạt", "Đoàn", "Hằng", "Hoà", "Huy", "Lượng", "Thắng", "Thuỷ", "Trang",
            "Ứng", "Ước", "Việt", "Ỷ", "Yến"
        ]
    );
}

#[test]
fn test_search_ignores_accents_and_d_stroke_and_tone_placement() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let sample = sample();
    seed_members(&mut s, &sample, |n| n.to_owned()).unwrap();
    seed_plan(&mut s, &sample, |n| n.to_owned()).unwrap();
    assert_eq!(
        s.search_members("luong").unwrap()[0].id,
        MemberId::new("m-luong")
    );
    assert_eq!(
        s.search_members("dang quoc").unwrap()[0].id,
        MemberId::new("m-viet")
    );
    assert!(s.search_members("xyz").unwrap().is_empty());
    assert_eq!(
        s.find_member("Trương Thị Thủy").unwrap().unwrap().id,
        MemberId::new("m-thuy")
    );
    assert_eq!(
        s.find_member("Vũ Thị Hòa").unwrap().unwrap().id,
        MemberId::new("m-hoa")
    );
    let hits = s.search_topics("chuyen doi so").unwrap();
    assert!(
        hits[0].title.starts_with("Ứng dụng chuyển đổi số"),
        "phrase match first: {hits:?}"
    );
    assert!(s.search_topics("chuyen doi so vat tu").unwrap().len() == 1);
    let hits = s.search_topics("TỰ DIỄN BIẾN").unwrap();
    assert!(
        hits[0].title.starts_with("Nhận diện và phòng ngừa"),
        "{hits:?}"
    );
}
