//! Root hints files: any text parses within the bounds, and every server
//! kept has an address.
#![no_main]

use handshake_dns::RootHints;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let hints = RootHints::parse(&text);
    assert!(hints.servers().len() <= RootHints::MAX_SERVERS);
    for (_, addrs) in hints.servers() {
        assert!(!addrs.is_empty() && addrs.len() <= RootHints::MAX_ADDRS);
    }
});
