"""The server under abuse and the checks every test ends with.

scripts/nghttp2-safety starts nghttp2-safety-server (AddressSanitizer build) and passes
SAFETY_SERVER_PID and SAFETY_SERVER_PORT. Each test attacks it, then:

- the process is alive;
- its resident memory (VmRSS), sampled every 20 ms during the test, stayed under
  SAFETY_RSS_LIMIT_MB (default 400 MiB; the server starts at about 60 MiB under ASan);
- once the test closed its sockets, the server's open sockets come back to what they were
  before (its connections were closed, not leaked);
- a normal Echo call on a fresh connection succeeds within ECHO_WITHIN seconds.
"""

import os
import threading
import time

import pytest

from h2abuse import alive, echo, open_sockets, rss_mb

RSS_LIMIT_MB = float(os.environ.get("SAFETY_RSS_LIMIT_MB", "400"))
ECHO_WITHIN = 5.0
SOCKETS_SETTLE_SECONDS = 15.0
MEASUREMENTS = []


class Server:
    def __init__(self, pid, port):
        self.pid = pid
        self.port = port


@pytest.fixture(scope="session")
def server():
    pid, port = os.environ.get("SAFETY_SERVER_PID"), os.environ.get("SAFETY_SERVER_PORT")
    if not pid or not port:
        pytest.fail("SAFETY_SERVER_PID and SAFETY_SERVER_PORT must name a running nghttp2-safety-server")
    return Server(int(pid), int(port))


class PeakSampler(threading.Thread):
    """Samples the server's VmRSS in the background, keeping the highest value."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except (FileNotFoundError, AssertionError):
                return
            self.stopped.wait(0.02)


@pytest.fixture(autouse=True)
def server_survives(request, server):
    """Runs the test, then the checks in the module docstring."""
    assert alive(server.pid), "server is not running before the test"
    before_rss, before_sockets = rss_mb(server.pid), open_sockets(server.pid)
    sampler = PeakSampler(server.pid)
    sampler.start()
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    name = request.node.name
    assert alive(server.pid), f"server died during {name}"
    deadline = time.monotonic() + SOCKETS_SETTLE_SECONDS
    while open_sockets(server.pid) > before_sockets and time.monotonic() < deadline:
        time.sleep(0.1)
    sockets = open_sockets(server.pid)
    status, body, echo_seconds = echo(server.port, text=name, timeout=ECHO_WITHIN)
    after_rss = rss_mb(server.pid)
    peak = max(sampler.peak, after_rss)
    MEASUREMENTS.append((name, took, before_rss, peak, after_rss, before_sockets, sockets, echo_seconds))
    assert alive(server.pid), f"server died after {name}"
    assert status == 200 and body == {"text": name}, f"echo after {name}: status {status}, body {body!r}"
    assert echo_seconds < ECHO_WITHIN, f"echo after {name} took {echo_seconds:.1f}s"
    assert peak < RSS_LIMIT_MB, f"RSS reached {peak:.0f} MiB during {name} (bound {RSS_LIMIT_MB:.0f} MiB)"
    assert sockets <= before_sockets, f"{sockets - before_sockets} connections still open {SOCKETS_SETTLE_SECONDS:.0f}s after {name}"


def pytest_terminal_summary(terminalreporter):
    if not MEASUREMENTS:
        return
    terminalreporter.write_sep("-", f"server memory and sockets (RSS bound {RSS_LIMIT_MB:.0f} MiB)")
    terminalreporter.write_line(f"{'test':44} {'secs':>6} {'RSS before':>10} {'peak':>7} {'after':>7} {'sockets':>9} {'echo ms':>8}")
    for name, took, before, peak, after, sockets_before, sockets_after, echo_seconds in MEASUREMENTS:
        terminalreporter.write_line(
            f"{name:44} {took:6.1f} {before:9.0f}M {peak:6.0f}M {after:6.0f}M {sockets_before:4}->{sockets_after:<4} {echo_seconds * 1000:8.0f}"
        )
