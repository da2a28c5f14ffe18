//! `crypto.mlkem.acvp-*`: NIST's ACVP known answers for ML-KEM (FIPS 203), a
//! documented subset of usnistgov/ACVP-Server's
//! `gen-val/json-files/ML-KEM-{keyGen,encapDecap}-FIPS203/internalProjection.json`
//! committed under `fixtures/mlkem/acvp/` (source, commit and subset in
//! `fixtures/README.md`).
//!
//! - keyGen: (d, z) give ek and dk (§7.1, Algorithm 16).
//! - encapsulation: (ek, m) give c and K (§7.2, Algorithm 17); ek passes the
//!   modulus check on the way in.
//! - decapsulation: (dk, c) give K (§7.3, Algorithm 18); dk passes the hash
//!   check. For a "modify ciphertext" test K must be the implicit-rejection
//!   key J(z ‖ c), recomputed with the `sha3` crate; for an unmodified one it
//!   must not be.
//!
//! The stored ACVP files have no encapsulation-key or decapsulation-key check
//! groups; those checks are `crypto.mlkem.*-modulus-check` and `-hash-check`.

use super::sets::{j, unhex, unhex32, Set, SETS};
use crate::cases::crypto::support::ran_at_least;
use crate::{check, Case};
use serde_json::Value;

const KEYGEN: &str = include_str!("../../../../../fixtures/mlkem/acvp/keyGen.json");
const ENCAP_DECAP: &str = include_str!("../../../../../fixtures/mlkem/acvp/encapDecap.json");

/// The test groups of `file` for `set`, and `function` when the file has one.
fn groups<'a>(file: &'a Value, set: &Set, function: Option<&str>) -> Vec<&'a Value> {
    let all = file["testGroups"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    all.iter()
        .filter(|g| g["parameterSet"] == set.name)
        .filter(|g| function.is_none_or(|f| g["function"] == f))
        .collect()
}

/// The string field `name` of a test or group, hex-decoded.
fn field(v: &Value, name: &str) -> Result<Vec<u8>, String> {
    let s = v[name].as_str().ok_or_else(|| format!("no field {name}"))?;
    unhex(name, s)
}

fn field32(v: &Value, name: &str) -> Result<[u8; 32], String> {
    let s = v[name].as_str().ok_or_else(|| format!("no field {name}"))?;
    unhex32(name, s)
}

fn tests(group: &Value) -> &[Value] {
    group["tests"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn parse(json: &str) -> Result<Value, String> {
    serde_json::from_str(json).map_err(|e| format!("fixture JSON: {e}"))
}

/// Every keyGen test of the set: KeyGen_internal(d, z) = (ek, dk).
fn keygen(set: &Set) -> check::Checked {
    let file = parse(KEYGEN)?;
    let mut n = 0;
    for group in groups(&file, set, None) {
        for t in tests(group) {
            let id = &t["tcId"];
            let (ek, dk) = (set.keygen)(&field32(t, "d")?, &field32(t, "z")?);
            check::equal(
                &format!("tcId {id}: ek"),
                hex::encode(ek),
                hex::encode(field(t, "ek")?),
            )?;
            check::equal(
                &format!("tcId {id}: dk"),
                hex::encode(dk),
                hex::encode(field(t, "dk")?),
            )?;
            n += 1;
        }
    }
    ran_at_least(n, 2)
}

/// Every encapsulation test of the set: Encaps_internal(ek, m) = (c, K).
fn encaps(set: &Set) -> check::Checked {
    let file = parse(ENCAP_DECAP)?;
    let mut n = 0;
    for group in groups(&file, set, Some("encapsulation")) {
        for t in tests(group) {
            let id = &t["tcId"];
            let (c, k) = (set.encaps)(&field(t, "ek")?, &field32(t, "m")?)
                .map_err(|e| format!("tcId {id}: ek refused: {e}"))?;
            check::equal(
                &format!("tcId {id}: c"),
                hex::encode(c),
                hex::encode(field(t, "c")?),
            )?;
            check::equal(&format!("tcId {id}: K"), k, field32(t, "k")?)?;
            n += 1;
        }
    }
    ran_at_least(n, 2)
}

/// Every decapsulation test of the set: Decaps_internal(dk, c) = K, K̄ = J(z ‖ c)
/// exactly for the modified ciphertexts.
fn decaps(set: &Set) -> check::Checked {
    let file = parse(ENCAP_DECAP)?;
    let (mut n, mut modified) = (0, 0);
    for group in groups(&file, set, Some("decapsulation")) {
        let dk = field(group, "dk")?;
        for t in tests(group) {
            let id = &t["tcId"];
            let c = field(t, "c")?;
            let k = (set.decaps)(&dk, &c).map_err(|e| format!("tcId {id}: refused: {e}"))?;
            check::equal(&format!("tcId {id}: K"), k, field32(t, "k")?)?;
            let rejected = k == j(&dk, &c);
            match t["reason"].as_str() {
                Some("modify ciphertext") => {
                    modified += 1;
                    check::ensure(rejected, || format!("tcId {id}: K is not J(z || c)"))?;
                }
                _ => check::ensure(!rejected, || format!("tcId {id}: a valid c was rejected"))?,
            }
            n += 1;
        }
    }
    ran_at_least(n, 3)?;
    ran_at_least(modified, 1)
}

/// The `crypto.mlkem.acvp-*` cases: keyGen, encapsulation and decapsulation for
/// each parameter set.
pub(super) fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for set in SETS.iter() {
        let s = set.short;
        cases.push(
            Case::must(
                format!("crypto.mlkem.acvp-keygen-{s}"),
                format!(
                    "FIPS 203 §7.1, §6.1 (Algorithm 16): NIST ACVP ML-KEM-keyGen-FIPS203, {}",
                    set.name
                ),
            )
            .vector(move |_| keygen(set)),
        );
        cases.push(
            Case::must(
                format!("crypto.mlkem.acvp-encaps-{s}"),
                format!("FIPS 203 §7.2, §6.2 (Algorithm 17): NIST ACVP ML-KEM-encapDecap-FIPS203 encapsulation, {}", set.name),
            )
            .vector(move |_| encaps(set)),
        );
        cases.push(
            Case::must(
                format!("crypto.mlkem.acvp-decaps-{s}"),
                format!("FIPS 203 §7.3, §6.3 (Algorithm 18, implicit rejection): NIST ACVP ML-KEM-encapDecap-FIPS203 decapsulation, {}", set.name),
            )
            .vector(move |_| decaps(set)),
        );
    }
    cases
}
