//! The DNS RFCs' requirements that bind a message codec, a cache, a stub
//! and an iterative resolver (handshake-dns, and handshake-io's transport
//! and resolver), each against the dns.* cases that check exactly it.
//!
//! Wording is the RFC's, quoted; the level is the one the RFC states
//! (RFC 1035 and RFC 2181 predate RFC 2119 and write "must" and "should" in
//! lower case: they are read as MUST and SHOULD). A row is covered only by a
//! case that checks that requirement; otherwise it is a gap (with what a
//! case would have to show), not applicable (with the reason), or a
//! deliberate deviation (with the reason).

use super::Disposition::{Cases, Gap, NotApplicable};
use super::{row, Table};
use crate::Level::{May, Must, Should};

/// The reason a server-side requirement does not apply.
const NO_SERVER: &str = "binds name servers: handshake-dns is a codec, a cache, a stub and an iterative resolver, and answers no queries (the suite's in-process servers are test peers)";
/// The reason a DNSSEC requirement does not apply.
const NO_DNSSEC: &str = "DNSSEC is not implemented: the resolver neither validates nor keeps NXT/NSEC or SIG/RRSIG records";

/// RFC 1035: the message format, compression, size limits, and the resolver's duties (§7).
pub(super) static RFC1035: Table = Table::listed(
    "rfc1035",
    "RFC 1035",
    "Domain names: implementation and specification",
    &[
        row("2.3.4-label", "§2.3.4", Must, "Size limits: \"labels 63 octets or less\"", Cases(&["dns.wire.label-over-63"])),
        row("2.3.4-name", "§2.3.4", Must, "Size limits: \"names 255 octets or less\"", Cases(&["dns.wire.name-over-255"])),
        row("3.1-length-octet", "§3.1", Must, "\"The high order two bits of every length octet must be zero, and the remaining six bits of the length field limit the label to 63 octets or less\" (11 is a pointer, §4.1.4; 01 and 10 are reserved)", Cases(&["dns.wire.extended-label-types-rejected"])),
        row("4.1.1-header", "§4.1.1", Must, "Header format: ID, QR, OPCODE, AA, TC, RD, RA, Z, RCODE, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT in their bit positions; the counts give the number of entries in each section", Cases(&["dns.wire.header.flag-bits", "dns.wire.header.opcode-rcode-fields", "dns.wire.header.counts-match-sections"])),
        row("4.1.1-z", "§4.1.1", Must, "Z: \"Reserved for future use. Must be zero in all queries and responses\" (our queries, byte for byte against dig's)", Cases(&["dns.wire.query-known-bytes"])),
        row("4.1.2-question", "§4.1.2", Must, "Question section format: QNAME as a sequence of labels, QTYPE, QCLASS", Cases(&["dns.wire.query-known-bytes"])),
        row("4.1.3-rr", "§4.1.3, §3.3", Must, "Resource record format: NAME, TYPE, CLASS, TTL, RDLENGTH, RDATA, with RDATA laid out as §3.3 and §3.4 define for each type", Cases(&["dns.wire.rr.a", "dns.wire.rr.ns", "dns.wire.rr.cname", "dns.wire.rr.soa", "dns.wire.rr.ptr", "dns.wire.rr.mx", "dns.wire.rr.txt"])),
        row("4.1.4-understand", "§4.1.4", Must, "\"all programs are required to understand arriving messages that contain pointers\"", Cases(&["dns.wire.rr.ns", "dns.wire.compression.longest-suffix", "dns.wire.compressed-emit-parses-back"])),
        row("4.1.4-prior", "§4.1.4", Must, "A domain name or a list of labels at its end \"is replaced with a pointer to a prior occurance of the same name\": a pointer to itself, forwards, or into a loop is not a name", Cases(&["dns.wire.pointer-to-itself", "dns.wire.forward-pointer", "dns.wire.pointer-loop-through-labels"])),
        row("4.1.4-offset", "§4.1.4", Must, "The pointer's OFFSET field is 14 bits, an offset from the start of the message (a name written past 0x3FFF cannot be pointed at)", Cases(&["dns.wire.compression.offset-limit-0x3fff"])),
        row("4.1.4-rdlength", "§4.1.4", Must, "\"If a domain name is contained in a part of the message subject to a length field (such as the RDATA section of an RR), and compression is used, the length of the compressed name is used in the length calculation\"", Cases(&["dns.wire.rr.ns", "dns.wire.rr.soa", "dns.wire.rr.mx", "dns.wire.compression.longest-suffix"])),
        row("4.1.3-ttl-zero", "§4.1.3, §3.2.1", Should, "TTL: \"Zero values are interpreted to mean that the RR can only be used for the transaction in progress, and should not be cached\"", Cases(&["dns.cache.zero-ttl-not-cached"])),
        row("6.1.3-ttl-count-down", "§6.1.3", Should, "\"TTLs for cached data conceptually \\\"count down\\\"\"; \"When an absolute TTL is negative after conversion to relative, then the data is expired and should be ignored\"", Cases(&["dns.cache.ttl-counts-down"])),
        row("4.2.2-length", "§4.2.2", Must, "TCP: \"The message is prefixed with a two byte length field which gives the message length, excluding the two byte length field\"", Cases(&["dns.transport.truncated-retried-over-tcp"])),
        row("7.1-work-limit", "§7.1", Must, "\"The amount of work which a resolver will do in response to a client request must be limited to guard against errors in the database, such as circular CNAME references, and operational problems\"", Cases(&["dns.iterative.total-query-limit", "dns.iterative.referral-depth-limit", "dns.iterative.cname-loop-across-zones"])),
        row("7.2-server-error", "§7.2", Should, "\"If a resolver gets a server error or other bizarre response from a name server, it should remove it from SLIST, and may wish to schedule an immediate transmission to the next candidate server address\"", Cases(&["dns.iterative.servfail-tries-next-server", "dns.iterative.lame-server-skipped", "dns.stub.servfail-tries-next-server"])),
        row("7.3-discard-queries", "§7.3", Should, "Processing a response \"should include: Check the header for reasonableness. Discard datagrams which are queries when responses are expected\"", Gap("no case sends a datagram with QR clear to a waiting query (Outstanding::accept refuses it with Mismatch::NotResponse, but only the crate's unit test shows it)")),
        row("7.3-parse", "§7.3", Should, "\"Parse the sections of the message, and insure that all RRs are correctly formatted\"", Cases(&["dns.wire.truncated-anywhere", "dns.wire.header.counts-match-sections", "dns.wire.arbitrary-bytes-never-panic"])),
        row("7.3-match", "§7.3", Should, "\"do a preliminary matching using the ID field in the domain header, and then to verify that the question section corresponds to the information currently desired\"", Cases(&["dns.rfc5452.id-must-match", "dns.rfc5452.question-must-match"])),
        row("7.4-truncated-partial", "§7.4", Should, "\"When a response is truncated, and a resolver doesn't know whether it has a complete set, it should not cache a possibly partial set of RRs\"", Gap("the truncation cases check the retry over TCP, not the cache: no case has a truncated UDP response carry part of an RRset and then checks the cache holds only the TCP answer's full set")),
        row("7.4-dubious", "§7.4", Should, "\"When a resolver receives unsolicited responses or RR data other than that requested, it should discard it without caching it\"", Cases(&["dns.scenario.out-of-bailiwick-not-believed", "dns.iterative.out-of-bailiwick-glue-ignored"])),
        row("7.4-never-combined", "§7.4", Should, "\"either the data in the response or the cache is preferred, but the two should never be combined\"", Gap("Cache::insert_records replaces the entry for (name, type, class), but no case caches an RRset, inserts another for the same name and type, and checks that only the second is returned (RFC 2181 §5.4 states the same as a MUST)")),
    ],
);

/// RFC 2181: clarifications (RRsets, TTLs, TC, names).
pub(super) static RFC2181: Table = Table::listed(
    "rfc2181",
    "RFC 2181",
    "Clarifications to the DNS specification",
    &[
        row("4-reply-address", "§4.1, §4.2", Must, "Servers reply over UDP from the address the query was sent to; \"Replies to all queries must be directed to the port from which they were sent\"", NotApplicable(NO_SERVER)),
        row("5.1-whole-rrset", "§5.1", Must, "A query \"will always return all records in the associated RRSet\"; \"The response must be marked as \\\"truncated\\\" if the entire RRSet will not fit in the response\"", NotApplicable(NO_SERVER)),
        row("5.2-server-equal-ttls", "§5.2", Must, "\"the TTLs of all RRs in an RRSet must be the same\"; \"In no case may a server send an RRSet with TTLs not all equal\"", NotApplicable(NO_SERVER)),
        row("5.2-lowest-ttl", "§5.2", Should, "An RRSet with differing TTLs from an authoritative source (and \"Clients configured to send all queries to one or more particular servers should treat those servers as authoritative for this purpose\"): \"treat the RRs for all purposes as if all TTLs in the RRSet had been set to the value of the lowest TTL in the RRSet\"", Cases(&["dns.cache.ttl-counts-down"])),
        row("5.4-no-merge", "§5.4", Must, "\"Servers must never merge RRs from a response with RRs in their cache to form an RRSet\"; they \"must either ignore the RRs in the response, or discard the entire RRSet currently in the cache\" (binds a caching resolver)", Cases(&["dns.cache.rrsets-never-merged"])),
        row("5.4.1-untrusted-not-answers", "§5.4.1", Should, "\"data from the additional data section, and data from the authority section of a non-authoritative answer, should not be cached in such a way that they would ever be returned as answers to a received query\"", Cases(&["dns.scenario.out-of-bailiwick-not-believed", "dns.scenario.unbound-agrees.out-of-bailiwick"])),
        row("8-ttl-transmit", "§8", Must, "\"a TTL value is an unsigned number, with a minimum value of 0, and a maximum value of 2147483647\"; \"When transmitted, this value shall be encoded in the less significant 31 bits of the 32 bit TTL field, with the most significant, or sign, bit set to zero\"", Cases(&["dns.wire.ttl-sent-below-2-31"])),
        row("8-ttl-receive", "§8", Should, "\"Implementations should treat TTL values received with the most significant bit set as if the entire value received was zero\"", Cases(&["dns.wire.ttl-top-bit-is-zero"])),
        row("9-tc-retry", "§9", Should, "\"When a DNS client receives a reply with TC set, it should ignore that response, and query again, using a mechanism, such as a TCP connection, that will permit larger replies\"", Cases(&["dns.transport.truncated-retried-over-tcp", "dns.scenario.truncated-retried-over-tcp", "dns.interop.iterative.tcp-fallback"])),
        row("10.1-cname-alone", "§10.1, §10.3", Must, "Zone content: an alias has one canonical name and no other data; \"The domain name used as the value of a NS resource record, or part of the value of a MX resource record must not be an alias\"", NotApplicable("rules for zone data, which binds the zone's maintainer and authoritative servers; we hold no zones")),
        row("11-length-limits", "§11", Must, "\"The length of any one label is limited to between 1 and 63 octets. A full domain name is limited to 255 octets (including the separators)\"", Cases(&["dns.wire.label-over-63", "dns.wire.name-over-255"])),
        row("11-any-label", "§11", Must, "\"Implementations of the DNS protocols must not place any restrictions on the labels that can be used\"; \"any binary string whatever can be used as the label of any resource record\"", Cases(&["dns.wire.any-octet-labels-round-trip"])),
    ],
);

/// RFC 2308: negative caching.
pub(super) static RFC2308: Table = Table::listed(
    "rfc2308",
    "RFC 2308",
    "Negative caching of DNS queries (DNS NCACHE)",
    &[
        row("3-soa-in-authority", "§3", Must, "\"Name servers authoritative for a zone MUST include the SOA record of the zone in the authority section of the response when reporting an NXDOMAIN or indicating that no data of the requested type exists\"", NotApplicable(NO_SERVER)),
        row("5-ttl-counts-down", "§3, §5", Must, "The negative TTL is \"the minimum of the MINIMUM field of the SOA record and the TTL of the SOA itself\"; it \"decrements in a similar manner to a normal cached answer and upon reaching zero (0) indicates the cached negative answer MUST NOT be used again\" (the cache, given the SOA record)", Cases(&["dns.cache.negative-ttl-from-soa"])),
        row("5-ttl-from-response", "§3, §5", Must, "The same, end to end: a resolver caches a negative answer from the network no longer than the TTL of the SOA record in the response's authority section", Cases(&["dns.robust.negative-ttl-min-soa-ttl"])),
        row("5-nxdomain-tuple", "§5", Should, "\"A negative answer that resulted from a name error (NXDOMAIN) should be cached such that it can be retrieved and returned in response to another query for the same <QNAME, QCLASS>\"", Cases(&["dns.cache.negative-ttl-from-soa"])),
        row("5-nodata-tuple", "§5", Should, "\"A negative answer that resulted from a no data error (NODATA) should be cached such that it can be retrieved and returned in response to another query for the same <QNAME, QTYPE, QCLASS>\"", Cases(&["dns.cache.nodata-is-per-type"])),
        row("5-nxt-stored", "§5", Must, "\"The NXT record, if it exists in the authority section of a negative answer received, MUST be stored such that it can be be located and returned with SOA record\"", NotApplicable(NO_DNSSEC)),
        row("5-no-soa-not-cached", "§5", Should, "\"Negative responses without SOA records SHOULD NOT be cached as there is no way to prevent the negative responses looping forever between a pair of servers\"", Gap("Pipeline::remember (handshake-dns) caches a negative answer only when it came with an SOA, but no case sends an NXDOMAIN or NODATA without one and checks the next lookup goes to the network")),
        row("5-negative-limit", "§5", Should, "A resolver should \"limit for how long it will cache a negative response\"; \"Such a limit should not be greater than that applied to positive answers and preferably be tunable\"", Gap("CacheConfig::max_negative_ttl (3 h by default, tunable) is below max_ttl (1 day), but no case stores a negative answer whose SOA TTL exceeds the limit and checks it expires at the limit")),
        row("6-cached-soa-in-response", "§6", Must, "\"When a server, in answering a query, encounters a cached negative response it MUST add the cached SOA record to the authority section of the response with the TTL decremented\"", NotApplicable(NO_SERVER)),
        row("7.1-servfail-cache", "§7.1", May, "\"a resolver MAY cache a server failure response. If it does so it MUST NOT cache it for longer than five (5) minutes, and it MUST be cached against the specific query tuple <query name, type, class, server IP address>\"", NotApplicable("server failures are not cached (Pipeline::remember returns on SERVFAIL), so the limits on doing so do not arise")),
        row("7.2-dead-server-cache", "§7.2", May, "\"A server MAY cache a dead server indication. If it does so it MUST NOT be deemed dead for longer than five (5) minutes\"", NotApplicable("dead servers are not remembered beyond one lookup (the iterative resolver's server list lives in the lookup), so the limit does not arise")),
        row("8-must-cache-negative", "§8", Must, "\"Negative caching in resolvers is no-longer optional, if a resolver caches anything it must also cache negative answers\"", Cases(&["dns.interop.cache-hosts-network-pipeline"])),
    ],
);

/// RFC 5452: resilience against forged answers.
pub(super) static RFC5452: Table = Table::listed(
    "rfc5452",
    "RFC 5452",
    "Measures for making DNS more resilient against forged answers",
    &[
        row("6-in-domain", "§6", Must, "\"Care must be taken to only accept data if it is known that the originator is authoritative for the QNAME or a parent of the QNAME\"", Cases(&["dns.iterative.out-of-bailiwick-glue-ignored", "dns.scenario.out-of-bailiwick-not-believed", "dns.scenario.unbound-agrees.out-of-bailiwick"])),
        row("9.1-source-address", "§9.1", Must, "\"A resolver implementation MUST match responses to all of the following attributes of the query: Source address against query destination address\" (and the port the query went to); \"A mismatch and the response MUST be considered invalid\"", Cases(&["dns.rfc5452.source-must-match", "dns.scenario.forged-source-ignored", "dns.scenario.unbound-agrees.forged-source", "dns.scenario.forgery-costs-no-query"])),
        row("9.1-destination", "§9.1", Must, "The resolver MUST match \"Destination address against query source address\" and \"Destination port against query source port\"", Cases(&["dns.rfc5452.destination-must-match"])),
        row("9.1-id", "§9.1", Must, "The resolver MUST match the \"Query ID\"", Cases(&["dns.rfc5452.id-must-match", "dns.scenario.forged-id-ignored", "dns.scenario.unbound-agrees.forged-id"])),
        row("9.1-question", "§9.1", Must, "The resolver MUST match the \"Query name\" and \"Query class and type\"", Cases(&["dns.rfc5452.question-must-match", "dns.scenario.forged-question-ignored", "dns.scenario.forged-case-ignored"])),
        row("9.2-source-port", "§9.2", Must, "\"Resolver implementations MUST: Use an unpredictable source port for outgoing queries from the range of available ports (53, or 1024 and above) that is as large as possible and practicable\"", Cases(&["dns.rfc5452.source-port-range"])),
        row("9.2-ports-simultaneous", "§9.2", Must, "Resolver implementations MUST \"Use multiple different source ports simultaneously in case of multiple outstanding queries\"", Cases(&["dns.rfc5452.ports-simultaneous"])),
        row("9.2-query-id", "§9.2", Must, "Resolver implementations MUST \"Use an unpredictable query ID for outgoing queries, utilizing the full range available (0-65535)\"", Cases(&["dns.rfc5452.query-id-full-range"])),
        row("9.2-addresses", "§9.2", Should, "\"Resolvers that have multiple IP addresses SHOULD use them in an unpredictable manner for outgoing queries\"", Gap("not implemented: the kernel picks the source address of the route to the server (the query socket is connected to it)")),
        row("9.2-avoid-ports", "§9.2", Should, "\"Resolver implementations SHOULD provide means to avoid usage of certain ports\"", Gap("handshake-io skips the ports listed in Linux's net.ipv4.ip_local_reserved_ports when it draws a query's port (a unit test reads the list's format), but no case reserves ports and checks that no query leaves from them: the list is global to the host's namespace")),
        row("9.2-tsig", "§9.2", Should, "\"stub-resolvers SHOULD be able to use Transaction Signature (TSIG) ([RFC2845]) or IPsec ([RFC4301]) when communicating with their recursive resolver\"", Gap("not implemented: the stub has no TSIG")),
    ],
);

/// RFC 7766: DNS over TCP.
pub(super) static RFC7766: Table = Table::listed(
    "rfc7766",
    "RFC 7766",
    "DNS transport over TCP: implementation requirements",
    &[
        row("5-tcp-support", "§5", Must, "\"All general-purpose DNS implementations MUST support both UDP and TCP transport\"; \"Stub resolver implementations ... MUST support TCP\"", Cases(&["dns.transport.truncated-retried-over-tcp", "dns.scenario.truncated-retried-over-tcp", "dns.interop.iterative.tcp-fallback"])),
        row("5-server-tcp", "§5", Must, "\"Authoritative server implementations MUST support TCP\"; \"Recursive server (or forwarder) implementations MUST support TCP\"", NotApplicable(NO_SERVER)),
        row("5-udp-first", "§5", Should, "\"A resolver SHOULD send a UDP query first, but MAY elect to send a TCP query if it has good reason to expect the response would be truncated\"", Cases(&["dns.transport.truncated-retried-over-tcp"])),
        row("6.2.1-reuse", "§6.2.1", Should, "\"both clients and servers SHOULD support connection reuse by sending multiple queries and responses over a single persistent TCP connection\"", Gap("not implemented: handshake-io's tcp_exchange opens one connection per query and drops it after the response")),
        row("6.2.1-id-in-flight", "§6.2.1", Must, "\"When sending multiple queries over a TCP connection, clients MUST NOT reuse the DNS Message ID of an in-flight query on that connection\"", NotApplicable("the client never sends a second query on a TCP connection (one query per connection, §6.2.1 reuse is not implemented)")),
        row("6.2.1.1-pipelining", "§6.2.1.1", Should, "\"DNS clients SHOULD pipeline their queries. When a DNS client sends multiple queries to a server, it SHOULD NOT wait for an outstanding reply before sending the next query\"", Gap("not implemented: one query per connection, and lookups send their queries one at a time")),
        row("6.2.2-concurrent", "§6.2.2", Must, "\"DNS clients MUST take care to minimize the number of concurrent TCP connections made to any individual server\"", Gap("each TCP fallback opens its own connection and nothing bounds the connections concurrent lookups open to one server; no case runs lookups concurrently against one server and counts its connections")),
        row("6.2.3-idle-close", "§6.2.3", Should, "\"DNS clients SHOULD close the TCP connection of an idle session, unless an idle timeout has been established using some other signalling mechanism\"", Gap("tcp_exchange drops the connection after one response, but no case checks the server sees the client close it")),
        row("6.2.4-retry", "§6.2.4", Should, "\"DNS clients SHOULD retry unanswered queries if the connection closes before receiving all outstanding responses\"", Gap("no case has a server close the TCP connection before answering and checks the query is asked again")),
        row("7-reordering", "§7", Must, "\"Client resolvers MUST be able to process responses that arrive in a different order to that in which the requests were sent, regardless of the transport protocol in use\"", NotApplicable("the client has at most one query outstanding per UDP socket and per TCP connection, so no two responses share a channel whose order could differ")),
        row("7-match-tcp", "§7", Must, "\"clients MUST match responses to outstanding queries on the same TCP connection using the Message ID. If the response contains a question section, the client MUST match the QNAME, QCLASS, and QTYPE fields\"", Cases(&["dns.robust.tcp-answer-must-match"])),
        row("8-single-write", "§8", Should, "\"DNS clients and servers SHOULD pass the two-octet length field, and the message described by that length field, to the TCP layer at the same time (e.g., in a single \\\"write\\\" system call)\"", Gap("tcp_exchange writes the prefix and the message with one write_all, but no case observes how they reach the TCP layer (the loopback server reads the stream, not segments)")),
    ],
);
