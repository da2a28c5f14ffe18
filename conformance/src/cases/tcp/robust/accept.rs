//! `tcp.robust.data-before-accept`: a connection that completed its
//! handshake but that the application has not accepted yet is a connection:
//! segments reach it and it acknowledges data at once, as Linux's does.

use super::super::support::*;
use handshake_tcp::conn::pair::{client_addr, server_addr};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

/// Moves segments between `client` and `l` at `now` until none is left;
/// the client's segments for which `lose` holds are dropped. Returns the
/// flags of every segment the listener sent.
fn pump(
    now: Instant,
    client: &mut Connection,
    l: &mut Listener,
    lose: &mut dyn FnMut(&handshake_tcp::conn::Transmit) -> bool,
) -> Vec<TcpFlags> {
    let mut from_server = Vec::new();
    for _ in 0..1000 {
        let mut moved = false;
        while let Some(t) = client.poll_transmit(now) {
            moved = true;
            if !lose(&t) {
                l.handle_segment(now, client.local(), &t.repr());
            }
        }
        while let Some((to, t)) = l.poll_transmit(now) {
            moved = true;
            from_server.push(t.header.flags);
            if to == client.local() {
                client.handle_segment(now, &t.repr());
            }
        }
        if !moved {
            break;
        }
    }
    from_server
}

/// The handshake's last ACK is lost, so the client's first data segment
/// completes it (RFC 9293 §3.10.7.3: SYN-RECEIVED, an acceptable ACK
/// enters ESTABLISHED "and continue processing"); a second segment follows
/// while the application has not called accept. Both must be acknowledged
/// at once (§3.10.7.4, seventh: data is acknowledged) and none may draw a
/// RST; after accept the application reads both.
pub(crate) fn data_before_accept() -> R {
    let mut now = Instant::from_nanos(1_000_000_000);
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([0x44; 32]),
        4,
    );
    // No Nagle: the second segment leaves while the first is unacknowledged,
    // as the kernel's burst does.
    let mut client = Connection::connect(
        Config::default().nodelay(true),
        client_addr(),
        server_addr(),
        now,
        SeqNumber(9_000),
    );
    let (first, second) = (pattern(300, 1), pattern(400, 2));
    // The pure ACK that ends the handshake is lost.
    let mut lose =
        |t: &handshake_tcp::conn::Transmit| t.payload.is_empty() && t.header.flags == TcpFlags::ACK;
    let mut flags = pump(now, &mut client, &mut l, &mut lose);
    ensure(client.state() == State::Established, || {
        format!("client {:?} after the SYN-ACK", client.state())
    })?;
    client.send(&first);
    flags.extend(pump(now, &mut client, &mut l, &mut |_| false));
    now += Duration::from_millis(1);
    client.send(&second);
    flags.extend(pump(now, &mut client, &mut l, &mut |_| false));
    // Within 100 ms (less than any delayed-ACK timer, RFC 9293 §3.8.6.3
    // allows up to 500 ms, and far less than an RTO) everything is acked.
    let end = now + Duration::from_millis(100);
    while now < end {
        for t in [client.poll_timeout(), l.poll_timeout()]
            .into_iter()
            .flatten()
        {
            if t <= now {
                client.handle_timeout(now);
                l.handle_timeout(now);
            }
        }
        flags.extend(pump(now, &mut client, &mut l, &mut |_| false));
        now += Duration::from_millis(1);
    }
    let events = events(&mut client);
    ensure(
        !flags.iter().any(|f| f.contains(TcpFlags::RST)) && !events.contains(&Event::Reset),
        || format!("before accept the listener side sent {flags:?}; client events {events:?}"),
    )?;
    ensure(client.send_queue() == 0, || {
        format!(
            "before accept, {} of {} bytes still unacknowledged after 100 ms (server sent {flags:?})",
            client.send_queue(),
            first.len() + second.len()
        )
    })?;
    let mut server = l.accept().ok_or("nothing to accept")?;
    let mut got = Vec::new();
    drain(&mut server, &mut got);
    let want = [first, second].concat();
    ensure(got == want && server.state() == State::Established, || {
        format!(
            "after accept the server read {} of {} bytes, state {:?}",
            got.len(),
            want.len(),
            server.state()
        )
    })
}

/// The kernel connects to our listener and writes at once, as a client
/// does; the application accepts only 300 ms later. Every octet must be
/// acknowledged before that (RFC 9293 §3.10.7.4), nothing reset, and the
/// application reads it all after accept.
#[cfg(target_os = "linux")]
pub(crate) fn data_before_accept_kernel(ctx: &mut crate::Ctx) -> crate::Outcome {
    use crate::peers::kernel::{run, Via};
    use handshake_io::fault::Dir;
    use std::io::Write;
    run(ctx, Via::Tun, |env| {
        env.d.listen(Config::default(), 5400, 8);
        let mut k = env.kernel_connect(env.ours(5400))?;
        let data = pattern(3000, 9);
        k.write_all(&data).map_err(|e| e.to_string())?;
        env.d
            .run_for(std::time::Duration::from_millis(300))
            .map_err(|e| e.to_string())?;
        let segs = env.segments();
        if let Some(r) = segs
            .iter()
            .find(|s| s.dir == Dir::ToKernel && s.flags.contains(TcpFlags::RST))
        {
            return Err(format!(
                "before accept we reset the kernel's connection: {r:?}"
            ));
        }
        let syn = segs
            .iter()
            .find(|s| s.dir == Dir::ToUs && s.is_syn())
            .ok_or("no SYN from the kernel")?;
        let want_ack = syn.seq.wrapping_add(1 + data.len() as u32);
        let acked = segs.iter().any(|s| {
            s.dir == Dir::ToKernel
                && s.flags.contains(TcpFlags::ACK)
                && s.ack.wrapping_sub(want_ack) as i32 >= 0
        });
        if !acked {
            return Err(format!(
                "within 300 ms before accept we did not acknowledge the kernel's {} bytes",
                data.len()
            ));
        }
        let mut c = None;
        env.until(std::time::Duration::from_secs(2), "accept", |d| {
            c = c.or_else(|| d.accept());
            c.is_some()
        })?;
        let c = c.ok_or("nothing accepted")?;
        let mut got = Vec::new();
        env.until(std::time::Duration::from_secs(2), "read", |d| {
            drain(d.conn(c), &mut got);
            got.len() >= data.len()
        })?;
        if got != data {
            return Err(format!(
                "read {} of {} bytes, or other bytes",
                got.len(),
                data.len()
            ));
        }
        Ok(())
    })
}
