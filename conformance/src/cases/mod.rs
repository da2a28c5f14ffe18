//! The cases, one folder per crate: `cases/<crate>/<group>.rs` holds exactly
//! the cases `<crate>.<group>.*` (a test checks it), and each crate's
//! `support.rs` (this folder's for helpers shared across crates) holds the
//! helpers its groups share and no cases.

use crate::Case;

mod cli;
mod crypto;
mod dns;
mod http;
mod ip;
mod link;
mod support;
pub mod tcp;
mod tls;

/// Appends every case of every crate to `all`.
pub(crate) fn register(all: &mut Vec<Case>) {
    all.extend(cli::cases());
    all.extend(crypto::cases());
    all.extend(dns::cases());
    all.extend(http::cases());
    all.extend(ip::cases());
    all.extend(link::cases());
    all.extend(tcp::cases());
    all.extend(tls::cases());
}
