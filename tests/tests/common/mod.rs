//! Helpers shared by the end-to-end suites that play a modified phone: its device key, and a
//! sync request it builds and signs itself.

use ed25519_dalek::SigningKey;
use sotay_core::model::now_unix;
use sotay_core::protocol::{self, AUTH_HEADER, SyncRequest, SyncResponse, paths};
use sotay_tests::harness::{Phone, TestServer};

/// The device's secret key, read from its store file (a modified phone can sign anything).
pub fn device_key(p: &Phone) -> SigningKey {
    let conn = rusqlite::Connection::open(p.store.path()).unwrap();
    let secret: Vec<u8> = conn
        .query_row("SELECT secret_key FROM device_key WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    SigningKey::from_bytes(&secret.try_into().unwrap())
}

/// Sends one sync request signed as `p`'s device; asserts 200.
pub async fn send(server: &TestServer, p: &mut Phone, req: &SyncRequest) -> SyncResponse {
    let body = protocol::encode(req).unwrap();
    let auth = p
        .store
        .sign_request("POST", paths::SYNC, &body, now_unix())
        .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}{}", server.url, paths::SYNC))
        .header(AUTH_HEADER, auth.to_header_value())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    protocol::decode(&resp.bytes().await.unwrap()).unwrap()
}
