//! Defect 5: the cache is bounded by the bytes it holds, not only by its
//! number of entries.

use super::super::support::name;
use crate::check;
use handshake_dns::wire::{Class, RData, Record, RecordType};
use handshake_dns::{Cache, CacheConfig, Cached};
use handshake_time::Instant;

/// The default byte budget, as documented on `CacheConfig::max_bytes`.
const BUDGET: usize = 16 << 20;

/// Names inserted, each with [`PER_NAME`] A records.
const NAMES: usize = 200;

/// A records per name: what one 64 KB TCP response can carry (16 octets
/// each with a compressed owner, RFC 1035 §4.2.2).
const PER_NAME: usize = 4000;

/// Defect 5. A zone that returns thousands of records per name must not
/// grow the cache past its byte budget (RFC 1035 §7.4 leaves what to keep
/// to the resolver; unbound bounds its RRset cache in bytes): 200 names of
/// 4000 A records each, 800,000 records, go into a cache with the default
/// configuration; the records it then hands back, counted at their
/// in-memory size alone, stay within 16 MiB, and the least recently used
/// names are the ones gone. By entry count alone (10,000) every name stayed.
pub(super) fn cache_byte_budget() -> check::Checked {
    let mut cache = Cache::new(CacheConfig::default());
    let t = Instant::ZERO;
    let owner = |i: usize| name(&format!("n{i}.big.example"));
    for i in 0..NAMES {
        let n = owner(i);
        let records = (0..PER_NAME)
            .map(|j| {
                let ip = u32::try_from(j).expect("small") | 0x0a00_0000;
                Record::new(n.clone(), 300, RData::A(ip.into()))
            })
            .collect();
        cache.insert_records(t, records);
    }
    let mut held = 0usize;
    let mut kept = Vec::new();
    for i in 0..NAMES {
        if let Some(Cached::Records(rs)) = cache.get(t, &owner(i), RecordType::A, Class::IN) {
            held += rs.len();
            kept.push(i);
        }
    }
    let bytes = held * std::mem::size_of::<Record>();
    check::ensure(bytes <= BUDGET, || {
        format!(
            "{held} records held ({bytes} bytes at {} each) for a budget of {BUDGET}",
            std::mem::size_of::<Record>()
        )
    })?;
    check::ensure(kept.contains(&(NAMES - 1)), || {
        "the name inserted last is not cached".into()
    })?;
    check::ensure(!kept.contains(&0), || {
        "the name inserted first (least recently used) is still cached".into()
    })
}
