//! `http.interop.*`: our HTTP/1.1 client and server against independent
//! implementations on 127.0.0.1. `handshake fetch` (our resolver for
//! `localhost`, our TLS, our client driver) against nginx 1.22 (Debian 12's
//! package): the bytes written must be exactly the file nginx serves, over
//! http and https, two requests on one kept-alive connection (nginx's
//! access log must show one connection with requests 1 and 2), and a
//! chunked gzip response (decoded by `gzip -d`, an independent inflater).
//! curl 7.88 against `handshake serve`: plain, TLS, chunked, keep-alive and
//! HEAD. Every process is stopped by its pid.

use std::time::Duration;

use super::super::tls::support::{pki, LeafSpec, Pki};
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch, Serve};
use crate::peers::nginx::{Nginx, NGINX};
use crate::peers::tls_tool::pem;
use crate::{Case, Ctx, Need};

const CURL: Need = Need::binary("curl", "curl");
const GZIP: Need = Need::binary("gzip", "gzip");
const T: Duration = Duration::from_secs(60);

/// A body of `n` seeded random octets: every value appears, so a byte
/// altered or dropped anywhere shows.
fn file(ctx: &Ctx, n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut v = vec![0u8; n];
    ctx.rng().fill_bytes(&mut v);
    v
}

/// The test CA in `dir` as ca.pem, and the PKI.
fn ca(dir: &Scratch) -> Result<Pki, String> {
    let p = pki(&LeafSpec::default())?;
    std::fs::write(dir.0.join("ca.pem"), pem("CERTIFICATE", &p.ca_der))
        .map_err(|e| e.to_string())?;
    Ok(p)
}

/// `handshake fetch --json -o out URLS EXTRA`: the JSON summary.
fn fetch(dir: &Scratch, urls: &[String], extra: &[&str]) -> Result<serde_json::Value, String> {
    let out = dir.path("out");
    let mut args = vec!["fetch", "--json", "--timeout", "20", "-o", &out];
    args.extend_from_slice(extra);
    args.extend(urls.iter().map(String::as_str));
    let r = cli::run(&args, T)?;
    check::ensure(r.success, || {
        format!("handshake fetch failed: {}", r.stderr)
    })?;
    serde_json::from_str(&r.stdout).map_err(|e| format!("fetch --json: {e}: {:?}", r.stdout))
}

fn header<'a>(ex: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    ex["headers"].as_array()?.iter().find_map(|h| {
        (h[0].as_str()?.eq_ignore_ascii_case(name))
            .then(|| h[1].as_str())
            .flatten()
    })
}

fn nginx_file(ctx: &mut Ctx, tls: bool) -> Checked {
    let body = file(ctx, 300_001);
    let dir = Scratch::new("nginx-fetch")?;
    let p = ca(&dir)?;
    let ng = Nginx::start(&[("f.bin", &body)], Some((&p.chain, &p.key_pkcs8)))?;
    let (url, extra): (String, Vec<&str>) = if tls {
        let port = ng.https.ok_or("nginx has no https port")?;
        (format!("https://localhost:{port}/f.bin"), vec!["--cafile"])
    } else {
        (format!("http://127.0.0.1:{}/f.bin", ng.http), vec![])
    };
    let ca_path = dir.path("ca.pem");
    let mut extra = extra;
    if tls {
        extra.push(&ca_path);
    }
    let v = fetch(&dir, &[url], &extra)
        .map_err(|e| format!("{e}; nginx: {}", ng.peer.stderr_text()))?;
    check::equal("status", v["exchanges"][0]["status"].as_u64(), Some(200))?;
    check::ensure(dir.read("out")? == body, || {
        format!(
            "the bytes written differ from the {} nginx served",
            body.len()
        )
    })
}

fn nginx_keep_alive(ctx: &mut Ctx, tls: bool) -> Checked {
    let (a, b) = (file(ctx, 70_000), file(ctx, 1_234));
    let dir = Scratch::new("nginx-keep-alive")?;
    let p = ca(&dir)?;
    let ng = Nginx::start(
        &[("a.bin", &a), ("b.bin", &b)],
        Some((&p.chain, &p.key_pkcs8)),
    )?;
    let base = match (tls, ng.https) {
        (true, Some(port)) => format!("https://localhost:{port}"),
        _ => format!("http://127.0.0.1:{}", ng.http),
    };
    let ca_path = dir.path("ca.pem");
    let v = fetch(
        &dir,
        &[format!("{base}/a.bin"), format!("{base}/b.bin")],
        &["--cafile", &ca_path],
    )?;
    check::equal(
        "connections used",
        (
            v["exchanges"][0]["connection"].as_u64(),
            v["exchanges"][1]["connection"].as_u64(),
        ),
        (Some(1), Some(1)),
    )?;
    check::ensure(dir.read("out")? == [a, b].concat(), || {
        "the two bodies differ from the files".into()
    })?;
    // nginx's own account: `$connection $connection_requests "request" ...`.
    let log = ng.access_log();
    let lines: Vec<Vec<&str>> = log.lines().map(|l| l.split(' ').collect()).collect();
    check::equal("access log lines", lines.len(), 2)?;
    check::ensure(
        lines[0][0] == lines[1][0] && lines[0][1] == "1" && lines[1][1] == "2",
        || format!("nginx saw the requests on different connections: {log}"),
    )
}

fn nginx_chunked(ctx: &mut Ctx) -> Checked {
    let body = file(ctx, 100_000);
    let dir = Scratch::new("nginx-chunked")?;
    let ng = Nginx::start(&[("f.bin", &body)], None)?;
    let url = format!("http://127.0.0.1:{}/f.bin", ng.http);
    let v = fetch(&dir, &[url], &["-H", "Accept-Encoding: gzip"])?;
    let ex = &v["exchanges"][0];
    check::equal(
        "Transfer-Encoding",
        header(ex, "transfer-encoding"),
        Some("chunked"),
    )?;
    check::equal(
        "Content-Encoding",
        header(ex, "content-encoding"),
        Some("gzip"),
    )?;
    let gz = dir.path("out");
    let out = std::process::Command::new("gzip")
        .args(["-dc", &gz])
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    check::ensure(out.status.success(), || {
        format!(
            "gzip -d refused the body: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    check::ensure(out.stdout == body, || {
        "the inflated body differs from the file".into()
    })
}

/// curl ARGS against `handshake serve` holding f.bin (and, with `tls`, a
/// certificate for localhost); `check` gets the scratch folder, curl's
/// stdout and the file.
fn curl_serve(
    ctx: &mut Ctx,
    tls: bool,
    args: &[&str],
    check: fn(&Scratch, &str, &[u8]) -> Checked,
) -> Checked {
    let body = file(ctx, 200_000);
    let dir = Scratch::new("curl-serve")?;
    let p = ca(&dir)?;
    let s = Serve::start(
        &[("f.bin", &body)],
        tls.then_some((&p.chain[..], &p.key_pkcs8[..])),
    )?;
    let base = match (tls, s.https) {
        (true, Some(port)) => format!("https://localhost:{port}"),
        _ => format!("http://127.0.0.1:{}", s.http),
    };
    let resolve = format!("localhost:{}:127.0.0.1", s.https.unwrap_or(s.http));
    let ca_path = dir.path("ca.pem");
    let mut all: Vec<String> = [
        "-sS",
        "--max-time",
        "20",
        "--cacert",
        &ca_path,
        "--resolve",
        &resolve,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    for a in args {
        all.push(
            a.replace("{base}", &base)
                .replace("{dir}", &dir.0.to_string_lossy()),
        );
    }
    let out = std::process::Command::new("curl")
        .args(&all)
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    check::ensure(out.status.success(), || {
        format!(
            "curl failed: {}; serve: {}",
            String::from_utf8_lossy(&out.stderr),
            s.peer.stderr_text()
        )
    })?;
    check(&dir, &String::from_utf8_lossy(&out.stdout), &body)
}

fn same_file(dir: &Scratch, _: &str, body: &[u8]) -> Checked {
    check::ensure(dir.read("o1")? == body, || {
        "curl's copy differs from the file served".into()
    })
}

fn chunked_file(dir: &Scratch, _: &str, body: &[u8]) -> Checked {
    let head = String::from_utf8_lossy(&dir.read("head")?).to_ascii_lowercase();
    check::ensure(head.contains("\r\ntransfer-encoding: chunked\r\n"), || {
        format!("not chunked: {head}")
    })?;
    same_file(dir, "", body)
}

fn two_on_one(dir: &Scratch, stdout: &str, body: &[u8]) -> Checked {
    // %{num_connects}: the new connections each transfer needed.
    check::equal(
        "new connections per transfer",
        stdout.split_whitespace().collect::<Vec<_>>(),
        vec!["1", "0"],
    )?;
    check::ensure(dir.read("o2")? == body, || "the second copy differs".into())?;
    same_file(dir, "", body)
}

fn head_length(_: &Scratch, stdout: &str, body: &[u8]) -> Checked {
    let want = format!("content-length: {}", body.len());
    check::ensure(stdout.to_ascii_lowercase().contains(&want), || {
        format!("no {want:?} in {stdout:?}")
    })?;
    check::ensure(stdout.ends_with("\r\n\r\n"), || {
        "HEAD response with content".into()
    })
}

/// The `http.interop.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    const NG: &str = "peer: nginx 1.22, Debian 12";
    const CU: &str = "peer: curl 7.88 / OpenSSL 3";
    vec![
        Case::must(
            "http.interop.nginx-http-file",
            format!("RFC 9112 §6.3, RFC 9110 §8.6 ({NG})"),
        )
        .needs(&[NGINX])
        .interop_peer(|ctx| nginx_file(ctx, false)),
        Case::must(
            "http.interop.nginx-https-file",
            format!("RFC 9112 §6.3; RFC 9110 §4.2.2; RFC 8446 ({NG})"),
        )
        .needs(&[NGINX])
        .interop_peer(|ctx| nginx_file(ctx, true)),
        Case::must(
            "http.interop.nginx-http-keep-alive",
            format!("RFC 9112 §9.3 ({NG})"),
        )
        .needs(&[NGINX])
        .interop_peer(|ctx| nginx_keep_alive(ctx, false)),
        Case::must(
            "http.interop.nginx-https-keep-alive",
            format!("RFC 9112 §9.3; RFC 8446 ({NG})"),
        )
        .needs(&[NGINX])
        .interop_peer(|ctx| nginx_keep_alive(ctx, true)),
        Case::must(
            "http.interop.nginx-chunked-gzip",
            format!("RFC 9112 §7.1; RFC 9110 §8.4 ({NG}; gzip -d)"),
        )
        .needs(&[NGINX, GZIP])
        .interop_peer(nginx_chunked),
        Case::must(
            "http.interop.curl-serve-http",
            format!("RFC 9112 §6.3, RFC 9110 §8.6 ({CU})"),
        )
        .needs(&[CURL])
        .interop_peer(|ctx| curl_serve(ctx, false, &["-o", "{dir}/o1", "{base}/f.bin"], same_file)),
        Case::must(
            "http.interop.curl-serve-https",
            format!("RFC 9110 §4.2.2; RFC 8446 ({CU})"),
        )
        .needs(&[CURL])
        .interop_peer(|ctx| curl_serve(ctx, true, &["-o", "{dir}/o1", "{base}/f.bin"], same_file)),
        Case::must(
            "http.interop.curl-serve-chunked",
            format!("RFC 9112 §7.1 ({CU})"),
        )
        .needs(&[CURL])
        .interop_peer(|ctx| {
            curl_serve(
                ctx,
                false,
                &["-D", "{dir}/head", "-o", "{dir}/o1", "{base}/f.bin?chunked"],
                chunked_file,
            )
        }),
        Case::must(
            "http.interop.curl-serve-keep-alive",
            format!("RFC 9112 §9.3 ({CU})"),
        )
        .needs(&[CURL])
        .interop_peer(|ctx| {
            curl_serve(
                ctx,
                true,
                &[
                    "-w",
                    "%{num_connects}\\n",
                    "-o",
                    "{dir}/o1",
                    "{base}/f.bin",
                    "-o",
                    "{dir}/o2",
                    "{base}/f.bin",
                ],
                two_on_one,
            )
        }),
        Case::must(
            "http.interop.curl-serve-head",
            format!("RFC 9110 §9.3.2 ({CU})"),
        )
        .needs(&[CURL])
        .interop_peer(|ctx| curl_serve(ctx, false, &["-I", "{base}/f.bin"], head_length)),
    ]
}
