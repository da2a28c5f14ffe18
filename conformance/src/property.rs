//! Property cases: proptest, seeded from the run's `--seed` so a failure replays.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::{Ctx, Outcome};

/// Checks `test` over `ctx.property_cases` inputs drawn from `strategy`.
///
/// The runner's RNG is derived from `ctx.seed`, so `cargo xtask conformance
/// --seed N` replays a failure exactly. A failure's reason carries the seed
/// and proptest's minimal failing input.
pub fn check_property<S, F>(ctx: &Ctx, strategy: S, test: F) -> Outcome
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), TestCaseError>,
{
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&ctx.seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let config = Config {
        cases: ctx.property_cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng);
    match runner.run(&strategy, test) {
        Ok(()) => Outcome::Pass,
        Err(TestError::Fail(why, input)) => Outcome::Fail(format!(
            "{why}; minimal input: {input:?} (replay with --seed {})",
            ctx.seed
        )),
        Err(TestError::Abort(why)) => Outcome::Fail(format!(
            "property aborted: {why} (replay with --seed {})",
            ctx.seed
        )),
    }
}
