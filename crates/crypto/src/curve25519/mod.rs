//! Curve25519 in its two shapes: the Montgomery form for X25519 (RFC 7748) and the
//! twisted Edwards form for Ed25519 (RFC 8032), over one field implementation.

pub(crate) mod ed25519;
pub(crate) mod field;
mod safegcd;
pub(crate) mod x25519;
