//! `handshake tcp`: our TCP sends to the kernel's through a TUN device in a
//! private network namespace, with a chosen congestion control, loss and
//! delay; prints the ladder of the first and last segments and a summary,
//! and draws cwnd and ssthresh over time (SVG and PNG).

use std::path::PathBuf;

use anyhow::{bail, Result};

/// `handshake tcp`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Bytes to send: a number, with k or M for KiB or MiB (at most 256M)
    #[arg(long, default_value = "1M", value_parser = parse_size)]
    size: u64,
    /// Our sender's congestion control
    #[arg(long, value_enum, default_value_t = Cc::Cubic)]
    cc: Cc,
    /// Percent of our packets lost on the way to the kernel (0 to 50)
    #[arg(long, default_value_t = 0.0)]
    loss: f64,
    /// Milliseconds added to every packet from the kernel (the ACK path),
    /// so each round trip grows by as much (0 to 2000)
    #[arg(long, default_value_t = 0)]
    delay: u64,
    /// Seed of the loss pattern (the same seed loses the same packets of
    /// the same run)
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write the chart to FILE.svg and FILE.png
    #[arg(long, value_name = "FILE", default_value = "cwnd")]
    chart: PathBuf,
    /// Write every packet to FILE (pcap, raw IPv4)
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Segments of the start and of the end shown on the ladder
    #[arg(long, default_value_t = 6)]
    segments: usize,
    /// Print a JSON summary on stdout: {"bytes", "seconds", "mbit_per_s",
    /// "cc", "loss_percent", "delay_ms", "segments_sent", "retransmits",
    /// "fast_retransmits", "timeouts", "tlp_probes", "srtt_ms",
    /// "received", "intact", "chart": {"svg", "png"}, "trace": [...]}
    #[arg(long)]
    json: bool,
    /// Seconds the whole transfer may take
    #[arg(long, default_value_t = 120)]
    timeout: u64,
}

/// The congestion controls of handshake-tcp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Cc {
    /// RFC 5681
    Reno,
    /// RFC 6582
    Newreno,
    /// RFC 9438
    Cubic,
}

/// The most `--size` takes: the run keeps the whole capture's headers.
const MAX_SIZE: u64 = 256 << 20;

fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.as_bytes().last() {
        Some(b'k' | b'K') => (&s[..s.len() - 1], 1024),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1 << 20),
        _ => (s, 1),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (a number, with k or M)"))?;
    let n = n.checked_mul(mult).ok_or("too large")?;
    if n == 0 || n > MAX_SIZE {
        return Err(format!("{s} is not between 1 byte and 256M"));
    }
    Ok(n)
}

/// `handshake tcp`.
pub async fn run(a: Args) -> Result<()> {
    if !(0.0..=50.0).contains(&a.loss) {
        bail!("--loss {}: a percentage from 0 to 50", a.loss);
    }
    if a.delay > 2000 {
        bail!("--delay {}: at most 2000 ms", a.delay);
    }
    #[cfg(target_os = "linux")]
    {
        let json = a.json;
        let r = tokio::task::spawn_blocking(move || linux::transfer(&a)).await??;
        r.print(json)
    }
    #[cfg(not(target_os = "linux"))]
    {
        bail!("handshake tcp needs Linux network namespaces and a TUN device")
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Read;
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use anyhow::{anyhow, bail, Context, Result};
    use handshake_io::driver::Driver;
    use handshake_io::fault::{Action, Dir as FaultDir, Rule, Select};
    use handshake_io::kernel;
    use handshake_io::link::Link;
    use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR, OUR_ADDR};
    use handshake_io::packet::decode;
    use handshake_io::pcap::Capture;
    use handshake_tcp::congestion::Algorithm;
    use handshake_tcp::conn::{Config, Event, State};
    use serde_json::json;

    use super::{Args, Cc};
    use crate::chart::{self, Sample};
    use crate::common;
    use crate::ladder::{Dir, Ladder};
    use crate::via::segment_line;

    /// The kernel's port in the namespace, and ours.
    const PORT: u16 = 5001;
    const OUR_PORT: u16 = 40000;

    /// The byte at offset `i` of the stream: the receiver checks each one.
    fn pattern(i: u64) -> u8 {
        (i % 251) as u8
    }

    /// What one run measured.
    pub struct Report {
        args: Args,
        seconds: f64,
        stats: handshake_tcp::conn::Stats,
        received: u64,
        intact: bool,
        ladder: Ladder,
        svg: String,
        png: String,
        pcap: Option<(String, usize)>,
    }

    pub fn transfer(a: &Args) -> Result<Report> {
        let (net, tun) = TestNet::new(NetConfig::default()).map_err(|e| {
            if e.is_unsupported() {
                anyhow!("{e}")
            } else {
                anyhow!("network namespace: {e}")
            }
        })?;
        let tun = tun.ok_or_else(|| anyhow!("no TUN device"))?;
        let addr = SocketAddr::from((KERNEL_ADDR, PORT));
        let listener = kernel::listen(&net, addr, None).context("kernel listener")?;
        // The kernel's side: read everything, checking each byte.
        let limit = Duration::from_secs(a.timeout);
        let receiver = std::thread::spawn(move || -> std::io::Result<(u64, bool)> {
            let mut s = kernel::accept(&listener, limit)?;
            s.set_read_timeout(Some(limit))?;
            let (mut n, mut intact) = (0u64, true);
            let mut buf = vec![0u8; 64 << 10];
            loop {
                let k = s.read(&mut buf)?;
                if k == 0 {
                    return Ok((n, intact));
                }
                for (j, b) in buf[..k].iter().enumerate() {
                    intact &= *b == pattern(n + j as u64);
                }
                n += k as u64;
            }
        });
        let mut link = Link::new(tun, a.seed)?;
        if a.loss > 0.0 {
            link.faults.add(Rule::new(
                FaultDir::ToKernel,
                Select::Fraction(a.loss / 100.0),
                Action::Drop,
            ));
        }
        if a.delay > 0 {
            link.faults.add(Rule::new(
                FaultDir::ToUs,
                Select::All,
                Action::Delay(Duration::from_millis(a.delay)),
            ));
        }
        let origin = Instant::now() - link.elapsed();
        let mut ladder = Ladder::starting_at(origin);
        let mut d = Driver::new(link);
        let algorithm = match a.cc {
            Cc::Reno => Algorithm::Reno,
            Cc::Newreno => Algorithm::NewReno,
            Cc::Cubic => Algorithm::Cubic,
        };
        let c = d.connect(Config::default().congestion(algorithm), OUR_PORT, addr);
        let deadline = Instant::now() + limit;
        let (mut sent, mut closed) = (0u64, false);
        let mut chunk = Vec::with_capacity(64 << 10);
        let mut samples: Vec<Sample> = Vec::new();
        let mut began: Option<f64> = None;
        let mut acked_at: Option<f64> = None;
        loop {
            d.step(Duration::from_millis(5))?;
            let t = d.link.elapsed().as_secs_f64();
            let conn = d.conn(c);
            while let Some(e) = conn.poll_event() {
                match e {
                    Event::Reset => bail!("the kernel reset the connection"),
                    Event::TimedOut => bail!("retransmissions ran out (RFC 9293 §3.8.3)"),
                    _ => {}
                }
            }
            let state = conn.state();
            if state.is_synchronized() && !closed {
                began.get_or_insert(t);
                while sent < a.size {
                    let n = (a.size - sent).min(64 << 10) as usize;
                    chunk.clear();
                    chunk.extend((0..n as u64).map(|j| pattern(sent + j)));
                    let k = conn.send(&chunk);
                    if k == 0 {
                        break;
                    }
                    sent += k as u64;
                }
                if sent == a.size {
                    conn.close();
                    closed = true;
                }
            }
            let st = conn.stats();
            let sample = Sample {
                t,
                cwnd: st.cwnd,
                ssthresh: st.ssthresh,
                in_flight: st.bytes_in_flight,
            };
            if samples.last().is_none_or(|p| !p.same(&sample)) && state.is_synchronized() {
                samples.push(sample);
            }
            let v = conn.sequence_vars();
            if closed && acked_at.is_none() && v.snd_una == v.snd_nxt {
                acked_at = Some(t);
            }
            if closed && matches!(state, State::TimeWait | State::Closed) {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "the transfer did not finish within {} s ({sent} of {} bytes handed to our TCP)",
                    a.timeout,
                    a.size
                );
            }
        }
        d.flush()?;
        let stats = d.conn(c).stats();
        let (received, intact) = receiver
            .join()
            .map_err(|_| anyhow!("the receiver thread panicked"))?
            .context("the kernel's receiver")?;
        let seconds = acked_at.unwrap_or(0.0) - began.unwrap_or(0.0);
        // The ladder: the first and the last segments, from the capture.
        let packets: Vec<(Duration, Vec<u8>)> = d
            .link
            .capture()
            .map(|c| c.packets().map(|(t, p)| (t, p.to_vec())).collect())
            .unwrap_or_default();
        let n = a.segments;
        let draw = |ladder: &mut Ladder, range: &[(Duration, Vec<u8>)]| {
            for (t, p) in range {
                if let Ok(s) = decode(p) {
                    let dir = if s.src == OUR_ADDR { Dir::Out } else { Dir::In };
                    ladder.at(origin + *t, "TCP", dir, segment_line(&s.segment));
                }
            }
        };
        if packets.len() > 2 * n {
            draw(&mut ladder, &packets[..n]);
            ladder.untimed(
                "TCP",
                Dir::Note,
                format!("... {} segments ...", packets.len() - 2 * n),
            );
            draw(&mut ladder, &packets[packets.len() - n..]);
        } else {
            draw(&mut ladder, &packets);
        }
        let pcap = match &a.pcap {
            Some(p) => {
                let mut c = Capture::new();
                for (t, pkt) in &packets {
                    c.record(*t, pkt);
                }
                c.write(p)
                    .with_context(|| format!("--pcap {}", p.display()))?;
                Some((p.display().to_string(), c.len()))
            }
            None => None,
        };
        let title = format!(
            "{} {} bytes, loss {}%, delay {} ms",
            algorithm_name(a.cc),
            a.size,
            a.loss,
            a.delay
        );
        let svg_text = chart::cwnd_svg(&samples, &title)?;
        let svg = a.chart.with_extension("svg");
        let png = a.chart.with_extension("png");
        std::fs::write(&svg, &svg_text).with_context(|| format!("{}", svg.display()))?;
        std::fs::write(&png, chart::png(&svg_text)?)
            .with_context(|| format!("{}", png.display()))?;
        drop(d);
        drop(net);
        Ok(Report {
            args: a.clone(),
            seconds,
            stats,
            received,
            intact,
            ladder,
            svg: svg.display().to_string(),
            png: png.display().to_string(),
            pcap,
        })
    }

    fn algorithm_name(cc: Cc) -> &'static str {
        match cc {
            Cc::Reno => "Reno",
            Cc::Newreno => "NewReno",
            Cc::Cubic => "CUBIC",
        }
    }

    impl Report {
        pub fn print(&self, json: bool) -> Result<()> {
            let a = &self.args;
            let s = &self.stats;
            let mbit = if self.seconds > 0.0 {
                a.size as f64 * 8.0 / self.seconds / 1e6
            } else {
                0.0
            };
            let srtt_ms = s.srtt.map(|d| d.as_secs_f64() * 1000.0);
            if !json {
                eprint!("{}", self.ladder.render(common::colour_stderr()));
            }
            if !(self.intact && self.received == a.size) {
                bail!(
                    "the kernel received {} of {} bytes{}",
                    self.received,
                    a.size,
                    if self.intact { "" } else { ", not as sent" }
                );
            }
            if json {
                return common::print_json(&json!({
                    "bytes": a.size,
                    "seconds": self.seconds,
                    "mbit_per_s": mbit,
                    "cc": algorithm_name(a.cc),
                    "loss_percent": a.loss,
                    "delay_ms": a.delay,
                    "segments_sent": s.segments_sent,
                    "retransmits": s.retransmits,
                    "fast_retransmits": s.fast_retransmits,
                    "timeouts": s.timeouts,
                    "tlp_probes": s.tlp_probes,
                    "srtt_ms": srtt_ms,
                    "received": self.received,
                    "intact": self.intact,
                    "chart": {"svg": self.svg, "png": self.png},
                    "pcap": self.pcap.as_ref().map(|p| &p.0),
                    "trace": self.ladder.to_json(),
                }));
            }
            println!(
                "sent {} bytes with {} in {:.3} s: {:.1} Mbit/s (loss {}%, delay {} ms)",
                a.size,
                algorithm_name(a.cc),
                self.seconds,
                mbit,
                a.loss,
                a.delay
            );
            println!(
                "segments sent {}, retransmissions {} (fast retransmits {}, timeouts {}, tail loss probes {}), srtt {}",
                s.segments_sent,
                s.retransmits,
                s.fast_retransmits,
                s.timeouts,
                s.tlp_probes,
                srtt_ms.map_or("-".into(), |m| format!("{m:.1} ms"))
            );
            println!(
                "the kernel received all {} bytes, each as sent",
                self.received
            );
            println!("chart: {} and {}", self.svg, self.png);
            if let Some((p, n)) = &self.pcap {
                println!("capture: {n} packets in {p}");
            }
            Ok(())
        }
    }
}
