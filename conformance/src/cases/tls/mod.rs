//! The `tls.*` cases: one module per group, `tls/<group>.rs` holding exactly
//! the cases `tls.<group>.*`; helpers shared by groups live in `support.rs`.
//!
//! handshake-tls: the RFC 8448 key schedule and records as vectors, the
//! codec's rules, our client against our server (negotiation, HelloRetryRequest,
//! certificates, and each failure with the exact alert the RFC names), a
//! property over configurations and every split of the byte stream, and
//! rustls as the independent peer both ways; TLS 1.2's vectors (`keys12`)
//! and cases (`tls12`); OpenSSL and GnuTLS command-line peers over loopback
//! TCP (`openssl`, `gnutls`); P-384 certificates, signatures and key
//! exchange against those peers and rustls (`p384`); post-handshake client
//! authentication (`pha`) and certificate_authorities (`authorities`); RFC 8446's requirement table (`coverage`).

use crate::Case;

mod authorities;
mod codec;
mod coverage;
mod examples;
mod gnutls;
mod handshake;
mod interop;
mod keys;
mod keys12;
mod mtls;
mod openssl;
mod p384;
mod pha;
mod property;
mod record;
mod resume;
mod sslyze;
pub(crate) mod support;
mod tls12;
#[cfg(target_os = "linux")]
mod tshark;

/// Every `tls.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        keys::cases(),
        keys12::cases(),
        record::cases(),
        codec::cases(),
        handshake::cases(),
        tls12::cases(),
        property::cases(),
        interop::cases(),
        openssl::cases(),
        gnutls::cases(),
        p384::cases(),
        resume::cases(),
        mtls::cases(),
        pha::cases(),
        authorities::cases(),
        examples::cases(),
        sslyze::cases(),
        #[cfg(target_os = "linux")]
        tshark::cases(),
        coverage::cases(),
    ]
    .concat()
}
