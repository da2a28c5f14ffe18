//! Reading an accepted response: answer, CNAME, referral, negative, or
//! useless.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use core::net::{IpAddr, SocketAddr};

use super::{Cut, Iterative, NameServer, Outcome, ServFail, TraceEvent};
use crate::wire::{Message, Name, RData, Rcode, Record, RecordType};

impl Iterative {
    fn reject(&mut self, server: SocketAddr, why: impl Into<String>) {
        self.trace.push(TraceEvent::Rejected {
            server,
            why: why.into(),
        });
    }

    /// Reads an accepted response: answer, CNAME, referral, negative, or useless.
    pub(super) fn digest(&mut self, from: SocketAddr, m: &Message) {
        let zone = self.cut.zone.clone();
        // Anti-poisoning: only records at or below the zone the server serves count.
        let in_zone = |r: &&Record| r.name.is_subdomain_of(&zone);
        let rcode = m.rcode();
        if rcode != Rcode::NOERROR && rcode != Rcode::NXDOMAIN {
            let f = &mut self.cut.failures;
            if rcode == Rcode::REFUSED {
                f.refused = f.refused.saturating_add(1);
            } else {
                f.errors = f.errors.saturating_add(1);
            }
            return self.reject(from, format!("rcode {}", rcode.0));
        }
        let qname = self.qname.clone();
        let qtype = self.question.qtype;
        let answers: Vec<&Record> = m.answers.iter().filter(in_zone).collect();

        // Follow the CNAME chain as far as this response carries it.
        let mut name = qname.clone();
        let mut followed = Vec::new();
        loop {
            let direct: Vec<Record> = answers
                .iter()
                .filter(|r| r.name == name && (r.rtype() == qtype || qtype == RecordType::ANY))
                .map(|r| (*r).clone())
                .collect();
            if !direct.is_empty() {
                self.cnames.extend(followed);
                let mut cnames = self.cnames.clone();
                let mut records = direct;
                self.restore_case(&mut cnames);
                self.restore_case(&mut records);
                self.done = Some(Outcome::Answer { cnames, records });
                return;
            }
            let Some(cname) = answers
                .iter()
                .find(|r| r.name == name && r.rtype() == RecordType::CNAME)
            else {
                break;
            };
            let RData::Cname(target) = &cname.data else {
                break;
            };
            let target = target.clone();
            // RFC 1034 §3.6.2: a CNAME chain that comes back to a name is a loop.
            if target == self.question.name
                || self
                    .cnames
                    .iter()
                    .chain(&followed)
                    .any(|r| r.name == target)
            {
                self.done = Some(Outcome::ServFail(ServFail::Loop));
                return;
            }
            if self.cnames.len() + followed.len() >= usize::from(self.config.max_cnames) {
                self.done = Some(Outcome::ServFail(ServFail::ChainTooLong));
                return;
            }
            self.trace.push(TraceEvent::Cname {
                from: name.clone(),
                to: target.clone(),
            });
            followed.push((*cname).clone());
            name = target;
        }
        if !followed.is_empty() {
            // The chain left this response: start over for the target, from the root.
            self.cnames.extend(followed);
            self.qname = name;
            self.restart();
            return;
        }

        let soa = m
            .authorities
            .iter()
            .filter(in_zone)
            .find(|r| matches!(r.data, RData::Soa(_)))
            .cloned();
        if rcode == Rcode::NXDOMAIN {
            if m.header.authoritative {
                self.done = Some(Outcome::NxDomain {
                    cnames: self.cnames.clone(),
                    soa,
                });
            } else {
                self.cut.failures.lame = self.cut.failures.lame.saturating_add(1);
                self.reject(from, "NXDOMAIN without AA");
            }
            return;
        }

        // A referral: NS records for a zone strictly below ours and at or above the name.
        let child = m.authorities.iter().find_map(|r| match &r.data {
            RData::Ns(_)
                if r.name != zone
                    && r.name.is_subdomain_of(&zone)
                    && qname.is_subdomain_of(&r.name) =>
            {
                Some(r.name.clone())
            }
            _ => None,
        });
        if let Some(child) = child {
            // The cut and its servers keep the case the zone is written in,
            // not the 0x20 pattern of our query that the response echoed.
            let child = child.to_lowercase();
            if self.referrals >= self.config.max_referrals {
                self.done = Some(Outcome::ServFail(ServFail::ReferralLimit));
                return;
            }
            self.referrals += 1;
            let servers: Vec<NameServer> = m
                .authorities
                .iter()
                .filter(|r| r.name == child)
                .filter_map(|r| match &r.data {
                    RData::Ns(ns) => Some(ns.to_lowercase()),
                    _ => None,
                })
                .map(|ns| {
                    // Glue is believed only for a server name inside the zone of
                    // the server that sent it (the bailiwick rule).
                    let addrs = if ns.is_subdomain_of(&zone) {
                        m.additionals
                            .iter()
                            .filter(|a| a.name == ns)
                            .filter_map(|a| match a.data {
                                RData::A(v4) => Some(IpAddr::V4(v4)),
                                RData::Aaaa(v6) => Some(IpAddr::V6(v6)),
                                _ => None,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    NameServer {
                        name: ns,
                        addrs,
                        looked_up: false,
                    }
                })
                .collect();
            self.trace.push(TraceEvent::Referral {
                zone: child.clone(),
                servers: servers.iter().map(|s| s.name.clone()).collect(),
            });
            self.cut = Cut::new(child, servers);
            return;
        }

        if m.header.authoritative && self.sent_minimised {
            // RFC 9156 §3: the minimised name exists and no cut is there; one
            // more label, to the same servers.
            self.cut.labels += 1;
            self.cut.tried.clear();
            return;
        }
        if m.header.authoritative {
            self.done = Some(Outcome::NoData {
                cnames: self.cnames.clone(),
                soa,
            });
        } else {
            // Neither answer nor referral nor authority: a lame server.
            self.cut.failures.lame = self.cut.failures.lame.saturating_add(1);
            self.reject(from, "lame: no answer, no referral, not authoritative");
        }
    }

    /// Owner names come back in the random case DNS 0x20 put in our
    /// queries; give them the case the caller asked for (or the case the
    /// CNAME that led there was written in).
    fn restore_case(&self, records: &mut [Record]) {
        let asked: Vec<&Name> = core::iter::once(&self.question.name)
            .chain(self.cnames.iter().filter_map(|r| match &r.data {
                RData::Cname(t) => Some(t),
                _ => None,
            }))
            .collect();
        for r in records {
            if let Some(n) = asked.iter().find(|n| ***n == r.name) {
                r.name = (*n).clone();
            }
        }
    }
}
