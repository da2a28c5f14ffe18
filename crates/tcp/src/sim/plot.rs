//! A cwnd-over-time chart of a trace as SVG (feature `plot`), to see slow
//! start, fast recovery and timeouts at a glance.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use plotters::prelude::*;

use super::{EndpointId, Trace};
use crate::conn::State;

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError(String);

impl core::fmt::Display for PlotError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "drawing the chart: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

fn err(e: impl core::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// Draws each connection's congestion window (solid) and bytes in flight
/// (thin) in KiB over simulated seconds, from the trace's samples (up to
/// TIME-WAIT), as an SVG document of `width` x `height` pixels.
///
/// ```
/// use handshake_tcp::conn::Config;
/// use handshake_tcp::sim::{plot::cwnd_svg, Bulk, Side, SimConfig, Simulator, Sink};
/// let mut sim = Simulator::new(SimConfig::default().trace_capacity(10_000));
/// let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
/// sim.connect(Side::A, Config::default(), sim.addr(l), Bulk::new(100_000));
/// sim.run_until_idle();
/// let svg = cwnd_svg(sim.trace(), 800, 400).unwrap();
/// assert!(svg.starts_with("<svg") && svg.contains("cwnd"));
/// ```
pub fn cwnd_svg(trace: &Trace, width: u32, height: u32) -> Result<String, PlotError> {
    // Points per connection: (seconds, cwnd KiB, in flight KiB).
    let mut series: BTreeMap<EndpointId, Vec<(f64, f64, f64)>> = BTreeMap::new();
    let mut thresholds: BTreeMap<EndpointId, Vec<(f64, f64)>> = BTreeMap::new();
    let t0 = trace.samples().next().map(|s| s.time);
    // TIME-WAIT and CLOSED only stretch the time axis: leave them out.
    for s in trace
        .samples()
        .filter(|s| !matches!(s.stats.state, State::TimeWait | State::Closed))
    {
        let t = (s.time - t0.unwrap_or(s.time)).as_secs_f64();
        let kib = |b: u32| f64::from(b) / 1024.0;
        series.entry(s.endpoint).or_default().push((
            t,
            kib(s.stats.cwnd),
            kib(s.stats.bytes_in_flight),
        ));
        // ssthresh is "infinite" until the first loss: plot it from then on.
        if s.stats.ssthresh != u32::MAX {
            thresholds
                .entry(s.endpoint)
                .or_default()
                .push((t, kib(s.stats.ssthresh)));
        }
    }
    let t_max = series
        .values()
        .flat_map(|v| v.iter().map(|p| p.0))
        .fold(0.0, f64::max)
        .max(1e-3);
    let y_max = series
        .values()
        .flat_map(|v| v.iter().map(|p| p.1.max(p.2)))
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.1;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("congestion window over time", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(0.0..t_max, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc("KiB")
            .draw()
            .map_err(err)?;
        for (i, (id, points)) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            // Step lines: a value holds until the next sample.
            let steps = |f: fn(&(f64, f64, f64)) -> f64| {
                let mut out = Vec::with_capacity(points.len() * 2);
                for (k, p) in points.iter().enumerate() {
                    if k > 0 {
                        out.push((p.0, f(&points[k - 1])));
                    }
                    out.push((p.0, f(p)));
                }
                out
            };
            chart
                .draw_series(LineSeries::new(steps(|p| p.1), color.stroke_width(2)))
                .map_err(err)?
                .label(format!("cwnd #{}", id.index()))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
            chart
                .draw_series(LineSeries::new(steps(|p| p.2), color.mix(0.4)))
                .map_err(err)?
                .label(format!("in flight #{}", id.index()))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.mix(0.4)));
            if let Some(th) = thresholds.get(id) {
                let mut steps = Vec::with_capacity(th.len() * 2);
                for (k, p) in th.iter().enumerate() {
                    if k > 0 {
                        steps.push((p.0, th[k - 1].1));
                    }
                    steps.push(*p);
                }
                chart
                    .draw_series(LineSeries::new(steps, color.mix(0.7).stroke_width(1)))
                    .map_err(err)?
                    .label(format!("ssthresh #{}", id.index()))
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.mix(0.7)));
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}
