//! `http.request.*`: the request line, Host and field lines (RFC 9112 §2.2, §3, §5).

use handshake_http::{Error, Method, Version};

use super::support::{refused, request};
use crate::check::{self, Checked};
use crate::Level::{Must, Should};
use crate::{Case, Kind};

fn line_parts() -> Checked {
    // RFC 9112 §3.2.1's example.
    let m = request(b"GET /where?q=now HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
        .map_err(|e| e.to_string())?;
    check::equal("method", m.head.method, Method::Get)?;
    check::equal("target", m.head.target.as_str(), "/where?q=now")?;
    check::equal("version", m.head.version, Version::Http11)?;
    check::equal(
        "host",
        m.head.headers.get("host"),
        Some(&b"www.example.org"[..]),
    )
}

fn method_case_sensitive() -> Checked {
    let m = request(b"get / HTTP/1.1\r\nHost: a\r\n\r\n").map_err(|e| e.to_string())?;
    check::ensure(
        m.head.method != Method::Get && m.head.method.as_str() == "get",
        || {
            format!(
                "`get` read as {:?}: methods are case-sensitive",
                m.head.method
            )
        },
    )
}

fn absolute_form() -> Checked {
    let t = "http://www.example.org/pub/WWW/TheProject.html";
    let m = request(format!("GET {t} HTTP/1.1\r\nHost: www.example.org\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    check::equal("target", m.head.target.as_str(), t)
}

fn authority_form() -> Checked {
    let m = request(b"CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com:80\r\n\r\n")
        .map_err(|e| e.to_string())?;
    check::equal("method", m.head.method, Method::Connect)?;
    check::equal("target", m.head.target.as_str(), "www.example.com:80")
}

fn asterisk_form() -> Checked {
    let m = request(b"OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n")
        .map_err(|e| e.to_string())?;
    check::equal("target", m.head.target.as_str(), "*")
}

fn ows_trimmed() -> Checked {
    let m = request(b"GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \t  value with  inner space \t \r\n\r\n")
        .map_err(|e| e.to_string())?;
    check::equal(
        "value",
        m.head.headers.get("x-pad"),
        Some(&b"value with  inner space"[..]),
    )
}

fn leading_empty_line() -> Checked {
    let m = request(b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").map_err(|e| e.to_string())?;
    check::equal("target", m.head.target.as_str(), "/")
}

fn http10_without_host() -> Checked {
    let m = request(b"GET / HTTP/1.0\r\n\r\n").map_err(|e| e.to_string())?;
    check::equal("version", m.head.version, Version::Http10)
}

fn higher_minor() -> Checked {
    let m = request(b"GET / HTTP/1.7\r\nHost: a\r\n\r\n").map_err(|e| e.to_string())?;
    check::equal("version", m.head.version, Version::Http11)
}

fn obs_text_value() -> Checked {
    let m =
        request(b"GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n").map_err(|e| e.to_string())?;
    check::equal("value", m.head.headers.get("x"), Some(&b"caf\xe9"[..]))
}

/// The `http.request.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.request.line-parts",
                "RFC 9112 §3, §3.2.1",
                line_parts,
            ),
            (
                Must,
                "http.request.method-case-sensitive",
                "RFC 9110 §9.1",
                method_case_sensitive,
            ),
            (
                Must,
                "http.request.absolute-form",
                "RFC 9112 §3.2.2",
                absolute_form,
            ),
            (
                Must,
                "http.request.authority-form",
                "RFC 9112 §3.2.3",
                authority_form,
            ),
            (
                Must,
                "http.request.asterisk-form",
                "RFC 9112 §3.2.4",
                asterisk_form,
            ),
            (
                Must,
                "http.request.ows-trimmed",
                "RFC 9112 §5.1; RFC 9110 §5.5",
                ows_trimmed,
            ),
            (
                Should,
                "http.request.leading-empty-line-ignored",
                "RFC 9112 §2.2",
                leading_empty_line,
            ),
            (
                Must,
                "http.request.http10-needs-no-host",
                "RFC 9112 §3.2",
                http10_without_host,
            ),
            (
                Should,
                "http.request.higher-minor-version-is-1.1",
                "RFC 9110 §2.5",
                higher_minor,
            ),
            (
                Must,
                "http.request.obs-text-value-kept",
                "RFC 9110 §5.5",
                obs_text_value,
            ),
            (
                Must,
                "http.request.host-missing-400",
                "RFC 9112 §3.2",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
                        Error::MissingHost,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.host-twice-400",
                "RFC 9112 §3.2",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
                        Error::MultipleHost,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.host-invalid-400",
                "RFC 9112 §3.2; RFC 9110 §7.2",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: exa mple.org\r\n\r\n",
                        Error::InvalidHost,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.space-before-colon-400",
                "RFC 9112 §5.1",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nAccept : */*\r\n\r\n",
                        Error::WhitespaceBeforeColon,
                        400,
                    )
                },
            ),
            (Must, "http.request.obs-fold-400", "RFC 9112 §5.2", || {
                refused(
                    b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n",
                    Error::ObsFold,
                    400,
                )
            }),
            (
                Must,
                "http.request.bare-cr-rejected",
                "RFC 9112 §2.2",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
                        Error::BareCr,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.whitespace-after-request-line",
                "RFC 9112 §2.2",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\n Host: a\r\n\r\n",
                        Error::WhitespaceAfterStartLine,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.nul-in-value-rejected",
                "RFC 9110 §5.5",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
                        Error::InvalidFieldValue,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.field-name-not-token",
                "RFC 9110 §5.1; RFC 9112 §5",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n",
                        Error::InvalidFieldName,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.method-not-token",
                "RFC 9112 §3.1; RFC 9110 §9.1",
                || {
                    refused(
                        b"GE(T / HTTP/1.1\r\nHost: a\r\n\r\n",
                        Error::InvalidMethod,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.version-case-sensitive",
                "RFC 9112 §2.3",
                || {
                    refused(
                        b"GET / http/1.1\r\nHost: a\r\n\r\n",
                        Error::InvalidVersion,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.request.major-version-2-505",
                "RFC 9110 §2.5, §15.6.6",
                || {
                    refused(
                        b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
                        Error::UnsupportedVersion { major: 2, minor: 0 },
                        505,
                    )
                },
            ),
            (
                Must,
                "http.request.double-space-400",
                "RFC 9112 §3",
                || {
                    refused(
                        b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
                        Error::InvalidMethod,
                        400,
                    )
                    .or_else(|_| {
                        refused(
                            b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
                            Error::InvalidTarget,
                            400,
                        )
                    })
                },
            ),
        ],
    )
}
