//! `tls.tshark.*`: Wireshark's dissector (tshark 4.0) decrypts a capture of
//! our client talking to our server (both handshake-io's blocking
//! `TlsStream` over loopback TCP) with the NSS key log our key schedule
//! wrote, and must read back exactly the application bytes each side sent:
//! the independent check of the key schedule's secrets, the record layer's
//! nonces and sequence numbers, and record protection (RFC 8446 §5.2, §5.3,
//! §7.1, §7.3; RFC 5246 §6.2.3.3, §6.3; RFC 5288 §3). The capture is taken
//! by dumpcap on `lo` in a network namespace of the case's own (nothing
//! else on it), started and stopped by its pid.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use handshake_io::tls::blocking::TlsStream;
use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{nss_key_log_line, KeyLog};

use super::support::{client_config, pki, server_config, LeafSpec};
use crate::check::{self, Checked};
use crate::peers::netns::NetNs;
use crate::peers::tls_example::run_to_end;
use crate::peers::tls_tool::ToolPeer;
use crate::{Case, Need};

const DUMPCAP: Need = Need::binary("dumpcap", "tshark");
const TSHARK: Need = Need::binary("tshark", "tshark");

const REQUEST: &[u8] = b"GET /tshark-reads-this HTTP/1.1\r\nHost: localhost\r\n\r\n";
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\ndecrypted by tshark, ok\n";

/// NSS key-log lines, in memory until the file is written.
#[derive(Default)]
struct Lines(Mutex<Vec<String>>);

impl KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        if let Ok(mut v) = self.0.lock() {
            v.push(nss_key_log_line(label, client_random, secret));
        }
    }
}

/// Our server: the handshake, the request read, the response sent, close.
fn serve(listener: TcpListener, config: Arc<handshake_tls::ServerConfig>) -> Result<(), String> {
    let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut tls = TlsStream::accept(config, tcp).map_err(|e| format!("server: {e}"))?;
    let mut got = vec![0u8; REQUEST.len()];
    tls.read_exact(&mut got)
        .map_err(|e| format!("server read: {e}"))?;
    tls.write_all(RESPONSE).map_err(|e| e.to_string())?;
    tls.close().map_err(|e| e.to_string())
}

/// The two directions tshark's `follow,tls,raw` printed, decoded from hex,
/// as (to the server on `port`, to the client): node 0's lines start at
/// column 0, node 1's with a tab, and the "Node 0: ADDR:PORT" line says
/// which node is which.
fn followed(text: &str, port: u16) -> Result<(Vec<u8>, Vec<u8>), String> {
    let node0 = text
        .lines()
        .find_map(|l| l.strip_prefix("Node 0: "))
        .ok_or_else(|| format!("tshark followed no stream: {text}"))?;
    let node0_is_server = node0.trim().ends_with(&format!(":{port}"));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let (to, hex) = match line.strip_prefix('\t') {
            Some(h) => (&mut b, h.trim()),
            None => (&mut a, line.trim()),
        };
        if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        to.extend(hex::decode(hex).map_err(|e| format!("tshark printed {hex:?}: {e}"))?);
    }
    Ok(if node0_is_server { (b, a) } else { (a, b) })
}

fn decrypt(version: u16, ns: &str) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let _ns = NetNs::enter(ns, &[])?;
    let dir = ToolPeer::scratch("tshark")?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let cap = dir.join("tls.pcapng");
    let args: Vec<String> = vec![
        "-q".into(),
        "-i".into(),
        "lo".into(),
        "-f".into(),
        format!("tcp port {port}"),
        "-w".into(),
        cap.to_string_lossy().into_owned(),
    ];
    // Each program gets a scratch folder of its own (removed with it); the
    // capture and the key log stay in `dir`.
    let mut dumpcap = ToolPeer::program("dumpcap", &args, ToolPeer::scratch("dumpcap")?)?;
    // dumpcap says where it captures once the capture runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !dumpcap.stderr_text().contains("Capturing on") {
        if std::time::Instant::now() > deadline || dumpcap.exited() {
            return Err(format!("dumpcap did not start: {}", dumpcap.stderr_text()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // The message comes a moment before the filter is live on a loaded
    // machine: give it time, so the capture holds the whole handshake.
    std::thread::sleep(Duration::from_millis(500));

    let log = Arc::new(Lines::default());
    let mut sc = server_config(&p)?;
    sc.versions = vec![version];
    let server = std::thread::spawn({
        let sc = Arc::new(sc);
        move || serve(listener, sc)
    });
    let mut cc = client_config(&p)?;
    cc.versions = vec![version];
    cc.key_log = Some(log.clone());
    let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut tls =
        TlsStream::connect(Arc::new(cc), "localhost", tcp).map_err(|e| format!("client: {e}"))?;
    tls.write_all(REQUEST).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer)
        .map_err(|e| format!("client read: {e}"))?;
    tls.close().map_err(|e| e.to_string())?;
    server
        .join()
        .map_err(|_| "the server thread panicked".to_string())??;
    check::equal("what the client read", answer.as_slice(), RESPONSE)?;
    // Let the last segments reach the capture, then stop dumpcap cleanly
    // (SIGTERM to its pid, so it finishes the file).
    std::thread::sleep(Duration::from_millis(500));
    let pid = rustix::process::Pid::from_raw(dumpcap.pid() as i32).ok_or("no pid")?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).map_err(|e| e.to_string())?;
    if !dumpcap.wait_exit(Duration::from_secs(10)) {
        return Err("dumpcap did not stop".into());
    }
    drop(dumpcap);

    let lines = log.0.lock().map(|v| v.join("\n")).unwrap_or_default();
    let kl = dir.join("keylog.txt");
    std::fs::write(&kl, lines + "\n").map_err(|e| e.to_string())?;
    let args: Vec<String> = vec![
        "-r".into(),
        cap.to_string_lossy().into_owned(),
        "-o".into(),
        format!("tls.keylog_file:{}", kl.to_string_lossy()),
        "-q".into(),
        "-z".into(),
        "follow,tls,raw,0".into(),
    ];
    let (out, _) = run_to_end(
        "tshark",
        &args,
        ToolPeer::scratch("tshark-read")?,
        Duration::from_secs(60),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    let (to_server, to_client) = followed(&out, port)?;
    check::equal(
        "the decrypted stream (client -> server, server -> client)",
        (
            String::from_utf8_lossy(&to_server),
            String::from_utf8_lossy(&to_client),
        ),
        (
            String::from_utf8_lossy(REQUEST),
            String::from_utf8_lossy(RESPONSE),
        ),
    )
}

/// The `tls.tshark.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tls.tshark.decrypt-tls13",
            "RFC 8446 §5.2, §5.3, §7.1, §7.3 (peer: tshark 4.0, TLS 1.3)",
        )
        .needs(&[DUMPCAP, TSHARK, Need::Root])
        .interop_peer(|_| decrypt(TLS13, "hs-tshark13")),
        Case::must(
            "tls.tshark.decrypt-tls12-ecdhe",
            "RFC 5246 §6.2.3.3, §6.3, §8.1; RFC 5288 §3; RFC 7627 §4 (peer: tshark 4.0, TLS 1.2 ECDHE)",
        )
        .needs(&[DUMPCAP, TSHARK, Need::Root])
        .interop_peer(|_| decrypt(TLS12, "hs-tshark12")),
    ]
}
