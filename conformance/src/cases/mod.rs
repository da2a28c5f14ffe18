//! The cases, one module per crate. Each module exposes `cases()`.

use crate::Case;

mod crypto;
mod crypto_pk;
mod dissector;
mod dns;
mod dns_interop;
mod dns_scenarios;
mod dns_sim;
mod dns_stub;
mod dns_vectors;
mod ip;
mod tcp;
mod tcp_cc;
mod tcp_conn;
mod tcp_flow;
mod tcp_interop;
mod tcp_req;
pub mod tcp_script;
mod tcp_sim;

/// Appends every case of every crate to `all`.
pub(crate) fn register(all: &mut Vec<Case>) {
    all.extend(crypto::cases());
    all.extend(crypto_pk::cases());
    all.extend(dns::cases());
    all.extend(dns_vectors::cases());
    all.extend(dns_stub::cases());
    all.extend(dns_sim::cases());
    all.extend(dns_interop::cases());
    all.extend(dns_scenarios::cases());
    all.extend(ip::cases());
    all.extend(tcp::cases());
    all.extend(tcp_cc::cases());
    all.extend(tcp_conn::cases());
    all.extend(tcp_flow::cases());
    all.extend(tcp_interop::cases());
    all.extend(tcp_req::cases());
    all.extend(tcp_script::cases());
    all.extend(tcp_sim::cases());
    all.extend(dissector::cases());
}
