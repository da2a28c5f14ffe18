//! The TCP loss-recovery RFCs (handshake-tcp): RACK-TLP (RFC 8985), D-SACK
//! (RFC 2883), Proportional Rate Reduction (RFC 6937) and F-RTO (RFC 5682).
//! Only requirements that a `tcp.recovery.*` case checks are listed.

use super::Disposition::{Cases, Deviation};
use super::{row, Table};
use crate::Level::Should;

/// RFC 8985: the RACK-TLP loss detection algorithm for TCP.
pub static RFC8985: Table = Table::listed(
    "rfc8985",
    "RFC 8985",
    "RACK-TLP",
    &[
        row("6.2-time-based-loss", "§6.2", Should, "A segment is lost when one sent after it was delivered and RACK.rtt + reo_wnd has passed: a lost retransmission is found without an RTO", Cases(&["tcp.recovery.rack-lost-retransmission"])),
        row("6.2-reo-wnd", "§6.2 step 5", Should, "A segment delivered within the reordering window (min_RTT/4) is not marked lost", Cases(&["tcp.recovery.rack-reordering-within-window"])),
        row("6.2-dsack-reo-wnd", "§6.2 step 4", Should, "A D-SACK increments RACK.reo_wnd_mult (once per round trip)", Cases(&["tcp.recovery.dsack-widens-reo-wnd"])),
        row("7.2-pto", "§7.2", Should, "PTO = 2*SRTT (plus WCDelAckT with one segment in flight), no later than the RTO", Cases(&["tcp.recovery.tlp-tail-loss"])),
        row("7.2-pto-not-in-recovery", "§7.2", Should, "The PTO is not armed during fast recovery", Deviation("armed in fast recovery too (Config::recovery_probe, default on): when the ACKs after a lost retransmission are lost as well, a probe draws the SACK that RACK needs instead of leaving it to the RTO (tcp.recovery.probe-in-recovery-after-ack-loss); recovery_probe(false) keeps the RFC's condition")),
        row("7.3-probe", "§7.3", Should, "Without new data the probe retransmits the highest-sequence segment, and the tail loss is repaired without an RTO", Cases(&["tcp.recovery.tlp-tail-loss"])),
    ],
);

/// RFC 2883: an extension to SACK for duplicate segments (D-SACK).
pub static RFC2883: Table = Table::listed(
    "rfc2883",
    "RFC 2883",
    "D-SACK",
    &[
        row("4-first-block", "§4", Should, "The first SACK block of a D-SACK reports the duplicate segment's sequence range, also below the cumulative ACK", Cases(&["tcp.recovery.dsack-block-edges"])),
        row("4-second-block", "§4", Should, "A duplicate of data held above the cumulative ACK: the second block is the (possibly larger) block that holds it", Cases(&["tcp.recovery.dsack-block-edges"])),
    ],
);

/// RFC 6937: Proportional Rate Reduction for TCP.
pub static RFC6937: Table = Table::listed(
    "rfc6937",
    "RFC 6937",
    "Proportional Rate Reduction",
    &[
        row("3-sndcnt", "§3", Should, "During recovery the sender sends sndcnt per ACK: proportional while pipe > ssthresh, PRR-SSRB below", Cases(&["tcp.recovery.prr-sending-count"])),
    ],
);

/// RFC 5682: F-RTO, detecting spurious retransmission timeouts.
pub static RFC5682: Table = Table::listed(
    "rfc5682",
    "RFC 5682",
    "F-RTO",
    &[
        row("3.1-spurious", "§3.1", Should, "SACK-enhanced F-RTO: new data after the timeout; an ACK of data never retransmitted declares the timeout spurious (and the response is undone)", Cases(&["tcp.recovery.frto-spurious-timeout-undone"])),
    ],
);
