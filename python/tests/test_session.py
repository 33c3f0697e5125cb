"""The Python API: values against NumPy, results and errors against the CLI."""

import re
import signal
import threading
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import symgrad


@pytest.fixture
def s():
    return symgrad.Session()


def test_gradient_of_a_least_squares_loss_matches_numpy(s):
    rng = np.random.default_rng(0)
    X, Y, W = rng.normal(size=(3, 7)), rng.normal(size=(2, 7)), rng.normal(size=(2, 3))
    s["X"] = X
    s["Y"] = Y
    s.run("symbol W[2, 3]\nL = sum((W * X - Y) .^ 2) / 7\nG = grad(L, W)")
    assert s.eval("L", W=W) == pytest.approx(np.sum((W @ X - Y) ** 2) / 7, rel=1e-12)
    # d/dW of |WX - Y|²/n is 2 (WX - Y) Xᵀ / n.
    G = s.eval("G", W=W)
    assert isinstance(G, np.ndarray) and G.shape == (2, 3)
    np.testing.assert_allclose(G, 2 * (W @ X - Y) @ X.T / 7, rtol=1e-12)


def test_eval_of_a_scalar_symbol_and_an_expression_text(s):
    s.run("f = exp(a) * b^2 + log(b)")
    assert s.eval("f", a=0.3, b=2.0) == pytest.approx(np.exp(0.3) * 4.0 + np.log(2.0))
    assert s.eval("diff(f, b)", a=0.3, b=2.0) == pytest.approx(np.exp(0.3) * 4.0 + 0.5)


def test_a_symbols_name_bound_to_an_array_still_names_it_in_eval(s):
    # As after SymPy's `W = np.random.randn(...)`: L keeps the symbol W.
    s.run("symbol W[1, 2]\nL = sum(W .* W)")
    s["W"] = np.array([[3.0, 4.0]])
    assert s.eval("L", W=np.array([[1.0, 2.0]])) == 5.0
    assert str(s.run("subs(L, W = W)")) == "25.0"


def test_numbers_that_are_not_finite_or_not_real_are_refused_where_given(s):
    # As load refuses them: a NaN bound would surface later as an error
    # about an operation, and float64 would drop an imaginary part.
    for value, where in [(np.array([1.0, np.nan]), "element [1, 0] is NaN"),
                         (np.array([[1.0, 2.0], [3.0, -np.inf]]), "element [1, 1] is infinite"),
                         (float("nan"), "the number is NaN")]:
        with pytest.raises(symgrad.Error, match=f"X: {re.escape(where)}; symgrad binds finite"):
            s["X"] = value
    assert "X" not in s
    s.run("symbol W[1, 2]")
    with pytest.raises(symgrad.Error, match=r"the value for W: element \[0, 1\] is NaN"):
        s.eval("sum(W)", W=np.array([[1.0, np.nan]]))
    for value in [np.array([1 + 2j]), 1j]:
        with pytest.raises(symgrad.Error, match="complex ones cannot be bound"):
            s["Z"] = value
    with pytest.raises(symgrad.Error, match="complex ones cannot be bound"):
        s.eval("sum(W)", W=np.array([[1j, 1.0]]))


def test_values_have_the_digits_eval_gives(s):
    # float64 loses these: exp(1e-20) - 1 is 0.0, exp(1000) overflows.
    assert np.expm1(1e-20) == 1e-20
    assert s.eval("exp(x) - 1", x=1e-20) == 1e-20
    s.run("f = log(1 + exp(1000))")
    assert s["f"] == 1000.0
    # cosh(26) rounded to float64 moves tan by 6e-6; mpmath gives 0.1446753285667128389…
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    assert s.eval("tan(cosh(26))") == float(mpmath.tan(mpmath.cosh(26)))


def test_arrays_round_trip_whatever_their_layout(s):
    A = np.arange(12.0).reshape(3, 4)
    for name, value in [("C", A), ("F", np.asfortranarray(A)), ("T", A.T), ("S", A[:, ::2])]:
        s[name] = value
        back = s[name]
        assert back.shape == value.shape and back.dtype == np.float64
        np.testing.assert_array_equal(back, value)
    s["v"] = np.array([1, 2, 3])  # integers become floats; 1-D is a column
    np.testing.assert_array_equal(s["v"], [[1.0], [2.0], [3.0]])
    s["c"] = 2.5
    assert s["c"] == 2.5
    assert "v" in s and "nothing" not in s
    with pytest.raises(KeyError):
        s["nothing"]
    with pytest.raises(symgrad.Error, match="dimensions"):
        s["cube"] = np.zeros((2, 2, 2))


def test_results_computed_in_the_session_come_out_as_arrays(s):
    s["A"] = np.array([[1.0, 2.0], [3.0, 4.0]])
    s.run("B = A * A'")
    np.testing.assert_array_equal(s["B"], np.array([[5.0, 11.0], [11.0, 25.0]]))
    # descend on (w + 2)² from 2 ends next to the minimum at -2.
    s.run("w_end = descend((w + 2)^2 + 3, w, 0.1, 200, 2)")
    assert s["w_end"] == pytest.approx(-2.0, abs=1e-9)


def test_run_returns_the_last_result_or_none(s):
    assert s.run("a = 1") is None
    assert s.run("symbol W[2, 2]") is None
    assert s.run("x + x\nb = 2") is None
    r = s.run("x + x")
    assert isinstance(r, symgrad.Result)
    seen = []
    last = s.run("x + 1\n2 * y", on_result=seen.append)
    assert [str(r) for r in seen] == ["x + 1", "2*y"] and str(last) == "2*y"


def test_the_forms_are_what_the_cli_prints(s, cli):
    src = "symbol W[2, 2]\nL = sum(tanh(W * [1, 2]))\ngrad(L, W)"
    r = s.run(src)
    shown = lambda form: cli(src.replace("\n", ";"), width=80) if form == "pretty" else cli(
        f":set output {form}", src.replace("\n", ";")
    )
    assert r.plain + "\n" == shown("pretty")[0]
    assert repr(r) == r.plain
    assert str(r) + "\n" == shown("text")[0]
    assert r.latex + "\n" == shown("latex")[0]


def test_errors_carry_the_cli_message(s, cli):
    with pytest.raises(symgrad.Error) as caught:
        s.run("a = 2\n1/0 + a", origin="<-e>")
    _, stderr = cli("a = 2\n1/0 + a")
    assert str(caught.value) + "\n" == stderr
    assert s["a"] == 2.0  # the binding before the error stays
    with pytest.raises(symgrad.Error, match="unbound: b"):
        s.eval("a * b")


def test_mime_bundles(s):
    r = s.run("diff(x^3, x)")
    bundle = r._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/latex"}
    assert bundle["text/latex"] == "$\\displaystyle " + r.latex + "$"
    assert r._repr_mimebundle_(include={"text/plain"}) == {"text/plain": r.plain}
    assert set(r._repr_mimebundle_(exclude=["text/latex"])) == {"text/plain"}
    plot = s.run("plot(w^2, w, -1, 1)")
    svg = plot._repr_mimebundle_()["image/svg+xml"]
    assert ET.fromstring(svg).tag.endswith("svg")
    assert "⠀" in plot.plain or "⣀" in plot.plain or len(plot.plain.splitlines()) > 5
    help_text = s.run(":help grad")
    assert set(help_text._repr_mimebundle_()) == {"text/plain"}
    assert str(help_text).startswith("grad(")


LONG = "descend((w + 2)^2 + 3, w, 0.000001, 1000000000, 2)"


def test_the_gil_is_released_while_a_statement_runs(s):
    counted = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counted.append(1)
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    timer = threading.Timer(1.0, s.interrupt)
    timer.start()
    try:
        with pytest.raises((symgrad.Error, KeyboardInterrupt)):
            s.run(LONG)
    finally:
        stop.set()
        counter.join()
        timer.cancel()
    assert len(counted) > 100


def test_ctrl_c_stops_a_long_descend_and_keeps_the_session(s):
    s.run("kept = 41")
    timer = threading.Timer(0.5, signal.raise_signal, (signal.SIGINT,))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        s.run(LONG)
    assert time.monotonic() - started < 10
    assert s.eval("kept + 1") == 42.0


def test_the_package_docstring_example_runs():
    import doctest

    assert doctest.testmod(symgrad).failed == 0
