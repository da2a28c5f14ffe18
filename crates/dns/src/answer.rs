//! What a recursive server's response says about a question (a stub's
//! view): only the chain from the question name through its CNAMEs to
//! records of the asked type and class is an answer; everything else in
//! the answer section is dropped, so it is neither returned nor cached.

use alloc::vec::Vec;

use crate::iterative::{Outcome, ServFail};
use crate::wire::{Message, Name, Question, RData, Rcode, Record, RecordType};

/// The longest CNAME chain taken from one response.
const MAX_CNAMES: usize = 16;

impl Outcome {
    /// The outcome of `question` according to `response`, which has passed
    /// [`Outstanding::accept`](crate::Outstanding::accept).
    ///
    /// RFC 1034 §5.3.3 and §4.3.2: the answer is the RRset of the asked type
    /// and class at the question name, or at the end of the CNAME chain
    /// that starts there; other records of the answer section answer no
    /// question (RFC 2181 §5.4.1 ranks them lowest) and are dropped. A
    /// negative answer keeps an SOA only from a zone that contains the name
    /// it is about (RFC 2308 §3); without one it is not cached (RFC 2308 §5).
    /// Response codes other than NOERROR and NXDOMAIN are a SERVFAIL.
    ///
    /// ```
    /// use handshake_dns::Outcome;
    /// use handshake_dns::wire::{Message, Question, RData, Record, RecordType};
    /// let q = Question::new("a.example".parse().unwrap(), RecordType::A);
    /// let mut r = Message::query(1, q.clone()).response();
    /// r.answers.push(Record::new("victim.example".parse().unwrap(), 300, RData::A([6, 6, 6, 6].into())));
    /// assert!(matches!(Outcome::from_response(&q, &r), Outcome::NoData { .. }));
    /// ```
    pub fn from_response(question: &Question, response: &Message) -> Outcome {
        let rcode = response.rcode();
        if rcode != Rcode::NOERROR && rcode != Rcode::NXDOMAIN {
            return Outcome::ServFail(if rcode == Rcode::REFUSED {
                ServFail::AllServersRefused
            } else {
                ServFail::ServerError
            });
        }
        let wanted = |r: &Record, name: &Name, rtype: RecordType| {
            r.class == question.qclass
                && r.name == *name
                && (r.rtype() == rtype || rtype == RecordType::ANY)
        };
        let mut name = question.name.clone();
        let mut cnames: Vec<Record> = Vec::new();
        loop {
            let records: Vec<Record> = response
                .answers
                .iter()
                .filter(|r| wanted(r, &name, question.qtype))
                .cloned()
                .collect();
            if !records.is_empty() {
                return Outcome::Answer { cnames, records };
            }
            if question.qtype == RecordType::CNAME {
                break;
            }
            let next = response.answers.iter().find_map(|r| match &r.data {
                RData::Cname(target) if wanted(r, &name, RecordType::CNAME) => Some((r, target)),
                _ => None,
            });
            let Some((cname, target)) = next else { break };
            // RFC 1034 §3.6.2: a chain back to a name already seen is a loop.
            if *target == question.name || cnames.iter().any(|c| c.name == *target) {
                return Outcome::ServFail(ServFail::Loop);
            }
            if cnames.len() >= MAX_CNAMES {
                return Outcome::ServFail(ServFail::ChainTooLong);
            }
            cnames.push(cname.clone());
            name = target.clone();
        }
        // RFC 2308 §3: the SOA of the zone the (last) name would be in; one
        // from a zone above neither is no authority for it.
        let soa = response
            .authorities
            .iter()
            .find(|r| {
                matches!(r.data, RData::Soa(_))
                    && r.class == question.qclass
                    && name.is_subdomain_of(&r.name)
            })
            .cloned();
        if rcode == Rcode::NXDOMAIN {
            Outcome::NxDomain { cnames, soa }
        } else {
            Outcome::NoData { cnames, soa }
        }
    }
}
