//! "Did you mean …?" for near-miss names, and symgrad's spelling of
//! SymPy's and NumPy's functions.

/// The candidate closest to `name` by edit distance (insertions, deletions,
/// substitutions and swaps of adjacent characters, ignoring case), if it is
/// close enough: at most one edit per three characters of the longer name.
/// Never suggests `name` itself. Ties go to the alphabetically first.
///
/// ```
/// use symgrad_lang::did_you_mean;
/// let known = ["sigmoid", "log", "softmax", "exp"];
/// assert_eq!(did_you_mean("sigmod", known), Some("sigmoid"));
/// assert_eq!(did_you_mean("lgo", known), Some("log"));
/// assert_eq!(did_you_mean("banana", known), None);
/// ```
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // The distance is quadratic in the lengths: names longer than this are
    // not compared (no one mistypes a name of a hundred characters).
    const MAX_COMPARED: usize = 64;
    if name.len() > 4 * MAX_COMPARED {
        return None;
    }
    let wanted: Vec<char> = name.to_lowercase().chars().collect();
    if wanted.len() > MAX_COMPARED {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != name && c.len() <= 4 * MAX_COMPARED)
        .filter_map(|c| {
            let have: Vec<char> = c.to_lowercase().chars().collect();
            let allowed = wanted.len().max(have.len()) / 3;
            if have.len() > MAX_COMPARED || wanted.len().abs_diff(have.len()) > allowed {
                return None;
            }
            let d = distance(&wanted, &have);
            (d <= allowed && d < wanted.len()).then_some((d, c))
        })
        .min()
        .map(|(_, c)| c)
}

/// SymPy's and NumPy's names that symgrad spells otherwise (or does
/// without), with the hint for a call of any of them: a "did you mean" by
/// spelling would mislead there (`dot` is not `det`, nor `std` `sgd`).
pub(crate) const FOREIGN_SPELLINGS: &[(&[&str], &str)] = &[
    (
        &["N", "evalf"],
        "numbers come from eval(e, x = 2, …); :set digits N sets the digits",
    ),
    (
        &["pprint"],
        "results print in 2-D already; pretty(e) is that form as text",
    ),
    (
        &["Matrix"],
        "a matrix is written by rows, [[1, 2], [3, 4]]; [1, 2, 3] is a column",
    ),
    (
        &["Rational"],
        "integers and their quotients are exact: write 1/3",
    ),
    (
        &["symbols", "Symbol"],
        "declare scalar symbols with: symbol x, y (or just use x and y)",
    ),
    (
        &["MatrixSymbol"],
        "declare a matrix symbol with the statement symbol W[3, 4]",
    ),
    (
        &["lambdify"],
        "code(e, \"numpy\") writes e as Python; eval(e, x = 2) computes it here",
    ),
    (
        &["Derivative"],
        "diff(f, x) is the derivative, grad(f, W) the gradient by a matrix",
    ),
    (&["ln"], "log(x) is the natural logarithm"),
    (&["log10"], "write log(x, 10)"),
    (&["log2"], "write log(x, 2)"),
    (
        &["Max"],
        "max(a, b) of numbers, max(A) or max(A, dim) of a matrix",
    ),
    (
        &["Min"],
        "min(a, b) of numbers, min(A) or min(A, dim) of a matrix",
    ),
    (
        &["integrate"],
        "symgrad has no integrals: it derives and evaluates losses",
    ),
    (
        &["limit"],
        "symgrad has no limits: it derives and evaluates losses",
    ),
    (
        &["series"],
        "symgrad has no series: it derives and evaluates losses",
    ),
    (
        &["factor"],
        "symgrad does not factor: simplify(e) cancels, expand(e) multiplies out",
    ),
    (
        &["roots", "nsolve"],
        "symgrad finds no roots; descend(f, x, lr, steps) minimises f",
    ),
    (&["matmul"], "A * B is the matrix product (dot(A, B) too)"),
    (&["identity"], "eye(n) is the n×n identity matrix"),
    (
        &["square"],
        "write x .^ 2 (elementwise), or x^2 of a scalar",
    ),
    (
        &["pow", "power"],
        "write x^n of a scalar, or A .^ n elementwise",
    ),
    (&["arcsin"], "symgrad's inverse sine is asin(x)"),
    (&["arccos"], "symgrad's inverse cosine is acos(x)"),
    (&["arctan"], "symgrad's inverse tangent is atan(x)"),
    (
        &["atan2", "arctan2"],
        "symgrad has no atan2: atan(y/x) is the angle for x > 0",
    ),
    (
        &["maximum", "minimum", "clip"],
        "max(a, b) and min(a, b) take numbers; relu(x) is max(x, 0)",
    ),
    (
        &["var", "std"],
        "the variance is mean((x - mean(x)) .^ 2), std its square root",
    ),
    (&["mae"], "the mean absolute error is mean(abs(y - yhat))"),
    (
        &["log_softmax", "logsoftmax"],
        "write log(softmax(Z)): symgrad evaluates it stably",
    ),
    (
        &["logistic", "expit"],
        "sigmoid(x) is the logistic 1/(1 + exp(-x))",
    ),
    (&["heaviside"], "step(x) is the unit step"),
    (&["outer"], "the outer product of columns a and b is a * b'"),
    (
        &["inner", "vdot"],
        "dot(a, b) is the inner product of two vectors",
    ),
    (
        &["rank"],
        "symgrad has no rank; det(A) is 0 where A is singular",
    ),
    (&["len", "numel"], "shape(A) is [rows, columns]"),
    (
        &["arange", "linspace"],
        "symgrad makes no ranges; plot(f, w, lo, hi) draws f over lo…hi",
    ),
];

/// The hint for a call of SymPy's `name` where symgrad spells it otherwise.
pub(crate) fn foreign_spelling(name: &str) -> Option<&'static str> {
    FOREIGN_SPELLINGS
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|(_, hint)| *hint)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps).
fn distance(a: &[char], b: &[char]) -> usize {
    // Rows i-2, i-1 and i of the dynamic-programming table.
    let mut older: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
            if swapped {
                best = best.min(older[j - 1] + 1);
            }
            row[j + 1] = best;
        }
        older = std::mem::replace(&mut prev, row);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTIONS: [&str; 10] = [
        "exp", "log", "sqrt", "sigmoid", "softmax", "softplus", "sum", "mean", "tanh", "relu",
    ];

    #[test]
    fn sympy_hints_fit_a_terminal_after_their_prefix() {
        // "  = hint: " takes 10 of 80 columns.
        for (names, hint) in FOREIGN_SPELLINGS {
            assert!(hint.chars().count() <= 70, "{names:?}: {hint}");
        }
    }

    #[test]
    fn suggests_near_misses() {
        assert_eq!(did_you_mean("sigmod", FUNCTIONS), Some("sigmoid"));
        assert_eq!(did_you_mean("lgo", FUNCTIONS), Some("log"));
        assert_eq!(did_you_mean("sofmax", FUNCTIONS), Some("softmax"));
        assert_eq!(did_you_mean("Exp", FUNCTIONS), Some("exp"));
        assert_eq!(did_you_mean("ex", FUNCTIONS), Some("exp"));
        assert_eq!(did_you_mean("softplsu", FUNCTIONS), Some("softplus"));
    }

    #[test]
    fn stays_quiet_for_far_or_identical_names() {
        assert_eq!(did_you_mean("foo", FUNCTIONS), None);
        assert_eq!(did_you_mean("x", ["y", "xs"]), None);
        assert_eq!(did_you_mean("exp", FUNCTIONS), None);
        assert_eq!(did_you_mean("", FUNCTIONS), None);
        assert_eq!(did_you_mean("anything", []), None);
    }

    #[test]
    fn counts_a_swap_as_one_edit() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(distance(&chars("lgo"), &chars("log")), 1);
        assert_eq!(distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(distance(&chars(""), &chars("abc")), 3);
    }
}
