//! `crypto.mlkem.cctv-*`: C2SP's CCTV test vectors for ML-KEM (FIPS 203),
//! github.com/C2SP/CCTV, folder `ML-KEM/` (CC0 1.0), committed under
//! `fixtures/mlkem/cctv/` (source and commits in `fixtures/README.md`):
//!
//! - `unlucky/`: seeds d whose matrix Â needs more than 575 bytes of SHAKE128
//!   in SampleNTT (Algorithm 7), which happens with probability 2⁻³⁸: KeyGen,
//!   Encaps and Decaps on them.
//! - `strcmp/`: ciphertexts whose re-encryption differs from them only after a
//!   zero byte, so a comparison that stops at a zero (strcmp) would accept
//!   them; Decaps must return the implicit-rejection key J(z ‖ c), which the
//!   case also recomputes with the `sha3` crate.
//! - the accumulated run: CCTV's procedure (a SHAKE128 stream with empty input
//!   supplies d ‖ z, m and a random ciphertext for each run; ek, c, K and the
//!   decapsulation of the random ciphertext go into a second SHAKE128). CCTV's
//!   published hashes are for the FIPS 203 draft, whose K-PKE.KeyGen hashes d
//!   without the k byte of the final standard (Algorithm 13, line 1), so they
//!   cannot match a final implementation; the final-standard hashes of the same
//!   procedure are Go's `crypto/mlkem` (`TestAccumulated`, ML-KEM-768 only),
//!   of which the case runs the 100-run one (see [`ACCUMULATED_768`]).
//!
//! CCTV's intermediate-value files target the draft too, and are not used.

use super::sets::{j, unhex, Set, SETS};
use crate::{check, Case};
use sha3::digest::{ExtendableOutput, Update, XofReader};

const UNLUCKY: [&str; 3] = [
    include_str!("../../../../../fixtures/mlkem/cctv/unlucky/ML-KEM-512.txt"),
    include_str!("../../../../../fixtures/mlkem/cctv/unlucky/ML-KEM-768.txt"),
    include_str!("../../../../../fixtures/mlkem/cctv/unlucky/ML-KEM-1024.txt"),
];

const STRCMP: [&str; 3] = [
    include_str!("../../../../../fixtures/mlkem/cctv/strcmp/ML-KEM-512.txt"),
    include_str!("../../../../../fixtures/mlkem/cctv/strcmp/ML-KEM-768.txt"),
    include_str!("../../../../../fixtures/mlkem/cctv/strcmp/ML-KEM-1024.txt"),
];

/// Go `crypto/mlkem` `TestAccumulated` (src/crypto/internal/fips140/mlkem):
/// ML-KEM-768 after 100 runs, its `-short` variant. The 10 000-run hash
/// (`8a518cc63da366322a8e7a818c7a0d63483cb3528d34a4cf42f35d5ad73f22fc`) is
/// matched too, but takes 5.7 s in a release build here, over a case's 5 s
/// budget, and CCTV publishes nothing smaller: add its row to run it.
const ACCUMULATED_768: [(usize, &str); 1] = [(
    100,
    "1114b1b6699ed191734fa339376afa7e285c9e6acf6ff0177d346696ce564415",
)];

/// The value of `key` in a CCTV file of `key = hex` lines.
fn value(file: &str, key: &str) -> Result<Vec<u8>, String> {
    let line = file
        .lines()
        .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('='))
        .ok_or_else(|| format!("no {key} in the vector file"))?;
    unhex(key, line.trim())
}

fn value32(file: &str, key: &str) -> Result<[u8; 32], String> {
    value(file, key)?
        .try_into()
        .map_err(|v: Vec<u8>| format!("{key}: {} bytes, want 32", v.len()))
}

/// KeyGen (d, z) → ek, dk; Encaps (ek, m) → c, K; Decaps (dk, c) → K.
fn unlucky(set: &Set, file: &str) -> check::Checked {
    let (ek, dk) = (set.keygen)(&value32(file, "d")?, &value32(file, "z")?);
    check::equal("ek", hex::encode(&ek), hex::encode(value(file, "ek")?))?;
    check::equal("dk", hex::encode(&dk), hex::encode(value(file, "dk")?))?;
    let (c, k) = (set.encaps)(&ek, &value32(file, "m")?).map_err(|e| e.to_string())?;
    check::equal("c", hex::encode(&c), hex::encode(value(file, "c")?))?;
    check::equal("K", k, value32(file, "K")?)?;
    check::equal(
        "Decaps(dk, c)",
        (set.decaps)(&dk, &c).map_err(|e| e.to_string())?,
        k,
    )
}

/// Decaps (dk, c) → K, and K is the implicit-rejection key J(z ‖ c).
fn strcmp(set: &Set, file: &str) -> check::Checked {
    let (dk, c) = (value(file, "dk")?, value(file, "c")?);
    let k = (set.decaps)(&dk, &c).map_err(|e| e.to_string())?;
    check::equal("K", k, value32(file, "K")?)?;
    check::equal("K = J(z || c) (sha3 crate)", k, j(&dk, &c))
}

/// CCTV's accumulated procedure over `runs` runs: the first 32 bytes of the
/// accumulating SHAKE128.
fn accumulated(set: &Set, runs: usize) -> Result<[u8; 32], String> {
    let mut stream = sha3::Shake128::default().finalize_xof();
    let mut acc = sha3::Shake128::default();
    let mut random_ct = vec![0u8; set.ciphertext_len];
    for run in 0..runs {
        let (mut d, mut z, mut m) = ([0u8; 32], [0u8; 32], [0u8; 32]);
        stream.read(&mut d);
        stream.read(&mut z);
        let (ek, dk) = (set.keygen)(&d, &z);
        acc.update(&ek);
        stream.read(&mut m);
        let (c, k) = (set.encaps)(&ek, &m).map_err(|e| format!("run {run}: {e}"))?;
        acc.update(&c);
        acc.update(&k);
        let back = (set.decaps)(&dk, &c).map_err(|e| format!("run {run}: {e}"))?;
        check::equal(&format!("run {run}: Decaps(dk, c)"), back, k)?;
        stream.read(&mut random_ct);
        let rejected = (set.decaps)(&dk, &random_ct).map_err(|e| format!("run {run}: {e}"))?;
        acc.update(&rejected);
    }
    let mut out = [0u8; 32];
    acc.finalize_xof().read(&mut out);
    Ok(out)
}

/// The `crypto.mlkem.cctv-*` cases.
pub(super) fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, set) in SETS.iter().enumerate() {
        let s = set.short;
        cases.push(
            Case::must(
                format!("crypto.mlkem.cctv-unlucky-{s}"),
                format!("FIPS 203 §4.2.2 (Algorithm 7, SampleNTT), §6.1-6.3: C2SP CCTV unlucky vector, more than 575 XOF bytes, {}", set.name),
            )
            .vector(move |_| unlucky(set, UNLUCKY[i])),
        );
        cases.push(
            Case::must(
                format!("crypto.mlkem.cctv-strcmp-{s}"),
                format!("FIPS 203 §6.3 (Algorithm 18, lines 9-11): the re-encryption compared on every byte (C2SP CCTV strcmp vector), {}", set.name),
            )
            .vector(move |_| strcmp(set, STRCMP[i])),
        );
    }
    let set = &SETS[1];
    for (runs, want) in ACCUMULATED_768 {
        cases.push(
            Case::must(
                format!("crypto.mlkem.cctv-accumulated-768-{runs}"),
                format!("FIPS 203 §6.1-6.3 (Algorithms 16-18): {runs} SHAKE128-driven KeyGen/Encaps/Decaps runs accumulated by C2SP CCTV's procedure, against Go crypto/mlkem's final-standard hash"),
            )
            .vector(move |_| check::hex("accumulated SHAKE128", &accumulated(set, runs)?, want)),
        );
    }
    cases
}
