//! `handshake`: the request flow of the project's notes as a command —
//! parse the URL, resolve the name with our resolver, connect, wrap the
//! connection in our TLS for https, send the request with our HTTP/1.1
//! client, read the answer — and the pieces on their own (`resolve`,
//! `tls`), plus a small server (`serve`).
//!
//! Every subcommand has `--help` and `--json`; an error is one line on
//! stderr and a non-zero exit status.

mod chart;
mod common;
mod fetch;
mod ladder;
mod resolve;
mod serve;
mod tcp;
mod tlsinfo;
mod via;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "handshake",
    version,
    about = "Fetch, serve, resolve and inspect with Handshake's own DNS, TLS and HTTP/1.1"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fetch URLs over HTTP/1.1 or HTTPS (one connection reused for URLs of the same origin)
    Fetch(fetch::Args),
    /// Serve files (or a fixed body) over HTTP and HTTPS
    Serve(serve::Args),
    /// Look names up with the resolver (cache, hosts file, then the system's servers, --server, or --iterative from the root)
    Resolve(resolve::Args),
    /// Run a TLS handshake and show what was agreed and the server's certificates
    Tls(tlsinfo::Args),
    /// Send bytes with our TCP to the kernel's through a TUN device (Linux, root): congestion control, loss and delay of your choice; the first and last segments, a summary, and a cwnd/ssthresh chart (SVG and PNG)
    Tcp(tcp::Args),
    /// Print the completion script for a shell (e.g. `source <(handshake completions bash)`)
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        // Bad input is one line, as every other failure (clap's own
        // message, without its usage block), and exit status 2.
        Err(e) => {
            let text = e.render().to_string();
            let line = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect::<Vec<_>>()
                .join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            common::fail(&anyhow::anyhow!("{line} (see --help)"));
            return ExitCode::from(2);
        }
    };
    if let Command::Completions { shell } = cli.command {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(shell, &mut cmd, "handshake", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return common::fail(&anyhow::anyhow!("cannot start the runtime: {e}")),
    };
    let result = rt.block_on(async {
        match cli.command {
            Command::Fetch(a) => fetch::run(a).await,
            Command::Serve(a) => serve::run(a).await,
            Command::Resolve(a) => resolve::run(a).await,
            Command::Tls(a) => tlsinfo::run(a).await,
            Command::Tcp(a) => tcp::run(a).await,
            Command::Completions { .. } => Ok(()),
        }
    });
    // Connection tasks of `serve` may still run: do not wait for them.
    rt.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => common::fail(&e),
    }
}
