//! `tls.keys12.*`: the TLS 1.2 key derivation and record protection as
//! known answers. Expected values were computed once, independently of the
//! code under test, by a short Python script: the RFC 5246 §5 P_hash written
//! from the RFC text over Python's `hmac`/`hashlib`, and AES-GCM / AES-CBC
//! records built with pyca/cryptography 48.0 (AESGCM; Cipher(AES, CBC) with
//! HMAC-SHA256 and the RFC 5246 §6.2.3.2 padding). Inputs: pre_master_secret
//! = 03 03 01 02 .. 2e (48 bytes), client_random = 00 .. 1f, server_random =
//! 20 .. 3f, handshake hash = SHA-*("handshake messages").

use handshake_crypto::{Sha256, Sha384};
use handshake_tls::record::{ContentType, Header};
use handshake_tls::suites::HashAlg;
use handshake_tls::tls12::keys::{
    extended_master_secret, key_block, master_secret, verify_data, CLIENT_FINISHED, SERVER_FINISHED,
};
use handshake_tls::tls12::record::RecordKeys12;
use handshake_tls::tls12::suites::BulkCipher;
use handshake_tls::Error;

use crate::check::{self, unhex, Checked};
use crate::Level::Must;
use crate::{Case, Kind};

const MASTER256: &str = "fb51721a8916841437350870790c928e0a9bf72120649894769d001e6a08b9ec1b594f50f30b4d29f14c14a6c997fd61";
const MASTER384: &str = "37fa73ca4e87b9fa12acdf8da81d90323576c036f15b4c46e3ddfd6e249d624dd2d59530a713e5a23268d0f51b1359c3";
const KB_CBC256: &str = "fa3ababb00cf493b4bc7716e7b7c7117b034a1a1ba01364eba075626a13a4a550ba09ae1303b594b7388a08d95abacc0e5d91b58173112b674574c0da928c7e4006ba6dde24afc844a9fa11eea4784c30eff24b9431666fcbbdaeaf7f5f349d99146adf6a19e3a7de579d3931a406434112ad4f32fc2d78c93024119bd4fa532";
/// AES-128-GCM record, client write key and salt from the key block, seq 1,
/// application_data "hello, TLS 1.2", explicit nonce = seq.
const GCM_RECORD: &str =
    "17030300260000000000000001e82358dc1fdae6afe258db7924a992c1b4ff7dfb109101e5c6304966f99a";
/// AES-256-CBC-HMAC-SHA256 record, seq 0, "GET / HTTP/1.1\r\n\r\n", IV a0..af.
const CBC_OK: &str = "1703030050a0a1a2a3a4a5a6a7a8a9aaabacadaeaf63e4a835d41d8989996ffc03223bc0bc948675e88befe773b344912e9c9468ab47867ccb6f7a420d40fbcdada45d0fd5fd8c38d7b2289ffd90e4fa4353c540a1";
/// The same record with a valid MAC and the first padding byte wrong.
const CBC_BAD_PAD: &str = "1703030050a0a1a2a3a4a5a6a7a8a9aaabacadaeaf63e4a835d41d8989996ffc03223bc0bc948675e88befe773b344912e9c9468ab47867ccb6f7a420d40fbcdada45d0fd5bb6c388f7e129b5ea663b564c176b817";

fn pms() -> Vec<u8> {
    let mut p = vec![3u8, 3];
    p.extend(1u8..=46);
    p
}

fn randoms() -> ([u8; 32], [u8; 32]) {
    let mut c = [0u8; 32];
    let mut s = [0u8; 32];
    for i in 0..32 {
        c[i] = i as u8;
        s[i] = 32 + i as u8;
    }
    (c, s)
}

fn master() -> Checked {
    let (c, s) = randoms();
    check::hex(
        "master_secret (SHA-256 PRF)",
        &master_secret(HashAlg::Sha256, &pms(), &c, &s),
        MASTER256,
    )?;
    check::hex(
        "master_secret (SHA-384 PRF)",
        &master_secret(HashAlg::Sha384, &pms(), &c, &s),
        MASTER384,
    )
}

fn extended() -> Checked {
    let session_hash = Sha256::digest(b"handshake messages");
    check::hex(
        "extended master_secret",
        &extended_master_secret(HashAlg::Sha256, &pms(), session_hash.as_ref()),
        "0697847fd6dbd0e74dfc0549b9dc9781cf5959fdf8960c6720a937d736543e2c3c8bbcf12eeb7930a810446004540623",
    )
}

fn block() -> Checked {
    let (c, s) = randoms();
    let m = unhex(MASTER256);
    let kb = key_block(HashAlg::Sha256, BulkCipher::Aes256CbcSha256, &m, &c, &s);
    let joined = [
        &kb.client_mac[..],
        &kb.server_mac,
        &kb.client_key,
        &kb.server_key,
        &kb.client_iv,
        &kb.server_iv,
    ]
    .concat();
    check::hex(
        "key_block, AES-256-CBC-SHA256 (128 bytes)",
        &joined,
        KB_CBC256,
    )?;
    let kb = key_block(HashAlg::Sha256, BulkCipher::Aes128Gcm, &m, &c, &s);
    check::equal(
        "GCM partition (no MAC keys, 16-byte keys, 4-byte salts)",
        (kb.client_mac.len(), kb.client_key.len(), kb.server_iv.len()),
        (0, 16, 4),
    )?;
    check::hex(
        "GCM client_write_key || server_write_key || IVs",
        &[
            &kb.client_key[..],
            &kb.server_key,
            &kb.client_iv,
            &kb.server_iv,
        ]
        .concat(),
        "fa3ababb00cf493b4bc7716e7b7c7117b034a1a1ba01364eba075626a13a4a550ba09ae1303b594b",
    )?;
    let kb = key_block(HashAlg::Sha256, BulkCipher::ChaCha20Poly1305, &m, &c, &s);
    check::equal(
        "ChaCha20-Poly1305 partition (RFC 7905: 32-byte keys, 12-byte IVs)",
        (kb.client_key.len(), kb.server_iv.len()),
        (32, 12),
    )?;
    check::hex(
        "ChaCha20 client_write_IV || server_write_IV (bytes 64..88)",
        &[&kb.client_iv[..], &kb.server_iv].concat(),
        "006ba6dde24afc844a9fa11eea4784c30eff24b9431666fc",
    )
}

fn finished() -> Checked {
    let th384 = Sha384::digest(b"handshake messages");
    check::hex(
        "client verify_data (SHA-384 PRF)",
        &verify_data(
            HashAlg::Sha384,
            &unhex(MASTER384),
            CLIENT_FINISHED,
            th384.as_ref(),
        ),
        "014ccdb8fa01431eb0f4f7a7",
    )?;
    let th256 = Sha256::digest(b"handshake messages");
    check::hex(
        "server verify_data (SHA-256 PRF)",
        &verify_data(
            HashAlg::Sha256,
            &unhex(MASTER256),
            SERVER_FINISHED,
            th256.as_ref(),
        ),
        "fdfb4af2d701562eb4d500bd",
    )
}

fn split(record: &str) -> Result<(Header, Vec<u8>), String> {
    let r = unhex(record);
    let h = Header::parse(&r[..5]).map_err(|e| e.to_string())?;
    Ok((h, r[5..].to_vec()))
}

fn gcm_record() -> Checked {
    let kb = unhex(KB_CBC256); // the same PRF stream; GCM uses its first 40 bytes
    let mut w = RecordKeys12::new(BulkCipher::Aes128Gcm, &[], &kb[..16], &kb[32..36], &[0; 16])
        .map_err(|e| e.to_string())?;
    w.seal(ContentType::ApplicationData, b"seq 0")
        .map_err(|e| e.to_string())?;
    let rec = w
        .seal(ContentType::ApplicationData, b"hello, TLS 1.2")
        .map_err(|e| e.to_string())?;
    check::hex("sealed record, seq 1 (RFC 5288 §3)", &rec, GCM_RECORD)?;
    let mut r = RecordKeys12::new(BulkCipher::Aes128Gcm, &[], &kb[..16], &kb[32..36], &[0; 16])
        .map_err(|e| e.to_string())?;
    let (h, f) = split(GCM_RECORD)?;
    let first = r.open(&h, f.clone());
    check::equal(
        "seq 0 cannot open a seq 1 record",
        first,
        Err(Error::BadRecordMac),
    )?;
    check::equal(
        "opened at seq 1",
        r.open(&h, f).map_err(|e| e.to_string())?,
        b"hello, TLS 1.2".to_vec(),
    )
}

fn cbc_reader(kb: &[u8]) -> Result<RecordKeys12, String> {
    RecordKeys12::new(
        BulkCipher::Aes256CbcSha256,
        &kb[..32],
        &kb[64..96],
        &[],
        &[0; 16],
    )
    .map_err(|e| e.to_string())
}

fn cbc_record() -> Checked {
    let kb = unhex(KB_CBC256);
    let (h, f) = split(CBC_OK)?;
    check::equal(
        "opened (RFC 5246 §6.2.3.2)",
        cbc_reader(&kb)?
            .open(&h, f.clone())
            .map_err(|e| e.to_string())?,
        b"GET / HTTP/1.1\r\n\r\n".to_vec(),
    )?;
    let mut bad_mac = f;
    let n = bad_mac.len();
    // The last ciphertext block's first byte: flips a MAC byte of the
    // plaintext (CBC), the padding stays intact.
    bad_mac[n - 32] ^= 1;
    let mac_err = cbc_reader(&kb)?.open(&h, bad_mac);
    let (h2, f2) = split(CBC_BAD_PAD)?;
    let pad_err = cbc_reader(&kb)?.open(&h2, f2);
    check::equal("bad MAC", mac_err.clone(), Err(Error::BadRecordMac))?;
    check::equal("bad padding (MAC valid)", pad_err, mac_err)
}

pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "tls.keys12.master-secret",
                "RFC 5246 §8.1, §5",
                master,
            ),
            (
                Must,
                "tls.keys12.extended-master-secret",
                "RFC 7627 §4",
                extended,
            ),
            (
                Must,
                "tls.keys12.key-block",
                "RFC 5246 §6.3; RFC 5288 §3; RFC 7905 §2",
                block,
            ),
            (
                Must,
                "tls.keys12.finished-verify-data",
                "RFC 5246 §7.4.9",
                finished,
            ),
            (
                Must,
                "tls.keys12.gcm-record",
                "RFC 5288 §3; RFC 5246 §6.2.3.3",
                gcm_record,
            ),
            (
                Must,
                "tls.keys12.cbc-padding-same-alert",
                "RFC 5246 §6.2.3.2, §7.2.2 (bad_record_mac)",
                cbc_record,
            ),
        ],
    )
}
