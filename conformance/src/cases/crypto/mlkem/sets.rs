//! The three ML-KEM parameter sets behind one table, so that a vector file's
//! parameter set picks the functions that run it, and the hex and J helpers
//! the vector groups share. Builds no cases.

use handshake_crypto::mlkem::{mlkem1024, mlkem512, mlkem768};
use handshake_crypto::Error;
use sha3::digest::{ExtendableOutput, Update, XofReader};

/// KeyGen_internal(d, z) → (ek, dk).
type KeyGen = fn(&[u8; 32], &[u8; 32]) -> (Vec<u8>, Vec<u8>);
/// Encaps_internal(ek, m) → (c, K).
type Encaps = fn(&[u8], &[u8; 32]) -> Result<(Vec<u8>, [u8; 32]), Error>;
/// Decaps_internal(dk, c) → K.
type Decaps = fn(&[u8], &[u8]) -> Result<[u8; 32], Error>;

/// One parameter set (FIPS 203 §8, Table 2) through our API.
pub(super) struct Set {
    /// FIPS 203's name, as ACVP writes it: `ML-KEM-768`.
    pub name: &'static str,
    /// The number in case ids: `768`.
    pub short: &'static str,
    /// Length of a ciphertext (FIPS 203 §8, Table 3).
    pub ciphertext_len: usize,
    /// ML-KEM.KeyGen_internal(d, z) (Algorithm 16): (ek, dk).
    pub keygen: KeyGen,
    /// ML-KEM.Encaps_internal(ek, m) (Algorithm 17) after the §7.2 input
    /// check: (c, K).
    pub encaps: Encaps,
    /// ML-KEM.Decaps_internal(dk, c) (Algorithm 18) after the §7.3 input
    /// checks: K, or K̄ on implicit rejection.
    pub decaps: Decaps,
}

macro_rules! set {
    ($m:ident, $name:literal, $short:literal) => {
        Set {
            name: $name,
            short: $short,
            ciphertext_len: $m::CIPHERTEXT_LEN,
            keygen: |d, z| {
                let dk = $m::DecapsulationKey::from_seed(d, z);
                (
                    dk.encapsulation_key().as_bytes().to_vec(),
                    dk.as_bytes().to_vec(),
                )
            },
            encaps: |ek, m| {
                let (c, k) = $m::EncapsulationKey::from_bytes(ek)?.encapsulate_deterministic(m);
                Ok((c.as_bytes().to_vec(), k))
            },
            decaps: |dk, c| {
                let dk = $m::DecapsulationKey::from_bytes(dk)?;
                Ok(dk.decapsulate(&$m::Ciphertext::from_bytes(c)?))
            },
        }
    };
}

/// ML-KEM-512, -768 and -1024.
pub(super) static SETS: [Set; 3] = [
    set!(mlkem512, "ML-KEM-512", "512"),
    set!(mlkem768, "ML-KEM-768", "768"),
    set!(mlkem1024, "ML-KEM-1024", "1024"),
];

/// Bytes from a hex string of a vector file, naming the field when it is not hex.
pub(super) fn unhex(what: &str, s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s).map_err(|e| format!("{what}: not hex: {e}"))
}

/// A 32-byte value from hex.
pub(super) fn unhex32(what: &str, s: &str) -> Result<[u8; 32], String> {
    unhex(what, s)?
        .try_into()
        .map_err(|v: Vec<u8>| format!("{what}: {} bytes, want 32", v.len()))
}

/// J(z ‖ c) = SHAKE256(z ‖ c, 32) (FIPS 203 §4.1, eq. 4.4), the implicit
/// rejection key, computed by the `sha3` crate; z is the last 32 bytes of dk
/// (Algorithm 16, line 3).
pub(super) fn j(dk: &[u8], c: &[u8]) -> [u8; 32] {
    let mut x = sha3::Shake256::default();
    x.update(&dk[dk.len().saturating_sub(32)..]);
    x.update(c);
    let mut out = [0u8; 32];
    x.finalize_xof().read(&mut out);
    out
}
