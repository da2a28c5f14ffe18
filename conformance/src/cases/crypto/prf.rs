//! `crypto.prf.*`: The TLS 1.2 PRF (RFC 5246 §5).

use crate::check::unhex;
use crate::{check, Case};
use handshake_crypto::prf;

/// A PRF: secret, label, seed, output.
type Prf = fn(&[u8], &[u8], &[u8], &mut [u8]);

/// PRF(secret, "test label", seed) must equal `want` (hex), as long as it.
fn known_answer(f: Prf, secret: &str, seed: &str, want: &str) -> check::Checked {
    let mut out = vec![0u8; want.len() / 2];
    f(&unhex(secret), b"test label", &unhex(seed), &mut out);
    check::hex("PRF", &out, want)
}

/// The `crypto.prf.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    // The known answers every TLS 1.2 stack tests its PRF with (secret,
    // label "test label", seed, output).
    vec![
        Case::must("crypto.prf.tls12-sha256", "RFC 5246 §5 (P_SHA256)").vector(|_| {
            known_answer(prf::tls12_prf_sha256, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c", "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66")
        }),
        Case::must("crypto.prf.tls12-sha384", "RFC 5246 §5; RFC 5289 §3 (P_SHA384)").vector(|_| {
            known_answer(prf::tls12_prf_sha384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465", "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f")
        }),
    ]
}
