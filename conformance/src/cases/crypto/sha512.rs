//! `crypto.sha512.*`: SHA-512 (FIPS 180-4): the standard's examples.

use super::support::*;
use crate::Case;
use handshake_crypto::Sha512;

/// FIPS 180-4's examples: (id, requirement, message, digest).
const EXAMPLES: &[DigestExample] = &[
        ("crypto.sha512.fips180-4-abc", "FIPS 180-4 §6.4; example \"abc\"", b"abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        ("crypto.sha512.fips180-4-two-block", "FIPS 180-4 §5.1.2, §6.4; 896-bit example", ABC896, "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
];

/// The `crypto.sha512.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    digest_examples("SHA-512", |m| Sha512::digest(m).to_vec(), EXAMPLES)
}
