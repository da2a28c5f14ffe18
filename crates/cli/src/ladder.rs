//! The `--trace` ladder: each step of the exchange with the time since the
//! start, the layer, and which way it went.

use std::time::Instant;

use serde_json::{json, Value};

/// Which way a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    Out,
    /// Server to client.
    In,
    /// A local note.
    Note,
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// Milliseconds since the start; `None` for a step whose own time is
    /// not known (a TLS message, traced by the machine without a clock).
    pub ms: Option<f64>,
    /// DNS, TCP, TLS, HTTP.
    pub layer: &'static str,
    /// The direction.
    pub dir: Dir,
    /// What happened.
    pub text: String,
}

/// The steps of one run.
#[derive(Debug)]
pub struct Ladder {
    start: Instant,
    steps: Vec<Step>,
}

impl Ladder {
    /// An empty ladder starting now.
    pub fn new() -> Ladder {
        Ladder {
            start: Instant::now(),
            steps: Vec::new(),
        }
    }

    /// An empty ladder whose times count from `start`.
    pub fn starting_at(start: Instant) -> Ladder {
        Ladder {
            start,
            steps: Vec::new(),
        }
    }

    /// Records a step now.
    pub fn step(&mut self, layer: &'static str, dir: Dir, text: impl Into<String>) {
        let ms = Some(self.start.elapsed().as_secs_f64() * 1000.0);
        self.steps.push(Step {
            ms,
            layer,
            dir,
            text: text.into(),
        });
    }

    /// Records a step that happened at `at` (a packet's capture time).
    pub fn at(&mut self, at: Instant, layer: &'static str, dir: Dir, text: impl Into<String>) {
        let ms = Some(at.saturating_duration_since(self.start).as_secs_f64() * 1000.0);
        self.steps.push(Step {
            ms,
            layer,
            dir,
            text: text.into(),
        });
    }

    /// Records a step whose time is unknown (it happened between the
    /// steps around it).
    pub fn untimed(&mut self, layer: &'static str, dir: Dir, text: impl Into<String>) {
        self.steps.push(Step {
            ms: None,
            layer,
            dir,
            text: text.into(),
        });
    }

    /// The ladder as text: `   12.345 ms  TLS   ->  ClientHello ...`, each
    /// layer in its own colour when `colour` (a terminal).
    pub fn render(&self, colour: bool) -> String {
        use anstyle::{AnsiColor, Style};
        // The time column is as wide as the longest time (at least
        // "999.999"), so the arrows stay in one column past a second.
        let w = self
            .steps
            .iter()
            .filter_map(|s| s.ms)
            .map(|ms| format!("{ms:.3}").len())
            .max()
            .unwrap_or(0)
            .max(7);
        let mut out = format!(
            "{:>w$}  layer    client            server\n",
            "time",
            w = w + 3
        );
        for s in &self.steps {
            let arrow = match s.dir {
                Dir::Out => "──▶",
                Dir::In => "◀──",
                Dir::Note => "   ",
            };
            let time = match s.ms {
                Some(ms) => format!("{ms:>w$.3} ms"),
                None => " ".repeat(w + 3),
            };
            let hue = match s.layer {
                "DNS" => AnsiColor::Cyan,
                "TCP" => AnsiColor::Yellow,
                "TLS" => AnsiColor::Green,
                _ => AnsiColor::Magenta,
            };
            let style = if colour {
                Style::new().bold().fg_color(Some(hue.into()))
            } else {
                Style::new()
            };
            out.push_str(&format!(
                "{time}  {style}{:<5}{style:#}  {arrow} {}\n",
                s.layer, s.text
            ));
        }
        out
    }

    /// The ladder as JSON: `[{"ms" (null when unknown), "layer", "dir": "out"|"in"|"note", "text"}]`.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.steps
                .iter()
                .map(|s| {
                    json!({
                        "ms": s.ms.map(|ms| (ms * 1000.0).round() / 1000.0),
                        "layer": s.layer,
                        "dir": match s.dir { Dir::Out => "out", Dir::In => "in", Dir::Note => "note" },
                        "text": s.text,
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Past a second the time column widens for every line, so the layer
    /// and arrow columns stay aligned (they shifted by one before).
    #[test]
    fn columns_align_past_a_second() {
        let start = Instant::now();
        let mut l = Ladder::starting_at(start);
        l.at(start + Duration::from_micros(1_500), "TCP", Dir::Out, "SYN");
        l.at(start + Duration::from_millis(12_345), "TCP", Dir::In, "FIN");
        l.untimed("TCP", Dir::Note, "closed");
        let text = l.render(false);
        let lines: Vec<&str> = text.lines().collect();
        let columns: Vec<Option<usize>> = lines[1..].iter().map(|l| l.find("TCP")).collect();
        assert_eq!(columns, vec![Some(14); 3], "{text}");
        assert_eq!(lines[0].find("layer"), Some(14), "{text}");
        assert!(lines[1].starts_with("    1.500 ms"), "{text}");
        assert!(lines[2].starts_with("12345.000 ms"), "{text}");
    }
}
