"""Random losses against JAX: a differential test of values and gradients.

Each case is a random expression over a weight matrix W, a bias b and data
X, Y, y (elementwise functions, broadcasting, products, transposes, slices,
stacks, reductions, softmax (one in four of sharp, nearly one-hot logits)
and logsumexp along either axis, powers, the prelude's losses, and of a
positive definite matrix `inv`, `det`, `logdet`, `solve` and `diag`),
built at once in symgrad's language and as a JAX
function. symgrad's `eval` of the loss and of its gradients by W and b,
`subs`, `evalpoints` and `hessian` by W (small cases) and the exported JAX
code with its gradient by W (`code(L, "jax", W)`, and `"torch"` where
PyTorch is installed) must agree with `jax.value_and_grad` and
`jax.hessian` in float64. Some cases have hundreds or thousands of samples,
so that the blocked programs run. Where JAX's own rounding is the larger
(1 − tanh² of a large argument, log of a probability near 1), mpmath at 60
digits with central differences decides.
Cases are drawn from fixed seeds, so a failure names one that reproduces.
"""

import inspect
import math
import random

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy
erf = jax.scipy.special.erf

import symgrad  # noqa: E402

CASES = 240
# Agreement wanted: relative to the largest entry (at least 1e-6 of it).
TOLERANCE = 1e-8


def ops(m, erf):
    """The functions of the Python side of a case, over the module `m`."""

    def keep(f):
        return lambda a, axis=None: f(a, axis=axis, keepdims=axis is not None)

    def logsumexp(a, axis=None):
        top = m.max(a, axis=axis, keepdims=True)
        r = top + m.log(m.sum(m.exp(a - top), axis=axis, keepdims=True))
        return r.reshape(()) if axis is None else r

    def softmax(a, axis):
        e = m.exp(a - m.max(a, axis=axis, keepdims=True))
        return e / m.sum(e, axis=axis, keepdims=True)

    return dict(
        m=m, exp=m.exp, log=m.log, sqrt=m.sqrt, abs=m.abs, tanh=m.tanh, sin=m.sin, cos=m.cos,
        tan=m.tan, asin=m.arcsin, acos=m.arccos, atan=m.arctan, sinh=m.sinh, cosh=m.cosh,
        log1p=m.log1p, expm1=m.expm1, erf=erf,
        sigmoid=lambda x: 1 / (1 + m.exp(-x)),
        softplus=lambda x: m.logaddexp(0.0, x),
        relu=lambda x: m.maximum(x, 0.0),
        sum=keep(m.sum), mean=keep(m.mean), lse=logsumexp, softmax=softmax,
        hstack=lambda *a: m.concatenate(a, axis=1),
        vstack=lambda *a: m.concatenate(a, axis=0),
        trace=m.trace, inv=lambda a: m.linalg.inv(a), det=lambda a: m.linalg.det(a),
        solve=lambda a, b: m.linalg.solve(a, b), logdet=lambda a: m.linalg.slogdet(a)[1],
        diag=lambda a: m.diag(a)[:, None],
        logb=lambda a, b: m.log(a) / m.log(b),
    )


NUMPY = ops(np, np.vectorize(math.erf))
# jax.nn.relu, not jnp.maximum: its derivative where it is flat is 0 even
# times an infinite slope (`sqrt(relu(x))`), where jnp.maximum's is NaN.
JAX = dict(ops(jnp, erf), relu=jax.nn.relu)

# The targets whose exported code (`code(L, target, W)`) is run: JAX, and
# PyTorch where it is installed; each maps a NumPy array to its own.
EXPORT_TARGETS = {"jax": jnp.array}
try:
    import torch

    EXPORT_TARGETS["torch"] = lambda a: torch.tensor(a, dtype=torch.float64)
except ImportError:
    pass


class Expr:
    """An expression in symgrad's language (`sg`) and in Python (`py`)."""

    def __init__(self, sg, py, shape):
        self.sg, self.py, self.shape = sg, py, shape  # shape () is a scalar


UNARY = ["exp", "log", "sqrt", "abs", "tanh", "sin", "cos", "sigmoid", "softplus", "relu",
         "log1p", "expm1", "erf", "tan", "asin", "acos", "atan", "sinh", "cosh", "neg"]


class Losses:
    """Random expressions whose values at the case's point are finite and
    moderate, and whose functions are used inside their domains."""

    def __init__(self, rng, env):
        self.r, self.env = rng, env
        self.K, self.D = env["W"].shape
        self.N = env["X"].shape[1]

    def values(self, e):
        with np.errstate(all="ignore"):
            try:
                return np.asarray(eval(e.py, dict(NUMPY), dict(self.env)), dtype=float)
            except (ValueError, TypeError, np.linalg.LinAlgError):
                return None

    def fits(self, e, lo=-1e6, hi=1e6, away=0.0):
        v = self.values(e)
        return (v is not None and bool(np.all(np.isfinite(v))) and v.min(initial=0) >= lo
                and v.max(initial=0) <= hi and np.abs(v).min(initial=1) >= away)

    def shapes(self):
        K, D, N = self.K, self.D, self.N
        return [(K, N), (K, N), (N, K), (K, D), (K, 1), (1, N), (K, K)]

    def leaf(self, shape):
        K, D, N = self.K, self.D, self.N
        known = {
            (K, N): [("W * X", "W @ X"), ("W * X + b", "W @ X + b")],
            (N, K): [("X' * W'", "X.T @ W.T"), ("X' * W' + b'", "X.T @ W.T + b.T")],
            (K, D): [("W", "W")],
            (K, 1): [("b", "b"), ("W * X[:, 0]", "W @ X[:, 0:1]")],
            (1, N): [("W[0, :] * X", "W[0:1, :] @ X")],
            (K, K): [("W * W'", "W @ W.T")],
            (): [("W[0, 0]", "W[0, 0]"), ("b[0]", "b[0, 0]")],
        }
        choices = [c for s, cs in known.items() if s == shape for c in cs]
        if not choices or self.r.random() < 0.15:
            c = round(self.r.uniform(-2, 2), 2)
            if shape == ():
                return Expr(f"{c}", f"{c}", ())
            return Expr(f"({c} * ones({shape[0]}, {shape[1]}))", f"({c} * m.ones({shape}))", shape)
        sg, py = self.r.choice(choices)
        return Expr(f"({sg})", f"({py})", shape)

    def expr(self, shape, depth):
        for _ in range(30):
            e = self.attempt(shape, depth)
            if e is not None and self.fits(e):
                return e
        return self.leaf(shape)

    def wrap(self, f, e):
        return Expr(f"{f}({e.sg})", f"{f}({e.py})", e.shape)

    def attempt(self, shape, depth):
        r = self.r
        if depth <= 0 or r.random() < 0.2:
            return self.leaf(shape)
        kind = r.choice(["unary"] * 3 + ["binary"] * 2 + [
            "reduce", "softmax", "product", "transpose", "slice", "stack", "power", "scale",
            "matrix"])
        return getattr(self, kind)(shape, depth - 1)

    def unary(self, shape, d):
        a, f = self.expr(shape, d), self.r.choice(UNARY)
        if f == "neg":
            return Expr(f"(-{a.sg})", f"(-{a.py})", shape)
        if f in ("exp", "expm1") and not self.fits(a, hi=30):
            a = self.wrap("tanh", a)
        if f in ("sinh", "cosh") and not self.fits(a, lo=-30, hi=30):
            a = self.wrap("tanh", a)
        if f == "tan" and not self.fits(a, lo=-1.4, hi=1.4):
            a = self.wrap("tanh", a)  # inside (−π/2, π/2)
        if f in ("asin", "acos") and not self.fits(a, lo=-0.9, hi=0.9):
            t = self.wrap("tanh", a)  # inside [−0.9, 0.9], away from the poles of the slope
            a = Expr(f"(0.9 * {t.sg})", f"(0.9 * {t.py})", a.shape)
        if f == "sqrt" and self.r.random() < 0.5 and (flat := self.flat(a)):
            return self.wrap(f, flat)
        if f in ("log", "sqrt") and not self.fits(a, lo=1e-2):
            a = self.wrap("softplus", a)
            if not self.fits(a, lo=1e-2):
                a = self.wrap("exp", self.wrap("tanh", a))
        if f == "log1p" and not self.fits(a, lo=-0.9):
            a = self.wrap("sigmoid", a)
        if f in ("abs", "relu") and not self.fits(a, away=1e-3):
            return None  # not differentiable at 0
        return self.wrap(f, a)

    def binary(self, shape, d):
        r = self.r
        op = r.choice(["+", "-", ".*", "./"])
        other = shape
        if shape != () and r.random() < 0.4:  # broadcast a scalar, column or row
            other = r.choice([(), (shape[0], 1), (1, shape[1])])
        a, b = self.expr(shape, d), self.expr(other, d)
        if op == "./":
            if not self.fits(b, away=0.1):
                b = (Expr(f"(1 + exp({b.sg}))", f"(1 + exp({b.py}))", other) if self.fits(b, hi=30)
                     else Expr(f"(2 + tanh({b.sg}))", f"(2 + tanh({b.py}))", other))
            return Expr(f"({a.sg} {'/' if other == () else './'} {b.sg})", f"({a.py} / {b.py})",
                        shape)
        if r.random() < 0.5:
            a, b = b, a
        sg = "*" if op == ".*" and () in (a.shape, b.shape) else op
        return Expr(f"({a.sg} {sg} {b.sg})", f"({a.py} {op.lstrip('.')} {b.py})", shape)

    def reduce(self, shape, d):
        f = self.r.choice(["sum", "mean", "logsumexp"])
        py = "lse" if f == "logsumexp" else f
        if shape == ():
            a = self.expr(self.r.choice(self.shapes()), d)
            return Expr(f"{f}({a.sg})", f"{py}({a.py})", ())
        rows, cols = shape
        k = self.r.randint(1, 6)
        if rows == 1:
            a = self.expr((k, cols), d)
            return Expr(f"{f}({a.sg}, 1)", f"{py}({a.py}, 0)", shape)
        if cols == 1:
            a = self.expr((rows, k), d)
            return Expr(f"{f}({a.sg}, 2)", f"{py}({a.py}, 1)", shape)
        return None

    def softmax(self, shape, d):
        if shape == ():
            return None
        a = self.expr(shape, d)
        # Sharp logits, one softmax in four: nearly one-hot, where the
        # softmax's derivative cancels at the peak unless computed from them.
        if self.r.random() < 0.25:
            a = Expr(f"(30 * {a.sg})", f"(30 * {a.py})", shape)
        if self.r.random() < 0.5:
            return Expr(f"softmax({a.sg})", f"softmax({a.py}, 0)", shape)
        return Expr(f"softmax({a.sg}, 2)", f"softmax({a.py}, 1)", shape)

    def product(self, shape, d):
        if shape == ():
            return None
        k = self.r.choice([1, 2, 3, self.D, self.K])
        a, b = self.expr((shape[0], k), d), self.expr((k, shape[1]), d)
        return Expr(f"({a.sg} * {b.sg})", f"({a.py} @ {b.py})", shape)

    def transpose(self, shape, d):
        if shape == ():
            k = self.r.randint(1, 4)
            a = self.expr((k, k), d)
            return Expr(f"trace({a.sg})", f"trace({a.py})", ())
        a = self.expr((shape[1], shape[0]), d)
        return Expr(f"{a.sg}'", f"{a.py}.T", shape)

    def slice(self, shape, d):
        r = self.r
        if shape == ():
            s = r.choice(self.shapes())
            a = self.expr(s, d)
            i, j = r.randrange(s[0]), r.randrange(s[1])
            return Expr(f"{a.sg}[{i}, {j}]", f"{a.py}[{i}, {j}]", ())
        rows, cols = shape
        extra = r.randint(0, 3)
        if r.random() < 0.5:
            a, i = self.expr((rows + extra, cols), d), r.randint(0, extra)
            sl = f"{i}" if rows == 1 and r.random() < 0.5 else f"{i}:{i + rows}"
            return Expr(f"{a.sg}[{sl}, :]", f"{a.py}[{i}:{i + rows}, :]", shape)
        a, j = self.expr((rows, cols + extra), d), r.randint(0, extra)
        sl = f"{j}" if cols == 1 and r.random() < 0.5 else f"{j}:{j + cols}"
        return Expr(f"{a.sg}[:, {sl}]", f"{a.py}[:, {j}:{j + cols}]", shape)

    def stack(self, shape, d):
        if shape == ():
            return None
        rows, cols = shape
        if rows > 1 and (cols == 1 or self.r.random() < 0.5):
            k = self.r.randint(1, rows - 1)
            a, b = self.expr((k, cols), d), self.expr((rows - k, cols), d)
            return Expr(f"vstack({a.sg}, {b.sg})", f"vstack({a.py}, {b.py})", shape)
        if cols > 1:
            k = self.r.randint(1, cols - 1)
            a, b = self.expr((rows, k), d), self.expr((rows, cols - k), d)
            return Expr(f"hstack({a.sg}, {b.sg})", f"hstack({a.py}, {b.py})", shape)
        return None

    def flat(self, a):
        """`relu(a)` where `a` takes both signs away from 0, else None: a root
        of it has an infinite slope where relu is flat, and a derivative of 0
        there (JAX's `where`)."""
        v = self.values(a)
        if v is None or not self.fits(a, away=1e-3) or not v.min() < 0 < v.max():
            return None
        return self.wrap("relu", a)

    def power(self, shape, d):
        a, e = self.expr(shape, d), self.r.choice([2, 3, -1, 0.5, 1.5, -2])
        if e in (0.5, 1.5) and self.r.random() < 0.5 and (flat := self.flat(a)):
            a = flat
        elif (e != int(e) or e < 0) and not self.fits(a, lo=0.05):
            a = self.wrap("exp", self.wrap("tanh", a))
        op = "^" if shape == () else ".^"
        return Expr(f"({a.sg} {op} {f'({e})' if e < 0 else e})", f"({a.py} ** {e})", shape)

    def scale(self, shape, d):
        if shape == ():
            return None
        s, a = self.expr((), d), self.expr(shape, d)
        return Expr(f"({s.sg} * {a.sg})", f"({s.py} * {a.py})", shape)

    def positive_definite(self, d):
        """`A⋅Aᵀ + c⋅I`, K×K: invertible, with a positive determinant."""
        K, k, c = self.K, self.r.choice([1, 2, self.K, self.D]), self.r.choice([1, 2])
        a = self.expr((K, k), d)
        return Expr(f"({a.sg} * {a.sg}' + {c} * eye({K}))",
                    f"({a.py} @ {a.py}.T + {c} * m.eye({K}))", (K, K))

    def matrix(self, shape, d):
        r, K = self.r, self.K
        if shape == ():
            M = self.positive_definite(d)
            f = r.choice(["det", "logdet", "trace inv", "quadratic"])
            if f == "trace inv":
                return Expr(f"trace(inv({M.sg}))", f"trace(inv({M.py}))", ())
            if f == "quadratic":
                v = self.expr((K, 1), d)
                return Expr(f"({v.sg}' * {M.sg}^-1 * {v.sg})",
                            f"({v.py}.T @ inv({M.py}) @ {v.py})[0, 0]", ())
            return Expr(f"{f}({M.sg})", f"{f}({M.py})", ())
        if shape == (K, K) and r.random() < 0.4:
            M = self.positive_definite(d)
            return Expr(f"inv({M.sg})", f"inv({M.py})", shape)
        if shape[0] == K and r.random() < 0.7:
            M, B = self.positive_definite(d), self.expr(shape, d)
            return Expr(f"solve({M.sg}, {B.sg})", f"solve({M.py}, {B.py})", shape)
        if shape == (K, 1):
            M = self.positive_definite(d)
            return Expr(f"diag({M.sg})", f"diag({M.py})", shape)
        a = self.expr(shape, d)
        if not self.fits(a, lo=1e-2):
            return None
        b = r.choice([2, 10])
        return Expr(f"log({a.sg}, {b})", f"logb({a.py}, {b})", shape)

    def loss(self, depth):
        K, N = self.K, self.N
        kind = self.r.choice(["sum", "sum", "mean", "softmax_cce", "cce", "bce_logits", "bce",
                              "mse", "l2", "scalar"])
        if kind in ("sum", "mean"):
            a = self.expr(self.r.choice(self.shapes()), depth)
            return Expr(f"{kind}({a.sg})", f"{kind}({a.py})", ())
        if kind in ("softmax_cce", "cce"):
            a = self.expr((K, N), depth)
            sg = f"softmax_cce(Y, {a.sg})" if kind == "softmax_cce" else f"cce(Y, softmax({a.sg}))"
            return Expr(sg, f"(-sum(Y * log(softmax({a.py}, 0))) / {N})", ())
        if kind in ("bce_logits", "bce", "mse"):
            a = self.expr((1, N), depth)
            z = a.py
            py = {
                "bce_logits": f"mean(softplus({z}) - y * {z})",
                "bce": f"(-mean(y * log(sigmoid({z})) + (1 - y) * log(1 - sigmoid({z}))))",
                "mse": f"mean((y - {z}) ** 2)",
            }[kind]
            sg = f"bce(y, sigmoid({a.sg}))" if kind == "bce" else f"{kind}(y, {a.sg})"
            return Expr(sg, py, ())
        if kind == "l2":
            a = self.expr((K, self.D), depth)
            return Expr(f"l2({a.sg})", f"sum({a.py} ** 2)", ())
        return self.expr((), depth)


def draw(seed):
    """Case `seed`: its data, point and loss (None if none was found)."""
    r, g = random.Random(seed), np.random.default_rng(seed)
    K, D = r.choice([1, 2, 3, 4]), r.choice([1, 2, 3, 5])
    N = r.choice([1, 2, 3, 4, 7, 300, 777]) if r.random() < 0.9 else r.choice([1500, 2600])
    scale = r.choice([0.1, 1.0, 3.0])
    labels = g.integers(0, K, N)
    env = dict(
        X=g.standard_normal((D, N)),
        Y=np.eye(K)[:, labels],
        y=(g.random((1, N)) < 0.5).astype(float),
        W=g.standard_normal((K, D)) * scale,
        b=g.standard_normal((K, 1)) * scale,
    )
    losses = Losses(r, env)
    depth = r.choice([1, 2, 3, 4])
    for _ in range(50):
        loss = losses.loss(depth)
        if losses.fits(loss) and ("W" in loss.py or "b" in loss.py):
            return env, loss
    return None


def high_precision(py, env, hessian=False):
    """The loss, its gradients by W and b and (with `hessian`) its Hessian
    by W at 60 digits (mpmath), by central differences."""
    mpmath = pytest.importorskip("mpmath")
    mp = mpmath.mp
    mp.dps = 60
    each = lambda f: np.vectorize(f, otypes=[object])  # noqa: E731

    class M:
        ones = staticmethod(lambda shape: np.full(shape, mp.mpf(1), dtype=object))
        eye = staticmethod(lambda k: np.array(
            [[mp.mpf(int(i == j)) for j in range(k)] for i in range(k)], dtype=object))
        exp, log, sqrt, abs = each(mp.exp), each(mp.log), each(mp.sqrt), each(abs)
        tanh, sin, cos = each(mp.tanh), each(mp.sin), each(mp.cos)
        tan, arcsin, arccos, arctan = each(mp.tan), each(mp.asin), each(mp.acos), each(mp.atan)
        sinh, cosh = each(mp.sinh), each(mp.cosh)
        log1p, expm1 = each(lambda t: mp.log(1 + t)), each(mp.expm1)
        maximum = staticmethod(lambda x, c: each(lambda t: max(t, mp.mpf(c)))(x))
        max, sum, concatenate, trace, diag = np.max, np.sum, np.concatenate, np.trace, np.diag
        logaddexp = staticmethod(lambda c, x: each(lambda t: mp.log(mp.exp(c) + mp.exp(t)))(x))

        @staticmethod
        def mean(a, axis=None, keepdims=False):
            n = a.size if axis is None else a.shape[axis]
            return np.sum(a, axis=axis, keepdims=keepdims) / n

    fs = ops(M, each(mp.erf))
    matrix = lambda a: mp.matrix(np.asarray(a).tolist())  # noqa: E731
    inverse = lambda a: np.array((matrix(a) ** -1).tolist(), dtype=object)  # noqa: E731
    fs.update(sigmoid=each(lambda t: 1 / (1 + mp.exp(-t))),
              softplus=each(lambda t: mp.log(1 + mp.exp(t))),
              inv=inverse, det=lambda a: mp.det(matrix(a)),
              logdet=lambda a: mp.log(abs(mp.det(matrix(a)))),
              solve=lambda a, b: inverse(a) @ b,
              logb=lambda a, b: each(mp.log)(a) / mp.log(b))
    exact = {k: each(lambda t: mp.mpf(float(t)))(v) for k, v in env.items()}

    def f(W, b):
        v = eval(py, dict(fs), dict(exact, W=W, b=b))
        return np.asarray(v, dtype=object).reshape(-1)[0]

    h = mp.mpf("1e-25")

    def gradient(name):
        out = np.zeros(env[name].shape)
        for idx in np.ndindex(out.shape):
            up, down = dict(W=exact["W"], b=exact["b"]), dict(W=exact["W"], b=exact["b"])
            up[name], down[name] = exact[name].copy(), exact[name].copy()
            up[name][idx] += h
            down[name][idx] -= h
            out[idx] = float((f(**up) - f(**down)) / (2 * h))
        return out

    h2 = mp.mpf("1e-15")  # second differences: truncation error h2² ≈ 1e-30

    def hessian_by_w():
        w, k = exact["W"].reshape(-1), env["W"].size

        def at(p, q, dp, dq):
            x = w.copy()
            x[p] += dp
            x[q] += dq
            return f(x.reshape(env["W"].shape), exact["b"])

        out = np.zeros((k, k))
        for p, q in np.ndindex(out.shape):
            corners = at(p, q, h2, h2) - at(p, q, h2, -h2) - at(p, q, -h2, h2) + at(p, q, -h2, -h2)
            out[p, q] = float(corners / (4 * h2**2))
        return out

    return (float(f(exact["W"], exact["b"])), gradient("W"), gradient("b"),
            hessian_by_w() if hessian else None)


def error(got, want):
    """The largest difference relative to the largest wanted entry; infinite
    where one side is NaN and the other is not."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    got = got.reshape(want.shape)
    if np.any(np.isnan(got) != np.isnan(want)):
        return math.inf
    scale = max(np.abs(np.nan_to_num(want)).max(initial=0), 1e-6)
    return float(np.nan_to_num(np.abs(got - want)).max(initial=0) / scale)


def hessian_checked(seed, env):
    """Whether the Hessian by W of case `seed` is checked: one small case in
    three (JAX takes about a second for each)."""
    return seed % 3 == 0 and env["X"].shape[1] <= 7 and env["W"].size <= 6


def symgrad_results(env, loss, hessian=False):
    """symgrad's loss, gradients, and the same by subs, evalpoints and the
    exported JAX code, and the Hessian by W with `hessian`: name → (value,
    index of the reference)."""
    K, D = env["W"].shape
    N = env["X"].shape[1]
    s = symgrad.Session()
    for name in ("X", "Y", "y"):
        s[name] = env[name]
    s["W0"], s["b0"], s["W0f"] = env["W"], env["b"], env["W"].reshape(1, -1)
    s.run(f"symbol W[{K}, {D}]\nsymbol b[{K}]\nL = {loss.sg}")
    at = dict(W=env["W"], b=env["b"])
    out = {
        "value": (s.eval("L", **at), 0),
        "grad W": (s.eval("grad(L, W)", **at), 1),
        "grad b": (s.eval("grad(L, b)", **at), 2),
        "subs": (s.eval("subs(L, W = W0, b = b0)"), 0),
    }
    if N <= 7 and K * D <= 12:
        out["evalpoints"] = (s.eval("evalpoints(subs(L, b = b0), W, W0f)"), 0)
        out["evalpoints grad"] = (s.eval("evalpoints(subs(grad(L, W), b = b0), W, W0f)"), 1)
    if hessian:
        out["hessian W"] = (s.eval("hessian(L, W)", **at), 3)
    if N <= 300:
        for name, array in EXPORT_TARGETS.items():
            try:
                code = s.run(f'code(L, "{name}", W)').text
            except symgrad.Error as e:
                # Data written into the code is bounded; larger data must
                # be a parameter.
                assert "too large to write into the code" in str(e), e
                break
            space = {}
            exec(code, space)
            fn = space["L_and_grad"]
            value, grad_w = fn(*[array(at[p]) for p in inspect.signature(fn).parameters])
            out[f"exported {name}"] = (float(value), 0)
            out[f"exported {name} grad W"] = (np.asarray(grad_w, dtype=float), 1)
    return out


@pytest.mark.parametrize("block", range(8))
def test_random_losses_agree_with_jax(block):
    checked, failures = 0, []
    for seed in range(block * CASES // 8, (block + 1) * CASES // 8):
        drawn = draw(seed)
        if drawn is None:
            continue
        env, loss = drawn

        def reference(W, b):
            fs = dict(JAX)
            fs.update({k: jnp.array(v) for k, v in env.items()}, W=W, b=b)
            return eval(loss.py, fs)

        W, b = jnp.array(env["W"]), jnp.array(env["b"])
        v, (gW, gb) = jax.value_and_grad(reference, argnums=(0, 1))(W, b)
        want = [float(v), np.asarray(gW), np.asarray(gb), None]
        hessian = hessian_checked(seed, env)
        if hessian:
            k = env["W"].size
            want[3] = np.asarray(jax.hessian(reference)(W, b)).reshape(k, k)
        got = symgrad_results(env, loss, hessian)
        bad = {k: error(x, want[i]) for k, (x, i) in got.items() if error(x, want[i]) > TOLERANCE}
        if bad:
            # JAX's rounding or symgrad's: 60 digits decide.
            exact = high_precision(loss.py, env, hessian="hessian W" in bad)
            bad = {k: e for k, (x, i) in got.items()
                   if exact[i] is not None and (e := error(x, exact[i])) > TOLERANCE}
        if bad:
            failures.append(f"seed {seed}: {loss.sg}: {bad}")
        checked += 1
    assert checked >= CASES // 8 - 3, checked
    assert not failures, "\n".join(failures)
