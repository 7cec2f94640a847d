//! The signed sign-off record: a member submitting a version for approval, or an officer
//! approving exactly that version.
//!
//! # Why a record outside the CRDT
//!
//! An approval must name *one* version and must not be editable by the 40 other members who
//! can write the document. Anything stored inside the Automerge document is a last-writer-wins
//! value any replica can overwrite or shadow, and it would itself change the heads it names.
//! So a [`Signoff`] lives beside the document: it names the version by its Automerge heads,
//! is signed with the device's ed25519 key on the secretary's phone (offline), travels to the
//! server and the other phones later, and every phone re-checks it against its own copy of
//! the member/device directory ([`super::rules`]).
//!
//! # Canonical encoding (what is signed)
//!
//! The signature and the id cover a hand-written, deterministic byte string — never serde's
//! output, which depends on the format and on field order in the source. Version 1:
//!
//! ```text
//! "sotay-signoff-v1\0"                    17 bytes, the domain: a signature over these bytes
//!                                         can never be mistaken for one over a sync request
//! action      u8                          1 = submit, 2 = approve
//! doc_id      str                         str = u32 big-endian byte length, then UTF-8 (NFC)
//! doc_kind    str                         "annual_plan" | "topic_draft" | "material"
//! branch_id   str
//! heads       u32 BE count, count × 32 B  change hashes, strictly ascending (sorted, no duplicate)
//! signer      str                         member id
//! role        str                         "Secretary", "DeputySecretary", … (Role::as_str)
//! device_id   str
//! public_key  32 B                        the device's ed25519 key
//! signed_at   i64 BE                      device clock, Unix seconds
//! supersedes  u8 0 | u8 1 + str           the approval this one replaces
//! note        str                         NFC
//! ```
//!
//! Every variable-length field is length-prefixed and the order is fixed, so two different
//! records never encode to the same bytes. `received_at` (filled by the server) is *not*
//! encoded: it is not the signer's statement. The signature is plain Ed25519 over these bytes
//! (verified strictly); the [`SignoffId`] is the hex of the first 16 bytes of their SHA-256,
//! so the id does not depend on the signature and a record cannot be renamed.
//! A future layout gets a new domain string (`sotay-signoff-v2\0`), never a reinterpretation.

use std::fmt;

use automerge::ChangeHash;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::rules::Invalid;
use crate::ids::{BranchId, DocId, DocKind, MemberId};
use crate::org::Role;
use crate::text::{is_nfc, nfc};
use crate::{Error, Result};

/// The domain-separation prefix of the version-1 canonical encoding.
pub const SIGNOFF_DOMAIN_V1: &[u8] = b"sotay-signoff-v1\0";
/// Most heads a record may name (a version merged from many phones has one head per
/// concurrent tip; 40 members cannot produce more than a few dozen).
pub const MAX_HEADS: usize = 256;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Longest id (document, branch, member, device), in bytes.
pub const MAX_ID_BYTES: usize = 256;

/// What a sign-off says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffAction {
    /// A member asks for this version to be approved (no role needed).
    Submit,
    /// An officer approves exactly this version (role-checked, see [`super::rules`]).
    Approve,
}

impl SignoffAction {
    /// The byte written into the canonical encoding.
    fn code(self) -> u8 {
        match self {
            SignoffAction::Submit => 1,
            SignoffAction::Approve => 2,
        }
    }

    /// The code name ("submit", "approve").
    pub fn as_str(self) -> &'static str {
        match self {
            SignoffAction::Submit => "submit",
            SignoffAction::Approve => "approve",
        }
    }
}

/// A sign-off's id: the hex of the first 16 bytes of the SHA-256 of its canonical payload
/// (32 lowercase hex digits).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SignoffId(String);

impl SignoffId {
    /// Parses an id: exactly 32 lowercase hex digits.
    pub fn parse(s: &str) -> Result<Self> {
        if Self::well_formed(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::InvalidInput(format!(
                "{s:?} is not a sign-off id (32 lowercase hex digits)"
            )))
        }
    }

    fn well_formed(s: &str) -> bool {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SignoffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the signer states; [`Signoff::sign`] adds the key and the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignoffFields {
    /// Submit or approve.
    pub action: SignoffAction,
    /// The document.
    pub doc_id: DocId,
    /// Its kind.
    pub doc_kind: DocKind,
    /// Its branch.
    pub branch_id: BranchId,
    /// The exact version read (any order, duplicates allowed: they are sorted and removed).
    pub heads: Vec<ChangeHash>,
    /// Who signs.
    pub signer: MemberId,
    /// The role the signer holds (claims to hold) now.
    pub role: Role,
    /// The signing device (its directory id).
    pub device_id: String,
    /// The device clock, Unix seconds.
    pub signed_at: i64,
    /// The approval this one replaces (approvals only).
    pub supersedes: Option<SignoffId>,
    /// Optional remark ("Đồng ý ban hành").
    pub note: String,
}

/// A signed sign-off record. Serialises with serde for the wire (postcard) and storage; the
/// signature covers [`Signoff::payload`], not the serde bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    /// Submit or approve.
    pub action: SignoffAction,
    /// The document.
    pub doc_id: DocId,
    /// Its kind.
    pub doc_kind: DocKind,
    /// Its branch.
    pub branch_id: BranchId,
    /// The version: Automerge change hashes, sorted, deduplicated, non-empty.
    #[serde(with = "serde_hashes")]
    pub heads: Vec<[u8; 32]>,
    /// Who signed.
    pub signer: MemberId,
    /// The role the signer claims to hold at `signed_at`.
    pub role: Role,
    /// The signing device.
    pub device_id: String,
    /// The device's ed25519 public key.
    #[serde(with = "serde_bytes_n")]
    pub public_key: [u8; 32],
    /// Device clock at signing, Unix seconds.
    pub signed_at: i64,
    /// The previous approval of this document that this one replaces.
    pub supersedes: Option<SignoffId>,
    /// Optional remark, NFC.
    pub note: String,
    /// Ed25519 signature over [`Signoff::payload`].
    #[serde(with = "serde_bytes_n")]
    pub signature: [u8; 64],
    /// When the server first received it (server clock). Not signed: informational.
    #[serde(default)]
    pub received_at: Option<i64>,
}

impl Signoff {
    /// Signs `fields` with the device key. Heads are sorted and deduplicated, the note and ids
    /// NFC-normalised; a record that [`Signoff::check_well_formed`] would refuse is an error.
    pub fn sign(fields: SignoffFields, key: &SigningKey) -> Result<Self> {
        let mut heads: Vec<[u8; 32]> = fields.heads.iter().map(|h| h.0).collect();
        heads.sort_unstable();
        heads.dedup();
        let mut record = Signoff {
            action: fields.action,
            doc_id: fields.doc_id,
            doc_kind: fields.doc_kind,
            branch_id: fields.branch_id,
            heads,
            signer: fields.signer,
            role: fields.role,
            device_id: nfc(fields.device_id.trim()),
            public_key: key.verifying_key().to_bytes(),
            signed_at: fields.signed_at,
            supersedes: fields.supersedes,
            note: nfc(fields.note.trim()),
            signature: [0; 64],
            received_at: None,
        };
        record
            .check_well_formed()
            .map_err(|e| Error::InvalidInput(format!("cannot sign this record: {e}")))?;
        record.signature = key.sign(&record.payload()).to_bytes();
        Ok(record)
    }

    /// The canonical bytes that are signed (see the module docs for the layout).
    pub fn payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            SIGNOFF_DOMAIN_V1.len() + 160 + self.heads.len() * 32 + self.note.len(),
        );
        out.extend_from_slice(SIGNOFF_DOMAIN_V1);
        out.push(self.action.code());
        put_str(&mut out, self.doc_id.as_str());
        put_str(&mut out, self.doc_kind.as_str());
        put_str(&mut out, self.branch_id.as_str());
        out.extend_from_slice(&len_u32(self.heads.len()).to_be_bytes());
        for h in &self.heads {
            out.extend_from_slice(h);
        }
        put_str(&mut out, self.signer.as_str());
        put_str(&mut out, self.role.as_str());
        put_str(&mut out, &self.device_id);
        out.extend_from_slice(&self.public_key);
        out.extend_from_slice(&self.signed_at.to_be_bytes());
        match &self.supersedes {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                put_str(&mut out, id.as_str());
            }
        }
        put_str(&mut out, &self.note);
        out
    }

    /// The record as stored and sent (postcard; `received_at` included).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        postcard::to_allocvec(self)
            .map_err(|e| crate::Error::InvalidInput(format!("cannot encode a sign-off: {e}")))
    }

    /// Reads [`Signoff::to_bytes`]; the record is not checked here (see `check_well_formed`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        postcard::from_bytes(bytes)
            .map_err(|e| crate::Error::InvalidDocument(format!("a sign-off does not decode: {e}")))
    }

    /// Its id: the first 16 bytes of the SHA-256 of [`Signoff::payload`], hex.
    pub fn id(&self) -> SignoffId {
        let digest = Sha256::digest(self.payload());
        SignoffId(hex::encode(&digest[..16]))
    }

    /// The heads as Automerge change hashes.
    pub fn change_hashes(&self) -> Vec<ChangeHash> {
        self.heads.iter().map(|h| ChangeHash(*h)).collect()
    }

    /// Checks the record's shape — what [`Signoff::sign`] guarantees and bytes from the wire
    /// may not: heads non-empty, strictly ascending and at most [`MAX_HEADS`]; ids non-empty,
    /// NFC and at most [`MAX_ID_BYTES`]; note NFC and at most [`MAX_NOTE_CHARS`]; a
    /// well-formed `supersedes`, and none on a submission.
    pub fn check_well_formed(&self) -> Result<(), Invalid> {
        let bad = |reason: String| Err(Invalid::Malformed { reason });
        if self.heads.is_empty() {
            return bad("it names no version (no heads)".into());
        }
        if self.heads.len() > MAX_HEADS {
            return bad(format!(
                "it names {} heads, more than {MAX_HEADS}",
                self.heads.len()
            ));
        }
        if self.heads.windows(2).any(|w| w[0] >= w[1]) {
            return bad("its heads are not sorted and deduplicated".into());
        }
        for (what, s) in [
            ("document id", self.doc_id.as_str()),
            ("branch id", self.branch_id.as_str()),
            ("signer", self.signer.as_str()),
            ("device id", self.device_id.as_str()),
        ] {
            if s.is_empty() {
                return bad(format!("its {what} is empty"));
            }
            if s.len() > MAX_ID_BYTES {
                return bad(format!("its {what} is longer than {MAX_ID_BYTES} bytes"));
            }
            if !is_nfc(s) {
                return bad(format!("its {what} is not NFC"));
            }
        }
        if !is_nfc(&self.note) {
            return bad("its note is not NFC".into());
        }
        if self.note.chars().count() > MAX_NOTE_CHARS {
            return bad(format!(
                "its note is longer than {MAX_NOTE_CHARS} characters"
            ));
        }
        match (&self.supersedes, self.action) {
            (Some(_), SignoffAction::Submit) => {
                return bad("a submission cannot supersede an approval".into());
            }
            (Some(id), SignoffAction::Approve) if !SignoffId::well_formed(id.as_str()) => {
                return bad(format!("{:?} is not a sign-off id", id.as_str()));
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks the shape ([`Signoff::check_well_formed`]) and the signature against the record's
    /// own public key. Whether that key may sign for the signer is [`super::rules::verify`]'s
    /// business.
    pub fn verify_signature(&self) -> Result<(), Invalid> {
        self.check_well_formed()?;
        let key = VerifyingKey::from_bytes(&self.public_key).map_err(|_| Invalid::BadSignature)?;
        let signature = Signature::from_bytes(&self.signature);
        key.verify_strict(&self.payload(), &signature)
            .map_err(|_| Invalid::BadSignature)
    }
}

/// Lengths are bounded by [`Signoff::check_well_formed`] long before `u32::MAX`; a larger one
/// (only reachable by encoding a record that check refuses) saturates instead of wrapping.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&len_u32(s.len()).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Fixed-size byte arrays: hex in human-readable formats (JSON), raw bytes otherwise
/// (postcard). Serde's own arrays stop at 32 elements and print as number lists.
mod serde_bytes_n {
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer, const N: usize>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&hex::encode(v))
        } else {
            s.serialize_bytes(v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        if d.is_human_readable() {
            d.deserialize_str(ArrayVisitor::<N>)
        } else {
            d.deserialize_bytes(ArrayVisitor::<N>)
        }
    }

    pub(super) struct ArrayVisitor<const N: usize>;

    impl<'de, const N: usize> Visitor<'de> for ArrayVisitor<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{N} bytes or {} hex digits", 2 * N)
        }

        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<[u8; N], E> {
            <[u8; N]>::try_from(v).map_err(|_| E::invalid_length(v.len(), &self))
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<[u8; N], E> {
            let bytes = hex::decode(v).map_err(|_| E::custom("not hex"))?;
            self.visit_bytes(&bytes)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; N], A::Error> {
            let mut out = [0u8; N];
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(i, &self))?;
            }
            if seq.next_element::<u8>()?.is_some() {
                return Err(A::Error::invalid_length(N + 1, &self));
            }
            Ok(out)
        }
    }
}

/// A list of 32-byte hashes, each as [`serde_bytes_n`] writes it.
mod serde_hashes {
    use serde::de::{SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::fmt;

    struct Hash<'a>(&'a [u8; 32]);

    impl Serialize for Hash<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            super::serde_bytes_n::serialize(self.0, s)
        }
    }

    struct OwnedHash([u8; 32]);

    impl<'de> Deserialize<'de> for OwnedHash {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            super::serde_bytes_n::deserialize(d).map(OwnedHash)
        }
    }

    pub fn serialize<S: Serializer>(v: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for h in v {
            seq.serialize_element(&Hash(h))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = Vec<[u8; 32]>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of 32-byte hashes")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                // Bounded pre-allocation: a hostile length prefix must not reserve gigabytes.
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(OwnedHash(h)) = seq.next_element()? {
                    out.push(h);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(ListVisitor)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn fields() -> SignoffFields {
        SignoffFields {
            action: SignoffAction::Approve,
            doc_id: DocId::new("d-plan"),
            doc_kind: DocKind::AnnualPlan,
            branch_id: BranchId::new("b-co-dien"),
            heads: vec![
                ChangeHash([9; 32]),
                ChangeHash([3; 32]),
                ChangeHash([9; 32]),
            ],
            signer: MemberId::new("m-viet"),
            role: Role::Secretary,
            device_id: "dev-viet".into(),
            signed_at: 1_780_000_000,
            supersedes: None,
            // NFD input: "Đồng ý" typed with combining marks.
            note: "  \u{110}o\u{302}\u{300}ng y\u{301}  ".into(),
        }
    }

    #[test]
    fn test_sign_sorts_heads_normalises_note_and_verifies() {
        let s = Signoff::sign(fields(), &key(1)).unwrap();
        assert_eq!(s.heads, vec![[3; 32], [9; 32]]);
        assert_eq!(s.note, "Đồng ý");
        assert!(is_nfc(&s.note));
        assert_eq!(s.public_key, key(1).verifying_key().to_bytes());
        assert_eq!(s.verify_signature(), Ok(()));
        assert_eq!(
            s.change_hashes(),
            vec![ChangeHash([3; 32]), ChangeHash([9; 32])]
        );
    }

    #[test]
    fn test_payload_layout_is_the_documented_one() {
        let s = Signoff::sign(fields(), &key(1)).unwrap();
        let p = s.payload();
        let mut expected = Vec::new();
        expected.extend_from_slice(b"sotay-signoff-v1\0");
        expected.push(2);
        for part in ["d-plan", "annual_plan", "b-co-dien"] {
            expected.extend_from_slice(&(part.len() as u32).to_be_bytes());
            expected.extend_from_slice(part.as_bytes());
        }
        expected.extend_from_slice(&2u32.to_be_bytes());
        expected.extend_from_slice(&[3; 32]);
        expected.extend_from_slice(&[9; 32]);
        for part in ["m-viet", "Secretary", "dev-viet"] {
            expected.extend_from_slice(&(part.len() as u32).to_be_bytes());
            expected.extend_from_slice(part.as_bytes());
        }
        expected.extend_from_slice(&key(1).verifying_key().to_bytes());
        expected.extend_from_slice(&1_780_000_000i64.to_be_bytes());
        expected.push(0);
        let note = "Đồng ý".as_bytes();
        expected.extend_from_slice(&(note.len() as u32).to_be_bytes());
        expected.extend_from_slice(note);
        assert_eq!(p, expected);
        // Deterministic: same fields, same key → same bytes, signature and id.
        let again = Signoff::sign(fields(), &key(1)).unwrap();
        assert_eq!(again, s);
        assert_eq!(again.id(), s.id());
        assert_eq!(s.id().as_str().len(), 32);
        assert_eq!(SignoffId::parse(s.id().as_str()).unwrap(), s.id());
    }

    #[test]
    fn test_every_signed_field_changes_the_payload_and_breaks_the_signature() {
        let s = Signoff::sign(
            SignoffFields {
                supersedes: Some(SignoffId::parse("00112233445566778899aabbccddeeff").unwrap()),
                ..fields()
            },
            &key(1),
        )
        .unwrap();
        type Tamper = Box<dyn Fn(&mut Signoff)>;
        let tampers: Vec<(&str, Tamper)> = vec![
            ("action", Box::new(|s| s.action = SignoffAction::Submit)),
            ("doc_id", Box::new(|s| s.doc_id = DocId::new("d-other"))),
            ("doc_kind", Box::new(|s| s.doc_kind = DocKind::Material)),
            (
                "branch_id",
                Box::new(|s| s.branch_id = BranchId::new("b-x")),
            ),
            ("heads", Box::new(|s| s.heads[0][0] ^= 1)),
            ("heads len", Box::new(|s| s.heads.truncate(1))),
            ("signer", Box::new(|s| s.signer = MemberId::new("m-ung"))),
            ("role", Box::new(|s| s.role = Role::DeputySecretary)),
            ("device", Box::new(|s| s.device_id = "dev-2".into())),
            (
                "key",
                Box::new(|s| s.public_key = key(2).verifying_key().to_bytes()),
            ),
            ("signed_at", Box::new(|s| s.signed_at += 1)),
            ("supersedes", Box::new(|s| s.supersedes = None)),
            ("note", Box::new(|s| s.note = "Đồng ý.".into())),
            ("signature", Box::new(|s| s.signature[10] ^= 0x40)),
        ];
        for (what, tamper) in tampers {
            let mut t = s.clone();
            tamper(&mut t);
            assert!(
                matches!(
                    t.verify_signature(),
                    Err(Invalid::BadSignature | Invalid::Malformed { .. })
                ),
                "tampered {what} still verifies"
            );
            if what != "signature" {
                assert_ne!(t.payload(), s.payload(), "{what} is not in the payload");
                assert_ne!(t.id(), s.id(), "{what} does not change the id");
            }
        }
        // received_at is the server's and unsigned.
        let mut r = s.clone();
        r.received_at = Some(1_780_000_500);
        assert_eq!(r.verify_signature(), Ok(()));
        assert_eq!(r.id(), s.id());
    }

    #[test]
    fn test_signature_by_another_key_is_refused() {
        let mut s = Signoff::sign(fields(), &key(1)).unwrap();
        let forged = Signoff::sign(fields(), &key(2)).unwrap();
        s.signature = forged.signature;
        assert_eq!(s.verify_signature(), Err(Invalid::BadSignature));
        // A public key that is not a curve point.
        let mut bad_key = Signoff::sign(fields(), &key(1)).unwrap();
        bad_key.public_key = [0xff; 32];
        assert_eq!(bad_key.verify_signature(), Err(Invalid::BadSignature));
    }

    #[test]
    fn test_malformed_records_are_refused_to_sign_and_to_verify() {
        let no_heads = SignoffFields {
            heads: vec![],
            ..fields()
        };
        assert!(matches!(
            Signoff::sign(no_heads, &key(1)),
            Err(Error::InvalidInput(_))
        ));
        let submit_superseding = SignoffFields {
            action: SignoffAction::Submit,
            supersedes: Some(SignoffId::parse("00112233445566778899aabbccddeeff").unwrap()),
            ..fields()
        };
        assert!(Signoff::sign(submit_superseding, &key(1)).is_err());
        let long_note = SignoffFields {
            note: "ừ".repeat(MAX_NOTE_CHARS + 1),
            ..fields()
        };
        assert!(Signoff::sign(long_note, &key(1)).is_err());
        let no_device = SignoffFields {
            device_id: "  ".into(),
            ..fields()
        };
        assert!(Signoff::sign(no_device, &key(1)).is_err());

        let good = Signoff::sign(fields(), &key(1)).unwrap();
        let mut unsorted = good.clone();
        unsorted.heads.reverse();
        assert!(matches!(
            unsorted.verify_signature(),
            Err(Invalid::Malformed { .. })
        ));
        let mut nfd = good.clone();
        nfd.note = "e\u{302}".into();
        assert!(matches!(
            nfd.verify_signature(),
            Err(Invalid::Malformed { .. })
        ));
        let mut bad_id = good.clone();
        bad_id.supersedes = Some(SignoffId("XYZ".into()));
        assert!(matches!(
            bad_id.verify_signature(),
            Err(Invalid::Malformed { .. })
        ));
        assert!(SignoffId::parse("00112233445566778899AABBCCDDEEFF").is_err());
        assert!(SignoffId::parse("0011").is_err());
    }

    #[test]
    fn test_postcard_and_json_round_trip_keep_the_signature_valid() {
        let mut s = Signoff::sign(fields(), &key(7)).unwrap();
        s.received_at = Some(1_780_000_100);
        let bytes = postcard::to_stdvec(&s).unwrap();
        let back: Signoff = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.verify_signature(), Ok(()));
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(&hex::encode(s.signature)), "{json}");
        let back: Signoff = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        // Truncated or garbage bytes are an error, never a panic.
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(postcard::from_bytes::<Signoff>(&bytes[..cut]).is_err());
        }
        assert!(postcard::from_bytes::<Signoff>(&[0xff; 300]).is_err());
        assert!(
            serde_json::from_str::<Signoff>(&json.replace(&hex::encode(s.signature), "00"))
                .is_err()
        );
    }
}
