//! A differential property test: random losses over float data, at
//! weights that put the logits near ±1000, with stacked and sliced
//! arguments, checked against an independent oracle.
//!
//! The oracle is mpmath (Python) evaluating the textbook formulas as they
//! are written — `log(1 − σ(z))`, `log(exp(zᵢ)/Σ exp(z))` — with enough
//! digits that nothing overflows or cancels (80 more than e^−|z| needs for
//! the largest logit z of the case), and the gradient by central
//! differences at that precision (h = 10⁻⁶⁰, so the error is far below
//! f64's). It shares no code with symgrad. For each case symgrad's
//! value, gradient, `subs`, `text` read back, `evalpoints` (value and
//! gradient at two points) and exported NumPy and JAX code (the JAX run is
//! skipped with a message when JAX is not installed) must agree with it.
//!
//! The cases come from a fixed seed; the case count is printed. Without
//! python3 or mpmath the test says it was skipped.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::Command;
use symgrad_lang::Session;

mod support;
use support::{matrix_literal, run_in};

/// How many random losses are checked.
const CASES: usize = 48;

/// The loss families; each names its formula in both languages.
#[derive(Clone, Copy, Debug)]
enum Family {
    /// `softmax_cce(Y, W*X)`.
    SoftmaxCce,
    /// `cce(Yh, softmax(hstack(W*X, C)))`: a stacked argument.
    StackedCce,
    /// `bce(y, sigmoid(W[0, :]*X))`: a sliced row.
    BceSigmoid,
    /// `bce_logits(y, W[1, :]*X)`.
    BceLogits,
    /// `-sum(log(1 - sigmoid(W[0, :]*X)))`.
    LogOneMinusSigmoid,
    /// `sum(log(1 + exp(W[1, :]*X)))`.
    LogOnePlusExp,
    /// `logsumexp(W*X) + l2(W)/1000000`.
    LogSumExp,
    /// `-sum(log(softmax(W*X)[1, :]))`: a slice of a softmax.
    LogSoftmaxRow,
    /// `cce(Yv, softmax(vstack(W*X, R)))`: a stacked row.
    VStackCce,
    /// `-sum(log(softmax(W*X, 2)[:, 0]))`: softmax along rows, a column.
    LogSoftmaxRowsColumn,
    /// `mse(Y, tanh(W*X)/2)`.
    TanhMse,
}

const FAMILIES: [Family; 11] = [
    Family::SoftmaxCce,
    Family::StackedCce,
    Family::BceSigmoid,
    Family::BceLogits,
    Family::LogOneMinusSigmoid,
    Family::LogOnePlusExp,
    Family::LogSumExp,
    Family::LogSoftmaxRow,
    Family::VStackCce,
    Family::LogSoftmaxRowsColumn,
    Family::TanhMse,
];

impl Family {
    /// The loss in symgrad's language, over `W`, `X`, `Y`, `Yh`, `C`, `y`.
    fn symgrad(self) -> &'static str {
        match self {
            Family::SoftmaxCce => "softmax_cce(Y, W*X)",
            Family::StackedCce => "cce(Yh, softmax(hstack(W*X, C)))",
            Family::BceSigmoid => "bce(y, sigmoid(W[0, :]*X))",
            Family::BceLogits => "bce_logits(y, W[1, :]*X)",
            Family::LogOneMinusSigmoid => "-sum(log(1 - sigmoid(W[0, :]*X)))",
            Family::LogOnePlusExp => "sum(log(1 + exp(W[1, :]*X)))",
            Family::LogSumExp => "logsumexp(W*X) + l2(W)/1000000",
            Family::LogSoftmaxRow => "-sum(log(softmax(W*X)[1, :]))",
            Family::VStackCce => "cce(Yv, softmax(vstack(W*X, R)))",
            Family::LogSoftmaxRowsColumn => "-sum(log(softmax(W*X, 2)[:, 0]))",
            Family::TanhMse => "mse(Y, tanh(W*X)/2)",
        }
    }

    /// The name of the oracle's function in the Python script.
    fn oracle(self) -> &'static str {
        match self {
            Family::SoftmaxCce => "softmax_cce",
            Family::StackedCce => "stacked_cce",
            Family::BceSigmoid => "bce_sigmoid",
            Family::BceLogits => "bce_logits",
            Family::LogOneMinusSigmoid => "log_one_minus_sigmoid",
            Family::LogOnePlusExp => "log_one_plus_exp",
            Family::LogSumExp => "logsumexp_l2",
            Family::LogSoftmaxRow => "log_softmax_row",
            Family::VStackCce => "vstack_cce",
            Family::LogSoftmaxRowsColumn => "log_softmax_rows_column",
            Family::TanhMse => "tanh_mse",
        }
    }
}

/// One random case: shapes, data, the loss (one or two families) and two
/// points.
struct Case {
    k: usize,
    d: usize,
    n: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    yh: Vec<f64>,
    yv: Vec<f64>,
    c: Vec<f64>,
    r: Vec<f64>,
    row: Vec<f64>,
    families: Vec<Family>,
    w: [Vec<f64>; 2],
}

/// A matrix literal of `rows`×`cols` numbers, row-major, in either
/// language (both write `[[a, b], [c, d]]`; floats read back exactly).
fn literal(v: &[f64], rows: usize, cols: usize) -> String {
    matrix_literal(&v[..rows * cols], cols)
}

/// One-hot labels: `rows`×`cols`, a 1 in a random row of each column.
fn one_hot(rng: &mut Pcg64Mcg, rows: usize, cols: usize) -> Vec<f64> {
    let mut v = vec![0.0; rows * cols];
    for j in 0..cols {
        v[rng.random_range(0..rows) * cols + j] = 1.0;
    }
    v
}

/// A float with a fractional part, of magnitude up to `scale`.
fn float(rng: &mut Pcg64Mcg, scale: f64) -> f64 {
    let x: f64 = rng.random::<f64>() * 2.0 - 1.0;
    (x * scale * 64.0).round() / 64.0 + 1.0 / 128.0
}

impl Case {
    fn random(rng: &mut Pcg64Mcg) -> Case {
        let (k, d, n) = (
            rng.random_range(2..4),
            rng.random_range(1..4),
            rng.random_range(1..4),
        );
        // Data of order 1; weights of order 1, or of order 1000 so that
        // the logits reach ±1000.
        let x = (0..d * n).map(|_| float(rng, 2.0)).collect();
        let scale = if rng.random::<f64>() < 0.6 {
            700.0
        } else {
            1.5
        };
        let w = [(); 2].map(|_| (0..k * d).map(|_| float(rng, scale)).collect());
        let first = FAMILIES[rng.random_range(0..FAMILIES.len())];
        let mut families = vec![first];
        if rng.random::<f64>() < 0.4 {
            families.push(FAMILIES[rng.random_range(0..FAMILIES.len())]);
        }
        Case {
            k,
            d,
            n,
            x,
            y: one_hot(rng, k, n),
            yh: one_hot(rng, k, n + 1),
            yv: one_hot(rng, k + 1, n),
            c: (0..k).map(|_| float(rng, 900.0)).collect(),
            r: (0..n).map(|_| float(rng, 900.0)).collect(),
            row: (0..n).map(|_| f64::from(rng.random::<bool>())).collect(),
            families,
            w,
        }
    }

    /// The statements that bind the data and the loss `L`.
    fn setup(&self) -> String {
        let (k, d, n) = (self.k, self.d, self.n);
        let loss: Vec<&str> = self.families.iter().map(|f| f.symgrad()).collect();
        format!(
            ":set digits 17\nsymbol W[{k}, {d}]\nX = {}\nY = {}\nYh = {}\nYv = {}\nC = {}\nR = {}\ny = {}\nL = {}\n",
            literal(&self.x, d, n),
            literal(&self.y, k, n),
            literal(&self.yh, k, n + 1),
            literal(&self.yv, k + 1, n),
            literal(&self.c, k, 1),
            literal(&self.r, 1, n),
            literal(&self.row, 1, n),
            loss.join(" + ")
        )
    }

    fn point(&self, p: usize) -> String {
        literal(&self.w[p], self.k, self.d)
    }
}

/// What symgrad said about one case: numbers, or the error of a step.
fn symgrad_results(case: &Case) -> Result<String, String> {
    let mut s = Session::new();
    let setup = case.setup();
    let out = run_in(&mut s, &setup);
    if out.contains("error") {
        return Err(format!("setup: {out}"));
    }
    let w0 = case.point(0);
    let points = literal(
        &[case.w[0].clone(), case.w[1].clone()].concat(),
        2,
        case.k * case.d,
    );
    let mut json = String::from("{");
    let mut ask = |key: &str, s: &mut Session, src: &str| -> Result<(), String> {
        let out = run_in(s, &format!("text({src})"));
        let nums = numbers_of(&out).ok_or_else(|| format!("{key}: {src} gave {out}"))?;
        write!(json, "\"{key}\": {nums}, ").unwrap();
        Ok(())
    };
    ask("value", &mut s, &format!("eval(L, W = {w0})"))?;
    ask("grad", &mut s, &format!("eval(grad(L, W), W = {w0})"))?;
    ask("subs", &mut s, &format!("subs(L, W = {w0})"))?;
    ask("points", &mut s, &format!("evalpoints(L, W, {points})"))?;
    ask(
        "grad_points",
        &mut s,
        &format!("evalpoints(grad(L, W), W, {points})"),
    )?;
    // The text form, read back into a session that knows only W.
    let text = run_in(&mut s, "text(L)");
    let mut fresh = Session::new();
    let back = run_in(
        &mut fresh,
        &format!(
            ":set digits 17\nsymbol W[{}, {}]\nL = {text}\ntext(eval(L, W = {w0}))",
            case.k, case.d
        ),
    );
    let nums = numbers_of(&back).ok_or_else(|| format!("text read back: {text}\ngave {back}"))?;
    write!(json, "\"text\": {nums}, ").unwrap();
    for target in ["numpy", "jax"] {
        let code = run_in(&mut s, &format!("code(L, \"{target}\", W)"));
        if code.starts_with("error") {
            return Err(format!("code for {target}: {code}"));
        }
        write!(json, "\"{target}\": {code:?}, ").unwrap();
    }
    json.push_str("\"ok\": true}");
    Ok(json)
}

/// The numbers of a text result (`1.5` or `[[1.5, 2.0], [3.0, 4.0]]`) as a
/// flat JSON list, or `None` when it is not numeric.
fn numbers_of(out: &str) -> Option<String> {
    // A matrix wider than the line is wrapped in parentheses.
    let flat = out.replace(['[', ']', '(', ')'], " ");
    let nums: Option<Vec<f64>> = flat.split(',').map(|t| t.trim().parse().ok()).collect();
    let nums = nums?;
    Some(format!(
        "[{}]",
        nums.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The Python side: the mpmath oracle and the comparisons. Reads the
/// cases as JSON from stdin; prints one line per disagreement, then
/// `checked N` and, when JAX is missing, a line saying so.
const ORACLE: &str = r#"
import json, sys, importlib.util, types
import mpmath
from mpmath import mp, mpf

def matmul(A, B):
    return [[mp.fsum(A[i][t] * B[t][j] for t in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]

def sig(z):
    return 1 / (1 + mp.exp(-z))

def softmax_cols(Z):
    cols = [mp.fsum(mp.exp(Z[i][j]) for i in range(len(Z))) for j in range(len(Z[0]))]
    return [[mp.exp(Z[i][j]) / cols[j] for j in range(len(Z[0]))] for i in range(len(Z))]

def cce(Y, P):
    n = len(P[0])
    return -mp.fsum(Y[i][j] * mp.log(P[i][j]) for i in range(len(P)) for j in range(n) if Y[i][j] != 0) / n

def softmax_cce(c, W):
    return cce(c["Y"], softmax_cols(matmul(W, c["X"])))

def stacked_cce(c, W):
    Z = [row + [c["C"][i][0]] for i, row in enumerate(matmul(W, c["X"]))]
    return cce(c["Yh"], softmax_cols(Z))

def bce_sigmoid(c, W):
    z = matmul([W[0]], c["X"])[0]
    y = c["y"][0]
    n = len(z)
    # bce(y, p) = -mean(y log p + (1 - y) log(1 - p)), terms with a zero
    # coefficient left out (0 * log 0 is 0 there).
    return -mp.fsum((y[j] * mp.log(sig(z[j])) if y[j] else 0) + ((1 - y[j]) * mp.log(1 - sig(z[j])) if y[j] != 1 else 0) for j in range(n)) / n

def bce_logits(c, W):
    z = matmul([W[1]], c["X"])[0]
    y = c["y"][0]
    return mp.fsum(mp.log(1 + mp.exp(z[j])) - y[j] * z[j] for j in range(len(z))) / len(z)

def log_one_minus_sigmoid(c, W):
    z = matmul([W[0]], c["X"])[0]
    return -mp.fsum(mp.log(1 - sig(t)) for t in z)

def log_one_plus_exp(c, W):
    z = matmul([W[1]], c["X"])[0]
    return mp.fsum(mp.log(1 + mp.exp(t)) for t in z)

def logsumexp_l2(c, W):
    Z = matmul(W, c["X"])
    return mp.log(mp.fsum(mp.exp(t) for row in Z for t in row)) + mp.fsum(w * w for row in W for w in row) / 1000000

def log_softmax_row(c, W):
    P = softmax_cols(matmul(W, c["X"]))
    return -mp.fsum(mp.log(p) for p in P[1])

def vstack_cce(c, W):
    Z = matmul(W, c["X"]) + [list(c["R"][0])]
    return cce(c["Yv"], softmax_cols(Z))

def log_softmax_rows_column(c, W):
    Z = matmul(W, c["X"])
    return -mp.fsum(mp.log(mp.exp(row[0]) / mp.fsum(mp.exp(t) for t in row)) for row in Z)

def tanh_mse(c, W):
    Z = matmul(W, c["X"])
    Y = c["Y"]
    return mp.fsum((Y[i][j] - mp.tanh(Z[i][j]) / 2) ** 2 for i in range(len(Z)) for j in range(len(Z[0]))) / (len(Z) * len(Z[0]))

def oracle(c, w):
    k, d = c["k"], c["d"]
    def f(flat):
        W = [[flat[i * d + j] for j in range(d)] for i in range(k)]
        return mp.fsum(globals()[name](c, W) for name in c["families"])
    flat = [mpf(x) for x in w]
    value = f(flat)
    h = mpf(10) ** -60
    grad = []
    for t in range(len(flat)):
        up = list(flat); up[t] += h
        down = list(flat); down[t] -= h
        grad.append((f(up) - f(down)) / (2 * h))
    return float(value), [float(g) for g in grad]

def close(got, want, what, label):
    scale = max([1.0] + [abs(w) for w in want])
    if len(got) != len(want) or any(abs(g - w) > 1e-9 * scale for g, w in zip(got, want)):
        print(f"{label}: {what}: symgrad {got}, oracle {want}")

def load(source, name):
    module = types.ModuleType(name)
    exec(source, module.__dict__)
    return module

have_jax = importlib.util.find_spec("jax") is not None
if have_jax:
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
import numpy as np

def digits(c):
    """Enough digits that 1 - sigmoid(z) and exp(z) / sum(exp) keep their
    value for every logit z of the case: e^-|z| must not round away."""
    X, C = c["X"], c["C"]
    biggest = max(abs(t) for row in C + c["R"] for t in row)
    for w in c["w"]:
        W = [w[i * c["d"]:(i + 1) * c["d"]] for i in range(c["k"])]
        for i in range(c["k"]):
            for j in range(len(X[0])):
                biggest = max(biggest, abs(sum(W[i][t] * X[t][j] for t in range(c["d"]))))
    return int(biggest / 2.302585 + 80)

cases = json.load(sys.stdin)
for c in cases:
    mp.dps = digits(c)
    c["X"] = [[mpf(x) for x in row] for row in c["X"]]
    c["C"] = [[mpf(x) for x in row] for row in c["C"]]
    c["R"] = [[mpf(x) for x in row] for row in c["R"]]
    label = c["label"]
    r = c["results"]
    v0, g0 = oracle(c, c["w"][0])
    v1, g1 = oracle(c, c["w"][1])
    close(r["value"], [v0], "value", label)
    close(r["grad"], g0, "gradient", label)
    close(r["subs"], [v0], "subs", label)
    close(r["text"], [v0], "text read back", label)
    close(r["points"], [v0, v1], "evalpoints", label)
    close(r["grad_points"], g0 + g1, "evalpoints of the gradient", label)
    targets = [("numpy", np.array)]
    if have_jax:
        targets.append(("jax", lambda a: jnp.array(a, dtype=jnp.float64)))
    for target, array in targets:
        module = load(r[target], target)
        for w, v, g in [(c["w"][0], v0, g0), (c["w"][1], v1, g1)]:
            W = array(np.array(w, dtype=np.float64).reshape(c["k"], c["d"]))
            # A loss that does not depend on W (softmax along rows of one
            # column is 1) has no parameters, and a zero gradient.
            takes_w = module.L_and_grad.__code__.co_argcount == 1
            value, grad = module.L_and_grad(W) if takes_w else module.L_and_grad()
            grad = np.broadcast_to(np.asarray(grad, dtype=np.float64), (c["k"], c["d"]))
            close([float(value)], [v], f"{target} value", label)
            close(grad.reshape(-1).tolist(), g, f"{target} gradient", label)
print(f"checked {len(cases)}")
if not have_jax:
    print("skipped running the JAX code: jax is not installed")
"#;

#[test]
fn random_losses_agree_with_a_high_precision_oracle() {
    let have = |m: &str| {
        Command::new("python3")
            .args(["-c", &format!("import {m}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("numpy") || !have("mpmath") {
        let _ = writeln!(
            std::io::stderr(),
            "skipped the differential test: it needs python3 with numpy and mpmath (python3 -m pip install numpy mpmath)"
        );
        return;
    }
    let mut rng = Pcg64Mcg::seed_from_u64(10);
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    let mut met = [false; FAMILIES.len()];
    for i in 0..CASES {
        let case = Case::random(&mut rng);
        for f in &case.families {
            met[*f as usize] = true;
        }
        let label = format!("case {i}: {}", case.setup().replace('\n', "; "));
        match symgrad_results(&case) {
            Ok(results) => {
                let families: Vec<String> = case
                    .families
                    .iter()
                    .map(|f| format!("{:?}", f.oracle()))
                    .collect();
                cases.push(format!(
                    "{{\"label\": {label:?}, \"k\": {}, \"d\": {}, \"families\": [{}], \"X\": {}, \"Y\": {}, \"Yh\": {}, \"Yv\": {}, \"C\": {}, \"R\": {}, \"y\": {}, \"w\": [[{}], [{}]], \"results\": {results}}}",
                    case.k,
                    case.d,
                    families.join(", "),
                    literal(&case.x, case.d, case.n),
                    literal(&case.y, case.k, case.n),
                    literal(&case.yh, case.k, case.n + 1),
                    literal(&case.yv, case.k + 1, case.n),
                    literal(&case.c, case.k, 1),
                    literal(&case.r, 1, case.n),
                    literal(&case.row, 1, case.n),
                    literal(&case.w[0], 1, case.w[0].len()).trim_start_matches('[').trim_end_matches(']'),
                    literal(&case.w[1], 1, case.w[1].len()).trim_start_matches('[').trim_end_matches(']'),
                ));
            }
            Err(e) => failures.push(format!("{label}\n  {e}")),
        }
    }
    let mut child = Command::new("python3")
        .args(["-c", ORACLE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("[{}]", cases.join(",\n")).as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the oracle failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut checked = 0;
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("checked ") {
            checked = n.parse().unwrap();
        } else if line.starts_with("skipped") {
            let _ = writeln!(std::io::stderr(), "{line}");
        } else {
            failures.push(line.to_string());
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "differential test: {CASES} random losses, {checked} checked against the oracle, {} disagreements",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {CASES} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, CASES);
    assert!(met.iter().all(|&m| m), "every family is met: {met:?}");
}
