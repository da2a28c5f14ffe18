//! The link layer's requirements (handshake-link): RFC 826 (ARP), RFC 4861
//! (neighbour discovery, the parts a host on one link implements) and
//! RFC 4862 §5.4 (duplicate address detection), each against the link.*
//! cases that check exactly it.
//!
//! Quoted text is the RFC's; unquoted text paraphrases it. RFC 826 predates
//! RFC 2119: its algorithm's steps are listed as MUSTs.

use super::Disposition::{Cases, Deviation, NotApplicable};
use super::{row, Table};
use crate::Level::{May, Must, Should};

const NO_ROUTER: &str =
    "binds routers, redirects or router discovery: the neighbour cache is a host's on one link";

/// RFC 826: An Ethernet Address Resolution Protocol.
pub static RFC826: Table = Table::listed(
    "rfc826",
    "RFC 826",
    "An Ethernet Address Resolution Protocol",
    &[
        row("hrd", "§Packet Reception", Must, "\"?Do I have the hardware type in ar$hrd?\" -- if not, discard", Cases(&["link.arp.unsupported-hardware"])),
        row("pro", "§Packet Reception", Must, "\"?Do I speak the protocol in ar$pro?\" -- if not, discard", Cases(&["link.arp.unsupported-protocol"])),
        row("merge", "§Packet Reception", Must, "\"If the pair <protocol type, sender protocol address> is already in my translation table, update the sender hardware address field of the entry with the new information in the packet\"", Cases(&["link.arp.merge-flushes-queue", "link.arp.gratuitous-updates-existing"])),
        row("not-target", "§Packet Reception", Must, "\"?Am I the target protocol address?\" -- if not, nothing more", Cases(&["link.arp.request-for-other-ignored"])),
        row("add-request", "§Packet Reception", Must, "\"If Merge_flag is false, add the triplet <protocol type, sender protocol address, sender hardware address> to the translation table\" (a request for us)", Cases(&["link.arp.reply-matches-linux", "link.arp.request-flood-bounded"])),
        row("add-reply", "§Packet Reception", Must, "The same for a reply addressed to us that we did not ask for", Deviation("a reply for an address we are not resolving creates no entry (as Linux with arp_accept=0): a flood of bogus replies must not fill the table (link.arp.unsolicited-replies-ignored)")),
        row("reply", "§Packet Reception", Must, "\"?Is the opcode ares_op$REQUEST? ... swap hardware and protocol fields, putting the local hardware and protocol addresses in the sender fields. Set the ar$op field to ares_op$REPLY. Send the packet to the (new) target hardware address\"", Cases(&["link.arp.reply-matches-linux", "link.interop.kernel-arp-answered"])),
        row("request", "§Packet Generation", Must, "A request is broadcast with our addresses as sender and the target hardware address not set", Cases(&["link.arp.request-matches-linux", "link.interop.kernel-mac-learned"])),
    ],
);

/// RFC 4861: Neighbor Discovery for IP version 6.
pub static RFC4861: Table = Table::listed(
    "rfc4861",
    "RFC 4861",
    "Neighbor Discovery for IP version 6 (host, one link)",
    &[
        row("4.3-reserved", "§4.3, §4.4", Must, "Reserved fields \"MUST be initialized to zero by the sender and MUST be ignored by the receiver\"", Cases(&["link.ndp.ns-matches-linux", "link.ndp.na-matches-linux"])),
        row("4.3-no-slla-from-unspecified", "§4.3", Must, "The Source link-layer address option \"MUST NOT be included when the source IP address is the unspecified address\"", Cases(&["link.ndp.dad-probes"])),
        row("4.6-unknown-option", "§4.6", Must, "\"Receivers MUST silently ignore any options they do not recognize and continue processing the message\"", Cases(&["link.ndp.linux-dad-ns-unknown-option"])),
        row("4.6-length-zero", "§4.6", Must, "\"Nodes MUST silently discard an ND packet that contains an option with length zero\"", Cases(&["link.ndp.option-length-zero"])),
        row("6-router", "§6, §8", Must, "Router and redirect messages", NotApplicable(NO_ROUTER)),
        row("6.3.2-reachable-time", "§6.3.2", Must, "ReachableTime is a uniformly distributed random value between MIN_RANDOM_FACTOR and MAX_RANDOM_FACTOR times BaseReachableTime", Cases(&["link.ndp.reachable-time-random-factor"])),
        row("7.1.1-hop-limit", "§7.1.1, §7.1.2", Must, "\"The IP Hop Limit field has a value of 255\"", Cases(&["link.ndp.hop-limit-255", "link.ndp.invalid-changes-nothing"])),
        row("7.1.1-checksum", "§7.1.1, §7.1.2", Must, "\"ICMP Checksum is valid\"", Cases(&["link.ndp.bad-checksum"])),
        row("7.1.1-code", "§7.1.1, §7.1.2", Must, "\"ICMP Code is 0\"", Cases(&["link.ndp.code-nonzero"])),
        row("7.1.1-length", "§7.1.1, §7.1.2", Must, "\"ICMP length (derived from the IP length) is 24 or more octets\"", Cases(&["link.ndp.short-message"])),
        row("7.1.1-target", "§7.1.1, §7.1.2", Must, "\"Target Address is not a multicast address\"", Cases(&["link.ndp.multicast-target"])),
        row("7.1.1-unspecified", "§7.1.1", Must, "From the unspecified address: the destination is a solicited-node address and there is no source link-layer address option", Cases(&["link.ndp.unspecified-source-rules"])),
        row("7.1.2-solicited-multicast", "§7.1.2", Must, "\"If the IP Destination Address is a multicast address the Solicited flag is zero\"", Cases(&["link.ndp.solicited-na-to-multicast"])),
        row("7.2.1-join", "§7.2.1", Must, "The node MUST join the all-nodes multicast address and the solicited-node address of each of its addresses", Cases(&["link.mld.one-join-per-group", "link.mld.join-before-dad", "link.mld.tshark-reads-reports", "link.mld.queries-answered", "link.interop.bridge-learns-our-group"])),
        row("7.2.2-solicit", "§7.2.2", Must, "Resolution sends an NS to the solicited-node address with our source link-layer address, retransmitted every RetransTimer, at most MAX_MULTICAST_SOLICIT, then the entry is deleted", Cases(&["link.ndp.ns-matches-linux", "link.ndp.resolution-fails-after-3", "link.interop.kernel-ipv6-mac-learned"])),
        row("7.2.2-queue", "§7.2.2", Should, "While resolving, \"the node SHOULD retain a small queue of packets waiting for address resolution to complete\"", Cases(&["link.ndp.resolution-reachable"])),
        row("7.2.3-target-ours", "§7.2.3", Must, "A solicitation whose target is not one of our addresses is silently discarded", Cases(&["link.ndp.ns-other-target-ignored"])),
        row("7.2.3-update", "§7.2.3", Must, "A source link-layer address creates a STALE entry, or replaces a different cached address and sets the entry STALE", Cases(&["link.ndp.na-matches-linux", "link.ndp.ns-updates-cache"])),
        row("7.2.4-answer", "§7.2.4", Must, "The advertisement goes to the solicitor with Solicited set, or to all-nodes with Solicited clear when the source was unspecified; Target Link-Layer Address included", Cases(&["link.ndp.na-matches-linux", "link.ndp.defends-preferred", "link.interop.kernel-ndp-answered"])),
        row("7.2.5-incomplete", "§7.2.5", Must, "For an INCOMPLETE entry: no target link-layer address, discard; else record it, REACHABLE if Solicited, else STALE, and send the queue", Cases(&["link.ndp.incomplete-needs-tlla", "link.ndp.resolution-reachable"])),
        row("7.2.5-no-entry", "§7.2.5", Should, "\"If no entry exists, the advertisement SHOULD be silently discarded\"", Cases(&["link.ndp.unsolicited-na-ignored"])),
        row("7.2.5-override", "§7.2.5", Must, "Override clear with a different address: REACHABLE becomes STALE, else ignored; otherwise the address is taken, REACHABLE if Solicited, STALE if changed", Cases(&["link.ndp.na-override-rules"])),
        row("7.2.6-unsolicited-na", "§7.2.6", May, "A node may send unsolicited advertisements when its link-layer address changes", NotApplicable("the port's MAC never changes while it runs")),
        row("7.3.1-confirmation", "§7.3.1", Should, "Upper-layer reachability confirmation makes the entry REACHABLE", Cases(&["link.ndp.delay-confirmed-no-probe"])),
        row("7.3.3-nud", "§7.3.3, §10", Must, "REACHABLE -> STALE after ReachableTime; first packet to STALE -> DELAY; DELAY_FIRST_PROBE_TIME later -> PROBE with unicast NS every RetransTimer, at most MAX_UNICAST_SOLICIT, then the entry is deleted", Cases(&["link.ndp.nud-stale-delay-probe-failed", "link.interop.nud-probe-fails-real-time"])),
    ],
);

/// RFC 4862 §5.4: duplicate address detection.
pub static RFC4862: Table = Table::listed(
    "rfc4862",
    "RFC 4862",
    "IPv6 Stateless Address Autoconfiguration, §5.4 (duplicate address detection)",
    &[
        row("5.4-before-use", "§5.4", Must, "DAD is performed on unicast addresses before assigning them; a tentative address is not used and solicitations for it are not answered", Cases(&["link.ndp.dad-probes", "link.ndp.dad-tentative-silent"])),
        row("5.4.2-probe", "§5.4.2", Must, "DupAddrDetectTransmits NS from the unspecified address to the solicited-node address, RetransTimer apart", Cases(&["link.ndp.dad-probes"])),
        row("5.4.2-delay", "§5.4.2", Should, "The first NS is delayed by a random value between 0 and MAX_RTR_SOLICITATION_DELAY", Cases(&["link.ndp.dad-probes"])),
        row("5.4.2-mld", "§5.4.2", Must, "Before sending the NS, the interface MUST join the all-nodes and solicited-node multicast groups (an MLD report, delayed)", Cases(&["link.mld.join-before-dad"])),
        row("5.4.3-ns-dad", "§5.4.3", Must, "An NS for a tentative address from the unspecified address: the address is a duplicate", Cases(&["link.ndp.dad-conflict-ns"])),
        row("5.4.3-ns-unicast", "§5.4.3", Must, "An NS for a tentative address from a unicast source is silently ignored", Cases(&["link.ndp.dad-tentative-silent"])),
        row("5.4.4-na", "§5.4.4", Must, "An NA for a tentative address: the address is a duplicate", Cases(&["link.ndp.dad-conflict-na"])),
        row("5.4.5-duplicate", "§5.4.5", Must, "A duplicate address \"MUST NOT be assigned to the interface\"", Cases(&["link.ndp.dad-conflict-na", "link.ndp.dad-conflict-ns"])),
        row("5.4-no-interference", "§5.4", Must, "Our DAD does not make the other node's address a duplicate", Cases(&["link.interop.kernel-ndp-answered"])),
    ],
);
