//! report.html: one self-contained page (inline CSS, a few lines of inline
//! script, no external asset) with the summary, the counts per crate, the
//! failures with their reasons and replay seeds, the measurements, links to
//! the captures, a requirement matrix per RFC and every case.
//!
//! Plain string building with one escaping function ([`esc`]) for text and
//! attributes and one ([`href`]) for link paths: the page has a handful of
//! sections, so a template crate would add a dependency and a build step
//! without making the escaping easier to audit. Every string that comes
//! from a case (ids, specs, reasons, measurements, file names) goes through
//! one of the two.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use handshake_conformance::coverage::{Status, Summary};
use handshake_conformance::Outcome;

use super::{Matrix, Report};
use crate::conformance::fails_run;

/// Text escaped for HTML element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A relative link from path segments, each percent-encoded (RFC 3986
/// unreserved characters kept), so no segment can end the attribute or
/// climb out of the report's directory.
pub(crate) fn href(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|seg| {
            let mut enc = String::new();
            for b in seg.bytes() {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    enc.push(char::from(b));
                } else {
                    let _ = write!(enc, "%{b:02X}");
                }
            }
            // `.` and `..` alone would still mean the directory or its parent.
            if enc == "." || enc == ".." {
                enc = enc.replace('.', "%2E");
            }
            enc
        })
        .collect::<Vec<_>>()
        .join("/")
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1d2430;background:#fbfbfd}
h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:1px solid #dde;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #dde;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef0f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:.85rem ui-monospace,SFMono-Regular,Menlo,monospace}pre{white-space:pre-wrap;margin:0;max-height:18rem;overflow:auto}
.summary{display:flex;flex-wrap:wrap;gap:.8rem;margin:0}.summary div{background:#fff;border:1px solid #dde;border-radius:6px;padding:.5rem .9rem;min-width:7rem}
.summary dt{font-size:.8rem;color:#5a6270}.summary dd{margin:0;font-size:1.5rem;font-weight:600}
.verdict{font-weight:600;padding:.5rem .8rem;border-radius:6px}.ok{background:#e3f6e8;color:#17602b}.bad{background:#fde6e6;color:#8a1c1c}
.b{display:inline-block;border-radius:4px;padding:0 .35rem;font-size:.8rem;font-weight:600;margin:.05rem .15rem .05rem 0;white-space:nowrap}
.pass,.covered{background:#e3f6e8;color:#17602b}.fail,.gap{background:#fde6e6;color:#8a1c1c}.skip,.notrun{background:#eef0f6;color:#4a5260}
.na{background:#eef3fb;color:#274b7a}.deviation{background:#fff3d6;color:#7a5200}
details{margin:.3rem 0 .8rem}summary{cursor:pointer;font-weight:600}
";

/// The whole page.
pub(crate) fn html(report: &Report, matrix: &Matrix, out: &Path) -> String {
    let c = report.counts();
    let failed_must = report.failed_musts();
    let seed = report.seed;
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Handshake conformance</title><style>{STYLE}</style></head><body>\n\
         <h1>Handshake conformance</h1>\n"
    );

    // Summary.
    h.push_str("<section id=\"summary\"><h2>Summary</h2><dl class=\"summary\">");
    for (label, id, value) in [
        ("passed", "count-pass", c.pass.to_string()),
        ("failed", "count-fail", c.fail.to_string()),
        ("skipped", "count-skip", c.skip.to_string()),
        ("failed MUSTs", "count-failed-must", failed_must.to_string()),
        ("seed", "seed", seed.to_string()),
        (
            "duration",
            "duration",
            format!("{:.1} s", report.elapsed.as_secs_f64()),
        ),
    ] {
        let _ = write!(
            h,
            "<div><dt>{label}</dt><dd id=\"{id}\">{}</dd></div>",
            esc(&value)
        );
    }
    h.push_str("</dl>\n");
    if failed_must == 0 {
        h.push_str("<p class=\"verdict ok\" id=\"verdict\">Every MUST case that ran passed.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p class=\"verdict bad\" id=\"verdict\">{failed_must} MUST case(s) failed: the run fails.</p>"
        );
    }
    let _ = writeln!(
        h,
        "<p>Replay this run: <code>cargo xtask conformance --seed {seed}</code></p></section>"
    );

    // Per crate.
    h.push_str(
        "<section id=\"crates\"><h2>By crate</h2><table><thead><tr><th>crate</th>\
         <th>cases</th><th>pass</th><th>fail</th><th>skip</th></tr></thead><tbody>",
    );
    for (k, n) in report.by_crate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(k),
            n.pass + n.fail + n.skip,
            n.pass,
            n.fail,
            n.skip
        );
    }
    h.push_str("</tbody></table></section>\n");

    let captures = captures(report, out);

    // Failures.
    let failures: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail(_)))
        .collect();
    let _ = write!(
        h,
        "<section id=\"failures\"><h2>Failures ({})</h2>",
        failures.len()
    );
    if failures.is_empty() {
        h.push_str("<p>No case failed.</p>");
    } else {
        h.push_str(
            "<table><thead><tr><th>case</th><th>requirement</th><th>level</th>\
             <th>reason</th><th>replay</th></tr></thead><tbody>",
        );
        for r in failures {
            let gate = if fails_run(r.case.level()) {
                ""
            } else {
                " (does not fail the run)"
            };
            let links = captures
                .get(r.case.id())
                .map(|files| capture_links(r.case.id(), files))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td><code>{}</code>{links}</td><td>{}</td><td>{}{gate}</td><td><pre>{}</pre></td>\
                 <td><code>cargo xtask conformance {} --seed {seed}</code></td></tr>",
                esc(r.case.id()),
                esc(r.case.spec()),
                r.case.level().as_str().to_uppercase(),
                esc(r.outcome.reason().unwrap_or("")),
                esc(r.case.id()),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");

    // Measurements.
    let measured: Vec<_> = report
        .results
        .iter()
        .filter_map(|r| r.measurement.as_deref().map(|m| (r, m)))
        .collect();
    let _ = write!(
        h,
        "<section id=\"measurements\"><h2>Measurements ({})</h2>",
        measured.len()
    );
    if measured.is_empty() {
        h.push_str("<p>No case reported a measurement.</p>");
    } else {
        h.push_str(
            "<table><thead><tr><th>case</th><th>level</th><th>outcome</th>\
             <th>measurement</th></tr></thead><tbody>",
        );
        for (r, m) in measured {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(r.case.id()),
                r.case.level().as_str().to_uppercase(),
                badge(&r.outcome),
                esc(m)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");

    // Captures.
    let _ = write!(
        h,
        "<section id=\"captures\"><h2>Captures ({})</h2>",
        captures.values().map(Vec::len).sum::<usize>()
    );
    if captures.is_empty() {
        h.push_str(
            "<p>No capture was kept (interop cases keep theirs when they fail, all of them with <code>--pcap</code>).</p>",
        );
    } else {
        h.push_str("<ul>");
        for (id, files) in &captures {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                esc(id),
                capture_links(id, files)
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>\n");

    // Requirement matrix.
    let outcomes: HashMap<&str, &Outcome> = report
        .results
        .iter()
        .map(|r| (r.case.id(), &r.outcome))
        .collect();
    h.push_str("<section id=\"requirements\"><h2>Requirements by RFC</h2>");
    for (table, rows) in matrix {
        let s = Summary::of(rows);
        let gaps = rows.iter().filter(|r| r.is_gap()).count();
        let _ = write!(
            h,
            "<details{}><summary>{} {} — {} requirements, {} gap(s)</summary><p>{}</p>\
             <table><thead><tr><th>id</th><th>section</th><th>level</th><th>requirement</th>\
             <th>status</th><th>cases (outcome in this run) or reason</th></tr></thead><tbody>",
            if gaps > 0 { " open" } else { "" },
            esc(table.rfc),
            esc(table.title),
            rows.len(),
            gaps,
            esc(&s.line())
        );
        for r in rows {
            let status = r.status();
            let class = match status {
                Status::Covered => "covered",
                Status::NotApplicable => "na",
                Status::Deviation => "deviation",
                Status::Gap => "gap",
            };
            let mut by = String::new();
            for id in &r.cases {
                let outcome = match outcomes.get(id.as_str()) {
                    Some(o) => badge(o),
                    None => "<span class=\"b notrun\">not run</span>".to_string(),
                };
                let _ = write!(by, "<div>{outcome} <code>{}</code></div>", esc(id));
            }
            for id in &r.missing {
                let _ = write!(
                    by,
                    "<div><span class=\"b gap\">no such case</span> <code>{}</code></div>",
                    esc(id)
                );
            }
            if let Some(note) = r.note() {
                let _ = write!(by, "<div>{}</div>", esc(note));
            }
            let _ = write!(
                h,
                "<tr data-status=\"{class}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>\
                 <td><span class=\"b {class}\">{}</span></td><td>{by}</td></tr>",
                esc(r.req.id),
                esc(r.req.section),
                r.req.level.as_str().to_uppercase(),
                esc(r.req.feature),
                status.as_str()
            );
        }
        h.push_str("</tbody></table></details>");
    }
    h.push_str("</section>\n");

    // Every case.
    let _ = write!(
        h,
        "<section id=\"cases\"><h2>All cases</h2><details><summary>{} cases</summary>\
         <table id=\"all-cases\"><thead><tr><th>case</th><th>requirement</th><th>level</th>\
         <th>kind</th><th>outcome</th><th>ms</th></tr></thead><tbody>",
        report.results.len()
    );
    for r in &report.results {
        let _ = write!(
            h,
            "<tr data-outcome=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.1}</td></tr>",
            r.outcome.as_str(),
            esc(r.case.id()),
            esc(r.case.spec()),
            r.case.level().as_str(),
            r.case.kind().as_str(),
            badge(&r.outcome),
            r.duration.as_secs_f64() * 1e3
        );
    }
    h.push_str("</tbody></table></details></section>\n");

    // The browser's own count of the case rows, for the headless check: a
    // table the parser broke would not count up to the summary.
    h.push_str(
        "<p id=\"dom-check\" hidden></p>\n<script>\n(function () {\n\
         var rows = document.querySelectorAll('#all-cases tbody tr');\n\
         var n = {pass: 0, fail: 0, skip: 0};\n\
         rows.forEach(function (r) { if (r.dataset.outcome in n) { n[r.dataset.outcome] += 1; } });\n\
         var e = document.getElementById('dom-check');\n\
         e.dataset.rows = rows.length;\n\
         e.dataset.pass = n.pass; e.dataset.fail = n.fail; e.dataset.skip = n.skip;\n\
         })();\n</script>\n</body></html>\n",
    );
    h
}

fn badge(o: &Outcome) -> String {
    format!("<span class=\"b {0}\">{0}</span>", o.as_str())
}

/// Capture files under `out/pcap/<case>/` for the cases of this run, by case id.
fn captures(report: &Report, out: &Path) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    for r in &report.results {
        let dir = out.join("pcap").join(r.case.id());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
            .collect();
        if !files.is_empty() {
            files.sort();
            found.insert(r.case.id().to_string(), files);
        }
    }
    found
}

fn capture_links(id: &str, files: &[String]) -> String {
    files
        .iter()
        .map(|f| format!(" <a href=\"{}\">{}</a>", href(&["pcap", id, f]), esc(f)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use handshake_conformance::Level;

    use crate::conformance::CaseResult;
    use crate::report::tests::result;

    /// Two passes (one with a measurement), two failures (one MUST, whose
    /// reason holds markup that must stay text), one skip.
    fn sample() -> Report {
        Report::new(
            vec![
                CaseResult {
                    measurement: Some("Welch t = 0.42 < 4.5".into()),
                    ..result("ip.ok", Level::Must, Outcome::Pass)
                },
                result("tcp.ok", Level::Should, Outcome::Pass),
                result(
                    "tcp.bad",
                    Level::Must,
                    Outcome::Fail(
                        "got 1 < 2 & <script>document.title='pwned'</script></table>".into(),
                    ),
                ),
                result("ip.meh", Level::Should, Outcome::Fail("off by one".into())),
                result(
                    "dns.skip",
                    Level::Must,
                    Outcome::Skip("`unbound` not found".into()),
                ),
            ],
            4242,
            Duration::from_millis(1500),
            false,
        )
    }

    fn scratch(what: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("handshake-{what}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn page_is_self_contained_escaped_and_links_captures() {
        let out = scratch("html");
        let pcap = out.join("pcap").join("tcp.bad");
        std::fs::create_dir_all(&pcap).unwrap();
        std::fs::write(pcap.join("wire 1.pcap"), b"").unwrap();
        std::fs::write(pcap.join("notes.txt"), b"").unwrap();
        let page = html(&sample(), &super::super::requirement_matrix(), &out);
        std::fs::remove_dir_all(&out).ok();
        // Nothing loaded from elsewhere.
        for external in ["src=", "<link", "@import", "url("] {
            assert!(!page.contains(external), "external asset: {external}");
        }
        assert!(
            !page.contains("<script>document.title"),
            "reason not escaped"
        );
        assert!(page.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
        assert!(page.contains("<dd id=\"count-fail\">2</dd>"));
        assert!(page.contains("<dd id=\"count-failed-must\">1</dd>"));
        assert!(page.contains("cargo xtask conformance tcp.bad --seed 4242"));
        assert!(page.contains("Welch t = 0.42 &lt; 4.5"));
        assert!(page.contains("href=\"pcap/tcp.bad/wire%201.pcap\""));
        assert!(!page.contains("notes.txt"), "only captures are linked");
        // Every RFC table is in the matrix, with a row status each.
        for t in handshake_conformance::coverage::TABLES {
            assert!(page.contains(&format!("<summary>{} ", t.rfc)), "{}", t.rfc);
        }
    }

    /// Chromium, if this machine has it: the Debian package's path or `chromium` on PATH.
    fn chromium() -> Option<PathBuf> {
        let fixed = PathBuf::from("/usr/bin/chromium");
        if fixed.is_file() {
            return Some(fixed);
        }
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join("chromium"))
            .find(|p| p.is_file())
    }

    /// The value of `attr="..."` in the first tag that carries `marker`.
    fn attr(dom: &str, marker: &str, attr: &str) -> Option<String> {
        let at = dom.find(marker)?;
        let start = dom[..at].rfind('<')?;
        let tag = &dom[start..start + dom[start..].find('>')?];
        let key = format!("{attr}=\"");
        let v = tag.find(&key)? + key.len();
        Some(tag[v..v + tag[v..].find('"')?].to_string())
    }

    /// The text of the element whose start tag carries `marker`.
    fn text(dom: &str, marker: &str) -> Option<String> {
        let at = dom.find(marker)?;
        let open = at + dom[at..].find('>')? + 1;
        Some(dom[open..open + dom[open..].find('<')?].to_string())
    }

    /// Loads report.html in headless Chromium and reads the summary back
    /// from the DOM it rendered: the numbers the page shows, and the rows
    /// the browser itself counted in the case table (inline script), must
    /// both be this run's counts. Skips without Chromium unless
    /// HANDSHAKE_REQUIRE_PEERS=1 (CI), where its absence fails.
    #[test]
    fn chromium_renders_the_summary_of_the_run() {
        let Some(browser) = chromium() else {
            let msg = "chromium not found (/usr/bin/chromium or on PATH): install it with `apt-get install chromium`";
            if std::env::var("HANDSHAKE_REQUIRE_PEERS").as_deref() == Ok("1") {
                panic!("HANDSHAKE_REQUIRE_PEERS=1 and {msg}");
            }
            eprintln!("SKIPPED chromium_renders_the_summary_of_the_run: {msg}");
            return;
        };
        let report = sample();
        let want = report.counts();
        let out = scratch("report");
        super::super::write_all(&report, &super::super::requirement_matrix(), &out)
            .expect("reports written");
        let page = out.join("report.html");
        let profile = scratch("chromium-profile");
        let mut child = Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting chromium");
        // Read both pipes on threads so a full pipe cannot stall the browser.
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let out_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            match child.try_wait().expect("waiting for chromium") {
                Some(status) => break Some(status),
                None if Instant::now() >= deadline => {
                    // Stop it by its pid and reap it.
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        let dom = out_reader.join().unwrap_or_default();
        let log = err_reader.join().unwrap_or_default();
        std::fs::remove_dir_all(&out).ok();
        std::fs::remove_dir_all(&profile).ok();
        let status = status
            .unwrap_or_else(|| panic!("chromium ran over 90 s and was killed; stderr:\n{log}"));
        assert!(
            status.success() && dom.contains("id=\"summary\""),
            "chromium exited {status}; stderr:\n{log}\nstdout:\n{dom}"
        );
        let shown = |id: &str| {
            text(&dom, &format!("id=\"{id}\""))
                .unwrap_or_else(|| panic!("no #{id} in the rendered page:\n{dom}"))
        };
        assert_eq!(shown("count-pass"), want.pass.to_string());
        assert_eq!(shown("count-fail"), want.fail.to_string());
        assert_eq!(shown("count-skip"), want.skip.to_string());
        assert_eq!(
            shown("count-failed-must"),
            report.failed_musts().to_string()
        );
        assert_eq!(shown("seed"), "4242");
        // What the browser counted among the rows it parsed.
        let counted = |a: &str| attr(&dom, "id=\"dom-check\"", a);
        assert_eq!(
            counted("data-rows"),
            Some(report.results.len().to_string()),
            "the script did not run or the case table lost rows:\n{dom}"
        );
        assert_eq!(counted("data-pass"), Some(want.pass.to_string()));
        assert_eq!(counted("data-fail"), Some(want.fail.to_string()));
        assert_eq!(counted("data-skip"), Some(want.skip.to_string()));
        // The reason's markup stayed text: no script of its ran.
        assert!(
            dom.contains("<title>Handshake conformance</title>"),
            "the title changed: a reason's markup ran"
        );
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(
            href(&["pcap", "tcp.x", "a b\"<.pcap"]),
            "pcap/tcp.x/a%20b%22%3C.pcap"
        );
        assert_eq!(href(&["..", "x"]), "%2E%2E/x");
    }
}
