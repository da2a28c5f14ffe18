//! `dns.cache.*`: The cache (RFC 1035 §7.4, RFC 2181 §5, RFC 2308): TTLs, negative answers, RRsets.

use super::support::*;
use crate::{check, Case};
use handshake_dns::wire::{Class, RData, Record, RecordType};
use handshake_dns::{Cache, CacheConfig, Cached};
use handshake_time::{Duration, Instant};

/// The `dns.cache.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("dns.cache.rrsets-never-merged", "RFC 2181 §5.4").vector(|_| {
            // RFC 2181 §5.4: an RRset from a response is never merged with
            // the cached one of the same name, type and class: the cache
            // keeps one of them whole.
            let mut c = Cache::new(CacheConfig::default());
            let n = name("www.example");
            let rr = |last: u8| Record::new(n.clone(), 300, RData::A([192, 0, 2, last].into()));
            c.insert_records(Instant::ZERO, vec![rr(1), rr(2)]);
            c.insert_records(Instant::ZERO + Duration::from_secs(1), vec![rr(3)]);
            let got = match c.get(
                Instant::ZERO + Duration::from_secs(2),
                &n,
                RecordType::A,
                Class::IN,
            ) {
                Some(Cached::Records(rs)) => {
                    let mut d: Vec<RData> = rs.into_iter().map(|r| r.data).collect();
                    d.sort_by_key(|d| format!("{d:?}"));
                    d
                }
                other => return Err(format!("cached: {other:?}")),
            };
            let (old, new) = (vec![rr(1).data, rr(2).data], vec![rr(3).data]);
            check::ensure(got == old || got == new, || {
                format!("cached RRset {got:?}: neither {old:?} nor {new:?}")
            })
        }),
        Case::must(
            "dns.cache.ttl-counts-down",
            "RFC 1035 §3.2.1; RFC 2181 §5.2",
        )
        .vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            let n = name("www.example");
            let rr = |ttl| Record::new(n.clone(), ttl, RData::A([192, 0, 2, 1].into()));
            // RFC 2181 §5.2: an RRset's records share one TTL; keep the smallest.
            c.insert_records(Instant::ZERO, vec![rr(600), rr(300)]);
            let mut at = |s| {
                c.get(
                    Instant::ZERO + Duration::from_secs(s),
                    &n,
                    RecordType::A,
                    Class::IN,
                )
            };
            let mid = at(100);
            let ok = matches!(&mid, Some(Cached::Records(r)) if r.iter().all(|r| r.ttl == 200));
            let gone = at(300);
            check::ensure(ok && gone.is_none(), || {
                format!("at 100 s: {mid:?}; at 300 s: {gone:?}")
            })
        }),
        Case::must("dns.cache.zero-ttl-not-cached", "RFC 1035 §3.2.1").vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            c.insert_records(
                Instant::ZERO,
                vec![Record::new(name("x"), 0, RData::A([192, 0, 2, 1].into()))],
            );
            check::ensure(c.is_empty(), || "a zero-TTL record was cached".into())
        }),
        Case::must("dns.cache.negative-ttl-from-soa", "RFC 2308 §5").vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            let n = name("missing.example");
            // min(SOA TTL 3600, MINIMUM 60) = 60 s, for every type of the name.
            c.insert_negative(
                Instant::ZERO,
                &n,
                RecordType::A,
                Class::IN,
                true,
                &soa_record(3600, 60),
            );
            let at = |c: &mut Cache, s, t| {
                c.get(Instant::ZERO + Duration::from_secs(s), &n, t, Class::IN)
            };
            let held = at(&mut c, 59, RecordType::TXT);
            let gone = at(&mut c, 60, RecordType::TXT);
            check::ensure(
                matches!(held, Some(Cached::NxDomain(_))) && gone.is_none(),
                || format!("at 59 s {held:?}, at 60 s {gone:?}"),
            )
        }),
        Case::must("dns.cache.nodata-is-per-type", "RFC 2308 §2.2, §5").vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            let n = name("www.example");
            c.insert_negative(
                Instant::ZERO,
                &n,
                RecordType::AAAA,
                Class::IN,
                false,
                &soa_record(300, 300),
            );
            let aaaa = c.get(Instant::ZERO, &n, RecordType::AAAA, Class::IN);
            let a = c.get(Instant::ZERO, &n, RecordType::A, Class::IN);
            check::ensure(
                matches!(aaaa, Some(Cached::NoData(_))) && a.is_none(),
                || format!("AAAA {aaaa:?}, A {a:?}"),
            )
        }),
    ]
}
