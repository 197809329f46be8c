#!/usr/bin/env python3
"""Start-up time and memory of one service process (Benchmarks/run).

  service.py NAME BINARY DATA_DIR RPC_PORT OPS_PORT LOAD_PATH LOAD_SECONDS REP [KEY=VALUE env...]

Starts BINARY with a local-mode environment, measures the time from exec to the first
`/readyz` 200 on the ops port (polled every 2 ms), the idle RSS 2 s later, then the peak RSS
while h2load (64 streams on one connection, pinned to core 1) calls the open method
LOAD_PATH with body `{}`, and stops the process with SIGTERM. Prints one RESULT line.
"""
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time


def rss_kib(pid, field="VmRSS"):
    """VmRSS (all resident pages), or RssAnon (private heap and stacks, without the
    file-backed pages of the binary and the shared libraries)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def ready(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
        conn.request("GET", "/readyz")
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except OSError:
        return False


def main():
    name, binary, data_dir, rpc_port, ops_port, load_path, load_seconds, rep = sys.argv[1:9]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "ENVIRONMENT": "local", "DATA_DIR": data_dir, "RPC_PORT": rpc_port, "OPS_PORT": ops_port,
           "LOG_LEVEL": "info"}
    for pair in sys.argv[9:]:
        k, v = pair.split("=", 1)
        env[k] = v
    os.makedirs(data_dir, exist_ok=True)
    log = open(os.path.join(data_dir, f"{name}.log"), "ab")
    started = time.monotonic()
    process = subprocess.Popen(["taskset", "-c", "0", binary], env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    ready_ms = None
    while time.monotonic() - started < 60:
        if process.poll() is not None:
            break
        if ready(int(ops_port)):
            ready_ms = (time.monotonic() - started) * 1000
            break
        time.sleep(0.002)
    if ready_ms is None:
        process.kill()
        process.wait()
        sys.exit(f"tender-{name} did not become ready; log in {data_dir}/{name}.log")
    time.sleep(2)
    idle = rss_kib(process.pid)
    idle_anon = rss_kib(process.pid, "RssAnon")
    peak = [idle]
    peak_anon = [idle_anon]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(process.pid))
            peak_anon[0] = max(peak_anon[0], rss_kib(process.pid, "RssAnon"))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body:
        body.write("{}")
    out = subprocess.run(
        ["taskset", "-c", "1", "h2load", "-c", "1", "-m", "64", "-t", "1", "-D", load_seconds,
         "--warm-up-time=1", "-d", body.name, "-H", "content-type: application/json",
         f"http://127.0.0.1:{rpc_port}{load_path}"], capture_output=True, text=True)
    stop.set()
    sampler.join()
    os.unlink(body.name)
    m = re.search(r"([\d.]+) req/s", out.stdout)
    load_rps = float(m.group(1)) if m else 0.0
    m = re.search(r"status codes: (\d+) 2xx", out.stdout)
    ok = int(m.group(1)) if m else 0
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    print(f"RESULT rep={rep} bench=service service={name} ready_ms={ready_ms:.0f} idle_rss_mib={idle / 1024:.1f} "
          f"load_rss_mib={peak[0] / 1024:.1f} idle_anon_mib={idle_anon / 1024:.1f} load_anon_mib={peak_anon[0] / 1024:.1f} load_rps={load_rps:.0f} load_2xx={ok}")


if __name__ == "__main__":
    main()
