//! The TLS 1.3 key schedule (RFC 8446 §7.1), the transcript hash (§4.4.1)
//! and traffic keys (§7.3), over handshake-crypto's SHA-2 and HKDF.
//!
//! Every secret lives in a [`Secret`], zeroized on drop.

use handshake_crypto::{hkdf, HashFunction, Hmac, Sha256, Sha384};
use zeroize::Zeroizing;

use crate::suites::HashAlg;

/// A secret of the schedule, zeroized when dropped.
pub type Secret = Zeroizing<Vec<u8>>;

impl HashAlg {
    /// Hash(data).
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
        }
    }

    /// HMAC-Hash(key, data).
    pub fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => Hmac::<Sha256>::mac(key, data).to_vec(),
            HashAlg::Sha384 => Hmac::<Sha384>::mac(key, data).to_vec(),
        }
    }

    /// HKDF-Extract(salt, IKM) (RFC 5869 §2.2).
    pub fn extract(self, salt: &[u8], ikm: &[u8]) -> Secret {
        Zeroizing::new(match self {
            HashAlg::Sha256 => hkdf::extract::<Sha256>(salt, ikm).to_vec(),
            HashAlg::Sha384 => hkdf::extract::<Sha384>(salt, ikm).to_vec(),
        })
    }

    /// HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1): the
    /// HkdfLabel is `uint16 length || opaque label<7..255> = "tls13 " + Label
    /// || opaque context<0..255>`.
    pub fn expand_label(self, secret: &[u8], label: &str, context: &[u8], len: usize) -> Secret {
        let mut info = Vec::with_capacity(4 + 6 + label.len() + context.len());
        info.extend_from_slice(&(len as u16).to_be_bytes());
        info.push((6 + label.len()) as u8);
        info.extend_from_slice(b"tls13 ");
        info.extend_from_slice(label.as_bytes());
        info.push(context.len() as u8);
        info.extend_from_slice(context);
        let mut out = Zeroizing::new(vec![0u8; len]);
        // Lengths here are at most 48 bytes, far below 255 * HashLen.
        let r = match self {
            HashAlg::Sha256 => hkdf::expand::<Sha256>(secret, &info, &mut out),
            HashAlg::Sha384 => hkdf::expand::<Sha384>(secret, &info, &mut out),
        };
        debug_assert!(r.is_ok());
        out
    }

    /// Derive-Secret(Secret, Label, Messages) with the transcript hash already
    /// taken (RFC 8446 §7.1).
    pub fn derive_secret(self, secret: &[u8], label: &str, transcript_hash: &[u8]) -> Secret {
        self.expand_label(secret, label, transcript_hash, self.len())
    }
}

/// The running transcript hash (RFC 8446 §4.4.1).
#[derive(Clone)]
pub enum Transcript {
    /// Before the suite (and so the hash) is known: the messages themselves.
    Buffer(Vec<u8>),
    /// SHA-256 suites.
    Sha256(Sha256),
    /// SHA-384 suites.
    Sha384(Sha384),
}

impl core::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Transcript")
    }
}

impl Transcript {
    /// An empty transcript whose hash is not chosen yet.
    pub fn new() -> Self {
        Transcript::Buffer(Vec::new())
    }

    /// Adds a handshake message (its 4-byte header included).
    pub fn add(&mut self, msg: &[u8]) {
        match self {
            Transcript::Buffer(b) => b.extend_from_slice(msg),
            Transcript::Sha256(h) => h.update(msg),
            Transcript::Sha384(h) => h.update(msg),
        }
    }

    /// Fixes the hash: the buffered messages are hashed from here on.
    pub fn start_hash(&mut self, alg: HashAlg) {
        if let Transcript::Buffer(b) = self {
            let mut t = match alg {
                HashAlg::Sha256 => Transcript::Sha256(Sha256::new()),
                HashAlg::Sha384 => Transcript::Sha384(<Sha384 as HashFunction>::new()),
            };
            t.add(b);
            *self = t;
        }
    }

    /// The buffered bytes, while no hash is chosen.
    pub fn buffered(&self) -> Option<&[u8]> {
        match self {
            Transcript::Buffer(b) => Some(b),
            _ => None,
        }
    }

    /// Transcript-Hash of everything added so far.
    pub fn current(&self) -> Vec<u8> {
        match self {
            Transcript::Buffer(b) => Sha256::digest(b).to_vec(),
            Transcript::Sha256(h) => h.clone().finalize().to_vec(),
            Transcript::Sha384(h) => h.clone().finalize().to_vec(),
        }
    }
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new()
    }
}

/// The secrets of one (EC)DHE handshake without PSK, stage by stage
/// (RFC 8446 §7.1's diagram).
#[derive(Debug)]
pub struct KeySchedule {
    /// The suite's hash.
    pub hash: HashAlg,
    /// Handshake Secret.
    handshake_secret: Secret,
}

/// The two traffic secrets of a stage.
#[derive(Debug)]
pub struct TrafficSecrets {
    /// client_*_traffic_secret.
    pub client: Secret,
    /// server_*_traffic_secret.
    pub server: Secret,
}

impl KeySchedule {
    /// Early Secret = HKDF-Extract(0, 0) without a PSK (§7.1).
    pub fn early_secret(hash: HashAlg) -> Secret {
        hash.extract(&vec![0u8; hash.len()], &vec![0u8; hash.len()])
    }

    /// Early Secret = HKDF-Extract(0, PSK) for a resumption PSK (§7.1).
    pub fn early_secret_psk(hash: HashAlg, psk: &[u8]) -> Secret {
        hash.extract(&vec![0u8; hash.len()], psk)
    }

    /// From the (EC)DHE shared secret to the Handshake Secret:
    /// HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE).
    pub fn new(hash: HashAlg, shared: &[u8]) -> Self {
        Self::with_early(hash, &Self::early_secret(hash), shared)
    }

    /// As [`new`](Self::new), from a given Early Secret (a PSK's, §7.1).
    pub fn with_early(hash: HashAlg, early: &[u8], shared: &[u8]) -> Self {
        let salt = hash.derive_secret(early, "derived", &hash.hash(b""));
        KeySchedule {
            hash,
            handshake_secret: hash.extract(&salt, shared),
        }
    }

    /// The Handshake Secret (for the RFC 8448 vectors and the key log).
    pub fn handshake_secret(&self) -> &[u8] {
        &self.handshake_secret
    }

    /// c/s hs traffic secrets over Transcript-Hash(ClientHello..ServerHello).
    pub fn handshake_traffic(&self, th: &[u8]) -> TrafficSecrets {
        TrafficSecrets {
            client: self
                .hash
                .derive_secret(&self.handshake_secret, "c hs traffic", th),
            server: self
                .hash
                .derive_secret(&self.handshake_secret, "s hs traffic", th),
        }
    }

    /// Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived",
    /// ""), 0).
    pub fn master_secret(&self) -> Secret {
        let h = self.hash;
        let salt = h.derive_secret(&self.handshake_secret, "derived", &h.hash(b""));
        h.extract(&salt, &vec![0u8; h.len()])
    }

    /// c/s ap traffic secrets over Transcript-Hash(ClientHello..server Finished).
    pub fn application_traffic(&self, master: &[u8], th: &[u8]) -> TrafficSecrets {
        TrafficSecrets {
            client: self.hash.derive_secret(master, "c ap traffic", th),
            server: self.hash.derive_secret(master, "s ap traffic", th),
        }
    }
}

/// finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length), and
/// verify_data = HMAC(finished_key, Transcript-Hash(...)) (RFC 8446 §4.4.4).
pub fn finished_verify_data(hash: HashAlg, base_key: &[u8], th: &[u8]) -> Vec<u8> {
    let key = hash.expand_label(base_key, "finished", b"", hash.len());
    hash.hmac(&key, th)
}

/// application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd",
/// "", Hash.length) (RFC 8446 §7.2).
pub fn next_traffic_secret(hash: HashAlg, secret: &[u8]) -> Secret {
    hash.expand_label(secret, "traffic upd", b"", hash.len())
}

/// The PSK binder (RFC 8446 §4.2.11.2): binder_key = Derive-Secret(Early
/// Secret, "res binder", ""), and the binder is the Finished computation
/// (§4.4.4) with binder_key as base key over Transcript-Hash(Truncate(
/// ClientHello)), `th` here.
pub fn psk_binder(hash: HashAlg, early: &[u8], th: &[u8]) -> Vec<u8> {
    let binder_key = hash.derive_secret(early, "res binder", &hash.hash(b""));
    finished_verify_data(hash, &binder_key, th)
}

/// The PSK of one ticket: HKDF-Expand-Label(resumption_master_secret,
/// "resumption", ticket_nonce, Hash.length) (RFC 8446 §4.6.1).
pub fn resumption_psk(hash: HashAlg, resumption_master: &[u8], nonce: &[u8]) -> Secret {
    hash.expand_label(resumption_master, "resumption", nonce, hash.len())
}
