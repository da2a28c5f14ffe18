//! resolv.conf: any text parses, and what comes out stays within glibc's
//! limits (at most three servers, MAXNS; the local server when none is given).
#![no_main]

use handshake_dns::ResolvConf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let c = ResolvConf::parse(&text);
    assert!(c.ndots <= 15);
    assert!(c.attempts <= 5);
    assert!(c.timeout <= std::time::Duration::from_secs(30));
    assert!((1..=3).contains(&c.nameservers.len()));
    assert!(c.search.len() <= 6);
});
