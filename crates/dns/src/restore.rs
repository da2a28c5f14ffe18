//! DNS 0x20 in reverse: the names of a response in the case the caller
//! asked in (issue 14, defect 2).
//!
//! A server answers with names compressed against the question it echoed,
//! so every name that shares labels with the question comes back in the
//! random case of our query (`mx1.ExamPLE.tEst.`). We choose to restore the
//! caller's case rather than lower-case everything, as unbound does: the
//! caller sees the name as it typed it, and labels the question did not
//! carry keep the zone's own case. What is cached is what is returned.

use crate::wire::{Message, Name, RData, Record};

/// Every owner and RDATA name in `m`'s records, with the labels it shares
/// with `asked` in `asked`'s case (see [`Name::with_case_of`]).
pub(crate) fn restore_case(m: &mut Message, asked: &Name) {
    for r in m
        .answers
        .iter_mut()
        .chain(&mut m.authorities)
        .chain(&mut m.additionals)
    {
        restore_record(r, asked);
    }
}

/// [`restore_case`] for one record.
pub(crate) fn restore_record(r: &mut Record, asked: &Name) {
    let fix = |n: &mut Name| *n = n.with_case_of(asked);
    fix(&mut r.name);
    match &mut r.data {
        RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => fix(n),
        RData::Mx { exchange, .. } => fix(exchange),
        RData::Srv { target, .. } => fix(target),
        RData::Soa(soa) => {
            fix(&mut soa.mname);
            fix(&mut soa.rname);
        }
        _ => {}
    }
}
