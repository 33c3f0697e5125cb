//! Inputs that once crashed, hung or ate the machine (issue 10), kept as
//! regression tests: each is now a clear `error:` (or works), quickly, and
//! the session lives on. Also memory on rebinding and Ctrl-C in the REPL.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::error_line;
use symgrad_lang::Session;

fn symgrad() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_symgrad"));
    command
        .env("SYMGRAD_HISTORY", "/dev/null")
        .env("NO_COLOR", "1");
    command
}

/// The scratch directory of these tests, under the build's `target/tmp`.
fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Runs `symgrad args…` in the scratch directory; fails the test if it
/// takes longer than `limit` or dies of a signal or a panic.
#[track_caller]
fn run_within(args: &[&str], limit: Duration) -> Output {
    run_input(args, "", limit)
}

/// [`run_within`] with `input` on standard input.
#[track_caller]
fn run_input(args: &[&str], input: &str, limit: Duration) -> Output {
    let started = Instant::now();
    let mut child = symgrad()
        .args(args)
        .current_dir(scratch())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the symgrad binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("symgrad finishes");
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        started.elapsed() < limit,
        "{args:?} took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{args:?} ended with {:?}: {stderr}",
        output.status
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{args:?}: {stderr}"
    );
    output
}

/// Runs statements (as a script on standard input); returns stdout and stderr.
#[track_caller]
fn run(src: &str) -> (String, String) {
    let o = run_input(&["--width", "80"], src, Duration::from_secs(120));
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Asserts `src` fails with an error whose message contains `message`.
#[track_caller]
fn fails_with(src: &str, message: &str) -> String {
    let (_, err) = run(src);
    let short: String = src.chars().take(200).collect();
    let shown: String = err.chars().take(2000).collect();
    assert!(
        err.starts_with("error: ") && error_line(&err).contains(message),
        "{short}: expected an error with {message:?}, got:\n{shown}"
    );
    err
}

/// The number printed by a statement.
#[track_caller]
fn number(src: &str) -> f64 {
    let (out, err) = run(src);
    out.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{src}: not a number: {out:?} {err}"))
}

#[test]
fn square_data_over_ten_thousand_elements_multiplies() {
    // Each entry of A⋅A against the sum of products written out.
    for product in ["A*A", "A^2"] {
        let d = number(&format!(
            "seed(3); A = randn(101, 101); B = {product}; eval(B)[3, 5] - sum(A[3, :] .* A[:, 5]')"
        ));
        assert!(d.abs() < 1e-12, "{product}: {d}");
    }
    let d = number("seed(3); A = randn(101, 101); eval(A^3 - A*A*A)[7, 2]");
    assert!(d.abs() < 1e-10, "{d}");
}

#[test]
fn a_matrix_of_expressions_with_data_too_large_to_write_out_stays_an_operation() {
    // More than 10 000 entries are not written out entry by entry; this
    // used to recurse until the stack overflowed. Each sum is checked
    // against its value by hand: with A = 2 every column sums to 2⋅c + …
    for (op, each) in [
        ("+", 3.0 + 3.0 + 2.0),
        (".*", 2.0 + 2.0 + 1.0),
        (".^", 2.0 + 2.0 + 1.0),
    ] {
        let got = number(&format!("eval(sum([2, A, 1] {op} ones(3, 20000)), A = 2)"));
        assert_eq!(got, each * 20000.0, "{op}");
    }
    let got = number("x = randn(3, 20000); eval(sum([2, A, 1] + x + 1 - x), A = 2)");
    assert!((got - 8.0 * 20000.0).abs() < 1e-6, "{got}");
}

#[test]
fn widths_and_long_names_are_bounded() {
    let o = run_within(&["--width", "70000", "-e", "1"], Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("from 10 to 1000"));
    fails_with(":set width 100000", "from 10 to 1000");
    let name = "a".repeat(70_000);
    let (out, err) = run(&format!(
        "{name} = 1\n:set width 1000\n:vars\nplot({name} * w, w, 0, 1)"
    ));
    assert!(err.is_empty(), "{err}");
    assert!(out.contains(&format!("{name}  scalar")));
}

#[test]
fn text_of_a_huge_matrix_is_a_notice() {
    // From the fuzzer: `log1p(acos(randint(0, 5, 100000000, 2)))` in text
    // output wrote all 2⋅10⁸ numbers, for minutes and past 17 GB.
    let (out, err) =
        run(":set output text\nlog1p(acos(randint(0, 5, 1000000, 2)))\ntext(randn(2, 600000))");
    assert!(err.is_empty(), "{err}");
    let notice = "<an expression holding 2000000 numbers, too large to print as text";
    assert!(out.starts_with(notice), "{out}");
    assert!(
        out.contains("<an expression holding 1200000 numbers"),
        "{out}"
    );
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}

#[test]
fn endless_files_are_read_within_limits() {
    let dir = scratch();
    for name in ["zero.csv", "zero.npy"] {
        let _ = std::fs::remove_file(dir.join(name));
        std::os::unix::fs::symlink("/dev/zero", dir.join(name)).expect("a symlink");
    }
    fails_with("load(\"zero.csv\")", "a line is longer than 64 MiB");
    fails_with("load(\"zero.npy\")", "is not a .npy file");
    fails_with(":load /dev/zero", "larger than 16 MiB");
    let o = run_within(&["/dev/zero"], Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than 16 MiB"));
}

#[test]
fn invalid_utf8_names_the_line_and_byte() {
    let path = scratch().join("bad.sg");
    std::fs::write(&path, b"x = 1\ny = \xff\n").expect("a file");
    let o = run_within(
        &[path.to_str().unwrap_or_default()],
        Duration::from_secs(30),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not UTF-8 text (line 2, byte 5)"), "{err}");
}

#[test]
fn exact_numbers_are_bounded_in_bits() {
    let started = Instant::now();
    let err = fails_with("a = 2^99999; b = a^99999; c = b*b", "bits is too large");
    assert!(err.contains("floats"), "{err}");
    fails_with("a = 2^99999; b = a*a; c = b*b", "bits is too large");
    fails_with("a = 3^99999; a^99999", "bits is too large");
    fails_with(
        "a = (3/2)^99999; b = a*a; c = b*b; d = c*c",
        "bits is too large",
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    // Below the limit numbers stay exact: 2^99999 has 30 103 digits.
    let (out, _) = run(":set output text\n2^99999");
    assert_eq!(out.trim().len(), 30_103);
    assert!(out.starts_with("4995010465"), "{}", &out[..20]);
}

#[test]
fn ranges_too_wide_for_floats_are_not_plotted() {
    fails_with("plot(w*1e308, w, -1, 1, \"a.svg\")", "too wide for floats");
    fails_with("plot(w*1e308, w, -1, 1)", "too wide for floats");
    fails_with(
        "plot(w, w, -1e308, 1e308)",
        "cannot draw w from -1e308 to 1e308: the range is too wide for floats",
    );
    fails_with(
        "symbol v[2]\nplot(v[0] + v[1], v, [0, -1e308], [1, 1e308])",
        "cannot draw v[1] from -1e308 to 1e308: the range is too wide for floats",
    );
    // Just inside: sampled across the whole range ((hi − lo)⋅k, the k-th
    // sample's offset times 300, would overflow past the ninth sample).
    let (out, err) = run("plot(w, w, -1e307, 1e307)");
    let top = out.lines().nth(1).unwrap_or("");
    assert!(err.is_empty() && top.ends_with(" 1.00e307"), "{out}{err}");
    // Equal values (up to rounding) are drawn around their value.
    let (out, err) = run("plot(1 + w*1e-17, w, -1, 1)");
    assert!(err.is_empty() && out.contains("1e-17"), "{out}{err}");
}

#[test]
fn long_names_and_big_derivatives_answer_quickly() {
    let started = Instant::now();
    let name = "q".repeat(100_000);
    fails_with(&format!("{name}(1)"), "unknown function");
    fails_with(
        "symbol W[200, 1]; hessian(sum(W), W)",
        "more than the 10000 allowed",
    );
    fails_with(
        "symbol W[200, 1]; jacobian(W .* W, W)",
        "more than the 10000 allowed",
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn derivatives_of_deeply_shared_chains_answer_quickly() {
    // 60 levels of `y = y + sin(y)/8`: the chain rule's sums share their
    // parts, and a walk of them as a tree (looking for a denominator) took
    // 2⁶⁰ steps. The derivative against a central difference.
    let chain = "y = y + sin(y)/8\n".repeat(60);
    let (out, err) = run(&format!(
        "symbol x\ny = sin(x)\n{chain}d = diff(y, x);\n:set output text\n\
         eval(d, x = 0.3)\n(eval(y, x = 0.3 + 1e-5) - eval(y, x = 0.3 - 1e-5)) / 2e-5"
    ));
    assert!(err.is_empty(), "{err}");
    let v: Vec<f64> = out.lines().map(|l| l.trim().parse().unwrap()).collect();
    assert!((v[0] - v[1]).abs() <= 1e-7 * v[1].abs(), "{v:?}");
    // By an element, through 20 levels of a matrix chain: simplifying each
    // node looked for a denominator through all the shared sums below it
    // (9 s at 15 levels, tripling with each level).
    let chain = "Y = tanh(W*Y) + Y\n".repeat(20);
    let (out, err) = run(&format!(
        "symbol W[2, 2]\nX = [[1, 2, 3], [0.5, -1, 2]]\nY = W*X\n{chain}\
         d = diff(sum(Y), W[0, 1]);\n:set output text\nW0 = [[0.1, 0.2], [0.3, -0.1]]\n\
         D = [[0, 1], [0, 0]]\neval(d, W = W0)\n\
         (eval(sum(Y), W = W0 + 1e-6 * D) - eval(sum(Y), W = W0 - 1e-6 * D)) / 2e-6"
    ));
    assert!(err.is_empty(), "{err}");
    let v: Vec<f64> = out.lines().map(|l| l.trim().parse().unwrap()).collect();
    assert!((v[0] - v[1]).abs() <= 1e-7 * v[1].abs(), "{v:?}");
}

#[test]
fn clear_errors() {
    // 501 terms, and 100 000: flat, not nested.
    let ones = vec!["1"; 501].join(" + ");
    assert_eq!(number(&ones), 501.0);
    let terms: Vec<String> = (0..100_000).map(|k| format!("{k}*x")).collect();
    let (out, err) = run(&format!(":set output text\n{}", terms.join(" + ")));
    assert_eq!(
        out.trim(),
        "4999950000*x",
        "{}",
        &err[..err.len().min(2000)]
    );
    // A megabyte line: the snippet is cut around the error, to the width.
    let err = fails_with(
        &format!("{}[1, 2]*[1, 2]", "x + ".repeat(250_000)),
        "shape mismatch",
    );
    assert!(err.len() < 1000, "{} bytes", err.len());
    assert!(err.contains(":1:1000007"), "{err}");
    assert!(
        err.contains("1 | … x + x") && err.contains("x + x + [1, 2]*[1, 2]\n"),
        "{err}"
    );
    fails_with("ones(2^64, 1)", "this integer is too large");
    fails_with("X = [1, 2, 3]; X[1:1]", "is empty");
    fails_with(
        "symbol W[9, 9]; elements(inv(W))",
        "the determinant or inverse of a 9×9 matrix is too large to write element by element",
    );
    for name in ["inf", "nan", "NaN", "Infinity"] {
        let err = fails_with(&format!("{name} + 1"), "no infinity or NaN");
        assert!(err.contains(&format!("symbol {name}")), "{err}");
    }
    // A built-in name is refused before its value is worked out: the
    // error is about the name, not about the value's own problem.
    for (src, name) in [
        ("E = nosuchfunction(1)", "E"),
        ("pi = [1, 2] * [1, 2]", "pi"),
    ] {
        let err = fails_with(src, "is a built-in name and cannot be rebound");
        assert!(err.contains(&format!("'{name}'")), "{err}");
    }
}

/// A binding whose elements cannot all be formed (`log(0)` inside a stack,
/// found by the fuzzer) does not break the results shown after it: they are
/// shown, and the binding itself fails only where it is evaluated.
#[test]
fn a_binding_without_all_its_elements_leaves_later_results_alone() {
    let (out, err) = run("symbol w\ny = log(hstack(w, 0))\n1 + 1\ny'\nsum(y) + w");
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.lines().next(), Some("2"), "{out}");
    assert!(out.contains("hstack(w, 0)"), "{out}");
    fails_with("symbol w\ny = log(hstack(w, 0))\neval(y, w = 2)", "log(0)");
}

#[test]
fn descend_keeps_the_path_only_when_small() {
    let (out, err) = run(
        "symbol W[10, 784]; L = sum((W - 1) .^ 2); W1 = descend(L, W, 0.1, 1000)\n\
         shape(last_losses())\nlast_path()",
    );
    assert!(out.contains("[1001  1]"), "{out}");
    assert!(err.contains("too large to keep"), "{err}");
    let (out, err) = run("L = (w - 1)^2; w1 = descend(L, w, 0.25, 3, 3); shape(last_path())");
    assert!(out.contains("[4  1]"), "{out}{err}");
}

/// Runs `src` in `session`; the rendered error if it fails.
fn quiet(session: &mut Session, src: &str) -> Result<(), String> {
    session.run(src, "<test>", &mut |_| {}).map(|_| ())
}

#[test]
fn rebinding_and_failing_statements_do_not_grow_the_session() {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let mut s = Session::new();
            let setup = "seed(5); A = randn(2, 2); a = A[0, 0]; symbol W[2, 2]; L = sum(W .* A)";
            quiet(&mut s, setup).expect("setup");
            let one = 1000 * 1000 * 8;
            for k in 0..25 {
                quiet(&mut s, "X = randn(1000, 1000)").expect("binding");
                // A statement that builds data and then fails leaves garbage.
                assert!(quiet(&mut s, "Y = randn(1000, 1000) * [1, 2]").is_err());
                let size = s.memory_footprint();
                // Without collection: two matrices more at each step.
                assert!(
                    size < (64 << 20) + 4 * one,
                    "after {k} rebindings the pool holds {size} bytes"
                );
            }
            // The bindings made before are intact: the same draws again, and
            // the gradient of the symbolic loss is the matrix it was built on.
            let mut out = Vec::new();
            s.run(
                "seed(5); B = randn(2, 2); B[0, 0] - a\ngrad(L, W) - B",
                "<test>",
                &mut |t| out.push(t.to_string()),
            )
            .expect("reads the old bindings");
            assert_eq!(out[0], "0.0");
            assert!(
                out[1]
                    .chars()
                    .filter(|c| c.is_ascii_digit())
                    .all(|c| c == '0'),
                "{}",
                out[1]
            );
        })
        .expect("a thread")
        .join()
        .expect("the test thread");
}

#[test]
fn ctrl_c_stops_a_long_computation_and_keeps_the_bindings() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 (for its pty module) is not installed");
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/support/ctrl_c.py");
    // Symbolic work (building element expressions) and compiled evaluation.
    let statements = [
        "symbol W[99, 99]; Es = elements(exp(W) * exp(W) * exp(W))",
        &format!(
            "X = randn(600, 600); Y = eval({})",
            (1..200)
                .map(|k| format!("(X + {k})"))
                .collect::<Vec<_>>()
                .join(" * ")
        ),
        // One large compiled matrix power (Ctrl-C is seen between pieces).
        "A = randn(3000, 3000); B = eval(A^8)",
    ];
    // An endless history file (`/dev/zero`) is not read: the prompt comes.
    let histories = ["/dev/null", "/dev/zero", "/dev/null"];
    // Ctrl-C a second after each statement starts (each takes 4 s or more
    // on a Zen 5 core), and "interrupted" within 60 s.
    for (statement, history) in statements.iter().zip(histories) {
        let o = Command::new("python3")
            .args([script, env!("CARGO_BIN_EXE_symgrad"), statement, "60", "1"])
            .env("SYMGRAD_HISTORY", history)
            .output()
            .expect("python3 runs");
        let report = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{report}");
        assert!(report.contains("kept its bindings"), "{report}");
    }
}

/// Folds of many big exact numbers check the interrupt between operations:
/// an exact matrix product, elementwise products and their sum, each of
/// entries of about 63 000 bits, stop within 5 s of Ctrl-C, sent 1 s after
/// the statement (the elementwise ones run for only 2.5–7 s, so a later
/// Ctrl-C could find them done). Alone each stops within about 0.05 s; 5 s
/// leaves room for the other tests sharing the machine's cores.
#[test]
fn ctrl_c_stops_folds_of_big_exact_numbers() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 (for its pty module) is not installed");
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/support/ctrl_c.py");
    let big = "a = 3^40000 + 1; M = a * ones(100, 100)";
    for statement in [
        format!("{big}; P = M * M"),
        format!("{big}; s = sum(M .* M)"),
        format!("{big}; s = sum(M * a + M)"),
    ] {
        let o = Command::new("python3")
            .args([script, env!("CARGO_BIN_EXE_symgrad"), &statement, "5", "1"])
            .output()
            .expect("python3 runs");
        let report = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{statement}: {report}");
        assert!(report.contains("kept its bindings"), "{report}");
    }
}

/// Piping an endless script is cut off too.
#[test]
fn endless_standard_input_is_cut_off() {
    let mut child = symgrad()
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'1'; 1 << 16];
        while stdin.write_all(&chunk).is_ok() {}
    });
    let o = child.wait_with_output().expect("it ends");
    let _ = writer.join();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than 16 MiB"));
}
