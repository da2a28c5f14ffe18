//! Post-handshake client authentication (RFC 8446 §4.6.2, §4.2.6) and
//! certificate_authorities (§4.2.4), our client against our server in
//! memory. The RFC cases with their alerts and the OpenSSL interop live in
//! the conformance suite (`tls.pha.*`, `tls.authorities.*`).

use std::sync::Arc;

use handshake_tls::{
    AlertDescription, ClientAuth, ClientConfig, ClientConnection, Error, Event, ServerConfig,
    ServerConnection, TraceLine, TrustAnchor,
};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// 2026-01-01, inside every certificate's validity.
const NOW: u64 = 1_767_225_600;

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn params(names: Vec<String>, cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(names).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2040, 1, 1);
    p
}

fn ca(cn: &str) -> Ca {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = params(Vec::new(), cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let cert = p.self_signed(&key).unwrap();
    Ca { cert, key }
}

/// A leaf issued by `ca`: chain (leaf only) and PKCS#8 key.
fn leaf(ca: &Ca, name: &str, eku: ExtendedKeyUsagePurpose) -> (Vec<Vec<u8>>, Vec<u8>) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = params(vec![name.to_string()], name);
    p.extended_key_usages = vec![eku];
    let cert = p.signed_by(&key, &ca.cert, &ca.key).unwrap();
    (vec![cert.der().to_vec()], key.serialize_der())
}

fn anchor(ca: &Ca) -> TrustAnchor {
    TrustAnchor::from_der(ca.cert.der()).unwrap()
}

fn rng(seed: u64) -> Box<ChaCha20Rng> {
    Box::new(ChaCha20Rng::seed_from_u64(seed))
}

#[derive(Default, Debug)]
struct Run {
    client_err: Option<Error>,
    server_err: Option<Error>,
    client_events: Vec<Event>,
    server_events: Vec<Event>,
}

fn pump(c: &mut ClientConnection, s: &mut ServerConnection) -> Run {
    let mut run = Run::default();
    for _ in 0..32 {
        let mut moved = false;
        if let Some(b) = c.poll_transmit() {
            moved = true;
            if let Err(e) = s.read_tls(&b) {
                run.server_err.get_or_insert(e);
            }
        }
        if let Some(b) = s.poll_transmit() {
            moved = true;
            if let Err(e) = c.read_tls(&b) {
                run.client_err.get_or_insert(e);
            }
        }
        run.client_events
            .extend(std::iter::from_fn(|| c.poll_event()));
        run.server_events
            .extend(std::iter::from_fn(|| s.poll_event()));
        if !moved {
            break;
        }
    }
    run
}

struct Setup {
    server_ca: Ca,
    client_ca: Ca,
}

impl Setup {
    fn new() -> Self {
        Setup {
            server_ca: ca("PHA test server CA"),
            client_ca: ca("PHA test client CA"),
        }
    }

    /// A connected pair: the client offers post_handshake_auth when
    /// `offer`, the server asks only after the handshake, trusting the
    /// client CA; `tweak` adjusts both configs.
    fn pair(
        &self,
        offer: bool,
        tweak: impl FnOnce(&mut ClientConfig, &mut ServerConfig),
    ) -> (ClientConnection, ServerConnection) {
        let (chain, key) = leaf(
            &self.server_ca,
            "localhost",
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let mut sc = ServerConfig::new(chain, &key).unwrap();
        let mut auth = ClientAuth::new(vec![anchor(&self.client_ca)]);
        auth.post_handshake_only = true;
        sc.client_auth = Some(auth);
        sc.trace = true;
        let mut cc = ClientConfig::new(vec![anchor(&self.server_ca)]);
        cc.post_handshake_auth = offer;
        cc.trace = true;
        tweak(&mut cc, &mut sc);
        let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, rng(1)).unwrap();
        let mut s = ServerConnection::new_at(Arc::new(sc), NOW, rng(2)).unwrap();
        let run = pump(&mut c, &mut s);
        assert_eq!((&run.client_err, &run.server_err), (&None, &None));
        assert!(run.server_events.contains(&Event::HandshakeComplete));
        (c, s)
    }

    fn client_cert(&self) -> (Vec<Vec<u8>>, Vec<u8>) {
        leaf(
            &self.client_ca,
            "client.test",
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    }
}

fn traced(lines: &[TraceLine], needle: &str) -> bool {
    lines.iter().any(|l| l.to_string().contains(needle))
}

#[test]
fn post_handshake_auth_with_data_interleaved() {
    let t = Setup::new();
    let (chain, key) = t.client_cert();
    let (mut c, mut s) = t.pair(true, |cc, _| {
        cc.set_client_cert(chain.clone(), &key).unwrap()
    });
    // `post_handshake_only`: the handshake asked for nothing.
    assert!(!traced(s.trace(), "-> CertificateRequest"));
    assert_eq!(s.client_certificates(), None);

    assert_eq!(s.request_client_auth(), Ok(1));
    assert!(s.client_auth_pending());
    // Data queued behind the request, and data from the client before it
    // reads the request: records of both kinds cross.
    s.send(b"from the server").unwrap();
    c.send(b"from the client").unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!((&run.client_err, &run.server_err), (&None, &None));
    assert_eq!(
        run.client_events,
        vec![Event::ApplicationData(b"from the server".to_vec())]
    );
    assert_eq!(
        run.server_events,
        vec![
            Event::ApplicationData(b"from the client".to_vec()),
            Event::ClientAuthenticated {
                request: 1,
                certificate: true
            }
        ]
    );
    assert!(!s.client_auth_pending());
    assert_eq!(s.client_certificates(), Some(&chain[..]));
    assert!(traced(c.trace(), "<- CertificateRequest context=32 bytes"));
    assert!(traced(
        s.trace(),
        "<- Certificate 1 certificate(s) context=32 bytes"
    ));
    assert!(traced(s.trace(), "<- CertificateVerify"));
    assert!(traced(
        s.trace(),
        "post-handshake authentication 1 complete"
    ));

    // A second request after the first completed, then data both ways.
    assert_eq!(s.request_client_auth(), Ok(2));
    c.send(b"again").unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!((&run.client_err, &run.server_err), (&None, &None));
    assert_eq!(
        run.server_events,
        vec![
            Event::ApplicationData(b"again".to_vec()),
            Event::ClientAuthenticated {
                request: 2,
                certificate: true
            }
        ]
    );
    assert!(!s.client_auth_pending());
    s.send(b"done").unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!(
        run.client_events,
        vec![Event::ApplicationData(b"done".to_vec())]
    );
}

#[test]
fn post_handshake_auth_after_key_update() {
    // The Finished key is client_application_traffic_secret_N: after a
    // KeyUpdate both sides use the updated secret (§4.4, §7.2).
    let t = Setup::new();
    let (chain, key) = t.client_cert();
    let (mut c, mut s) = t.pair(true, |cc, _| {
        cc.set_client_cert(chain.clone(), &key).unwrap()
    });
    c.key_update(true).unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!((&run.client_err, &run.server_err), (&None, &None));
    s.request_client_auth().unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!((&run.client_err, &run.server_err), (&None, &None));
    assert_eq!(s.client_certificates(), Some(&chain[..]));
}

#[test]
fn request_refused_when_not_offered_or_pending() {
    let t = Setup::new();
    let (mut c, mut s) = t.pair(false, |_, _| {});
    assert_eq!(
        s.request_client_auth(),
        Err(Error::PostHandshakeAuthNotOffered)
    );
    assert_eq!(s.poll_transmit(), None);
    // The connection is still fine.
    s.send(b"ok").unwrap();
    assert_eq!(
        pump(&mut c, &mut s).client_events,
        vec![Event::ApplicationData(b"ok".to_vec())]
    );

    // Several requests may wait at once (§4.6.2), up to the bound; the
    // one past it is refused and sends nothing.
    let (_, mut s) = t.pair(true, |_, _| {});
    for n in 1..=handshake_tls::MAX_OUTSTANDING_AUTH_REQUESTS as u64 {
        assert_eq!(s.request_client_auth(), Ok(n));
    }
    assert!(s.poll_transmit().is_some());
    assert_eq!(
        s.request_client_auth(),
        Err(Error::PostHandshakeAuthPending)
    );
    assert_eq!(s.poll_transmit(), None);

    // TLS 1.2 has no post-handshake authentication, offered or not.
    let (_, mut s) = t.pair(true, |cc, _| {
        cc.versions = vec![handshake_tls::suites::TLS12]
    });
    assert_eq!(
        s.request_client_auth(),
        Err(Error::PostHandshakeAuthNotOffered)
    );
}

#[test]
fn empty_certificate_refused_when_required_accepted_otherwise() {
    let t = Setup::new();
    let (mut c, mut s) = t.pair(true, |_, _| {});
    s.request_client_auth().unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!(run.server_err, Some(Error::CertificateRequired));
    assert_eq!(
        run.client_err,
        Some(Error::PeerAlert(AlertDescription::CertificateRequired))
    );

    let (mut c, mut s) = t.pair(true, |_, sc| {
        if let Some(a) = &mut sc.client_auth {
            a.required = false;
        }
    });
    s.request_client_auth().unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!((&run.client_err, &run.server_err), (&None, &None));
    assert!(!s.client_auth_pending());
    assert_eq!(s.client_certificates(), None);
    // Certificate (empty) then Finished: no CertificateVerify (§4.4.3).
    assert!(traced(s.trace(), "<- Certificate 0 certificate(s)"));
    assert!(!traced(s.trace(), "<- CertificateVerify"));
}

#[test]
fn client_picks_the_certificate_the_authorities_name() {
    let t = Setup::new();
    let other = ca("PHA test other CA");
    let (wrong_chain, wrong_key) = leaf(&other, "other.test", ExtendedKeyUsagePurpose::ClientAuth);
    let (chain, key) = t.client_cert();
    // The first configured certificate is from a CA the server does not
    // name; the second is from the one it does.
    let (mut c, mut s) = t.pair(true, |cc, _| {
        cc.set_client_cert(wrong_chain.clone(), &wrong_key).unwrap();
        cc.add_client_cert(chain.clone(), &key).unwrap();
    });
    s.request_client_auth().unwrap();
    let run = pump(&mut c, &mut s);
    assert_eq!((&run.client_err, &run.server_err), (&None, &None));
    assert_eq!(s.client_certificates(), Some(&chain[..]));
    // The name the server sent is the client CA's subject, as it appears
    // in the CA certificate's own DER.
    let names = c.certificate_authorities();
    assert_eq!(names.len(), 1);
    let ca_der = t.client_ca.cert.der().to_vec();
    assert!(ca_der
        .windows(names[0].len())
        .any(|w| w == names[0].as_slice()));
    assert!(names[0].windows(18).any(|w| w == b"PHA test client CA"));
}

mod wire {
    use handshake_tls::extensions::{typ, Context, Extension};
    use handshake_tls::Error;

    fn emitted(e: &Extension) -> Vec<u8> {
        let mut out = Vec::new();
        e.emit(&mut out);
        out
    }

    #[test]
    fn post_handshake_auth_is_type_49_and_empty() {
        // §4.2: ExtensionType post_handshake_auth(49); §4.2.6: "The
        // extension_data field ... is zero length".
        assert_eq!(typ::POST_HANDSHAKE_AUTH, 49);
        assert_eq!(
            emitted(&Extension::PostHandshakeAuth),
            [0x00, 0x31, 0x00, 0x00]
        );
        assert_eq!(
            Extension::parse(49, &[], Context::ClientHello),
            Ok(Extension::PostHandshakeAuth)
        );
        assert!(matches!(
            Extension::parse(49, &[0], Context::ClientHello),
            Err(Error::Decode { .. })
        ));
        // §4.2: only in a ClientHello; elsewhere illegal_parameter.
        for ctx in [Context::EncryptedExtensions, Context::CertificateRequest] {
            assert!(matches!(
                Extension::parse(49, &[], ctx),
                Err(Error::IllegalParameter { .. })
            ));
        }
    }

    #[test]
    fn certificate_authorities_wire_form() {
        // §4.2.4: DistinguishedName authorities<3..2^16-1>, each opaque
        // DistinguishedName<1..2^16-1>; type 47.
        assert_eq!(typ::CERTIFICATE_AUTHORITIES, 47);
        let data = [0x00, 0x05, 0x00, 0x03, b'a', b'b', b'c'];
        let e = Extension::CertificateAuthorities(vec![b"abc".to_vec()]);
        assert_eq!(
            Extension::parse(47, &data, Context::CertificateRequest),
            Ok(e.clone())
        );
        assert_eq!(
            Extension::parse(47, &data, Context::ClientHello),
            Ok(e.clone())
        );
        let mut want = vec![0x00, 0x2f, 0x00, 0x07];
        want.extend_from_slice(&data);
        assert_eq!(emitted(&e), want);
        for bad in [
            &[0x00, 0x00][..],
            &[0x00, 0x02, 0x00, 0x00],
            &[0x00, 0x04, 0x00, 0x03, b'a'],
        ] {
            assert!(matches!(
                Extension::parse(47, bad, Context::CertificateRequest),
                Err(Error::Decode { .. })
            ));
        }
        assert!(matches!(
            Extension::parse(47, &data, Context::EncryptedExtensions),
            Err(Error::IllegalParameter { .. })
        ));
    }
}
