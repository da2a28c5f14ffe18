//! Our client against our server in memory: the crate's private smoke test
//! (the conformance suite holds the RFC cases and the rustls interop).

use std::sync::Arc;

use handshake_crypto::{P256SecretKey, PrivateKey};
use handshake_tls::{
    ClientConfig, ClientConnection, Event, ServerConfig, ServerConnection, TrustAnchor,
};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// A self-signed P-256 certificate made with x509-cert's builder would need
/// a signer; this test instead checks only the parts that need no
/// certificate: the ClientHello parses back and a server with no common
/// suite answers handshake_failure.
#[test]
fn no_common_suite_is_handshake_failure() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let key = PrivateKey::P256(P256SecretKey::generate(&mut rng));
    let pkcs8 = key.to_pkcs8_der();
    let mut sc = ServerConfig::new(vec![vec![0x30, 0]], &pkcs8).unwrap();
    sc.cipher_suites = vec![handshake_tls::CipherSuite::Aes256GcmSha384];
    let mut cc = ClientConfig::new(Vec::<TrustAnchor>::new());
    cc.cipher_suites = vec![handshake_tls::CipherSuite::Aes128GcmSha256];
    let mut client = ClientConnection::new(
        Arc::new(cc),
        "localhost",
        0,
        Box::new(ChaCha20Rng::seed_from_u64(2)),
    )
    .unwrap();
    let mut server =
        ServerConnection::new(Arc::new(sc), Box::new(ChaCha20Rng::seed_from_u64(3))).unwrap();
    let hello = client.poll_transmit().unwrap();
    let err = server.read_tls(&hello).unwrap_err();
    assert_eq!(err, handshake_tls::Error::NoCommonCipherSuite);
    let alert = server.poll_transmit().unwrap();
    assert_eq!(alert, vec![21, 3, 3, 0, 2, 2, 40]);
    assert_eq!(
        client.read_tls(&alert).unwrap_err(),
        handshake_tls::Error::PeerAlert(handshake_tls::AlertDescription::HandshakeFailure)
    );
    assert!(client
        .poll_event()
        .is_none_or(|e| e != Event::HandshakeComplete));
}

mod arbitrary {
    use handshake_tls::extensions::{parse_block, typ, Context, Extension};
    use handshake_tls::msgs::HandshakeMessage;
    use handshake_tls::record::Deframer;
    use proptest::prelude::*;

    proptest! {
        /// Parsers take any bytes without panicking; what parses round-trips.
        #[test]
        fn parsers_never_panic(typ in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(m) = HandshakeMessage::parse(typ, &body) {
                let again = m.encode();
                prop_assert_eq!(HandshakeMessage::parse(again[0], &again[4..]).ok(), Some(m));
            }
            // The TLS 1.2 shapes (CertificateRequest, RFC 5246 §7.4.4, among them).
            if let Ok(m) = HandshakeMessage::parse_tls12(typ, &body) {
                let again = m.encode();
                prop_assert_eq!(HandshakeMessage::parse_tls12(again[0], &again[4..]).ok(), Some(m));
            }
            for ctx in [Context::ClientHello, Context::ServerHello, Context::HelloRetryRequest,
                        Context::EncryptedExtensions, Context::Certificate, Context::NewSessionTicket,
                        Context::CertificateRequest] {
                let _ = parse_block(&body, ctx);
            }
            // pre_shared_key (RFC 8446 §4.2.11) in both messages that carry
            // it: never a panic, and what parses round-trips.
            for ctx in [Context::ClientHello, Context::ServerHello] {
                if let Ok(e) = Extension::parse(typ::PRE_SHARED_KEY, &body, ctx) {
                    let mut out = Vec::new();
                    e.emit(&mut out);
                    prop_assert_eq!(Extension::parse(typ::PRE_SHARED_KEY, &out[4..], ctx).ok(), Some(e));
                }
            }
            // certificate_authorities (RFC 8446 §4.2.4) where it may appear.
            for ctx in [Context::ClientHello, Context::CertificateRequest] {
                if let Ok(e) = Extension::parse(typ::CERTIFICATE_AUTHORITIES, &body, ctx) {
                    let mut out = Vec::new();
                    e.emit(&mut out);
                    prop_assert_eq!(Extension::parse(typ::CERTIFICATE_AUTHORITIES, &out[4..], ctx).ok(), Some(e));
                }
            }
            let mut d = Deframer::default();
            d.push(&body);
            for _ in 0..body.len() {
                match d.pop() {
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
            prop_assert!(d.buffered() <= body.len());
        }

        /// `Deframer::next` over a stream cut at arbitrary points gives the
        /// records, or the first error, that `push` of the whole stream and
        /// `pop` give, and never buffers more than one record.
        #[test]
        fn deframer_next_any_split(
            records in proptest::collection::vec((20u8..=24, proptest::collection::vec(any::<u8>(), 0..40)), 0..6),
            cuts in proptest::collection::vec(0usize..400, 0..8),
            junk in proptest::collection::vec(any::<u8>(), 0..8),
        ) {
            let mut stream = Vec::new();
            for (typ, body) in &records {
                stream.extend_from_slice(&[*typ, 3, 3, 0, body.len() as u8]);
                stream.extend_from_slice(body);
            }
            stream.extend_from_slice(&junk);
            let mut whole = Deframer::default();
            whole.set_max_fragment(32);
            whole.push(&stream);
            let mut want = Vec::new();
            let want_err = loop {
                match whole.pop() {
                    Ok(Some(r)) => want.push(r),
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(stream.len())).collect();
            cuts.push(stream.len());
            cuts.sort_unstable();
            let mut split = Deframer::default();
            split.set_max_fragment(32);
            let (mut got, mut got_err, mut at) = (Vec::new(), None, 0);
            'feed: for cut in cuts {
                let mut input = &stream[at..cut];
                at = cut;
                loop {
                    match split.next(&mut input) {
                        Ok(Some(r)) => got.push(r),
                        Ok(None) => break,
                        Err(e) => { got_err = Some(e); break 'feed; }
                    }
                    prop_assert!(split.buffered() <= 5 + 32);
                }
                prop_assert!(input.is_empty());
            }
            prop_assert_eq!(got, want);
            prop_assert_eq!(got_err, want_err);
        }
    }
}
