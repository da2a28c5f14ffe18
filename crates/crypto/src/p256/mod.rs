//! NIST P-256 (SP 800-186 §3.2.1.3): field and group arithmetic, ECDSA and ECDH.

pub(crate) mod ecdsa;
pub(crate) mod field;
pub(crate) mod point;
pub(crate) mod vartime;
