//! `tcp.robust.reassembly-linear`: the out-of-order buffer's cost grows
//! linearly with the segments it holds, and its memory with the window.

use super::super::support::*;
use handshake_tcp::conn::pair::{client_addr, server_addr, Side};
use handshake_tcp::conn::Config;
use handshake_tcp::wire::{SegmentRepr, TcpFlags};

/// Delivers `n` one-byte segments to an established server, from the
/// last to the second of `n + 1` (each beyond the gap at RCV.NXT, so all
/// wait in the out-of-order buffer), then the first. Returns the buffer's
/// work counter after the `n` and its largest size in bytes.
fn reverse_one_byte_segments(n: u32) -> Result<(u64, usize), String> {
    let cfg = Config::default()
        .timestamps(false)
        .recv_buffer(1 << 20)
        .nodelay(true);
    let mut p = established_pair(cfg.clone(), cfg, 77)?;
    p.run_until_idle();
    let last = last_sent(&p, Side::Client)?;
    // The server's RCV.NXT and SND.NXT, as the client's last segment shows them.
    let (rcv_nxt, snd_nxt) = (last.header.seq_number, last.header.ack_number);
    let data = pattern(n as usize + 1, 5);
    let now = p.now;
    let server = server(&mut p)?;
    let work_before = server.stats().reassembly_work;
    let mut peak = 0;
    let send = |server: &mut handshake_tcp::conn::Connection, i: u32| {
        let mut seg = SegmentRepr::new(
            client_addr().port(),
            server_addr().port(),
            rcv_nxt + i,
            TcpFlags::ACK,
        );
        seg.ack_number = snd_nxt;
        seg.window = 65_535;
        seg.payload = &data[i as usize..i as usize + 1];
        server.handle_segment(now, &seg);
        // The duplicate ACKs it answers with go nowhere.
        while server.poll_transmit(now).is_some() {}
    };
    for i in (1..=n).rev() {
        send(server, i);
        peak = peak.max(server.stats().reassembly_bytes);
    }
    let work = server.stats().reassembly_work - work_before;
    send(server, 0);
    let mut got = Vec::new();
    drain(server, &mut got);
    ensure(got == data, || {
        format!("read {} of {} bytes back in order", got.len(), data.len())
    })?;
    Ok((work, peak))
}

/// RFC 9293 §3.10.7.4 holds out-of-order segments for later processing;
/// issue 13 defect 4: 60,000 one-byte segments must cost linear work. The
/// work of 4n inserts is compared with n's (quadratic would be 16x), and
/// the bytes held never exceed the receive buffer (the window's bound).
pub(crate) fn reassembly_linear() -> R {
    let n = 15_000;
    let (w1, peak1) = reverse_one_byte_segments(n)?;
    let (w4, peak4) = reverse_one_byte_segments(4 * n)?;
    ensure(w4 <= 6 * w1, || {
        format!(
            "out-of-order work for {n} segments {w1}, for {} segments {w4}: {:.1}x for 4x \
             the segments (linear is 4x, quadratic 16x)",
            4 * n,
            w4 as f64 / w1.max(1) as f64
        )
    })?;
    ensure(
        peak1 == n as usize && peak4 == 4 * n as usize && peak4 <= 1 << 20,
        || {
            format!(
                "bytes held at the peak: {peak1} and {peak4} (want {n} and {})",
                4 * n
            )
        },
    )
}
