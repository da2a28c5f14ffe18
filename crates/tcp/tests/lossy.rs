//! Property: over a link that drops, duplicates and reorders, every byte is
//! delivered exactly once and in order, and both ends finish closed.

mod common;

use common::{exchange, pattern, SplitMix};
use handshake_tcp::conn::pair::{Fate, Pair};
use handshake_tcp::conn::{Config, State};
use handshake_tcp::wire::SeqNumber;
use handshake_time::Duration;
use proptest::prelude::*;

fn lossy_run(seed: u64, loss: u64, dup: u64, reorder: u64, up: usize, down: usize, isn: u32) {
    let cfg = Config::default().recv_buffer(32 * 1024).mss(1000);
    let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(isn));
    let mut rng = SplitMix(seed);
    p.fate = Box::new(move |_, _, _| {
        if rng.chance(loss) {
            Fate::Drop
        } else if rng.chance(dup) {
            Fate::Duplicate
        } else if rng.chance(reorder) {
            Fate::Delay(Duration::from_millis(rng.next_u64() % 40))
        } else {
            Fate::Deliver
        }
    });
    let (a, b) = (pattern(up, 1), pattern(down, 2));
    let (c_got, s_got) = exchange(&mut p, &a, &b, true, Duration::from_secs(3000));
    assert_eq!(
        s_got.len(),
        a.len(),
        "server got {} of {}",
        s_got.len(),
        a.len()
    );
    assert!(s_got == a, "client->server bytes differ");
    assert_eq!(c_got.len(), b.len());
    assert!(c_got == b, "server->client bytes differ");
    let end = |s: State| matches!(s, State::Closed | State::TimeWait);
    let server = p.server_ref().expect("accepted").state();
    assert!(
        end(p.client.state()) && end(server),
        "client {:?}, server {:?}",
        p.client.state(),
        server
    );
    assert!(p.client.recv_finished());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn exactly_once_in_order_and_closed(
        seed in any::<u64>(),
        loss in 0u64..=20,
        dup in 0u64..=10,
        reorder in 0u64..=20,
        up in 0usize..60_000,
        down in 0usize..60_000,
        isn in prop_oneof![any::<u32>(), (u32::MAX - 20_000)..=u32::MAX],
    ) {
        lossy_run(seed, loss, dup, reorder, up, down, isn);
    }
}

#[test]
fn heavy_loss_fixed_seeds() {
    for seed in 0..8 {
        lossy_run(seed, 20, 10, 20, 100_000, 50_000, u32::MAX - 5000);
    }
}
