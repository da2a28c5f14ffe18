//! The resolver's cache: RRsets by (name, type, class) with TTLs that count
//! down on the caller's clock, negative answers (RFC 2308), and a bounded
//! size with least-recently-used eviction.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

use handshake_time::{Duration, Instant};

use crate::wire::{Class, Name, Record, RecordType};

/// What the cache knows about a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cached {
    /// The RRset, each TTL lowered to the seconds it has left.
    Records(Vec<Record>),
    /// The name does not exist (for any type); the SOA record that said so
    /// (RFC 2308 §3), its TTL lowered to the seconds the entry has left
    /// (RFC 2308 §6).
    NxDomain(Record),
    /// The name exists but has no records of this type (RFC 2308 §2.2); the
    /// SOA record, its TTL lowered as for [`Cached::NxDomain`].
    NoData(Record),
}

/// Limits, with defaults from common resolvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// Entries kept before the least recently used is evicted.
    pub capacity: usize,
    /// Bytes of records kept (an estimate of the memory they hold) before
    /// the least recently used entry is evicted; an RRset larger than this
    /// is not cached (issue 14, defect 5: a zone with thousands of records
    /// per name cannot grow the cache past its budget). unbound's
    /// `rrset-cache-size` plays this part.
    pub max_bytes: usize,
    /// Longest a positive answer is kept, whatever its TTL (unbound's cache-max-ttl).
    pub max_ttl: Duration,
    /// Longest a negative answer is kept (RFC 2308 §5 recommends one to three hours).
    pub max_negative_ttl: Duration,
}

impl Default for CacheConfig {
    fn default() -> CacheConfig {
        CacheConfig {
            capacity: 10_000,
            max_bytes: 16 << 20,
            max_ttl: Duration::from_secs(86_400),
            max_negative_ttl: Duration::from_secs(3 * 3600),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// An RRset or NODATA for (name, type, class).
    Set(Name, RecordType, Class),
    /// NXDOMAIN for (name, class): it answers every type (RFC 2308 §5).
    NxDomain(Name, Class),
}

#[derive(Debug, Clone)]
enum Value {
    Records(Vec<Record>),
    NoData(Record),
    NxDomain(Record),
}

#[derive(Debug)]
struct Slot {
    value: Value,
    stored: Instant,
    expires: Instant,
    /// Stamp of the last store or use.
    used: u64,
    /// The stamp this key is filed under in `lru`.
    stored_stamp: u64,
    /// Its share of the byte budget.
    bytes: usize,
}

impl Slot {
    /// The entry as a lookup at `now` (before it expires) sees it.
    fn view(&self, now: Instant) -> Cached {
        let elapsed = u32::try_from((now - self.stored).as_secs()).unwrap_or(u32::MAX);
        // What is left, also when the cap cut the entry's life short.
        let left = u32::try_from((self.expires - now).as_secs()).unwrap_or(u32::MAX);
        match &self.value {
            Value::Records(rs) => Cached::Records(
                rs.iter()
                    .map(|r| Record {
                        ttl: r.ttl_secs().saturating_sub(elapsed).min(left),
                        ..r.clone()
                    })
                    .collect(),
            ),
            // RFC 2308 §6: the SOA goes out with its TTL counted down.
            Value::NoData(soa) => Cached::NoData(Record {
                ttl: left,
                ..soa.clone()
            }),
            Value::NxDomain(soa) => Cached::NxDomain(Record {
                ttl: left,
                ..soa.clone()
            }),
        }
    }
}

/// One live cache entry, as [`Cache::entries`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The owner name.
    pub name: Name,
    /// The type, or `None` for an NXDOMAIN, which answers every type.
    pub rtype: Option<RecordType>,
    /// The class.
    pub class: Class,
    /// Seconds until the entry expires.
    pub ttl: u32,
    /// What a lookup would get now.
    pub cached: Cached,
}

/// The memory an entry holds, estimated: each record's in-memory size plus
/// what its owner and RDATA keep on the heap (at most their wire length
/// plus a vector's header per piece), and the key's name.
fn footprint(key: &Key, value: &Value) -> usize {
    use crate::wire::RData;
    let name_bytes = |n: &Name| n.wire_len();
    let record = |r: &Record| {
        let heap = match &r.data {
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => name_bytes(n),
            RData::Mx { exchange, .. } => name_bytes(exchange),
            RData::Srv { target, .. } => name_bytes(target),
            RData::Soa(s) => {
                core::mem::size_of::<crate::wire::Soa>()
                    + name_bytes(&s.mname)
                    + name_bytes(&s.rname)
            }
            RData::Txt(t) => t.iter().map(|s| s.len() + 3 * 8).sum(),
            RData::Caa { tag, value, .. } => tag.len() + value.len(),
            RData::Unknown { data, .. } => data.len(),
            _ => 0,
        };
        core::mem::size_of::<Record>() + name_bytes(&r.name) + heap
    };
    let key_bytes = match key {
        Key::Set(n, ..) | Key::NxDomain(n, _) => name_bytes(n),
    };
    let value_bytes = match value {
        Value::Records(rs) => rs.iter().map(record).sum(),
        Value::NoData(soa) | Value::NxDomain(soa) => record(soa),
    };
    core::mem::size_of::<Slot>() + core::mem::size_of::<Key>() + key_bytes + value_bytes
}

/// The cache. Time comes from the caller.
///
/// ```
/// use handshake_dns::{Cache, CacheConfig, Cached};
/// use handshake_dns::wire::{Record, RData, RecordType, Class};
/// use handshake_time::{Duration, Instant};
/// let mut cache = Cache::new(CacheConfig::default());
/// let name: handshake_dns::wire::Name = "example.com".parse().unwrap();
/// let t0 = Instant::ZERO;
/// cache.insert_records(t0, vec![Record::new(name.clone(), 300, RData::A([192, 0, 2, 1].into()))]);
/// let later = t0 + Duration::from_secs(100);
/// match cache.get(later, &name, RecordType::A, Class::IN) {
///     Some(Cached::Records(rs)) => assert_eq!(rs[0].ttl, 200),
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(cache.get(t0 + Duration::from_secs(300), &name, RecordType::A, Class::IN), None);
/// ```
///
/// The map's hasher is `S`: [`Cache::new`] takes std's `RandomState`, keyed
/// afresh per cache, so names a hostile server chooses cannot be made to
/// collide; [`Cache::with_hasher`] takes another (a fixed one makes the map's
/// layout, and so a lookup's instruction count, repeatable).
#[derive(Debug)]
pub struct Cache<S = RandomState> {
    config: CacheConfig,
    slots: HashMap<Key, Slot, S>,
    /// Stamp -> key, oldest first: one entry per key, holding the stamp of
    /// its last store or of an earlier use. A hit only updates the slot's
    /// stamp; eviction moves stale entries to their slot's stamp until the
    /// oldest entry is current, so the least recently used key goes first.
    lru: BTreeMap<u64, Key>,
    clock: u64,
    /// The sum of the entries' [`footprint`]s.
    bytes: usize,
}

impl Cache {
    /// An empty cache hashing with a randomly keyed `RandomState`.
    pub fn new(config: CacheConfig) -> Cache {
        Cache::with_hasher(config, RandomState::new())
    }
}

impl<S: BuildHasher> Cache<S> {
    /// An empty cache whose map hashes with `hasher`.
    pub fn with_hasher(config: CacheConfig, hasher: S) -> Cache<S> {
        Cache {
            config,
            slots: HashMap::with_hasher(hasher),
            lru: BTreeMap::new(),
            clock: 0,
            bytes: 0,
        }
    }

    /// The estimated bytes the entries hold, at most
    /// [`CacheConfig::max_bytes`].
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Entries held (expired ones included until they are looked up or evicted).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Stores an RRset (all records share owner, type and class; the first
    /// decides). It lives for the smallest TTL in the set (RFC 2181 §5.2),
    /// capped by `max_ttl`; a zero TTL is not cached (RFC 1035 §3.2.1).
    pub fn insert_records(&mut self, now: Instant, records: Vec<Record>) {
        let Some(first) = records.first() else { return };
        let key = Key::Set(first.name.clone(), first.rtype(), first.class);
        let ttl = records.iter().map(Record::ttl_secs).min().unwrap_or(0);
        let ttl = Duration::from_secs(ttl.into()).min(self.config.max_ttl);
        self.store(now, key, Value::Records(records), ttl);
    }

    /// Stores a negative answer: `nxdomain` for a name that does not exist,
    /// else NODATA for (name, rtype). It lives for min(SOA TTL, SOA MINIMUM)
    /// (RFC 2308 §5), capped by `max_negative_ttl`.
    pub fn insert_negative(
        &mut self,
        now: Instant,
        name: &Name,
        rtype: RecordType,
        class: Class,
        nxdomain: bool,
        soa: &Record,
    ) {
        let crate::wire::RData::Soa(s) = &soa.data else {
            return;
        };
        // RFC 2308 §5: the TTL of a negative answer is the minimum of the
        // SOA record's TTL and its MINIMUM field.
        let ttl = Duration::from_secs(soa.ttl_secs().min(s.minimum).into())
            .min(self.config.max_negative_ttl);
        let (key, value) = if nxdomain {
            (
                Key::NxDomain(name.clone(), class),
                Value::NxDomain(soa.clone()),
            )
        } else {
            (
                Key::Set(name.clone(), rtype, class),
                Value::NoData(soa.clone()),
            )
        };
        self.store(now, key, value, ttl);
    }

    /// What the cache holds for the question at `now`, with TTLs counted down.
    pub fn get(
        &mut self,
        now: Instant,
        name: &Name,
        rtype: RecordType,
        class: Class,
    ) -> Option<Cached> {
        // An NXDOMAIN for the name answers every type (RFC 2308 §5).
        let nx = Key::NxDomain(name.clone(), class);
        let key = if self.touch(now, &nx).is_some() {
            nx
        } else {
            Key::Set(name.clone(), rtype, class)
        };
        let slot = self.touch(now, &key)?;
        Some(slot.view(now))
    }

    /// Every live entry at `now`, TTLs counted down as [`Cache::get`] gives
    /// them, ordered by name and type; reading does not count as a use.
    /// What `ipconfig /displaydns` prints of the Windows cache.
    pub fn entries(&self, now: Instant) -> Vec<Entry> {
        let mut out: Vec<Entry> = self
            .slots
            .iter()
            .filter(|(_, slot)| slot.expires > now)
            .map(|(key, slot)| {
                let (name, rtype, class) = match key {
                    Key::Set(n, t, c) => (n.clone(), Some(*t), *c),
                    Key::NxDomain(n, c) => (n.clone(), None, *c),
                };
                Entry {
                    name,
                    rtype,
                    class,
                    ttl: u32::try_from((slot.expires - now).as_secs()).unwrap_or(u32::MAX),
                    cached: slot.view(now),
                }
            })
            .collect();
        out.sort_by_cached_key(|e| {
            (
                e.name.to_string().to_ascii_lowercase(),
                e.rtype.map(|t| t.0),
            )
        });
        out
    }

    /// Marks `key` used, or drops it if it has expired.
    fn touch(&mut self, now: Instant, key: &Key) -> Option<&Slot> {
        use std::collections::hash_map::Entry;
        let Entry::Occupied(entry) = self.slots.entry(key.clone()) else {
            return None;
        };
        if entry.get().expires <= now {
            let (_, slot) = entry.remove_entry();
            self.lru.remove(&slot.stored_stamp);
            self.bytes -= slot.bytes;
            return None;
        }
        self.clock += 1;
        let slot = entry.into_mut();
        slot.used = self.clock;
        Some(slot)
    }

    fn store(&mut self, now: Instant, key: Key, value: Value, ttl: Duration) {
        let bytes = footprint(&key, &value);
        if ttl.is_zero() || self.config.capacity == 0 || bytes > self.config.max_bytes {
            return;
        }
        self.clock += 1;
        let slot = Slot {
            bytes,
            value,
            stored: now,
            expires: now + ttl,
            used: self.clock,
            stored_stamp: self.clock,
        };
        self.bytes += bytes;
        if let Some(old) = self.slots.insert(key.clone(), slot) {
            self.lru.remove(&old.stored_stamp);
            self.bytes -= old.bytes;
        }
        self.lru.insert(self.clock, key);
        while self.slots.len() > self.config.capacity || self.bytes > self.config.max_bytes {
            let Some((stamp, oldest)) = self.lru.pop_first() else {
                break;
            };
            match self.slots.get_mut(&oldest) {
                // Used since it was filed: file it again under its last use.
                // Each key moves at most once per eviction, so this ends.
                Some(slot) if slot.used != stamp => {
                    slot.stored_stamp = slot.used;
                    self.lru.insert(slot.used, oldest);
                }
                _ => {
                    if let Some(slot) = self.slots.remove(&oldest) {
                        self.bytes -= slot.bytes;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{RData, Soa};
    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec;

    #[test]
    fn entries_count_down_without_touching() {
        let t0 = Instant::ZERO;
        let mut c = Cache::new(CacheConfig::default());
        c.insert_records(t0, vec![a("b.example", 300)]);
        c.insert_records(t0, vec![a("a.example", 60)]);
        let soa = soa(3600, 30);
        let nx: Name = "gone.example".parse().unwrap();
        c.insert_negative(t0, &nx, RecordType::A, Class::IN, true, &soa);
        let later = t0 + Duration::from_secs(20);
        let e = c.entries(later);
        let seen: Vec<(String, Option<RecordType>, u32)> = e
            .iter()
            .map(|e| (e.name.to_string(), e.rtype, e.ttl))
            .collect();
        // 300 - 20, 60 - 20, and the negative entry's min(3600, 30) - 20.
        assert_eq!(
            seen,
            [
                ("a.example.".into(), Some(RecordType::A), 40),
                ("b.example.".into(), Some(RecordType::A), 280),
                ("gone.example.".into(), None, 10),
            ]
        );
        assert!(matches!(&e[0].cached, Cached::Records(rs) if rs[0].ttl == 40));
        assert_eq!(c.entries(t0 + Duration::from_secs(60)).len(), 1);
        assert_eq!(c.len(), 3, "listing removes nothing");
    }

    fn a(name: &str, ttl: u32) -> Record {
        Record::new(name.parse().unwrap(), ttl, RData::A([192, 0, 2, 1].into()))
    }

    fn soa(ttl: u32, minimum: u32) -> Record {
        Record::new(
            "example".parse().unwrap(),
            ttl,
            RData::Soa(Box::new(Soa {
                mname: "ns.example".parse().unwrap(),
                rname: "h.example".parse().unwrap(),
                serial: 1,
                refresh: 1,
                retry: 1,
                expire: 1,
                minimum,
            })),
        )
    }

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn rrset_lives_for_its_smallest_ttl_and_zero_is_not_cached() {
        let mut c = Cache::new(CacheConfig::default());
        let t0 = Instant::ZERO;
        let n: Name = "x.example".parse().unwrap();
        c.insert_records(t0, vec![a("x.example", 50), a("x.example", 20)]);
        assert!(
            matches!(c.get(t0 + S(19), &n, RecordType::A, Class::IN), Some(Cached::Records(r)) if r.iter().all(|r| r.ttl <= 31))
        );
        assert_eq!(c.get(t0 + S(20), &n, RecordType::A, Class::IN), None);
        c.insert_records(t0, vec![a("x.example", 0)]);
        assert!(c.is_empty());
    }

    #[test]
    fn negative_ttl_is_min_of_soa_ttl_and_minimum() {
        let mut c = Cache::new(CacheConfig::default());
        let n: Name = "nope.example".parse().unwrap();
        c.insert_negative(
            Instant::ZERO,
            &n,
            RecordType::A,
            Class::IN,
            true,
            &soa(3600, 60),
        );
        // NXDOMAIN answers every type.
        assert!(matches!(
            c.get(Instant::ZERO + S(59), &n, RecordType::MX, Class::IN),
            Some(Cached::NxDomain(_))
        ));
        assert_eq!(
            c.get(Instant::ZERO + S(60), &n, RecordType::MX, Class::IN),
            None
        );
        c.insert_negative(
            Instant::ZERO,
            &n,
            RecordType::AAAA,
            Class::IN,
            false,
            &soa(30, 600),
        );
        assert!(matches!(
            c.get(Instant::ZERO + S(29), &n, RecordType::AAAA, Class::IN),
            Some(Cached::NoData(_))
        ));
        assert_eq!(
            c.get(Instant::ZERO + S(29), &n, RecordType::A, Class::IN),
            None
        );
    }

    #[test]
    fn least_recently_used_is_evicted_first() {
        let mut c = Cache::new(CacheConfig {
            capacity: 2,
            ..CacheConfig::default()
        });
        let t = Instant::ZERO;
        c.insert_records(t, vec![a("a", 100)]);
        c.insert_records(t, vec![a("b", 100)]);
        // Use `a`, so `b` is the oldest when `c` arrives.
        assert!(c
            .get(t, &"A".parse().unwrap(), RecordType::A, Class::IN)
            .is_some());
        c.insert_records(t, vec![a("c", 100)]);
        assert_eq!(c.len(), 2);
        assert!(c
            .get(t, &"b".parse().unwrap(), RecordType::A, Class::IN)
            .is_none());
        assert!(c
            .get(t, &"a".parse().unwrap(), RecordType::A, Class::IN)
            .is_some());
        assert!(c
            .get(t, &"c".parse().unwrap(), RecordType::A, Class::IN)
            .is_some());
    }

    #[test]
    fn eviction_follows_the_last_use_not_the_insertion() {
        let mut c = Cache::new(CacheConfig {
            capacity: 3,
            ..CacheConfig::default()
        });
        let t = Instant::ZERO;
        let get = |c: &mut Cache, n: &str| {
            c.get(t, &n.parse().unwrap(), RecordType::A, Class::IN)
                .is_some()
        };
        for n in ["a", "b", "c"] {
            c.insert_records(t, vec![a(n, 100)]);
        }
        // Use a, then b, then a again: c is now the least recently used, then b.
        assert!(get(&mut c, "a") && get(&mut c, "b") && get(&mut c, "a"));
        c.insert_records(t, vec![a("d", 100)]);
        assert!(!get(&mut c, "c"));
        c.insert_records(t, vec![a("e", 100)]);
        assert!(!get(&mut c, "b"));
        assert!(get(&mut c, "a") && get(&mut c, "d") && get(&mut c, "e"));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn ttls_are_capped() {
        let mut c = Cache::new(CacheConfig {
            max_ttl: S(10),
            ..CacheConfig::default()
        });
        c.insert_records(Instant::ZERO, vec![a("a", u32::MAX)]);
        // A TTL with the top bit set counts as zero (RFC 2181 §8): not cached at all.
        assert!(c.is_empty());
        c.insert_records(Instant::ZERO, vec![a("a", 1_000_000)]);
        let got = c.get(
            Instant::ZERO + S(4),
            &"a".parse().unwrap(),
            RecordType::A,
            Class::IN,
        );
        assert!(matches!(got, Some(Cached::Records(r)) if r[0].ttl == 6));
        assert_eq!(
            c.get(
                Instant::ZERO + S(10),
                &"a".parse().unwrap(),
                RecordType::A,
                Class::IN
            ),
            None
        );
    }
}
