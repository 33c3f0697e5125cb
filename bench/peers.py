#!/usr/bin/env python3
"""The symgrad benchmarks (S1, S2, N1) on the peers: SymPy, SymEngine,
Symbolica, JAX and NumPy, each when installed, on the same workload files
(bench/workloads/*.json), with the same phases and medians, printing the
table layout of `cargo run --release -p symgrad-bench`.

    python3 bench/peers.py [--quick] [--only S1|S2|N1] [--tools SymPy,JAX,...]

Every result is checked against the workload's reference (relative error
<= 1e-9) before its time is reported. A SymPy phase that runs over 60 s
is stopped and shown as a timeout, and SymPy skips the larger sizes after it.
Numeric peers run on one CPU (the N1 rows show their CPU time over
the wall time, about 1 on one thread). It also writes the S1 random points
(NumPy default_rng(0).standard_normal((10000, 5)) * 0.01) to
bench/out/s1_points.f64, where the Rust benchmark reads them.
"""

import os

# One thread for the numeric peers, set before NumPy or JAX is imported:
# the thread counts below, and the process held to one CPU, since JAX's CPU
# client sizes its thread pool by the CPUs the process may run on, whatever
# XLA_FLAGS says (jax 0.10.2 on a 2-core machine ran N1's `W @ X` on both
# cores: CPU time 1.95 × the wall time).
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)
os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse
import importlib
import json
import math
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = os.path.join(HERE, "workloads")
TOOLS = ["SymPy", "SymEngine", "Symbolica", "JAX", "NumPy"]
SYMBOLIC = ["SymPy", "SymEngine", "Symbolica"]
S2_SIZES = ["s2_3_4_3", "s2_10_10_3", "s2_30_10_10", "s2_100_20_10", "s2_300_50_10"]
N1_SIZES = [1_000, 10_000, 60_000]
POINTS = 10_000
TOLERANCE = 1e-9
SYMPY_TIMEOUT = 60
QUICK = False


def load(name):
    with open(os.path.join(WORKLOADS, name + ".json")) as f:
        return json.load(f)


# ---------------------------------------------------------------- timing


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def median(run, setup=lambda: None, limit=None):
    """Median time of run(setup()) after one warm-up, over >= 5 runs and up to
    1 s; a phase whose warm-up takes over 2 s is reported from that one run.
    `limit` (seconds) stops a run that takes longer with Timeout."""
    def once():
        state = setup()
        if limit:
            signal.signal(signal.SIGALRM, _alarm)
            signal.alarm(limit)
        try:
            t = time.perf_counter()
            run(state)
            return time.perf_counter() - t
        finally:
            if limit:
                signal.alarm(0)

    first = once()
    if QUICK or first > 2.0:
        return first, 1
    times, total = [], 0.0
    while len(times) < 5 or (len(times) < 1000 and total < 1.0):
        t = once()
        times.append(t)
        total += t
    return statistics.median(times), len(times)


def median_on_cpu(run):
    """`median(run)` and the process's CPU time over the wall time while it
    ran: about 1 when one thread works."""
    cpu, wall = time.process_time(), time.perf_counter()
    tm, runs = median(run)
    return tm, runs, (time.process_time() - cpu) / (time.perf_counter() - wall)


def show(t, runs=None):
    if t >= 1:
        v, unit = t, "s"
    elif t >= 1e-3:
        v, unit = t * 1e3, "ms"
    elif t >= 1e-6:
        v, unit = t * 1e6, "µs"
    else:
        v, unit = t * 1e9, "ns"
    digits = 0 if v >= 100 else 1 if v >= 10 else 2
    text = f"{v:.{digits}f} {unit}"
    return text + (" (1 run)" if runs == 1 and not QUICK else "")


def check(what, got, want):
    got, want = [float(x) for x in got], [float(x) for x in want]
    if len(got) != len(want):
        raise SystemExit(f"error: {what}: {len(got)} values computed, {len(want)} expected")
    scale = max([abs(w) for w in want] + [1e-300])
    for k, (g, w) in enumerate(zip(got, want)):
        err = abs(g - w) / max(abs(w), scale * 1e-3)
        if not err <= TOLERANCE:
            raise SystemExit(
                f"error: MISMATCH in {what} at element {k}: computed {g!r}, "
                f"reference {w!r} (relative error {err:.2e} > {TOLERANCE:g})"
            )


def flat(m):
    return [x for row in m for x in row]


def peak_reset():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def status_mb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


# ---------------------------------------------------------------- results


class Table:
    def __init__(self, tools):
        self.tools = tools
        self.rows = {}  # (workload, phase) -> {tool: cell}
        self.notes = {}

    def put(self, workload, phase, tool, cell, note=""):
        self.rows.setdefault((workload, phase), {})[tool] = cell
        if note:
            notes = self.notes.setdefault((workload, phase), [])
            if note not in notes:
                notes.append(note)

    def print(self):
        heads = ["workload", "phase"] + self.tools
        widths = [16, 44] + [max(12, len(t)) for t in self.tools]
        def line(cells, note):
            print("|" + "|".join(f" {c:<{w}} " for c, w in zip(cells, widths)) + f"| {note} |")
        line(heads, "note")
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|---|")
        for (workload, phase), cells in self.rows.items():
            line(
                [workload, phase] + [cells.get(t, "—") for t in self.tools],
                "; ".join(self.notes.get((workload, phase), [])),
            )


# ---------------------------------------------------------------- the symbolic peers


class Symbolic:
    """One symbolic library behind a common interface: symbols, exp/log,
    differentiation, printing, substitution and compiled evaluation."""

    def __init__(self, name):
        self.name = name
        if name == "SymPy":
            import sympy as m
        elif name == "SymEngine":
            import symengine as m
        else:
            import symbolica as m
        self.m = m

    def symbols(self, names):
        if self.name == "Symbolica":
            return [self.m.S(n) for n in names]
        return list(self.m.symbols(" ".join(names)))

    def num(self, x):
        if self.name == "Symbolica":
            return self.m.Expression.num(int(x))
        return self.m.Integer(int(x))

    def rational(self, p, q):
        if self.name == "Symbolica":
            return self.m.Expression.num(p) / self.m.Expression.num(q)
        return self.m.Rational(p, q)

    def exp(self, x):
        return x.exp() if self.name == "Symbolica" else self.m.exp(x)

    def log(self, x):
        return x.log() if self.name == "Symbolica" else self.m.log(x)

    def diff(self, e, x):
        return e.derivative(x) if self.name == "Symbolica" else e.diff(x)

    def show(self, e):
        if self.name == "SymPy":
            return self.m.pretty(e)  # 2-D
        return str(e)  # one line only

    def values(self, exprs, syms, point):
        """Substitute and evaluate: floats of `exprs` at `point`."""
        if self.name == "Symbolica":
            consts = dict(zip(syms, point))
            return [complex(e.evaluate(consts)).real for e in exprs]
        d = dict(zip(syms, point))
        if self.name == "SymPy":
            return [float(e.evalf(subs=d)) for e in exprs]
        return [float(e.subs(d)) for e in exprs]

    def compile(self, exprs, syms):
        """A compiled function of one point (a list) and of many (an n×v array)."""
        if self.name == "SymPy":
            import numpy as np
            one = self.m.lambdify(syms, exprs, "math", cse=True)
            many = self.m.lambdify(syms, exprs, "numpy", cse=True)
            return (lambda x: one(*x)), (lambda xs: np.array(many(*xs.T)).T)
        if self.name == "SymEngine":
            f = self.m.Lambdify(syms, exprs, cse=True)
            return (lambda x: f(x)), (lambda xs: f(xs))
        ev = self.m.Expression.evaluator_multiple(exprs, syms)
        return (lambda x: ev.evaluate([x])), (lambda xs: ev.evaluate(xs))


def s1_loss(lib, d):
    X, y = d["X"], d["y"]
    w = lib.symbols([f"w{j}" for j in range(len(X[0]))])
    one = lib.num(1)
    total = lib.num(0)
    for xi, yi in zip(X, y):
        z = lib.num(0)
        for xij, wj in zip(xi, w):
            z = z + lib.num(xij) * wj
        p = one / (one + lib.exp(z))
        total = total - lib.num(yi) * lib.log(p) - (one - lib.num(yi)) * lib.log(one - p)
    return lib.rational(1, len(X)) * total, w


def s1_script(tool):
    """The whole S1 workflow once (a child process of the 'process' phase)."""
    d = load("s1")
    lib = Symbolic(tool)
    L, w = s1_loss(lib, d)
    print(lib.show(L))
    partials = [lib.diff(L, wj) for wj in w]
    print(lib.values([L] + partials, w, d["W_fixed"]))


def s1_points():
    import numpy as np
    xs = np.random.default_rng(0).standard_normal((POINTS, 5)) * 0.01
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    xs.astype("<f8").tofile(os.path.join(out, "s1_points.f64"))
    return xs


def s1_oracle(d, xs):
    """Loss and gradient at each row of xs, NumPy, written from the formula."""
    import numpy as np
    X, y = np.array(d["X"], float), np.array(d["y"], float)
    z = xs @ X.T
    loss = (y * np.logaddexp(0, z) + (1 - y) * np.logaddexp(0, -z)).mean(1)
    grad = ((1 / (1 + np.exp(-z)) - (1 - y)) @ X) / len(y)
    return np.column_stack([loss, grad])


def s1_symbolic(t, tool, d, xs):
    lib = Symbolic(tool)
    W = "S1"
    limit = SYMPY_TIMEOUT if tool == "SymPy" else None
    t.put(W, "build the loss", tool, show(*median(lambda _: s1_loss(lib, d), limit=limit)))
    L, w = s1_loss(lib, d)
    form = "2-D" if tool == "SymPy" else "one line only"
    t.put(W, "print it (2-D)", tool, show(*median(lambda _: lib.show(L))) + f" ({form})")
    t.put(W, "the 5 partials", tool, show(*median(lambda _: [lib.diff(L, wj) for wj in w], limit=limit)))
    partials = [lib.diff(L, wj) for wj in w]
    ref = d["reference_at_W_fixed"]
    check(f"S1 {tool} eval", lib.values([L] + partials, w, d["W_fixed"]), [ref["loss"]] + ref["grad"])
    t.put(W, "eval loss + gradient", tool, show(*median(lambda _: lib.values([L] + partials, w, d["W_fixed"]), limit=limit)),
          "peers: substitute + evaluate")
    one, many = lib.compile([L] + partials, w)
    import numpy as np
    got = np.asarray(many(xs), float).reshape(len(xs), -1)
    want = s1_oracle(d, xs)
    check(f"S1 {tool} compiled, vectorised", got.ravel(), want.ravel())
    check(f"S1 {tool} compiled, one point", np.asarray(one(list(xs[7])), float).ravel(), want[7])
    pts = [list(x) for x in xs]
    tl, _ = median(lambda _: [one(x) for x in pts])
    t.put(W, "per point, loop of 10 000 calls", tool, show(tl / len(pts)),
          "SymPy: lambdify(math); SymEngine: Lambdify(cse); Symbolica: evaluator")
    tv, _ = median(lambda _: many(xs))
    t.put(W, "per point, vectorised over 10 000", tool, show(tv / len(pts)))


def s1_process(tool):
    """The whole S1 workflow as a fresh Python process. Run before any
    in-process use: a restricted (unlicensed) Symbolica aborts in a second
    process while the first holds expressions."""
    cmd = [sys.executable, os.path.abspath(__file__), "--s1-script", tool]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    ref = load("s1")["reference_at_W_fixed"]
    got = out.strip().splitlines()[-1].strip("[]").split(",")
    check(f"S1 {tool} process", got, [ref["loss"]] + ref["grad"])
    tp, _ = median(lambda _: subprocess.run(cmd, check=True, capture_output=True))
    return show(tp)


def s1_numeric(t, tool, d, xs):
    import numpy as np
    X, y = np.array(d["X"], float), np.array(d["y"], float)
    want = s1_oracle(d, xs)
    if tool == "NumPy":
        def many(ws):
            return s1_oracle(d, ws)
        def one(w):
            return s1_oracle(d, w[None, :])[0]
    else:
        import jax
        import jax.numpy as jnp
        Xj, yj = jnp.array(X), jnp.array(y)
        def loss(w):
            z = Xj @ w
            return jnp.mean(yj * jnp.logaddexp(0, z) + (1 - yj) * jnp.logaddexp(0, -z))
        vg = jax.value_and_grad(loss)
        pack = lambda v, g: jnp.concatenate([v[..., None], g], axis=-1)
        one_j = jax.jit(lambda w: pack(*vg(w)))
        many_j = jax.jit(jax.vmap(lambda w: pack(*vg(w))))
        def one(w):
            return one_j(w).block_until_ready()
        def many(ws):
            return many_j(ws).block_until_ready()
    ref = d["reference_at_W_fixed"]
    wf = np.array(d["W_fixed"], float)
    check(f"S1 {tool} eval", np.asarray(one(wf)), [ref["loss"]] + ref["grad"])
    t.put("S1", "eval loss + gradient", tool, show(*median(lambda _: one(wf))))
    check(f"S1 {tool} vectorised", np.asarray(many(xs)).ravel(), want.ravel())
    pts = [x for x in xs]
    tl, _ = median(lambda _: [one(x) for x in pts])
    t.put("S1", "per point, loop of 10 000 calls", tool, show(tl / len(pts)),
          "JAX: jit(value_and_grad), vmap for vectorised")
    tv, _ = median(lambda _: many(xs))
    t.put("S1", "per point, vectorised over 10 000", tool, show(tv / len(pts)))


# ---------------------------------------------------------------- S2


def s2_loss(lib, d):
    K, X, y = d["K"], d["X_with_bias_row"], d["y"]
    rows, N = len(X), len(X[0])
    names = [f"w_{k}_{j}" for k in range(K) for j in range(rows)]
    w = lib.symbols(names)
    W = [w[k * rows:(k + 1) * rows] for k in range(K)]
    total = lib.num(0)
    for i in range(N):
        z = []
        for k in range(K):
            s = lib.num(0)
            for j in range(rows):
                if X[j][i] != 0:
                    s = s + lib.num(X[j][i]) * W[k][j]
            z.append(s)
        den = lib.num(0)
        for zk in z:
            den = den + lib.exp(zk)
        total = total - lib.log(lib.exp(z[y[i]]) / den)
    return lib.rational(1, N) * total, w


def s2_symbolic(t, tool, d, name, skip):
    lib = Symbolic(tool)
    limit = SYMPY_TIMEOUT if tool == "SymPy" else None
    if skip.get(tool):
        t.put(name, "build the loss", tool, "skipped", "SymPy skipped after a timeout at a smaller size")
        return
    try:
        tb, rb = median(lambda _: s2_loss(lib, d), limit=limit)
        t.put(name, "build the loss", tool, show(tb, rb))
        L, w = s2_loss(lib, d)
        tg, rg = median(lambda _: [lib.diff(L, x) for x in w], limit=limit)
    except Timeout:
        t.put(name, "grad(L, W)", tool, f"timeout ({SYMPY_TIMEOUT} s)")
        skip[tool] = True
        return
    t.put(name, "grad(L, W)", tool, show(tg, rg), "peers: all K·(D+1) partials one by one")
    partials = [lib.diff(L, x) for x in w]
    point = flat(d["W_eval"])
    ref = d["reference"]
    try:
        got = lib.values([L] + partials, w, point)
        check(f"{name} {tool}", got, [ref["loss"]] + flat(ref["grad"]))
        te, re_ = median(lambda _: lib.values([L] + partials, w, point), limit=limit)
    except Timeout:
        t.put(name, "eval loss + gradient", tool, f"timeout ({SYMPY_TIMEOUT} s)")
        skip[tool] = True
        return
    t.put(name, "eval loss + gradient", tool, show(te, re_), "peers: substitute + evaluate")
    t.put(name, "grad + eval together", tool, show(tg + te))


def s2_numeric(t, tool, d, name):
    import numpy as np
    X = np.array(d["X_with_bias_row"], float)
    y = np.array(d["y"])
    W = np.array(d["W_eval"], float)
    N, K = X.shape[1], d["K"]
    Y = np.zeros((K, N))
    Y[y, np.arange(N)] = 1
    if tool == "NumPy":
        def f(W):
            Z = W @ X
            Z = Z - Z.max(0)
            P = np.exp(Z)
            s = P.sum(0)
            P /= s
            loss = -(Z[y, np.arange(N)] - np.log(s)).mean()
            return loss, (P - Y) @ X.T / N
    else:
        import jax
        import jax.numpy as jnp
        Xj, Yj = jnp.array(X), jnp.array(Y)
        vg = jax.jit(jax.value_and_grad(lambda W: -jnp.sum(Yj * jax.nn.log_softmax(W @ Xj, axis=0)) / N))
        def f(W):
            v, g = vg(W)
            return v.block_until_ready(), g.block_until_ready()
    loss, grad = f(W)
    ref = d["reference"]
    check(f"{name} {tool}", [loss] + list(np.ravel(grad)), [ref["loss"]] + flat(ref["grad"]))
    t.put(name, "eval loss + gradient", tool, show(*median(lambda _: f(W))),
          "JAX/NumPy: one numeric call (JAX after jit)")


# ---------------------------------------------------------------- N1


N1_ROWS = "loss + gradient per call, samples as rows"
N1_COLUMNS = "loss + gradient per call, as columns"
N1_SGD = "sgd epoch, batch 128, in a script"
N1_ONE_READ = "read X once (sum): the one-read bound"
N1_BATCH = 128
N1_LR = 0.1


def n1(t, tools, n):
    import numpy as np
    name = f"N1 N = {n:,}".replace(",", " ")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, 784))
    labels = rng.integers(0, 10, n)
    W = rng.standard_normal((10, 784)) * 0.01
    Y = np.zeros((n, 10))
    Y[np.arange(n), labels] = 1
    XT, YT = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)

    def numpy_vg(W):
        Z = X @ W.T
        Z = Z - Z.max(1, keepdims=True)
        E = np.exp(Z)
        s = E.sum(1, keepdims=True)
        loss = -(Z[np.arange(n), labels] - np.log(s[:, 0])).mean()
        return loss, (E / s - Y).T @ X / n

    def numpy_vg_columns(W, X=XT, Y=YT):
        Z = W @ X
        Z = Z - Z.max(0, keepdims=True)
        E = np.exp(Z)
        s = E.sum(0, keepdims=True)
        m = X.shape[1]
        loss = -(Y * (Z - np.log(s))).sum() / m
        return loss, (E / s - Y) @ X.T / m

    ref_loss, ref_grad = numpy_vg(W)
    ref = [ref_loss] + list(ref_grad.ravel())
    # An independent check of the NumPy version: a loop over samples (a slice).
    m = min(n, 200)
    loss_loop = 0.0
    for i in range(m):
        z = W @ X[i]
        loss_loop += np.log(np.exp(z - z.max()).sum()) + z.max() - z[labels[i]]
    flops = 2 * n * 784 * 10 * 2
    x_mb = X.nbytes / 2**20
    if "NumPy" in tools:
        total = X.sum()
        check(f"{name} sum of X", [total], [X.sum(0).sum()])
        tm, runs = median(lambda _: X.sum())
        t.put(name, N1_ONE_READ, "NumPy", show(tm, runs), "X.sum(), X N×784 float64")
    for tool in tools:
        steps = {}
        if tool == "NumPy":
            layouts = {N1_ROWS: numpy_vg, N1_COLUMNS: numpy_vg_columns}

            def sgd_epoch(W0, order, batch=N1_BATCH):
                W = W0.copy()
                for k in range(0, n, batch):
                    idx = order[k:k + batch]
                    W -= N1_LR * numpy_vg_columns(W, XT[:, idx], YT[:, idx])[1]
                return W
        else:
            import jax
            import jax.numpy as jnp
            Xj, Yj = jnp.array(X), jnp.array(Y)
            XTj, YTj = jnp.array(XT), jnp.array(YT)

            def rows_loss(W):
                return -jnp.sum(Yj * jax.nn.log_softmax(Xj @ W.T, axis=1)) / n

            def columns_loss(W, X=XTj, Y=YTj):
                return -jnp.sum(Y * jax.nn.log_softmax(W @ X, axis=0)) / X.shape[1]

            g = jax.jit(jax.value_and_grad(rows_loss))
            t0 = time.perf_counter()
            g(jnp.array(W))[1].block_until_ready()
            t.put(name, "grad(L, W)", tool, show(time.perf_counter() - t0), "JAX: trace + jit compile")
            gc = jax.jit(jax.value_and_grad(columns_loss))

            def both(g):
                def f(W):
                    v, gr = g(W)
                    return v.block_until_ready(), gr.block_until_ready()
                return f
            layouts = {N1_ROWS: both(g), N1_COLUMNS: both(gc)}
            # The gradient alone, with the data closed over (constants of
            # the compiled program, as in a notebook), and as columns with
            # the data passed as arguments.
            grad_columns = jax.jit(jax.grad(columns_loss))
            grads = {
                "rows": jax.jit(jax.grad(rows_loss)),
                "columns": grad_columns,
                "columns, X an argument": lambda W: grad_columns(W, XTj, YTj),
            }

            # The data are arguments, not constants baked into the program.
            @jax.jit
            def step(W, X, Y, idx):
                Xb, Yb = jnp.take(X, idx, axis=1), jnp.take(Y, idx, axis=1)
                return W - N1_LR * jax.grad(columns_loss)(W, Xb, Yb)

            def sgd_epoch(W0, order, batch=N1_BATCH):
                W = jnp.array(W0)
                order = jnp.array(order)
                for k in range(0, n, batch):
                    W = step(W, XTj, YTj, order[k:k + batch])
                return np.asarray(W.block_until_ready())
        if tool == "NumPy":
            loss_small = numpy_vg_slice(X[:m], labels[:m], W)
            check(f"{name} NumPy against a loop", [loss_small], [loss_loop / m])
        for phase, f in layouts.items():
            loss, grad = f(W)
            check(f"{name} {tool} {phase}", [loss] + list(np.ravel(grad)), ref)
            peak_reset()
            tm, runs, share = median_on_cpu(lambda _: f(W))
            steps[phase] = tm
            t.put(name, phase, tool, show(tm, runs), f"1 thread (CPU ÷ wall {share:.2f})")
        if tool == "JAX":
            for layout, gr in grads.items():
                gj = lambda W, gr=gr: gr(W).block_until_ready()
                check(f"{name} JAX grad only, {layout}", np.ravel(gj(W)), ref[1:])
                tm, runs, share = median_on_cpu(lambda _: gj(W))
                t.put(name, f"gradient only per call, {layout}", tool, show(tm, runs),
                      f"1 thread (CPU ÷ wall {share:.2f}); jit(grad)")
        peak = status_mb("VmHWM")
        t.put(name, "GFLOP/s", tool, f"{flops / steps[N1_ROWS] / 1e9:.2f}", "rows")
        t.put(name, "peak memory (VmHWM)", tool, f"{peak:.0f} MiB" if peak else "—",
              f"X is {x_mb:.0f} MiB; the whole Python process, every library loaded")
        # One full-batch step is one step of descent; then a shuffled epoch.
        full = np.asarray(sgd_epoch(W, np.arange(n), n))
        check(f"{name} {tool} full-batch sgd step", full.ravel(), (W - N1_LR * ref_grad).ravel())
        order = np.random.default_rng(2).permutation(n)
        sgd_epoch(W, order)  # JAX compiles the step for each batch size here
        tm, runs, share = median_on_cpu(lambda _: sgd_epoch(W, order))
        t.put(name, N1_SGD, tool, show(tm, runs),
              f"{-(-n // N1_BATCH)} steps, samples as columns (CPU ÷ wall {share:.2f}); "
              "JAX: a jit'd step, gather included")


def numpy_vg_slice(X, labels, W):
    import numpy as np
    Z = X @ W.T
    mx = Z.max(1)
    return float((np.log(np.exp(Z - mx[:, None]).sum(1)) + mx - Z[np.arange(len(X)), labels]).mean())


# ---------------------------------------------------------------- main


def available(tools):
    modules = {"SymPy": "sympy", "SymEngine": "symengine", "Symbolica": "symbolica",
               "JAX": "jax", "NumPy": "numpy"}
    have, missing = [], []
    for tool in tools:
        try:
            mod = importlib.import_module(modules[tool])
            have.append(f"{tool} {getattr(mod, '__version__', '?')}")
        except Exception:
            missing.append(tool)
    return have, missing


def main():
    global QUICK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="every phase once at small sizes")
    ap.add_argument("--only", action="append", choices=["S1", "S2", "N1"])
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS))
    ap.add_argument("--s1-script", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.s1_script:
        return s1_script(a.s1_script)
    QUICK = a.quick
    wanted = lambda w: not a.only or w in a.only
    have, missing = available([x.strip() for x in a.tools.split(",") if x.strip()])
    tools = [h.split()[0] for h in have]
    print(f"peer benchmarks — {'quick smoke run' if QUICK else 'medians after a warm-up'}; "
          f"Python {sys.version.split()[0]}; {', '.join(have)}; load average before: {loadavg()}")
    if missing:
        print(f"not installed, skipped: {', '.join(missing)}")
    print()
    t = Table(tools)
    if "NumPy" not in tools:
        print("NumPy is needed for the checks and the S1 points; nothing run.")
        return
    if wanted("S1"):
        d = load("s1")
        xs = s1_points()
        processes = {tool: s1_process(tool) for tool in tools if tool in SYMBOLIC}
        for tool in tools:
            (s1_symbolic if tool in SYMBOLIC else s1_numeric)(t, tool, d, xs)
        for tool, cell in processes.items():
            t.put("S1", "whole script as a process", tool, cell,
                  "peers: python3 importing the library, building, printing, 5 partials, eval")
    if wanted("S2"):
        skip = {}
        for f in S2_SIZES[:2] if QUICK else S2_SIZES:
            d = load(f)
            name = f"S2 {d['N']}, {d['D']}, {d['K']}"
            for tool in tools:
                if tool in SYMBOLIC:
                    s2_symbolic(t, tool, d, name, skip)
                else:
                    s2_numeric(t, tool, d, name)
    if wanted("N1"):
        for n in [200] if QUICK else N1_SIZES:
            n1(t, [x for x in tools if x in ("JAX", "NumPy")], n)
    t.print()
    print()
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
