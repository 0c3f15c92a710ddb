//! The `ecspipe` command line: parses the arguments and dispatches to the
//! commands in `ecspipe::cli` (one module each).

use std::process::ExitCode;

use clap::Parser as _;

use ecspipe::cli::{self, report, Cli, Command};

/// Rendering makes and drops many small strings and values, in parallel
/// threads: mimalloc's thread-local heaps do that faster than the system
/// allocator (measured in the book's Performance page).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    let reporter = cli.reporter();
    let outcome = match cli.command {
        Command::Build { inputs, out, force, prune } => cli::build::run(&inputs, &out, force, prune, &reporter),
        Command::Check { inputs, out } => cli::check::run(&inputs, &out, &reporter),
        Command::Fmt { inputs, check } => cli::fmt::run(&inputs, check, &reporter),
        Command::Init(options) => cli::init::run(&options, &reporter),
        Command::Graph { input, format } => cli::graph::run(&input, format, &reporter),
        Command::Explain { code } => cli::explain::run(&code, &reporter),
        Command::Debug { stage, input, format } => cli::debug::run(stage, &input, format, &reporter),
        Command::Completions { shell } => cli::completions::completions(shell),
        Command::Man => cli::completions::man(),
        Command::Lsp => cli::lsp::run(),
    };
    report::exit_code(outcome, &reporter)
}

/// Transparent huge pages off for this process: mimalloc asks for them on
/// its arenas, and the kernel then zeroes 2 MiB at a time: a one-pipeline
/// build paid about 0.8 ms of CPU for them, and a check of 300 pipelines
/// 20 MiB more peak memory, for no measurable speed.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` takes integers only
    // and changes nothing but this process's use of huge pages; a kernel
    // that refuses it leaves them on, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
