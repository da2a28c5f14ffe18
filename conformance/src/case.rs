//! The case model (DESIGN.md §4).

use std::fmt;
use std::path::PathBuf;

/// How strongly the RFC states the requirement a case checks (RFC 2119).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// MUST / MUST NOT / REQUIRED / SHALL: a failure fails the run.
    Must,
    /// SHOULD / RECOMMENDED: a failure is reported, but the run still passes.
    Should,
    /// MAY / OPTIONAL.
    May,
}

impl Level {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
        }
    }
}

/// What sort of evidence a case produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Known-answer test: fixed input, output from the RFC or a hand-built packet.
    Vector,
    /// A property checked over generated inputs (proptest, seeded by `--seed`).
    Property,
    /// A deterministic simulation of endpoints over a simulated link.
    Simulation,
    /// Interop with the operating system's own stack (kernel TCP through TUN, getaddrinfo).
    InteropOs,
    /// Interop with a real peer program or library (tshark, OpenSSL, rustls, unbound...).
    InteropPeer,
}

impl Kind {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vector => "vector",
            Kind::Property => "property",
            Kind::Simulation => "simulation",
            Kind::InteropOs => "interop-os",
            Kind::InteropPeer => "interop-peer",
        }
    }
}

/// A capability a case needs from the machine. Missing ones make the case skip
/// with a reason that says how to get them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// CAP_NET_ADMIN and /dev/net/tun (network namespaces and TUN devices).
    NetAdmin,
    /// Root, to bind port 53 on loopback addresses.
    Root,
    /// A program on PATH, with the Debian package that provides it.
    Binary {
        /// Program name looked up on PATH.
        name: &'static str,
        /// Debian package to install it from.
        package: &'static str,
    },
}

impl Need {
    /// `None` when the machine has it, else the reason to skip with.
    pub fn missing(&self) -> Option<String> {
        match *self {
            Need::NetAdmin => {
                if std::path::Path::new("/dev/net/tun").exists() && is_root() {
                    None
                } else {
                    Some("needs CAP_NET_ADMIN and /dev/net/tun: run as root on Linux".into())
                }
            }
            Need::Root => {
                (!is_root()).then(|| "needs root to bind port 53 on 127.0.0.x: run as root".into())
            }
            Need::Binary { name, package } => match which::which(name) {
                Ok(_) => None,
                Err(_) => Some(format!(
                    "`{name}` not found on PATH: install it with `apt-get install {package}`"
                )),
            },
        }
    }
}

fn is_root() -> bool {
    // Reading our own effective uid without unsafe: /proc/self/status "Uid:" line.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// What running a case found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The requirement holds.
    Pass,
    /// The requirement does not hold; the reason says where and how.
    Fail(String),
    /// The case could not run here; the reason says what is missing and how to get it.
    Skip(String),
}

impl Outcome {
    /// True for [`Outcome::Pass`].
    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass)
    }

    /// The lower-case name used in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::Skip(_) => "skip",
        }
    }

    /// The failure or skip reason, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Pass => None,
            Outcome::Fail(r) | Outcome::Skip(r) => Some(r),
        }
    }

    /// `Pass` when `cond` holds, else `Fail(reason())`.
    pub fn check(cond: bool, reason: impl FnOnce() -> String) -> Outcome {
        if cond {
            Outcome::Pass
        } else {
            Outcome::Fail(reason())
        }
    }

    /// Turns a `Result` into an outcome: `Ok` passes, `Err` fails with its text.
    pub fn from_result<E: fmt::Display>(r: Result<(), E>) -> Outcome {
        match r {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e.to_string()),
        }
    }
}

/// One conformance case (DESIGN.md §4).
#[derive(Clone)]
pub struct Case {
    /// Stable id, beginning with the crate: `tcp.wire.option-len-zero`.
    pub id: &'static str,
    /// The requirement: `RFC 9293 §3.1, MUST-3`.
    pub spec: &'static str,
    /// RFC 2119 level of the requirement.
    pub level: Level,
    /// What sort of evidence the case gives.
    pub kind: Kind,
    /// What the machine must have to run it.
    pub needs: &'static [Need],
    /// The check itself.
    pub run: fn(&mut Ctx) -> Outcome,
}

impl Case {
    /// The crate a case belongs to: the id up to the first dot.
    pub fn krate(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }

    /// Runs the case unless one of its needs is missing, catching panics as failures.
    pub fn execute(&self, ctx: &mut Ctx) -> Outcome {
        for need in self.needs {
            if let Some(reason) = need.missing() {
                return Outcome::Skip(reason);
            }
        }
        let run = self.run;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(ctx))) {
            Ok(outcome) => outcome,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(non-string panic)");
                Outcome::Fail(format!("panicked: {msg}"))
            }
        }
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("spec", &self.spec)
            .field("level", &self.level)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// What a running case gets from the runner.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Seed for every random choice the case makes; `--seed` sets it so a failure replays.
    pub seed: u64,
    /// Number of generated inputs a property case should try.
    pub property_cases: u32,
    /// Directory for artefacts (pcaps, traces) this case may write.
    pub artifacts: PathBuf,
    /// Keep captures of passing cases too (`--pcap`).
    pub keep_pcaps: bool,
    /// A figure the case measured (a timing statistic, a rate), which the reports
    /// show whatever the outcome: the case sets it, the runner reads it.
    pub measurement: Option<String>,
}

impl Ctx {
    /// A context with the given seed, 256 property inputs and artefacts under the system temp dir.
    pub fn new(seed: u64) -> Ctx {
        Ctx {
            seed,
            property_cases: 256,
            artifacts: std::env::temp_dir().join("handshake-conformance"),
            keep_pcaps: false,
            measurement: None,
        }
    }

    /// A seeded RNG for this case.
    pub fn rng(&self) -> rand_chacha::ChaCha20Rng {
        use rand::SeedableRng;
        rand_chacha::ChaCha20Rng::seed_from_u64(self.seed)
    }
}
