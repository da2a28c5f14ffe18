//! The io driver's packet reader: arbitrary bytes as a TUN device hands them
//! over. `decode_ip`, `icmp_error`, `mark_ce` and `tamper` never panic; a
//! datagram that decodes re-encodes to one that decodes the same, its CE
//! mark changes only the ECN field, and its tampered copy differs only in
//! the last data octet. The same bytes read from a TUN device with offloads
//! (`link::virtio_read`: a virtio-net header, a partial checksum completed)
//! never panic either, and what they give decodes or is refused.
#![no_main]

use handshake_io::packet::{decode_ip, encode_ip, icmp_error, mark_ce, tamper};
use handshake_tcp::wire::Ecn;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut raw = data.to_vec();
    if let Some((p, _)) = handshake_io::link::virtio_read(&mut raw) {
        let _ = decode_ip(p);
    }
    let _ = icmp_error(data);
    let marked = mark_ce(data);
    let tampered = tamper(data);
    let Ok(d) = decode_ip(data) else {
        return;
    };
    let again = encode_ip(d.src, d.dst, &d.segment, d.ecn).expect("a decoded datagram re-encodes");
    assert_eq!(decode_ip(&again).expect("the re-encoded datagram decodes"), d);
    if let Some(m) = marked {
        let dm = decode_ip(&m).expect("a marked datagram still decodes");
        assert!(d.ecn.is_ect() && d.ecn != Ecn::Ce);
        assert_eq!((dm.ecn, dm.src, dm.dst, &dm.segment), (Ecn::Ce, d.src, d.dst, &d.segment));
    }
    match (tampered, d.segment.payload.split_last()) {
        (Some(t), Some((last, rest))) => {
            let dt = decode_ip(&t).expect("a tampered datagram still decodes");
            let (t_last, t_rest) = dt.segment.payload.split_last().expect("data kept");
            assert_eq!((t_rest, *t_last), (rest, last ^ 0xff));
        }
        (None, None) => {}
        (t, _) => panic!("tamper gave {t:?} for a segment of {} data octets", d.segment.payload.len()),
    }
});
