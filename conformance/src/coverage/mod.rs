//! Requirement coverage: each RFC's requirements against the cases that
//! check them.
//!
//! A [`Table`] lists an RFC's requirements, each a [`Requirement`]: an id,
//! the section, the level the RFC states, the RFC's words, and a
//! [`Disposition`]: the cases that check it, the reason it does not apply, a
//! deliberate deviation with its reason, or a gap (no case yet, with what is
//! missing). [`check`] resolves a table against the registered cases into
//! [`Row`]s; a listed case id that no longer exists makes its row a gap, so
//! a table cannot go stale silently. A table may also let a case cover a row
//! by naming the row's id in its `spec` (RFC 9293's `MUST-39`).
//!
//! The tables are Rust data rather than a fixture file: the compiler checks
//! their shape, the coverage cases and `cargo xtask conformance --coverage`
//! read the same statics, and nothing has to be found on disk at run time.
//!
//! ```
//! use handshake_conformance::{all_cases, coverage, Level};
//! let rows = coverage::rfc9293(&all_cases());
//! let must_gaps = rows.iter().filter(|r| r.is_gap() && r.req.level == Level::Must).count();
//! assert_eq!(must_gaps, 0);
//! let t = coverage::find("RFC 7766").expect("a DNS table");
//! assert_eq!(t.key, "rfc7766");
//! ```

mod dns;
mod link;
pub use link::{RFC4861, RFC4862, RFC826};
mod recovery;
mod rfc8446;
mod rfc9112;
pub use rfc9112::RFC9112;
mod rfc9293;

use std::fmt::Write as _;

use crate::{Case, Level};

/// How a requirement is met, or why it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Checked by these cases (and, where the table allows, by every case
    /// whose spec names the requirement's id). An empty list is a gap.
    Cases(&'static [&'static str]),
    /// The condition the requirement depends on does not hold here; the reason says why.
    NotApplicable(&'static str),
    /// Our code deliberately does otherwise; the reason says why. Counted
    /// apart from the covered rows, never hidden among them.
    Deviation(&'static str),
    /// No case checks it yet; the note says what a case would have to show.
    Gap(&'static str),
}

/// One requirement of an RFC.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    /// Stable id within its table: RFC 9293's `MUST-39`, or a section-based
    /// id such as `5.2-lowest-ttl`.
    pub id: &'static str,
    /// Where the RFC states it (`§5.2`); empty when the id says it.
    pub section: &'static str,
    /// The level the RFC states (RFC 2119 words; lower-case "must" and
    /// "should" in the older RFCs).
    pub level: Level,
    /// The requirement, in the RFC's words or its table's.
    pub feature: &'static str,
    /// Covered, not applicable, a deviation, or a gap.
    pub disposition: Disposition,
}

/// One row of a section-based table: the requirement and what answers it.
const fn row(
    id: &'static str,
    section: &'static str,
    level: Level,
    feature: &'static str,
    disposition: Disposition,
) -> Requirement {
    Requirement {
        id,
        section,
        level,
        feature,
        disposition,
    }
}

/// An RFC's requirement list.
#[derive(Debug)]
pub struct Table {
    /// Lower-case key for `--coverage`: `rfc9293`.
    pub key: &'static str,
    /// The RFC as cases cite it: `RFC 9293`.
    pub rfc: &'static str,
    /// What the table is: `Appendix B (Table 8)`, or the RFC's title.
    pub title: &'static str,
    /// Whether a case whose spec cites [`Table::rfc`] and names a row's id covers that row.
    pub spec_names_id: bool,
    /// The requirements, in the RFC's order.
    pub rows: &'static [Requirement],
}

impl Table {
    /// A table whose rows are covered only by the cases they list
    /// ([`Table::spec_names_id`] false): every table but RFC 9293's.
    const fn listed(
        key: &'static str,
        rfc: &'static str,
        title: &'static str,
        rows: &'static [Requirement],
    ) -> Table {
        Table {
            key,
            rfc,
            title,
            spec_names_id: false,
            rows,
        }
    }
}

/// Where a row stands after [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Checked by at least one existing case, and every listed case exists.
    Covered,
    /// Does not apply, with the reason.
    NotApplicable,
    /// A deliberate deviation, with the reason.
    Deviation,
    /// No case checks it, or a listed case does not exist.
    Gap,
}

impl Status {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::NotApplicable => "not applicable",
            Status::Deviation => "deviation",
            Status::Gap => "gap",
        }
    }
}

/// A requirement with the cases found for it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The requirement.
    pub req: Requirement,
    /// Every existing case covering it.
    pub cases: Vec<String>,
    /// Listed case ids that do not exist (a stale table).
    pub missing: Vec<&'static str>,
}

impl Row {
    /// Where the row stands.
    pub fn status(&self) -> Status {
        if !self.missing.is_empty() {
            return Status::Gap;
        }
        match self.req.disposition {
            Disposition::NotApplicable(_) => Status::NotApplicable,
            Disposition::Deviation(_) => Status::Deviation,
            Disposition::Gap(_) => Status::Gap,
            Disposition::Cases(_) if self.cases.is_empty() => Status::Gap,
            Disposition::Cases(_) => Status::Covered,
        }
    }

    /// Neither covered by an existing case nor given a reason, or listing a case that does not exist.
    pub fn is_gap(&self) -> bool {
        self.status() == Status::Gap
    }

    /// The reason, deviation or gap note the table gives, if any.
    pub fn note(&self) -> Option<&'static str> {
        match self.req.disposition {
            Disposition::NotApplicable(s) | Disposition::Deviation(s) | Disposition::Gap(s) => {
                Some(s)
            }
            Disposition::Cases(_) => None,
        }
    }
}

/// Every table: RFC 9293 and the TCP recovery RFCs, the DNS RFCs in
/// number order, RFC 8446, then RFC 9112.
pub static TABLES: &[&Table] = &[
    &RFC9293,
    &recovery::RFC2883,
    &recovery::RFC5682,
    &recovery::RFC6937,
    &recovery::RFC8985,
    &dns::RFC1035,
    &dns::RFC2181,
    &dns::RFC2308,
    &dns::RFC5452,
    &dns::RFC7766,
    &rfc8446::RFC8446,
    &rfc9112::RFC9112,
    &link::RFC826,
    &link::RFC4861,
    &link::RFC4862,
];

/// RFC 9293 Appendix B (Table 8).
pub static RFC9293: Table = Table {
    key: "rfc9293",
    rfc: "RFC 9293",
    title: "Appendix B (Table 8)",
    spec_names_id: true,
    rows: rfc9293::ROWS,
};

/// The table for `spec`, ignoring case, spaces and punctuation: `rfc7766`,
/// `RFC 7766` and `7766` all find RFC 7766's.
pub fn find(spec: &str) -> Option<&'static Table> {
    let want: String = spec
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let want = want.strip_prefix("rfc").unwrap_or(&want);
    TABLES
        .iter()
        .copied()
        .find(|t| !want.is_empty() && t.key.strip_prefix("rfc") == Some(want))
}

/// True when `spec` names `id` as a whole token (`MUST-3` is not in `MUST-30`).
fn names(spec: &str, id: &str) -> bool {
    spec.match_indices(id).any(|(i, _)| {
        let before = spec[..i].chars().next_back();
        let after = spec[i + id.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// `table` against `cases`: for each requirement, the cases that cover it
/// and the listed ids that do not exist.
pub fn check(table: &Table, cases: &[Case]) -> Vec<Row> {
    table
        .rows
        .iter()
        .map(|req| {
            let mut found: Vec<String> = Vec::new();
            let mut missing = Vec::new();
            if let Disposition::Cases(listed) = req.disposition {
                if table.spec_names_id {
                    found.extend(
                        cases
                            .iter()
                            .filter(|c| c.spec().contains(table.rfc) && names(c.spec(), req.id))
                            .map(|c| c.id().to_string()),
                    );
                }
                for id in listed {
                    if cases.iter().any(|c| c.id() == *id) {
                        if !found.iter().any(|f| f == id) {
                            found.push(id.to_string());
                        }
                    } else {
                        missing.push(*id);
                    }
                }
            }
            Row {
                req: *req,
                cases: found,
                missing,
            }
        })
        .collect()
}

/// RFC 9293 Appendix B against `cases` (the rows of [`RFC9293`]).
pub fn rfc9293(cases: &[Case]) -> Vec<Row> {
    check(&RFC9293, cases)
}

/// Rows of one level by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Checked by a case.
    pub covered: usize,
    /// Not applicable, with a reason.
    pub not_applicable: usize,
    /// Deliberate deviations, with a reason.
    pub deviation: usize,
    /// Neither: no case, or a listed case that does not exist.
    pub gap: usize,
}

impl Counts {
    /// Rows counted.
    pub fn total(&self) -> usize {
        self.covered + self.not_applicable + self.deviation + self.gap
    }
}

/// A table's rows counted per level and status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// MUST rows.
    pub must: Counts,
    /// SHOULD rows.
    pub should: Counts,
    /// MAY rows.
    pub may: Counts,
}

impl Summary {
    /// Counts `rows`.
    pub fn of(rows: &[Row]) -> Summary {
        let mut s = Summary::default();
        for r in rows {
            let c = match r.req.level {
                Level::Must => &mut s.must,
                Level::Should => &mut s.should,
                Level::May => &mut s.may,
            };
            match r.status() {
                Status::Covered => c.covered += 1,
                Status::NotApplicable => c.not_applicable += 1,
                Status::Deviation => c.deviation += 1,
                Status::Gap => c.gap += 1,
            }
        }
        s
    }

    /// The counts of one level.
    pub fn level(&self, level: Level) -> Counts {
        match level {
            Level::Must => self.must,
            Level::Should => self.should,
            Level::May => self.may,
        }
    }

    /// One line: `must 40 covered / 3 n/a / 0 deviation / 0 gap; should ...`.
    pub fn line(&self) -> String {
        [Level::Must, Level::Should, Level::May]
            .into_iter()
            .map(|l| {
                let c = self.level(l);
                format!(
                    "{} {} covered / {} n/a / {} deviation / {} gap",
                    l.as_str(),
                    c.covered,
                    c.not_applicable,
                    c.deviation,
                    c.gap
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A table's coverage case: fails naming every MUST gap not in
/// `known_gaps` (row ids), every known gap that is now closed (so the list
/// only shrinks), and every listed case id that no longer exists.
pub fn complete(table: &Table, known_gaps: &[&str], cases: &[Case]) -> Result<(), String> {
    let rows = check(table, cases);
    let unknown: Vec<Row> = rows
        .iter()
        .filter(|r| !(known_gaps.contains(&r.req.id) && r.missing.is_empty()))
        .cloned()
        .collect();
    let mut failures = failures(&unknown);
    for id in known_gaps {
        match rows.iter().find(|r| r.req.id == *id) {
            None => failures.push(format!("known gap {id} names no row")),
            Some(r) if !r.is_gap() => failures.push(format!(
                "{id} is no longer a gap: take it off the known gaps"
            )),
            Some(_) => {}
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} requirements with no case, reason or deviation: {}",
        table.rfc,
        failures.join("; ")
    ))
}

/// What fails a table's coverage case: each MUST row that is a gap, and
/// each row (of any level) listing a case that does not exist.
pub fn failures(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|r| (r.is_gap() && r.req.level == Level::Must) || !r.missing.is_empty())
        .map(|r| {
            let mut s = format!("{} ({}{})", r.req.id, section_prefix(&r.req), r.req.feature);
            if !r.missing.is_empty() {
                let _ = write!(s, ": no case {:?}", r.missing);
            } else if let Some(note) = r.note() {
                let _ = write!(s, ": {note}");
            }
            s
        })
        .collect()
}

fn section_prefix(req: &Requirement) -> String {
    if req.section.is_empty() {
        String::new()
    } else {
        format!("{}: ", req.section)
    }
}

/// The summary line `--coverage` prints for a table.
pub fn summary_line(table: &Table, rows: &[Row]) -> String {
    let gaps: Vec<String> = rows
        .iter()
        .filter(|r| r.is_gap())
        .map(|r| format!("{} ({})", r.req.id, r.req.level.as_str().to_uppercase()))
        .collect();
    format!(
        "{} {}: {} requirements; {}{}",
        table.rfc,
        table.title,
        rows.len(),
        Summary::of(rows).line(),
        if gaps.is_empty() {
            String::new()
        } else {
            format!("; gaps: {}", gaps.join(", "))
        }
    )
}

/// The table as Markdown: a heading, one row per requirement and the summary line.
pub fn markdown(table: &Table, rows: &[Row]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut md = format!(
        "## {} {}\n\n| id | section | level | requirement | status | cases or reason |\n|---|---|---|---|---|---|\n",
        table.rfc, table.title
    );
    for r in rows {
        let by = if !r.missing.is_empty() {
            format!("MISSING CASES: {}", r.missing.join(", "))
        } else {
            let mut parts: Vec<String> = r.cases.iter().map(|c| format!("`{c}`")).collect();
            parts.extend(r.note().map(str::to_string));
            parts.join("<br>")
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            r.req.id,
            r.req.section,
            r.req.level.as_str().to_uppercase(),
            cell(r.req.feature),
            r.status().as_str(),
            cell(&by)
        );
    }
    let _ = writeln!(md, "\n{}\n", summary_line(table, rows));
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_match() {
        assert!(names("RFC 9293 §3.1, MUST-3", "MUST-3"));
        assert!(!names("RFC 9293 (MUST-30)", "MUST-3"));
        assert!(names("RFC 9293 (MUST-35, MUST-36)", "MUST-36"));
        assert!(!names("RFC 9293 (XMUST-36)", "MUST-36"));
    }

    #[test]
    fn find_ignores_case_spaces_and_prefix() {
        for spec in ["rfc7766", "RFC 7766", "Rfc-7766", "7766"] {
            assert_eq!(find(spec).map(|t| t.key), Some("rfc7766"), "{spec}");
        }
        assert!(find("rfc").is_none());
        assert!(find("RFC 1034").is_none());
    }

    #[test]
    fn statuses_and_counts() {
        static ROWS: &[Requirement] = &[
            Requirement {
                id: "a",
                section: "§1",
                level: Level::Must,
                feature: "covered",
                disposition: Disposition::Cases(&["x.one"]),
            },
            Requirement {
                id: "b",
                section: "§2",
                level: Level::Must,
                feature: "stale",
                disposition: Disposition::Cases(&["x.one", "x.gone"]),
            },
            Requirement {
                id: "c",
                section: "§3",
                level: Level::Should,
                feature: "n/a",
                disposition: Disposition::NotApplicable("no server"),
            },
            Requirement {
                id: "d",
                section: "§4",
                level: Level::Should,
                feature: "deviation",
                disposition: Disposition::Deviation("on purpose"),
            },
            Requirement {
                id: "e",
                section: "§5",
                level: Level::May,
                feature: "gap",
                disposition: Disposition::Gap("no case yet"),
            },
            Requirement {
                id: "f",
                section: "§6",
                level: Level::Must,
                feature: "empty list",
                disposition: Disposition::Cases(&[]),
            },
        ];
        static T: Table = Table {
            key: "rfc0",
            rfc: "RFC 0",
            title: "test",
            spec_names_id: false,
            rows: ROWS,
        };
        let cases = vec![Case::must("x.one", "RFC 0 §1").vector(|_| crate::Outcome::Pass)];
        let rows = check(&T, &cases);
        let statuses: Vec<Status> = rows.iter().map(Row::status).collect();
        use Status::*;
        assert_eq!(statuses, [Covered, Gap, NotApplicable, Deviation, Gap, Gap]);
        assert_eq!(rows[1].missing, ["x.gone"]);
        let s = Summary::of(&rows);
        assert_eq!((s.must.covered, s.must.gap), (1, 2));
        assert_eq!((s.should.not_applicable, s.should.deviation), (1, 1));
        assert_eq!(s.may.gap, 1);
        // MUST gaps and stale ids fail; the MAY gap does not.
        let f = failures(&rows);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].contains("x.gone") && f[1].starts_with("f "));
        let md = markdown(&T, &rows);
        assert!(md.contains("MISSING CASES: x.gone") && md.contains("on purpose"));
    }

    #[test]
    fn every_table_has_unique_ids_and_a_section() {
        for t in TABLES {
            let mut seen = std::collections::HashSet::new();
            for r in t.rows {
                assert!(seen.insert(r.id), "{}: duplicate id {}", t.rfc, r.id);
                assert!(
                    t.spec_names_id || r.section.starts_with('§'),
                    "{} {}: no section",
                    t.rfc,
                    r.id
                );
                if let Disposition::Cases(ids) = r.disposition {
                    assert!(
                        !ids.is_empty(),
                        "{} {}: use Gap(..) with a note",
                        t.rfc,
                        r.id
                    );
                }
            }
        }
    }
}
