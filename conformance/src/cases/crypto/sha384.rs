//! `crypto.sha384.*`: SHA-384 (FIPS 180-4): the standard's examples.

use super::support::*;
use crate::Case;
use handshake_crypto::Sha384;

/// FIPS 180-4's examples: (id, requirement, message, digest).
const EXAMPLES: &[DigestExample] = &[
        ("crypto.sha384.fips180-4-abc", "FIPS 180-4 §6.5; example \"abc\"", b"abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        ("crypto.sha384.fips180-4-two-block", "FIPS 180-4 §6.5; 896-bit example", ABC896, "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"),
];

/// The `crypto.sha384.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    digest_examples("SHA-384", |m| Sha384::digest(m).to_vec(), EXAMPLES)
}
