//! TLS 1.2 record protection: AES-GCM with a 4-byte implicit salt and an
//! 8-byte explicit nonce (RFC 5288 §3), ChaCha20-Poly1305 with the TLS 1.3
//! style nonce (RFC 7905 §2), and AES-CBC + HMAC-SHA256, MAC-then-encrypt
//! with an explicit IV (RFC 5246 §6.2.3.2). The content type travels in the
//! clear in the record header and is authenticated (§6.2.3.3: the additional
//! data is seq_num + type + version + length).

use handshake_crypto::cbc::{RecordHeader, TlsCbcHmacSha256};
use handshake_crypto::{Aead, Aes, AesGcm, ChaCha20Poly1305};
use zeroize::Zeroizing;

use crate::record::{
    extend_in_pieces, record_nonce, ContentType, Header, HEADER_LEN, MAX_PLAINTEXT,
};
use crate::Error;

use super::suites::BulkCipher;

/// The record version of TLS 1.2 (RFC 5246 §6.2.1).
const VERSION: u16 = 0x0303;

#[derive(Clone)]
enum Cipher {
    Gcm {
        aead: Box<AesGcm>,
        salt: [u8; 4],
    },
    ChaCha {
        aead: ChaCha20Poly1305,
        iv: Zeroizing<[u8; 12]>,
    },
    // The IV generator is AES under a key drawn from the caller's RNG: each
    // record's IV is E(iv_key, seq), unpredictable to anyone without iv_key
    // (RFC 5246 §6.2.3.2 requires an unpredictable IV) and no RNG needed per
    // record in a sans-IO machine.
    Cbc {
        prot: Box<TlsCbcHmacSha256>,
        iv_gen: Box<Aes>,
    },
}

/// One direction's TLS 1.2 record protection and its sequence number
/// (RFC 5246 §6.1: reset to zero at each ChangeCipherSpec).
#[derive(Clone)]
pub struct RecordKeys12 {
    cipher: Cipher,
    seq: u64,
}

impl core::fmt::Debug for RecordKeys12 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordKeys12")
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// The additional data of an AEAD record and the MAC input of a CBC one:
/// seq_num(8) + type(1) + version(2) + length(2) (RFC 5246 §6.2.3.3).
pub fn additional_data(seq: u64, typ: u8, len: usize) -> [u8; 13] {
    let mut a = [0u8; 13];
    a[..8].copy_from_slice(&seq.to_be_bytes());
    a[8] = typ;
    a[9..11].copy_from_slice(&VERSION.to_be_bytes());
    a[11..].copy_from_slice(&(len as u16).to_be_bytes());
    a
}

impl RecordKeys12 {
    /// Keys for `bulk` from one side's part of the key block. `iv_seed` (16
    /// bytes from the caller's RNG) keys the CBC IV generator; AEAD suites
    /// ignore it. Key lengths come from [`BulkCipher::key_block_lengths`].
    pub fn new(
        bulk: BulkCipher,
        mac_key: &[u8],
        key: &[u8],
        iv: &[u8],
        iv_seed: &[u8; 16],
    ) -> Result<Self, Error> {
        let cipher = match bulk {
            BulkCipher::Aes128Gcm | BulkCipher::Aes256Gcm => {
                let mut salt = [0u8; 4];
                salt.copy_from_slice(iv.get(..4).ok_or(Error::Config("GCM salt"))?);
                Cipher::Gcm {
                    aead: Box::new(AesGcm::new(key).map_err(Error::Crypto)?),
                    salt,
                }
            }
            BulkCipher::ChaCha20Poly1305 => {
                let mut n = Zeroizing::new([0u8; 12]);
                n.copy_from_slice(iv.get(..12).ok_or(Error::Config("ChaCha20 IV"))?);
                Cipher::ChaCha {
                    aead: ChaCha20Poly1305::new(key).map_err(Error::Crypto)?,
                    iv: n,
                }
            }
            BulkCipher::Aes128CbcSha256 | BulkCipher::Aes256CbcSha256 => Cipher::Cbc {
                prot: Box::new(TlsCbcHmacSha256::new(key, mac_key).map_err(Error::Crypto)?),
                iv_gen: Box::new(Aes::new(iv_seed).map_err(Error::Crypto)?),
            },
        };
        Ok(RecordKeys12 { cipher, seq: 0 })
    }

    /// The next record's sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    fn next_seq(&mut self) -> Result<u64, Error> {
        // RFC 5246 §6.1: sequence numbers MUST NOT wrap; renegotiate or close.
        if self.seq == u64::MAX {
            return Err(Error::SequenceExhausted);
        }
        let s = self.seq;
        self.seq += 1;
        Ok(s)
    }

    /// Protects one record of `typ` (at most 2^14 bytes of content) and
    /// returns it with its header.
    pub fn seal(&mut self, typ: ContentType, content: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.seal_into(typ, content, &mut out)?;
        Ok(out)
    }

    /// [`RecordKeys12::seal`], appending the record to `out`. The AEAD
    /// suites copy the content once, into place, and encrypt it there. On
    /// error `out` is as it was.
    pub fn seal_into(
        &mut self,
        typ: ContentType,
        content: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if content.len() > MAX_PLAINTEXT {
            return Err(Error::RecordOverflow { len: content.len() });
        }
        let seq = self.next_seq()?;
        let aad = additional_data(seq, typ.to_u8(), content.len());
        let start = out.len();
        let header = |len| {
            Header {
                typ,
                version: VERSION,
                len,
            }
            .encode()
        };
        let sealed = match &self.cipher {
            Cipher::Gcm { aead, salt } => {
                // RFC 5288 §3: nonce = salt(4) || nonce_explicit(8); the
                // explicit part is the sequence number, never repeated.
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(salt);
                nonce[4..].copy_from_slice(&seq.to_be_bytes());
                out.reserve(HEADER_LEN + 8 + content.len() + 16);
                out.extend_from_slice(&header(8 + content.len() + 16));
                out.extend_from_slice(&seq.to_be_bytes());
                extend_in_pieces(out, content);
                aead.seal_in_place_detached(&nonce, &aad, &mut out[start + HEADER_LEN + 8..])
            }
            Cipher::ChaCha { aead, iv } => {
                let nonce = record_nonce(iv, seq);
                out.reserve(HEADER_LEN + content.len() + 16);
                out.extend_from_slice(&header(content.len() + 16));
                extend_in_pieces(out, content);
                aead.seal_in_place_detached(&nonce, &aad, &mut out[start + HEADER_LEN..])
            }
            Cipher::Cbc { prot, iv_gen } => {
                let mut iv = [0u8; 16];
                iv[8..].copy_from_slice(&seq.to_be_bytes());
                iv_gen.encrypt_block(&mut iv);
                let hdr = RecordHeader {
                    seq_num: seq,
                    content_type: typ.to_u8(),
                    version: VERSION.to_be_bytes(),
                };
                let frag = prot.seal(&hdr, &iv, content);
                out.extend_from_slice(&header(frag.len()));
                out.extend_from_slice(&frag);
                return Ok(());
            }
        };
        match sealed {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(Error::Crypto(e))
            }
        }
    }

    /// Deprotects one record. Every failure, a bad tag, a bad MAC, bad CBC
    /// padding or a short fragment, is the same [`Error::BadRecordMac`]
    /// (RFC 5246 §6.2.3.2, §7.2.2: no padding oracle).
    pub fn open(&mut self, header: &Header, mut frag: Vec<u8>) -> Result<Vec<u8>, Error> {
        let seq = self.next_seq()?;
        let typ = header.typ.to_u8();
        let content = match &self.cipher {
            Cipher::Gcm { aead, salt } => {
                if frag.len() < 8 + 16 {
                    return Err(Error::BadRecordMac);
                }
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(salt);
                nonce[4..].copy_from_slice(&frag[..8]);
                let n = frag.len() - 16;
                let aad = additional_data(seq, typ, n - 8);
                let (body, tag) = frag.split_at_mut(n);
                aead.open_in_place_detached(&nonce, &aad, &mut body[8..], tag)
                    .map_err(|_| Error::BadRecordMac)?;
                frag.truncate(n);
                frag.drain(..8);
                frag
            }
            Cipher::ChaCha { aead, iv } => {
                if frag.len() < 16 {
                    return Err(Error::BadRecordMac);
                }
                let nonce = record_nonce(iv, seq);
                let n = frag.len() - 16;
                let aad = additional_data(seq, typ, n);
                let (body, tag) = frag.split_at_mut(n);
                aead.open_in_place_detached(&nonce, &aad, body, tag)
                    .map_err(|_| Error::BadRecordMac)?;
                frag.truncate(n);
                frag
            }
            Cipher::Cbc { prot, .. } => {
                let hdr = RecordHeader {
                    seq_num: seq,
                    content_type: typ,
                    version: VERSION.to_be_bytes(),
                };
                prot.open(&hdr, &frag).map_err(|_| Error::BadRecordMac)?
            }
        };
        // RFC 5246 §6.2.3: a TLSCompressed.length (here the plaintext, no
        // compression) over 2^14 is record_overflow.
        if content.len() > MAX_PLAINTEXT {
            return Err(Error::RecordOverflow { len: content.len() });
        }
        Ok(content)
    }
}
