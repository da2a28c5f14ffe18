//! X.509 path validation on hostile certificates: the input is a list of
//! length-prefixed DER certificates; the last is taken as the trust anchor and
//! the others as the chain (leaf first). Any bytes give a verdict or a typed
//! error, never a panic; decoding is bounded by the input.
#![no_main]

use handshake_tls::cert::{verify_client_chain, verify_server_chain, ParsedCert};
use handshake_tls::{ServerName, TrustAnchor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Records of [length (2 bytes, big-endian), DER...], at most 8.
    let mut certs = Vec::new();
    let mut rest = data;
    while let [hi, lo, tail @ ..] = rest {
        let n = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (der, next) = tail.split_at(n);
        certs.push(der.to_vec());
        rest = next;
        if certs.len() == 8 {
            break;
        }
    }
    for der in &certs {
        let _ = ParsedCert::parse(der);
    }
    let Some(anchor_der) = certs.pop() else {
        return;
    };
    let Ok(anchor) = TrustAnchor::from_der(&anchor_der) else {
        return;
    };
    let anchors = [anchor];
    let name = ServerName::new("example.com");
    // 2026-01-01: inside any sensibly dated test certificate.
    let now = 1_767_225_600;
    let _ = verify_server_chain(&certs, &anchors, &name, now);
    let _ = verify_client_chain(&certs, &anchors, now);
});
