//! `crypto.cbc.*`: The TLS 1.2 AES-CBC + HMAC record construction (RFC 5246 §6.2.3.2) with constant-time padding checks.

use super::support::*;
use crate::{check_property, Case, Outcome};
use handshake_crypto::cbc::{RecordHeader, TlsCbcHmacSha256};
use handshake_crypto::{Aes, Error, HmacSha256};
use proptest::prelude::*;

// ---------------------------------------------------------------- TLS 1.2 CBC

fn hdr(seq: u64) -> RecordHeader {
    RecordHeader {
        seq_num: seq,
        content_type: 23,
        version: [3, 3],
    }
}

/// The `crypto.cbc.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.cbc.tls12-roundtrip", "RFC 5246 §6.2.3.2 (GenericBlockCipher: IV, content, MAC, padding)").property(|ctx| {
            check_property(ctx, (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<[u8; 16]>(), any::<u64>(), proptest::collection::vec(any::<u8>(), 0..2048)), |(k, mk, iv, seq, content)| {
                for b in BACKENDS {
                    let p = TlsCbcHmacSha256::new_with_backend(b, &k[..16], &mk).expect("keys");
                    let frag = p.seal(&hdr(seq), &iv, &content);
                    prop_assert_eq!(frag.len() % 16, 0);
                    prop_assert_eq!(&frag[..16], &iv[..]);
                    prop_assert_eq!(p.open(&hdr(seq), &frag).ok(), Some(content.clone()));
                    // Wrong sequence number: the MAC covers seq_num (RFC 5246 §6.2.3.1).
                    prop_assert_eq!(p.open(&hdr(seq ^ 1), &frag), Err(Error::AuthenticationFailed));
                }
                Ok(())
            })
        }),
        Case::must("crypto.cbc.padding-all-lengths", "RFC 5246 §6.2.3.2 (padding up to 255 bytes, each byte = padding_length; bad padding is bad_record_mac)").vector(|_| {
            let (enc, mk) = ([3u8; 16], [4u8; 32]);
            let aes = Aes::new(&enc).expect("key");
            let p = TlsCbcHmacSha256::new(&enc, &mk).expect("keys");
            for content_len in [0usize, 1, 17, 100] {
                for pad in 0..=255usize {
                    if (content_len + 32 + pad + 1) % 16 != 0 {
                        continue;
                    }
                    for corrupt in [None, Some(0usize), Some(pad)] {
                        let content = vec![0x61u8; content_len];
                        let mut m = HmacSha256::new(&mk);
                        let mut h = [0u8; 13];
                        h[..8].copy_from_slice(&9u64.to_be_bytes());
                        h[8] = 23;
                        h[9..11].copy_from_slice(&[3, 3]);
                        h[11..].copy_from_slice(&(content_len as u16).to_be_bytes());
                        m.update(&h);
                        m.update(&content);
                        let mut body = content.clone();
                        body.extend_from_slice(&m.finalize());
                        body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                        if let Some(c) = corrupt {
                            let l = body.len();
                            body[l - 1 - c] ^= if c == 0 { 1 } else { 0x40 };
                        }
                        let iv = [5u8; 16];
                        aes.cbc_encrypt(&iv, &mut body).expect("whole blocks");
                        let mut frag = iv.to_vec();
                        frag.extend_from_slice(&body);
                        let got = p.open(&hdr(9), &frag);
                        let ok = match corrupt {
                            None => got.as_deref() == Ok(&content[..]),
                            Some(_) => got == Err(Error::AuthenticationFailed),
                        };
                        if !ok {
                            return Outcome::Fail(format!("content {content_len} padding {pad} corrupt {corrupt:?}: {got:?}"));
                        }
                    }
                }
            }
            Outcome::Pass
        }),
        Case::must("crypto.cbc.tamper-rejected", "RFC 5246 §6.2.3.2, §7.2.2 (any modification is bad_record_mac)").property(|ctx| {
            check_property(ctx, (proptest::collection::vec(any::<u8>(), 0..600), any::<usize>(), 1u8..=255), |(content, at, x)| {
                let p = TlsCbcHmacSha256::new(&[1; 32], &[2; 32]).expect("keys");
                let frag = p.seal(&hdr(5), &[7; 16], &content);
                let mut bad = frag.clone();
                let i = at % bad.len();
                bad[i] ^= x;
                prop_assert_eq!(p.open(&hdr(5), &bad), Err(Error::AuthenticationFailed));
                prop_assert_eq!(p.open(&hdr(5), &frag[..frag.len() - 16]), Err(Error::AuthenticationFailed));
                Ok(())
            })
        }),
    ]
}
