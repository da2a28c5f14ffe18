//! NIST P-384 (secp384r1; SP 800-186 §3.2.1.4): field and group arithmetic,
//! ECDSA and ECDH.

pub(crate) mod ecdsa;
pub(crate) mod field;
pub(crate) mod point;
