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
        "sin",
        "sin(x)",
        "sine (x in radians), elementwise",
        "diff(sin(x), x) is cos(x)",
    ),
    b(
        "cos",
        "cos(x)",
        "cosine (x in radians), elementwise",
        "cos(0) is 1",
    ),
    b(
        "tan",
        "tan(x)",
        "tangent sin(x)/cos(x), elementwise",
        "tan(pi/3) is √3",
    ),
    b(
        "asin",
        "asin(x)",
        "inverse sine, in [−π/2, π/2], of x in [−1, 1]; elementwise",
        "asin(1/2) is π/6",
    ),
    b(
        "acos",
        "acos(x)",
        "inverse cosine, in [0, π], of x in [−1, 1]; elementwise",
        "acos(-1) is π",
    ),
    b(
        "atan",
        "atan(x)",
        "inverse tangent, in (−π/2, π/2), elementwise",
        "diff(atan(x), x) is 1/(1 + x^2)",
    ),
    b(
        "sinh",
        "sinh(x)",
        "hyperbolic sine (ℯˣ − ℯ⁻ˣ)/2, elementwise",
        "diff(sinh(x), x) is cosh(x)",
    ),
    b(
        "cosh",
        "cosh(x)",
        "hyperbolic cosine (ℯˣ + ℯ⁻ˣ)/2, elementwise",
        "cosh(0) is 1",
    ),
    b(
        "log1p",
        "log1p(x)",
        "log(1 + x), accurate for tiny x; elementwise",
        "eval(log1p(1e-20)) is 1e-20 (log(1 + 1e-20) gives 0)",
    ),
    b(
        "expm1",
        "expm1(x)",
        "ℯˣ − 1, accurate for tiny x; elementwise",
        "eval(expm1(1e-20)) is 1e-20",
    ),
    b(
        "erf",
        "erf(x)",
        "the error function 2/√π ∫₀ˣ ℯ^(−t²) dt, elementwise (erf′(x) = 2/√π⋅ℯ^(−x²))",
        "gelu(x) = x .* (1 + erf(x / sqrt(2))) / 2",
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
        "inv",
        "inv(A)",
        "the inverse of a square matrix, also written A^-1 (exact for exact matrices); ∂A⁻¹ = −A⁻¹⋅∂A⋅A⁻¹",
        "inv([[2, 1], [1, 1]]) is [[1, -1], [-1, 2]]",
    ),
    b(
        "dot",
        "dot(a, b)",
        "NumPy's dot: the inner product sum(a .* b) of two vectors of one length, else the matrix product a * b",
        "dot([1, 2], [3, 4]) is 11",
    ),
    b(
        "solve",
        "solve(A, B)",
        "the X with A⋅X = B, that is A⁻¹⋅B: exact for exact matrices, in floats by LU solves (no inverse formed)",
        "solve([[2, 0], [0, 4]], [1, 1]) is [1/2, 1/4]",
    ),
    b(
        "det",
        "det(A)",
        "the determinant of a square matrix (written out for explicit matrices up to 4×4); grad(det(W), W) is det(W)⋅W⁻ᵀ",
        "det([[a, b], [c, d]]) is a⋅d − b⋅c",
    ),
    b(
        "logdet",
        "logdet(A)",
        "log |det A| of a square matrix, from an LU factorisation (finite where det over- or underflows; as NumPy's slogdet); grad(logdet(W), W) is W⁻ᵀ",
        "grad(logdet(W), W) is (W⁻¹)ᵀ",
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
        "matrices stacked top to bottom (equal column counts); symbolic ones stay blocks",
        "vstack(X, ones(1, 10)) adds a row of ones for the bias",
    ),
    b(
        "hstack",
        "hstack(A, B, …)",
        "matrices stacked left to right (equal row counts); symbolic ones stay blocks",
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
        "diff(f, x [, n], y [, m], …)",
        "∂f/∂x by a scalar symbol or an element W[i, j], n times; then by y, m times",
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
        "a never larger form: fractions cancelled, σ, tanh, softmax, logs, sin² + cos², tan, double angles, σ↔tanh, ℯ±ˣ↔cosh",
        "simplify((x^2 - 1)/(x - 1)) is x + 1",
    ),
    b(
        "expand",
        "expand(e)",
        "products and powers of sums multiplied out (≤ 256 terms)",
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
        "the value of e in floats, computed stably (a scalar right to the last bit, in multiple precision where floats cancel); a NaN or infinity on the way is an error naming the operation",
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
        "descend(f, W, lr, steps [, init] [, tol = t] [, every = k] [, show = \"w\"])",
        "gradient descent on f over the symbol W from init (default 0), exactly steps steps or until |grad| ≤ tol; gives the final W (after Ctrl-C: the W reached); show = \"w\" adds W to the progress lines",
        "descend((w + 2)^2 + 3, w, 0.1, 50, 2) is about -2",
    ),
    b(
        "sgd",
        "sgd(L, W, X, Y, lr, epochs, batch [, init] [, every = k] [, shuffle = false] [, show = \"grad w batch\"])",
        "mini-batch SGD on the loss L(Xb, Yb) of batches of shuffled columns of X and Y (seed(n) fixes the order; shuffle = false takes them in order); gives the final W (after Ctrl-C: the W reached); show adds |grad|, W or the batch's sample indices to the progress lines",
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
    // Explaining and checking gradients (explain.rs, gradcheck.rs).
    b(
        "explain",
        "explain(L, W [, X = value, …])",
        "the gradient of the scalar L by W step by step along the bound names (A2, Z2, …; fresh names for unnamed layers): each adjoint dN = ∂L/∂N as one chain-rule step and in closed form, its shape and the rule used; with bindings, its value",
        "explain(L, W1, W1 = w1, b1 = v1, W2 = w2, b2 = v2)",
    ),
    b(
        "gradcheck",
        "gradcheck(L, W [, at] [, grad = G] [, X = value, …])",
        "the gradient of L by W (symbolic, or G) against central differences and Richardson extrapolation at the point at (default: random normal weights): largest absolute and relative errors and the worst entry; gives the largest relative error",
        "gradcheck(L, W1, w1, b1 = v1, W2 = w2, b2 = v2)",
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
    // Prediction and accuracy (predict.rs): on numbers, not differentiable.
    b(
        "argmax",
        "argmax(A [, dim])",
        "the index of the largest entry: down each column (dim 1: a 1×n row of row indices), along each row (dim 2: m×1), or the flat row-major index; the first of equal entries; on numbers only (no derivative)",
        "argmax(eval(A2, W = W1), 1) is the predicted class of each column",
    ),
    b(
        "argmin",
        "argmin(A [, dim])",
        "the index of the smallest entry, as argmax",
        "argmin([3, 1, 2]) is 1",
    ),
    b(
        "max",
        "max(A [, dim]), max(a, b)",
        "the largest entry, or down each column (dim 1) or along each row (dim 2); of two numbers a, b the larger; on numbers only",
        "max([[1, 5], [4, 2]], 1) is [4 5]",
    ),
    b(
        "min",
        "min(A [, dim]), min(a, b)",
        "the smallest entry, or along dim 1 or 2; of two numbers the smaller; on numbers only",
        "min([3, 1, 2]) is 1",
    ),
    // Batches (random.rs).
    b(
        "permutation",
        "permutation(n)",
        "the numbers 0…n-1 in a random order (a 1×n row), drawn as sgd shuffles its samples",
        "X[:, permutation(10)] shuffles the 10 columns of X",
    ),
    b(
        "batches",
        "batches(n, size)",
        "the sample indices of each batch of one epoch, as sgd draws them: a shuffle of 0…n-1 cut into batches of size (the last one smaller; one batch of every sample is in order); of more than 20 batches the first ten and the last are listed, of more than 8 samples the first five and the last",
        "batches(11, 3)",
    ),
    // Plots and data.
    b(
        "plot",
        "plot(f, w, lo, hi [, \"file.svg\"] [, path = P] [, animate = true]) | plot(v [, \"file.svg\"])",
        "the curve of scalar f against symbol w on [lo, hi] in the terminal, or as an SVG file; \
         path = P draws the visited w values (a column) on it, animate = true as an animated SVG \
         with the tangent at each step; for a symbol v of 2 elements and 2-vectors lo, hi, the \
         contour lines of f with the path (one point a row); plot(v) draws a vector against 1…n",
        "plot(L, w, -5, 3, path = last_path())",
    ),
    b(
        "load",
        "load(\"file.csv\" | \"file.npy\" | \"file.npz\", \"name\")",
        "a numeric matrix from a CSV file (a header line is skipped), a NumPy .npy file \
         (1-D gives a column) or the array name of a .npz file; .csv.gz and .npy.gz are \
         read through gzip; integer data gives exact integers up to 10^6 elements",
        "X = load(\"train.npy\")",
    ),
    b(
        "save",
        "save(\"file.npy\" | \"file.csv\", A)",
        "writes the numbers of A (no symbols) to a NumPy .npy file (float64, or int64 when every entry is an integer) or a CSV file; a name ending in .gz is gzip-compressed",
        "save(\"W.npy\", W1)",
    ),
    b(
        "reshape",
        "reshape(A, m, n)",
        "the entries of A, read row by row, as an m×n matrix (NumPy's reshape, C order)",
        "reshape(X[:, 0], 8, 8) is the first digit as an 8×8 image",
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
        "change a display setting (width 10 to 1000 columns, digits 1 to 17, threads 1 to 256)",
    ),
    c(":quit", ":quit", "leave the REPL (Ctrl-D too)"),
];

/// Names with a meaning of their own: constants and statement keywords.
pub const CONSTANTS: &[(&str, &str)] = &[("E", "Euler's number ℯ"), ("pi", "π")];

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}
