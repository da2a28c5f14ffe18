//! `tls.p384.openssl-cert-*`: certificates that `openssl` signs, with a
//! P-256 or a P-384 issuer key under ecdsa-with-SHA256, -SHA384 or -SHA512
//! (RFC 5758 §3.2: the OID names the hash, the issuer's key the curve, and
//! any pairing is allowed), checked by our path validation; `openssl
//! verify` must agree both on the good certificate and on the same one with
//! a byte of its TBSCertificate changed, which ours must refuse as a bad
//! signature (RFC 5280 §6.1.3 (a)(1)).

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use handshake_tls::cert::verify_server_chain;
use handshake_tls::{CertError, ServerName, TrustAnchor};

use crate::check::{self, Checked};
use crate::peers::tls_tool::{pem, scratch_dir, OPENSSL};
use crate::Case;

fn openssl(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// A CA with a `curve` key and a P-256 leaf for "localhost" that the CA
/// signs with ecdsa-with-`hash`: (CA DER, leaf DER), made in `dir`.
fn issue(dir: &Path, curve: &str, hash: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let curve_opt = format!("ec_paramgen_curve:{curve}");
    let digest = format!("-{hash}");
    #[rustfmt::skip]
    openssl(dir, &[
        "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", &curve_opt, "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Handshake openssl CA",
        "-days", "30", &digest,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign",
    ])?;
    #[rustfmt::skip]
    openssl(dir, &[
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost",
    ])?;
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    #[rustfmt::skip]
    openssl(dir, &[
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "30", &digest, "-extfile", "ext.cnf",
    ])?;
    let der = |name: &str| openssl(dir, &["x509", "-in", name, "-outform", "DER"]);
    Ok((der("ca.pem")?, der("leaf.pem")?))
}

/// Whether `openssl verify` accepts `leaf` under `ca` (both DER).
fn openssl_accepts(dir: &Path, ca: &[u8], leaf: &[u8]) -> Result<bool, String> {
    std::fs::write(dir.join("anchor.pem"), pem("CERTIFICATE", ca)).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("check.pem"), pem("CERTIFICATE", leaf)).map_err(|e| e.to_string())?;
    let st = Command::new("openssl")
        .args(["verify", "-CAfile", "anchor.pem", "check.pem"])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    Ok(st.status.success())
}

/// Flips a bit inside the leaf's serial number (the TBSCertificate's second
/// field, after the explicit version: 30 82 LL LL 30 82 LL LL A0 03 02 01
/// 02 02 len serial...), leaving the DER well formed.
pub(super) fn tamper_serial(der: &mut [u8]) -> Checked {
    check::ensure(
        der.len() > 20 && der[8..13] == [0xa0, 3, 2, 1, 2] && der[13] == 2 && der[14] >= 2,
        || "unexpected certificate layout".into(),
    )?;
    der[16] ^= 0x01;
    Ok(())
}

fn case(curve: &'static str, hash: &'static str) -> Checked {
    let dir = scratch_dir("p384-certs")?;
    let result = (|| {
        let (ca, leaf) = issue(&dir, curve, hash)?;
        // openssl's own certificates carry openssl's clock: check at its now.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let anchors = [TrustAnchor::from_der(&ca).map_err(|e| e.to_string())?];
        let name = ServerName::new("localhost");
        check::ensure(openssl_accepts(&dir, &ca, &leaf)?, || {
            "openssl verify refuses its own certificate".into()
        })?;
        verify_server_chain(std::slice::from_ref(&leaf), &anchors, &name, now)
            .map_err(|e| format!("ours refused openssl's {curve}/{hash} certificate: {e}"))?;
        let mut bad = leaf;
        tamper_serial(&mut bad)?;
        check::equal(
            "openssl verify on the changed certificate",
            openssl_accepts(&dir, &ca, &bad)?,
            false,
        )?;
        check::equal(
            "ours on the changed certificate",
            verify_server_chain(&[bad], &anchors, &name, now).err(),
            Some(CertError::BadSignature),
        )
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The `tls.p384.openssl-cert-*` cases.
pub(super) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (curve, tag) in [("P-384", "p384"), ("P-256", "p256")] {
        for hash in ["sha256", "sha384", "sha512"] {
            v.push(
                Case::must(
                    format!("tls.p384.openssl-cert-{tag}-issuer-ecdsa-with-{hash}"),
                    "RFC 5758 §3.2; RFC 5480 §2.1.1; RFC 5280 §6.1.3 (a)(1)",
                )
                .needs(&[OPENSSL])
                .interop_peer(move |_| case(curve, hash)),
            );
        }
    }
    v
}
