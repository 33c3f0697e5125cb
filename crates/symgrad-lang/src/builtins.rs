//! The built-in functions and commands: names, call forms and help texts.
//! One table serves `:help`, tab completion and "did you mean".

/// A built-in function as the user sees it.
pub struct Builtin {
    pub name: &'static str,
    /// How it is called, e.g. `sum(A [, dim])`.
    pub usage: &'static str,
    pub summary: &'static str,
    /// A short example with its meaning.
    pub example: &'static str,
}

const fn b(
    name: &'static str,
    usage: &'static str,
    summary: &'static str,
    example: &'static str,
) -> Builtin {
    Builtin {
        name,
        usage,
        summary,
        example,
    }
}

/// Every built-in function, in the order `:help` lists them.
pub const BUILTINS: &[Builtin] = &[
    b(
        "exp",
        "exp(x)",
        "exponential ℯˣ, elementwise on matrices",
        "exp(log(x)) is x",
    ),
    b(
        "log",
        "log(x [, b])",
        "natural logarithm, or base b; elementwise",
        "log(8, 2) is log(8)/log(2)",
    ),
    b(
        "sqrt",
        "sqrt(x)",
        "square root x^(1/2), elementwise",
        "sqrt(4) is 2",
    ),
    b(
        "abs",
        "abs(x)",
        "absolute value |x|, elementwise",
        "abs(-1/3) is 1/3",
    ),
    b(
        "tanh",
        "tanh(x)",
        "hyperbolic tangent, elementwise",
        "tanh(W * x)",
    ),
    b(
        "sigmoid",
        "sigmoid(x)",
        "logistic function σ(x) = 1/(1 + ℯ⁻ˣ), elementwise",
        "sigmoid(0) is 1/2",
    ),
    b(
        "softplus",
        "softplus(x)",
        "log(1 + ℯˣ), elementwise",
        "softplus(z)",
    ),
    b("relu", "relu(x)", "max(x, 0), elementwise", "relu(-2) is 0"),
    b(
        "sign",
        "sign(x)",
        "the sign −1, 0 or 1, elementwise (the derivative of abs)",
        "sign(-3) is -1",
    ),
    b(
        "step",
        "step(x)",
        "Heaviside step: 1 where x > 0, else 0 (the derivative of relu)",
        "step(2) is 1",
    ),
    b(
        "softmax",
        "softmax(A [, dim])",
        "softmax down each column (dim 1, the default) or along each row (dim 2)",
        "softmax(W * X)",
    ),
    b(
        "logsumexp",
        "logsumexp(A [, dim])",
        "log of the sum of exponentials, over all elements or along dim 1 or 2",
        "logsumexp(z)",
    ),
    b(
        "sum",
        "sum(A [, dim])",
        "sum of all elements, or down columns (dim 1: 1×n) or along rows (dim 2: m×1)",
        "sum([1, 2, 3]) is 6",
    ),
    b(
        "mean",
        "mean(A [, dim])",
        "mean of all elements, or along dim 1 or 2",
        "mean([1, 2]) is 3/2",
    ),
    b(
        "transpose",
        "transpose(A)",
        "the transpose, also written A' or A.T",
        "transpose(W)",
    ),
    b(
        "trace",
        "trace(A)",
        "sum of the diagonal of a square matrix",
        "trace(eye(3)) is 3",
    ),
    b(
        "diag",
        "diag(A)",
        "the diagonal of a square matrix as a column, or the diagonal matrix of a vector",
        "diag([1, 2])",
    ),
    b(
        "ones",
        "ones(m [, n])",
        "an m×n matrix of ones (m×1 with one argument)",
        "ones(2, 3)",
    ),
    b(
        "zeros",
        "zeros(m [, n])",
        "an m×n matrix of zeros (m×1 with one argument)",
        "zeros(3, 1)",
    ),
    b("eye", "eye(n)", "the n×n identity matrix", "eye(3)"),
    b(
        "vstack",
        "vstack(A, B, …)",
        "matrices stacked top to bottom (equal column counts)",
        "vstack(X, ones(1, 10)) adds a row of ones for the bias",
    ),
    b(
        "hstack",
        "hstack(A, B, …)",
        "matrices stacked left to right (equal row counts)",
        "hstack(W, 0.01 * ones(3, 1))",
    ),
    b(
        "seed",
        "seed(n)",
        "restart the random numbers from seed n (0 ≤ n < 2^64); a session starts from seed 0",
        "seed(42); randn(2, 2) gives the same matrix every run",
    ),
    b(
        "randn",
        "randn([m [, n]])",
        "an m×n matrix of standard normal floats (m×1 with one argument, a scalar with none)",
        "W = randn(3, 4)",
    ),
    b(
        "rand",
        "rand([m [, n]])",
        "an m×n matrix of floats uniform in [0, 1) (m×1 with one argument, a scalar with none)",
        "rand(2, 3)",
    ),
    b(
        "randint",
        "randint(lo, hi [, m [, n]])",
        "an m×n matrix of integers uniform in [lo, hi): hi is excluded, as in NumPy",
        "randint(0, 10, 2, 2)",
    ),
    b(
        "shape",
        "shape(A)",
        "the shape [rows, cols] of A, as a 1×2 row",
        "shape(X * W')",
    ),
    b(
        "elements",
        "elements(e)",
        "a matrix expression as an explicit matrix of its element expressions",
        "elements(X * W')",
    ),
    b(
        "diff",
        "diff(f, x [, n])",
        "∂f/∂x by a scalar symbol or an element W[i, j], n times",
        "diff(log(sigmoid(z)), z) is 1 - σ(z)",
    ),
    b(
        "grad",
        "grad(f, W)",
        "gradient of a scalar f: ∂f/∂Wᵢⱼ in closed matrix form",
        "grad(L, W)",
    ),
    b(
        "jacobian",
        "jacobian(F, v)",
        "the matrix of ∂Fᵢ/∂vⱼ (v a symbol or a list [x, y])",
        "jacobian([x*y, x + y], [x, y])",
    ),
    b(
        "hessian",
        "hessian(f, v)",
        "the matrix of second derivatives ∂²f/∂vᵢ∂vⱼ",
        "hessian(x^2*y, [x, y])",
    ),
    b(
        "simplify",
        "simplify(e)",
        "a form of e that is never larger (sigmoid forms, expansion)",
        "simplify(exp(z)/(1 + exp(z))) is σ(z)",
    ),
    b(
        "expand",
        "expand(e)",
        "products of sums multiplied out",
        "expand((x + 1)^2) is x² + 2⋅x + 1",
    ),
    b(
        "subs",
        "subs(e, W = value, …)",
        "e with values for symbols (also in W', W[i, j], slices)",
        "subs(z, W = [[1, 0, 0, 0, 0]])",
    ),
    b(
        "eval",
        "eval(e, W = value, …)",
        "the value of e in floats, computed stably",
        "eval(L, W = randn(1, 5))",
    ),
    b(
        "size",
        "size(e)",
        "the number of operations in e (as SymPy's count_ops)",
        "size(L)",
    ),
    b(
        "pretty",
        "pretty(e)",
        "the 2-D pretty form of e",
        "pretty(L)",
    ),
    b(
        "text",
        "text(e)",
        "e on one line, in a form the parser reads back",
        "text(L)",
    ),
    b("latex", "latex(e)", "e as LaTeX", "latex(L)"),
    // Training (optimise.rs)
    b(
        "descend",
        "descend(f, W, lr, steps [, init] [, tol = t] [, every = k])",
        "gradient descent on f over the symbol W from init (default 0), exactly steps steps or until |grad| ≤ tol; gives the final W",
        "descend((w + 2)^2 + 3, w, 0.1, 50, 2) is about -2",
    ),
    b(
        "sgd",
        "sgd(L, W, X, Y, lr, epochs, batch [, init] [, every = k])",
        "mini-batch SGD on the loss L(Xb, Yb) of batches of shuffled columns of X and Y (seed(n) fixes the order); gives the final W",
        "L(Xb, Yb) = -mean(sum(Yb .* log(softmax(W*Xb)), 1)); sgd(L, W, X, Y, 0.1, 20, 3)",
    ),
    b(
        "last_losses",
        "last_losses()",
        "the losses of the latest descend (one per point) or sgd (mean per epoch), as a column",
        "descend(f, w, 0.1, 20); last_losses()",
    ),
    b(
        "last_path",
        "last_path()",
        "the values of W visited by the latest descend, one row each (W flattened row by row)",
        "descend(f, w, 0.1, 20); last_path()",
    ),
    // Code export.
    b(
        "code",
        "code(e, target [, W])",
        "Python source of a function computing e (target \"numpy\", \"jax\" or \"torch\"); with W, it returns the value and the gradient by W; its parameters are the symbols of e",
        "code(L, \"numpy\", W)",
    ),
    // The loss library (its losses are in the prelude, prelude.sg).
    b(
        "one_hot",
        "one_hot(labels, K)",
        "the K×n matrix of 0/1 columns for n integer labels 0…K-1",
        "one_hot([2, 0], 3) is [[0, 1], [0, 0], [1, 0]]",
    ),
    // Plots and data.
    b(
        "plot",
        "plot(f, w, lo, hi [, \"file.svg\"] [, path = P]) | plot(v [, \"file.svg\"])",
        "the curve of scalar f against symbol w on [lo, hi] in the terminal, or as an SVG file; \
         path = P draws the visited w values (a column) on it; plot(v) draws a vector against 1…n",
        "plot(L, w, -5, 3, path = last_path())",
    ),
    b(
        "load",
        "load(\"file.csv\" | \"file.npy\")",
        "a numeric matrix from a CSV file (a header line is skipped) or a NumPy .npy file \
         (1-D gives a column); integer data gives exact integers up to 10^6 elements",
        "X = load(\"train.npy\")",
    ),
    // Compiled evaluation.
    b(
        "evalpoints",
        "evalpoints(f, W, P)",
        "f at many values of W at once: each row of P is W flattened row by row; one row of values per point",
        "evalpoints(L, W, randn(1000, 5))",
    ),
];

/// A REPL command.
pub struct Command {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
}

const fn c(name: &'static str, usage: &'static str, summary: &'static str) -> Command {
    Command {
        name,
        usage,
        summary,
    }
}

/// Every `:` command.
pub const COMMANDS: &[Command] = &[
    c(
        ":help",
        ":help [topic]",
        "list functions and commands, or explain one",
    ),
    c(":vars", ":vars", "list bound names with their shapes"),
    c(":load", ":load FILE", "run a script file in this session"),
    c(
        ":reset",
        ":reset",
        "forget every binding and declaration; random numbers restart from seed 0",
    ),
    c(
        ":set",
        ":set width N | digits N | names on|off | output pretty|text|latex | threads N",
        "change a display setting",
    ),
    c(":quit", ":quit", "leave the REPL (Ctrl-D too)"),
];

/// Names with a meaning of their own: constants and statement keywords.
pub const CONSTANTS: &[(&str, &str)] = &[("E", "Euler's number ℯ"), ("pi", "π")];

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}
