//! A DNS exchange without a network: build a query (random ID, DNS 0x20
//! case), encode it, decode a response written byte by byte as RFC 1035 §4.1
//! lays it out (with compression pointers), print it as dig does, check it
//! against the query as RFC 5452 asks, and watch forged and malformed
//! responses get rejected.
//!
//! ```sh
//! cargo run -p handshake-dns --example query
//! ```

use std::net::SocketAddr;

use handshake_dns::wire::{Message, Name, Question, RData, Rcode, RecordType};
use handshake_dns::Outstanding;
use rand_chacha::rand_core::SeedableRng;

fn main() -> Result<(), handshake_dns::Error> {
    // The caller supplies the randomness; a seeded RNG makes the run
    // reproducible (a program passes a CSPRNG).
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2024);
    // An RFC 5737 documentation address: nothing is sent to it.
    let server: SocketAddr = "192.0.2.53:53".parse().unwrap();
    let name: Name = "www.example.com".parse()?;

    // The query: a random 16-bit ID and, with DNS 0x20, a random case for
    // each letter of the name; the server must echo both (RFC 5452 §9.1).
    let (pending, query) = Outstanding::new(
        &mut rng,
        server,
        Question::new(name.clone(), RecordType::A),
        true,
    );
    let query_bytes = query.to_bytes()?;
    println!(
        "query {:#06x} for {} A, EDNS(0) buffer {} bytes, {} bytes on the wire:",
        pending.id(),
        pending.question().name,
        query.edns.as_ref().map_or(512, |e| e.udp_payload_size),
        query_bytes.len()
    );
    hexdump(&query_bytes);

    // The response, by hand: the header, the question copied from the query
    // (as a server copies it), then two answers whose names are compression
    // pointers (RFC 1035 §4.1.4) into the question.
    let question_len = pending.question().name.wire_len() + 4;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&pending.id().to_be_bytes());
    bytes.extend_from_slice(&[0x81, 0x80]); // QR, RD, RA; opcode QUERY, rcode NOERROR
    bytes.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 0]); // 1 question, 2 answers
    bytes.extend_from_slice(&query_bytes[12..12 + question_len]); // at offset 12
    let cname_at = bytes.len();
    bytes.extend_from_slice(&[0xc0, 12]); // owner: the name at offset 12
    bytes.extend_from_slice(&[0, 5, 0, 1]); // CNAME, IN
    bytes.extend_from_slice(&3600u32.to_be_bytes());
    bytes.extend_from_slice(&[0, 6]); // RDLENGTH
    let target_at = bytes.len();
    // "web" then a pointer to "example.com" inside the question (offset 16,
    // after www's length octet and three letters).
    bytes.extend_from_slice(&[3, b'w', b'e', b'b', 0xc0, 16]);
    bytes.extend_from_slice(&[0xc0, target_at as u8]); // owner: the CNAME's target
    bytes.extend_from_slice(&[0, 1, 0, 1]); // A, IN
    bytes.extend_from_slice(&300u32.to_be_bytes());
    bytes.extend_from_slice(&[0, 4, 192, 0, 2, 80]);

    println!("\nresponse, {} bytes on the wire:", bytes.len());
    hexdump(&bytes);
    let response = Message::parse(&bytes)?;
    print_dig(&response);

    // RFC 5452 §9.1: believe it only if it comes from the server we asked,
    // with our ID, and repeats our question in the case we sent.
    match pending.accept(server, &response) {
        Ok(()) => println!(
            "\naccepted: right server, ID {:#06x}, question echoed letter for letter",
            pending.id()
        ),
        Err(e) => println!("\nrejected: {e}"),
    }
    let elsewhere: SocketAddr = "198.51.100.7:53".parse().unwrap();
    println!(
        "the same answer from {elsewhere}: {}",
        reject(pending.accept(elsewhere, &response))
    );
    let mut wrong_id = response.clone();
    wrong_id.header.id ^= 0x0001;
    println!(
        "with another ID: {}",
        reject(pending.accept(server, &wrong_id))
    );
    // A blind forger knows the name but not the case pattern.
    let mut lower = response.clone();
    lower.questions[0].name = lower.questions[0].name.to_lowercase();
    println!(
        "with the name in lower case: {}",
        reject(pending.accept(server, &lower))
    );

    // Hostile bytes: the CNAME's owner pointer aimed at itself would loop a
    // naive decoder; ours says what is wrong and where.
    let mut looped = bytes.clone();
    looped[cname_at + 1] = cname_at as u8;
    match Message::parse(&looped) {
        Err(e) => println!("a pointer to itself: {e}"),
        Ok(_) => unreachable!("self-pointers are rejected"),
    }
    match Message::parse(&bytes[..bytes.len() - 3]) {
        Err(e) => println!("the last three bytes cut off: {e}"),
        Ok(_) => unreachable!("truncation is detected"),
    }

    // Writing the parsed message back compresses every name it can.
    let encoded = response.to_bytes()?;
    assert_eq!(Message::parse(&encoded)?, response);
    let addresses: Vec<String> = response
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.to_string()),
            _ => None,
        })
        .collect();
    println!(
        "\nre-encoded: {} bytes, parses back equal; {name} has address {}",
        encoded.len(),
        addresses.join(", ")
    );
    Ok(())
}

/// The sections as dig prints them.
fn print_dig(m: &Message) {
    let status = match m.rcode() {
        Rcode::NOERROR => "NOERROR".to_string(),
        Rcode::NXDOMAIN => "NXDOMAIN".to_string(),
        Rcode::SERVFAIL => "SERVFAIL".to_string(),
        Rcode(other) => other.to_string(),
    };
    let h = &m.header;
    let flags: Vec<&str> = [
        (h.response, "qr"),
        (h.authoritative, "aa"),
        (h.truncated, "tc"),
        (h.recursion_desired, "rd"),
        (h.recursion_available, "ra"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| *f)
    .collect();
    println!(";; ->>HEADER<<- status: {status}, id: {}", h.id);
    println!(
        ";; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}",
        flags.join(" "),
        m.questions.len(),
        m.answers.len(),
        m.authorities.len(),
        m.additionals.len()
    );
    println!(";; QUESTION SECTION:");
    for q in &m.questions {
        println!(";{} IN {}", q.name, q.qtype);
    }
    println!(";; ANSWER SECTION:");
    // A record displays as one zone-file line: owner, TTL, class, type, RDATA.
    for r in &m.answers {
        println!("{r}");
    }
}

fn reject(r: Result<(), handshake_dns::Mismatch>) -> String {
    match r {
        Ok(()) => "accepted".into(),
        Err(e) => format!("rejected ({e})"),
    }
}

/// Sixteen bytes a line, offset first.
fn hexdump(bytes: &[u8]) {
    for (i, line) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = line
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '.' })
            .collect();
        println!("  {:04x}  {:<47}  {text}", i * 16, hex.join(" "));
    }
}
