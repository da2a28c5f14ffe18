//! The crate's one error type.

/// What was wrong with an HTTP/1.1 message, naming the rule it broke.
///
/// A server that fails to parse a request answers with
/// [`Error::status`] (400, 413, 414, 431, 501 or 505) and closes the
/// connection: after a framing error the next message's start is unknown
/// (RFC 9112 §6.3, §9.6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- limits ----
    /// The start line is longer than [`Limits::max_start_line`](crate::Limits::max_start_line)
    /// (RFC 9112 §3: recipients choose a limit, at least 8000 octets recommended).
    #[error("start line longer than {limit} octets (RFC 9112 §3)")]
    StartLineTooLong {
        /// The limit.
        limit: usize,
    },
    /// More header (or trailer) field lines than [`Limits::max_headers`](crate::Limits::max_headers).
    #[error("more than {limit} field lines (RFC 9110 §5.4, RFC 6585 §5)")]
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// The head (start line and fields, or the trailer section) is longer
    /// than [`Limits::max_head_bytes`](crate::Limits::max_head_bytes).
    #[error("header section longer than {limit} octets (RFC 9110 §5.4, RFC 6585 §5)")]
    HeadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// One field line (or chunk-size line) is longer than
    /// [`Limits::max_field_size`](crate::Limits::max_field_size).
    #[error("field line longer than {limit} octets (RFC 9110 §5.4)")]
    FieldTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body is longer than [`Limits::max_body`](crate::Limits::max_body).
    #[error("body longer than {limit} octets (RFC 9110 §15.5.14)")]
    BodyTooLarge {
        /// The limit.
        limit: u64,
    },

    // ---- lines ----
    /// A CR not followed by LF (RFC 9112 §2.2: a bare CR is invalid).
    #[error("bare CR (RFC 9112 §2.2)")]
    BareCr,
    /// A line ended by LF alone. RFC 9112 §2.2 lets a recipient accept it;
    /// this codec does not (a lenient and a strict parser reading one
    /// stream differently is how requests are smuggled).
    #[error("line ended by LF without CR (RFC 9112 §2.2: CRLF required here)")]
    BareLf,
    /// Whitespace before the first field line (RFC 9112 §2.2: reject or ignore; we reject).
    #[error("whitespace between the start line and the first field (RFC 9112 §2.2)")]
    WhitespaceAfterStartLine,

    // ---- start line ----
    /// The method is not a token (RFC 9112 §3.1, RFC 9110 §9.1).
    #[error("method is not a token (RFC 9112 §3.1, RFC 9110 §5.6.2)")]
    InvalidMethod,
    /// The request-target is empty or holds a character outside VCHAR (RFC 9112 §3.2).
    #[error("invalid request-target (RFC 9112 §3.2)")]
    InvalidTarget,
    /// Not `HTTP/` DIGIT `.` DIGIT, or not followed by what the start line needs (RFC 9112 §2.3).
    #[error("invalid HTTP-version (RFC 9112 §2.3)")]
    InvalidVersion,
    /// A well-formed version other than HTTP/1.x (RFC 9110 §15.6.6: 505).
    #[error("HTTP/{major}.{minor} is not HTTP/1.x (RFC 9110 §2.5, §15.6.6)")]
    UnsupportedVersion {
        /// The major version.
        major: u8,
        /// The minor version.
        minor: u8,
    },
    /// The request line is not `method SP request-target SP HTTP-version` (RFC 9112 §3).
    #[error("invalid request line (RFC 9112 §3)")]
    InvalidRequestLine,
    /// The status code is not three digits in 100..=599 (RFC 9112 §4, RFC 9110 §15).
    #[error("invalid status code (RFC 9112 §4, RFC 9110 §15)")]
    InvalidStatus,
    /// The reason phrase holds a control character (RFC 9112 §4).
    #[error("invalid reason-phrase (RFC 9112 §4)")]
    InvalidReason,

    // ---- fields ----
    /// The field name is empty or not a token (RFC 9112 §5, RFC 9110 §5.1).
    #[error("field name is not a token (RFC 9110 §5.1)")]
    InvalidFieldName,
    /// Whitespace between the field name and the colon (RFC 9112 §5.1: MUST reject with 400).
    #[error("whitespace between field name and colon (RFC 9112 §5.1)")]
    WhitespaceBeforeColon,
    /// A field line without a colon (RFC 9112 §5).
    #[error("field line without a colon (RFC 9112 §5)")]
    MissingColon,
    /// A field value with a control character other than HTAB (RFC 9110 §5.5).
    #[error("field value holds a control character (RFC 9110 §5.5)")]
    InvalidFieldValue,
    /// A line folded with obs-fold (RFC 9112 §5.2: rejected in requests with
    /// 400; this codec rejects it in responses too).
    #[error("obsolete line folding (RFC 9112 §5.2)")]
    ObsFold,

    // ---- Host ----
    /// An HTTP/1.1 request without Host (RFC 9112 §3.2: 400).
    #[error("HTTP/1.1 request without Host (RFC 9112 §3.2)")]
    MissingHost,
    /// More than one Host field line (RFC 9112 §3.2: 400).
    #[error("more than one Host field line (RFC 9112 §3.2)")]
    MultipleHost,
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 9110 §7.2).
    #[error("invalid Host value (RFC 9112 §3.2, RFC 9110 §7.2)")]
    InvalidHost,

    // ---- framing ----
    /// Content-Length is not 1*DIGIT (or a list of one value) or overflows (RFC 9110 §8.6, RFC 9112 §6.3 item 5).
    #[error("invalid Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)")]
    InvalidContentLength,
    /// Content-Length values that differ (RFC 9112 §6.3 item 5).
    #[error("differing Content-Length values (RFC 9112 §6.3)")]
    ConflictingContentLength,
    /// A request with both Transfer-Encoding and Content-Length (RFC 9112
    /// §6.1, §6.3 item 3: a smuggling attempt; rejected).
    #[error("request with both Transfer-Encoding and Content-Length (RFC 9112 §6.1, §6.3)")]
    TransferEncodingWithContentLength,
    /// A request whose final transfer coding is not chunked (RFC 9112 §6.3 item 4: 400).
    #[error("request's final transfer coding is not chunked (RFC 9112 §6.3)")]
    ChunkedNotFinal,
    /// chunked applied more than once (RFC 9112 §7.1).
    #[error("chunked applied more than once (RFC 9112 §6.1, §7)")]
    ChunkedTwice,
    /// A transfer coding other than chunked, which this codec does not decode (RFC 9112 §6.1: 501).
    #[error("transfer coding other than chunked (RFC 9112 §6.1)")]
    UnsupportedTransferCoding,
    /// An empty or malformed Transfer-Encoding list (RFC 9112 §6.1, RFC 9110 §5.6.1).
    #[error("invalid Transfer-Encoding (RFC 9112 §6.1)")]
    InvalidTransferEncoding,
    /// Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1: the framing is faulty).
    #[error("Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1)")]
    TransferEncodingInHttp10,

    // ---- chunked ----
    /// A chunk-size that is not 1*HEXDIG, or junk after it (RFC 9112 §7.1).
    #[error("invalid chunk-size line (RFC 9112 §7.1)")]
    InvalidChunkSize,
    /// A chunk-size beyond 2^64 - 1 (RFC 9112 §7.1: anticipate overflow).
    #[error("chunk-size overflows 64 bits (RFC 9112 §7.1)")]
    ChunkSizeOverflow,
    /// A chunk extension with a control character (RFC 9112 §7.1.1).
    #[error("invalid chunk extension (RFC 9112 §7.1.1)")]
    InvalidChunkExtension,
    /// chunk-data not followed by CRLF (RFC 9112 §7.1).
    #[error("chunk-data not followed by CRLF (RFC 9112 §7.1)")]
    MissingChunkCrlf,

    // ---- stream ----
    /// The connection closed before the message was complete (RFC 9112 §8).
    #[error("connection closed inside a message (RFC 9112 §8)")]
    IncompleteMessage,

    // ---- emitting ----
    /// A head that may not be sent: a field, method, target or reason that
    /// would not parse back as written (RFC 9110 §5.5: a sender MUST NOT
    /// generate CR, LF or NUL in a field value).
    #[error("cannot emit: {0}")]
    InvalidToEmit(&'static str),
    /// Body bytes that do not match the declared Content-Length (RFC 9110 §8.6).
    #[error("body of {written} octets, Content-Length declares {declared} (RFC 9110 §8.6)")]
    BodyLengthMismatch {
        /// The declared length.
        declared: u64,
        /// What was written (so far, when it overflowed).
        written: u64,
    },
}

impl Error {
    /// The status code a server answers a request with when parsing it
    /// failed this way: 414 for an over-long request line, 431 for a header
    /// section over a limit, 413 for a body over its limit, 501 for a
    /// transfer coding it does not implement, 505 for another major
    /// version, 500 for an emit error (a local bug), 400 for the rest.
    pub fn status(&self) -> u16 {
        match self {
            Error::StartLineTooLong { .. } => 414,
            Error::TooManyHeaders { .. }
            | Error::HeadTooLarge { .. }
            | Error::FieldTooLarge { .. } => 431,
            Error::BodyTooLarge { .. } => 413,
            Error::UnsupportedTransferCoding => 501,
            Error::UnsupportedVersion { .. } => 505,
            Error::InvalidToEmit(_) | Error::BodyLengthMismatch { .. } => 500,
            _ => 400,
        }
    }
}
