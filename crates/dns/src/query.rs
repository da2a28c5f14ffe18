//! An outstanding query and the checks a response must pass before it is
//! believed (RFC 5452 §9.1): it comes from the address and port we asked,
//! carries our random ID, and repeats our question exactly — with DNS 0x20,
//! letter for letter in the case we randomised.

use alloc::boxed::Box;
use alloc::vec::Vec;

use core::net::SocketAddr;

use rand_core::RngCore;

use crate::wire::{Edns, Message, Name, Question};

/// Why a response was not accepted for a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    /// It came from another address or port (RFC 5452 §9.1).
    #[error("response from {got}, query went to {want} (RFC 5452 §9.1)")]
    Source {
        /// Where we sent the query.
        want: SocketAddr,
        /// Where the response came from.
        got: SocketAddr,
    },
    /// Its ID is not ours (RFC 1035 §4.1.1, RFC 5452 §9.1).
    #[error("response ID {got:#06x}, query ID {want:#06x}")]
    Id {
        /// Our ID.
        want: u16,
        /// Theirs.
        got: u16,
    },
    /// QR is not set: it is a query, not a response.
    #[error("QR bit clear: not a response")]
    NotResponse,
    /// It is too short for a header, or, having passed the header checks,
    /// is not a well-formed message (RFC 1035 §4.1).
    #[error("not a DNS message: {0}")]
    Malformed(crate::Error),
    /// Its question differs from ours, case included under 0x20 (RFC 5452 §9.1).
    #[error("response question {got:?} is not {want:?}")]
    Question {
        /// Our question.
        want: Box<Question>,
        /// What the response carried (None: no or several questions).
        got: Option<Box<Question>>,
    },
}

/// A query in flight.
///
/// ```
/// use handshake_dns::Outstanding;
/// use handshake_dns::wire::{Question, RecordType};
/// use rand_chacha::rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
/// let server = "127.0.0.1:53".parse().unwrap();
/// let q = Question::new("example.com".parse().unwrap(), RecordType::A);
/// let (pending, query) = Outstanding::new(&mut rng, server, q, true);
/// let response = query.response();
/// assert_eq!(pending.accept(server, &response), Ok(()));
/// assert!(pending.accept("127.0.0.2:53".parse().unwrap(), &response).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Outstanding {
    id: u16,
    server: SocketAddr,
    question: Question,
}

impl Outstanding {
    /// Builds the query for `question` to `server` with a random ID and,
    /// with `randomise_case`, the DNS 0x20 case pattern; returns the state to
    /// check responses against and the message to send.
    pub fn new(
        rng: &mut impl RngCore,
        server: SocketAddr,
        mut question: Question,
        randomise_case: bool,
    ) -> (Outstanding, Message) {
        if randomise_case {
            question.name = randomise(&question.name, rng);
        }
        let id = (rng.next_u32() & 0xffff) as u16;
        let mut query = Message::query(id, question.clone());
        query.edns = Some(Edns::default());
        (
            Outstanding {
                id,
                server,
                question,
            },
            query,
        )
    }

    /// The state to check responses to `query`, a message the caller built
    /// (its ID and its question as they are, no 0x20 applied), sent to
    /// `server`. None unless it has exactly one question.
    pub fn for_query(server: SocketAddr, query: &Message) -> Option<Outstanding> {
        match query.questions.as_slice() {
            [q] => Some(Outstanding {
                id: query.header.id,
                server,
                question: q.clone(),
            }),
            _ => None,
        }
    }

    /// The query ID.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The server the query went to.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The question as sent (with its randomised case).
    pub fn question(&self) -> &Question {
        &self.question
    }

    /// Checks what a datagram's 12-octet header shows, before any name in
    /// it is decompressed: it comes from the server we asked (RFC 5452
    /// §9.1), carries our ID (RFC 1035 §4.1.1) and has QR set. A flood of
    /// forgeries then costs a compare each, not a parse each (issue 14,
    /// defect 3: decompression work only for datagrams that could be ours).
    pub fn screen(&self, from: SocketAddr, datagram: &[u8]) -> Result<(), Mismatch> {
        if from != self.server {
            return Err(Mismatch::Source {
                want: self.server,
                got: from,
            });
        }
        let (header, _) = crate::wire::Header::parse(datagram).map_err(Mismatch::Malformed)?;
        if header.id != self.id {
            return Err(Mismatch::Id {
                want: self.id,
                got: header.id,
            });
        }
        if !header.response {
            return Err(Mismatch::NotResponse);
        }
        Ok(())
    }

    /// [`Outstanding::screen`], then the whole message is parsed and its
    /// question checked ([`Outstanding::accept`]): the response, or why the
    /// datagram is not one. Every transport's one entry point (UDP, and TCP
    /// with `from` the connection's peer, RFC 7766 §7).
    pub fn accept_datagram(&self, from: SocketAddr, datagram: &[u8]) -> Result<Message, Mismatch> {
        self.screen(from, datagram)?;
        let message = Message::parse(datagram).map_err(Mismatch::Malformed)?;
        self.accept(from, &message)?;
        Ok(message)
    }

    /// Accepts `response` received from `from`, or says why not: the one
    /// check every transport applies (RFC 5452 §9.1; over TCP too, where
    /// `from` is the connection's peer, RFC 7766 §7).
    pub fn accept(&self, from: SocketAddr, response: &Message) -> Result<(), Mismatch> {
        if from != self.server {
            return Err(Mismatch::Source {
                want: self.server,
                got: from,
            });
        }
        if response.header.id != self.id {
            return Err(Mismatch::Id {
                want: self.id,
                got: response.header.id,
            });
        }
        if !response.header.response {
            return Err(Mismatch::NotResponse);
        }
        let same = match response.questions.as_slice() {
            [q] => {
                q.qtype == self.question.qtype
                && q.qclass == self.question.qclass
                // Byte-exact: the 0x20 bits must come back as sent.
                && q.name.as_wire() == self.question.name.as_wire()
            }
            _ => false,
        };
        if same {
            Ok(())
        } else {
            Err(Mismatch::Question {
                want: Box::new(self.question.clone()),
                got: match response.questions.as_slice() {
                    [q] => Some(Box::new(q.clone())),
                    _ => None,
                },
            })
        }
    }
}

/// Flips the case of each letter at random (draft-vixie-dnsext-dns0x20).
fn randomise(name: &Name, rng: &mut impl RngCore) -> Name {
    let mut bits = 0u64;
    let mut left = 0;
    let labels: Vec<Vec<u8>> = name
        .labels()
        .map(|l| {
            l.iter()
                .map(|&b| {
                    if !b.is_ascii_alphabetic() {
                        return b;
                    }
                    if left == 0 {
                        bits = rng.next_u64();
                        left = 64;
                    }
                    left -= 1;
                    let upper = bits & 1 == 1;
                    bits >>= 1;
                    if upper {
                        b.to_ascii_uppercase()
                    } else {
                        b.to_ascii_lowercase()
                    }
                })
                .collect()
        })
        .collect();
    Name::from_labels(labels.iter().map(Vec::as_slice)).unwrap_or_else(|_| name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::RecordType;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn every_mismatch_is_caught() {
        let server: SocketAddr = "192.0.2.53:53".parse().unwrap();
        let q = Question::new("www.example.com".parse().unwrap(), RecordType::AAAA);
        let (p, query) = Outstanding::new(
            &mut rand_chacha::ChaCha20Rng::seed_from_u64(1),
            server,
            q,
            true,
        );
        // 0x20 changed the case but not the name.
        assert_eq!(p.question().name, "www.example.com".parse().unwrap());
        assert_ne!(
            p.question().name.as_wire(),
            b"\x03www\x07example\x03com\x00"
        );
        let ok = query.response();
        assert_eq!(p.accept(server, &ok), Ok(()));
        assert!(matches!(
            p.accept("192.0.2.53:5353".parse().unwrap(), &ok),
            Err(Mismatch::Source { .. })
        ));
        let mut bad = ok.clone();
        bad.header.id ^= 1;
        assert!(matches!(p.accept(server, &bad), Err(Mismatch::Id { .. })));
        assert_eq!(p.accept(server, &query), Err(Mismatch::NotResponse));
        let mut bad = ok.clone();
        bad.questions[0].name = bad.questions[0].name.to_lowercase();
        assert!(matches!(
            p.accept(server, &bad),
            Err(Mismatch::Question { .. })
        ));
        let mut bad = ok.clone();
        bad.questions[0].qtype = RecordType::A;
        assert!(matches!(
            p.accept(server, &bad),
            Err(Mismatch::Question { .. })
        ));
        let mut bad = ok;
        bad.questions.clear();
        assert!(matches!(
            p.accept(server, &bad),
            Err(Mismatch::Question { got: None, .. })
        ));
    }
}
