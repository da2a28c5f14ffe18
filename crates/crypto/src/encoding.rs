//! Key encodings: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and PKCS#8
//! (RFC 5208 / RFC 5958) for P-256 and P-384 (RFC 5480, RFC 5915), Ed25519 and X25519
//! (RFC 8410) and RSA (RFC 8017 §A.1). The DER itself is the `der`, `spki`,
//! `pkcs8`, `pkcs1` and `sec1` crates' work; this module maps their structures to
//! our key types and checks every field. Any malformed input is
//! [`Error::BadEncoding`] (or the key type's own error), never a panic.

use alloc::vec::Vec;
use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::{
    Ed25519SigningKey, Ed25519VerifyingKey, Error, P256PublicKey, P256SecretKey, P384PublicKey,
    P384SecretKey, RsaPrivateComponents, RsaPrivateKey, RsaPublicKey, X25519SecretKey,
};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (RFC 5480 §2.1.1.1).
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn uint(b: &[u8]) -> UintRef<'_> {
    UintRef::new(b).expect("a key integer fits DER's length limits")
}

fn bad<E>(_: E) -> Error {
    Error::BadEncoding
}

/// The namedCurve of id-ecPublicKey's ECParameters (RFC 5480 §2.1.1: the
/// parameters MUST be present and name a curve): secp256r1 or secp384r1, else
/// [`Error::BadEncoding`] (implicit and specified curves included).
fn named_curve(params: Option<AnyRef<'_>>) -> Result<ObjectIdentifier, Error> {
    let curve: ObjectIdentifier = params.ok_or(Error::BadEncoding)?.decode_as().map_err(bad)?;
    match curve {
        SECP256R1 | SECP384R1 => Ok(curve),
        _ => Err(Error::BadEncoding),
    }
}

/// An RFC 5915 ECPrivateKey for the scalar `d` (the caller wipes its copy; the
/// DER is in a buffer zeroized on drop), carrying the public key as §3
/// recommends and no parameters (the PKCS#8 algorithm names the curve).
fn ec_private_key(d: &[u8], public: &[u8]) -> Zeroizing<Vec<u8>> {
    let ec = sec1::EcPrivateKey {
        private_key: d,
        parameters: None,
        public_key: Some(public),
    };
    Zeroizing::new(ec.to_der().expect("encodes"))
}

/// A public key of any type this crate implements, as certificates carry it.
///
/// ```
/// use handshake_crypto::{Ed25519SigningKey, PublicKey};
/// let key = Ed25519SigningKey::from_seed(&[1; 32]);
/// let der = PublicKey::Ed25519(key.verifying_key()).to_spki_der();
/// assert_eq!(PublicKey::from_spki_der(&der).unwrap(), PublicKey::Ed25519(key.verifying_key()));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PublicKey {
    /// id-ecPublicKey with the secp256r1 named curve (RFC 5480 §2.1.1).
    P256(P256PublicKey),
    /// id-ecPublicKey with the secp384r1 named curve (RFC 5480 §2.1.1).
    P384(P384PublicKey),
    /// id-Ed25519 (RFC 8410 §3).
    Ed25519(Ed25519VerifyingKey),
    /// id-X25519 (RFC 8410 §3).
    X25519([u8; 32]),
    /// rsaEncryption with NULL parameters (RFC 8017 §A.1.1).
    Rsa(RsaPublicKeyDer),
}

/// An RSA public key as (n, e) bytes, comparable for equality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaPublicKeyDer {
    /// Modulus, big-endian without leading zeros.
    pub n: Vec<u8>,
    /// Public exponent, big-endian without leading zeros.
    pub e: Vec<u8>,
}

impl RsaPublicKeyDer {
    /// The key, checked by [`RsaPublicKey::new`].
    pub fn to_key(&self) -> Result<RsaPublicKey, Error> {
        RsaPublicKey::new(&self.n, &self.e)
    }
}

impl From<&RsaPublicKey> for RsaPublicKeyDer {
    fn from(k: &RsaPublicKey) -> Self {
        RsaPublicKeyDer {
            n: k.n_bytes(),
            e: k.e_bytes(),
        }
    }
}

fn spki(oid: ObjectIdentifier, params: Option<AnyRef<'_>>, key: &[u8]) -> Vec<u8> {
    SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid,
            parameters: params,
        },
        subject_public_key: BitStringRef::from_bytes(key).expect("short key"),
    }
    .to_der()
    .expect("SPKI of a valid key encodes")
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo and validates the key inside (curve
    /// membership, RSA size and exponent).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let info = SubjectPublicKeyInfoRef::from_der(der).map_err(bad)?;
        let key = info
            .subject_public_key
            .as_bytes()
            .ok_or(Error::BadEncoding)?;
        let alg = &info.algorithm;
        match alg.oid {
            ID_EC_PUBLIC_KEY => match named_curve(alg.parameters)? {
                SECP256R1 => Ok(PublicKey::P256(P256PublicKey::from_sec1_bytes(key)?)),
                SECP384R1 => Ok(PublicKey::P384(P384PublicKey::from_sec1_bytes(key)?)),
                _ => Err(Error::BadEncoding),
            },
            ID_ED25519 | ID_X25519 => {
                // RFC 8410 §3: the parameters MUST be absent.
                if alg.parameters.is_some() {
                    return Err(Error::BadEncoding);
                }
                let k: [u8; 32] = key.try_into().map_err(|_| Error::InvalidPublicKey)?;
                Ok(if alg.oid == ID_ED25519 {
                    PublicKey::Ed25519(Ed25519VerifyingKey::from_bytes(&k)?)
                } else {
                    PublicKey::X25519(k)
                })
            }
            RSA_ENCRYPTION => {
                // RFC 8017 §A.1: parameters MUST be NULL.
                if alg.parameters != Some(AnyRef::NULL) {
                    return Err(Error::BadEncoding);
                }
                let rsa = pkcs1::RsaPublicKey::from_der(key).map_err(bad)?;
                let k = RsaPublicKeyDer {
                    n: rsa.modulus.as_bytes().to_vec(),
                    e: rsa.public_exponent.as_bytes().to_vec(),
                };
                k.to_key()?;
                Ok(PublicKey::Rsa(k))
            }
            _ => Err(Error::BadEncoding),
        }
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Vec<u8> {
        match self {
            PublicKey::P256(k) => {
                let curve = AnyRef::from(&SECP256R1);
                spki(ID_EC_PUBLIC_KEY, Some(curve), &k.to_uncompressed())
            }
            PublicKey::P384(k) => {
                let curve = AnyRef::from(&SECP384R1);
                spki(ID_EC_PUBLIC_KEY, Some(curve), &k.to_uncompressed())
            }
            PublicKey::Ed25519(k) => spki(ID_ED25519, None, &k.to_bytes()),
            PublicKey::X25519(k) => spki(ID_X25519, None, k),
            PublicKey::Rsa(k) => {
                let inner = pkcs1::RsaPublicKey {
                    modulus: UintRef::new(&k.n).expect("modulus"),
                    public_exponent: UintRef::new(&k.e).expect("exponent"),
                }
                .to_der()
                .expect("RSAPublicKey encodes");
                spki(RSA_ENCRYPTION, Some(AnyRef::NULL), &inner)
            }
        }
    }
}

/// A private key of any type this crate implements, for PKCS#8.
///
/// ```
/// use handshake_crypto::{P256SecretKey, PrivateKey};
/// let key = PrivateKey::P256(P256SecretKey::from_bytes(&[5; 32]).unwrap());
/// let der = key.to_pkcs8_der();
/// let back = PrivateKey::from_pkcs8_der(&der).unwrap();
/// assert_eq!(back.public_key(), key.public_key());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum PrivateKey {
    /// An ECPrivateKey (RFC 5915) for secp256r1.
    P256(P256SecretKey),
    /// An ECPrivateKey (RFC 5915) for secp384r1.
    P384(P384SecretKey),
    /// An Ed25519 seed (RFC 8410 §7).
    Ed25519(Ed25519SigningKey),
    /// An X25519 key (RFC 8410 §7).
    X25519(X25519SecretKey),
    /// A PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2).
    Rsa(RsaPrivateKey),
}

impl PrivateKey {
    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::P256(k) => PublicKey::P256(k.public_key()),
            PrivateKey::P384(k) => PublicKey::P384(k.public_key()),
            PrivateKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            PrivateKey::X25519(k) => PublicKey::X25519(k.public_key()),
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.public_key().into()),
        }
    }

    /// Parses a DER PKCS#8 PrivateKeyInfo (v1, or v2 with a public key, which must
    /// then match the private key).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(bad)?;
        let alg = &info.algorithm;
        let key = match alg.oid {
            ID_EC_PUBLIC_KEY => {
                let curve = named_curve(alg.parameters)?;
                let ec = sec1::EcPrivateKey::from_der(info.private_key).map_err(bad)?;
                // RFC 5915 §3: parameters, when present, name the same curve.
                if ec
                    .parameters
                    .is_some_and(|p| p.named_curve() != Some(curve))
                {
                    return Err(Error::BadEncoding);
                }
                let d = ec.private_key;
                let invalid = |_| Error::InvalidPrivateKey;
                let key = if curve == SECP256R1 {
                    PrivateKey::P256(P256SecretKey::from_bytes(d.try_into().map_err(invalid)?)?)
                } else {
                    PrivateKey::P384(P384SecretKey::from_bytes(d.try_into().map_err(invalid)?)?)
                };
                // The optional publicKey must be the key's own point.
                if let Some(pubk) = ec.public_key {
                    let matches = match key.public_key() {
                        PublicKey::P256(k) => P256PublicKey::from_sec1_bytes(pubk)? == k,
                        PublicKey::P384(k) => P384PublicKey::from_sec1_bytes(pubk)? == k,
                        _ => false,
                    };
                    if !matches {
                        return Err(Error::InvalidPrivateKey);
                    }
                }
                key
            }
            ID_ED25519 | ID_X25519 => {
                if alg.parameters.is_some() {
                    return Err(Error::BadEncoding);
                }
                let inner = OctetStringRef::from_der(info.private_key).map_err(bad)?;
                // The copy of the seed is wiped when it goes out of scope.
                let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
                    inner
                        .as_bytes()
                        .try_into()
                        .map_err(|_| Error::InvalidPrivateKey)?,
                );
                if alg.oid == ID_ED25519 {
                    PrivateKey::Ed25519(Ed25519SigningKey::from_seed(&seed))
                } else {
                    PrivateKey::X25519(X25519SecretKey::from_bytes(*seed))
                }
            }
            RSA_ENCRYPTION => {
                if alg.parameters != Some(AnyRef::NULL) {
                    return Err(Error::BadEncoding);
                }
                let k = pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(bad)?;
                if k.other_prime_infos.is_some() {
                    return Err(Error::UnsupportedKeySize);
                }
                let b = |u: UintRef<'_>| u.as_bytes().to_vec();
                PrivateKey::Rsa(RsaPrivateKey::from_components(&RsaPrivateComponents {
                    n: b(k.modulus),
                    e: b(k.public_exponent),
                    d: b(k.private_exponent),
                    p: b(k.prime1),
                    q: b(k.prime2),
                    dp: b(k.exponent1),
                    dq: b(k.exponent2),
                    qinv: b(k.coefficient),
                })?)
            }
            _ => return Err(Error::BadEncoding),
        };
        if let Some(pubk) = info.public_key {
            let derived = key.public_key();
            let raw = match &derived {
                PublicKey::Ed25519(k) => k.to_bytes().to_vec(),
                PublicKey::X25519(k) => k.to_vec(),
                _ => return Err(Error::BadEncoding),
            };
            if raw != pubk {
                return Err(Error::InvalidPrivateKey);
            }
        }
        Ok(key)
    }

    /// The DER PKCS#8 PrivateKeyInfo (v1; for P-256 the ECPrivateKey carries the
    /// public key, as RFC 5915 §3 recommends), in a buffer zeroized on drop.
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let null = AnyRef::NULL;
        let (oid, params, inner): (_, _, Zeroizing<Vec<u8>>) = match self {
            PrivateKey::P256(k) => (
                ID_EC_PUBLIC_KEY,
                Some(AnyRef::from(&SECP256R1)),
                ec_private_key(
                    &Zeroizing::new(k.to_bytes())[..],
                    &k.public_key().to_uncompressed(),
                ),
            ),
            PrivateKey::P384(k) => (
                ID_EC_PUBLIC_KEY,
                Some(AnyRef::from(&SECP384R1)),
                ec_private_key(
                    &Zeroizing::new(k.to_bytes())[..],
                    &k.public_key().to_uncompressed(),
                ),
            ),
            PrivateKey::Ed25519(k) => {
                let seed = Zeroizing::new(k.seed());
                let os = OctetStringRef::new(&seed[..]).expect("32 bytes");
                (
                    ID_ED25519,
                    None,
                    Zeroizing::new(os.to_der().expect("encodes")),
                )
            }
            PrivateKey::X25519(k) => {
                let raw = Zeroizing::new(k.to_bytes());
                let os = OctetStringRef::new(&raw[..]).expect("32 bytes");
                (
                    ID_X25519,
                    None,
                    Zeroizing::new(os.to_der().expect("encodes")),
                )
            }
            PrivateKey::Rsa(k) => {
                let c = k.components();
                let rsa = pkcs1::RsaPrivateKey {
                    modulus: uint(&c.n),
                    public_exponent: uint(&c.e),
                    private_exponent: uint(&c.d),
                    prime1: uint(&c.p),
                    prime2: uint(&c.q),
                    exponent1: uint(&c.dp),
                    exponent2: uint(&c.dq),
                    coefficient: uint(&c.qinv),
                    other_prime_infos: None,
                };
                (
                    RSA_ENCRYPTION,
                    Some(null),
                    Zeroizing::new(rsa.to_der().expect("encodes")),
                )
            }
        };
        let info = pkcs8::PrivateKeyInfo::new(
            AlgorithmIdentifierRef {
                oid,
                parameters: params,
            },
            &inner,
        );
        Zeroizing::new(info.to_der().expect("PKCS#8 encodes"))
    }
}
