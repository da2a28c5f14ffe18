//! One case per DNS requirement table (see [`crate::coverage`]): each fails
//! when a MUST row of its RFC is a gap, or when the table lists a case id
//! that no longer exists. (RFC 9293's table has its own case,
//! `tcp.coverage.rfc9293-appendix-b`.)

use crate::coverage::{self, Table};
use crate::{Case, Outcome};

/// The DNS tables, each with its case id.
const DNS: &[(&str, &str)] = &[
    ("rfc1035", "dns.coverage.rfc1035"),
    ("rfc2181", "dns.coverage.rfc2181"),
    ("rfc2308", "dns.coverage.rfc2308"),
    ("rfc5452", "dns.coverage.rfc5452"),
    ("rfc7766", "dns.coverage.rfc7766"),
];

/// Fails naming every MUST gap and stale case id of `table`.
fn table_complete(table: &Table) -> Outcome {
    let rows = coverage::check(table, &crate::all_cases());
    let failures = coverage::failures(&rows);
    if failures.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "{} requirements with no case, reason or deviation: {}",
            table.rfc,
            failures.join("; ")
        ))
    }
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
            .filter(|t| t.key != "rfc9293")
            .count();
        assert_eq!(ids.len(), dns_tables, "{ids:?}");
    }
}
