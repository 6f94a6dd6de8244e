//! `rampart`: the Rampart command line (a drop-in `cannon` plus the rest of the fault-proof stack).
#![allow(unreachable_pub)]

mod bundle;
mod cmd;
mod host_process;
mod matcher;

use clap::{Parser, Subcommand};

/// Rampart: a Rust fault-proof stack for OP Stack chains.
#[derive(Parser, Debug)]
#[command(name = "rampart", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode batcher data (L1 transactions, blobs, channels) into frames, channels and batches as JSON.
    BatchDecode(cmd::batch_decode::BatchDecodeArgs),
    /// Benchmark the VM against qemu-mips64-static on bundled guests.
    Bench(cmd::bench::BenchArgs),
    /// Run the bundled end-to-end demo.
    Demo(cmd::demo::DemoArgs),
    /// A local OP Stack devnet on geth and op-geth (up, record).
    Devnet(cmd::devnet::DevnetArgs),
    /// Execute one L2 block statelessly from a fixture's preimages.
    ExecuteBlock(cmd::execute_block::ExecuteBlockArgs),
    /// Serve preimages and hints to a VM (fds 3-6) or natively.
    Host(cmd::host::HostArgs),
    /// Load an ELF into an initial VM state (cannon load-elf).
    LoadElf(cmd::load_elf::LoadElfArgs),
    /// Print the absolute prestate hash of the fault-proof program ELF.
    Prestate(cmd::prestate::PrestateArgs),
    /// Run a VM state, writing proofs and snapshots (cannon run).
    Run(cmd::run::RunArgs),
    /// Check a step proof with the stateless verifier (MIPS64.step).
    Verify(cmd::verify::VerifyArgs),
    /// Prove or finalize the withdrawals of a recorded devnet dataset.
    #[command(subcommand_value_name = "prove|finalize")]
    Withdrawal(cmd::withdrawal::WithdrawalArgs),
    /// Print the witness of a state (cannon witness).
    Witness(cmd::witness::WitnessArgs),
}

/// A command failure: message for stderr and the process exit code.
#[derive(Debug)]
pub struct CliError {
    /// Process exit code (1 error, 2 VM panic).
    pub code: i32,
    /// One-line message.
    pub message: String,
}

impl CliError {
    /// An ordinary failure (exit 1).
    pub fn fail(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
    /// A bad flag or argument (exit 1).
    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                std::process::exit(if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { 1 } else { 0 });
            }
            if matches!(e.kind(), ErrorKind::MissingRequiredArgument | ErrorKind::MissingSubcommand) {
                // clap's whole message: it names the missing flags and shows the usage line.
                let _ = e.print();
                std::process::exit(1);
            }
            let text = e.to_string();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments");
            eprintln!("{}", first.trim());
            std::process::exit(1);
        }
    };
    let result = match cli.command {
        Command::BatchDecode(a) => cmd::batch_decode::run(a),
        Command::Bench(a) => cmd::bench::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Devnet(a) => cmd::devnet::run(a),
        Command::ExecuteBlock(a) => cmd::execute_block::run(a),
        Command::Host(a) => cmd::host::run(a),
        Command::LoadElf(a) => cmd::load_elf::run(a),
        Command::Prestate(a) => cmd::prestate::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Withdrawal(a) => cmd::withdrawal::run(a),
        Command::Witness(a) => cmd::witness::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {}", e.message);
        std::process::exit(e.code);
    }
}
