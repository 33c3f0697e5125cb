"""The symgrad Jupyter kernel: the jupyter_kernel_test suite, and an
interrupt of a long computation that keeps the session."""

import time
import unittest

import pytest

jupyter_kernel_test = pytest.importorskip("jupyter_kernel_test")


class SymgradKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "symgrad"
    language_name = "symgrad"
    file_extension = ".sg"

    code_execute_result = [
        {"code": "2 + 3", "result": "5"},
        {"code": "a = 3\na^2 - 1", "result": "8"},
        {"code": "diff(x^3, x)", "mime": "text/latex", "result": "$\\displaystyle 3 x^{2}$"},
    ]
    # Every result but a cell's last is display data.
    code_display_data = [
        {"code": "plot(w^2, w, -1, 1)\n1", "mime": "image/svg+xml"},
        {"code": "x + x\n1", "mime": "text/latex"},
    ]
    completion_samples = [
        {"text": "gradc", "matches": {"gradcheck"}},
        {"text": "softmax_c", "matches": {"softmax_cce"}},
        {"text": ":hel", "matches": {":help"}},
    ]
    complete_code_samples = ["x + 1", "f(x) = x^2", "symbol W[2, 3]"]
    incomplete_code_samples = ["grad(x^2,", "[[1, 2],"]
    code_inspect_sample = "grad"
    code_generate_error = "1/0"


class InterruptTests(unittest.TestCase):
    def test_interrupt_stops_a_long_descend_and_keeps_the_session(self):
        from jupyter_client.manager import start_new_kernel

        km, kc = start_new_kernel(kernel_name="symgrad")
        try:
            reply = kc.execute_interactive("kept = 41", timeout=30)
            self.assertEqual(reply["content"]["status"], "ok")
            kc.execute("descend((w + 2)^2 + 3, w, 0.000001, 1000000000, 2)")
            time.sleep(1.0)
            started = time.monotonic()
            km.interrupt_kernel()
            reply = kc.get_shell_msg(timeout=30)
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(reply["content"]["status"], "error")
            self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
            results = []
            # ipykernel aborts requests that reach it just after an error
            # reply, until its shell thread has posted an end to that
            # (a race under load): an aborted request never ran, so it is
            # sent again.
            for _ in range(5):
                reply = kc.execute_interactive(
                    "kept + 1",
                    timeout=30,
                    output_hook=lambda m: results.append(m["content"].get("data", {})),
                )
                if reply["content"]["status"] != "aborted":
                    break
                time.sleep(0.5)
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertIn({"text/plain": "42"}, [
                {k: v for k, v in r.items() if k == "text/plain"} for r in results
            ])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
