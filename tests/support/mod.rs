//! Helpers shared by the language-level tests: run statements in a
//! session and read back what they print.
#![allow(dead_code)] // each test file uses some of them

use expect_test::Expect;
use symgrad_lang::Session;

/// Runs `src` in `session`; returns the outputs, or the rendered error after
/// the outputs that came before it.
pub fn run_in(session: &mut Session, src: &str) -> String {
    let mut out = Vec::new();
    let result = session.run(src, "<test>", &mut |s| out.push(s.to_string()));
    if let Err(e) = result {
        out.push(e);
    }
    out.join("\n")
}

/// The first error in `out` as one line, `error: …` with its message,
/// though a long message is wrapped at the width.
pub fn error_line(out: &str) -> String {
    let from = out.find("error: ").unwrap_or(out.len());
    let lines = out[from..]
        .lines()
        .take_while(|l| !l.trim_start().starts_with("-->"));
    lines.map(str::trim).collect::<Vec<_>>().join(" ")
}

/// Runs `src` in a fresh session.
pub fn run(src: &str) -> String {
    run_in(&mut Session::new(), src)
}

#[track_caller]
pub fn check(src: &str, expected: Expect) {
    expected.assert_eq(&run(src));
}

#[track_caller]
pub fn check_in(session: &mut Session, src: &str, expected: Expect) {
    expected.assert_eq(&run_in(session, src));
}

/// A session with `setup` run in it and 17 significant digits.
#[track_caller]
pub fn session(setup: &str) -> Session {
    let mut s = Session::new();
    let out = run_in(&mut s, &format!(":set digits 17\n{setup}"));
    assert!(!out.contains("error"), "the setup failed:\n{out}");
    s
}

/// The numbers of the value of `expr`, row by row, from its text form
/// (floats, and exact numbers such as `-1/3`).
#[track_caller]
pub fn numbers(s: &mut Session, expr: &str) -> Vec<f64> {
    let out = run_in(s, &format!("text({expr})"));
    let number = |t: &str| -> Option<f64> {
        match t.split_once('/') {
            Some((p, q)) => Some(p.trim().parse::<f64>().ok()? / q.trim().parse::<f64>().ok()?),
            None => t.trim().parse().ok(),
        }
    };
    out.replace(['[', ']', '(', ')'], " ")
        .split(',')
        .map(|t| number(t).unwrap_or_else(|| panic!("{expr} is not numeric: {out}")))
        .collect()
}

/// Whether python3 with mpmath is here, the oracle of the high-precision
/// tests; when not, says that the test is skipped.
pub fn have_mpmath() -> bool {
    let here = std::process::Command::new("python3")
        .args(["-c", "import mpmath"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !here {
        eprintln!("skipped: needs python3 with mpmath (python3 -m pip install mpmath)");
    }
    here
}

/// What `python3 -c program` prints (CI installs NumPy, JAX and mpmath);
/// fails the test with Python's error output when it fails.
#[track_caller]
pub fn python(program: &str) -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", program])
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "python3 failed:\n{stderr}");
    String::from_utf8(out.stdout).expect("Python prints UTF-8")
}

/// Asserts that `got` equals `want` element by element within `rtol`
/// (relative to the larger magnitude, with `atol` as the floor).
#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], rtol: f64, atol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        // Written so that NaN fails.
        let ok = (g - w).abs() <= rtol * g.abs().max(w.abs()) + atol;
        assert!(
            ok,
            "{what}[{k}]: got {g}, expected {w}\n  got {got:?}\n want {want:?}"
        );
    }
}

/// A row-major matrix of `cols` columns as a literal of the language (and
/// of Python), every digit kept: `[[a, b], [c, d]]`.
pub fn matrix_literal(values: &[f64], cols: usize) -> String {
    let rows: Vec<String> = values
        .chunks(cols)
        .map(|r| {
            let r: Vec<String> = r.iter().map(|x| format!("{x:?}")).collect();
            format!("[{}]", r.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// mpmath at 60 digits and `F(x)`, `l2(softmax((W⋅Wᵀ).^2, 2))` of the 3×2
/// `W` of row-major entries `x`: the oracle of the softmax-derivative tests.
pub const MPMATH_L2_SOFTMAX: &str = "import mpmath as mp\nmp.mp.dps = 60\n\
    def F(x):\n    W = mp.matrix(3, 2)\n    for k in range(6): W[k // 2, k % 2] = x[k]\n    \
    A = W * W.T\n    total = 0\n    for i in range(3):\n        \
    e = [mp.exp(A[i, j] ** 2) for j in range(3)]\n        \
    total += sum(t * t for t in e) / sum(e) ** 2\n    return total";
