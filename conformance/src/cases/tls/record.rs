//! `tls.record.*`: TLS 1.3 record protection (RFC 8446 §5.2-§5.4) against
//! RFC 8448 §3's records, and the record layer's limits.

use handshake_tls::record::{
    record_nonce, ContentType, Deframer, Header, RecordKeys, MAX_CIPHERTEXT,
};
use handshake_tls::suites::AeadAlg;
use handshake_tls::Error;

use crate::check::{self, unhex, unhex_array, Checked};
use crate::Level::Must;
use crate::{Case, Kind};

/// RFC 8448 §3: 50 bytes 00..31 under the client application keys, seq 0.
pub(crate) const CLIENT_APP_RECORD: &str = "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
const SERVER_APP_RECORD: &str = "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";
const CLIENT_CLOSE_RECORD: &str = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
const C_AP_KEY: &str = "17422dda596ed5d9acd890e3c63f5051";
const C_AP_IV: &str = "5b78923dee08579033e523d9";
const S_AP_KEY: &str = "9f02283b6c9c07efc26bb9f2ac92e356";
const S_AP_IV: &str = "cf782b88dd83549aadf1e984";

fn client_keys() -> RecordKeys {
    RecordKeys::new(AeadAlg::Aes128Gcm, &unhex(C_AP_KEY), &unhex(C_AP_IV))
}

fn open_hex(k: &mut RecordKeys, rec: &str) -> Result<(ContentType, Vec<u8>), Error> {
    let b = unhex(rec);
    let h = Header::parse(&b[..5])?;
    k.open(&h, b[5..].to_vec())
}

fn nonce() -> Checked {
    // §5.3: seq 0 leaves the IV; seq 1 flips its last bit; the 64-bit
    // sequence number lands in the last 8 bytes.
    let iv = unhex_array::<12>(C_AP_IV);
    check::hex("nonce(seq 0)", &record_nonce(&iv, 0), C_AP_IV)?;
    check::hex(
        "nonce(seq 1)",
        &record_nonce(&iv, 1),
        "5b78923dee08579033e523d8",
    )?;
    check::hex(
        "nonce(seq 2^64-1)",
        &record_nonce(&iv, u64::MAX),
        "5b78923d11f7a86fcc1adc26",
    )
}

fn seal_rfc8448() -> Checked {
    let mut k = client_keys();
    let payload: Vec<u8> = (0u8..=0x31).collect();
    let rec = k
        .seal(ContentType::ApplicationData, &payload, 0)
        .map_err(|e| e.to_string())?;
    check::hex("client application record (seq 0)", &rec, CLIENT_APP_RECORD)?;
    // The second record under the same keys is the close_notify alert (seq 1).
    let close = k
        .seal(ContentType::Alert, &[1, 0], 0)
        .map_err(|e| e.to_string())?;
    check::hex(
        "client close_notify record (seq 1)",
        &close,
        CLIENT_CLOSE_RECORD,
    )
}

fn open_rfc8448() -> Checked {
    // The server's application record is its second under these keys (the
    // NewSessionTicket was the first).
    // One RecordKeys counts one direction's records: sealing one stands in
    // for the ticket record and moves the sequence number to 1.
    let mut k = RecordKeys::new(AeadAlg::Aes128Gcm, &unhex(S_AP_KEY), &unhex(S_AP_IV));
    k.seal(ContentType::Handshake, b"x", 0)
        .map_err(|e| e.to_string())?;
    let (typ, data) = open_hex(&mut k, SERVER_APP_RECORD).map_err(|e| e.to_string())?;
    check::equal("content type", typ, ContentType::ApplicationData)?;
    check::equal("payload", data, (0u8..=0x31).collect::<Vec<u8>>())
}

/// The error opening the whole record `b` under fresh client application keys.
fn open_error(b: &[u8]) -> Result<Option<Error>, String> {
    let h = Header::parse(&b[..5]).map_err(|e| e.to_string())?;
    Ok(client_keys().open(&h, b[5..].to_vec()).err())
}

fn tampered_tag() -> Checked {
    let mut b = unhex(CLIENT_APP_RECORD);
    let last = b.len() - 1;
    b[last] ^= 0x80;
    check::equal("tag flipped", open_error(&b)?, Some(Error::BadRecordMac))?;
    let mut b = unhex(CLIENT_APP_RECORD);
    b[2] = 1; // the header is the additional data
    check::equal("header changed", open_error(&b)?, Some(Error::BadRecordMac))
}

fn padding_and_type() -> Checked {
    let mut s = client_keys();
    let mut r = client_keys();
    let rec = s
        .seal(ContentType::Handshake, b"hello", 300)
        .map_err(|e| e.to_string())?;
    check::equal(
        "record length with 300 bytes of padding",
        rec.len(),
        5 + 5 + 1 + 300 + 16,
    )?;
    let h = Header::parse(&rec[..5]).map_err(|e| e.to_string())?;
    check::equal("outer type", h.typ, ContentType::ApplicationData)?;
    let (t, d) = r.open(&h, rec[5..].to_vec()).map_err(|e| e.to_string())?;
    check::equal(
        "inner type and content",
        (t, d),
        (ContentType::Handshake, b"hello".to_vec()),
    )?;
    // All padding, no type: §5.4 unexpected_message.
    let zero = {
        // A record whose inner plaintext is all zeros, sealed with the raw AEAD.
        let mut v = Vec::new();
        let aead = handshake_crypto::AesGcm::new(&unhex(C_AP_KEY)).map_err(|e| e.to_string())?;
        use handshake_crypto::Aead;
        let hdr = [23u8, 3, 3, 0, 20];
        let nonce = unhex_array::<12>(C_AP_IV);
        v.extend_from_slice(&hdr);
        v.extend_from_slice(
            &aead
                .seal(&nonce, &hdr, &[0, 0, 0, 0])
                .map_err(|e| e.to_string())?,
        );
        v
    };
    check::equal(
        "inner plaintext of zeros",
        open_error(&zero)?,
        Some(Error::NoContentType),
    )
}

fn limits() -> Checked {
    // §5.2: 2^14 + 256 is the largest TLSCiphertext; one more is record_overflow,
    // decided from the header alone.
    let ok = (MAX_CIPHERTEXT as u16).to_be_bytes();
    check::ensure(Header::parse(&[23, 3, 3, ok[0], ok[1]]).is_ok(), || {
        "2^14+256 refused".into()
    })?;
    let over = (MAX_CIPHERTEXT as u16 + 1).to_be_bytes();
    let mut d = Deframer::default();
    d.push(&[23, 3, 3, over[0], over[1]]);
    check::equal(
        "deframer on 2^14+257",
        d.pop().err(),
        Some(Error::RecordOverflow {
            len: MAX_CIPHERTEXT + 1,
        }),
    )?;
    // §5.2: sealing more than 2^14 + 1 inner bytes is refused.
    let mut k = client_keys();
    check::equal(
        "seal 2^14 + 1 content bytes",
        k.seal(ContentType::ApplicationData, &vec![0; (1 << 14) + 1], 0)
            .err(),
        Some(Error::RecordOverflow { len: (1 << 14) + 2 }),
    )?;
    // §5: an unknown content type is unexpected_message.
    check::equal(
        "content type 24",
        Header::parse(&[24, 3, 3, 0, 1]).err(),
        Some(Error::UnexpectedRecord { content_type: 24 }),
    )
}

fn sequence_never_wraps() -> Checked {
    // §5.3: a sequence number never wraps. The last one, 2^64 - 2, seals;
    // 2^64 - 1 would be followed by a wrap, so the keys refuse it both ways
    // (the connection terminates rather than reuse a nonce).
    let mut k = client_keys().starting_at(u64::MAX - 1);
    k.seal(ContentType::ApplicationData, b"last", 0)
        .map_err(|e| format!("the last sequence number refused: {e}"))?;
    check::equal(
        "seal at 2^64 - 1",
        k.seal(ContentType::ApplicationData, b"wrap", 0).err(),
        Some(Error::SequenceExhausted),
    )?;
    let mut r = client_keys().starting_at(u64::MAX);
    check::equal(
        "open at 2^64 - 1",
        open_hex(&mut r, CLIENT_APP_RECORD).err(),
        Some(Error::SequenceExhausted),
    )?;
    // §4.6.3: a connection rekeys first. ChaCha20-Poly1305 keys are spent
    // when only the KeyUpdate's own sequence number is left before the wrap.
    let chacha =
        |seq| RecordKeys::new(AeadAlg::ChaCha20Poly1305, &[7; 32], &[0; 12]).starting_at(seq);
    check::equal(
        "ChaCha20 keys spent at 2^64 - 3, 2^64 - 2",
        (
            chacha(u64::MAX - 2).exhausted(None),
            chacha(u64::MAX - 1).exhausted(None),
        ),
        (false, true),
    )
}

fn aead_limits() -> Checked {
    // §5.5: "up to 2^24.5 full-size records (about 24 million) may be
    // encrypted on a given connection" with AES-GCM: a key protects at most
    // floor(2^24.5) records, its KeyUpdate included.
    let limit = 2f64.powf(24.5).floor() as u64;
    for aead in [AeadAlg::Aes128Gcm, AeadAlg::Aes256Gcm] {
        check::equal(&format!("{aead:?} limit"), aead.records_per_key(), limit)?;
        let k = |seq| RecordKeys::new(aead, &vec![7; aead.key_len()], &[0; 12]).starting_at(seq);
        check::equal(
            &format!("{aead:?} spent before / at the KeyUpdate's record"),
            (k(limit - 2).exhausted(None), k(limit - 1).exhausted(None)),
            (false, true),
        )?;
        // A caller's lower limit wins; a higher one does not lift the AEAD's.
        check::equal(
            &format!("{aead:?} with limits 10 and 2^40 at seq 9"),
            (k(9).exhausted(Some(10)), k(9).exhausted(Some(1 << 40))),
            (true, false),
        )?;
    }
    Ok(())
}

/// The `tls.record.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "tls.record.nonce-construction",
                "RFC 8446 §5.3",
                nonce,
            ),
            (
                Must,
                "tls.record.rfc8448-seal",
                "RFC 8446 §5.2, §5.3; RFC 8448 §3",
                seal_rfc8448,
            ),
            (
                Must,
                "tls.record.rfc8448-open",
                "RFC 8446 §5.2, §5.4; RFC 8448 §3",
                open_rfc8448,
            ),
            (
                Must,
                "tls.record.bad-tag-is-bad-record-mac",
                "RFC 8446 §5.2",
                tampered_tag,
            ),
            (
                Must,
                "tls.record.padding-and-inner-type",
                "RFC 8446 §5.4",
                padding_and_type,
            ),
            (
                Must,
                "tls.record.length-limits",
                "RFC 8446 §5.1, §5.2",
                limits,
            ),
            (
                Must,
                "tls.record.sequence-never-wraps",
                "RFC 8446 §5.3, §4.6.3",
                sequence_never_wraps,
            ),
            (Must, "tls.record.aead-limits", "RFC 8446 §5.5", aead_limits),
        ],
    )
}
