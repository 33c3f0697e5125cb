//! The symgrad benchmarks of issue 5: S1 (the three-image BCE loss, phase by
//! phase), S2 (the softmax loss at five sizes, checked against the workload
//! references) and N1 (numeric softmax regression at N = 1 000, 10 000 and
//! 60 000). Run: `cargo run --release -p symgrad-bench [-- --quick]`.
//! `bench/peers.py` prints the same table for SymPy, SymEngine, Symbolica,
//! JAX and NumPy.

/// Building expressions allocates many small nodes; mimalloc makes that
/// markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod engine;
mod measure;
mod n1;
mod peak;
mod s1;
mod s2;
mod table;
mod workload;

use clap::{Parser, ValueEnum};
use measure::Plan;
use std::path::PathBuf;
use table::{Row, Table};

/// The harness's error: a message for the user.
pub type Res<T> = Result<T, String>;

/// Benchmarks S1, S2 and N1 (see README.md, "Benchmarks").
///
/// Every result is checked against its reference before its time is
/// reported; a mismatch stops the run with exit status 1.
#[derive(Parser)]
#[command(
    override_usage = "cargo run --release -p symgrad-bench [-- OPTIONS]",
    max_term_width = 80
)]
struct Args {
    /// Every phase once at small sizes (a smoke run)
    #[arg(long)]
    quick: bool,
    /// Only these workloads (may be repeated)
    #[arg(long, value_name = "NAME", ignore_case = true)]
    only: Vec<Workload>,
    /// The symgrad binary for the whole-script phase (default: built by cargo
    /// next to this benchmark)
    #[arg(long, value_name = "PATH")]
    symgrad: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
#[value(rename_all = "UPPER")]
enum Workload {
    S1,
    S2,
    N1,
}

/// The settings of a run and its table.
pub struct Bench {
    pub plan: Plan,
    pub quick: bool,
    pub symgrad: Option<PathBuf>,
    table: Table,
}

impl Bench {
    /// Prints one row of the table.
    pub fn row(&self, workload: &str, phase: &str, value: String, note: &str) {
        self.table.add(Row {
            workload: workload.into(),
            phase: phase.into(),
            value,
            note: note.into(),
        });
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let Args {
        quick,
        only,
        symgrad,
    } = Args::parse();
    let wanted = |w: Workload| only.is_empty() || only.contains(&w);
    let profile = if cfg!(debug_assertions) {
        "debug build (times are not meaningful)"
    } else {
        "release build"
    };
    println!(
        "symgrad benchmarks — {}; {profile}; load average before: {}",
        if quick {
            "quick smoke run"
        } else {
            "medians after a warm-up"
        },
        measure::load()
    );
    println!();
    let bench = Bench {
        plan: if quick { Plan::QUICK } else { Plan::FULL },
        quick,
        symgrad,
        table: Table::start(engine::ENGINE),
    };
    if wanted(Workload::S1) {
        s1::run(&bench)?;
    }
    if wanted(Workload::S2) {
        s2::run(&bench)?;
    }
    if wanted(Workload::N1) {
        n1::run(&bench)?;
    }
    println!();
    println!("load average after: {}", measure::load());
    Ok(())
}
