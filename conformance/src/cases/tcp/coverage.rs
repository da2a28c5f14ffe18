//! `tcp.coverage.*`: RFC 9293 Appendix B: every numbered requirement has a case or a reason.

use crate::{coverage, Case, Ctx, Outcome};

fn coverage_complete(_: &mut Ctx) -> Outcome {
    let rows = coverage::rfc9293(&crate::all_cases());
    let gaps: Vec<String> = rows
        .iter()
        .filter(|r| r.is_gap() && (r.req.id.starts_with("MUST") || !r.missing.is_empty()))
        .map(|r| {
            format!(
                "{} ({}){}",
                r.req.id,
                r.req.feature,
                if r.missing.is_empty() {
                    String::new()
                } else {
                    format!(": no case {:?}", r.missing)
                }
            )
        })
        .collect();
    if gaps.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "RFC 9293 requirements with no case and no reason: {}",
            gaps.join("; ")
        ))
    }
}

/// The `tcp.coverage.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "tcp.coverage.rfc9293-appendix-b",
        "RFC 9293 Appendix B (every MUST covered or not applicable)",
    )
    .vector(coverage_complete)]
}
