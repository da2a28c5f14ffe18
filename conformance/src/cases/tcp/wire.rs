//! `tcp.wire.*`: The TCP segment and its options (RFC 9293 §3.1, RFC 7323, RFC 2018): parse, emit, and hostile option lists.

use super::support::*;
use crate::cases::support::*;
use crate::check::unhex;
use crate::expect_error;
use crate::{check, check_property, Case, Outcome};
use handshake_ip::checksum::{self, PseudoHeader};
use handshake_ip::{ChecksumMode, Ipv4Addr};
use handshake_tcp::wire::{
    OptionIter, SackBlock, SackBlocks, Segment, SegmentRepr, SeqNumber, TcpFlags, TcpOption,
    TcpOptions, Timestamps,
};
use handshake_tcp::Error;
use proptest::prelude::*;

/// The Linux IPv4 SYN's TCP bytes (40: 20 header + 20 options).
fn syn() -> Vec<u8> {
    unhex(LINUX_SYN_V4)[20..].to_vec()
}

/// A 20-byte header with data offset `5 + opts.len() / 4` and the given option
/// bytes (padded to a multiple of 4 with EOL), checksum filled over `v4_pair()`.
fn with_options(opts: &[u8]) -> Vec<u8> {
    let mut o = opts.to_vec();
    while !o.len().is_multiple_of(4) {
        o.push(0);
    }
    let mut b = vec![0u8; 20];
    b[0..2].copy_from_slice(&1234u16.to_be_bytes());
    b[2..4].copy_from_slice(&80u16.to_be_bytes());
    b[12] = ((5 + o.len() / 4) as u8) << 4;
    b[13] = TcpFlags::ACK.bits();
    b.extend_from_slice(&o);
    fill(&mut b);
    b
}

/// Fills the checksum over `v4_pair()` with the plain reference sum (not the code under test).
fn fill(b: &mut [u8]) {
    b[16] = 0;
    b[17] = 0;
    let s = checksum::add(
        v4_pair().sum(handshake_ip::IpProtocol::TCP, b.len() as u32),
        checksum::reference::sum(b),
    );
    b[16..18].copy_from_slice(&(!s).to_be_bytes());
}

/// The segment view over `b`, or why it is refused.
fn view(b: &[u8]) -> Result<(), Error> {
    Segment::new_checked(b).map(drop)
}

fn parse(b: &[u8]) -> Result<SegmentRepr<'_>, Error> {
    let s = Segment::new_checked(b)?;
    SegmentRepr::parse(&s, &v4_pair(), ChecksumMode::Verify)
}

fn arb_options() -> impl Strategy<Value = TcpOptions> {
    (
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u8>()),
        any::<bool>(),
        proptest::option::of(any::<(u32, u32)>()),
        proptest::collection::vec(any::<(u32, u32)>(), 0..=4),
    )
        .prop_map(|(mss, window_scale, sack_permitted, ts, sack)| {
            let blocks: Vec<SackBlock> = sack
                .into_iter()
                .map(|(l, r)| SackBlock {
                    left: SeqNumber(l),
                    right: SeqNumber(r),
                })
                .collect();
            TcpOptions {
                mss,
                window_scale,
                sack_permitted,
                timestamps: ts.map(|(tsval, tsecr)| Timestamps { tsval, tsecr }),
                sack: SackBlocks::new(&blocks).expect("at most 4"),
            }
        })
        .prop_filter("fits in 40 option bytes", |o| o.buffer_len() <= 40)
}

#[derive(Debug, Clone)]
struct Seg {
    ports: (u16, u16),
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    urgent: u16,
    options: TcpOptions,
    payload: Vec<u8>,
}

impl Seg {
    fn repr(&self) -> SegmentRepr<'_> {
        SegmentRepr {
            src_port: self.ports.0,
            dst_port: self.ports.1,
            seq_number: SeqNumber(self.seq),
            ack_number: SeqNumber(self.ack),
            flags: TcpFlags::from_bits_retain(self.flags),
            window: self.window,
            urgent_pointer: self.urgent,
            options: self.options,
            payload: &self.payload,
        }
    }
}

fn arb_segment() -> impl Strategy<Value = Seg> {
    (
        any::<(u16, u16)>(),
        any::<(u32, u32, u8, u16, u16)>(),
        arb_options(),
        proptest::collection::vec(any::<u8>(), 0..1500),
    )
        .prop_map(
            |(ports, (seq, ack, flags, window, urgent), options, payload)| Seg {
                ports,
                seq,
                ack,
                flags,
                window,
                urgent,
                options,
                payload,
            },
        )
}

fn options_zero_padded() -> R {
    use handshake_ip::checksum::PseudoHeader;
    // MSS (4) + window scale (3) = 7 bytes: one byte of padding, which MUST be zero.
    let mut h = SegmentRepr::new(1, 2, SeqNumber(3), TcpFlags::SYN);
    h.options = TcpOptions {
        mss: Some(1460),
        window_scale: Some(7),
        ..TcpOptions::default()
    };
    let ph = PseudoHeader::V4 {
        src: [192, 0, 2, 1].into(),
        dst: [192, 0, 2, 2].into(),
    };
    let mut buf = vec![0xffu8; h.buffer_len()];
    let n = h.emit(&mut buf, &ph).map_err(|e| e.to_string())?;
    let opts = &buf[20..n];
    // The layout may use NOPs (1) to align; after the last option only zeros.
    let kinds_end = {
        let mut i = 0;
        while i < opts.len() && opts[i] != 0 {
            i += if opts[i] == 1 {
                1
            } else {
                usize::from(opts[i + 1].max(1))
            };
        }
        i
    };
    ensure(
        n % 4 == 0 && opts[kinds_end..].iter().all(|b| *b == 0),
        || format!("options {opts:02x?}: padding not zero"),
    )
}

/// The `tcp.wire.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = vec![
        // ---- known segments ----
        Case::must(
            "tcp.wire.linux-syn-ipv4",
            "RFC 9293 §3.1; RFC 7323 §2-3; RFC 2018 §2",
        )
        .vector(|_| {
            let b = syn();
            match parse(&b) {
                Ok(r) => {
                    let ok = (r.src_port, r.dst_port) == (39630, 80)
                        && r.seq_number == SeqNumber(0x4d3b_ad0e)
                        && r.flags == TcpFlags::SYN
                        && r.window == 64240
                        && r.options.mss == Some(1460)
                        && r.options.window_scale == Some(10)
                        && r.options.sack_permitted
                        && r.options.timestamps
                            == Some(Timestamps {
                                tsval: 0x3d2f_7024,
                                tsecr: 0,
                            })
                        && r.payload.is_empty();
                    check::ensure(ok, || format!("parsed {r:?}"))
                }
                Err(e) => Err(format!("rejected a Linux SYN: {e}")),
            }
        }),
        Case::must("tcp.wire.linux-syn-ipv6", "RFC 9293 §3.1; RFC 8200 §8.1").vector(|_| {
            let p = unhex(LINUX_SYN_V6);
            let r = Segment::new_checked(&p[40..])
                .and_then(|s| SegmentRepr::parse(&s, &v6_pair(), ChecksumMode::Verify));
            match r {
                Ok(r) => Outcome::from(check::ensure(
                    (r.src_port, r.dst_port, r.options.mss, r.window)
                        == (53814, 443, Some(1440), 64800),
                    || format!("parsed {r:?}"),
                )),
                Err(e) => Outcome::Fail(format!("rejected a Linux IPv6 SYN: {e}")),
            }
        }),
        Case::must("tcp.wire.reemit-linux-syn", "RFC 9293 §3.1, MUST-2").vector(|_| {
            // Re-emitting the parsed SYN gives a segment that verifies and parses the same.
            let b = syn();
            let Ok(r) = parse(&b) else {
                return Outcome::Fail("Linux SYN rejected".into());
            };
            let mut out = [0u8; 60];
            match r.emit(&mut out, &v4_pair()) {
                Ok(n) => Outcome::from(check::ensure(n == 40 && parse(&out[..n]) == Ok(r), || {
                    format!("re-emitted {n} bytes: {:02x?}", &out[..n])
                })),
                Err(e) => Outcome::Fail(format!("emit: {e}")),
            }
        }),
        // ---- header errors ----
        Case::must("tcp.wire.truncated-header", "RFC 9293 §3.1").vector(|_| {
            let b = syn();
            Outcome::from(check::refused(view(&b[..19]), Error::Truncated { have: 19 }))
        }),
        Case::must("tcp.wire.data-offset-below-5", "RFC 9293 §3.1").vector(|_| {
            let mut b = syn();
            b[12] = 0x40;
            Outcome::from(check::refused(view(&b[..]), Error::DataOffsetTooSmall(4)))
        }),
        Case::must("tcp.wire.data-offset-zero", "RFC 9293 §3.1").vector(|_| {
            let mut b = syn();
            b[12] = 0x00;
            Outcome::from(check::refused(view(&b[..]), Error::DataOffsetTooSmall(0)))
        }),
        Case::must("tcp.wire.data-offset-beyond-buffer", "RFC 9293 §3.1").vector(|_| {
            let b = syn();
            // Data offset 10 (40 bytes) in a 36-byte buffer.
            let want = Error::DataOffsetBeyondBuffer { header_len: 40, have: 36 };
            Outcome::from(check::refused(view(&b[..36]), want))
        }),
        Case::must("tcp.wire.bad-checksum", "RFC 9293 §3.1, MUST-3").vector(|_| {
            let mut b = syn();
            b[4] ^= 0x80; // sequence number changed, checksum not
            expect_error!(parse(&b), Error::BadChecksum { .. })
        }),
        Case::must(
            "tcp.wire.checksum-covers-pseudo-header",
            "RFC 9293 §3.1, MUST-3",
        )
        .vector(|_| {
            // The Linux SYN verified against a different destination address fails.
            let b = syn();
            let other = PseudoHeader::V4 {
                src: Ipv4Addr::new(192, 0, 2, 1),
                dst: Ipv4Addr::new(192, 0, 2, 3),
            };
            expect_error!(
                Segment::new_checked(&b[..]).and_then(|s| SegmentRepr::parse(
                    &s,
                    &other,
                    ChecksumMode::Verify
                )),
                Error::BadChecksum { .. }
            )
        }),
        Case::should("tcp.wire.checksum-ignored-when-told", "RFC 9293 §3.1").vector(|_| {
            let mut b = syn();
            b[16] ^= 0xff;
            let r = Segment::new_checked(&b[..])
                .and_then(|s| SegmentRepr::parse(&s, &v4_pair(), ChecksumMode::Ignore));
            Outcome::from(check::ensure(r.is_ok(), || {
                format!("ChecksumMode::Ignore still failed: {r:?}")
            }))
        }),
        // ---- options: illegal lengths (MUST-7) ----
        Case::must("tcp.wire.option-len-zero", "RFC 9293 §3.2, MUST-7").vector(|_| {
            let b = with_options(&[30, 0, 0, 0]);
            Outcome::from(check::refused(parse(&b), Error::IllegalOptionLength { kind: 30, len: 0 }))
        }),
        Case::must("tcp.wire.option-len-one", "RFC 9293 §3.2, MUST-7").vector(|_| {
            let b = with_options(&[1, 1, 30, 1]);
            Outcome::from(check::refused(parse(&b), Error::IllegalOptionLength { kind: 30, len: 1 }))
        }),
        Case::must("tcp.wire.option-overflow", "RFC 9293 §3.2, MUST-7").vector(|_| {
            // Kind 30 says 12 bytes; 8 remain in the header (payload follows and must not be read as options).
            let mut b = with_options(&[1, 1, 1, 1, 30, 12, 0, 0]);
            b.extend_from_slice(&[0xaa; 16]);
            fill(&mut b);
            let want = Error::OptionOverflow { kind: 30, len: 12, remaining: 4 };
            Outcome::from(check::refused(parse(&b), want))
        }),
        Case::must(
            "tcp.wire.option-length-byte-missing",
            "RFC 9293 §3.2, MUST-7",
        )
        .vector(|_| {
            // MSS kind as the very last option byte: no room for its length.
            let b = with_options(&[1, 1, 1, 2]);
            expect_error!(parse(&b), Error::OptionOverflow { kind: 2, len: 0, .. })
        }),
        // ---- options: what must be accepted ----
        Case::must("tcp.wire.unknown-option-skipped", "RFC 9293 §3.2, MUST-6").vector(|_| {
            // An experimental option (kind 254, RFC 6994) of 6 bytes, then MSS.
            let b = with_options(&[254, 6, 0xf9, 0x89, 1, 2, 2, 4, 0x05, 0xb4]);
            match parse(&b) {
                Ok(r) => Outcome::from(check::ensure(r.options.mss == Some(1460), || {
                    format!("MSS after unknown option lost: {r:?}")
                })),
                Err(e) => Outcome::Fail(format!("unknown option not skipped: {e}")),
            }
        }),
        Case::must("tcp.wire.eol-ends-option-list", "RFC 9293 §3.2").vector(|_| {
            // After EOL, the rest is padding, even if it looks like a broken option.
            let b = with_options(&[2, 4, 0x05, 0xb4, 0, 30, 0, 0]);
            match parse(&b) {
                Ok(r) => Outcome::from(check::ensure(r.options.mss == Some(1460), || {
                    format!("{r:?}")
                })),
                Err(e) => Outcome::Fail(format!("bytes after EOL were parsed: {e}")),
            }
        }),
        Case::must("tcp.wire.nop-padding", "RFC 9293 §3.2, MUST-5").vector(|_| {
            let b = with_options(&[1, 1, 1, 3, 3, 14]);
            let kinds: Vec<_> = OptionIter::new(&b[20..]).collect();
            let ok = matches!(
                kinds.as_slice(),
                [
                    Ok(TcpOption::NoOperation),
                    Ok(TcpOption::NoOperation),
                    Ok(TcpOption::NoOperation),
                    Ok(TcpOption::WindowScale(14)),
                    ..
                ]
            );
            Outcome::from(check::ensure(
                ok && parse(&b).map(|r| r.options.window_scale) == Ok(Some(14)),
                || format!("{kinds:?}"),
            ))
        }),
        Case::must("tcp.wire.options-in-any-segment", "RFC 9293 §3.2, MUST-4").vector(|_| {
            // Timestamps on a data segment (no SYN) with a payload after the options.
            let mut b = with_options(&[1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9]);
            b.extend_from_slice(b"data");
            fill(&mut b);
            match parse(&b) {
                Ok(r) => Outcome::from(check::ensure(
                    r.options.timestamps == Some(Timestamps { tsval: 7, tsecr: 9 })
                        && r.payload == b"data",
                    || format!("{r:?}"),
                )),
                Err(e) => Outcome::Fail(format!("{e}")),
            }
        }),
        Case::must("tcp.wire.sack-four-blocks", "RFC 2018 §3").vector(|_| {
            let mut o = vec![1, 1, 5, 34];
            for i in 0u32..8 {
                o.extend_from_slice(&(1000 * (i + 1)).to_be_bytes());
            }
            let b = with_options(&o);
            match parse(&b) {
                Ok(r) => {
                    let s = r.options.sack.as_slice();
                    Outcome::from(check::ensure(
                        s.len() == 4
                            && s[0].left == SeqNumber(1000)
                            && s[3].right == SeqNumber(8000),
                        || format!("{s:?}"),
                    ))
                }
                Err(e) => Outcome::Fail(format!("{e}")),
            }
        }),
        Case::must("tcp.wire.mss-emitted", "RFC 9293 §3.7.1, MUST-14").vector(|_| {
            let mut r = SegmentRepr::new(1, 2, SeqNumber(0), TcpFlags::SYN);
            r.options.mss = Some(1220);
            let mut b = [0u8; 24];
            match r.emit(&mut b, &v4_pair()) {
                Ok(24) => Outcome::from(check::ensure(
                    b[12] == 0x60 && b[20..24] == [2, 4, 0x04, 0xc4],
                    || format!("{b:02x?}"),
                )),
                other => Outcome::Fail(format!("emit: {other:?}")),
            }
        }),
        Case::must(
            "tcp.wire.options-too-long",
            "RFC 9293 §3.1 (data offset ≤ 15)",
        )
        .vector(|_| {
            let r = SegmentRepr {
                options: TcpOptions {
                    mss: Some(1460),
                    window_scale: Some(7),
                    sack_permitted: true,
                    timestamps: Some(Timestamps::default()),
                    sack: SackBlocks::new(&[SackBlock::default(); 3]).expect("3 blocks"),
                },
                ..SegmentRepr::new(1, 2, SeqNumber(0), TcpFlags::ACK)
            };
            let mut b = [0u8; 100];
            Outcome::from(check::refused(r.emit(&mut b, &v4_pair()), Error::OptionsTooLong { len: 48 }))
        }),
        Case::must("tcp.wire.reserved-bits", "RFC 9293 §3.1 (Reserved)").vector(|_| {
            // Received reserved bits are ignored; emitted ones are zero.
            let mut b = syn();
            b[12] |= 0x0f;
            fill(&mut b);
            match parse(&b) {
                Ok(r) => {
                    let mut out = [0u8; 40];
                    let emitted = r.emit(&mut out, &v4_pair());
                    Outcome::from(check::ensure(
                        emitted == Ok(40) && out[12] & 0x0f == 0,
                        || format!("emitted offset byte {:02x}", out[12]),
                    ))
                }
                Err(e) => Outcome::Fail(format!("reserved bits not ignored: {e}")),
            }
        }),
        Case::must("tcp.wire.all-control-bits", "RFC 9293 §3.1; RFC 3168 §6.1").vector(|_| {
            for bits in 0..=255u8 {
                let r = SegmentRepr::new(1, 2, SeqNumber(3), TcpFlags::from_bits_retain(bits));
                let mut b = [0u8; 20];
                let back = r
                    .emit(&mut b, &v4_pair())
                    .map_err(|e| e.to_string())
                    .and_then(|_| parse(&b).map_err(|e| e.to_string()));
                if back != Ok(r) || b[13] != bits {
                    return Outcome::Fail(format!("flags {bits:08b}: {back:?}"));
                }
            }
            Outcome::Pass
        }),
        Case::must("tcp.wire.segment-length", "RFC 9293 §3.4 (SEG.LEN)").vector(|_| {
            // SEG.LEN counts the data and one each for SYN and FIN.
            let mut r = SegmentRepr::new(1, 2, SeqNumber(0), TcpFlags::SYN | TcpFlags::FIN);
            r.payload = b"abc";
            let plain = SegmentRepr::new(1, 2, SeqNumber(0), TcpFlags::ACK);
            Outcome::from(check::ensure(
                r.segment_len() == 5 && plain.segment_len() == 0,
                || {
                    format!(
                        "SYN|FIN+3 bytes: {}, bare ACK: {}",
                        r.segment_len(),
                        plain.segment_len()
                    )
                },
            ))
        }),
        // ---- properties ----
        Case::must(
            "tcp.wire.roundtrip",
            "RFC 9293 §3.1-3.2; RFC 7323; RFC 2018",
        )
        .property(|ctx| {
            check_property(ctx, (arb_segment(), arb_pseudo_header()), |(seg, ph)| {
                let r = seg.repr();
                let mut b = vec![0u8; r.buffer_len()];
                let n = r
                    .emit(&mut b, &ph)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(n, b.len());
                let s =
                    Segment::new_checked(&b[..]).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(SegmentRepr::parse(&s, &ph, ChecksumMode::Verify), Ok(r));
                Ok(())
            })
        }),
        Case::must(
            "tcp.wire.checksum-verifies-to-zero",
            "RFC 9293 §3.1, MUST-2",
        )
        .property(|ctx| {
            check_property(ctx, (arb_segment(), arb_pseudo_header()), |(seg, ph)| {
                let r = seg.repr();
                let mut b = vec![0u8; r.buffer_len()];
                r.emit(&mut b, &ph)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                // Checked with the reference sum, independent of the fast path.
                let total = checksum::add(
                    ph.sum(handshake_ip::IpProtocol::TCP, b.len() as u32),
                    checksum::reference::sum(&b),
                );
                prop_assert_eq!(!total, 0);
                Ok(())
            })
        }),
        Case::must(
            "tcp.wire.incremental-checksum",
            "RFC 1624 §3; RFC 9293 §3.1",
        )
        .property(|ctx| {
            check_property(ctx, (arb_segment(), any::<u32>()), |(seg, new_seq)| {
                let ph = v4_pair();
                let r = seg.repr();
                let mut b = vec![0u8; r.buffer_len()];
                r.emit(&mut b, &ph)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                // Rewrite the sequence number in place and patch the checksum (a NAT/middlebox does this).
                let hc = u16::from_be_bytes([b[16], b[17]]);
                let inc = checksum::update_u32(hc, seg.seq, new_seq);
                b[4..8].copy_from_slice(&new_seq.to_be_bytes());
                b[16..18].copy_from_slice(&inc.to_be_bytes());
                let s =
                    Segment::new_checked(&b[..]).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    s.verify_checksum(&ph),
                    "incrementally patched checksum does not verify"
                );
                let expect = SegmentRepr {
                    seq_number: SeqNumber(new_seq),
                    ..r
                };
                let mut full = vec![0u8; b.len()];
                expect
                    .emit(&mut full, &ph)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let fc = u16::from_be_bytes([full[16], full[17]]);
                prop_assert!(
                    fc == inc || (fc ^ inc == 0xffff && (fc == 0 || inc == 0)),
                    "full {:04x} incremental {:04x}",
                    fc,
                    inc
                );
                Ok(())
            })
        }),
        Case::must(
            "tcp.wire.arbitrary-bytes-never-panic",
            "RFC 9293 §3.2, MUST-7 (illegal option lengths handled without crashing: random headers and options never panic)",
        ).property(|ctx| {
            check_property(
                ctx,
                proptest::collection::vec(any::<u8>(), 0..80),
                |mut b| {
                    // Keep the data offset plausible so the option parser gets exercised.
                    if b.len() >= 20 {
                        let max_words = (b.len() / 4).min(15) as u8;
                        b[12] = ((5 + b[12] % (max_words - 4)) << 4) | (b[12] & 0x0f);
                    }
                    if let Ok(s) = Segment::new_checked(&b[..]) {
                        let _ = s.options().count();
                        if let Ok(r) = SegmentRepr::parse(&s, &v4_pair(), ChecksumMode::Ignore) {
                            prop_assert_eq!(r.payload.len() + s.header_len(), b.len());
                        }
                    }
                    Ok(())
                },
            )
        }),
        Case::must(
            "tcp.wire.options-any-layout",
            "RFC 9293 §3.2, MUST-4/MUST-6",
        )
        .property(|ctx| {
            // Options emitted in any order, with NOPs and unknown options between, parse to the same set.
            let strat = (
                arb_options(),
                proptest::collection::vec(0u8..3, 0..6),
                any::<u64>(),
            );
            check_property(ctx, strat, |(opts, junk, order)| {
                let mut items: Vec<Vec<u8>> = Vec::new();
                if let Some(m) = opts.mss {
                    items.push([&[2u8, 4][..], &m.to_be_bytes()].concat());
                }
                if let Some(w) = opts.window_scale {
                    items.push(vec![3, 3, w]);
                }
                if opts.sack_permitted {
                    items.push(vec![4, 2]);
                }
                if let Some(t) = opts.timestamps {
                    items.push(
                        [
                            &[8u8, 10][..],
                            &t.tsval.to_be_bytes(),
                            &t.tsecr.to_be_bytes(),
                        ]
                        .concat(),
                    );
                }
                if !opts.sack.is_empty() {
                    let mut s = vec![5, (2 + 8 * opts.sack.len()) as u8];
                    for blk in opts.sack.as_slice() {
                        s.extend_from_slice(&blk.left.0.to_be_bytes());
                        s.extend_from_slice(&blk.right.0.to_be_bytes());
                    }
                    items.push(s);
                }
                for j in junk {
                    items.push(match j {
                        0 => vec![1],
                        1 => vec![253, 2],
                        _ => vec![254, 4, 0xab, 0xcd],
                    });
                }
                // Shuffle deterministically from `order`.
                let mut o = order;
                for i in (1..items.len()).rev() {
                    items.swap(i, (o % (i as u64 + 1)) as usize);
                    o /= i as u64 + 1;
                }
                let raw: Vec<u8> = items.concat();
                if raw.len() > 40 {
                    return Ok(());
                }
                let b = with_options(&raw);
                prop_assert_eq!(parse(&b).map(|r| r.options), Ok(opts));
                Ok(())
            })
        }),
        Case::must(
            "tcp.wire.options-padded-with-zero",
            "RFC 9293 §3.1 (MUST-69)",
        )
        .vector(|_| options_zero_padded()),
    ];
    all.extend(bad_lengths());
    all
}

/// Options of known kinds with the wrong length, each alone in a segment:
/// the parse refuses it naming the option's kind and its length octet.
fn bad_lengths() -> Vec<Case> {
    #[rustfmt::skip]
    let rows: [(&str, &str, &[u8]); 5] = [
        ("tcp.wire.mss-bad-length", "RFC 9293 §3.2 (MSS Length = 4)", &[2, 6, 5, 0xb4, 0, 0]),
        ("tcp.wire.window-scale-bad-length", "RFC 7323 §2.2 (Length = 3)", &[3, 4, 7, 0]),
        ("tcp.wire.sack-permitted-bad-length", "RFC 2018 §2 (Length = 2)", &[4, 4, 0, 0]),
        ("tcp.wire.sack-bad-length", "RFC 2018 §3 (Length = 2 + 8n)", &[5, 14, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]),
        ("tcp.wire.timestamps-bad-length", "RFC 7323 §3.2 (Length = 10)", &[8, 6, 0, 0, 0, 1]),
    ];
    let case = |(id, spec, option): (&'static str, &'static str, &'static [u8])| {
        Case::must(id, spec).vector(move |_| {
            let (kind, len) = (option[0], option[1]);
            let want = format!("BadOptionLength {{ kind: {kind}, len: {len}, .. }}");
            let segment = with_options(option);
            check::error("the parse", parse(&segment), &want, |e| {
                matches!(*e, Error::BadOptionLength { kind: k, len: l, .. } if (k, l) == (kind, len))
            })
        })
    };
    rows.into_iter().map(case).collect()
}
