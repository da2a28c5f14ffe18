//! Key shares (RFC 8446 §4.2.8) and the (EC)DHE shared secret (§7.4).

use handshake_crypto::{secp256r1mlkem768, x25519mlkem768};
use handshake_crypto::{
    P256PublicKey, P256SecretKey, P384PublicKey, P384SecretKey, X25519SecretKey,
};
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::suites::NamedGroup;
use crate::Error;

/// A private key share, kept until the peer's share arrives.
pub enum KeyShare {
    /// X25519 (RFC 7748).
    X25519(X25519SecretKey),
    /// secp256r1.
    P256(P256SecretKey),
    /// secp384r1.
    P384(P384SecretKey),
    /// X25519MLKEM768, the client's half: the ML-KEM-768 decapsulation key
    /// and the X25519 secret (boxed: 2.4 KiB).
    X25519MlKem768(Box<x25519mlkem768::Client>),
    /// SecP256r1MLKEM768, the client's half: the P-256 secret and the
    /// ML-KEM-768 decapsulation key (boxed: 2.4 KiB).
    SecP256r1MlKem768(Box<secp256r1mlkem768::Client>),
}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            KeyShare::X25519(_) => "KeyShare(x25519)",
            KeyShare::P256(_) => "KeyShare(secp256r1)",
            KeyShare::P384(_) => "KeyShare(secp384r1)",
            KeyShare::X25519MlKem768(_) => "KeyShare(X25519MLKEM768)",
            KeyShare::SecP256r1MlKem768(_) => "KeyShare(SecP256r1MLKEM768)",
        })
    }
}

impl KeyShare {
    /// A fresh share for `group` from the caller's RNG (a client's, or a
    /// TLS 1.2 server's; a TLS 1.3 server answers with [`KeyShare::respond`]).
    pub fn generate(group: NamedGroup, mut rng: &mut dyn CryptoRngCore) -> Self {
        match group {
            NamedGroup::X25519 => KeyShare::X25519(X25519SecretKey::generate(&mut rng)),
            NamedGroup::Secp256r1 => KeyShare::P256(P256SecretKey::generate(&mut rng)),
            NamedGroup::Secp384r1 => KeyShare::P384(P384SecretKey::generate(&mut rng)),
            NamedGroup::X25519MlKem768 => {
                KeyShare::X25519MlKem768(Box::new(x25519mlkem768::Client::generate(&mut rng)))
            }
            NamedGroup::SecP256r1MlKem768 => {
                KeyShare::SecP256r1MlKem768(Box::new(secp256r1mlkem768::Client::generate(&mut rng)))
            }
        }
    }

    /// A TLS 1.3 server's answer to the client's share in `group`: its own
    /// key_exchange and the shared secret. For the (EC)DH groups a fresh
    /// share and the agreement; for the hybrids the ML-KEM-768 encapsulation
    /// to the client's key and the ECDH half (draft-ietf-tls-ecdhe-mlkem
    /// §3.1.2: a client share of the wrong length, an ML-KEM key failing
    /// FIPS 203's modulus check or an invalid ECDH share is
    /// illegal_parameter).
    pub fn respond(
        group: NamedGroup,
        client_share: &[u8],
        mut rng: &mut dyn CryptoRngCore,
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        let hybrid = match group {
            NamedGroup::X25519MlKem768 => {
                x25519mlkem768::server_respond_with_rng(client_share, &mut rng)
                    .map(|(share, secret)| (share.to_vec(), Zeroizing::new(secret.to_vec())))
            }
            NamedGroup::SecP256r1MlKem768 => {
                secp256r1mlkem768::server_respond_with_rng(client_share, &mut rng)
                    .map(|(share, secret)| (share.to_vec(), Zeroizing::new(secret.to_vec())))
            }
            _ => {
                let mine = KeyShare::generate(group, rng);
                let shared = mine.agree(client_share)?;
                return Ok((mine.public(), shared));
            }
        };
        hybrid.map_err(|_| Error::IllegalParameter {
            what: "invalid hybrid client share (draft-ietf-tls-ecdhe-mlkem §3.1.2)",
        })
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        match self {
            KeyShare::X25519(_) => NamedGroup::X25519,
            KeyShare::P256(_) => NamedGroup::Secp256r1,
            KeyShare::P384(_) => NamedGroup::Secp384r1,
            KeyShare::X25519MlKem768(_) => NamedGroup::X25519MlKem768,
            KeyShare::SecP256r1MlKem768(_) => NamedGroup::SecP256r1MlKem768,
        }
    }

    /// The public value as key_exchange carries it: 32 bytes for X25519
    /// (§4.2.8.2), the uncompressed point for secp256r1 and secp384r1
    /// (§4.2.8.2).
    pub fn public(&self) -> Vec<u8> {
        match self {
            KeyShare::X25519(k) => k.public_key().to_vec(),
            KeyShare::P256(k) => k.public_key().to_uncompressed().to_vec(),
            KeyShare::P384(k) => k.public_key().to_uncompressed().to_vec(),
            KeyShare::X25519MlKem768(c) => c.key_share().to_vec(),
            KeyShare::SecP256r1MlKem768(c) => c.key_share().to_vec(),
        }
    }

    /// The shared secret with the peer's key_exchange. A malformed point, a
    /// point not on the curve or an all-zero X25519 result is
    /// illegal_parameter (§4.2.8.2: peers MUST validate; §7.4.2: the all-zero
    /// value MUST be refused).
    pub fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let bad = |_| Error::IllegalParameter {
            what: "invalid key_exchange value (RFC 8446 §4.2.8.2, §7.4.2)",
        };
        match self {
            KeyShare::X25519(k) => {
                let p: [u8; 32] = peer.try_into().map_err(|_| Error::IllegalParameter {
                    what: "X25519 key_exchange is not 32 bytes (RFC 8446 §4.2.8.2)",
                })?;
                Ok(Zeroizing::new(k.diffie_hellman(&p).map_err(bad)?.to_vec()))
            }
            KeyShare::P256(k) => {
                let p = P256PublicKey::from_sec1_bytes(uncompressed(peer, 32)?).map_err(bad)?;
                Ok(Zeroizing::new(k.diffie_hellman(&p).map_err(bad)?.to_vec()))
            }
            KeyShare::P384(k) => {
                let p = P384PublicKey::from_sec1_bytes(uncompressed(peer, 48)?).map_err(bad)?;
                Ok(Zeroizing::new(k.diffie_hellman(&p).map_err(bad)?.to_vec()))
            }
            // draft-ietf-tls-ecdhe-mlkem §3.1.2: a server share of the wrong
            // length (1120 and 1153 bytes), an all-zero X25519 result or an
            // invalid P-256 point is illegal_parameter.
            KeyShare::X25519MlKem768(c) => {
                Ok(Zeroizing::new(c.finish(peer).map_err(bad)?.to_vec()))
            }
            KeyShare::SecP256r1MlKem768(c) => {
                Ok(Zeroizing::new(c.finish(peer).map_err(bad)?.to_vec()))
            }
        }
    }
}

/// `peer` if it is an uncompressed point of a curve whose coordinates are
/// `field_len` bytes: RFC 8446 §4.2.8.2 (and RFC 8422 §5.1.2 for TLS 1.2,
/// where only "uncompressed" is left) allows only legacy_form = 4 followed
/// by X and Y; anything else is illegal_parameter.
fn uncompressed(peer: &[u8], field_len: usize) -> Result<&[u8], Error> {
    if peer.len() != 1 + 2 * field_len || peer[0] != 4 {
        return Err(Error::IllegalParameter {
            what: "ECDHE key_exchange not an uncompressed point (RFC 8446 §4.2.8.2)",
        });
    }
    Ok(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn illegal(r: Result<Zeroizing<Vec<u8>>, Error>) -> bool {
        matches!(r, Err(Error::IllegalParameter { .. }))
    }

    /// secp384r1 (0x0018, RFC 8446 §4.2.7): a 97-byte uncompressed share
    /// (§4.2.8.2: 1 + 2 * 48), and both sides derive the same 48-byte X
    /// coordinate (§7.4.2).
    #[test]
    fn secp384r1_shares_agree() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let client = KeyShare::generate(NamedGroup::Secp384r1, &mut rng);
        assert_eq!(client.group().to_u16(), 0x0018);
        let public = client.public();
        assert_eq!((public.len(), public[0]), (97, 4));
        let (server_public, server_secret) =
            KeyShare::respond(NamedGroup::Secp384r1, &public, &mut rng).unwrap();
        assert_eq!(server_public.len(), 97);
        let client_secret = client.agree(&server_public).unwrap();
        assert_eq!(client_secret.len(), 48);
        assert_eq!(client_secret, server_secret);
    }

    /// §4.2.8.2: only the uncompressed form, and a point on the curve;
    /// anything else is illegal_parameter.
    #[test]
    fn secp384r1_refuses_other_forms() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let ours = KeyShare::generate(NamedGroup::Secp384r1, &mut rng);
        let good = KeyShare::generate(NamedGroup::Secp384r1, &mut rng).public();
        // The compressed form of a valid point: 0x02/0x03 || X.
        let mut compressed = good[..49].to_vec();
        compressed[0] = 2 + (good[96] & 1);
        assert!(illegal(ours.agree(&compressed)));
        // A secp256r1 share where a secp384r1 one belongs.
        let p256 = KeyShare::generate(NamedGroup::Secp256r1, &mut rng).public();
        assert!(illegal(ours.agree(&p256)));
        // Hybrid form (0x06), truncated, extended, off the curve, all zero.
        let mut hybrid = good.clone();
        hybrid[0] = 6;
        assert!(illegal(ours.agree(&hybrid)));
        assert!(illegal(ours.agree(&good[..96])));
        assert!(illegal(ours.agree(&[&good[..], &[0]].concat())));
        let mut off = good.clone();
        off[96] ^= 1;
        assert!(illegal(ours.agree(&off)));
        let mut zero = vec![0u8; 97];
        zero[0] = 4;
        assert!(illegal(ours.agree(&zero)));
        assert!(matches!(
            KeyShare::respond(NamedGroup::Secp384r1, &off, &mut rng),
            Err(Error::IllegalParameter { .. })
        ));
    }
}
