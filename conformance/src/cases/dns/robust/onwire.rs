//! Regression cases of issue 14 that need bytes on a socket: a scripted
//! authority on 127.0.0.8x port 53 (root, under the fixture network's lock),
//! our iterative resolver through handshake-io.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use super::super::support::name;
use crate::check;
use crate::peers::dns_server::{answering, DnsServer};
use handshake_dns::wire::{Message, Name, RData, Record, RecordType};
use handshake_dns::{IterConfig, Iterative, Outcome as Lookup, TraceEvent};
use handshake_io::resolver::{BlockingResolver, Resolver, Source, Upstream};

/// The scripted authority: answers every query itself, with AA.
pub(super) const AUTH: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 80)), 53);

/// A server that never answers.
const SILENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 81)), 53);

/// The genuine address in every answer.
const GENUINE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 80);

/// An iterative resolver whose root hints are `hints`, 300 ms per query.
fn iterative(hints: &[SocketAddr]) -> Result<BlockingResolver, String> {
    let root_hints = hints
        .iter()
        .map(|h| (name("a.root"), vec![h.ip()]))
        .collect();
    BlockingResolver::new(Resolver::new(
        handshake_dns::Hosts::default(),
        Upstream::Iterative {
            root_hints,
            config: IterConfig::default(),
            timeout: Duration::from_millis(300),
        },
    ))
    .map_err(|e| e.to_string())
}

/// Defect 3, second half. RFC 5452 §9.1: a response is taken only from the
/// address and port asked, with our ID; those are in the first 12 octets,
/// so a datagram that fails them is refused before any name in it is
/// decompressed. The authority first sends two datagrams whose header is
/// well formed and whose body is not a message (a question count of 1 and
/// nothing after the header): one from another port, one with another ID;
/// then the genuine answer. Both are refused for their header — the trace
/// says source and ID — where the code before parsed them first and
/// dropped them silently as malformed.
pub(super) fn header_checked_before_parsing() -> check::Checked {
    let _net = crate::peers::dnsnet::lock();
    let sock = UdpSocket::bind(AUTH).map_err(|e| format!("binding {AUTH}: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    let forger = UdpSocket::bind("127.0.0.80:0").map_err(|e| e.to_string())?;
    let server = std::thread::spawn(move || -> Result<(), String> {
        let mut buf = [0u8; 1500];
        let (n, client) = sock.recv_from(&mut buf).map_err(|e| e.to_string())?;
        let query = Message::parse(&buf[..n]).map_err(|e| e.to_string())?;
        let id = query.header.id.to_be_bytes();
        // QR, QDCOUNT 1, and no question: malformed past the header.
        let other_port = [id[0], id[1], 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        let other_id = [id[0] ^ 0x5a, id[1], 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        forger
            .send_to(&other_port, client)
            .map_err(|e| e.to_string())?;
        sock.send_to(&other_id, client).map_err(|e| e.to_string())?;
        let q = query.questions.first().ok_or("no question")?;
        let mut r = query.response();
        r.header.authoritative = true;
        r.answers
            .push(Record::new(q.name.clone(), 60, RData::A(GENUINE)));
        let bytes = r.to_bytes().map_err(|e| e.to_string())?;
        std::thread::sleep(Duration::from_millis(50));
        sock.send_to(&bytes, client).map_err(|e| e.to_string())?;
        Ok(())
    });
    let mut lookup = Iterative::new(
        handshake_dns::wire::Question::new(name("www.example"), RecordType::A),
        &[(name("a.root"), vec![AUTH.ip()])],
        IterConfig::default(),
    );
    let outcome = handshake_io::dns::resolve(&mut lookup, Duration::from_secs(2))
        .map_err(|e| format!("our resolver's I/O: {e}"))?;
    server
        .join()
        .map_err(|_| "the authority's thread panicked".to_string())??;
    check::ensure(
        matches!(&outcome, Lookup::Answer { records, .. }
            if records.iter().map(|r| &r.data).eq([&RData::A(GENUINE)])),
        || format!("www.example. A: {outcome:?}"),
    )?;
    let refused: Vec<String> = lookup
        .trace()
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Rejected { why, .. } => Some(why.clone()),
            _ => None,
        })
        .collect();
    check::ensure(
        refused.iter().any(|w| w.contains("query went to"))
            && refused.iter().any(|w| w.contains("response ID")),
        || format!("refusals traced: {refused:?} (want one for the source, one for the ID)"),
    )
}

/// `mx1.` in front of `n`, in `n`'s case.
fn mx_of(n: &Name) -> Name {
    let labels: Vec<&[u8]> = std::iter::once(&b"mx1"[..]).chain(n.labels()).collect();
    Name::from_labels(labels).expect("one short label more")
}

/// Defect 2. DNS 0x20 (RFC 5452 §9.3) randomises the case of our query; a
/// server echoes the question and compresses the names of its answer
/// against it (RFC 1035 §4.1.4), so those names come back in our random
/// case (`mx1.mAiL.exAMple.`). We give the caller back the case it asked
/// in, as unbound does, for the owner and for names in RDATA, and cache
/// that. The authority answers `Mail.Example. MX` with `mx1.` in front of
/// the question name as it received it.
pub(super) fn names_in_callers_case() -> check::Checked {
    let _net = crate::peers::dnsnet::lock();
    let _auth = DnsServer::bind(
        AUTH,
        answering(|q: &Message, _| {
            let qq = q.questions.first()?;
            let mut r = q.response();
            r.header.authoritative = true;
            r.answers.push(Record::new(
                qq.name.clone(),
                60,
                RData::Mx {
                    preference: 10,
                    exchange: mx_of(&qq.name),
                },
            ));
            Some(r)
        }),
    )?;
    let resolver = iterative(&[AUTH])?;
    let asked = "Mail.Example.";
    let want_owner = name(asked);
    let want_mx = mx_of(&want_owner);
    for (round, source) in [("first", Source::Network), ("second", Source::Cache)] {
        let got = resolver
            .lookup(asked, RecordType::MX)
            .map_err(|e| format!("{round} lookup: {e}"))?;
        check::equal(&format!("{round} lookup's source"), got.source, source)?;
        let Lookup::Answer { records, .. } = &got.outcome else {
            return Err(format!("{round} lookup: {:?}", got.outcome));
        };
        let spelled: Vec<(String, String)> = records
            .iter()
            .map(|r| {
                let target = match &r.data {
                    RData::Mx { exchange, .. } => exchange.to_string(),
                    other => format!("{other:?}"),
                };
                (r.name.to_string(), target)
            })
            .collect();
        check::equal(
            &format!("{round} lookup: owner and exchange, letter for letter"),
            spelled,
            vec![(want_owner.to_string(), want_mx.to_string())],
        )?;
    }
    Ok(())
}

/// Defect 4, the infrastructure cache. A server that timed out is
/// remembered across lookups (unbound's infra cache, `infra-host-ttl`) and
/// asked only after the others for a back-off: the root hints list a silent
/// server first, then the authority; two lookups of different names through
/// one resolver ask the silent server once, where the code before asked it
/// (and waited out its timeout) in every lookup.
pub(super) fn silent_server_remembered() -> check::Checked {
    let _net = crate::peers::dnsnet::lock();
    let silent = DnsServer::bind(SILENT, answering(|_: &Message, _| None))?;
    let _auth = DnsServer::bind(
        AUTH,
        answering(|q: &Message, _| {
            let qq = q.questions.first()?;
            let mut r = q.response();
            r.header.authoritative = true;
            r.answers
                .push(Record::new(qq.name.clone(), 60, RData::A(GENUINE)));
            Some(r)
        }),
    )?;
    let resolver = iterative(&[SILENT, AUTH])?;
    for n in ["one.example.", "two.example.", "three.example."] {
        let got = resolver
            .lookup(n, RecordType::A)
            .map_err(|e| format!("{n}: {e}"))?;
        check::ensure(matches!(got.outcome, Lookup::Answer { .. }), || {
            format!("{n}: {:?}", got.outcome)
        })?;
    }
    check::equal(
        "queries the silent server received in three lookups",
        silent.received().len(),
        1,
    )
}
