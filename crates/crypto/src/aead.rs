//! The AEAD interface the TLS record layer uses (RFC 5116).

use alloc::vec::Vec;

use crate::Error;

/// An authenticated cipher with associated data (RFC 5116 §2), 96-bit nonces and
/// 128-bit tags: AES-GCM and ChaCha20-Poly1305, the TLS 1.2 and 1.3 record ciphers.
///
/// ```
/// use handshake_crypto::{Aead, ChaCha20Poly1305};
/// let aead = ChaCha20Poly1305::new(&[9u8; 32]).unwrap();
/// let mut buf = *b"attack at dawn";
/// let tag = aead.seal_in_place_detached(&[0u8; 12], b"aad", &mut buf).unwrap();
/// assert!(aead.open_in_place_detached(&[0u8; 12], b"aad", &mut buf, &tag).is_ok());
/// assert_eq!(&buf, b"attack at dawn");
/// ```
pub trait Aead {
    /// Nonce length in bytes (N_MIN = N_MAX = 12 in RFC 5116 terms).
    const NONCE_LEN: usize = 12;
    /// Tag length in bytes.
    const TAG_LEN: usize = 16;

    /// Makes a keyed instance; fails on a key of the wrong length.
    fn new(key: &[u8]) -> Result<Self, Error>
    where
        Self: Sized;

    /// Encrypts `in_out` in place and returns the tag over `aad` and the ciphertext.
    /// A message longer than the algorithm allows (AES-GCM: 2^36 - 32 bytes, SP
    /// 800-38D §5.2.1.1; ChaCha20-Poly1305: 2^38 - 64 bytes, RFC 8439 §2.8) is
    /// [`Error::InvalidLength`], with `in_out` untouched; sealing never panics.
    fn seal_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error>;

    /// Checks `tag` in constant time and, only when it is right, decrypts `in_out` in
    /// place. On failure `in_out` still holds the ciphertext and the error is
    /// [`Error::AuthenticationFailed`].
    fn open_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error>;

    /// Returns ciphertext || tag; fails as [`Aead::seal_in_place_detached`] does.
    fn seal(&self, nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(plaintext.len() + 16);
        out.extend_from_slice(plaintext);
        let tag = self.seal_in_place_detached(nonce, aad, &mut out)?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Opens ciphertext || tag and returns the plaintext.
    fn open(&self, nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Error> {
        if sealed.len() < 16 {
            return Err(Error::AuthenticationFailed);
        }
        let (ct, tag) = sealed.split_at(sealed.len() - 16);
        let mut out = ct.to_vec();
        self.open_in_place_detached(nonce, aad, &mut out, tag)?;
        Ok(out)
    }

    /// Opens ciphertext || tag in place; returns the plaintext part of `in_out`.
    fn open_in_place<'a>(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &'a mut [u8],
    ) -> Result<&'a mut [u8], Error> {
        if in_out.len() < 16 {
            return Err(Error::AuthenticationFailed);
        }
        let n = in_out.len() - 16;
        let (ct, tag) = in_out.split_at_mut(n);
        let tag: [u8; 16] = (&*tag).try_into().expect("16 bytes");
        self.open_in_place_detached(nonce, aad, ct, &tag)?;
        Ok(ct)
    }
}
