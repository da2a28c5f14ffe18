//! `crypto.gcm.*`: AES-GCM (SP 800-38D): the McGrew-Viega vectors, tag checks, and the hardware path against the portable one and ring.

use super::support::*;
use crate::check::unhex;
use crate::{check, Case, Outcome};
use handshake_crypto::{AesGcm, Backend, Error};

// ---------------------------------------------------------------- AES-GCM

/// McGrew-Viega test cases: (key, plaintext, aad, iv, ciphertext, tag).
fn gcm_kat(vectors: &[(&str, &str, &str, &str, &str, &str)]) -> Outcome {
    Outcome::from(vectors.iter().try_for_each(|&(key, pt, aad, iv, ct, tag)| {
        BACKENDS.iter().try_for_each(|&b| {
            let gcm = AesGcm::new_with_backend(b, &unhex(key)).map_err(|e| e.to_string())?;
            let mut buf = unhex(pt);
            let t = gcm
                .seal_in_place_detached_with_nonce(&unhex(iv), &unhex(aad), &mut buf)
                .map_err(|e| e.to_string())?;
            check::hex(&format!("ciphertext {b:?}"), &buf, ct)?;
            check::hex(&format!("tag {b:?}"), &t, tag)?;
            gcm.open_in_place_detached_with_nonce(&unhex(iv), &unhex(aad), &mut buf, &t)
                .map_err(|e| format!("open {b:?}: {e}"))?;
            check::hex(&format!("opened {b:?}"), &buf, pt)
        })
    }))
}

const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";

const GCM_A: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const GCM_K128: &str = "feffe9928665731c6d6a8f9467308308";

const GCM_K256: &str = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";

/// The `crypto.gcm.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.gcm.mcgrew-viega-zero", "SP 800-38D §7.1; McGrew-Viega test cases 1, 2, 13, 14").vector(|_| {
            gcm_kat(&[
                ("00000000000000000000000000000000", "", "", "000000000000000000000000", "", "58e2fccefa7e3061367f1d57a4e7455a"),
                ("00000000000000000000000000000000", "00000000000000000000000000000000", "", "000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
                ("0000000000000000000000000000000000000000000000000000000000000000", "", "", "000000000000000000000000", "", "530f8afbc74536b9a963b4f1c4cb738b"),
                ("0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "", "000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
            ])
        }),
        Case::must("crypto.gcm.aes128-96bit-iv", "SP 800-38D §7.1 (J0 = IV || 0^31 || 1); McGrew-Viega test cases 3, 4").vector(|_| {
            gcm_kat(&[
                (GCM_K128, "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", "", "cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4"),
                (GCM_K128, GCM_P, GCM_A, "cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"),
            ])
        }),
        Case::must("crypto.gcm.aes128-other-iv-lengths", "SP 800-38D §7.1 step 2 (J0 = GHASH(IV || 0^(s+64) || [len(IV)]64)); McGrew-Viega test cases 5, 6").vector(|_| {
            gcm_kat(&[
                (GCM_K128, GCM_P, GCM_A, "cafebabefacedbad", "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"),
                (GCM_K128, GCM_P, GCM_A, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"),
            ])
        }),
        Case::must("crypto.gcm.aes256-96bit-iv", "SP 800-38D §7.1; McGrew-Viega test cases 15, 16").vector(|_| {
            gcm_kat(&[
                (GCM_K256, "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", "", "cafebabefacedbaddecaf888", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad", "b094dac5d93471bdec1a502270e3cc6c"),
                (GCM_K256, GCM_P, GCM_A, "cafebabefacedbaddecaf888", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", "76fc6ece0f4e1768cddf8853bb2d551b"),
            ])
        }),
        Case::must("crypto.gcm.aes256-other-iv-lengths", "SP 800-38D §7.1 step 2; McGrew-Viega test cases 17, 18").vector(|_| {
            gcm_kat(&[
                (GCM_K256, GCM_P, GCM_A, "cafebabefacedbad", "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f", "3a337dbf46a792c45e454913fe2ea8f2"),
                (GCM_K256, GCM_P, GCM_A, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f", "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"),
            ])
        }),
        Case::must("crypto.gcm.zero-length-iv-rejected", "SP 800-38D §5.2.1.1 (1 <= len(IV))").vector(|_| {
            let g = gcm(Backend::auto(), &[0; 16]);
            let r = g.seal_in_place_detached_with_nonce(&[], b"", &mut []);
            check::ensure(r == Err(Error::InvalidNonceLength), || format!("empty IV gave {r:?}"))
        }),
        Case::must("crypto.gcm.aes128-differential-ring", "SP 800-38D §7.1, §7.2 (fast, portable and ring agree)").property(|ctx| {
            differential(ctx, AES128_GCM)
        }),
        Case::must("crypto.gcm.aes256-differential-ring", "SP 800-38D §7.1, §7.2 (fast, portable and ring agree)").property(|ctx| {
            differential(ctx, AES256_GCM)
        }),
        Case::must("crypto.gcm.tamper-rejected", "SP 800-38D §7.2 step 7 (FAIL unless T = T'); RFC 5116 §2.2").property(|ctx| {
            tamper(ctx, AES128_GCM)
        }),
        Case::must("crypto.gcm.every-length-0-4096", "SP 800-38D §6.5 (partial final block), every length 0..=4096").property(|ctx| {
            every_length(ctx, AES128_GCM)
        }),
    ]
}
