"""Ctrl-C in the REPL: runs `symgrad` in a pseudo-terminal, starts a long
computation, sends SIGINT to the process, and checks that the computation
stops with "interrupted", the prompt comes back and the bindings made before
are still there.

Usage: python3 ctrl_c.py PATH/TO/symgrad "LONG STATEMENT" [SECONDS [PAUSE]]
(the history file is $SYMGRAD_HISTORY, else /dev/null; SIGINT is sent PAUSE
seconds after the statement, 3 unless given, and "interrupted" must come
within SECONDS of it, 60 unless given)
Exit code 0 when all of that holds; otherwise 1 with what was seen.
"""

import os
import pty
import select
import signal
import sys
import time

PROMPT = "» "


def main(binary: str, long_statement: str, bound: float = 60.0, pause: float = 3.0) -> int:
    history = os.environ.get("SYMGRAD_HISTORY", "/dev/null")
    env = dict(os.environ, SYMGRAD_HISTORY=history, NO_COLOR="1", TERM="dumb")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "--width", "80"], env)
    seen = bytearray()

    def read_until(token: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while token.encode() not in seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                seen.extend(chunk)
        return True

    def send(line: str) -> None:
        del seen[:]
        os.write(fd, (line + "\n").encode())

    def fail(why: str) -> int:
        print(f"ctrl_c: {why}; the terminal showed:\n{seen.decode(errors='replace')}")
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return 1

    if not read_until(PROMPT, 60):
        return fail("no prompt")
    send("kept = 41")
    if not read_until(PROMPT, 60):
        return fail("no prompt after a binding")
    send(long_statement)
    # Reads the terminal while waiting, so that a statement that has ended
    # shows its prompt (after the echoed statement) and is caught here.
    if read_until(PROMPT, pause):
        return fail("the long statement ended before Ctrl-C")
    started = time.monotonic()
    os.kill(pid, signal.SIGINT)
    if not read_until("interrupted", bound):
        return fail(f"no 'interrupted' within {bound} s of SIGINT")
    stopped = time.monotonic() - started
    if not read_until(PROMPT, 30):
        return fail("no prompt after the interrupt")
    send("kept + 1")
    if not read_until("42", 30) or not read_until(PROMPT, 30):
        return fail("the binding made before is gone")
    send(":quit")
    _, status = os.waitpid(pid, 0)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        return fail(f"the REPL did not exit cleanly (status {status})")
    print(f"ctrl_c: stopped {stopped:.2f} s after SIGINT; the session kept its bindings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], *map(float, sys.argv[3:5])))
