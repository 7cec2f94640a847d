//! The README's main job, as written: the `sotay-server` binary serves the demo committee on
//! embedded SQLite, prints enrollment codes and its address, and a phone enrolls and syncs.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use sotay_core::Store;
use sotay_core::sync::{self, ClientConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_demo_server_prints_codes_and_a_phone_enrolls_and_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sotay-server"))
        .args(["serve", "--data"])
        .arg(dir.path().join("data"))
        .args(["--listen", "127.0.0.1:0", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut code = None;
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("m-viet") {
            code = line.split_whitespace().last().map(str::to_owned);
        }
        if let Some(rest) = line.split("listening on ").nth(1) {
            url = Some(rest.trim().to_owned());
            break;
        }
    }
    let (code, url) = (code.expect("a code for m-viet"), url.expect("the address"));
    assert!(
        code.len() == 14 && code.chars().filter(|c| *c == '-').count() == 2,
        "{code}"
    );

    let mut phone = Store::open(dir.path().join("viet.sotay")).unwrap();
    let enrolled = sync::enroll(&mut phone, &url, &code, "điện thoại")
        .await
        .unwrap();
    assert_eq!(enrolled.member.full_name, "Đặng Quốc Việt");
    let report = sync::sync(&mut phone, &ClientConfig::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.round_trips, 1);
    assert_eq!(
        phone.members().unwrap().len(),
        16,
        "the demo branch's directory arrived"
    );
    // The code was single-use.
    let mut other = Store::open(dir.path().join("other.sotay")).unwrap();
    assert!(sync::enroll(&mut other, &url, &code, "x").await.is_err());
    child.kill().unwrap();
    child.wait().unwrap();
}
