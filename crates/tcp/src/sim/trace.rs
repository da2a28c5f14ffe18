//! What a simulation records: every segment sent, delivered or dropped, and
//! each connection's numbers whenever its congestion state changed.

use alloc::vec::Vec;
use core::fmt::{self, Write};
use core::net::SocketAddr;

use handshake_time::Instant;

use super::{DropReason, EndpointId, Side};
use crate::conn::Stats;
use crate::wire::{SackBlocks, SeqNumber, TcpFlags};

/// What happened to a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentEvent {
    /// Handed to the link by its sender.
    Sent,
    /// The link will deliver it a second time.
    Duplicated,
    /// Lost, and why.
    Dropped(DropReason),
    /// Handed to the receiving endpoint.
    Delivered,
}

/// One segment event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentRecord {
    /// When.
    pub time: Instant,
    /// What happened.
    pub event: SegmentEvent,
    /// The side that sent it.
    pub from: Side,
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
    /// Control bits.
    pub flags: TcpFlags,
    /// Sequence number.
    pub seq: SeqNumber,
    /// Acknowledgment number.
    pub ack: SeqNumber,
    /// Data bytes.
    pub len: u32,
    /// Window field as on the wire (unscaled).
    pub window: u16,
    /// SACK blocks carried.
    pub sack: SackBlocks,
    /// The IP header's ECN codepoint: as sent, or as delivered after a
    /// marking queue or rule set CE (RFC 3168 §5).
    pub ecn: crate::wire::Ecn,
}

/// A connection's numbers at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// When.
    pub time: Instant,
    /// Which connection.
    pub endpoint: EndpointId,
    /// Its statistics (congestion window, bytes in flight, RTT estimates, ...).
    pub stats: Stats,
}

/// One trace entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceEvent {
    /// A segment was sent, duplicated, dropped or delivered.
    Segment(SegmentRecord),
    /// A connection's statistics changed.
    Sample(Sample),
}

impl TraceEvent {
    /// When it happened.
    pub fn time(&self) -> Instant {
        match self {
            TraceEvent::Segment(s) => s.time,
            TraceEvent::Sample(s) => s.time,
        }
    }
}

/// A bounded record of a simulation: at most `capacity` events are kept;
/// later ones are counted in [`Trace::overflow`] and dropped.
///
/// ```
/// use handshake_tcp::sim::Trace;
/// let t = Trace::with_capacity(0);
/// assert!(t.events().is_empty());
/// let mut csv = String::new();
/// t.write_csv(&mut csv).unwrap();
/// assert!(csv.starts_with("time_ns,event,"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Trace {
    events: Vec<TraceEvent>,
    capacity: usize,
    overflow: u64,
}

/// The CSV header; one line per [`TraceEvent`], empty fields where a column
/// does not apply.
const CSV_HEADER: &str = "time_ns,event,side,endpoint,src,dst,flags,seq,ack,len,window,sack,\
state,cwnd,ssthresh,bytes_in_flight,srtt_ns,rttvar_ns,rto_ns,retransmits,segments_sent,reassembly_bytes\n";

impl Trace {
    /// An empty trace that keeps at most `capacity` events (0: record nothing).
    pub fn with_capacity(capacity: usize) -> Self {
        Trace {
            events: Vec::new(),
            capacity,
            overflow: 0,
        }
    }

    /// True when it records anything at all.
    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The events kept, in time order.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Events that did not fit.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// The segment events.
    pub fn segments(&self) -> impl Iterator<Item = &SegmentRecord> + '_ {
        self.events.iter().filter_map(|e| match e {
            TraceEvent::Segment(s) => Some(s),
            TraceEvent::Sample(_) => None,
        })
    }

    /// The statistics samples.
    pub fn samples(&self) -> impl Iterator<Item = &Sample> + '_ {
        self.events.iter().filter_map(|e| match e {
            TraceEvent::Sample(s) => Some(s),
            TraceEvent::Segment(_) => None,
        })
    }

    pub(crate) fn push(&mut self, e: TraceEvent) {
        if self.events.len() < self.capacity {
            self.events.push(e);
        } else {
            self.overflow += 1;
        }
    }

    /// Writes the trace as CSV: a header line, then one line per event.
    pub fn write_csv<W: Write>(&self, w: &mut W) -> fmt::Result {
        w.write_str(CSV_HEADER)?;
        for e in &self.events {
            match e {
                TraceEvent::Segment(s) => write_segment(w, s)?,
                TraceEvent::Sample(s) => write_sample(w, s)?,
            }
        }
        Ok(())
    }

    /// Writes the trace as CSV to an `std::io::Write`.
    #[cfg(feature = "std")]
    pub fn write_csv_io<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        let mut s = alloc::string::String::new();
        self.write_csv(&mut s).map_err(std::io::Error::other)?;
        w.write_all(s.as_bytes())
    }
}

/// Flags as tcpdump letters: S, F, R, P, U, E, C, and `.` for ACK.
pub(crate) fn flag_letters(f: TcpFlags) -> FlagLetters {
    FlagLetters(f)
}

/// Displays [`TcpFlags`] as tcpdump does.
pub(crate) struct FlagLetters(TcpFlags);

impl fmt::Display for FlagLetters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters = [
            (TcpFlags::SYN, 'S'),
            (TcpFlags::FIN, 'F'),
            (TcpFlags::RST, 'R'),
            (TcpFlags::PSH, 'P'),
            (TcpFlags::URG, 'U'),
            (TcpFlags::ECE, 'E'),
            (TcpFlags::CWR, 'C'),
            (TcpFlags::ACK, '.'),
        ];
        for (flag, c) in letters {
            if self.0.contains(flag) {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

fn side(s: Side) -> char {
    match s {
        Side::A => 'A',
        Side::B => 'B',
    }
}

fn write_segment<W: Write>(w: &mut W, s: &SegmentRecord) -> fmt::Result {
    let event = match s.event {
        SegmentEvent::Sent => "sent",
        SegmentEvent::Duplicated => "duplicated",
        SegmentEvent::Delivered => "delivered",
        SegmentEvent::Dropped(DropReason::Rule) => "dropped-rule",
        SegmentEvent::Dropped(DropReason::QueueFull) => "dropped-queue",
        SegmentEvent::Dropped(DropReason::Loss) => "dropped-loss",
        SegmentEvent::Dropped(DropReason::NoEndpoint) => "dropped-no-endpoint",
        SegmentEvent::Dropped(DropReason::Malformed) => "dropped-malformed",
    };
    write!(
        w,
        "{},{event},{},,{},{},{},{},{},{},{},",
        s.time.as_nanos(),
        side(s.from),
        s.src,
        s.dst,
        flag_letters(s.flags),
        s.seq.0,
        s.ack.0,
        s.len,
        s.window
    )?;
    // SACK blocks as left-right pairs separated by spaces.
    for (i, b) in s.sack.as_slice().iter().enumerate() {
        if i > 0 {
            w.write_char(' ')?;
        }
        write!(w, "{}-{}", b.left.0, b.right.0)?;
    }
    w.write_str(",,,,,,,,,,\n")
}

fn write_sample<W: Write>(w: &mut W, s: &Sample) -> fmt::Result {
    let st = &s.stats;
    write!(
        w,
        "{},sample,,{},,,,,,,,,{:?},{},{},{},",
        s.time.as_nanos(),
        s.endpoint.index(),
        st.state,
        st.cwnd,
        st.ssthresh,
        st.bytes_in_flight
    )?;
    if let Some(srtt) = st.srtt {
        write!(w, "{}", srtt.as_nanos())?;
    }
    writeln!(
        w,
        ",{},{},{},{},{}",
        st.rttvar.as_nanos(),
        st.rto.as_nanos(),
        st.retransmits,
        st.segments_sent,
        st.reassembly_bytes
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::SackBlock;
    use alloc::string::String;

    fn record(time: u64) -> TraceEvent {
        TraceEvent::Segment(SegmentRecord {
            time: Instant::from_nanos(time),
            event: SegmentEvent::Dropped(DropReason::Loss),
            from: Side::B,
            src: "198.51.100.1:80".parse().unwrap(),
            dst: "192.0.2.1:49152".parse().unwrap(),
            flags: TcpFlags::ACK | TcpFlags::PSH,
            seq: SeqNumber(5),
            ack: SeqNumber(9),
            len: 100,
            window: 512,
            ecn: crate::wire::Ecn::NotEct,
            sack: SackBlocks::new(&[
                SackBlock {
                    left: SeqNumber(20),
                    right: SeqNumber(30),
                },
                SackBlock {
                    left: SeqNumber(40),
                    right: SeqNumber(50),
                },
            ])
            .unwrap(),
        })
    }

    #[test]
    fn capped_and_csv_columns_line_up() {
        let mut t = Trace::with_capacity(2);
        for i in 0..5 {
            t.push(record(i));
        }
        assert_eq!(t.events().len(), 2);
        assert_eq!(t.overflow(), 3);
        let mut s = String::new();
        t.write_csv(&mut s).unwrap();
        let mut lines = s.lines();
        let columns = lines.next().unwrap().split(',').count();
        let row = lines.next().unwrap();
        assert_eq!(row.split(',').count(), columns, "{row}");
        assert!(row.starts_with(
            "0,dropped-loss,B,,198.51.100.1:80,192.0.2.1:49152,P.,5,9,100,512,20-30 40-50,"
        ));
    }
}
