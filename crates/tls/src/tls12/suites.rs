//! The TLS 1.2 cipher suites this crate implements: the classic RSA key
//! exchange (RFC 5246 Appendix A.5, RFC 5288) and ECDHE with ECDSA or RSA
//! signatures (RFC 5289, RFC 7905).
//!
//! The RSA key-exchange suites have no forward secrecy: whoever gets the
//! server's private key later can decrypt every recorded session, because
//! the pre-master secret travels encrypted under that key. They are off by
//! default; a configuration enables them by name (for teaching, and for
//! peers that offer nothing else).

use crate::suites::HashAlg;

/// How the pre-master secret is agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// The client encrypts a random pre-master secret to the server's RSA
    /// key (RFC 5246 §7.4.7.1).
    Rsa,
    /// Ephemeral ECDH, the server's share signed with its ECDSA key (RFC 8422).
    EcdheEcdsa,
    /// Ephemeral ECDH, the server's share signed with its RSA key.
    EcdheRsa,
}

/// The record protection of a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    /// AES-128-GCM with a 4-byte implicit and 8-byte explicit nonce (RFC 5288).
    Aes128Gcm,
    /// AES-256-GCM (RFC 5288).
    Aes256Gcm,
    /// ChaCha20-Poly1305 with a 12-byte implicit nonce (RFC 7905).
    ChaCha20Poly1305,
    /// AES-128-CBC with HMAC-SHA256, MAC-then-encrypt (RFC 5246 §6.2.3.2).
    Aes128CbcSha256,
    /// AES-256-CBC with HMAC-SHA256.
    Aes256CbcSha256,
}

impl BulkCipher {
    /// (mac_key_length, enc_key_length, fixed_iv_length) in the key block
    /// (RFC 5246 §6.3, RFC 5288 §3, RFC 7905 §2).
    pub fn key_block_lengths(self) -> (usize, usize, usize) {
        match self {
            BulkCipher::Aes128Gcm => (0, 16, 4),
            BulkCipher::Aes256Gcm => (0, 32, 4),
            BulkCipher::ChaCha20Poly1305 => (0, 32, 12),
            BulkCipher::Aes128CbcSha256 => (32, 16, 0),
            BulkCipher::Aes256CbcSha256 => (32, 32, 0),
        }
    }
}

macro_rules! suites12 {
    ($($(#[$doc:meta])* $name:ident = $v:literal, $text:literal, $kx:ident, $bulk:ident, $prf:ident;)*) => {
        /// A TLS 1.2 cipher suite.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Tls12Suite {
            $($(#[$doc])* $name,)*
        }

        impl Tls12Suite {
            /// Every TLS 1.2 suite this crate implements.
            pub const ALL: &'static [Tls12Suite] = &[$(Tls12Suite::$name,)*];

            /// The wire value.
            pub fn to_u16(self) -> u16 {
                match self { $(Tls12Suite::$name => $v,)* }
            }

            /// The IANA name.
            pub fn name(self) -> &'static str {
                match self { $(Tls12Suite::$name => $text,)* }
            }

            /// The key exchange.
            pub fn kx(self) -> KeyExchange {
                match self { $(Tls12Suite::$name => KeyExchange::$kx,)* }
            }

            /// The record protection.
            pub fn bulk(self) -> BulkCipher {
                match self { $(Tls12Suite::$name => BulkCipher::$bulk,)* }
            }

            /// The PRF's hash (RFC 5246 §5: SHA-256 unless the suite names
            /// SHA-384, RFC 5288 §3, RFC 5289 §3.2).
            pub fn prf(self) -> HashAlg {
                match self { $(Tls12Suite::$name => HashAlg::$prf,)* }
            }
        }
    };
}

suites12! {
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 5289).
    EcdheEcdsaWithAes128GcmSha256 = 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", EcdheEcdsa, Aes128Gcm, Sha256;
    /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (RFC 5289).
    EcdheEcdsaWithAes256GcmSha384 = 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", EcdheEcdsa, Aes256Gcm, Sha384;
    /// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905).
    EcdheEcdsaWithChaCha20Poly1305Sha256 = 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", EcdheEcdsa, ChaCha20Poly1305, Sha256;
    /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RFC 5289).
    EcdheRsaWithAes128GcmSha256 = 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", EcdheRsa, Aes128Gcm, Sha256;
    /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (RFC 5289).
    EcdheRsaWithAes256GcmSha384 = 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", EcdheRsa, Aes256Gcm, Sha384;
    /// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905).
    EcdheRsaWithChaCha20Poly1305Sha256 = 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", EcdheRsa, ChaCha20Poly1305, Sha256;
    /// TLS_RSA_WITH_AES_128_GCM_SHA256 (RFC 5288): no forward secrecy.
    RsaWithAes128GcmSha256 = 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", Rsa, Aes128Gcm, Sha256;
    /// TLS_RSA_WITH_AES_256_GCM_SHA384 (RFC 5288): no forward secrecy.
    RsaWithAes256GcmSha384 = 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", Rsa, Aes256Gcm, Sha384;
    /// TLS_RSA_WITH_AES_128_CBC_SHA256 (RFC 5246): no forward secrecy.
    RsaWithAes128CbcSha256 = 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", Rsa, Aes128CbcSha256, Sha256;
    /// TLS_RSA_WITH_AES_256_CBC_SHA256 (RFC 5246): no forward secrecy.
    RsaWithAes256CbcSha256 = 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", Rsa, Aes256CbcSha256, Sha256;
}

impl Tls12Suite {
    /// The forward-secret suites a configuration enables by default, in
    /// preference order: ECDHE with AEADs only.
    pub const DEFAULT: [Tls12Suite; 6] = [
        Tls12Suite::EcdheEcdsaWithAes128GcmSha256,
        Tls12Suite::EcdheRsaWithAes128GcmSha256,
        Tls12Suite::EcdheEcdsaWithAes256GcmSha384,
        Tls12Suite::EcdheRsaWithAes256GcmSha384,
        Tls12Suite::EcdheEcdsaWithChaCha20Poly1305Sha256,
        Tls12Suite::EcdheRsaWithChaCha20Poly1305Sha256,
    ];

    /// The RSA key-exchange suites (no forward secrecy), strongest first:
    /// what a configuration adds to enable them.
    pub const RSA_KX: [Tls12Suite; 4] = [
        Tls12Suite::RsaWithAes256GcmSha384,
        Tls12Suite::RsaWithAes128GcmSha256,
        Tls12Suite::RsaWithAes256CbcSha256,
        Tls12Suite::RsaWithAes128CbcSha256,
    ];

    /// From the wire value, if implemented.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.to_u16() == v)
    }

    /// From the IANA name (`"TLS_RSA_WITH_AES_128_GCM_SHA256"`), if implemented.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// Whether the key exchange is ephemeral (forward secret).
    pub fn is_forward_secret(self) -> bool {
        self.kx() != KeyExchange::Rsa
    }
}
