//! The TLS 1.2 pseudorandom function (RFC 5246 §5).
//!
//! ```
//! use handshake_crypto::prf;
//! let mut key_block = [0u8; 40];
//! prf::tls12_prf_sha256(b"master secret", b"key expansion", b"seed", &mut key_block);
//! ```

use zeroize::Zeroize;

use crate::{HashFunction, Hmac, Sha256, Sha384};

/// P_hash(secret, seed) (RFC 5246 §5), filling `out`:
/// A(0) = seed, A(i) = HMAC(secret, A(i-1)),
/// P_hash = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
///
/// `seed_parts` are concatenated to form the seed, so callers pass label and seed
/// without building a buffer.
pub fn p_hash<H: HashFunction>(secret: &[u8], seed_parts: &[&[u8]], out: &mut [u8]) {
    let keyed = Hmac::<H>::new(secret);
    // A(1)
    let mut m = keyed.clone();
    for p in seed_parts {
        m.update(p);
    }
    let mut a = m.finalize();
    for chunk in out.chunks_mut(H::OUTPUT_LEN) {
        let mut m = keyed.clone();
        m.update(a.as_ref());
        for p in seed_parts {
            m.update(p);
        }
        let mut block = m.finalize();
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        block.as_mut().zeroize();
        let mut m = keyed.clone();
        m.update(a.as_ref());
        a = m.finalize();
    }
    a.as_mut().zeroize();
}

/// PRF(secret, label, seed) = P_SHA256(secret, label + seed): the TLS 1.2 PRF for
/// every cipher suite that does not name another hash.
pub fn tls12_prf_sha256(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    p_hash::<Sha256>(secret, &[label, seed], out)
}

/// PRF(secret, label, seed) = P_SHA384(secret, label + seed): for the SHA-384 suites
/// (RFC 5289).
pub fn tls12_prf_sha384(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    p_hash::<Sha384>(secret, &[label, seed], out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    // The widely used TLS 1.2 PRF test vectors (posted to the IETF TLS list, also in
    // the NSS/Go test suites).
    #[test]
    fn prf_sha256_vector() {
        let secret = h("9bbe436ba940f017b17652849a71db35");
        let seed = h("a0ba9f936cda311827a6f796ffd5198c");
        let mut out = [0u8; 100];
        tls12_prf_sha256(&secret, b"test label", &seed, &mut out);
        assert_eq!(out.to_vec(), h("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"));
    }

    #[test]
    fn prf_sha384_vector() {
        let secret = h("b80b733d6ceefcdc71566ea48e5567df");
        let seed = h("cd665cf6a8447dd6ff8b27555edb7465");
        let mut out = [0u8; 148];
        tls12_prf_sha384(&secret, b"test label", &seed, &mut out);
        assert_eq!(out.to_vec(), h("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"));
    }

    #[test]
    fn prefix_property() {
        // A shorter output is a prefix of a longer one.
        let mut a = [0u8; 70];
        let mut b = [0u8; 33];
        tls12_prf_sha256(b"s", b"l", b"seed", &mut a);
        tls12_prf_sha256(b"s", b"l", b"seed", &mut b);
        assert_eq!(a[..33], b);
    }
}
