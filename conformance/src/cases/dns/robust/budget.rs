//! Regression cases of issue 14 for the sans-IO iterative resolver's
//! limits: one query budget per resolution, an overall deadline, bounded
//! memory under a flood of forgeries, and the reason of a SERVFAIL. The
//! authorities are closures over (server, query); no socket is opened.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::super::support::name;
use crate::{check, Ctx};
use handshake_dns::wire::{Message, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{IterConfig, Iterative, Outcome as Lookup, ServFail, Step};
use handshake_time::Instant;

const ROOT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

fn lookup(qname: &str, hints: &[IpAddr], config: IterConfig) -> Iterative {
    let hints = vec![(name("a.root"), hints.to_vec())];
    Iterative::new(Question::new(name(qname), RecordType::A), &hints, config)
}

/// Runs `l` against `respond` (None: silence, a timeout that costs `tick`
/// on the clock given to the lookup) for at most 100,000 steps; returns the
/// outcome and the queries sent.
fn drive(
    l: &mut Iterative,
    ctx: &Ctx,
    tick: Duration,
    mut respond: impl FnMut(IpAddr, &Message) -> Option<Message>,
) -> Result<(Lookup, usize), String> {
    let mut rng = ctx.rng();
    let mut now = Instant::ZERO;
    l.start(now);
    let mut sent = 0;
    for _ in 0..100_000 {
        l.handle_time(now);
        match l.poll(&mut rng) {
            Step::Done(o) => return Ok((o, sent)),
            Step::Wait => return Err("asked to wait with nothing outstanding".into()),
            Step::Query {
                server, message, ..
            } => {
                sent += 1;
                match respond(server.ip(), &message) {
                    Some(r) => l.handle_response(server, &r),
                    None => {
                        now += tick;
                        l.handle_time(now);
                        l.handle_timeout();
                    }
                }
            }
        }
    }
    Err(format!("no end within 100,000 steps ({sent} queries)"))
}

/// The zone a name is in here: its last label, `zN`; its number N.
fn zone_number(q: &Message) -> Option<u32> {
    let qn = &q.questions.first()?.name;
    let tld = qn.labels().last()?;
    std::str::from_utf8(tld.get(1..)?).ok()?.parse().ok()
}

/// Defect 4. The query budget is one per resolution: a nested lookup of a
/// name server's address draws on it rather than starting from zero. The
/// root delegates every zone `zN.` to four name servers under `zN+1.`,
/// without glue, so each address needs a nested lookup that meets the
/// same delegation one level down, to the nesting limit: hundreds of
/// queries in all. With a budget of 20, at most 20 queries go out, and the
/// lookup ends in SERVFAIL for the budget; the code before let each nested
/// lookup spend its own.
pub(super) fn budget_is_per_resolution(ctx: &mut Ctx) -> check::Checked {
    let config = IterConfig {
        max_queries: 20,
        ..IterConfig::default()
    };
    let mut l = lookup("www.z0", &[ROOT], config);
    let (outcome, sent) = drive(&mut l, ctx, Duration::from_millis(1), |_, q| {
        let n = zone_number(q)?;
        let mut r = q.response();
        for i in 1..=4 {
            r.authorities.push(Record::new(
                name(&format!("z{n}")),
                60,
                RData::Ns(name(&format!("ns{i}.z{}", n + 1))),
            ));
        }
        Some(r)
    })?;
    check::ensure(sent <= 20, || {
        format!("{sent} queries sent with a budget of 20 ({outcome:?})")
    })?;
    check::equal(
        "outcome",
        outcome,
        Lookup::ServFail(ServFail::BudgetExhausted),
    )
}

/// Defect 4, the deadline. A resolution ends by its deadline (instants from
/// the caller), whatever its budget: forty silent servers at 1 s a timeout
/// and a 5 s limit end in SERVFAIL for the time after at most 6 queries.
pub(super) fn deadline_ends_resolution(ctx: &mut Ctx) -> check::Checked {
    let hints: Vec<IpAddr> = (10..50)
        .map(|i| IpAddr::V4(Ipv4Addr::new(192, 0, 2, i)))
        .collect();
    let config = IterConfig {
        time_limit: Some(Duration::from_secs(5)),
        ..IterConfig::default()
    };
    let mut l = lookup("www.example", &hints, config);
    let (outcome, sent) = drive(&mut l, ctx, Duration::from_secs(1), |_, _| None)?;
    check::equal("outcome", outcome, Lookup::ServFail(ServFail::Timeout))?;
    check::ensure(sent <= 6, || format!("{sent} queries in a 5 s resolution"))
}

/// Defect 7. RFC 5452 §9.1 makes a forger guess; a resolver must not pay in
/// memory for each guess. 100,000 forgeries (wrong ID) arrive while one
/// query is out, half as parsed messages, half as datagrams: all are
/// counted, at most 16 traced, and the genuine answer is still taken.
pub(super) fn mismatch_flood_bounded(ctx: &mut Ctx) -> check::Checked {
    let mut l = lookup("www.example", &[ROOT], IterConfig::default());
    let mut rng = ctx.rng();
    let Step::Query {
        server, message, ..
    } = l.poll(&mut rng)
    else {
        return Err("the first step is not a query".into());
    };
    let mut genuine = message.response();
    genuine.header.authoritative = true;
    let qname = message.questions[0].name.clone();
    genuine
        .answers
        .push(Record::new(qname, 60, RData::A([192, 0, 2, 7].into())));
    let bytes = genuine.to_bytes().map_err(|e| e.to_string())?;
    const FLOOD: u32 = 100_000;
    for i in 0..FLOOD {
        // 1 + i mod 65535 is never 0: never our ID.
        let id = message.header.id.wrapping_add(1 + (i % 65_535) as u16);
        if i % 2 == 0 {
            let mut forged = genuine.clone();
            forged.header.id = id;
            l.handle_response(server, &forged);
        } else {
            let mut forged = bytes.clone();
            forged[..2].copy_from_slice(&id.to_be_bytes());
            l.handle_datagram(server, &forged);
        }
    }
    check::ensure(l.trace().len() <= 1 + 16, || {
        format!("{} trace entries after {FLOOD} forgeries", l.trace().len())
    })?;
    check::equal("forgeries counted", l.mismatched(), u64::from(FLOOD))?;
    check::ensure(l.is_waiting(), || {
        "the query is no longer outstanding".into()
    })?;
    l.handle_datagram(server, &bytes);
    check::ensure(
        matches!(l.poll(&mut rng), Step::Done(Lookup::Answer { .. })),
        || "the genuine answer after the flood was not taken".into(),
    )
}

/// Item 7 of the issue: a SERVFAIL says why, as an enum. Every server of
/// the zone REFUSED: all servers refused; every one lame (neither answer
/// nor referral nor AA, RFC 1034 §4.2.2): lame; every one silent: timeout;
/// a CNAME back to the name (RFC 1034 §3.6.2): loop.
pub(super) fn servfail_reasons(ctx: &mut Ctx) -> check::Checked {
    let two: [IpAddr; 2] = [ROOT, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))];
    let tick = Duration::from_millis(1);
    let run = |ctx: &Ctx, respond: &dyn Fn(&Message) -> Option<Message>| {
        let mut l = lookup("www.example", &two, IterConfig::default());
        drive(&mut l, ctx, tick, |_, q| respond(q)).map(|(o, _)| o)
    };
    let refused = run(ctx, &|q| {
        let mut r = q.response();
        r.set_rcode(Rcode::REFUSED);
        Some(r)
    })?;
    check::equal(
        "all REFUSED",
        refused,
        Lookup::ServFail(ServFail::AllServersRefused),
    )?;
    let lame = run(ctx, &|q| Some(q.response()))?;
    check::equal("all lame", lame, Lookup::ServFail(ServFail::Lame))?;
    let silent = run(ctx, &|_| None)?;
    check::equal("all silent", silent, Lookup::ServFail(ServFail::Timeout))?;
    let looped = run(ctx, &|q| {
        let mut r = q.response();
        r.header.authoritative = true;
        let qn = q.questions.first()?.name.clone();
        r.answers
            .push(Record::new(qn, 60, RData::Cname(name("www.example"))));
        Some(r)
    })?;
    check::equal("CNAME to itself", looped, Lookup::ServFail(ServFail::Loop))
}
