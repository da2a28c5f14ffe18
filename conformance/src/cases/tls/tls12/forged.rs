//! `tls.tls12.*` cases that need records the test makes itself: a
//! renegotiation attempt each way, the RSA pre-master secret's implicit
//! rejection, and the TLS 1.2 record length limit. The records are built and
//! read by an independent TLS 1.2 AES-GCM record layer written here on
//! handshake-crypto (RFC 5246 §6.3, RFC 5288 §3, RFC 7627 §4), not by
//! handshake-tls.

use std::sync::Arc;

use handshake_crypto::{prf, Aead, AesGcm, PrivateKey, Sha256};
use handshake_tls::{
    AlertDescription as A, ClientConnection, Error, Event, ServerConnection, Tls12Suite,
};

use super::super::support::{self, pki_for, run_pair, send_one_way, Dir, MemoryKeyLog};
use super::{pair12, s, ECDSA128};
use crate::check::{self, Checked};
use crate::Case;

/// An independent TLS 1.2 AES-128-GCM record layer for forging and reading
/// records in the cases below: the key block and records computed with
/// handshake-crypto's PRF and AES-GCM from RFC 5246 §6.3 and RFC 5288 §3,
/// not with handshake-tls's code.
struct Gcm12 {
    key: Vec<u8>,
    salt: Vec<u8>,
}

impl Gcm12 {
    /// (client write, server write) from the master secret and randoms.
    fn pair(master: &[u8], cr: &[u8], sr: &[u8]) -> (Gcm12, Gcm12) {
        let mut kb = [0u8; 40];
        prf::tls12_prf_sha256(master, b"key expansion", &[sr, cr].concat(), &mut kb);
        (
            Gcm12 {
                key: kb[..16].to_vec(),
                salt: kb[32..36].to_vec(),
            },
            Gcm12 {
                key: kb[16..32].to_vec(),
                salt: kb[36..40].to_vec(),
            },
        )
    }

    fn aad(seq: u64, typ: u8, len: usize) -> Vec<u8> {
        let mut a = seq.to_be_bytes().to_vec();
        a.extend_from_slice(&[typ, 3, 3]);
        a.extend_from_slice(&(len as u16).to_be_bytes());
        a
    }

    fn seal(&self, seq: u64, typ: u8, content: &[u8]) -> Vec<u8> {
        let nonce: [u8; 12] = [&self.salt[..], &seq.to_be_bytes()]
            .concat()
            .try_into()
            .unwrap_or([0; 12]);
        let mut body = content.to_vec();
        let tag = AesGcm::new(&self.key)
            .and_then(|g| {
                g.seal_in_place_detached(&nonce, &Self::aad(seq, typ, content.len()), &mut body)
            })
            .unwrap_or([0; 16]);
        let mut rec = vec![typ, 3, 3];
        rec.extend_from_slice(&((8 + body.len() + 16) as u16).to_be_bytes());
        rec.extend_from_slice(&seq.to_be_bytes());
        rec.extend_from_slice(&body);
        rec.extend_from_slice(&tag);
        rec
    }

    /// Opens one whole record at `seq`: (type, content).
    fn open(&self, seq: u64, rec: &[u8]) -> Result<(u8, Vec<u8>), String> {
        if rec.len() < 5 + 8 + 16 {
            return Err(format!("record too short: {rec:02x?}"));
        }
        let nonce: [u8; 12] = [&self.salt[..], &rec[5..13]]
            .concat()
            .try_into()
            .unwrap_or([0; 12]);
        let n = rec.len() - 16;
        let mut body = rec[13..n].to_vec();
        let aad = Self::aad(seq, rec[0], body.len());
        AesGcm::new(&self.key)
            .map_err(|e| e.to_string())?
            .open_in_place_detached(&nonce, &aad, &mut body, &rec[n..])
            .map_err(|_| "the independent record layer could not open the record".to_string())?;
        Ok((rec[0], body))
    }
}

/// The handshake messages of a plaintext flight (its handshake records'
/// payloads, concatenated).
fn handshake_bytes(flight: &[u8]) -> Vec<u8> {
    support::records(flight)
        .iter()
        .filter(|r| r[0] == 22)
        .flat_map(|r| r[5..].to_vec())
        .collect()
}

/// A TLS 1.2 ECDHE pair run to completion with the client's key log on:
/// the pair, the client's and server's write keys (independently derived),
/// and the first ClientHello message.
fn connected12() -> Result<(ClientConnection, ServerConnection, Gcm12, Gcm12, Vec<u8>), String> {
    let p = pki_for(ECDSA128)?;
    let log = Arc::new(MemoryKeyLog::default());
    let l = log.clone();
    let (mut c, mut sv) = pair12(&p, ECDSA128, move |cc, _| cc.key_log = Some(l))?;
    let (mut cr, mut sr, mut ch) = (None, None, None);
    let run = run_pair(&mut c, &mut sv, |d, b| {
        if b.len() > 43 && b[0] == 22 && b[5] == if d == Dir::ToServer { 1 } else { 2 } {
            let r = Some(b[11..43].to_vec());
            match d {
                Dir::ToServer if cr.is_none() => {
                    cr = r;
                    ch = Some(handshake_bytes(b));
                }
                Dir::ToClient if sr.is_none() => sr = r,
                _ => {}
            }
        }
    });
    check::equal("handshake", (run.client_err, run.server_err), (None, None))?;
    let master = log
        .get("CLIENT_RANDOM")
        .ok_or("no CLIENT_RANDOM in the key log")?;
    let (cr, sr, ch) = (
        cr.ok_or("no ClientHello")?,
        sr.ok_or("no ServerHello")?,
        ch.ok_or("no ClientHello")?,
    );
    let (cw, sw) = Gcm12::pair(&master, &cr, &sr);
    Ok((c, sv, cw, sw, ch))
}

fn renegotiation_refused_by_client() -> Checked {
    let (mut c, mut sv, cw, sw, _) = connected12()?;
    // A HelloRequest (type 0, empty) from the server, under the server's
    // keys at its next sequence number (1: Finished was 0).
    c.read_tls(&sw.seal(1, 22, &[0, 0, 0, 0])).map_err(s)?;
    let out = c.poll_transmit().ok_or("client answered nothing")?;
    check::equal(
        "client's answer (alert record: warning, no_renegotiation)",
        cw.open(1, &out)?,
        (21, vec![1, A::NoRenegotiation.to_u8()]),
    )?;
    // The connection goes on: the server reads the warning and then data.
    sv.read_tls(&out).map_err(s)?;
    send_one_way(
        &mut c,
        &mut sv,
        Dir::ToServer,
        b"still here",
        "server received after the refusal",
    )?;
    Ok(())
}

fn renegotiation_refused_by_server() -> Checked {
    let (mut c, mut sv, cw, sw, ch) = connected12()?;
    // The client's first ClientHello again, now under the client's keys: a
    // renegotiation attempt.
    sv.read_tls(&cw.seal(1, 22, &ch)).map_err(s)?;
    let out = sv.poll_transmit().ok_or("server answered nothing")?;
    check::equal(
        "server's answer (alert record: warning, no_renegotiation)",
        sw.open(1, &out)?,
        (21, vec![1, A::NoRenegotiation.to_u8()]),
    )?;
    c.read_tls(&out).map_err(s)?;
    send_one_way(
        &mut c,
        &mut sv,
        Dir::ToClient,
        b"still here",
        "client received after the refusal",
    )?;
    Ok(())
}

/// The client's second flight replaced by ours: ClientKeyExchange carrying
/// `cke_ct` (or the RSA encryption of `pms` when given), ChangeCipherSpec,
/// and a Finished computed from `pms` with the extended master secret. The
/// server's error, if any, and whether it completed.
fn forged_rsa_flight(pms: &[u8], raw_ct: Option<Vec<u8>>) -> Result<(Option<Error>, bool), String> {
    let suite = Tls12Suite::RsaWithAes128GcmSha256;
    let p = pki_for(suite)?;
    let PrivateKey::Rsa(key) = PrivateKey::from_pkcs8_der(&p.key_pkcs8).map_err(s)? else {
        return Err("fixture key is not RSA".into());
    };
    let ct = match raw_ct {
        Some(ct) => ct,
        None => key
            .public_key()
            .encrypt_pkcs1v15(&mut *support::rng(41), pms)
            .map_err(s)?,
    };
    let (mut c, mut sv) = pair12(&p, suite, |_, _| {})?;
    let hello = c.poll_transmit().ok_or("no ClientHello")?;
    sv.read_tls(&hello).map_err(s)?;
    let flight = sv.poll_transmit().ok_or("no server flight")?;
    let sh = support::records(&flight)
        .into_iter()
        .find(|r| r[0] == 22 && r[5] == 2)
        .ok_or("no ServerHello")?;
    let (cr, sr) = (hello[11..43].to_vec(), sh[11..43].to_vec());
    let mut cke = vec![16u8, 0, 0, (ct.len() + 2) as u8];
    cke[2] = ((ct.len() + 2) >> 8) as u8;
    cke[3] = (ct.len() + 2) as u8;
    cke.extend_from_slice(&(ct.len() as u16).to_be_bytes());
    cke.extend_from_slice(&ct);
    let mut transcript = handshake_bytes(&hello);
    transcript.extend(handshake_bytes(&flight));
    transcript.extend_from_slice(&cke);
    // RFC 7627 §4: master = PRF(pms, "extended master secret", session_hash).
    let mut master = [0u8; 48];
    prf::tls12_prf_sha256(
        pms,
        b"extended master secret",
        Sha256::digest(&transcript).as_ref(),
        &mut master,
    );
    let mut vd = [0u8; 12];
    prf::tls12_prf_sha256(
        &master,
        b"client finished",
        Sha256::digest(&transcript).as_ref(),
        &mut vd,
    );
    let (cw, _) = Gcm12::pair(&master, &cr, &sr);
    let mut out = vec![22, 3, 3];
    out.extend_from_slice(&(cke.len() as u16).to_be_bytes());
    out.extend_from_slice(&cke);
    out.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
    out.extend(cw.seal(0, 22, &[&[20u8, 0, 0, 12][..], &vd].concat()));
    let r = sv.read_tls(&out);
    let done = matches!(sv.poll_event(), Some(Event::HandshakeComplete));
    Ok((r.err(), done))
}

fn pms_implicit_rejection() -> Checked {
    let mut good = vec![3u8, 3];
    good.extend(100u8..146);
    // The harness is right: a well-formed pre-master secret completes.
    check::equal(
        "well-formed PMS",
        forged_rsa_flight(&good, None)?,
        (None, true),
    )?;
    // RFC 5246 §7.4.7.1: a version other than the offered one, a bad
    // padding (a ciphertext that is not a PKCS#1 encryption) and a wrong
    // length all continue with a random PMS: the Finished that follows fails
    // the same way, with no alert of their own.
    let mut rollback = good.clone();
    rollback[1] = 2;
    let (e_version, _) = forged_rsa_flight(&rollback, None)?;
    let mut garbage = vec![0u8; 256];
    garbage[1..]
        .iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = (i * 31 + 7) as u8);
    let (e_padding, _) = forged_rsa_flight(&good, Some(garbage))?;
    let (e_length, _) = forged_rsa_flight(&good[..47], None)?;
    check::equal(
        "version rollback",
        e_version.clone(),
        Some(Error::BadRecordMac),
    )?;
    check::equal("bad padding, same error", e_padding, e_version.clone())?;
    check::equal("47-byte PMS, same error", e_length, e_version)?;
    check::equal(
        "its alert",
        Error::BadRecordMac.alert(),
        Some(A::BadRecordMac),
    )
}

fn record_limit() -> Checked {
    // RFC 5246 §6.2.3: TLSCiphertext.length up to 2^14 + 2048 is a record
    // (here one that fails to authenticate); beyond it, record_overflow.
    let (mut c, _, _, _, _) = connected12()?;
    let mut rec = vec![23, 3, 3];
    rec.extend_from_slice(&((1u16 << 14) + 2048).to_be_bytes());
    rec.resize(5 + (1 << 14) + 2048, 0x42);
    check::equal(
        "2^14 + 2048",
        c.read_tls(&rec).err(),
        Some(Error::BadRecordMac),
    )?;
    let (mut c, _, cw, _, _) = connected12()?;
    let header = [23, 3, 3, 0x48, 0x01]; // 2^14 + 2049
    check::equal(
        "2^14 + 2049",
        c.read_tls(&header).err(),
        Some(Error::RecordOverflow {
            len: (1 << 14) + 2049,
        }),
    )?;
    let alert = c.poll_transmit().ok_or("no alert sent")?;
    check::equal(
        "alert sent (fatal, record_overflow)",
        cw.open(1, &alert)?,
        (21, vec![2, A::RecordOverflow.to_u8()]),
    )
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tls.tls12.renegotiation-refused-by-client",
            "RFC 5246 §7.4.1.1, §7.2.2; RFC 5746 §4.2 (no_renegotiation)",
        )
        .simulation(|_| renegotiation_refused_by_client()),
        Case::must(
            "tls.tls12.renegotiation-refused-by-server",
            "RFC 5746 §4.4; RFC 5246 §7.2.2 (no_renegotiation)",
        )
        .simulation(|_| renegotiation_refused_by_server()),
        Case::must(
            "tls.tls12.pms-implicit-rejection",
            "RFC 5246 §7.4.7.1 (no distinct alert)",
        )
        .simulation(|_| pms_implicit_rejection()),
        Case::must(
            "tls.tls12.record-length-limit",
            "RFC 5246 §6.2.3 (record_overflow)",
        )
        .simulation(|_| record_limit()),
    ]
}
