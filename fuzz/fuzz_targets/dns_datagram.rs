//! A datagram arriving for an iterative lookup with a query out: the header
//! is screened (source, ID, QR), then the message parsed and digested. Any
//! bytes: no panic, and the lookup either still waits or has moved on.
#![no_main]

use handshake_dns::wire::{Question, RecordType};
use handshake_dns::{IterConfig, Iterative, Step};
use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng;

fuzz_target!(|data: &[u8]| {
    let hints = vec![(
        "a.root".parse().expect("name"),
        vec!["192.0.2.1".parse().expect("address")],
    )];
    let q = Question::new("www.example".parse().expect("name"), RecordType::A);
    let mut lookup = Iterative::new(q, &hints, IterConfig::default());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let Step::Query { server, .. } = lookup.poll(&mut rng) else {
        panic!("the first step is a query");
    };
    lookup.handle_datagram(server, data);
    let _ = lookup.poll(&mut rng);
    assert!(lookup.mismatched() <= 1);
});
