//! The cwnd / ssthresh / bytes-in-flight chart of `handshake tcp`: SVG
//! drawn with plotters, PNG rendered from that SVG with resvg, so both
//! files show the same picture.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

/// One look at the sender: time in seconds, and its windows in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t: f64,
    pub cwnd: u32,
    pub ssthresh: u32,
    pub in_flight: u32,
}

impl Sample {
    /// The same windows (the time aside).
    pub fn same(&self, o: &Sample) -> bool {
        (self.cwnd, self.ssthresh, self.in_flight) == (o.cwnd, o.ssthresh, o.in_flight)
    }
}

/// Points drawn at most, per line; a longer run keeps every reduction of
/// cwnd and change of ssthresh and an even share of the rest.
const MAX_POINTS: usize = 4000;

fn thin(samples: &[Sample]) -> Vec<Sample> {
    if samples.len() <= MAX_POINTS {
        return samples.to_vec();
    }
    let every = samples.len().div_ceil(MAX_POINTS / 2);
    let mut out: Vec<Sample> = Vec::with_capacity(MAX_POINTS);
    for (i, s) in samples.iter().enumerate() {
        let event = out
            .last()
            .is_some_and(|p| s.ssthresh != p.ssthresh || s.cwnd < p.cwnd);
        if i % every == 0 || event || i + 1 == samples.len() {
            out.push(*s);
        }
    }
    out
}

/// Step lines: a value holds until the next sample.
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (k, p) in points.iter().enumerate() {
        if k > 0 {
            out.push((p.0, points[k - 1].1));
        }
        out.push(*p);
    }
    out
}

/// cwnd (solid), ssthresh (dashed look: its own colour, from the first
/// loss on, as it is "infinite" before) and bytes in flight (light), in
/// KiB over seconds, 900 x 450 pixels.
pub fn cwnd_svg(samples: &[Sample], title: &str) -> Result<String> {
    let s = thin(samples);
    let kib = |b: u32| f64::from(b) / 1024.0;
    let cwnd: Vec<(f64, f64)> = s.iter().map(|p| (p.t, kib(p.cwnd))).collect();
    let flight: Vec<(f64, f64)> = s.iter().map(|p| (p.t, kib(p.in_flight))).collect();
    let ssthresh: Vec<(f64, f64)> = s
        .iter()
        .filter(|p| p.ssthresh != u32::MAX)
        .map(|p| (p.t, kib(p.ssthresh)))
        .collect();
    let t0 = s.first().map_or(0.0, |p| p.t);
    let t1 = s.last().map_or(1.0, |p| p.t).max(t0 + 1e-3);
    let top = cwnd
        .iter()
        .chain(&flight)
        .chain(&ssthresh)
        .map(|p| p.1)
        .fold(1.0, f64::max)
        * 1.1;
    let e = |e: &dyn std::fmt::Display| anyhow!("drawing the chart: {e}");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 450)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(t0..t1, 0.0..top)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc("KiB")
            .draw()
            .map_err(|x| e(&x))?;
        let blue = RGBColor(31, 119, 180);
        let orange = RGBColor(214, 39, 40);
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new(steps(&flight), grey.stroke_width(1)))
            .map_err(|x| e(&x))?
            .label("bytes in flight")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey));
        chart
            .draw_series(LineSeries::new(steps(&cwnd), blue.stroke_width(2)))
            .map_err(|x| e(&x))?
            .label("cwnd")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], blue.stroke_width(2)));
        if !ssthresh.is_empty() {
            chart
                .draw_series(LineSeries::new(steps(&ssthresh), orange.stroke_width(2)))
                .map_err(|x| e(&x))?
                .label("ssthresh")
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], orange.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|x| e(&x))?;
        root.present().map_err(|x| e(&x))?;
    }
    Ok(svg)
}

/// The SVG rendered to PNG at its own size, text in the system's fonts.
pub fn png(svg: &str) -> Result<Vec<u8>> {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    // plotters names the generic "sans-serif", which fontdb maps to Arial:
    // point it at a sans face this system has.
    let family = [
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
        "Helvetica",
        "Arial",
    ]
    .into_iter()
    .find(|f| db.faces().any(|x| x.families.iter().any(|(n, _)| n == f)))
    .map(str::to_string)
    .or_else(|| {
        db.faces()
            .next()
            .and_then(|x| x.families.first().map(|(n, _)| n.clone()))
    });
    if let Some(f) = family {
        db.set_sans_serif_family(f);
    }
    let tree =
        resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| anyhow!("reading the SVG: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| anyhow!("an empty chart"))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| anyhow!("encoding the PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> Vec<Sample> {
        // Slow start to 64 KiB, a loss halves it (ssthresh appears), then
        // linear growth.
        let mut v = Vec::new();
        let mut cwnd = 14_600u32;
        for i in 0..50 {
            let lost = i == 20;
            if lost {
                cwnd /= 2;
            } else if i < 20 {
                cwnd = (cwnd * 2).min(65_536);
            } else {
                cwnd += 1460;
            }
            v.push(Sample {
                t: f64::from(i) * 0.01,
                cwnd,
                ssthresh: if i >= 20 { 32_768 } else { u32::MAX },
                in_flight: cwnd / 2,
            });
        }
        v
    }

    #[test]
    fn svg_and_png_of_one_picture() {
        let svg = cwnd_svg(&run(), "test").unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("ssthresh") && svg.contains("cwnd"));
        let png = png(&svg).unwrap();
        // PNG signature (RFC 2083 §3.1), then IHDR with 900 x 450.
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 900);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 450);
    }

    #[test]
    fn thinning_keeps_every_reduction() {
        let mut v = Vec::new();
        for i in 0..100_000u32 {
            let cwnd = if i % 10_000 == 9_999 {
                1000
            } else {
                10_000 + i
            };
            v.push(Sample {
                t: f64::from(i),
                cwnd,
                ssthresh: u32::MAX,
                in_flight: 0,
            });
        }
        let t = thin(&v);
        assert!(t.len() <= MAX_POINTS + 20, "{}", t.len());
        assert_eq!(t.iter().filter(|s| s.cwnd == 1000).count(), 10);
    }
}
