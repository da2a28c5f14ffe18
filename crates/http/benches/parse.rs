//! Head parsing beside httparse, on the same two messages.
//!
//! What both sides do: find the start line and every field line, check
//! them, and return borrowed slices (method, target, version, status,
//! reason, names, values) into a caller-provided array of 16 headers; no
//! allocation on either side. httparse: `Request::parse` /
//! `Response::parse` with its default config. Ours: `parse_request` /
//! `parse_response` with default `Limits`.
//!
//! What differs (each costing us, not httparse): we also enforce the
//! limits (start-line, field-line and head length, header count), trim
//! trailing OWS the same way httparse does, and reject what httparse's
//! default accepts (bare LF line ends, obs-fold). httparse uses SIMD
//! (SSE4.2/AVX2, chosen at run time) to scan header values and the target;
//! we scan names, values and the target eight octets at a time in safe
//! code (SWAR on u64 words), and take names as `&str` from one UTF-8
//! validation of the head. Neither side checks
//! Host, Content-Length or Transfer-Encoding here (that is our `framing`
//! step, not measured).

use criterion::{black_box, criterion_main, Criterion, Throughput};
use handshake_http::{parse_request, parse_response, HeaderRef, Limits, Parsed};

/// A typical browser GET: 10 header fields.
const GET: &[u8] = b"GET /wiki/Hypertext_Transfer_Protocol?action=view HTTP/1.1\r\n\
Host: en.wikipedia.org\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Connection: keep-alive\r\n\
Cookie: session=8f14e45fceea167a5a36dedd4bea2543; prefs=dark\r\n\
Upgrade-Insecure-Requests: 1\r\n\
Sec-Fetch-Dest: document\r\n\
Sec-Fetch-Mode: navigate\r\n\r\n";

/// A small response head.
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Sat, 05 Dec 2026 13:00:00 GMT\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Length: 1256\r\n\
Cache-Control: max-age=3600\r\n\
Server: handshake\r\n\r\n";

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut g = c.benchmark_group("http/parse-request-head");
    g.throughput(Throughput::Bytes(GET.len() as u64));
    g.bench_function("handshake", |b| {
        b.iter(|| {
            let mut h = [HeaderRef::default(); 16];
            match parse_request(black_box(GET), &mut h, &limits) {
                Ok(Parsed::Complete(r, n)) => black_box((r.headers.len(), n)),
                _ => unreachable!(),
            }
        })
    });
    g.bench_function("httparse", |b| {
        b.iter(|| {
            let mut h = [httparse::EMPTY_HEADER; 16];
            let mut r = httparse::Request::new(&mut h);
            match r.parse(black_box(GET)) {
                Ok(httparse::Status::Complete(n)) => black_box((r.headers.len(), n)),
                _ => unreachable!(),
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("http/parse-response-head");
    g.throughput(Throughput::Bytes(RESPONSE.len() as u64));
    g.bench_function("handshake", |b| {
        b.iter(|| {
            let mut h = [HeaderRef::default(); 16];
            match parse_response(black_box(RESPONSE), &mut h, &limits) {
                Ok(Parsed::Complete(r, n)) => black_box((r.headers.len(), n)),
                _ => unreachable!(),
            }
        })
    });
    g.bench_function("httparse", |b| {
        b.iter(|| {
            let mut h = [httparse::EMPTY_HEADER; 16];
            let mut r = httparse::Response::new(&mut h);
            match r.parse(black_box(RESPONSE)) {
                Ok(httparse::Status::Complete(n)) => black_box((r.headers.len(), n)),
                _ => unreachable!(),
            }
        })
    });
    g.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
use group::benches;
criterion_main!(benches);
