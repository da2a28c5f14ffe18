//! The script format: a small packetdrill.
//!
//! One event per line, `//` starts a comment. A line is a time, then a
//! packet or a socket call:
//!
//! ```text
//! 0      listen
//! +0     < S 0:0(0) win 65535 <mss 1460>
//! +0     > S. 0:0(0) ack 1 win >=1 <mss 1460>
//! +0.1   < . 1:1(0) ack 1 win 65535
//! +0     accept = ok
//! +0~0.2 > . 1:1(0) ack 1001 win >=1
//! ```
//!
//! - time: `0` (from the start), `+0.1` (after the previous event),
//!   `+0.2~1.1` (a window: stacks differ legitimately, e.g. the minimum
//!   RTO), `*` (any time within 5 s), `x2` (after the previous event, twice
//!   the gap between the previous event and the one before it, within 20%:
//!   an exponential back-off, whatever the stack's first RTO);
//! - `<` a segment injected into the stack under test, `>` one it must send;
//! - flags: `S` SYN, `F` FIN, `R` RST, `P` PSH, `.` ACK (PSH is advisory,
//!   RFC 9293 §3.9.1.2, and not compared);
//! - `seq:end(len)` relative to the sender's ISN (the first SYN's sequence
//!   number is 0), `ack N` relative to the other side's, `win N`, `win ~`
//!   (any) or `win >=N`; an expected segment with `win ~` must say why in
//!   a comment on its line (a RST's window, say, means nothing);
//! - options `<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>`; `~` for any
//!   value, `...` for any further options, `|` between alternatives. An
//!   expected packet without `<...>` must carry no options;
//! - `> A || B`: the stack may send either segment;
//! - calls: `listen`, `accept`, `connect`, `connected`, `write N`,
//!   `read N`, `shutdown`, `close`, `abort`, `state NAME`, each optionally
//!   `= RESULT` (`ok`, a count, `EOF`, `EAGAIN`, `ECONNRESET`,
//!   `ECONNREFUSED`, `ETIMEDOUT`).
//!
//! After the last line the stack must send nothing for 0.6 s: a segment the
//! script does not list fails it.

use std::fmt;
use std::time::Duration;

/// A parse error with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// Line number.
    pub line: usize,
    /// What was wrong.
    pub msg: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

impl std::error::Error for ScriptError {}

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Time {
    /// From the start of the script.
    Absolute(Duration),
    /// After the previous event, within [min, max].
    Relative(Duration, Duration),
    /// Any time.
    Any,
    /// After the previous event, this many times the gap between the
    /// previous event and the one before it (within 20%): an exponential
    /// back-off (`x2`).
    Backoff(f64),
}

/// Which way a packet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Injected into the stack under test.
    In,
    /// Sent by the stack under test.
    Out,
}

/// A value that may be left open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    /// Must be this.
    Is(u32),
    /// Anything.
    Any,
    /// At least this.
    AtLeast(u32),
}

impl Val {
    /// True if `v` is allowed.
    pub fn matches(self, v: u32) -> bool {
        match self {
            Val::Is(x) => x == v,
            Val::Any => true,
            Val::AtLeast(x) => v >= x,
        }
    }
}

/// One option in a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opt {
    /// `mss N`.
    Mss(Val),
    /// `wscale N`.
    WScale(Val),
    /// `sackOK`.
    SackOk,
    /// `TS val V ecr E`.
    Ts(Val, Val),
    /// `sack L:R ...` (relative to the receiver's ISN... of the data's sender).
    Sack(Vec<(u32, u32)>),
}

/// One alternative set of options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OptSet {
    /// The options (NOPs dropped).
    pub opts: Vec<Opt>,
    /// `...`: other options may appear too.
    pub more: bool,
}

/// A packet line.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    /// In or out.
    pub dir: Direction,
    /// SYN.
    pub syn: bool,
    /// FIN.
    pub fin: bool,
    /// RST.
    pub rst: bool,
    /// ACK.
    pub ack_flag: bool,
    /// Relative sequence number.
    pub seq: u32,
    /// Payload length.
    pub len: u32,
    /// Relative acknowledgment number, if given.
    pub ack: Option<u32>,
    /// Window.
    pub win: Val,
    /// Alternatives; empty means no options.
    pub options: Vec<OptSet>,
    /// Whole-segment alternatives (`> A || B`): the segment may be any of
    /// them (stacks legitimately differ, e.g. a zero-window probe with or
    /// without a byte of data, RFC 9293 §3.8.6.1).
    pub or: Vec<Packet>,
}

/// A socket call with its expected result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `listen`, `write`, ...
    pub name: String,
    /// `write 1000`: 1000; `state TIME-WAIT`: in `text`.
    pub arg: Option<u32>,
    /// A word argument (`state NAME`).
    pub text: Option<String>,
    /// Expected result (`ok`, `1000`, `EOF`, ...); `None`: not checked.
    pub expect: Option<String>,
}

/// What happens on a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A segment in or out.
    Packet(Packet),
    /// A socket call.
    Call(Call),
}

/// One script line.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// 1-based line number.
    pub line: usize,
    /// When.
    pub time: Time,
    /// What.
    pub action: Action,
    /// The line as written.
    pub text: String,
}

/// A parsed script with its header fields (`// spec: ...`, `// level: ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// `// spec:` header.
    pub spec: String,
    /// `// level:` header (must, should, may); must by default.
    pub level: String,
    /// The events.
    pub events: Vec<Event>,
}

const CALLS: &[&str] = &[
    "listen",
    "accept",
    "connect",
    "connected",
    "write",
    "read",
    "shutdown",
    "close",
    "abort",
    "state",
];

/// Parses a script. Never panics, whatever the input.
///
/// ```
/// use handshake_conformance::script::parse::parse;
/// let s = parse("// spec: RFC 9293 §3.5\n0 listen\n+0 < S 0:0(0) win 1000 <mss 1460>\n").unwrap();
/// assert_eq!(s.events.len(), 2);
/// assert!(parse("+0 < Q 0:0(0)").is_err());
/// ```
pub fn parse(text: &str) -> Result<Script, ScriptError> {
    let mut spec = String::new();
    let mut level = "must".to_string();
    let mut events = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |msg: String| ScriptError { line, msg };
        let (code, comment) = match raw.find("//") {
            Some(k) => (&raw[..k], &raw[k + 2..]),
            None => (raw, ""),
        };
        let comment = comment.trim();
        if let Some(s) = comment.strip_prefix("spec:") {
            spec = s.trim().to_string();
        } else if let Some(s) = comment.strip_prefix("level:") {
            level = s.trim().to_lowercase();
        }
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (t, rest) = code
            .split_once(char::is_whitespace)
            .ok_or_else(|| err("a time and an event".into()))?;
        let time = parse_time(t).map_err(err)?;
        let rest = rest.trim();
        let action = if let Some(p) = rest.strip_prefix('<') {
            Action::Packet(parse_packet(Direction::In, p).map_err(err)?)
        } else if let Some(p) = rest.strip_prefix('>') {
            let mut alts = p.split("||");
            let first = alts.next().unwrap_or("");
            let mut pk = parse_packet(Direction::Out, first).map_err(err)?;
            for a in alts {
                pk.or.push(parse_packet(Direction::Out, a).map_err(err)?);
            }
            // An expected segment's window is checked: `win ~` only with a
            // comment on the line that says why any window will do.
            let any_win = pk.win == Val::Any || pk.or.iter().any(|o| o.win == Val::Any);
            let says_why = !comment.is_empty()
                && !comment.starts_with("spec:")
                && !comment.starts_with("level:");
            if any_win && !says_why {
                return Err(err(
                    "`win ~` on an expected segment needs a `// why` comment on its line \
                     (else give `win N` or `win >=N`)"
                        .into(),
                ));
            }
            Action::Packet(pk)
        } else {
            Action::Call(parse_call(rest).map_err(err)?)
        };
        events.push(Event {
            line,
            time,
            action,
            text: code.to_string(),
        });
    }
    if events.is_empty() {
        return Err(ScriptError {
            line: 0,
            msg: "no events".into(),
        });
    }
    Ok(Script {
        spec,
        level,
        events,
    })
}

fn secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s.parse().map_err(|_| format!("bad time `{s}`"))?;
    if !(0.0..=3600.0).contains(&v) {
        return Err(format!("time `{s}` out of range"));
    }
    Ok(Duration::from_secs_f64(v))
}

fn parse_time(t: &str) -> Result<Time, String> {
    if t == "*" {
        return Ok(Time::Any);
    }
    if let Some(r) = t.strip_prefix('x') {
        return match r.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 && f <= 64.0 => Ok(Time::Backoff(f)),
            _ => Err(format!(
                "back-off factor `{t}`: want x then a number in (0, 64]"
            )),
        };
    }
    if let Some(r) = t.strip_prefix('+') {
        return match r.split_once('~') {
            Some((a, b)) => {
                let (a, b) = (secs(a)?, secs(b)?);
                if b < a {
                    return Err(format!("time window `{t}` ends before it starts"));
                }
                Ok(Time::Relative(a, b))
            }
            None => {
                let d = secs(r)?;
                Ok(Time::Relative(d, d))
            }
        };
    }
    Ok(Time::Absolute(secs(t)?))
}

fn num(s: &str) -> Result<u32, String> {
    s.parse().map_err(|_| format!("bad number `{s}`"))
}

fn val(s: &str) -> Result<Val, String> {
    if s == "~" {
        Ok(Val::Any)
    } else if let Some(n) = s.strip_prefix(">=") {
        Ok(Val::AtLeast(num(n)?))
    } else {
        Ok(Val::Is(num(s)?))
    }
}

fn parse_packet(dir: Direction, p: &str) -> Result<Packet, String> {
    let (head, opts) = match p.find('<') {
        Some(k) => {
            let o = p[k + 1..]
                .strip_suffix('>')
                .ok_or("options must end with `>`")?;
            (&p[..k], Some(o))
        }
        None => (p, None),
    };
    let mut w = head.split_whitespace();
    let flags = w.next().ok_or("flags missing")?;
    let mut pk = Packet {
        dir,
        syn: false,
        fin: false,
        rst: false,
        ack_flag: false,
        seq: 0,
        len: 0,
        ack: None,
        win: Val::Any,
        options: Vec::new(),
        or: Vec::new(),
    };
    for c in flags.chars() {
        match c {
            'S' => pk.syn = true,
            'F' => pk.fin = true,
            'R' => pk.rst = true,
            'P' => {}
            '.' => pk.ack_flag = true,
            _ => return Err(format!("unknown flag `{c}`")),
        }
    }
    let seq = w.next().ok_or("seq:end(len) missing")?;
    let (start, rest) = seq.split_once(':').ok_or("seq:end(len) expected")?;
    let (end, len) = rest.split_once('(').ok_or("seq:end(len) expected")?;
    let len = len.strip_suffix(')').ok_or("seq:end(len) expected")?;
    let (start, end, len) = (num(start)?, num(end)?, num(len)?);
    if end.wrapping_sub(start) != len || len > 65_000 {
        return Err(format!("{start}:{end}({len}) is not a consistent range"));
    }
    pk.seq = start;
    pk.len = len;
    pk.win = if dir == Direction::In {
        Val::Is(65535)
    } else {
        Val::Any
    };
    while let Some(k) = w.next() {
        let v = w.next().ok_or(format!("`{k}` needs a value"))?;
        match k {
            "ack" => pk.ack = Some(num(v)?),
            "win" => pk.win = val(v)?,
            _ => return Err(format!("unknown field `{k}`")),
        }
    }
    if dir == Direction::In && pk.win == Val::Any {
        return Err("an injected segment needs a concrete window".into());
    }
    // A RST that carries ACK names its acknowledgment number too (RFC 9293
    // §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>), so the script
    // checks it.
    if pk.ack.is_some() != pk.ack_flag {
        return Err("`ack N` goes with the `.` flag (RST lines included)".into());
    }
    if let Some(o) = opts {
        for alt in o.split('|') {
            pk.options.push(parse_optset(alt)?);
        }
        if dir == Direction::In && pk.options.len() != 1 {
            return Err("an injected segment has one option set".into());
        }
    }
    Ok(pk)
}

fn parse_optset(s: &str) -> Result<OptSet, String> {
    let mut set = OptSet::default();
    for item in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let mut w = item.split_whitespace();
        match w.next().unwrap_or("") {
            "..." => set.more = true,
            "nop" | "eol" => {}
            "sackOK" => set.opts.push(Opt::SackOk),
            "mss" => set.opts.push(Opt::Mss(val(w.next().ok_or("mss N")?)?)),
            "wscale" => set
                .opts
                .push(Opt::WScale(val(w.next().ok_or("wscale N")?)?)),
            "TS" => {
                let (a, v, b, e) = (w.next(), w.next(), w.next(), w.next());
                if a != Some("val") || b != Some("ecr") {
                    return Err("TS val V ecr E".into());
                }
                set.opts
                    .push(Opt::Ts(val(v.unwrap_or(""))?, val(e.unwrap_or(""))?));
            }
            "sack" => {
                let mut blocks = Vec::new();
                for b in w.by_ref() {
                    let (l, r) = b.split_once(':').ok_or("sack L:R")?;
                    blocks.push((num(l)?, num(r)?));
                }
                if blocks.is_empty() || blocks.len() > 4 {
                    return Err("sack takes 1 to 4 blocks".into());
                }
                set.opts.push(Opt::Sack(blocks));
            }
            other => return Err(format!("unknown option `{other}`")),
        }
        if w.next().is_some() {
            return Err(format!("trailing words in option `{item}`"));
        }
    }
    Ok(set)
}

fn parse_call(s: &str) -> Result<Call, String> {
    let (lhs, expect) = match s.split_once('=') {
        Some((l, r)) => (l.trim(), Some(r.trim().to_string())),
        None => (s, None),
    };
    let mut w = lhs.split_whitespace();
    let name = w.next().ok_or("empty call")?;
    if !CALLS.contains(&name) {
        return Err(format!("unknown call `{name}`"));
    }
    let mut call = Call {
        name: name.to_string(),
        arg: None,
        text: None,
        expect,
    };
    if let Some(a) = w.next() {
        if name == "state" {
            call.text = Some(a.to_string());
        } else {
            call.arg = Some(num(a)?);
        }
    }
    if w.next().is_some() {
        return Err("too many arguments".into());
    }
    if matches!(name, "write" | "read") && call.arg.is_none() {
        return Err(format!("`{name}` needs a byte count"));
    }
    if name == "state" && call.text.is_none() {
        return Err("`state` needs a state name".into());
    }
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_a_handshake() {
        let s = parse(
            "// spec: RFC 9293 §3.5\n0 listen\n+0 < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>\n\
             +0~0.2 > S. 0:0(0) ack 1 win >=1 <mss 1460|mss ~,...>\n+0 accept = ok\n",
        )
        .unwrap();
        assert_eq!(s.spec, "RFC 9293 §3.5");
        assert_eq!(s.events.len(), 4);
        let Action::Packet(p) = &s.events[2].action else {
            panic!()
        };
        assert!(p.syn && p.ack_flag && p.ack == Some(1) && p.options.len() == 2);
        assert!(p.options[1].more);
        assert_eq!(
            s.events[2].time,
            Time::Relative(Duration::ZERO, Duration::from_millis(200))
        );
    }

    #[test]
    fn rejects_what_it_cannot_check() {
        for bad in [
            "0 < S 0:5(0) win 1",
            "0 > S. 0:0(0)",
            "0 frobnicate",
            "0 < . 1:1(0) ack 1 win ~",
            "x listen",
            "+1~0.5 listen",
            "0 > . 1:1(0) ack 1 <mss 1460",
            "0 write",
            "0 > R. 1:1(0) win 0",
            "0 > R 1:1(0) ack 5 win 0",
            "x0 > . 1:1(0) ack 1 win 0",
            "x2x > . 1:1(0) ack 1 win 0",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn any_window_needs_a_reason() {
        let script = |line: &str| format!("// spec: RFC 9293 §3.10.7.1\n0 listen\n{line}\n");
        assert!(parse(&script("+0 > . 1:1(0) ack 1 win ~")).is_err());
        assert!(parse(&script("+0 > . 1:1(0) ack 1 win 9 || . 1:1(0) ack 1 win ~")).is_err());
        assert!(parse(&script("+0 > . 1:1(0) ack 1 win ~ // spec: RFC 9293")).is_err());
        assert!(parse(&script(
            "+0 > R 1:1(0) win ~ // a RST's window means nothing"
        ))
        .is_ok());
        assert!(parse(&script("+0 > . 1:1(0) ack 1 win >=1")).is_ok());
    }

    #[test]
    fn reads_a_backoff_ratio() {
        let s = parse("// spec: RFC 6298 §5.5\n0 listen\nx2 > . 1:1(0) ack 1 win >=1\n").unwrap();
        assert_eq!(s.events[1].time, Time::Backoff(2.0));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_near_scripts(s in "[0-9+.~*<> SFRP:()a-z=,|]{0,80}") {
            let _ = parse(&s);
        }
    }
}
