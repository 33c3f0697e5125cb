//! Random programs: no input crashes, hangs or kills the session.
//!
//! Programs are drawn from the language's own pieces (numbers of every kind
//! and size, data and symbols, every operator, most built-ins, commands, bad
//! sizes and indices), then some are mutated character by character. Two
//! harnesses run them for a bounded time (`SYMGRAD_FUZZ_SECONDS` each, 3 by
//! default; `.ci/run` gives them longer):
//!
//! - in process, through `Session::run`: no panic, every failure a rendered
//!   `error:`, and the session still works after each program (with
//!   `SYMGRAD_FUZZ_LOG=file`, each statement is written to the file, after
//!   its program's number, before it runs: what kills the process is the
//!   last line);
//! - in a subprocess (`symgrad -e`), which also catches what kills a process
//!   (stack overflow, abort, out of memory): every run ends with exit code 0
//!   or 1 within the time limit, with no panic message.
//!
//! Each prints its figures (programs run, outcomes) to stderr.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use symgrad_lang::Session;

/// The time each harness runs for.
fn budget() -> Duration {
    let seconds = std::env::var("SYMGRAD_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(seconds)
}

/// The seed of the programs (`SYMGRAD_FUZZ_SEED`, else fixed, so a failure
/// repeats).
fn seed() -> u64 {
    std::env::var("SYMGRAD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

const NAMES: &[&str] = &[
    "x", "y", "w", "W", "A", "X", "L", "b", "x", "y", "w", "A", "inf", "nan",
];
const NUMBERS: &[&str] = &[
    "0", "1", "2", "3", "-1", "0.5", "1e308", "1e-320", "2.5e10", "1/3", "2^64", "10^30", "99999",
    "2^99999", "E", "pi", "-0.0", "1000", "-1000.0",
];
/// Sizes: mostly valid, one in three not.
const SIZES: &[&str] = &[
    "1",
    "2",
    "3",
    "2",
    "3",
    "1",
    "101",
    "2",
    "3",
    "2",
    "0",
    "-1",
    "1.5",
    "2^64",
    "100000000000",
    "x",
];
const UNARY: &[&str] = &[
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sigmoid",
    "softplus",
    "relu",
    "sign",
    "step",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "log1p",
    "expm1",
    "erf",
    "softmax",
    "logsumexp",
    "sum",
    "mean",
    "trace",
    "diag",
    "transpose",
    "shape",
    "size",
    "simplify",
    "expand",
    "elements",
    "text",
    "latex",
    "pretty",
    "-",
];
const BINARY: &[&str] = &["+", "-", "*", "/", "^", ".*", "./", ".^", "**"];
/// Characters mutations insert.
const NOISE: &[char] = &[
    '(', ')', '[', ']', ',', ':', ';', '=', '+', '-', '*', '/', '^', '\'', '.', '"', '#', '\n',
    'x', '0', '9', 'é', '∑', '\u{0}', '\u{7f}', '\t', ' ',
];

/// A generator of random programs.
struct Gen {
    rng: Pcg64Mcg,
}

impl Gen {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn size(&mut self) -> String {
        self.pick(SIZES).to_string()
    }

    /// A random expression at most `depth` deep.
    fn expr(&mut self, depth: u32) -> String {
        if depth == 0 || self.chance(25) {
            return self.atom();
        }
        let d = depth - 1;
        match self.rng.random_range(0..16) {
            0..=3 => format!("{} {} {}", self.expr(d), self.pick(BINARY), self.expr(d)),
            4..=6 => format!("{}({})", self.pick(UNARY), self.expr(d)),
            7 => format!("({})'", self.expr(d)),
            8 => format!("({})[{}]", self.expr(d), self.index()),
            9 => {
                let f = self.pick(&["diff", "grad", "jacobian", "hessian"]);
                let v = self.pick(&["x", "W", "[x, y]", "w", "3"]);
                format!("{f}({}, {v})", self.expr(d))
            }
            10 => {
                let f = self.pick(&["subs", "eval"]);
                let v = self.pick(&["x", "W", "w", "y"]);
                format!("{f}({}, {v} = {})", self.expr(d), self.expr(d))
            }
            11 => {
                let loss = self.pick(&["bce", "mse", "cce", "softmax_cce", "bce_logits", "l2"]);
                format!("{loss}({}, {})", self.expr(d), self.expr(d))
            }
            12 => format!(
                "{}({}, {})",
                self.pick(&["vstack", "hstack", "log"]),
                self.expr(d),
                self.expr(d)
            ),
            13 => format!(
                "descend({}, {}, {}, {})",
                self.expr(d),
                self.pick(&["w", "W", "x"]),
                self.pick(&["0.1", "1", "-1", "1e308"]),
                self.pick(&["0", "1", "5", "-3", "2.5"])
            ),
            14 => format!(
                "plot({}, w, {}, {})",
                self.expr(d),
                self.pick(&["-1", "0", "-1e308", "1"]),
                self.pick(&["1", "2", "1e308", "1.0000000000000002"])
            ),
            _ => format!("[{}, {}]", self.expr(d), self.expr(d)),
        }
    }

    fn index(&mut self) -> String {
        match self.rng.random_range(0..5) {
            0 => self.pick(&["0", "1", "-1", "5", "2^64"]).to_string(),
            1 => "0, 0".into(),
            2 => format!(
                "{}:{}",
                self.pick(&["", "0", "1"]),
                self.pick(&["", "1", "0", "-1"])
            ),
            3 => ":, 0".into(),
            _ => "0:2, :".into(),
        }
    }

    fn atom(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0..=2 => self.pick(NAMES).to_string(),
            3..=4 => self.pick(NUMBERS).to_string(),
            5 => format!(
                "[{}, {}, {}]",
                self.pick(NUMBERS),
                self.pick(NAMES),
                self.pick(NUMBERS)
            ),
            6 => "[[1, 2], [3, 4]]".to_string(),
            7 => {
                let f = self.pick(&["randn", "rand", "ones", "zeros", "eye"]);
                format!("{f}({}, {})", self.size(), self.size())
            }
            8 => format!("randint(0, 5, {}, {})", self.size(), self.size()),
            _ => self
                .pick(&[
                    "one_hot([0, 1], 2)",
                    "last_losses()",
                    "last_path()",
                    "seed(1)",
                ])
                .to_string(),
        }
    }

    fn statement(&mut self) -> String {
        match self.rng.random_range(0..21) {
            0..=5 => format!("{} = {}", self.pick(NAMES), self.expr(3)),
            6..=11 => self.expr(3),
            12 => format!("{};", self.expr(3)),
            13 => format!(
                "symbol {}[{}, {}]",
                self.pick(NAMES),
                self.size(),
                self.size()
            ),
            14 => format!("{}(x, y) = {}", self.pick(&["f", "g", "h"]), self.expr(2)),
            15 => format!(
                ":set {} {}",
                self.pick(&["width", "digits", "output", "threads"]),
                self.pick(&["10", "0", "70000", "17", "text", "latex", "pretty", "-3"])
            ),
            16 => self
                .pick(&[":vars", ":help", ":help sigmoid", ":reset", ":bogus"])
                .to_string(),
            17 => format!(
                "{} + 1",
                (0..self.rng.random_range(2..600))
                    .map(|k| format!("x{k}"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            // Data too large to be written out entry by entry (over
            // 10 000 numbers), for expressions to meet.
            18 => format!(
                "{} = {}",
                self.pick(NAMES),
                self.pick(&["randn(3, 4000)", "ones(4000, 3)", "rand(2, 6000)"])
            ),
            _ => format!("f({}, {})", self.expr(2), self.expr(2)),
        }
    }

    /// A program of a few statements, mutated one time in four.
    fn program(&mut self) -> String {
        let n = self.rng.random_range(1..5);
        let mut src = (0..n)
            .map(|_| self.statement())
            .collect::<Vec<_>>()
            .join("\n");
        if self.chance(25) {
            for _ in 0..self.rng.random_range(1..4) {
                let chars: Vec<char> = src.chars().collect();
                let at = self.rng.random_range(0..=chars.len());
                let mut out: String = chars[..at].iter().collect();
                if self.chance(50) {
                    out.push(NOISE[self.rng.random_range(0..NOISE.len())]);
                    out.extend(&chars[at..]);
                } else {
                    out.extend(chars.iter().skip(at + 1));
                }
                src = out;
            }
        }
        src
    }
}

/// What a run of one program did.
#[derive(Default, Debug)]
struct Tally {
    programs: usize,
    /// Statements run one by one (in process).
    statements: usize,
    ok: usize,
    errors: usize,
    failures: Vec<String>,
}

/// Runs `f` on a thread with the stack the `symgrad` binary gives its session.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("a thread starts")
        .join()
        .expect("the thread finishes")
}

#[test]
fn random_programs_in_process() {
    let tally = on_big_stack(|| {
        let mut generator = Gen {
            rng: Pcg64Mcg::seed_from_u64(seed()),
        };
        let mut tally = Tally::default();
        let mut session = Session::new();
        let mut log = std::env::var_os("SYMGRAD_FUZZ_LOG").map(|path| {
            std::fs::File::create(path).expect("the log (SYMGRAD_FUZZ_LOG) can be created")
        });
        let end = Instant::now() + budget();
        // Quiet panics: a panic is caught and reported with its program.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        while Instant::now() < end {
            let src = generator.program();
            tally.programs += 1;
            if tally.programs % 50 == 0 {
                session = Session::new();
            }
            // Line by line, as at the REPL: later lines run after an error.
            for line in src.lines() {
                if let Some(log) = &mut log {
                    writeln!(log, "{} {line}", tally.programs).expect("the log is written");
                }
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let mut out = Vec::new();
                    let r = session.run(line, "<fuzz>", &mut |s| out.push(s.len()));
                    let alive = session.run("1 + 1", "<check>", &mut |_| {});
                    (r, alive)
                }));
                tally.statements += 1;
                match result {
                    Ok((Ok(_), Ok(_))) => tally.ok += 1,
                    Ok((Err(e), Ok(_))) if e.starts_with("error: ") => tally.errors += 1,
                    Ok((Err(e), Ok(_))) => {
                        tally.failures.push(format!("{line:?}: bad error {e:?}"))
                    }
                    Ok((_, Err(e))) => tally
                        .failures
                        .push(format!("{line:?}: session broken: {e}")),
                    Err(_) => {
                        tally.failures.push(format!("{line:?}: panicked"));
                        session = Session::new();
                    }
                }
            }
        }
        std::panic::set_hook(hook);
        tally
    });
    eprintln!(
        "fuzz (in process): {} programs, {} statements: {} ran, {} errors, {} failures",
        tally.programs,
        tally.statements,
        tally.ok,
        tally.errors,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert!(tally.programs > 10, "too few programs ran: {tally:?}");
}

/// The longest one program may run in the subprocess harness.
const SUBPROCESS_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn random_programs_in_a_subprocess() {
    let mut generator = Gen {
        rng: Pcg64Mcg::seed_from_u64(seed() ^ 0x5eed),
    };
    let mut tally = Tally::default();
    let end = Instant::now() + budget();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    while Instant::now() < end {
        let src = generator.program();
        tally.programs += 1;
        // The program as a script on standard input (it may hold NUL bytes).
        let mut child = Command::new(env!("CARGO_BIN_EXE_symgrad"))
            .args(["--width", "80"])
            .current_dir(&dir)
            .env("SYMGRAD_HISTORY", "/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the symgrad binary starts");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(src.as_bytes());
        }
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting works") {
                break Some(status);
            }
            if started.elapsed() > SUBPROCESS_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let stderr = reader.join().unwrap_or_default();
        match status.and_then(|s| s.code()) {
            _ if stderr.contains("panicked") || stderr.contains("overflowed") => {
                tally.failures.push(format!("{src:?}: {stderr}"));
            }
            Some(0) => tally.ok += 1,
            Some(1) if stderr.starts_with("error: ") || stderr.starts_with("symgrad: ") => {
                tally.errors += 1
            }
            None if status.is_none() => tally
                .failures
                .push(format!("{src:?}: still running after {SUBPROCESS_LIMIT:?}")),
            other => tally.failures.push(format!(
                "{src:?}: exit {other:?} (a signal if None): {stderr}"
            )),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "fuzz (subprocess): {} programs: {} ran, {} errors, {} crashes or hangs",
        tally.programs,
        tally.ok,
        tally.errors,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert!(tally.programs > 3, "too few programs ran: {tally:?}");
}
