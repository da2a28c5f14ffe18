//! `dns.stub.*`: The stub resolver against in-process servers: failover on SERVFAIL.

use super::support::*;
use crate::{Case, Ctx, Outcome};
use handshake_dns::wire::{Rcode, RecordType};
use handshake_dns::{Outcome as Lookup, ResolvConf};
use handshake_io::resolver::TraceStep;

/// A SERVFAIL from the first server sends the stub to the next (RFC 1035
/// §7.2: another server may answer); the trace shows both.
fn stub_servfail_next(_: &mut Ctx) -> Outcome {
    let (bad, good) = match (server(true), server(false)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e),
    };
    let conf = ResolvConf {
        nameservers: vec![bad.addr(), good.addr()],
        attempts: 1,
        ..ResolvConf::default()
    };
    let got = stub(conf).and_then(|r| {
        r.lookup("www.example.", RecordType::A)
            .map_err(|e| e.to_string())
    });
    match got {
        Ok(a)
            if matches!(a.outcome, Lookup::Answer { .. })
                && matches!(&a.trace[1..], [TraceStep::Stub { server: s1, reply: Ok(Rcode::SERVFAIL), .. }, TraceStep::Stub { server: s2, reply: Ok(Rcode::NOERROR), .. }] if *s1 == bad.addr() && *s2 == good.addr()) =>
        {
            Outcome::Pass
        }
        other => Outcome::Fail(format!("{other:?}")),
    }
}

/// The `dns.stub.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "dns.stub.servfail-tries-next-server",
        "RFC 1035 §7.2; RFC 1034 §5.3.1",
    )
    .simulation(stub_servfail_next)]
}
