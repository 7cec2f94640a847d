//! Request authentication and branch scoping (`sotay_server::identity`), against the
//! in-memory store: every failure mode is refused with its code, and every scoping rule has
//! a negative test.
#![allow(clippy::unwrap_used)]

use ed25519_dalek::{Signer, SigningKey};
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{AuthHeader, EnrollRequest, MAX_CLOCK_SKEW_SECS, signing_payload};
use sotay_server::admin::{self, NewMember};
use sotay_server::identity::{AuthContext, AuthError, authenticate};
use sotay_server::store::memory::MemoryStore;
use sotay_server::store::{Scope, ServerStore};

const NOW: i64 = 1_767_225_600; // 2026-01-01
const SYNC: &str = "/v1/sync";

/// Committee c1 with branches b-a and b-b; committee c2 with branch b-c.
fn org() -> MemoryStore {
    let store = MemoryStore::new();
    admin::create_committee(&store, "c1", "Đảng bộ Một").unwrap();
    admin::create_committee(&store, "c2", "Đảng bộ Hai").unwrap();
    admin::create_branch(&store, "b-a", "c1", "Chi bộ A").unwrap();
    admin::create_branch(&store, "b-b", "c1", "Chi bộ B").unwrap();
    admin::create_branch(&store, "b-c", "c2", "Chi bộ C").unwrap();
    for (id, committee, branch, role) in [
        ("m-a", "c1", Some("b-a"), Role::Member),
        ("m-sec", "c1", Some("b-a"), Role::Secretary),
        ("m-dep", "c1", Some("b-a"), Role::DeputySecretary),
        ("m-exec", "c1", Some("b-a"), Role::Executive),
        ("m-b", "c1", Some("b-b"), Role::Member),
        ("m-insp", "c1", None, Role::Inspector),
        ("m-admin", "c1", None, Role::Admin),
        ("m-c", "c2", Some("b-c"), Role::Member),
    ] {
        admin::add_member(
            &store,
            &NewMember {
                id: id.into(),
                committee_id: committee.into(),
                branch_id: branch.map(Into::into),
                full_name: format!("Nguyễn Văn {id}"),
                role,
                status: MemberStatus::Full,
            },
            NOW,
        )
        .unwrap();
    }
    store
}

/// An enrolled device: its id and key.
struct Dev {
    id: String,
    key: SigningKey,
}

fn enroll(store: &dyn ServerStore, member: &str) -> Dev {
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let code = admin::issue_code(store, &MemberId::new(member), NOW, 3600).unwrap();
    let resp = admin::enroll(
        store,
        &EnrollRequest {
            code: code.code,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            device_name: format!("máy của {member}"),
        },
        NOW,
    )
    .unwrap();
    Dev {
        id: resp.device_id,
        key,
    }
}

fn nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn sign_with(
    key: &SigningKey,
    device: &str,
    method: &str,
    path: &str,
    body: &[u8],
    ts: i64,
    nonce: &str,
) -> String {
    let sig = key.sign(&signing_payload(method, path, ts, nonce, body));
    AuthHeader {
        device_id: device.to_owned(),
        ts,
        nonce: nonce.to_owned(),
        signature: hex::encode(sig.to_bytes()),
    }
    .to_header_value()
}

fn sign(dev: &Dev, body: &[u8], ts: i64) -> String {
    sign_with(&dev.key, &dev.id, "POST", SYNC, body, ts, &nonce())
}

fn auth(store: &dyn ServerStore, header: &str, body: &[u8]) -> Result<AuthContext, AuthError> {
    authenticate(store, Some(header), "POST", SYNC, body, NOW)
}

fn ctx(store: &dyn ServerStore, member: &str) -> AuthContext {
    let dev = enroll(store, member);
    auth(store, &sign(&dev, b"", NOW), b"").unwrap()
}

fn branch(id: &str) -> Scope {
    Scope::Branch(BranchId::new(id))
}

fn committee(id: &str) -> Scope {
    Scope::Committee(id.to_owned())
}

// ----- authentication ----------------------------------------------------------------------

#[test]
fn test_valid_signed_request_passes() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let body = b"zstd bytes";
    let ctx = auth(&store, &sign(&dev, body, NOW), body).unwrap();
    assert_eq!(ctx.device.id, dev.id);
    assert_eq!(ctx.member.id, MemberId::new("m-a"));
    // Within the skew window on either side.
    for ts in [NOW - MAX_CLOCK_SKEW_SECS, NOW + MAX_CLOCK_SKEW_SECS] {
        assert!(auth(&store, &sign(&dev, body, ts), body).is_ok(), "{ts}");
    }
}

#[test]
fn test_missing_or_malformed_header_refused() {
    let store = org();
    assert_eq!(
        authenticate(&store, None, "POST", SYNC, b"", NOW).unwrap_err(),
        AuthError::MissingOrMalformed
    );
    for bad in ["", "garbage", "device=x,ts=1", "Bearer abc"] {
        let err = auth(&store, bad, b"").unwrap_err();
        assert_eq!(err, AuthError::MissingOrMalformed, "{bad}");
        assert_eq!(err.code(), "auth_malformed");
    }
}

#[test]
fn test_wrong_key_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let other = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let header = sign_with(&other, &dev.id, "POST", SYNC, b"", NOW, &nonce());
    let err = auth(&store, &header, b"").unwrap_err();
    assert_eq!(err, AuthError::BadSignature);
    assert_eq!(err.code(), "bad_signature");
}

#[test]
fn test_tampered_body_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let header = sign(&dev, b"push doc 1", NOW);
    assert_eq!(
        auth(&store, &header, b"push doc 2").unwrap_err(),
        AuthError::BadSignature
    );
}

#[test]
fn test_tampered_path_and_method_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let header = sign(&dev, b"", NOW);
    let err = authenticate(&store, Some(&header), "POST", "/v1/enroll", b"", NOW).unwrap_err();
    assert_eq!(err, AuthError::BadSignature);
    let err = authenticate(&store, Some(&header), "GET", SYNC, b"", NOW).unwrap_err();
    assert_eq!(err, AuthError::BadSignature);
}

#[test]
fn test_tampered_timestamp_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let n = nonce();
    let signed = sign_with(&dev.key, &dev.id, "POST", SYNC, b"", NOW, &n);
    let moved = signed.replace(&format!("ts={NOW}"), &format!("ts={}", NOW + 10));
    assert_ne!(signed, moved);
    assert_eq!(
        auth(&store, &moved, b"").unwrap_err(),
        AuthError::BadSignature
    );
}

#[test]
fn test_old_and_future_timestamps_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    for ts in [
        NOW - MAX_CLOCK_SKEW_SECS - 1,
        NOW + MAX_CLOCK_SKEW_SECS + 1,
        0,
        i64::MIN,
        i64::MAX,
    ] {
        let err = auth(&store, &sign(&dev, b"", ts), b"").unwrap_err();
        assert_eq!(err, AuthError::ClockSkew, "{ts}");
        assert_eq!(err.code(), "clock_skew");
    }
}

#[test]
fn test_replayed_nonce_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let header = sign(&dev, b"body", NOW);
    assert!(auth(&store, &header, b"body").is_ok());
    let err = auth(&store, &header, b"body").unwrap_err();
    assert_eq!(err, AuthError::Replay);
    assert_eq!(err.code(), "replay");
    // Still refused up to the end of the skew window.
    let later = authenticate(
        &store,
        Some(&header),
        "POST",
        SYNC,
        b"body",
        NOW + MAX_CLOCK_SKEW_SECS,
    );
    assert_eq!(later.unwrap_err(), AuthError::Replay);
}

#[test]
fn test_request_signed_in_the_future_cannot_be_replayed_after_nonces_are_forgotten() {
    let store = org();
    let dev = enroll(&store, "m-a");
    // Signed at the far edge of the window: accepted now, replayable by time until NOW + 2·skew.
    let ts = NOW + MAX_CLOCK_SKEW_SECS;
    let header = sign_with(&dev.key, &dev.id, "POST", SYNC, b"", ts, &nonce());
    assert!(auth(&store, &header, b"").is_ok());
    for at in [
        NOW + 1,
        NOW + MAX_CLOCK_SKEW_SECS,
        NOW + 2 * MAX_CLOCK_SKEW_SECS,
    ] {
        // Another request moves the store's clock (and its forgetting) forward.
        authenticate(&store, Some(&sign(&dev, b"", at)), "POST", SYNC, b"", at).unwrap();
        let replay = authenticate(&store, Some(&header), "POST", SYNC, b"", at).unwrap_err();
        assert_eq!(replay, AuthError::Replay, "at {at}");
    }
    let after = NOW + 2 * MAX_CLOCK_SKEW_SECS + 1;
    let replay = authenticate(&store, Some(&header), "POST", SYNC, b"", after).unwrap_err();
    assert_eq!(replay, AuthError::ClockSkew);
}

#[test]
fn test_forged_request_does_not_burn_the_nonce() {
    let store = org();
    let dev = enroll(&store, "m-a");
    let n = nonce();
    let attacker = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let forged = sign_with(&attacker, &dev.id, "POST", SYNC, b"", NOW, &n);
    assert_eq!(
        auth(&store, &forged, b"").unwrap_err(),
        AuthError::BadSignature
    );
    let legit = sign_with(&dev.key, &dev.id, "POST", SYNC, b"", NOW, &n);
    assert!(auth(&store, &legit, b"").is_ok());
}

#[test]
fn test_nonces_are_per_device() {
    let store = org();
    let (d1, d2) = (enroll(&store, "m-a"), enroll(&store, "m-b"));
    let n = nonce();
    assert!(
        auth(
            &store,
            &sign_with(&d1.key, &d1.id, "POST", SYNC, b"", NOW, &n),
            b""
        )
        .is_ok()
    );
    assert!(
        auth(
            &store,
            &sign_with(&d2.key, &d2.id, "POST", SYNC, b"", NOW, &n),
            b""
        )
        .is_ok()
    );
}

#[test]
fn test_unknown_device_refused() {
    let store = org();
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let header = sign_with(
        &key,
        "0123456789abcdef0123456789abcdef",
        "POST",
        SYNC,
        b"",
        NOW,
        &nonce(),
    );
    let err = auth(&store, &header, b"").unwrap_err();
    assert_eq!(err, AuthError::UnknownDevice);
    assert_eq!(err.code(), "unknown_device");
}

#[test]
fn test_revocation_bites_on_the_very_next_request() {
    let store = org();
    let dev = enroll(&store, "m-a");
    assert!(auth(&store, &sign(&dev, b"", NOW), b"").is_ok());
    assert!(admin::revoke_device(&store, &dev.id, NOW).unwrap());
    let err = auth(&store, &sign(&dev, b"", NOW), b"").unwrap_err();
    assert_eq!(err, AuthError::Revoked);
    assert_eq!(err.code(), "device_revoked");
    // The member's other devices keep working.
    let other = enroll(&store, "m-a");
    assert!(auth(&store, &sign(&other, b"", NOW), b"").is_ok());
}

#[test]
fn test_revoked_state_is_told_only_to_the_key_holder() {
    let store = org();
    let dev = enroll(&store, "m-a");
    admin::revoke_device(&store, &dev.id, NOW).unwrap();
    let stranger = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let header = sign_with(&stranger, &dev.id, "POST", SYNC, b"", NOW, &nonce());
    assert_eq!(
        auth(&store, &header, b"").unwrap_err(),
        AuthError::BadSignature
    );
}

#[test]
fn test_removed_member_refused() {
    let store = org();
    let dev = enroll(&store, "m-a");
    // Only mark the member inactive (no device revocation): that alone must cut them off.
    let mut member = store.member(&MemberId::new("m-a")).unwrap().unwrap();
    member.active = false;
    store.put_member(&member, NOW).unwrap();
    let err = auth(&store, &sign(&dev, b"", NOW), b"").unwrap_err();
    assert_eq!(err, AuthError::MemberRemoved);
    assert_eq!(err.code(), "member_removed");
    // Through the admin operation, the device is revoked as well.
    admin::remove_member(&store, &MemberId::new("m-a"), NOW).unwrap();
    assert_eq!(
        auth(&store, &sign(&dev, b"", NOW), b"").unwrap_err(),
        AuthError::Revoked
    );
}

#[test]
fn test_auth_errors_are_401_and_leak_nothing() {
    let errors = [
        AuthError::MissingOrMalformed,
        AuthError::UnknownDevice,
        AuthError::Revoked,
        AuthError::MemberRemoved,
        AuthError::ClockSkew,
        AuthError::BadSignature,
        AuthError::Replay,
    ];
    let mut codes = std::collections::HashSet::new();
    for e in &errors {
        assert_eq!(e.status(), 401, "{e:?}");
        assert!(codes.insert(e.code()), "codes are distinct");
        let body = e.body();
        assert_eq!(body.code, e.code());
        for secret in ["m-a", "Nguyễn", "b-a", "c1", "Chi bộ"] {
            assert!(!body.message.contains(secret), "{e:?} leaks {secret}");
        }
    }
    let storage = AuthError::Storage("disk I/O error at /var/lib/sotay".into());
    assert_eq!(storage.status(), 500);
    assert!(!storage.message().contains("/var/lib"));
}

// ----- scoping -----------------------------------------------------------------------------

#[test]
fn test_branch_roles_read_own_branch_and_committee_write_own_branch_only() {
    let store = org();
    for member in ["m-a", "m-sec", "m-dep", "m-exec"] {
        let c = ctx(&store, member);
        assert_eq!(
            c.read_scopes(&store).unwrap(),
            vec![branch("b-a"), committee("c1")],
            "{member}"
        );
        assert_eq!(c.write_scopes(), vec![branch("b-a")], "{member}");
        assert!(c.may_write(&branch("b-a")), "{member}");
        assert!(c.may_read(&store, &branch("b-a")).unwrap());
        assert!(c.may_read(&store, &committee("c1")).unwrap());
        // Negatives: another branch of the committee, another committee, committee-wide writes.
        assert!(!c.may_write(&branch("b-b")), "{member}");
        assert!(!c.may_read(&store, &branch("b-b")).unwrap(), "{member}");
        assert!(!c.may_write(&branch("b-c")), "{member}");
        assert!(!c.may_read(&store, &branch("b-c")).unwrap(), "{member}");
        assert!(!c.may_write(&committee("c1")), "{member}");
        assert!(!c.may_read(&store, &committee("c2")).unwrap(), "{member}");
    }
}

#[test]
fn test_member_of_b_cannot_touch_a() {
    let store = org();
    let c = ctx(&store, "m-b");
    let scopes = c.read_scopes(&store).unwrap();
    assert_eq!(scopes, vec![branch("b-b"), committee("c1")]);
    assert!(!scopes.contains(&branch("b-a")));
    assert!(!c.may_write(&branch("b-a")));
}

#[test]
fn test_inspector_reads_every_branch_of_its_committee_and_writes_nothing() {
    let store = org();
    let c = ctx(&store, "m-insp");
    assert_eq!(
        c.read_scopes(&store).unwrap(),
        vec![branch("b-a"), branch("b-b"), committee("c1")]
    );
    assert!(c.may_read(&store, &branch("b-b")).unwrap());
    assert!(c.write_scopes().is_empty());
    for scope in [
        branch("b-a"),
        branch("b-b"),
        committee("c1"),
        branch("b-c"),
        committee("c2"),
    ] {
        assert!(!c.may_write(&scope), "{scope:?}");
    }
    // Not another committee's branches, nor a branch that does not exist.
    assert!(!c.may_read(&store, &branch("b-c")).unwrap());
    assert!(!c.may_read(&store, &committee("c2")).unwrap());
    assert!(!c.may_read(&store, &branch("b-nowhere")).unwrap());
}

#[test]
fn test_inspector_sees_a_branch_created_later() {
    let store = org();
    let c = ctx(&store, "m-insp");
    admin::create_branch(&store, "b-new", "c1", "Chi bộ Mới").unwrap();
    assert!(c.read_scopes(&store).unwrap().contains(&branch("b-new")));
}

#[test]
fn test_admin_reads_and_writes_committee_wide_only() {
    let store = org();
    let c = ctx(&store, "m-admin");
    assert_eq!(c.read_scopes(&store).unwrap(), vec![committee("c1")]);
    assert_eq!(c.write_scopes(), vec![committee("c1")]);
    assert!(c.may_write(&committee("c1")));
    // Least privilege: no branch documents, read or write; not another committee.
    for b in ["b-a", "b-b", "b-c"] {
        assert!(!c.may_read(&store, &branch(b)).unwrap(), "{b}");
        assert!(!c.may_write(&branch(b)), "{b}");
    }
    assert!(!c.may_write(&committee("c2")));
    assert!(!c.may_read(&store, &committee("c2")).unwrap());
}

#[test]
fn test_stale_context_of_removed_member_or_revoked_device_grants_nothing() {
    let store = org();
    let mut removed = ctx(&store, "m-sec");
    removed.member.active = false;
    let mut revoked = ctx(&store, "m-admin");
    revoked.device.revoked_at = Some(NOW);
    for c in [removed, revoked] {
        assert!(c.read_scopes(&store).unwrap().is_empty());
        assert!(c.write_scopes().is_empty());
        for scope in [branch("b-a"), committee("c1")] {
            assert!(!c.may_write(&scope));
            assert!(!c.may_read(&store, &scope).unwrap());
        }
    }
}
