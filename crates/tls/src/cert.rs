//! X.509 path validation for a TLS server certificate (RFC 5280 §6, RFC 9525).
//!
//! Parsing is x509-cert's (RustCrypto): it shares the `der` stack that
//! handshake-crypto already uses for SPKI and PKCS#8, decodes every extension
//! we check into typed structures, and is `no_std`-friendly; x509-parser
//! would add nom and a second ASN.1 stack for the same result. Signatures are
//! verified with handshake-crypto. Checked: signatures up the path to a
//! configured trust anchor (intermediates in any order), validity at the
//! caller's time, basicConstraints cA and pathLenConstraint, keyUsage
//! keyCertSign on issuers, extKeyUsage serverAuth on the leaf, unknown
//! critical extensions, and the SAN DNS names (wildcard in the leftmost label
//! only) and IP addresses; the subject CN is never used as a name.

use std::net::IpAddr;

use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode};
use handshake_crypto::{PublicKey, Sha256, Sha384, Sha512};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};
use x509_cert::name::Name;

use crate::error::CertError;

const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// Longest path tried: leaf, up to this many intermediates, anchor.
const MAX_INTERMEDIATES: usize = 6;
/// Signature checks one validation may spend (a peer's chain of duplicates
/// must not make path building exponential).
const SIGNATURE_BUDGET: usize = 64;

/// The identity a client expects (RFC 9525 §6): a DNS name or an IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerName {
    /// A DNS name, compared case-insensitively.
    Dns(String),
    /// An IP address, matched against iPAddress SANs only.
    Ip(IpAddr),
}

impl ServerName {
    /// An IP literal becomes [`ServerName::Ip`], anything else a DNS name.
    pub fn new(s: &str) -> Self {
        match s.parse::<IpAddr>() {
            Ok(ip) => ServerName::Ip(ip),
            Err(_) => ServerName::Dns(s.trim_end_matches('.').to_ascii_lowercase()),
        }
    }
}

impl core::fmt::Display for ServerName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ServerName::Dns(d) => f.write_str(d),
            ServerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// A certificate decoded once, with the fields validation reads.
#[derive(Clone, Debug)]
pub struct ParsedCert {
    subject: Name,
    issuer: Name,
    tbs: Vec<u8>,
    sig_alg: ObjectIdentifier,
    signature: Vec<u8>,
    /// The subject public key.
    pub public_key: Option<PublicKey>,
    not_before: u64,
    not_after: u64,
    ca: Option<Option<u8>>,
    key_cert_sign: bool,
    eku: Option<Vec<ObjectIdentifier>>,
    sans: Vec<GeneralName>,
    unknown_critical: bool,
}

impl ParsedCert {
    /// Decodes a DER certificate.
    pub fn parse(der_bytes: &[u8]) -> Result<Self, CertError> {
        let cert = x509_cert::Certificate::from_der(der_bytes)
            .map_err(|_| CertError::BadEncoding("Certificate"))?;
        let tbs = &cert.tbs_certificate;
        // The signed bytes: DER is canonical, so re-encoding the decoded
        // TBSCertificate gives back the bytes the issuer signed.
        let tbs_der = tbs
            .to_der()
            .map_err(|_| CertError::BadEncoding("TBSCertificate"))?;
        let spki = tbs
            .subject_public_key_info
            .to_der()
            .map_err(|_| CertError::BadEncoding("SubjectPublicKeyInfo"))?;
        let mut out = ParsedCert {
            subject: tbs.subject.clone(),
            issuer: tbs.issuer.clone(),
            tbs: tbs_der,
            sig_alg: cert.signature_algorithm.oid,
            signature: cert
                .signature
                .as_bytes()
                .ok_or(CertError::BadEncoding("signature bit string"))?
                .to_vec(),
            public_key: PublicKey::from_spki_der(&spki).ok(),
            not_before: tbs.validity.not_before.to_unix_duration().as_secs(),
            not_after: tbs.validity.not_after.to_unix_duration().as_secs(),
            ca: None,
            key_cert_sign: true,
            eku: None,
            sans: Vec::new(),
            unknown_critical: false,
        };
        for ext in tbs.extensions.iter().flatten() {
            let v = ext.extn_value.as_bytes();
            let bad = |_| CertError::BadEncoding("extension value");
            if ext.extn_id == BasicConstraints::OID {
                let bc = BasicConstraints::from_der(v).map_err(bad)?;
                if bc.ca {
                    out.ca = Some(bc.path_len_constraint);
                }
            } else if ext.extn_id == KeyUsage::OID {
                out.key_cert_sign = KeyUsage::from_der(v).map_err(bad)?.key_cert_sign();
            } else if ext.extn_id == ExtendedKeyUsage::OID {
                out.eku = Some(ExtendedKeyUsage::from_der(v).map_err(bad)?.0);
            } else if ext.extn_id == SubjectAltName::OID {
                out.sans = SubjectAltName::from_der(v).map_err(bad)?.0;
            } else if ext.critical {
                // RFC 5280 §4.2: an unrecognized critical extension MUST be refused.
                out.unknown_critical = true;
            }
        }
        Ok(out)
    }

    fn check_time(&self, now: u64) -> Result<(), CertError> {
        if now < self.not_before {
            Err(CertError::NotYetValid)
        } else if now > self.not_after {
            Err(CertError::Expired)
        } else {
            Ok(())
        }
    }

    /// Whether `issuer_key` signed this certificate (RFC 5280 §6.1.3 (a)(1)).
    fn signed_by(&self, issuer_key: &PublicKey) -> Result<(), CertError> {
        let (tbs, sig) = (&self.tbs[..], &self.signature[..]);
        // RFC 5758 §3.2: ecdsa-with-SHA256/384/512 name the hash, the
        // issuer's key (RFC 5480 §2.1.1: secp256r1 or secp384r1) the curve;
        // any pairing is allowed.
        macro_rules! ecdsa {
            ($k:expr) => {
                match self.sig_alg {
                    ECDSA_SHA256 => $k.verify_der::<Sha256>(tbs, sig),
                    ECDSA_SHA384 => $k.verify_der::<Sha384>(tbs, sig),
                    _ => $k.verify_der::<Sha512>(tbs, sig),
                }
            };
        }
        let is_ecdsa = [ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512].contains(&self.sig_alg);
        let r = match issuer_key {
            PublicKey::P256(k) if is_ecdsa => ecdsa!(k),
            PublicKey::P384(k) if is_ecdsa => ecdsa!(k),
            PublicKey::Ed25519(k) if self.sig_alg == ED25519 => k.verify(tbs, sig),
            PublicKey::Rsa(k) if [RSA_SHA256, RSA_SHA384, RSA_SHA512].contains(&self.sig_alg) => {
                let key = k.to_key().map_err(|_| CertError::UnsupportedAlgorithm)?;
                if self.sig_alg == RSA_SHA256 {
                    key.verify_pkcs1v15::<Sha256>(tbs, sig)
                } else if self.sig_alg == RSA_SHA384 {
                    key.verify_pkcs1v15::<Sha384>(tbs, sig)
                } else {
                    key.verify_pkcs1v15::<Sha512>(tbs, sig)
                }
            }
            _ => return Err(CertError::UnsupportedAlgorithm),
        };
        r.map_err(|_| CertError::BadSignature)
    }

    /// The subject alternative names, for traces.
    pub fn san_names(&self) -> Vec<String> {
        self.sans
            .iter()
            .filter_map(|n| match n {
                GeneralName::DnsName(d) => Some(d.to_string()),
                GeneralName::IpAddress(ip) => ip_of(ip.as_bytes()).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The subject, as RFC 4514 text, for traces.
    pub fn subject(&self) -> String {
        self.subject.to_string()
    }

    /// The issuer, as RFC 4514 text, for traces.
    pub fn issuer(&self) -> String {
        self.issuer.to_string()
    }

    /// The subject's DER encoding: a DistinguishedName as
    /// certificate_authorities carries it (RFC 8446 §4.2.4). The name was
    /// decoded from DER, whose encoding is unique, so this gives back the
    /// certificate's own bytes.
    pub fn subject_der(&self) -> Vec<u8> {
        self.subject.to_der().unwrap_or_default()
    }

    /// The issuer's DER encoding (see [`subject_der`](Self::subject_der)).
    pub fn issuer_der(&self) -> Vec<u8> {
        self.issuer.to_der().unwrap_or_default()
    }

    /// The validity period, notBefore and notAfter, in seconds since the Unix epoch.
    pub fn validity(&self) -> (u64, u64) {
        (self.not_before, self.not_after)
    }
}

fn ip_of(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(b).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(b).ok()?)),
        _ => None,
    }
}

/// Whether a presented DNS-ID matches the reference name (RFC 9525 §6.3):
/// case-insensitive, and `*` only as the whole leftmost label, standing for
/// exactly one label, with at least two labels after it.
pub fn dns_name_matches(presented: &str, reference: &str) -> bool {
    let p = presented.trim_end_matches('.').to_ascii_lowercase();
    let r = reference.trim_end_matches('.').to_ascii_lowercase();
    if p.is_empty() || r.is_empty() {
        return false;
    }
    match p.strip_prefix("*.") {
        Some(base) => {
            if base.contains('*') || base.split('.').count() < 2 {
                return false;
            }
            match r.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest == base,
                None => false,
            }
        }
        None => !p.contains('*') && p == r,
    }
}

/// A trust anchor: a CA certificate the client trusts by configuration.
#[derive(Clone, Debug)]
pub struct TrustAnchor {
    cert: ParsedCert,
}

impl TrustAnchor {
    /// From a DER certificate.
    pub fn from_der(der_bytes: &[u8]) -> Result<Self, CertError> {
        Ok(TrustAnchor {
            cert: ParsedCert::parse(der_bytes)?,
        })
    }

    /// The anchor's subject in DER: what a server names in
    /// certificate_authorities (RFC 8446 §4.2.4).
    pub fn subject_der(&self) -> Vec<u8> {
        self.cert.subject_der()
    }
}

/// What validation found: the path length and the name that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Intermediates between leaf and anchor.
    pub intermediates: usize,
    /// The SAN entry that matched the reference identity.
    pub matched_name: String,
}

/// Validates `chain` (leaf first, intermediates in any order) for server
/// authentication of `name` at `now` (seconds since the Unix epoch).
pub fn verify_server_chain(
    chain: &[Vec<u8>],
    anchors: &[TrustAnchor],
    name: &ServerName,
    now: u64,
) -> Result<(ParsedCert, Verified), CertError> {
    verify_chain(chain, anchors, Some(name), KP_SERVER_AUTH, now)
}

/// Validates a client's `chain` (leaf first) for client authentication at
/// `now`: the same path rules, extKeyUsage (when present) must allow
/// id-kp-clientAuth (RFC 5280 §4.2.1.12), and no name is matched (the
/// matched name is the leaf's subject).
pub fn verify_client_chain(
    chain: &[Vec<u8>],
    anchors: &[TrustAnchor],
    now: u64,
) -> Result<(ParsedCert, Verified), CertError> {
    verify_chain(chain, anchors, None, KP_CLIENT_AUTH, now)
}

fn verify_chain(
    chain: &[Vec<u8>],
    anchors: &[TrustAnchor],
    name: Option<&ServerName>,
    purpose: ObjectIdentifier,
    now: u64,
) -> Result<(ParsedCert, Verified), CertError> {
    let Some(leaf_der) = chain.first() else {
        return Err(CertError::Empty);
    };
    let leaf = ParsedCert::parse(leaf_der)?;
    if leaf.unknown_critical {
        return Err(CertError::BadEncoding("unrecognized critical extension"));
    }
    if leaf.ca.is_some() {
        return Err(CertError::CaUsedAsLeaf);
    }
    leaf.check_time(now)?;
    // RFC 5280 §4.2.1.12: when extKeyUsage is present, the certificate is
    // only for the listed purposes.
    if let Some(eku) = &leaf.eku {
        if !eku.contains(&purpose) {
            return Err(CertError::WrongExtendedKeyUsage);
        }
    }
    let matched_name = match name {
        Some(name) => match_name(&leaf, name)?,
        None => leaf.subject(),
    };
    let intermediates = chain[1..]
        .iter()
        .take(MAX_INTERMEDIATES * 2)
        .map(|d| ParsedCert::parse(d))
        .collect::<Result<Vec<_>, _>>()?;
    let mut used = vec![false; intermediates.len()];
    let mut budget = SIGNATURE_BUDGET;
    let depth = build_path(
        &leaf,
        &intermediates,
        &mut used,
        0,
        anchors,
        now,
        &mut budget,
    )?;
    Ok((
        leaf,
        Verified {
            intermediates: depth,
            matched_name,
        },
    ))
}

fn match_name(leaf: &ParsedCert, name: &ServerName) -> Result<String, CertError> {
    for san in &leaf.sans {
        match (san, name) {
            (GeneralName::DnsName(d), ServerName::Dns(r)) if dns_name_matches(d.as_str(), r) => {
                return Ok(d.to_string());
            }
            (GeneralName::IpAddress(ip), ServerName::Ip(r)) if ip_of(ip.as_bytes()) == Some(*r) => {
                return Ok(r.to_string());
            }
            _ => {}
        }
    }
    // RFC 9525 §6.1: no CN-ID fallback.
    Err(CertError::NameMismatch(name.to_string()))
}

/// Depth-first search for a path from `cert` to an anchor; returns the number
/// of intermediates used. A candidate issuer that fails a check explains the
/// failure better than "unknown issuer", so its error is the one returned.
fn build_path(
    cert: &ParsedCert,
    pool: &[ParsedCert],
    used: &mut [bool],
    depth: usize,
    anchors: &[TrustAnchor],
    now: u64,
    budget: &mut usize,
) -> Result<usize, CertError> {
    let mut best = CertError::UnknownIssuer;
    for a in anchors.iter().filter(|a| a.cert.subject == cert.issuer) {
        let Some(key) = &a.cert.public_key else {
            continue;
        };
        if *budget == 0 {
            return Err(CertError::UnknownIssuer);
        }
        *budget -= 1;
        match cert.signed_by(key) {
            Ok(()) => return Ok(depth),
            Err(e) => best = e,
        }
    }
    if depth >= MAX_INTERMEDIATES {
        return Err(best);
    }
    for i in 0..pool.len() {
        if used[i] || pool[i].subject != cert.issuer {
            continue;
        }
        let issuer = &pool[i];
        let step = (|| {
            if issuer.unknown_critical {
                return Err(CertError::BadEncoding("unrecognized critical extension"));
            }
            // RFC 5280 §4.2.1.9: only a CA certificate may issue; its
            // pathLenConstraint bounds the intermediates below it.
            let Some(path_len) = issuer.ca else {
                return Err(CertError::IssuerNotCa);
            };
            if !issuer.key_cert_sign {
                return Err(CertError::IssuerNotCa);
            }
            if let Some(max) = path_len {
                if depth > max as usize {
                    return Err(CertError::PathLenExceeded);
                }
            }
            issuer.check_time(now)?;
            let key = issuer
                .public_key
                .as_ref()
                .ok_or(CertError::UnsupportedAlgorithm)?;
            if *budget == 0 {
                return Err(CertError::UnknownIssuer);
            }
            *budget -= 1;
            cert.signed_by(key)
        })();
        if let Err(e) = step {
            best = e;
            continue;
        }
        used[i] = true;
        match build_path(issuer, pool, used, depth + 1, anchors, now, budget) {
            Ok(d) => return Ok(d),
            Err(e) => best = e,
        }
        used[i] = false;
    }
    Err(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

    /// rcgen (ring) makes the certificates: a CA whose key is `ca_alg`'s and
    /// a leaf for "localhost" with `leaf_alg`'s key; (CA DER, leaf DER).
    fn chain(
        ca_alg: &'static rcgen::SignatureAlgorithm,
        leaf_alg: &'static rcgen::SignatureAlgorithm,
    ) -> (Vec<u8>, Vec<u8>) {
        let ca_key = KeyPair::generate_for(ca_alg).unwrap();
        let mut cp = CertificateParams::new(Vec::<String>::new()).unwrap();
        cp.distinguished_name
            .push(DnType::CommonName, "P-384 test CA");
        cp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        cp.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        cp.not_before = rcgen::date_time_ymd(2020, 1, 1);
        cp.not_after = rcgen::date_time_ymd(2040, 1, 1);
        let ca = cp.self_signed(&ca_key).unwrap();
        let leaf_key = KeyPair::generate_for(leaf_alg).unwrap();
        let mut lp = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        lp.not_before = rcgen::date_time_ymd(2020, 1, 1);
        lp.not_after = rcgen::date_time_ymd(2040, 1, 1);
        let leaf = lp.signed_by(&leaf_key, &ca, &ca_key).unwrap();
        (ca.der().to_vec(), leaf.der().to_vec())
    }

    const NOW: u64 = 1_767_225_600;

    fn verify(ca: &[u8], leaf: &[u8]) -> Result<ParsedCert, CertError> {
        let anchors = [TrustAnchor::from_der(ca)?];
        let name = ServerName::new("localhost");
        verify_server_chain(&[leaf.to_vec()], &anchors, &name, NOW).map(|(p, _)| p)
    }

    /// RFC 5480 §2.1.1: id-ecPublicKey with secp384r1 is a P-384 key; a
    /// P-384 CA's ecdsa-with-SHA384 signature verifies over a P-384 and a
    /// P-256 leaf (RFC 5758 §3.2).
    #[test]
    fn p384_issuer_and_subject() {
        let p384 = &rcgen::PKCS_ECDSA_P384_SHA384;
        let p256 = &rcgen::PKCS_ECDSA_P256_SHA256;
        let (ca, leaf) = chain(p384, p384);
        let parsed = verify(&ca, &leaf).unwrap();
        assert!(matches!(parsed.public_key, Some(PublicKey::P384(_))));
        assert!(matches!(
            TrustAnchor::from_der(&ca).unwrap().cert.public_key,
            Some(PublicKey::P384(_))
        ));
        let (ca, leaf) = chain(p384, p256);
        let parsed = verify(&ca, &leaf).unwrap();
        assert!(matches!(parsed.public_key, Some(PublicKey::P256(_))));
        // And a P-256 CA over a P-384 leaf.
        let (ca, leaf) = chain(p256, p384);
        assert!(matches!(
            verify(&ca, &leaf).unwrap().public_key,
            Some(PublicKey::P384(_))
        ));
    }

    /// RFC 5280 §6.1.3 (a)(1): a P-384 signature over a changed TBS fails.
    #[test]
    fn p384_tampered_signature_refused() {
        let p384 = &rcgen::PKCS_ECDSA_P384_SHA384;
        let (ca, leaf) = chain(p384, p384);
        let mut cert = ParsedCert::parse(&leaf).unwrap();
        let anchor = TrustAnchor::from_der(&ca).unwrap();
        let key = anchor.cert.public_key.as_ref().unwrap();
        cert.signed_by(key).unwrap();
        let last = cert.tbs.len() - 1;
        cert.tbs[last] ^= 1;
        assert_eq!(cert.signed_by(key), Err(CertError::BadSignature));
        // The same signature claimed as ecdsa-with-SHA512 does not verify either.
        let mut cert = ParsedCert::parse(&leaf).unwrap();
        cert.sig_alg = ECDSA_SHA512;
        assert_eq!(cert.signed_by(key), Err(CertError::BadSignature));
    }
}
