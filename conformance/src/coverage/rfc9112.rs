//! RFC 9112 (HTTP/1.1) requirements that bind a message codec
//! (handshake-http), each against the http.* cases that check exactly it.
//!
//! Quoted text is the RFC's; unquoted text paraphrases it. Requirements on
//! servers, proxies and caches as applications (what to answer, what to
//! forward) do not apply to a codec, except where the codec gives the
//! status a server answers with ([`handshake_http::Error::status`]).

use super::Disposition::{Cases, Deviation, Gap, NotApplicable};
use super::{row, Table};
use crate::Level::{May, Must, Should};

const NO_PROXY: &str = "binds intermediaries: handshake-http is a codec and forwards nothing";

/// RFC 9112: HTTP/1.1.
pub static RFC9112: Table = Table::listed(
    "rfc9112",
    "RFC 9112",
    "HTTP/1.1",
    &[
        row("2.2-bare-cr", "§2.2", Must, "\"A recipient of such a bare CR MUST consider that element to be invalid or replace each bare CR with SP before processing the element or forwarding the message\"", Cases(&["http.request.bare-cr-rejected"])),
        row("2.2-bare-lf", "§2.2", May, "\"a recipient MAY recognize a single LF as a line terminator and ignore any preceding CR\"", NotApplicable("the option is not taken: a bare LF is refused (Error::BareLf), so this parser and a strict one cannot read one stream two ways")),
        row("2.2-empty-line", "§2.2", Should, "\"a server that is expecting to receive and parse a request-line SHOULD ignore at least one empty line (CRLF) received prior to the request-line\"", Cases(&["http.request.leading-empty-line-ignored"])),
        row("2.2-no-ws-sent", "§2.2", Must, "\"A sender MUST NOT send whitespace between the start-line and the first header field\"", Cases(&["http.property.parse-of-emit"])),
        row("2.2-ws-after-start-line", "§2.2", Must, "\"A recipient that receives whitespace between the start-line and the first header field MUST either reject the message as invalid or consume each whitespace-preceded line without further processing of it\"", Cases(&["http.request.whitespace-after-request-line"])),
        row("2.2-invalid-400", "§2.2", Should, "A server receiving octets that do not match the HTTP-message grammar \"SHOULD respond with a 400 (Bad Request) response and close the connection\"", Cases(&["http.request.method-not-token", "http.request.double-space-400", "http.request.field-name-not-token", "http.request.nul-in-value-rejected"])),
        row("2.3-version-case", "§2.3", Must, "\"HTTP-version is case-sensitive\"", Cases(&["http.request.version-case-sensitive"])),
        row("2.3-version-major", "§2.3; RFC 9110 §2.5, §15.6.6", Must, "A message of another major version is not HTTP/1.1; a server answers 505 (HTTP Version Not Supported); a higher minor version is read as the highest supported", Cases(&["http.request.major-version-2-505", "http.request.higher-minor-version-is-1.1"])),
        row("3-invalid-request-line", "§3", Should, "\"Recipients of an invalid request-line SHOULD respond with either a 400 (Bad Request) error or a 301 (Moved Permanently) redirect\"", Cases(&["http.request.double-space-400", "http.request.method-not-token"])),
        row("3-long-method-501", "§3", Should, "\"A server that receives a method longer than any that it implements SHOULD respond with a 501 (Not Implemented) status code\"", Gap("a long method counts against the start-line limit and maps to 414, not 501: no method length is checked apart")),
        row("3-long-target-414", "§3", Must, "\"A server that receives a request-target longer than any URI it wishes to parse MUST respond with a 414 (URI Too Long) status code\"", Cases(&["http.limits.long-request-line-414", "http.limits.long-request-line-refused-early"])),
        row("3-8000-octets", "§3", Should, "\"It is RECOMMENDED that all HTTP senders and recipients support, at a minimum, request-line lengths of 8000 octets\"", Cases(&["http.limits.request-line-8000"])),
        row("3.1-method-case", "§3.1; RFC 9110 §9.1", Must, "\"The request method is case-sensitive\"", Cases(&["http.request.method-case-sensitive"])),
        row("3.2-client-sends-host", "§3.2", Must, "\"A client MUST send a Host header field in all HTTP/1.1 request messages\"", Cases(&["cli.fetch.request-line-and-host"])),
        row("3.2-host-400", "§3.2", Must, "\"A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field and to any request message that contains more than one Host header field line or a Host header field with an invalid field value\"", Cases(&["http.request.host-missing-400", "http.request.host-twice-400", "http.request.host-invalid-400", "http.request.http10-needs-no-host"])),
        row("3.2.2-absolute-form", "§3.2.2", Must, "\"a server MUST accept the absolute-form in requests\"", Cases(&["http.request.absolute-form"])),
        row("3.2.2-ignore-host", "§3.2.2", Must, "\"When an origin server receives a request with an absolute-form of request-target, the origin server MUST ignore the received Host header field (if any) and instead use the host information of the request-target\"", NotApplicable("the codec passes the target and Host through; choosing the authority is the origin server's (no server here)")),
        row("3.2.3-authority-form", "§3.2.3", Must, "The authority-form is used for CONNECT requests", Cases(&["http.request.authority-form"])),
        row("3.2.4-asterisk-form", "§3.2.4", Must, "The asterisk-form \"*\" is used for a server-wide OPTIONS request", Cases(&["http.request.asterisk-form"])),
        row("4-status-code", "§4; RFC 9110 §15", Must, "status-code = 3DIGIT; values outside 100..599 are invalid", Cases(&["http.response.status-line", "http.response.status-two-digits-invalid", "http.response.status-600-invalid"])),
        row("4-reason-ignored", "§4", Should, "\"A client SHOULD ignore the reason-phrase content because it is not a reliable channel for information\" (it may be empty)", Cases(&["http.response.empty-reason"])),
        row("5.1-ows", "§5.1", Must, "A field value is preceded and followed by optional whitespace, which is not part of the value", Cases(&["http.request.ows-trimmed"])),
        row("5.1-ws-before-colon", "§5.1", Must, "\"A server MUST reject, with a response status code of 400 (Bad Request), any received request message that contains whitespace between a header field name and colon\"", Cases(&["http.request.space-before-colon-400"])),
        row("5.1-proxy-ws", "§5.1", Must, "\"A proxy MUST remove any such whitespace from a response message before forwarding the message downstream\"", NotApplicable(NO_PROXY)),
        row("5.2-no-fold-sent", "§5.2", Must, "\"A sender MUST NOT generate a message that includes line folding\"", Cases(&["http.property.parse-of-emit"])),
        row("5.2-request-fold", "§5.2", Must, "\"A server that receives an obs-fold in a request message that is not within a \"message/http\" container MUST either reject the message by sending a 400 (Bad Request) ... or replace each received obs-fold with one or more SP octets prior to interpreting the field value\"", Cases(&["http.request.obs-fold-400"])),
        row("5.2-response-fold", "§5.2", Must, "\"A user agent that receives an obs-fold in a response message that is not within a \"message/http\" container MUST replace each received obs-fold with one or more SP octets prior to interpreting the field value\"", Deviation("the response decoder refuses obs-fold (Error::ObsFold) rather than unfold it: the zero-copy head borrows values from the input and cannot rewrite them")),
        row("5.5-value-chars", "§5.5 of RFC 9110", Must, "Field values are field-vchar (VCHAR, obs-text), SP and HTAB; CR, LF and NUL are invalid", Cases(&["http.request.nul-in-value-rejected", "http.request.obs-text-value-kept"])),
        row("6.1-unknown-coding", "§6.1", Should, "\"A server that receives a request message with a transfer coding it does not understand SHOULD respond with 501 (Not Implemented)\"", Cases(&["http.smuggling.unknown-coding-501"])),
        row("6.1-chunked-once", "§6.1", Must, "\"A sender MUST NOT apply the chunked transfer coding more than once to a message body\"", Cases(&["http.smuggling.chunked-twice"])),
        row("6.1-te-and-cl", "§6.1", Must, "\"A server MAY reject a request that contains both Content-Length and Transfer-Encoding or process such a request in accordance with the Transfer-Encoding alone. Regardless, the server MUST close the connection after responding to such a request\"", Cases(&["http.smuggling.te-and-cl-rejected", "http.smuggling.cl-and-te-rejected"])),
        row("6.1-no-cl-with-te-sent", "§6.1", Must, "\"A sender MUST NOT send a Content-Length header field in any message that contains a Transfer-Encoding header field\"", Cases(&["http.smuggling.sender-no-cl-with-te"])),
        row("6.1-http10-te", "§6.1", Must, "\"A server or client that receives an HTTP/1.0 message containing a Transfer-Encoding header field MUST treat the message as if the framing is faulty, even if a Content-Length is present, and close the connection after processing the message\"", Cases(&["http.smuggling.te-in-http10"])),
        row("6.3-1-no-body", "§6.3 item 1", Must, "Any response to a HEAD request and any response with a 1xx, 204 or 304 status code is terminated by the first empty line after the header fields", Cases(&["http.response.head-has-no-body", "http.response.204-has-no-body", "http.response.304-has-no-body", "http.response.1xx-has-no-body", "http.response.interim-then-final"])),
        row("6.3-2-connect", "§6.3 item 2", Must, "Any 2xx response to a CONNECT request implies the connection becomes a tunnel immediately after the empty line that concludes the header fields", Cases(&["http.response.connect-2xx-tunnel"])),
        row("6.3-3-te-overrides", "§6.3 item 3", Must, "\"If a message is received with both a Transfer-Encoding and a Content-Length header field, the Transfer-Encoding overrides the Content-Length\"; such a message \"ought to be handled as an error\"", Cases(&["http.response.te-overrides-cl", "http.smuggling.te-and-cl-rejected"])),
        row("6.3-3-intermediary", "§6.3 item 3", Must, "\"An intermediary that chooses to forward the message MUST first remove the received Content-Length field and process the Transfer-Encoding\"", NotApplicable(NO_PROXY)),
        row("6.3-4-request-not-chunked", "§6.3 item 4", Must, "\"If a Transfer-Encoding header field is present in a request and the chunked transfer coding is not the final encoding, the message body length cannot be determined reliably; the server MUST respond with the 400 (Bad Request) status code and then close the connection\"", Cases(&["http.smuggling.chunked-not-final-400", "http.smuggling.te-without-chunked-400"])),
        row("6.3-4-response-not-chunked", "§6.3 item 4", Must, "In a response whose final transfer coding is not chunked, \"the message body length is determined by reading the connection until it is closed by the server\"", Cases(&["http.response.te-not-final-until-close"])),
        row("6.3-5-invalid-cl", "§6.3 item 5", Must, "A message without Transfer-Encoding and with an invalid Content-Length is an unrecoverable error (400 for a request) \"unless the field value can be successfully parsed as a comma-separated list ..., all values in the list are valid, and all values in the list are the same\"", Cases(&["http.smuggling.cl-differing-values", "http.smuggling.cl-differing-in-list", "http.smuggling.cl-not-digits"])),
        row("6.3-5-identical-list", "§6.3 item 5", May, "A list of identical valid Content-Length values is processed with that single value", Cases(&["http.smuggling.cl-identical-list-accepted"])),
        row("6.3-6-content-length", "§6.3 item 6", Must, "With a valid Content-Length and no Transfer-Encoding, the value is the body length in octets", Cases(&["http.body.content-length"])),
        row("6.3-7-request-empty", "§6.3 item 7", Must, "A request with neither Transfer-Encoding nor Content-Length has a body of length zero", Cases(&["http.body.request-without-length-is-empty"])),
        row("6.3-8-until-close", "§6.3 item 8", Must, "Otherwise a response's body length is the number of octets received before the server closes the connection", Cases(&["http.response.until-close"])),
        row("6.3-incomplete", "§6.3, §8", Must, "\"If the sender closes the connection or the recipient times out before the indicated number of octets are received, the recipient MUST consider the message to be incomplete and close the connection\"", Cases(&["http.body.closed-before-content-length", "http.body.closed-before-last-chunk"])),
        row("7.1-parse-chunked", "§7.1", Must, "\"A recipient MUST be able to parse and decode the chunked transfer coding\"", Cases(&["http.body.chunked", "http.body.chunked-in-any-pieces", "http.body.chunk-data-without-crlf", "http.body.chunk-size-not-hex"])),
        row("7.1-overflow", "§7.1", Must, "\"Recipients MUST anticipate potentially large hexadecimal numerals and prevent parsing errors due to integer conversion overflows or precision loss due to integer representation\"", Cases(&["http.body.chunk-size-overflow"])),
        row("7.1.1-ignore-extensions", "§7.1.1", Must, "\"A recipient MUST ignore unrecognized chunk extensions\"", Cases(&["http.body.chunk-extensions-ignored"])),
        row("7.1.2-trailers-apart", "§7.1.2", Must, "A recipient that keeps trailer fields keeps them apart from the header fields unless it knows the merge is safe", Cases(&["http.body.trailers-kept-apart", "http.limits.trailers-same-limits"])),
        row("9.3-persistence", "§9.3", Must, "\"close\" ends the connection after the message; otherwise HTTP/1.1 persists; HTTP/1.0 persists only with the \"keep-alive\" connection option", Cases(&["http.persistence.http11-default", "http.persistence.close-option", "http.persistence.http10-default-close", "http.persistence.http10-keep-alive", "http.persistence.response-close"])),
        row("9.3-client-close", "§9.3", Must, "\"A client that does not support persistent connections MUST send the \"close\" connection option in every request message\"", NotApplicable("persistent connections are supported")),
        row("9.6-no-more-requests", "§9.6", Must, "A server that receives a \"close\" connection option \"MUST NOT process any further requests received on that connection\"", Cases(&["http.persistence.nothing-read-after-close"])),
        row("rfc9110-5.4-limits", "§5.4 of RFC 9110", Must, "\"A server that receives a request header field line, field value, or set of fields larger than it wishes to process MUST respond with an appropriate 4xx (Client Error) status code\" (431, RFC 6585 §5)", Cases(&["http.limits.field-count-431", "http.limits.field-size-431", "http.limits.head-size-431"])),
        row("rfc9110-15.5.14-413", "§15.5.14 of RFC 9110", May, "A server refuses content larger than it is willing to process with 413 (Content Too Large)", Cases(&["http.limits.content-length-413", "http.limits.chunked-413"])),
        row("robust-any-bytes", "§11; RFC 9110 §5.4", Must, "Parsing arbitrary octets never fails unsafely, and memory stays bounded whatever the peer sends", Cases(&["http.property.arbitrary-bytes-no-panic", "http.property.memory-bounded", "http.property.any-split-same-message"])),
    ],
);
