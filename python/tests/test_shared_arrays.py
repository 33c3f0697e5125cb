"""`s["X"] = array` without a copy: a read-only, C-contiguous float64 array
is read in place; every other array is copied in (values against NumPy)."""

import gc
import pathlib
import sys
import time

import numpy as np
import pytest

import symgrad

STATUS = pathlib.Path("/proc/self/status")


def resident_mib():
    """The resident memory of this process in MiB (Linux)."""
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


def read_only(array):
    array.flags.writeable = False
    return array


@pytest.mark.skipif(not STATUS.exists(), reason="reads /proc/self/status (Linux)")
def test_a_read_only_array_is_bound_without_a_copy_and_a_writeable_one_with_one():
    s = symgrad.Session()
    rng = np.random.default_rng(1)
    n = 10_000_000  # 76 MiB of float64
    shared = read_only(rng.normal(size=(n // 1000, 1000)))
    copied = rng.normal(size=(n // 1000, 1000))
    before = resident_mib()
    s["X"] = shared
    after_shared = resident_mib()
    # The shared array only adds the session's bookkeeping. (The copy's
    # growth is not measured: the allocator may reuse pages an earlier
    # test left resident.)
    assert after_shared - before < 16, (before, after_shared)
    # The writeable array is copied in: changing it afterwards changes
    # nothing in the session.
    original = copied.copy()
    s["Y"] = copied
    copied += 1.0
    s.run("symbol w[1000]")
    w = rng.normal(size=(1000, 1))
    for name, data in [("X", shared), ("Y", original)]:
        value = s.eval(f"sum(({name} * w) .^ 2) / {n // 1000}", w=w)
        assert value == pytest.approx(np.mean((data @ w) ** 2), rel=1e-10)


def test_a_shared_array_is_read_in_place_and_kept_alive():
    s = symgrad.Session()
    base = np.arange(6.0).reshape(2, 3).copy()  # owns its numbers
    earlier_view = base[:]  # writeable, made before base became read-only
    read_only(base)
    references = sys.getrefcount(base)
    s["X"] = base
    assert sys.getrefcount(base) == references + 1  # the session holds it
    # Writing through a view made earlier is what the README warns about:
    # it reaches the session, which shows the numbers are not copied.
    earlier_view[0, 1] = 42.0
    np.testing.assert_array_equal(s["X"], [[0.0, 42.0, 2.0], [3.0, 4.0, 5.0]])
    expected = base.copy()
    del base, earlier_view
    gc.collect()
    np.testing.assert_array_equal(s["X"], expected)
    np.testing.assert_array_equal(s.eval("X' * X"), expected.T @ expected)


def test_writeable_views_transposes_and_other_dtypes_are_copied():
    s = symgrad.Session()
    A = np.arange(12.0).reshape(3, 4)
    original = A.copy()
    view = read_only(A.view())  # read-only, but its base is writeable
    s["W"] = A
    s["V"] = view
    s["T"] = read_only(A.T.copy().T)  # Fortran order
    s["I"] = read_only(np.arange(12, dtype=np.int32).reshape(3, 4))
    s["B"] = read_only(A.astype(">f8"))  # big-endian
    A[0, 0] = -1.0
    for name in "WV":
        np.testing.assert_array_equal(s[name], original)
    np.testing.assert_array_equal(s["T"], original)
    np.testing.assert_array_equal(s["I"], original)
    np.testing.assert_array_equal(s["B"], original)
    assert A.flags.writeable  # binding never changes the caller's array


def test_a_read_only_memory_map_is_bound_in_place(tmp_path):
    s = symgrad.Session()
    data = np.random.default_rng(2).normal(size=(50, 4))
    np.save(tmp_path / "x.npy", data)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    assert not mapped.flags.writeable
    s["X"] = mapped
    s["v"] = read_only(np.array([0.5, -1.0, 2.0, 0.25]))  # 1-D: a 4×1 column
    np.testing.assert_allclose(s.eval("X * v"), data @ [[0.5], [-1.0], [2.0], [0.25]], rtol=1e-14)
    with pytest.raises(symgrad.Error, match="dimensions"):
        s["cube"] = read_only(np.zeros((2, 2, 2)))


def test_a_dropped_session_lets_go_of_a_shared_array():
    shared = read_only(np.ones((100, 100)))
    references = sys.getrefcount(shared)
    s = symgrad.Session()
    s["X"] = shared
    assert sys.getrefcount(shared) == references + 1
    del s
    # The session's thread drops the array without the GIL; PyO3 releases
    # it the next time Rust code holds the GIL.
    for _ in range(100):
        gc.collect()
        symgrad.Session.is_complete("1")
        if sys.getrefcount(shared) == references:
            break
        time.sleep(0.02)
    assert sys.getrefcount(shared) == references
