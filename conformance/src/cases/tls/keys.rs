//! `tls.keys.*`: the TLS 1.3 key schedule (RFC 8446 §7.1, §7.3, §4.4.4)
//! against the "Simple 1-RTT Handshake" trace of RFC 8448 §3, and the
//! resumption secrets and PSK binder of its "Resumed 0-RTT Handshake" (§4).
//! Every expected value is the RFC's hex.

use handshake_crypto::X25519SecretKey;
use handshake_tls::keys::{
    finished_verify_data, psk_binder, resumption_psk, KeySchedule, Transcript,
};
use handshake_tls::kx::KeyShare;
use handshake_tls::record::RecordKeys;
use handshake_tls::suites::{AeadAlg, HashAlg};

use crate::check::{self, unhex, unhex_array, Checked};
use crate::Level::Must;
use crate::{Case, Kind};

/// RFC 8448 §3: the ClientHello and ServerHello handshake messages.
pub(crate) const CLIENT_HELLO: &str = "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001";
pub(crate) const SERVER_HELLO: &str = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";
const CLIENT_X25519: &str = "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005";
const SERVER_X25519_PUBLIC: &str =
    "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f";
const SHARED: &str = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
const TH_CH_SH: &str = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
const TH_CH_CV: &str = "edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed";
const TH_CH_SF: &str = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
const C_HS: &str = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const S_HS: &str = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const C_AP: &str = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
const S_AP: &str = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

fn schedule() -> KeySchedule {
    KeySchedule::new(HashAlg::Sha256, &unhex(SHARED))
}

fn early_and_derived() -> Checked {
    let early = KeySchedule::early_secret(HashAlg::Sha256);
    check::hex(
        "Early Secret",
        &early,
        "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
    )?;
    let derived = HashAlg::Sha256.derive_secret(&early, "derived", &HashAlg::Sha256.hash(b""));
    check::hex(
        "Derive-Secret(., \"derived\", \"\")",
        &derived,
        "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
    )
}

fn ecdhe() -> Checked {
    let client = KeyShare::X25519(X25519SecretKey::from_bytes(unhex_array(CLIENT_X25519)));
    let shared = client
        .agree(&unhex(SERVER_X25519_PUBLIC))
        .map_err(|e| e.to_string())?;
    check::hex("(EC)DHE shared secret", &shared, SHARED)?;
    check::hex(
        "Handshake Secret",
        schedule().handshake_secret(),
        "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac",
    )
}

fn transcript() -> Checked {
    let mut t = Transcript::new();
    t.add(&unhex(CLIENT_HELLO));
    t.add(&unhex(SERVER_HELLO));
    t.start_hash(HashAlg::Sha256);
    check::hex(
        "Transcript-Hash(ClientHello, ServerHello)",
        &t.current(),
        TH_CH_SH,
    )
}

fn handshake_traffic() -> Checked {
    let s = schedule().handshake_traffic(&unhex(TH_CH_SH));
    check::hex("client_handshake_traffic_secret", &s.client, C_HS)?;
    check::hex("server_handshake_traffic_secret", &s.server, S_HS)
}

fn traffic_keys() -> Checked {
    let h = HashAlg::Sha256;
    // (which, traffic secret, label, length, RFC 8448's value)
    let rows = [
        (
            "server hs key",
            S_HS,
            "key",
            16,
            "3fce516009c21727d0f2e4e86ee403bc",
        ),
        ("server hs iv", S_HS, "iv", 12, "5d313eb2671276ee13000b30"),
        (
            "client hs key",
            C_HS,
            "key",
            16,
            "dbfaa693d1762c5b666af5d950258d01",
        ),
        ("client hs iv", C_HS, "iv", 12, "5bd3c71b836e0b76bb73265f"),
        (
            "client ap key",
            C_AP,
            "key",
            16,
            "17422dda596ed5d9acd890e3c63f5051",
        ),
        ("server ap iv", S_AP, "iv", 12, "cf782b88dd83549aadf1e984"),
    ];
    for (what, secret, label, len, want) in rows {
        check::hex(what, &h.expand_label(&unhex(secret), label, b"", len), want)?;
    }
    Ok(())
}

fn master_and_application() -> Checked {
    let ks = schedule();
    let master = ks.master_secret();
    check::hex(
        "Master Secret",
        &master,
        "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919",
    )?;
    let app = ks.application_traffic(&master, &unhex(TH_CH_SF));
    check::hex("client_application_traffic_secret_0", &app.client, C_AP)?;
    check::hex("server_application_traffic_secret_0", &app.server, S_AP)?;
    let exp = HashAlg::Sha256.derive_secret(&master, "exp master", &unhex(TH_CH_SF));
    check::hex(
        "exporter_master_secret",
        &exp,
        "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50",
    )
}

fn finished() -> Checked {
    let h = HashAlg::Sha256;
    check::hex(
        "server finished_key",
        &h.expand_label(&unhex(S_HS), "finished", b"", 32),
        "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8",
    )?;
    check::hex(
        "server Finished verify_data",
        &finished_verify_data(h, &unhex(S_HS), &unhex(TH_CH_CV)),
        "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718",
    )?;
    check::hex(
        "client Finished verify_data",
        &finished_verify_data(h, &unhex(C_HS), &unhex(TH_CH_SF)),
        "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61",
    )
}

/// RFC 8448 §3: resumption_master_secret over ClientHello..client Finished
/// and the ticket's PSK (nonce 00 00); §4: the Early Secret from that PSK
/// and the binder over the truncated ClientHello's hash.
fn resumption_and_binder() -> Checked {
    let h = HashAlg::Sha256;
    let master = schedule().master_secret();
    let th_ch_cf = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";
    let res = h.derive_secret(&master, "res master", &unhex(th_ch_cf));
    check::hex(
        "resumption_master_secret",
        &res,
        "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c",
    )?;
    let psk = resumption_psk(h, &res, &[0, 0]);
    check::hex(
        "PSK",
        &psk,
        "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3",
    )?;
    let early = KeySchedule::early_secret_psk(h, &psk);
    check::hex(
        "Early Secret from the PSK",
        &early,
        "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c",
    )?;
    let binder_hash = "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14";
    check::hex(
        "PSK binder",
        &psk_binder(h, &early, &unhex(binder_hash)),
        "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d",
    )
}

fn record_keys_from_secret() -> Checked {
    // The record layer keyed from the traffic secret seals the RFC's first
    // client application record byte for byte.
    let mut k = RecordKeys::from_secret(AeadAlg::Aes128Gcm, HashAlg::Sha256, &unhex(C_AP));
    let payload: Vec<u8> = (0u8..=0x31).collect();
    let rec = k
        .seal(
            handshake_tls::record::ContentType::ApplicationData,
            &payload,
            0,
        )
        .map_err(|e| e.to_string())?;
    check::hex(
        "client application record",
        &rec,
        crate::cases::tls::record::CLIENT_APP_RECORD,
    )
}

/// The `tls.keys.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "tls.keys.rfc8448-early-secret",
                "RFC 8446 §7.1; RFC 8448 §3",
                early_and_derived,
            ),
            (
                Must,
                "tls.keys.rfc8448-ecdhe-handshake-secret",
                "RFC 8446 §7.1, §7.4.2; RFC 8448 §3",
                ecdhe,
            ),
            (
                Must,
                "tls.keys.rfc8448-transcript-hash",
                "RFC 8446 §4.4.1; RFC 8448 §3",
                transcript,
            ),
            (
                Must,
                "tls.keys.rfc8448-handshake-traffic",
                "RFC 8446 §7.1; RFC 8448 §3",
                handshake_traffic,
            ),
            (
                Must,
                "tls.keys.rfc8448-traffic-keys",
                "RFC 8446 §7.3; RFC 8448 §3",
                traffic_keys,
            ),
            (
                Must,
                "tls.keys.rfc8448-master-application",
                "RFC 8446 §7.1, §7.5; RFC 8448 §3",
                master_and_application,
            ),
            (
                Must,
                "tls.keys.rfc8448-finished",
                "RFC 8446 §4.4.4; RFC 8448 §3",
                finished,
            ),
            (
                Must,
                "tls.keys.rfc8448-resumption-psk-binder",
                "RFC 8446 §4.2.11.2, §4.6.1, §7.1; RFC 8448 §3, §4",
                resumption_and_binder,
            ),
            (
                Must,
                "tls.keys.rfc8448-record-from-secret",
                "RFC 8446 §7.3, §5.2; RFC 8448 §3",
                record_keys_from_secret,
            ),
        ],
    )
}
