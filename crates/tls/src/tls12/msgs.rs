//! The TLS 1.2 message bodies whose shape depends on the key exchange:
//! ServerKeyExchange for ECDHE (RFC 8422 §5.4, RFC 5246 §7.4.3) and
//! ClientKeyExchange (RFC 5246 §7.4.7, RFC 8422 §5.7), and the extension
//! types TLS 1.2 adds to the hellos.

use crate::codec::{put_u16, with_len, Reader};
use crate::Error;

/// Extension types TLS 1.2 uses beyond TLS 1.3's.
pub mod ext {
    /// ec_point_formats (RFC 8422 §5.1.2).
    pub const EC_POINT_FORMATS: u16 = 11;
    /// extended_master_secret (RFC 7627 §5.1).
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    /// session_ticket (RFC 5077 §3.2).
    pub const SESSION_TICKET: u16 = 35;
    /// renegotiation_info (RFC 5746 §3.2).
    pub const RENEGOTIATION_INFO: u16 = 0xff01;
}

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00ff;

/// ECCurveType named_curve (RFC 8422 §5.4).
const NAMED_CURVE: u8 = 3;

/// ServerECDHParams and its signature (RFC 8422 §5.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheServerKeyExchange {
    /// The NamedCurve.
    pub group: u16,
    /// The server's ephemeral public point.
    pub public: Vec<u8>,
    /// SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1), as a SignatureScheme.
    pub scheme: u16,
    /// The signature over client_random + server_random + params.
    pub signature: Vec<u8>,
}

impl EcdheServerKeyExchange {
    /// The ServerECDHParams bytes: curve_type, namedcurve, ECPoint.
    pub fn params(&self) -> Vec<u8> {
        let mut o = vec![NAMED_CURVE];
        put_u16(&mut o, self.group);
        with_len(&mut o, 1, |o| o.extend_from_slice(&self.public));
        o
    }

    /// Parses the body. A curve type other than named_curve is
    /// illegal_parameter (RFC 8422 §5.4: only named curves).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        if r.u8("ECCurveType")? != NAMED_CURVE {
            return Err(Error::IllegalParameter {
                what: "ECCurveType is not named_curve (RFC 8422 §5.4)",
            });
        }
        let group = r.u16("NamedCurve")?;
        let public = r.vec8("ECPoint")?.to_vec();
        if public.is_empty() {
            return Err(Error::Decode {
                what: "ECPoint<1..2^8-1>",
            });
        }
        let scheme = r.u16("SignatureAndHashAlgorithm")?;
        let signature = r.vec16("signature")?.to_vec();
        r.finish("trailing bytes after ServerKeyExchange")?;
        Ok(EcdheServerKeyExchange {
            group,
            public,
            scheme,
            signature,
        })
    }

    /// The body.
    pub fn encode(&self) -> Vec<u8> {
        let mut o = self.params();
        put_u16(&mut o, self.scheme);
        with_len(&mut o, 2, |o| o.extend_from_slice(&self.signature));
        o
    }
}

/// What the server signs: client_random + server_random + ServerECDHParams
/// (RFC 8422 §5.4; RFC 5246 §7.4.3).
pub fn signed_params(client_random: &[u8; 32], server_random: &[u8; 32], params: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(64 + params.len());
    m.extend_from_slice(client_random);
    m.extend_from_slice(server_random);
    m.extend_from_slice(params);
    m
}

/// An RSA ClientKeyExchange: EncryptedPreMasterSecret as
/// `opaque<0..2^16-1>` (RFC 5246 §7.4.7.1).
pub fn encode_rsa_cke(encrypted_pms: &[u8]) -> Vec<u8> {
    let mut o = Vec::new();
    with_len(&mut o, 2, |o| o.extend_from_slice(encrypted_pms));
    o
}

/// Parses an RSA ClientKeyExchange body.
pub fn parse_rsa_cke(body: &[u8]) -> Result<Vec<u8>, Error> {
    let mut r = Reader::new(body);
    let v = r.vec16("EncryptedPreMasterSecret")?.to_vec();
    r.finish("trailing bytes after ClientKeyExchange")?;
    Ok(v)
}

/// An ECDHE ClientKeyExchange: ClientECDiffieHellmanPublic, an
/// `ECPoint<1..2^8-1>` (RFC 8422 §5.7).
pub fn encode_ecdhe_cke(public: &[u8]) -> Vec<u8> {
    let mut o = Vec::new();
    with_len(&mut o, 1, |o| o.extend_from_slice(public));
    o
}

/// Parses an ECDHE ClientKeyExchange body.
pub fn parse_ecdhe_cke(body: &[u8]) -> Result<Vec<u8>, Error> {
    let mut r = Reader::new(body);
    let v = r.vec8("ECPoint")?.to_vec();
    if v.is_empty() {
        return Err(Error::Decode {
            what: "ECPoint<1..2^8-1>",
        });
    }
    r.finish("trailing bytes after ClientKeyExchange")?;
    Ok(v)
}
