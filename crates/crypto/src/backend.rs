//! Which implementation runs: the portable constant-time code or the CPU's fast paths.

/// The implementation a primitive uses.
///
/// [`Backend::auto`] is what the plain constructors use: the hardware path when the
/// CPU has what it needs, unless the `force-portable` cargo feature is on or the
/// environment has `HANDSHAKE_CRYPTO_PORTABLE=1`. Tests pass a backend explicitly to
/// compare the two in one process.
///
/// ```
/// use handshake_crypto::{Backend, Sha256};
/// let fast = Sha256::digest_with_backend(Backend::auto(), b"abc");
/// let portable = Sha256::digest_with_backend(Backend::Portable, b"abc");
/// assert_eq!(fast, portable);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Portable constant-time Rust: no SIMD, no secret-indexed tables.
    Portable,
    /// The CPU's instructions (x86-64: SHA-NI, AES-NI, VAES, PCLMULQDQ, AVX2) where
    /// the CPU has them; a primitive whose instructions are missing falls back to
    /// [`Backend::Portable`].
    Native,
}

impl Backend {
    /// The default choice: [`Backend::Native`] unless the portable path is forced.
    pub fn auto() -> Backend {
        if forced_portable() {
            Backend::Portable
        } else {
            Backend::Native
        }
    }

    /// True when the `force-portable` feature or `HANDSHAKE_CRYPTO_PORTABLE=1` is set.
    pub fn is_portable_forced() -> bool {
        forced_portable()
    }
}

#[cfg(feature = "std")]
fn forced_portable() -> bool {
    use std::sync::OnceLock;
    static FORCED: OnceLock<bool> = OnceLock::new();
    cfg!(feature = "force-portable")
        || *FORCED.get_or_init(|| {
            std::env::var("HANDSHAKE_CRYPTO_PORTABLE").is_ok_and(|v| v == "1" || v == "true")
        })
}

#[cfg(not(feature = "std"))]
fn forced_portable() -> bool {
    cfg!(feature = "force-portable")
}

/// The x86-64 features the fast paths use, detected once.
///
/// The fields are private and there is no `Default`: the only ways to obtain a value
/// are [`Features::detected`] (the CPU's, from run-time detection or, without `std`,
/// the compile-time target features) and [`Features::portable`] (none). A fast path
/// that checks a `Features` therefore never runs instructions the CPU lacks.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Features {
    sha: bool,
    aes: bool,
    pclmul: bool,
    avx2: bool,
    vaes: bool,
    vpclmul: bool,
    /// AVX2 and BMI2 (`mulx`): the stitched ChaCha20-Poly1305 seal.
    avx2_bmi2: bool,
    /// BMI2 (`mulx`) and ADX (`adcx`, `adox`): the P-256 and 2^255 - 19 field
    /// multiplications in inline assembly.
    bmi2_adx: bool,
    /// BMI1 (`andn`): the one-state Keccak-f[1600].
    bmi1: bool,
    /// AVX-512F, AVX-512VL and AVX-512 IFMA (with AVX2): RSA-2048's exponentiations.
    avx512_ifma: bool,
}

#[cfg(target_arch = "x86_64")]
impl Features {
    /// No features: every primitive takes its portable path.
    pub(crate) const fn portable() -> Features {
        Features {
            sha: false,
            aes: false,
            pclmul: false,
            avx2: false,
            vaes: false,
            vpclmul: false,
            avx2_bmi2: false,
            bmi2_adx: false,
            bmi1: false,
            avx512_ifma: false,
        }
    }

    /// The CPU's features, detected once and cached.
    pub(crate) fn detected() -> Features {
        cached()
    }

    /// SHA-NI (with SSSE3 and SSE4.1).
    pub(crate) fn sha(self) -> bool {
        self.sha
    }

    /// AES-NI (with SSSE3 and SSE4.1).
    pub(crate) fn aes(self) -> bool {
        self.aes
    }

    /// PCLMULQDQ (with SSSE3 and SSE4.1).
    pub(crate) fn pclmul(self) -> bool {
        self.pclmul
    }

    /// AVX and AVX2.
    pub(crate) fn avx2(self) -> bool {
        self.avx2
    }

    /// VAES, with AVX2 and AES-NI.
    pub(crate) fn vaes(self) -> bool {
        self.vaes
    }

    /// VPCLMULQDQ, with AVX2 and PCLMULQDQ.
    pub(crate) fn vpclmul(self) -> bool {
        self.vpclmul
    }

    /// AVX2 and BMI2.
    pub(crate) fn avx2_bmi2(self) -> bool {
        self.avx2_bmi2
    }

    /// BMI2 and ADX.
    pub(crate) fn bmi2_adx(self) -> bool {
        self.bmi2_adx
    }

    /// BMI1.
    pub(crate) fn bmi1(self) -> bool {
        self.bmi1
    }

    /// AVX-512F, AVX-512VL and AVX-512 IFMA, with AVX2.
    pub(crate) fn avx512_ifma(self) -> bool {
        self.avx512_ifma
    }

    /// These features without AVX-512 IFMA: the tests run the AVX2 paths that
    /// the IFMA ones replace.
    #[cfg(test)]
    pub(crate) fn without_avx512_ifma(self) -> Features {
        Features {
            avx512_ifma: false,
            ..self
        }
    }

    #[cfg(feature = "std")]
    fn detect() -> Features {
        let base = std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1");
        let avx2 =
            base && std::is_x86_feature_detected!("avx") && std::is_x86_feature_detected!("avx2");
        let aes = base && std::is_x86_feature_detected!("aes");
        let pclmul = base && std::is_x86_feature_detected!("pclmulqdq");
        Features {
            sha: base && std::is_x86_feature_detected!("sha"),
            aes,
            pclmul,
            avx2,
            vaes: avx2 && aes && std::is_x86_feature_detected!("vaes"),
            vpclmul: avx2 && pclmul && std::is_x86_feature_detected!("vpclmulqdq"),
            avx2_bmi2: avx2 && std::is_x86_feature_detected!("bmi2"),
            bmi2_adx: std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx"),
            bmi1: std::is_x86_feature_detected!("bmi1"),
            avx512_ifma: avx2
                && std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512vl")
                && std::is_x86_feature_detected!("avx512ifma"),
        }
    }

    #[cfg(not(feature = "std"))]
    fn detect() -> Features {
        let base = cfg!(target_feature = "ssse3") && cfg!(target_feature = "sse4.1");
        let avx2 = base && cfg!(target_feature = "avx2");
        let aes = base && cfg!(target_feature = "aes");
        let pclmul = base && cfg!(target_feature = "pclmulqdq");
        Features {
            sha: base && cfg!(target_feature = "sha"),
            aes,
            pclmul,
            avx2,
            vaes: avx2 && aes && cfg!(target_feature = "vaes"),
            vpclmul: avx2 && pclmul && cfg!(target_feature = "vpclmulqdq"),
            avx2_bmi2: avx2 && cfg!(target_feature = "bmi2"),
            bmi2_adx: cfg!(target_feature = "bmi2") && cfg!(target_feature = "adx"),
            bmi1: cfg!(target_feature = "bmi1"),
            avx512_ifma: avx2
                && cfg!(target_feature = "avx512f")
                && cfg!(target_feature = "avx512vl")
                && cfg!(target_feature = "avx512ifma"),
        }
    }

    /// The CPU's features, or none of them for [`Backend::Portable`].
    pub(crate) fn for_backend(backend: Backend) -> Features {
        match backend {
            Backend::Portable => Features::portable(),
            Backend::Native => Features::detected(),
        }
    }
}

/// Proof that the CPU has BMI2 and ADX: the only way to obtain one is
/// [`Bmi2Adx::auto`] or [`Bmi2Adx::new`], which check [`Features`], so the inline
/// assembly that takes it never runs `mulx`/`adcx`/`adox` on a CPU without them.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bmi2Adx(());

#[cfg(target_arch = "x86_64")]
impl Bmi2Adx {
    /// `Some` when `f` has BMI2 and ADX.
    pub(crate) fn new(f: Features) -> Option<Bmi2Adx> {
        f.bmi2_adx().then_some(Bmi2Adx(()))
    }

    /// What [`Backend::auto`] picks for the field arithmetic that has no backend
    /// parameter (P-256, X25519): `Some` unless the portable path is forced or the
    /// CPU lacks BMI2 or ADX. Called once per field multiplication, so the answer
    /// is cached in one atomic byte (a relaxed load and a predictable branch).
    #[inline(always)]
    pub(crate) fn auto() -> Option<Bmi2Adx> {
        use core::sync::atomic::{AtomicU8, Ordering};
        // 0: not yet known, 1: no, 2: yes.
        static STATE: AtomicU8 = AtomicU8::new(0);
        match STATE.load(Ordering::Relaxed) {
            2 => Some(Bmi2Adx(())),
            1 => None,
            _ => {
                let r = Bmi2Adx::new(Features::for_backend(Backend::auto()));
                STATE.store(if r.is_some() { 2 } else { 1 }, Ordering::Relaxed);
                r
            }
        }
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn cached() -> Features {
    use std::sync::OnceLock;
    static F: OnceLock<Features> = OnceLock::new();
    *F.get_or_init(Features::detect)
}

#[cfg(all(target_arch = "x86_64", not(feature = "std")))]
fn cached() -> Features {
    Features::detect()
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use core::marker::PhantomData;

    /// Inherent methods win over trait methods when their bounds hold: `Probe<T>`
    /// answers true exactly when `T: Default`.
    struct Probe<T>(PhantomData<T>);
    trait Fallback {
        fn has_default(&self) -> bool {
            false
        }
    }
    impl<T> Fallback for Probe<T> {}
    impl<T: Default> Probe<T> {
        fn has_default(&self) -> bool {
            true
        }
    }

    #[test]
    fn features_come_only_from_detection() {
        // The probe works: a type with Default is seen as such.
        assert!(Probe::<u8>(PhantomData).has_default());
        // No `Features::default()` that could be mistaken for, or edited into, a
        // claim about the CPU.
        assert!(!Probe::<Features>(PhantomData).has_default());
        let p = Features::portable();
        assert!(!(p.sha() || p.aes() || p.pclmul() || p.avx2() || p.vaes()));
        assert!(!(p.vpclmul() || p.avx2_bmi2() || p.bmi2_adx() || p.bmi1()));
        assert!(!p.avx512_ifma());
        assert_eq!(Bmi2Adx::new(p), None);
        assert_eq!(Features::for_backend(Backend::Portable), p);
        assert_eq!(Features::for_backend(Backend::Native), Features::detected());
    }

    #[cfg(feature = "std")]
    #[test]
    fn detected_matches_the_cpu() {
        let f = Features::detected();
        assert_eq!(f.avx2(), std::is_x86_feature_detected!("avx2"));
        assert_eq!(
            f.aes(),
            std::is_x86_feature_detected!("aes") && std::is_x86_feature_detected!("sse4.1")
        );
        // Each derived feature implies the features it needs.
        assert!(!f.vaes() || (f.avx2() && f.aes()));
        assert!(!f.vpclmul() || (f.avx2() && f.pclmul()));
        assert!(!f.avx2_bmi2() || f.avx2());
        assert_eq!(
            f.avx512_ifma(),
            f.avx2()
                && std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512vl")
                && std::is_x86_feature_detected!("avx512ifma")
        );
        assert_eq!(
            f.bmi2_adx(),
            std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx")
        );
        assert_eq!(Bmi2Adx::new(f).is_some(), f.bmi2_adx());
        assert_eq!(f.bmi1(), std::is_x86_feature_detected!("bmi1"));
        // auto() follows Backend::auto().
        let want = Bmi2Adx::new(Features::for_backend(Backend::auto()));
        assert_eq!(Bmi2Adx::auto(), want);
        assert_eq!(Bmi2Adx::auto(), want);
    }
}
