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
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Features {
    pub sha: bool,
    pub aes: bool,
    pub pclmul: bool,
    pub avx2: bool,
    pub vaes: bool,
    pub vpclmul: bool,
    /// AVX2 and BMI2 (`mulx`): the stitched ChaCha20-Poly1305 seal.
    pub avx2_bmi2: bool,
}

#[cfg(target_arch = "x86_64")]
impl Features {
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
        }
    }

    /// The CPU's features, or none of them for [`Backend::Portable`].
    pub(crate) fn for_backend(backend: Backend) -> Features {
        match backend {
            Backend::Portable => Features::default(),
            Backend::Native => cached(),
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
