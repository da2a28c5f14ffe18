//! Runs a 4 MiB transfer over a 10 Mbit/s, 40 ms RTT path with 1% loss and
//! a 20-packet queue, and writes its trace as `sim.csv` and the congestion
//! window chart as `cwnd.svg` into the directory given (default `.`).
//!
//! `cargo run -p handshake-tcp --features plot --example sim_cwnd -- /tmp`

use handshake_tcp::conn::Config;
use handshake_tcp::sim::{plot, Bulk, LinkConfig, Side, SimConfig, Simulator, Sink};
use handshake_time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let mut sim = Simulator::new(SimConfig::default().seed(1).trace_capacity(1 << 20));
    let link = LinkConfig::default()
        .delay(Duration::from_millis(20))
        .bandwidth_bps(10_000_000)
        .queue_packets(20);
    sim.set_link(Side::A, link.clone().loss(0.01));
    sim.set_link(Side::B, link);
    let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
    sim.connect(Side::A, Config::default(), sim.addr(l), Bulk::new(4 << 20));
    sim.run_until_idle();
    let mut csv = String::new();
    sim.trace().write_csv(&mut csv)?;
    std::fs::write(dir.join("sim.csv"), csv)?;
    std::fs::write(
        dir.join("cwnd.svg"),
        plot::cwnd_svg(sim.trace(), 1000, 500)?,
    )?;
    println!(
        "{} events, {} simulated; wrote sim.csv and cwnd.svg to {}",
        sim.events_run(),
        handshake_time::Duration::from_nanos(sim.now().as_nanos()).as_secs_f64(),
        dir.display()
    );
    Ok(())
}
