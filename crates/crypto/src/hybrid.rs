//! The construction the TLS hybrids of draft-ietf-tls-ecdhe-mlkem share
//! (§3): an ML-KEM-768 part (FIPS 203) and an ECDH part side by side in each
//! key share, and the two shared secrets concatenated, in one order for the
//! shares and the secret alike. [`x25519mlkem768`](crate::x25519mlkem768)
//! puts ML-KEM first, [`secp256r1mlkem768`](crate::secp256r1mlkem768) ECDH
//! first; everything else is this module, and the [`hybrid_group!`] macro
//! writes each group's public API over it.

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::mlkem::mlkem768::{
    Ciphertext, DecapsulationKey, EncapsulationKey, CIPHERTEXT_LEN, ENCAPSULATION_KEY_LEN,
};
use crate::{Error, P256PublicKey, P256SecretKey, X25519SecretKey};

/// The longest ECDH share of a hybrid: an uncompressed P-256 point.
const MAX_ECDH_SHARE: usize = 65;

/// The ECDH half of a hybrid: its key share and its agreement.
pub(crate) trait Ecdh: Sized {
    /// Length of the public share inside the hybrid share.
    const SHARE_LEN: usize;
    /// The secret from its 32 bytes (an X25519 scalar, a P-256 scalar in [1, n-1]).
    fn from_secret(secret: &[u8; 32]) -> Result<Self, Error>;
    /// A fresh secret from a cryptographic RNG.
    fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self;
    /// Writes the public share (`SHARE_LEN` bytes) to `out`.
    fn share(&self, out: &mut [u8]);
    /// The shared secret with the peer's share, refusing an invalid one.
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error>;
}

/// X25519 (RFC 7748): 32-byte shares; an all-zero result is refused
/// ([`Error::LowOrderPoint`], RFC 8446 §7.4.2).
impl Ecdh for X25519SecretKey {
    const SHARE_LEN: usize = 32;
    fn from_secret(secret: &[u8; 32]) -> Result<Self, Error> {
        Ok(X25519SecretKey::from_bytes(*secret))
    }
    fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        X25519SecretKey::generate(rng)
    }
    fn share(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.public_key());
    }
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
        let peer: &[u8; 32] = peer.try_into().map_err(|_| Error::InvalidLength)?;
        Ok(Zeroizing::new(self.diffie_hellman(peer)?))
    }
}

/// P-256 (SEC 1): the share is the uncompressed point `04 ‖ x ‖ y` (65 bytes,
/// RFC 8446 §4.2.8.2, which the draft keeps), validated on the curve
/// ([`Error::InvalidPublicKey`]); the secret is the x-coordinate of d·Q
/// (SEC 1 §3.3.1).
impl Ecdh for P256SecretKey {
    const SHARE_LEN: usize = 65;
    fn from_secret(secret: &[u8; 32]) -> Result<Self, Error> {
        P256SecretKey::from_bytes(secret)
    }
    fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        P256SecretKey::generate(rng)
    }
    fn share(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.public_key().to_uncompressed());
    }
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
        if peer.first() != Some(&4) {
            return Err(Error::InvalidPublicKey);
        }
        let peer = P256PublicKey::from_sec1_bytes(peer)?;
        Ok(Zeroizing::new(self.diffie_hellman(&peer)?))
    }
}

/// Which half comes first, in the shares and in the shared secret.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Order {
    /// ML-KEM, then ECDH (X25519MLKEM768).
    MlKemFirst,
    /// ECDH, then ML-KEM (SecP256r1MLKEM768).
    EcdhFirst,
}

impl Order {
    /// Writes the two halves to `out` (exactly their total length) in order.
    fn join(self, mlkem: &[u8], ecdh: &[u8], out: &mut [u8]) {
        let (first, second) = match self {
            Order::MlKemFirst => (mlkem, ecdh),
            Order::EcdhFirst => (ecdh, mlkem),
        };
        out[..first.len()].copy_from_slice(first);
        out[first.len()..].copy_from_slice(second);
    }

    /// The (ML-KEM, ECDH) halves of a share of exactly `mlkem_len + ecdh_len`
    /// bytes; any other length is [`Error::InvalidLength`].
    fn split(
        self,
        share: &[u8],
        mlkem_len: usize,
        ecdh_len: usize,
    ) -> Result<(&[u8], &[u8]), Error> {
        if share.len() != mlkem_len + ecdh_len {
            return Err(Error::InvalidLength);
        }
        Ok(match self {
            Order::MlKemFirst => share.split_at(mlkem_len),
            Order::EcdhFirst => {
                let (ecdh, mlkem) = share.split_at(ecdh_len);
                (mlkem, ecdh)
            }
        })
    }
}

/// The client's key share: ek ‖ ECDH share, in `order`, written to `out`.
pub(crate) fn client_share<E: Ecdh>(
    order: Order,
    mlkem: &DecapsulationKey,
    ecdh: &E,
    out: &mut [u8],
) {
    let mut share = [0u8; MAX_ECDH_SHARE];
    ecdh.share(&mut share[..E::SHARE_LEN]);
    order.join(
        mlkem.encapsulation_key().as_bytes(),
        &share[..E::SHARE_LEN],
        out,
    );
}

/// The client's shared secret from the server's share: ML-KEM decapsulation
/// (implicit rejection: a bad ciphertext gives a key the server does not
/// have, never an error) and ECDH, concatenated in `order`.
pub(crate) fn client_finish<E: Ecdh>(
    order: Order,
    mlkem: &DecapsulationKey,
    ecdh: &E,
    server_share: &[u8],
) -> Result<[u8; 64], Error> {
    let (ct, peer) = order.split(server_share, CIPHERTEXT_LEN, E::SHARE_LEN)?;
    let ct = Ciphertext::from_bytes(ct)?;
    let dh = ecdh.agree(peer)?;
    let kem = Zeroizing::new(mlkem.decapsulate(&ct));
    let mut secret = [0u8; 64];
    order.join(&kem[..], &dh[..], &mut secret);
    Ok(secret)
}

/// The server's answer: the client's ek passes FIPS 203's modulus check
/// (§7.2), ML-KEM-768 encapsulates to it with `m` (Algorithm 17) and `ecdh`
/// agrees with the client's ECDH share. Writes the server share (ciphertext ‖
/// ECDH share, in `order`) to `out` and returns the shared secret.
pub(crate) fn server_respond<E: Ecdh>(
    order: Order,
    client_share: &[u8],
    m: &[u8; 32],
    ecdh: &E,
    out: &mut [u8],
) -> Result<[u8; 64], Error> {
    let (ek, peer) = order.split(client_share, ENCAPSULATION_KEY_LEN, E::SHARE_LEN)?;
    let ek = EncapsulationKey::from_bytes(ek)?;
    let dh = ecdh.agree(peer)?;
    let (ct, kem) = ek.encapsulate_deterministic(m);
    let kem = Zeroizing::new(kem);
    let mut share = [0u8; MAX_ECDH_SHARE];
    ecdh.share(&mut share[..E::SHARE_LEN]);
    order.join(ct.as_bytes(), &share[..E::SHARE_LEN], out);
    let mut secret = [0u8; 64];
    order.join(&kem[..], &dh[..], &mut secret);
    Ok(secret)
}

/// A hybrid group's public API over this module: its codepoint, the share
/// lengths (checked against the draft's), the client (its ML-KEM-768
/// decapsulation key and its ECDH secret) and the server's answer. `$ecdh`
/// is the ECDH secret type, `$order` an [`Order`].
macro_rules! hybrid_group {
    ($name:literal, $codepoint:literal, $ecdh:ty, $ecdh_len:literal, $order:expr,
     shares: $client_len:literal, $server_len:literal) => {
        use rand_core::{CryptoRng, RngCore};
        use zeroize::Zeroizing;

        use crate::hybrid::{self, Ecdh};
        use crate::mlkem::mlkem768::{DecapsulationKey, CIPHERTEXT_LEN, ENCAPSULATION_KEY_LEN};
        use crate::Error;

        #[doc = concat!("Length of the client's key share: 1184 + ", stringify!($ecdh_len), ".")]
        pub const CLIENT_SHARE_LEN: usize = ENCAPSULATION_KEY_LEN + $ecdh_len;

        #[doc = concat!("Length of the server's key share: 1088 + ", stringify!($ecdh_len), ".")]
        pub const SERVER_SHARE_LEN: usize = CIPHERTEXT_LEN + $ecdh_len;

        /// Length of the shared secret: 32 + 32.
        pub const SHARED_SECRET_LEN: usize = 64;

        #[doc = concat!("The TLS NamedGroup codepoint of ", $name, " (draft-ietf-tls-ecdhe-mlkem §5).")]
        pub const NAMED_GROUP: u16 = $codepoint;

        const _: () = assert!(<$ecdh as Ecdh>::SHARE_LEN == $ecdh_len);
        // The share lengths the draft's §3.1.1 and §3.1.2 give.
        const _: () = assert!(CLIENT_SHARE_LEN == $client_len && SERVER_SHARE_LEN == $server_len);

        #[doc = concat!("The client's side of ", $name, ": an ML-KEM-768 decapsulation key")]
        /// and an ECDH secret, both zeroized on drop.
        #[derive(Clone, Debug)]
        pub struct Client {
            mlkem: DecapsulationKey,
            ecdh: $ecdh,
        }

        impl Client {
            /// From the ML-KEM seeds d and z (FIPS 203 Algorithm 16) and the
            /// ECDH secret's 32 bytes (an invalid one is refused).
            pub fn from_seeds(
                d: &[u8; 32],
                z: &[u8; 32],
                ecdh_secret: [u8; 32],
            ) -> Result<Client, Error> {
                let ecdh = <$ecdh as Ecdh>::from_secret(&Zeroizing::new(ecdh_secret))?;
                Ok(Client {
                    mlkem: DecapsulationKey::from_seed(d, z),
                    ecdh,
                })
            }

            /// Draws both keys from a cryptographic RNG.
            pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Client {
                let mlkem = DecapsulationKey::generate(rng);
                Client {
                    mlkem,
                    ecdh: <$ecdh as Ecdh>::generate(rng),
                }
            }

            /// The key share to send.
            pub fn key_share(&self) -> [u8; CLIENT_SHARE_LEN] {
                let mut out = [0u8; CLIENT_SHARE_LEN];
                hybrid::client_share($order, &self.mlkem, &self.ecdh, &mut out);
                out
            }

            /// The shared secret from the server's key share (ML-KEM's
            /// implicit rejection gives a wrong key, never an error; an
            /// invalid ECDH share or a share of the wrong length is refused).
            pub fn finish(&self, server_share: &[u8]) -> Result<[u8; SHARED_SECRET_LEN], Error> {
                hybrid::client_finish($order, &self.mlkem, &self.ecdh, server_share)
            }
        }

        /// The server's side, with the caller's randomness: ML-KEM-768
        /// encapsulation to the client's ek with `m` (FIPS 203 Algorithm 17)
        /// and ECDH with `ecdh_secret`. Returns the server's key share and
        /// the shared secret.
        pub fn server_respond(
            client_share: &[u8],
            m: &[u8; 32],
            ecdh_secret: [u8; 32],
        ) -> Result<([u8; SERVER_SHARE_LEN], [u8; SHARED_SECRET_LEN]), Error> {
            let ecdh = <$ecdh as Ecdh>::from_secret(&Zeroizing::new(ecdh_secret))?;
            respond(client_share, m, &ecdh)
        }

        /// [`server_respond`] with m and the ECDH secret drawn from `rng`.
        pub fn server_respond_with_rng<R: RngCore + CryptoRng>(
            client_share: &[u8],
            rng: &mut R,
        ) -> Result<([u8; SERVER_SHARE_LEN], [u8; SHARED_SECRET_LEN]), Error> {
            let mut m = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut m[..]);
            respond(client_share, &m, &<$ecdh as Ecdh>::generate(rng))
        }

        fn respond(
            client_share: &[u8],
            m: &[u8; 32],
            ecdh: &$ecdh,
        ) -> Result<([u8; SERVER_SHARE_LEN], [u8; SHARED_SECRET_LEN]), Error> {
            let mut share = [0u8; SERVER_SHARE_LEN];
            let secret = hybrid::server_respond($order, client_share, m, ecdh, &mut share)?;
            Ok((share, secret))
        }
    };
}

pub(crate) use hybrid_group;

#[cfg(test)]
mod tests {
    use super::*;
    use ml_kem::kem::{Decapsulate, Encapsulate};
    use ml_kem::{EncodedSizeUser, KemCore};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use ring::agreement;

    type PeerEk = <ml_kem::MlKem768 as KemCore>::EncapsulationKey;

    /// Ring's ECDH public key and the agreement with the peer's share.
    fn ring_side(alg: &'static agreement::Algorithm) -> (agreement::EphemeralPrivateKey, Vec<u8>) {
        let eph = agreement::EphemeralPrivateKey::generate(alg, &ring::rand::SystemRandom::new())
            .unwrap();
        let public = eph.compute_public_key().unwrap().as_ref().to_vec();
        (eph, public)
    }

    fn ring_agree(
        alg: &'static agreement::Algorithm,
        eph: agreement::EphemeralPrivateKey,
        peer: &[u8],
    ) -> Vec<u8> {
        agreement::agree_ephemeral(eph, &agreement::UnparsedPublicKey::new(alg, peer), |k| {
            k.to_vec()
        })
        .unwrap()
    }

    /// Our client against a server of the ml-kem crate and ring's `alg`, and a
    /// client of theirs against our server, in `order`.
    fn against_peers<E: Ecdh>(order: Order, alg: &'static agreement::Algorithm, seed: u64) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let join = |a: &[u8], b: &[u8]| {
            let mut v = vec![0u8; a.len() + b.len()];
            order.join(a, b, &mut v);
            v
        };
        for _ in 0..5 {
            let (dk, ecdh) = (DecapsulationKey::generate(&mut rng), E::generate(&mut rng));
            let mut share = vec![0u8; ENCAPSULATION_KEY_LEN + E::SHARE_LEN];
            client_share(order, &dk, &ecdh, &mut share);
            let (ek, peer) = order
                .split(&share, ENCAPSULATION_KEY_LEN, E::SHARE_LEN)
                .unwrap();
            let ek = PeerEk::from_bytes(&ml_kem::array::Array::try_from(ek).unwrap());
            let (ct, kem) = ek.encapsulate(&mut rng).unwrap();
            let (eph, public) = ring_side(alg);
            let dh = ring_agree(alg, eph, peer);
            let got = client_finish(order, &dk, &ecdh, &join(&ct, &public)).unwrap();
            assert_eq!(got.to_vec(), join(&kem, &dh), "our client");

            let (pdk, pek) = ml_kem::MlKem768::generate(&mut rng);
            let (eph, public) = ring_side(alg);
            let mut out = vec![0u8; CIPHERTEXT_LEN + E::SHARE_LEN];
            let ours = E::generate(&mut rng);
            let secret = server_respond(
                order,
                &join(&pek.as_bytes(), &public),
                &[7; 32],
                &ours,
                &mut out,
            )
            .unwrap();
            let (ct, peer) = order.split(&out, CIPHERTEXT_LEN, E::SHARE_LEN).unwrap();
            let kem = pdk
                .decapsulate(&ml_kem::array::Array::try_from(ct).unwrap())
                .unwrap();
            assert_eq!(
                secret.to_vec(),
                join(&kem, &ring_agree(alg, eph, peer)),
                "our server"
            );
        }
    }

    #[test]
    fn x25519mlkem768_against_ml_kem_and_ring() {
        against_peers::<X25519SecretKey>(Order::MlKemFirst, &agreement::X25519, 0x11ec);
    }

    #[test]
    fn secp256r1mlkem768_against_ml_kem_and_ring() {
        against_peers::<P256SecretKey>(Order::EcdhFirst, &agreement::ECDH_P256, 0x11eb);
    }
}
