//! Timing-leak checks in the style of dudect (Reparaz, Balasch, Verbauwhede 2017):
//! two classes of secret inputs, measurements interleaved in random order, the
//! slowest tail cropped, then Welch's t-test on the two means. |t| above 10 is
//! strong evidence of a data-dependent timing difference.
//!
//! Each check is bounded in measurements (so in time: about a second each here).
//! They are Should-level cases: a noisy, shared machine can still push |t| up, so
//! a failure asks for a rerun on a quiet machine before it asks for a fix. The t
//! statistic is written to `t-statistic.txt` in the case's artefact directory and
//! is part of the failure reason and, pass or fail, the case's measurement in
//! every report.

use std::hint::black_box;
use std::time::Instant;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use handshake_crypto::{ct_eq, P256SecretKey, Sha256, X25519SecretKey};

use super::rsa::fixed_key;
use crate::{check, Case, Ctx, Outcome};

/// |t| at or above this fails (dudect's threshold for a definite leak).
const T_LIMIT: f64 = 10.0;

/// Welch's t statistic of two samples.
fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var, n)
    };
    let (ma, va, na) = stats(a);
    let (mb, vb, nb) = stats(b);
    let se = (va / na + vb / nb).sqrt();
    if se == 0.0 {
        0.0
    } else {
        (ma - mb) / se
    }
}

/// Runs `op(class)` `n` times in a random class order, times each call, drops
/// measurements above the 90th percentile of all of them (interrupts, migrations),
/// and returns Welch's t between class 0 and class 1.
fn measure(ctx: &Ctx, n: usize, mut op: impl FnMut(usize)) -> f64 {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
    // Warm up caches and the branch predictor on both classes.
    for i in 0..n.min(64) {
        op(i % 2);
    }
    let mut samples: Vec<(usize, f64)> = Vec::with_capacity(n);
    for _ in 0..n {
        let class = rng.gen_range(0..2);
        let t0 = Instant::now();
        op(class);
        samples.push((class, t0.elapsed().as_nanos() as f64));
    }
    let mut sorted: Vec<f64> = samples.iter().map(|s| s.1).collect();
    sorted.sort_by(f64::total_cmp);
    let cut = sorted[sorted.len() * 9 / 10];
    let class = |c: usize| -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s.0 == c && s.1 <= cut)
            .map(|s| s.1)
            .collect()
    };
    welch_t(&class(0), &class(1))
}

fn report(ctx: &mut Ctx, what: &str, t: f64) -> Outcome {
    let line = format!("{what}: Welch t = {t:.2} (limit |t| < {T_LIMIT})\n");
    ctx.measurement = Some(line.trim_end().to_string());
    if std::fs::create_dir_all(&ctx.artifacts).is_ok() {
        let _ = std::fs::write(ctx.artifacts.join("t-statistic.txt"), &line);
    }
    Outcome::from(check::ensure(t.abs() < T_LIMIT, || {
        line.trim_end().to_string()
    }))
}

fn rsa_padding(ctx: &mut Ctx) -> Outcome {
    let key = match fixed_key() {
        Ok(k) => k,
        Err(e) => return Outcome::Fail(e),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 1);
    let Ok(good) = key.public_key().encrypt_pkcs1v15(&mut rng, &[3u8; 48]) else {
        return Outcome::Fail("encryption failed".into());
    };
    // A ciphertext whose plaintext is noise: bad padding (checked below).
    let mut bad = good.clone();
    bad[100] ^= 0x40;
    let fallback = [0x77u8; 48];
    if key.decrypt_pkcs1v15_implicit(&mut rng, &bad, &fallback) != fallback
        || key.decrypt_pkcs1v15_implicit(&mut rng, &good, &fallback) == fallback
    {
        return Outcome::Fail("the two classes are not good and bad padding".into());
    }
    let t = measure(ctx, 1200, |c| {
        let ct = if c == 0 { &good } else { &bad };
        black_box(key.decrypt_pkcs1v15_implicit(&mut rng, black_box(ct), &fallback));
    });
    report(
        ctx,
        "RSA-2048 implicit-rejection decryption, good vs bad padding",
        t,
    )
}

fn x25519_scalars(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 2);
    let peer = X25519SecretKey::generate(&mut rng).public_key();
    // Fixed scalar (low Hamming weight after clamping) vs fresh random scalars.
    let fixed = X25519SecretKey::from_bytes([0u8; 32]);
    let randoms: Vec<X25519SecretKey> = (0..64)
        .map(|_| X25519SecretKey::generate(&mut rng))
        .collect();
    let mut i = 0;
    let t = measure(ctx, 12_000, |c| {
        let k = if c == 0 {
            &fixed
        } else {
            i += 1;
            &randoms[i % 64]
        };
        let _ = black_box(k.diffie_hellman(black_box(&peer)));
    });
    report(ctx, "X25519, fixed vs random scalars", t)
}

fn ecdsa_scalars(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 3);
    let mut one = [0u8; 32];
    one[31] = 1;
    let Ok(fixed) = P256SecretKey::from_bytes(&one) else {
        return Outcome::Fail("d = 1 rejected".into());
    };
    let randoms: Vec<P256SecretKey> = (0..64).map(|_| P256SecretKey::generate(&mut rng)).collect();
    let mut i = 0;
    let t = measure(ctx, 5_000, |c| {
        let k = if c == 0 {
            &fixed
        } else {
            i += 1;
            &randoms[i % 64]
        };
        black_box(k.sign::<Sha256>(black_box(b"timing")));
    });
    report(ctx, "ECDSA P-256 signing, d = 1 vs random d", t)
}

fn compare(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 4);
    let mut a = [0u8; 64];
    rng.fill_bytes(&mut a);
    let same = a;
    let mut early = a;
    early[0] ^= 1;
    let t = measure(ctx, 40_000, |c| {
        let b = if c == 0 { &same } else { &early };
        for _ in 0..64 {
            black_box(ct_eq(black_box(&a), black_box(b)));
        }
    });
    report(ctx, "ct_eq on 64 bytes, equal vs first byte differs", t)
}

/// Every timing case.
pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::should("crypto.rsa.timing-implicit-rejection", "RFC 5246 §7.4.7.1 (\"no timing difference\"); RUSTSEC-2023-0071 (Marvin): dudect Welch t, good vs bad padding").property(rsa_padding),
        Case::should("crypto.x25519.timing-scalar", "RFC 7748 §5 (constant-time ladder): dudect Welch t, fixed vs random scalars").property(x25519_scalars),
        Case::should("crypto.ecdsa.timing-signing-scalar", "FIPS 186-4 §6.4; RFC 6979 §3.2: dudect Welch t, d = 1 vs random private keys").property(ecdsa_scalars),
        Case::should("crypto.rsa.timing-ct-compare", "RFC 8017 §8.2.2 step 4 (encoded-message comparison; also MAC and tag checks): dudect Welch t for ct_eq, equal vs early difference").property(compare),
    ]
}
