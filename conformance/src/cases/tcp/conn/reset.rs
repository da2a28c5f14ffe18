//! `tcp.conn.*` bodies. Resets and RFC 5961: exact and in-window RSTs, challenge ACKs and their throttle, unacceptable segments.

use super::*;

pub(super) fn rst_challenge() -> R {
    let mut p = established(13)?;
    let (rcv_nxt, snd_nxt) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    s.handle_segment(now, &from_client(rcv_nxt + 1, TcpFlags::RST));
    ensure(s.state() == State::Established, || {
        "an inexact RST reset the connection".into()
    })?;
    let t = s.poll_transmit(now).ok_or("no challenge ACK")?;
    let h = t.header;
    ensure(
        h.flags == TcpFlags::ACK && h.seq_number == snd_nxt && h.ack_number == rcv_nxt,
        || format!("challenge ACK {h:?}, want <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"),
    )?;
    s.handle_segment(now, &from_client(rcv_nxt + 5_000_000, TcpFlags::RST));
    ensure(
        s.poll_transmit(now).is_none() && s.state() == State::Established,
        || "an out-of-window RST was not silently dropped".into(),
    )
}

pub(super) fn rst_exact() -> R {
    let mut p = established(14)?;
    let (rcv_nxt, _) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    s.handle_segment(now, &from_client(rcv_nxt, TcpFlags::RST));
    let ev = events(s);
    ensure(
        s.state() == State::Closed && ev.last() == Some(&Event::Reset),
        || format!("RST at RCV.NXT left {:?}, events {ev:?}", s.state()),
    )
}

pub(super) fn syn_challenge() -> R {
    let mut p = established(15)?;
    let (rcv_nxt, snd_nxt) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    for seq in [rcv_nxt, rcv_nxt + 100, rcv_nxt - 100_000] {
        s.handle_segment(now, &from_client(seq, TcpFlags::SYN));
        let t = s.poll_transmit(now).ok_or("no challenge ACK to a SYN")?;
        let h = t.header;
        ensure(
            s.state() == State::Established
                && h.flags == TcpFlags::ACK
                && (h.seq_number, h.ack_number) == (snd_nxt, rcv_nxt),
            || format!("SYN at {seq}: state {:?}, reply {h:?}", s.state()),
        )?;
    }
    Ok(())
}

pub(super) fn unacceptable() -> R {
    let mut p = established(16)?;
    let (rcv_nxt, snd_nxt) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    let mut seg = from_client(rcv_nxt - 3000, TcpFlags::ACK);
    seg.ack_number = snd_nxt;
    seg.payload = b"old data";
    s.handle_segment(now, &seg);
    let t = s
        .poll_transmit(now)
        .ok_or("unacceptable segment not ACKed")?;
    ensure(
        t.header.ack_number == rcv_nxt && s.recv_queue() == 0,
        || {
            format!(
                "ACK {} (want {rcv_nxt}), {} bytes accepted",
                t.header.ack_number,
                s.recv_queue()
            )
        },
    )
}

pub(super) fn challenge_throttle() -> R {
    let cfg = Config::default().challenge_ack_limit(10);
    let mut p = Pair::new(Config::default(), cfg, SeqNumber(24));
    p.run_until_idle();
    let (rcv_nxt, _) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    let mut acks = 0;
    for i in 0..1000u32 {
        s.handle_segment(now, &from_client(rcv_nxt + 1 + i, TcpFlags::RST));
        while s.poll_transmit(now).is_some() {
            acks += 1;
        }
    }
    ensure(acks == 10 && s.state() == State::Established, || {
        format!("{acks} challenge ACKs for 1000 blind RSTs in one second, limit 10")
    })?;
    // RFC 5961 §7: the limit is per time unit; a second later a blind SYN
    // draws a challenge ACK again.
    let later = now + Duration::from_secs(1);
    s.handle_segment(later, &from_client(rcv_nxt + 1, TcpFlags::SYN));
    ensure(
        s.poll_transmit(later).is_some() && s.state() == State::Established,
        || "no challenge ACK a second after the limit was reached".into(),
    )
}

pub(super) fn rst_with_data() -> R {
    let mut p = established(65)?;
    let t = last_sent(&p, Side::Server)?;
    let (seq, ack) = (
        t.header.seq_number + t.segment_len() as u32,
        t.header.ack_number,
    );
    let mut rst = SegmentRepr::new(80, 49152, seq, TcpFlags::RST | TcpFlags::ACK);
    rst.ack_number = ack;
    rst.payload = b"connection reset: application gone";
    let now = p.now;
    p.client.handle_segment(now, &rst);
    ensure(
        p.client.state() == State::Closed && events(&mut p.client).contains(&Event::Reset),
        || format!("a RST carrying data left {:?}", p.client.state()),
    )
}
