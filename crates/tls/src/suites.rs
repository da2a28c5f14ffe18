//! The algorithms a TLS 1.3 connection negotiates: cipher suites (RFC 8446
//! §B.4), key exchange groups (§4.2.7) and signature schemes (§4.2.3).

/// TLS 1.3's version number in supported_versions (RFC 8446 §4.2.1).
pub const TLS13: u16 = 0x0304;
/// TLS 1.2's, the legacy_version every 1.3 hello carries (RFC 8446 §4.1.2).
pub const TLS12: u16 = 0x0303;

/// The hash of a suite's key schedule and transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-256, 32-byte output.
    Sha256,
    /// SHA-384, 48-byte output.
    Sha384,
}

impl HashAlg {
    /// Hash.length.
    pub fn len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
        }
    }

    /// Always false: a hash has an output (keeps clippy's `len` rule content).
    pub fn is_empty(self) -> bool {
        false
    }
}

/// The record cipher of a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AeadAlg {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439).
    ChaCha20Poly1305,
}

impl AeadAlg {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            AeadAlg::Aes128Gcm => 16,
            AeadAlg::Aes256Gcm | AeadAlg::ChaCha20Poly1305 => 32,
        }
    }

    /// The most records one TLS 1.3 key may protect (RFC 8446 §5.5) before
    /// the sender updates it (§4.6.3): 2^24.5 full-size records for AES-GCM;
    /// for ChaCha20-Poly1305 the sequence number would wrap first (§5.3),
    /// so its limit is the sequence numbers there are.
    pub fn records_per_key(self) -> u64 {
        match self {
            // floor(2^24.5) = floor(2^24 * sqrt(2)) = 23_726_566.
            AeadAlg::Aes128Gcm | AeadAlg::Aes256Gcm => 23_726_566,
            AeadAlg::ChaCha20Poly1305 => u64::MAX,
        }
    }
}

/// A TLS 1.3 cipher suite (RFC 8446 §B.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CipherSuite {
    /// TLS_AES_128_GCM_SHA256 (0x1301).
    Aes128GcmSha256,
    /// TLS_AES_256_GCM_SHA384 (0x1302).
    Aes256GcmSha384,
    /// TLS_CHACHA20_POLY1305_SHA256 (0x1303).
    ChaCha20Poly1305Sha256,
}

impl CipherSuite {
    /// Every suite, in the default preference order.
    pub const ALL: [CipherSuite; 3] = [
        CipherSuite::Aes128GcmSha256,
        CipherSuite::Aes256GcmSha384,
        CipherSuite::ChaCha20Poly1305Sha256,
    ];

    /// The wire value.
    pub fn to_u16(self) -> u16 {
        match self {
            CipherSuite::Aes128GcmSha256 => 0x1301,
            CipherSuite::Aes256GcmSha384 => 0x1302,
            CipherSuite::ChaCha20Poly1305Sha256 => 0x1303,
        }
    }

    /// From the wire value, if this crate implements it.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.to_u16() == v)
    }

    /// The key schedule's hash.
    pub fn hash(self) -> HashAlg {
        match self {
            CipherSuite::Aes256GcmSha384 => HashAlg::Sha384,
            _ => HashAlg::Sha256,
        }
    }

    /// The record AEAD.
    pub fn aead(self) -> AeadAlg {
        match self {
            CipherSuite::Aes128GcmSha256 => AeadAlg::Aes128Gcm,
            CipherSuite::Aes256GcmSha384 => AeadAlg::Aes256Gcm,
            CipherSuite::ChaCha20Poly1305Sha256 => AeadAlg::ChaCha20Poly1305,
        }
    }

    /// The RFC's name.
    pub fn name(self) -> &'static str {
        match self {
            CipherSuite::Aes128GcmSha256 => "TLS_AES_128_GCM_SHA256",
            CipherSuite::Aes256GcmSha384 => "TLS_AES_256_GCM_SHA384",
            CipherSuite::ChaCha20Poly1305Sha256 => "TLS_CHACHA20_POLY1305_SHA256",
        }
    }
}

/// A key exchange group (RFC 8446 §4.2.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NamedGroup {
    /// x25519 (0x001d, RFC 7748).
    X25519,
    /// secp256r1 (0x0017).
    Secp256r1,
    /// secp384r1 (0x0018).
    Secp384r1,
    /// X25519MLKEM768 (0x11ec, draft-ietf-tls-ecdhe-mlkem): ML-KEM-768
    /// (FIPS 203) and X25519 together, TLS 1.3 only.
    X25519MlKem768,
    /// SecP256r1MLKEM768 (0x11eb, draft-ietf-tls-ecdhe-mlkem): secp256r1
    /// ECDH and ML-KEM-768 together, the ECDH half first, TLS 1.3 only.
    SecP256r1MlKem768,
}

impl NamedGroup {
    /// Every group this crate implements.
    pub const ALL: [NamedGroup; 5] = [
        NamedGroup::X25519,
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
        NamedGroup::X25519MlKem768,
        NamedGroup::SecP256r1MlKem768,
    ];

    /// The configs' default groups, in preference order: the elliptic
    /// curves, as rustls's defaults (secp384r1 last: a client offers it in
    /// supported_groups, not as a first key share, so it costs two bytes
    /// until a server asks for it). The post-quantum hybrids are opt-in
    /// until a peer on this project's test machines speaks it (neither
    /// rustls with ring, OpenSSL 3.0 nor GnuTLS 3.7 does).
    pub const DEFAULT: [NamedGroup; 3] = [
        NamedGroup::X25519,
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
    ];

    /// The wire value.
    pub fn to_u16(self) -> u16 {
        match self {
            NamedGroup::X25519 => 0x001d,
            NamedGroup::Secp256r1 => 0x0017,
            NamedGroup::Secp384r1 => 0x0018,
            NamedGroup::X25519MlKem768 => 0x11ec,
            NamedGroup::SecP256r1MlKem768 => 0x11eb,
        }
    }

    /// From the wire value, if this crate implements it.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.to_u16() == v)
    }

    /// The RFC's name.
    pub fn name(self) -> &'static str {
        match self {
            NamedGroup::X25519 => "x25519",
            NamedGroup::Secp256r1 => "secp256r1",
            NamedGroup::Secp384r1 => "secp384r1",
            NamedGroup::X25519MlKem768 => "X25519MLKEM768",
            NamedGroup::SecP256r1MlKem768 => "SecP256r1MLKEM768",
        }
    }

    /// Whether TLS 1.2's ECDHE (RFC 8422) can use the group: the
    /// elliptic curves, not the hybrid KEMs (their draft is TLS 1.3 only).
    pub fn is_ecdhe(self) -> bool {
        !matches!(
            self,
            NamedGroup::X25519MlKem768 | NamedGroup::SecP256r1MlKem768
        )
    }
}

/// A signature scheme for CertificateVerify (RFC 8446 §4.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// ecdsa_secp256r1_sha256 (0x0403).
    EcdsaSecp256r1Sha256,
    /// ecdsa_secp384r1_sha384 (0x0503).
    EcdsaSecp384r1Sha384,
    /// ed25519 (0x0807).
    Ed25519,
    /// rsa_pss_rsae_sha256 (0x0804).
    RsaPssRsaeSha256,
    /// rsa_pss_rsae_sha384 (0x0805).
    RsaPssRsaeSha384,
    /// rsa_pss_rsae_sha512 (0x0806).
    RsaPssRsaeSha512,
    /// rsa_pkcs1_sha256 (0x0401): TLS 1.2 ServerKeyExchange only (RFC 8446
    /// §4.2.3 forbids it in TLS 1.3 CertificateVerify).
    RsaPkcs1Sha256,
    /// rsa_pkcs1_sha384 (0x0501): TLS 1.2 only.
    RsaPkcs1Sha384,
    /// rsa_pkcs1_sha512 (0x0601): TLS 1.2 only.
    RsaPkcs1Sha512,
}

impl SignatureScheme {
    /// Every scheme, in the default preference order.
    pub const ALL: [SignatureScheme; 6] = [
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureScheme::Ed25519,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
    ];

    /// The RSASSA-PKCS1-v1_5 schemes, which TLS 1.2 ServerKeyExchange may use
    /// and TLS 1.3 CertificateVerify may not (RFC 8446 §4.2.3).
    pub const TLS12_ONLY: [SignatureScheme; 3] = [
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
    ];

    /// Whether TLS 1.3 forbids the scheme in CertificateVerify (RFC 8446 §4.2.3).
    pub fn is_tls12_only(self) -> bool {
        Self::TLS12_ONLY.contains(&self)
    }

    /// The wire value.
    pub fn to_u16(self) -> u16 {
        match self {
            SignatureScheme::RsaPkcs1Sha256 => 0x0401,
            SignatureScheme::RsaPkcs1Sha384 => 0x0501,
            SignatureScheme::RsaPkcs1Sha512 => 0x0601,
            SignatureScheme::EcdsaSecp256r1Sha256 => 0x0403,
            SignatureScheme::EcdsaSecp384r1Sha384 => 0x0503,
            SignatureScheme::Ed25519 => 0x0807,
            SignatureScheme::RsaPssRsaeSha256 => 0x0804,
            SignatureScheme::RsaPssRsaeSha384 => 0x0805,
            SignatureScheme::RsaPssRsaeSha512 => 0x0806,
        }
    }

    /// From the wire value, if this crate implements it.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain(Self::TLS12_ONLY)
            .find(|s| s.to_u16() == v)
    }

    /// The RFC's name.
    pub fn name(self) -> &'static str {
        match self {
            SignatureScheme::RsaPkcs1Sha256 => "rsa_pkcs1_sha256",
            SignatureScheme::RsaPkcs1Sha384 => "rsa_pkcs1_sha384",
            SignatureScheme::RsaPkcs1Sha512 => "rsa_pkcs1_sha512",
            SignatureScheme::EcdsaSecp256r1Sha256 => "ecdsa_secp256r1_sha256",
            SignatureScheme::EcdsaSecp384r1Sha384 => "ecdsa_secp384r1_sha384",
            SignatureScheme::Ed25519 => "ed25519",
            SignatureScheme::RsaPssRsaeSha256 => "rsa_pss_rsae_sha256",
            SignatureScheme::RsaPssRsaeSha384 => "rsa_pss_rsae_sha384",
            SignatureScheme::RsaPssRsaeSha512 => "rsa_pss_rsae_sha512",
        }
    }
}
