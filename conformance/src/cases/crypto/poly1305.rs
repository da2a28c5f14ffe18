//! `crypto.poly1305.*`: The Poly1305 one-time authenticator (RFC 8439 §2.5).

use crate::check::unhex;
use crate::{check, Case, Outcome};
use handshake_crypto::Poly1305;

/// The `crypto.poly1305.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.poly1305.rfc8439-2.5.2", "RFC 8439 §2.5.2").vector(|_| {
                let key: [u8; 32] =
                    unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
                        .try_into()
                        .expect("32 bytes");
                Outcome::from(check::hex(
                    "tag",
                    &Poly1305::mac(&key, b"Cryptographic Forum Research Group"),
                    "a8061dc1305136c6c22b8baf0c0127a9",
                ))
            }),
        Case::must("crypto.poly1305.rfc8439-a3-edge-cases", "RFC 8439 Appendix A.3 #5-#11 (reduction modulo 2^130-5)").vector(|_| {
                let cases = [
                ("0200000000000000000000000000000000000000000000000000000000000000", "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000"),
                ("02000000000000000000000000000000ffffffffffffffffffffffffffffffff", "02000000000000000000000000000000", "03000000000000000000000000000000"),
                ("0100000000000000000000000000000000000000000000000000000000000000", "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000", "05000000000000000000000000000000"),
                ("0100000000000000000000000000000000000000000000000000000000000000", "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101", "00000000000000000000000000000000"),
                ("0200000000000000000000000000000000000000000000000000000000000000", "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"),
                ("0100000000000000040000000000000000000000000000000000000000000000", "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000", "14000000000000005500000000000000"),
                ("0100000000000000040000000000000000000000000000000000000000000000", "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000", "13000000000000000000000000000000"),
            ];
                Outcome::from(cases.iter().try_for_each(|&(k, m, t)| {
                    let key: [u8; 32] = unhex(k).try_into().expect("32 bytes");
                    check::hex(&format!("msg {m}"), &Poly1305::mac(&key, &unhex(m)), t)
                }))
            }),
    ]
}
