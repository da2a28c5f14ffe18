//! `dns.coverage.*`: one case per DNS requirement table (see
//! [`crate::coverage`]). Each fails when a MUST row of its RFC is a gap that
//! is not on the list of known gaps below, when a listed gap has been closed
//! (so the list only shrinks), or when the table names a case id that no
//! longer exists. (RFC 9293's table has its own case,
//! `tcp.coverage.rfc9293-appendix-b`.)
//!
//! The known gaps are real: `--coverage` counts them as gaps and exits 1 on
//! them. They are the work of the DNS hardening issue (#14); listing them
//! here keeps a new gap from hiding among them.

use crate::coverage::{self, Table};
use crate::Case;

/// The DNS tables, each with its case id.
const DNS: &[(&str, &str)] = &[
    ("rfc1035", "dns.coverage.rfc1035"),
    ("rfc2181", "dns.coverage.rfc2181"),
    ("rfc2308", "dns.coverage.rfc2308"),
    ("rfc5452", "dns.coverage.rfc5452"),
    ("rfc7766", "dns.coverage.rfc7766"),
];

/// MUST rows with no case yet, by table key and row id (issue #14).
const KNOWN_MUST_GAPS: &[(&str, &str)] = &[("rfc7766", "6.2.2-concurrent")];

/// Fails naming every MUST gap not known, every known gap now closed, and
/// every stale case id of `table`.
fn table_complete(table: &Table) -> crate::check::Checked {
    let known: Vec<&str> = KNOWN_MUST_GAPS
        .iter()
        .filter(|(key, _)| *key == table.key)
        .map(|(_, id)| *id)
        .collect();
    coverage::complete(table, &known, &crate::all_cases())
}

pub(crate) fn cases() -> Vec<Case> {
    DNS.iter()
        .map(|&(key, id)| {
            let table = coverage::find(key).expect("every DNS key names a table");
            Case::must(
                id,
                format!(
                    "{} (every MUST covered, not applicable or a listed deviation)",
                    table.rfc
                ),
            )
            .vector(move |_| table_complete(table))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_case_per_dns_table() {
        let ids: Vec<String> = super::cases().iter().map(|c| c.id().to_string()).collect();
        let dns_tables = crate::coverage::TABLES
            .iter()
            .filter(|t| {
                ![
                    "rfc9293", "rfc8446", "rfc9112", "rfc2883", "rfc5682", "rfc6937", "rfc8985",
                    "rfc826", "rfc4861", "rfc4862",
                ]
                .contains(&t.key)
            })
            .count();
        assert_eq!(ids.len(), dns_tables, "{ids:?}");
    }
}
