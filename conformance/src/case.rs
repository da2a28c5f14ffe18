//! The case model (DESIGN.md §4).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Our own code against our own peers, all in this process: endpoints over
    /// the simulated link, or our resolver against DNS servers we implement
    /// (in memory, or on loopback sockets). No program or stack of anyone else.
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
    /// A file the system keeps, with the Debian package that provides it.
    File {
        /// Its absolute path.
        path: &'static str,
        /// Debian package to install it from.
        package: &'static str,
    },
}

impl Need {
    /// The program `name` on PATH, from the Debian package `package`.
    pub const fn binary(name: &'static str, package: &'static str) -> Need {
        Need::Binary { name, package }
    }

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
            Need::File { path, package } => (!std::path::Path::new(path).exists())
                .then(|| format!("{path} not found: install it with `apt-get install {package}`")),
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
}

/// A check's verdict: `Ok` passes, `Err` fails with its reason. Case bodies
/// compose checks with `?` (see [`crate::check`]) and may return this or an
/// [`Outcome`] (when they can also skip).
impl From<Result<(), String>> for Outcome {
    fn from(r: Result<(), String>) -> Outcome {
        match r {
            Ok(()) => Outcome::Pass,
            Err(why) => Outcome::Fail(why),
        }
    }
}

/// A case's body: runs with the runner's [`Ctx`] and says what it found.
pub type Body = Arc<dyn Fn(&mut Ctx) -> Outcome + Send + Sync>;

/// One conformance case (DESIGN.md §4): an id that begins with its crate, the
/// requirement it checks, a level, a kind, what it needs from the machine,
/// and a body. Made by one builder:
///
/// ```
/// use handshake_conformance::{check, Case};
///
/// let case = Case::must("ip.checksum.zero", "RFC 1071 §3")
///     .vector(|_| check::equal("sum of nothing", handshake_ip::checksum::checksum(&[]), 0xffff));
/// assert_eq!(case.id(), "ip.checksum.zero");
/// ```
///
/// The body is a closure, so a family of cases comes from a table:
///
/// ```
/// use handshake_conformance::{check, Case};
///
/// let cases: Vec<Case> = [("a", 1u8), ("b", 2)]
///     .into_iter()
///     .map(|(name, n)| {
///         Case::must(format!("ip.family.{name}"), "RFC 791").vector(move |_| check::ensure(n > 0, || "zero".into()))
///     })
///     .collect();
/// assert_eq!(cases[1].id(), "ip.family.b");
/// ```
#[derive(Clone)]
pub struct Case {
    id: Cow<'static, str>,
    spec: Cow<'static, str>,
    level: Level,
    kind: Kind,
    needs: Vec<Need>,
    source: &'static str,
    alone: bool,
    run: Body,
}

/// A row of a case table: level, id, requirement, and a body that needs
/// nothing from the runner.
pub type Row<R> = (Level, &'static str, &'static str, fn() -> R);

/// A case being built: id, requirement, level and needs so far. A kind method
/// (`vector`, `property`, `simulation`, `interop_os`, `interop_peer`) gives it
/// its body and finishes it.
#[derive(Debug, Clone)]
#[must_use = "a case needs a kind and a body: call .vector(..), .property(..), ..."]
pub struct CaseBuilder {
    id: Cow<'static, str>,
    spec: Cow<'static, str>,
    level: Level,
    needs: Vec<Need>,
    source: &'static str,
    alone: bool,
}

/// A case's id or reference: usually a literal, built when a table makes it.
pub type Text = Cow<'static, str>;

impl Case {
    /// A MUST requirement (RFC 2119): a failure fails the run.
    #[track_caller]
    pub fn must(id: impl Into<Text>, spec: impl Into<Text>) -> CaseBuilder {
        Case::with_level(Level::Must, id, spec)
    }

    /// A SHOULD requirement: a failure is reported, the run still passes.
    #[track_caller]
    pub fn should(id: impl Into<Text>, spec: impl Into<Text>) -> CaseBuilder {
        Case::with_level(Level::Should, id, spec)
    }

    /// A MAY requirement.
    #[track_caller]
    pub fn may(id: impl Into<Text>, spec: impl Into<Text>) -> CaseBuilder {
        Case::with_level(Level::May, id, spec)
    }

    /// A requirement whose level is data (a script's header says it).
    #[track_caller]
    pub fn with_level(level: Level, id: impl Into<Text>, spec: impl Into<Text>) -> CaseBuilder {
        CaseBuilder {
            id: id.into(),
            spec: spec.into(),
            level,
            needs: Vec::new(),
            source: std::panic::Location::caller().file(),
            alone: false,
        }
    }

    /// One case of `kind` per row: a family of known answers or simulations
    /// written as a table.
    ///
    /// ```
    /// use handshake_conformance::{check, Case, Kind, Level::Must};
    ///
    /// fn empty() -> check::Checked { check::equal("length", "".len(), 0) }
    /// let cases = Case::table(Kind::Vector, &[(Must, "ip.demo.empty", "RFC 791", empty)]);
    /// assert_eq!(cases[0].id(), "ip.demo.empty");
    /// ```
    #[track_caller] // the cases are located where the table is
    pub fn table<R: Into<Outcome> + 'static>(kind: Kind, rows: &[Row<R>]) -> Vec<Case> {
        let mut cases = Vec::with_capacity(rows.len());
        for &(level, id, spec, body) in rows {
            let builder = Case::with_level(level, id, spec);
            cases.push(builder.finish(kind, move |_: &mut Ctx| body()));
        }
        cases
    }

    /// Stable id, beginning with the crate: `tcp.wire.option-len-zero`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The requirement: `RFC 9293 §3.1, MUST-3`.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// RFC 2119 level of the requirement.
    pub fn level(&self) -> Level {
        self.level
    }

    /// What sort of evidence the case gives.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// What the machine must have to run it.
    pub fn needs(&self) -> &[Need] {
        &self.needs
    }

    /// The source file that built the case (`conformance/src/cases/tcp/conn.rs`):
    /// a registry test holds it to the id.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// True for a case that must have the machine to itself (a timing
    /// measurement): the runner runs it after the others, one at a time.
    pub fn runs_alone(&self) -> bool {
        self.alone
    }

    /// The crate a case belongs to: the id up to the first dot.
    pub fn krate(&self) -> &str {
        self.id.split('.').next().unwrap_or(&self.id)
    }

    /// True for the kinds that need nothing outside the process (vector,
    /// property, simulation): `cargo test` runs these.
    pub fn is_offline(&self) -> bool {
        matches!(self.kind, Kind::Vector | Kind::Property | Kind::Simulation)
    }

    /// Runs the case unless one of its needs is missing, catching panics as failures.
    pub fn execute(&self, ctx: &mut Ctx) -> Outcome {
        for need in &self.needs {
            if let Some(reason) = need.missing() {
                return Outcome::Skip(reason);
            }
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.run)(ctx))) {
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

/// The kind methods of [`CaseBuilder`]: each gives the case its body and finishes it.
macro_rules! kinds {
    ($($(#[$doc:meta])* $name:ident => $kind:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name<R: Into<Outcome>>(
                self,
                run: impl Fn(&mut Ctx) -> R + Send + Sync + 'static,
            ) -> Case {
                self.finish(Kind::$kind, run)
            }
        )*
    };
}

impl CaseBuilder {
    /// Adds what the machine must have; a missing one makes the case skip.
    pub fn needs(mut self, needs: &[Need]) -> CaseBuilder {
        self.needs.extend_from_slice(needs);
        self
    }

    /// The case times code (a dudect test): the runner gives it the machine
    /// to itself, after the other cases, one such case at a time. Another
    /// case on the other core heats and throttles the package, and the
    /// frequency a loaded core settles at depends on the data it handles
    /// (Hertzbleed), which no software constant-time discipline removes.
    pub fn alone(mut self) -> CaseBuilder {
        self.alone = true;
        self
    }

    fn finish<R, F>(self, kind: Kind, run: F) -> Case
    where
        R: Into<Outcome>,
        F: Fn(&mut Ctx) -> R + Send + Sync + 'static,
    {
        Case {
            id: self.id,
            spec: self.spec,
            level: self.level,
            kind,
            needs: self.needs,
            source: self.source,
            alone: self.alone,
            run: Arc::new(move |ctx| run(ctx).into()),
        }
    }

    kinds! {
        /// A known answer: fixed input, the output from the RFC, a peer or a hand-built packet.
        vector => Vector;
        /// A property over generated inputs (seeded from `--seed`, see [`crate::check_property`]).
        property => Property;
        /// Our own code against our own peers in this process: a simulated link,
        /// in-memory servers, or servers of ours on loopback.
        simulation => Simulation;
        /// Against the operating system's own stack (kernel TCP through TUN, getaddrinfo).
        interop_os => InteropOs;
        /// Against a real peer program or library (tshark, unbound, rustls, ...).
        interop_peer => InteropPeer;
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("spec", &self.spec)
            .field("level", &self.level)
            .field("kind", &self.kind)
            .field("needs", &self.needs)
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
