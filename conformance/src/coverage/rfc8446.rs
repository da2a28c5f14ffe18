//! RFC 8446 (TLS 1.3): the MUSTs that bind a client and a server of the
//! full handshake, the record layer and the key schedule, each against the
//! tls.* (and crypto.*) cases that check exactly it.
//!
//! Wording is the RFC's, quoted or closely paraphrased (section given). A
//! row is covered only by a case that checks that requirement; otherwise it
//! is a gap (with what a case would have to show), not applicable (with the
//! reason), or a deliberate deviation (with the reason). 0-RTT is not
//! implemented (its row says why it binds nothing here).

use super::Disposition::{Cases, NotApplicable};
use super::{row, Table};
use crate::Level::{Must, Should};

/// Every interop case against rustls (server and client), suite by group.
const RUSTLS_BOTH_WAYS: &[&str] = &[
    "tls.interop.rustls-server-aes128gcm-x25519",
    "tls.interop.rustls-server-aes128gcm-secp256r1",
    "tls.interop.rustls-server-aes256gcm-x25519",
    "tls.interop.rustls-server-aes256gcm-secp256r1",
    "tls.interop.rustls-server-chacha20-x25519",
    "tls.interop.rustls-server-chacha20-secp256r1",
    "tls.interop.rustls-client-aes128gcm-x25519",
    "tls.interop.rustls-client-aes128gcm-secp256r1",
    "tls.interop.rustls-client-aes256gcm-x25519",
    "tls.interop.rustls-client-aes256gcm-secp256r1",
    "tls.interop.rustls-client-chacha20-x25519",
    "tls.interop.rustls-client-chacha20-secp256r1",
];

/// RFC 8446: the TLS 1.3 MUSTs of negotiation, messages, records, alerts and keys.
pub(super) static RFC8446: Table = Table::listed(
    "rfc8446",
    "RFC 8446",
    "The Transport Layer Security (TLS) Protocol Version 1.3",
    &[
        // ---- negotiation
        row("4.1.1-no-overlap", "§4.1.1", Must, "\"If the server is unable to negotiate a supported set of parameters (i.e., there is no overlap between the client and server parameters), it MUST abort the handshake with either a \\\"handshake_failure\\\" or \\\"insufficient_security\\\" fatal alert\"", Cases(&["tls.handshake.no-common-suite", "tls.handshake.no-common-group"])),
        row("4.1.2-same-hello", "§4.1.2", Must, "After a HelloRetryRequest \"the client MUST send the same ClientHello without modification\", except for the key share, cookie, early_data and binder changes the section lists (our server refuses a second ClientHello with another random; rustls's server accepts our second one)", Cases(&["tls.handshake.second-hello-changed", "tls.handshake.hello-retry-request", "tls.interop.rustls-server-hello-retry"])),
        row("4.1.2-compression", "§4.1.2", Must, "legacy_compression_methods: a TLS 1.3 ClientHello with anything but the single null method is aborted with \"illegal_parameter\" (our server refuses [null, DEFLATE], which TLS 1.2 would accept)", Cases(&["tls.handshake.compression-offered-in-tls13"])),
        row("4.1.3-unoffered-suite", "§4.1.3", Must, "\"A client which receives a cipher suite that was not offered MUST abort the handshake with an \\\"illegal_parameter\\\" alert\"", Cases(&["tls.handshake.unoffered-suite"])),
        row("4.1.3-downgrade-check", "§4.1.3", Must, "TLS 1.3 clients receiving a ServerHello for TLS 1.2 or below \"MUST check that the last 8 bytes are not equal to either of these values\" and abort with \"illegal_parameter\" on a match", Cases(&["tls.handshake.downgrade-sentinel"])),
        row("4.1.4-hrr-second", "§4.1.4", Must, "\"If a client receives a second HelloRetryRequest in the same connection ... it MUST abort the handshake with an \\\"unexpected_message\\\" alert\"", Cases(&["tls.handshake.second-hello-retry"])),
        row("4.1.4-hrr-no-change", "§4.1.4", Must, "\"Clients MUST abort the handshake with an \\\"illegal_parameter\\\" alert if the HelloRetryRequest would not result in any change in the ClientHello\"", Cases(&["tls.handshake.hello-retry-without-change"])),
        // ---- extensions
        row("4.2-duplicate", "§4.2", Must, "\"There MUST NOT be more than one extension of the same type in a given extension block\" (a receiver refuses a block that has one)", Cases(&["tls.codec.duplicate-extension", "tls.handshake.duplicate-extension"])),
        row("4.2-placement", "§4.2", Must, "\"If an implementation receives an extension which it recognizes and which is not specified for the message in which it appears, it MUST abort the handshake with an \\\"illegal_parameter\\\" alert\"", Cases(&["tls.codec.extension-placement"])),
        row("4.2-unsolicited", "§4.2", Must, "Extensions in EncryptedExtensions the client did not offer: \"Upon receiving such an extension, an endpoint MUST abort the handshake with an \\\"unsupported_extension\\\" alert\"", Cases(&["tls.handshake.unsolicited-extension"])),
        row("4.2.1-supported-versions", "§4.2.1", Must, "A client that sees supported_versions in the ServerHello \"MUST ignore the ServerHello.legacy_version value and MUST use only the \\\"supported_versions\\\" extension to determine the selected version\" (every ServerHello, RFC 8448's, ours and rustls's, says 0x0303 there: a client that read it would not finish one TLS 1.3 handshake)", Cases(&["tls.codec.rfc8448-server-hello", "tls.handshake.full-ecdsa-p256", "tls.interop.rustls-server-aes128gcm-x25519"])),
        row("4.2.3-tls12-any-curve", "§4.2.3", Must, "\"If TLS 1.2 is negotiated, implementations MUST be prepared to accept a signature that uses any curve that they advertised in the \\\"supported_groups\\\" extension\" (a P-384 key's ServerKeyExchange under ecdsa_secp256r1_sha256 is accepted; in TLS 1.3 the same pairing is refused, the scheme naming the curve)", Cases(&["tls.p384.tls12-cross-curve-server-key-exchange-accepted", "tls.p384.tls13-cross-curve-certificate-verify-refused"])),
        row("4.2.8-selected-group", "§4.2.8", Must, "After a HelloRetryRequest with a key_share, \"the client MUST verify that the selected NamedGroup in the ServerHello is the same as that in the HelloRetryRequest\"", Cases(&["tls.handshake.server-hello-group-changed"])),
        row("4.2.8.2-validate", "§4.2.8.2", Must, "ECDHE key_exchange is the uncompressed point (legacy_form = 4) and \"peers MUST validate each other's public key\": a secp384r1 share off the curve, or in another form, in either hello is refused with \"illegal_parameter\"", Cases(&["tls.p384.invalid-client-share-off-curve", "tls.p384.invalid-client-share-not-uncompressed", "tls.p384.invalid-server-share-off-curve"])),
        row("4.2.9-modes-required", "§4.2.9", Must, "\"If clients offer \\\"pre_shared_key\\\" without a \\\"psk_key_exchange_modes\\\" extension, servers MUST abort the handshake\\\" (missing_extension)", Cases(&["tls.resume.psk-without-modes-missing-extension"])),
        row("4.2.9-mode-listed", "§4.2.9", Must, "\"Servers MUST NOT select a key exchange mode that is not listed by the client\" (a psk_ke-only offer gets a full handshake from a psk_dhe_ke-only server)", Cases(&["tls.resume.psk-ke-only-full-handshake"])),
        row("4.2.10-early-data", "§4.2.10", Must, "The rules for 0-RTT data", NotApplicable("0-RTT is neither offered nor accepted: our client sends no early_data, and our tickets carry no early_data extension, so a client MUST NOT send 0-RTT data to our server (§4.2.10); an early_data extension in EncryptedExtensions is unsolicited (unsupported_extension)")),
        row("4.2.11-psk-last", "§4.2.11", Must, "\"The \\\"pre_shared_key\\\" extension MUST be the last extension in the ClientHello ... Servers MUST check that it is the last extension and otherwise fail the handshake with an \\\"illegal_parameter\\\" alert\"", Cases(&["tls.resume.psk-not-last-illegal-parameter", "tls.resume.rustls-client-resumes-with-ours"])),
        row("4.2.11-binder", "§4.2.11, §4.2.11.2", Must, "The server MUST validate the binder of the PSK it selects and abort the handshake if it does not validate (decrypt_error, §6.2); the binder covers Truncate(ClientHello), after a HelloRetryRequest with ClientHello1 and the HelloRetryRequest in the transcript", Cases(&["tls.resume.bad-binder-decrypt-error", "tls.keys.rfc8448-resumption-psk-binder", "tls.resume.after-hello-retry", "tls.resume.rustls-client-resumes-with-ours", "tls.resume.openssl-s-client-resumes-with-ours", "tls.resume.ours-resumes-with-rustls-server", "tls.resume.ours-resumes-with-openssl-s-server"])),
        row("4.2.11-selected-identity", "§4.2.11", Must, "\"Clients MUST verify that the server's selected_identity is within the range supplied by the client\" ... and \"that a server \\\"key_share\\\" extension is present if required by the ClientHello \\\"psk_key_exchange_modes\\\" extension\"; otherwise abort with \\\"illegal_parameter\\\"", Cases(&["tls.resume.selected-identity-out-of-range", "tls.resume.psk-without-key-share-illegal-parameter"])),
        row("4.2.11-fallback", "§4.2.11", Must, "A PSK the server cannot use (not one of its tickets, altered, expired) is declined and the handshake proceeds in full with certificates", Cases(&["tls.resume.tampered-ticket-full-handshake", "tls.resume.expired-ticket-full-handshake"])),
        row("4.6.1-lifetime", "§4.6.1", Must, "\"Servers MUST NOT use any value greater than 604800 seconds (7 days)\"; clients MUST NOT cache tickets for longer than 7 days nor use one past its lifetime", Cases(&["tls.resume.lifetime-at-most-7-days", "tls.resume.client-drops-expired-ticket"])),
        row("4.6.1-resumption-psk", "§4.6.1, §7.1", Must, "The PSK of a ticket is HKDF-Expand-Label(resumption_master_secret, \"resumption\", ticket_nonce, Hash.length) with resumption_master_secret over ClientHello..client Finished, on both sides (independent peers resume with our tickets and we with theirs)", Cases(&["tls.keys.rfc8448-resumption-psk-binder", "tls.resume.ours-full-then-resumed", "tls.resume.rustls-client-resumes-with-ours", "tls.resume.ours-resumes-with-rustls-server", "tls.resume.ours-resumes-with-openssl-s-server", "tls.resume.openssl-s-client-resumes-with-ours"])),
        // ---- authentication
        row("4.4.2-empty-certificate", "§4.4.2.4", Must, "\"If the server supplies an empty Certificate message, the client MUST abort the handshake with a \\\"decode_error\\\" alert\"", Cases(&["tls.handshake.empty-certificate"])),
        row("4.4.2-path", "§4.4.2.4; RFC 5280 §6.1", Must, "The certificate chain is validated: an unknown issuer, an expired leaf, a wrong host name, an intermediate that is not a CA and a leaf without serverAuth end the handshake with the alert §6.2 names", Cases(&["tls.handshake.unknown-ca", "tls.handshake.expired-leaf", "tls.handshake.wrong-host-name", "tls.handshake.intermediate-not-ca", "tls.handshake.wrong-eku", "tls.handshake.intermediate-chain"])),
        row("4.4.3-rsa-pss", "§4.4.3", Must, "\"RSA signatures MUST use an RSASSA-PSS algorithm, regardless of whether RSASSA-PKCS1-v1_5 algorithms appear in \\\"signature_algorithms\\\"\"", Cases(&["tls.handshake.full-rsa-pss"])),
        row("4.4.3-verify-fails", "§4.4.3", Must, "\"If the verification fails, the receiver MUST terminate the handshake with a \\\"decrypt_error\\\" alert\" (a server signing with a key that is not its certificate's)", Cases(&["tls.handshake.certificate-verify-wrong-key"])),
        row("4.4.4-finished", "§4.4.4", Must, "\"Recipients of Finished messages MUST verify that the contents are correct and if incorrect MUST terminate the connection with a \\\"decrypt_error\\\" alert\"", Cases(&["tls.handshake.tampered-finished", "tls.keys.rfc8448-finished"])),
        row("4.3.2-certificate-request", "§4.3.2, §4.4.2", Must, "A CertificateRequest in the main handshake has a zero-length certificate_request_context and MUST carry signature_algorithms; the client answers with a Certificate echoing the context and, if it sent a certificate, a CertificateVerify (ours asks rustls's and OpenSSL's clients and answers rustls's and OpenSSL's servers)", Cases(&["tls.mtls.ours-tls13-required", "tls.mtls.rustls-client-tls13", "tls.mtls.rustls-server-tls13", "tls.mtls.openssl-s-server-verify-tls13"])),
        row("4.3.2-no-request-with-psk", "§4.3.2", Must, "\"Servers which are authenticating with a resumption PSK MUST NOT send the CertificateRequest message in the main handshake\"", Cases(&["tls.mtls.no-request-when-resumed"])),
        row("4.4.2.4-client-empty", "§4.4.2.4", Must, "A client without a certificate sends an empty Certificate; the server either continues without client authentication or aborts with \\\"certificate_required\\\"", Cases(&["tls.mtls.tls13-no-cert-refused", "tls.mtls.ours-tls13-optional-without-cert"])),
        row("4.4.2.4-client-path", "§4.4.2.4, §6.2; RFC 5280 §4.2.1.12", Must, "The client's chain is validated to the server's client-auth anchors for id-kp-clientAuth: an unknown CA is unknown_ca, a serverAuth-only extKeyUsage unsupported_certificate", Cases(&["tls.mtls.tls13-unknown-ca", "tls.mtls.tls13-server-auth-only-eku"])),
        row("4.4.3-client-verify", "§4.4.3", Must, "The client's CertificateVerify signs with the context string \"TLS 1.3, client CertificateVerify\"; one that does not verify ends the handshake with \\\"decrypt_error\\\"", Cases(&["tls.mtls.tls13-bad-certificate-verify", "tls.mtls.rustls-client-tls13", "tls.mtls.rustls-server-tls13"])),
        // ---- after the handshake
        row("4.6.1-tickets-ignored", "§4.6.1", Should, "A client that does not resume may discard NewSessionTicket messages; receiving one must not end the connection", Cases(&["tls.openssl.s-server-tls13-aes-128-gcm-sha256"])),
        row("4.6.3-key-update", "§4.6.3", Must, "On a KeyUpdate with request_update = update_requested the receiver MUST send its own KeyUpdate (update_not_requested), and each side's traffic secret moves to the next generation", Cases(&["tls.handshake.key-update-and-close"])),
        // ---- record layer
        row("5-unexpected-record", "§5", Must, "\"If a TLS implementation receives an unexpected record type, it MUST terminate the connection with an \\\"unexpected_message\\\" alert\" (and a handshake message the state does not expect, §6.2)", Cases(&["tls.handshake.unexpected-message"])),
        row("5-ccs", "§5", Must, "A change_cipher_spec record of the single byte 0x01 between the first ClientHello and the peer's Finished \"MUST simply drop it without further processing\" (rustls's client sends one in middlebox-compatibility mode)", Cases(&["tls.interop.rustls-client-aes128gcm-x25519", "tls.interop.rustls-client-chacha20-secp256r1"])),
        row("5-ccs-other", "§5", Must, "\"An implementation which receives any other change_cipher_spec value ... MUST abort the handshake with an \\\"unexpected_message\\\" alert\"", Cases(&["tls.handshake.change-cipher-spec-bad-value"])),
        row("5-ccs-protected", "§5", Must, "\"An implementation which ... receives a protected change_cipher_spec record MUST abort the handshake with an \\\"unexpected_message\\\" alert\"", Cases(&["tls.handshake.change-cipher-spec-protected"])),
        row("5.1-plaintext-limit", "§5.1", Must, "TLSPlaintext length \"MUST NOT exceed 2^14 bytes. An endpoint that receives a record that exceeds this length MUST terminate the connection with a \\\"record_overflow\\\" alert\"", Cases(&["tls.record.length-limits", "tls.handshake.record-over-limit"])),
        row("5.1-split-coalesce", "§5.1", Must, "Handshake messages may be coalesced into one record or fragmented across several, and a receiver reassembles them whatever the split of the byte stream", Cases(&["tls.property.split-points-same-keys-and-bytes"])),
        row("5.2-ciphertext-limit", "§5.2", Must, "TLSCiphertext length \"MUST NOT exceed 2^14 + 256 bytes. An endpoint that receives a record that exceeds this length MUST terminate the connection with a \\\"record_overflow\\\" alert\"", Cases(&["tls.record.length-limits"])),
        row("5.2-bad-record-mac", "§5.2", Must, "\"If the decryption fails, the receiver MUST terminate the connection with a \\\"bad_record_mac\\\" alert\"", Cases(&["tls.record.bad-tag-is-bad-record-mac", "tls.handshake.corrupted-record-tag"])),
        row("5.2-outer-type", "§5.2", Must, "Protected records carry opaque_type application_data (23) on the outside; the real type is inside TLSInnerPlaintext", Cases(&["tls.handshake.inner-type-hidden", "tls.record.padding-and-inner-type"])),
        row("5.3-nonce", "§5.3", Must, "The per-record nonce is the 64-bit sequence number, left-padded to iv_length, XORed with the static IV; the sequence number starts at 0 per key and increases by one per record", Cases(&["tls.record.nonce-construction", "tls.record.rfc8448-seal", "tls.record.rfc8448-open"])),
        row("5.3-wrap", "§5.3", Must, "\"If a TLS implementation would need to wrap a sequence number, it MUST either rekey (Section 4.6.3) or terminate the connection\"", Cases(&["tls.record.sequence-never-wraps"])),
        row("5.4-all-padding", "§5.4", Must, "\"If a receiving implementation does not find a non-zero octet in the cleartext, it MUST terminate the connection with an \\\"unexpected_message\\\" alert\"", Cases(&["tls.record.padding-and-inner-type"])),
        row("5.5-limits", "§5.5", Must, "Keys are updated (§4.6.3) before the AEAD's limit on records per key (2^24.5 full-size records for AES-GCM)", Cases(&["tls.record.aead-limits", "tls.handshake.automatic-key-update", "tls.interop.rustls-server-automatic-key-update", "tls.interop.rustls-client-automatic-key-update"])),
        // ---- alerts
        row("6.1-close-notify", "§6.1", Must, "\"Each party MUST send a \\\"close_notify\\\" alert before closing its write side of the connection\"", Cases(&["tls.handshake.key-update-and-close"])),
        row("6.1-after-close", "§6.1", Must, "\"Any data received after a closure alert has been received MUST be ignored\"", Cases(&["tls.handshake.data-after-close-ignored"])),
        row("6.2-alerts", "§6.2", Must, "Errors are reported with the alert the RFC names for them, as fatal alerts; codec errors with decode_error", Cases(&["tls.codec.truncated-is-decode-error", "tls.handshake.unexpected-message", "tls.handshake.no-common-suite"])),
        // ---- keys
        row("7.1-key-schedule", "§7.1", Must, "The key schedule: HKDF-Extract and Derive-Secret from the early secret through the handshake and master secrets, with the transcript hashes and labels of §7.1", Cases(&["tls.keys.rfc8448-early-secret", "tls.keys.rfc8448-ecdhe-handshake-secret", "tls.keys.rfc8448-transcript-hash", "tls.keys.rfc8448-handshake-traffic", "tls.keys.rfc8448-master-application"])),
        row("7.3-traffic-keys", "§7.3", Must, "Traffic keys: key = HKDF-Expand-Label(Secret, \"key\", \"\", key_length), iv = HKDF-Expand-Label(Secret, \"iv\", \"\", iv_length)", Cases(&["tls.keys.rfc8448-traffic-keys", "tls.keys.rfc8448-record-from-secret"])),
        row("7.4.2-x25519-zero", "§7.4.2", Must, "For X25519 \"implementations MUST check whether the computed Diffie-Hellman shared secret is the all-zero value and abort if so\"", Cases(&["crypto.x25519.low-order-point-rejected"])),
        // ---- compliance
        row("9.1-mti-suite", "§9.1", Must, "\"A TLS-compliant application MUST implement the TLS_AES_128_GCM_SHA256 cipher suite\" (and SHOULD implement TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256), with secp256r1 key exchange (and SHOULD X25519)", Cases(RUSTLS_BOTH_WAYS)),
        row("9.1-mti-signatures", "§9.1", Must, "Digital signatures with rsa_pss_rsae_sha256 and ecdsa_secp256r1_sha256 (for CertificateVerify and certificates)", Cases(&["tls.handshake.full-rsa-pss", "tls.handshake.full-ecdsa-p256"])),
        row("9.3-unknown-ignored", "§9.3", Must, "A server receiving a ClientHello \"MUST correctly ignore all unrecognized cipher suites, extensions, and other parameters\"", Cases(&["tls.handshake.unknown-parameters-ignored"])),
    ],
);
