#!/usr/bin/env python3
"""Helpers of Benchmarks/run.

  results.py h2load STDOUT LOGFILE CPU_TICKS CLK_TCK KEY=VALUE...   one RESULT line from an h2load run
  results.py summary RAWFILE [MARKDOWN]           medians, ratios and targets as one table

Fields the summary reads besides rps, p50_us, p99_us: cpu_us and server_core (the server's CPU
per call and share of a core: h2load rows, and client rows since bench-rpc-client takes
--server-pid), h2load_core, client_cpu_us_per_call and client_core (client rows),
server_rss_kib and server_hwm_kib (h2load rows: VmRSS after the measured run, VmHWM its peak).
Raw files without some of them show "—" there.
"""
import re
import statistics
import sys


def h2load(stdout_path, log_path, cpu_ticks, clk_tck, extra):
    """The measured run's RESULT line. h2load's log file and its counts hold the measured
    requests only (the warm-up is a separate run in Benchmarks/run), so the server's CPU time
    around the run divided by the requests done is its CPU per request."""
    text = open(stdout_path, encoding="utf-8", errors="replace").read()
    latencies, statuses = [], {}
    for line in open(log_path, encoding="utf-8", errors="replace"):
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        status = parts[1]
        statuses[status] = statuses.get(status, 0) + 1
        if status == "200":
            latencies.append(int(parts[2]))
    latencies.sort()
    m = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", text)
    rps = float(m.group(3)) if m else 0.0
    elapsed = (float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)) if m else 0.0
    m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
    done = int(m.group(1)) if m else 0
    errors = (int(m.group(3)) + int(m.group(4))) if m else -1
    non200 = sum(v for k, v in statuses.items() if k != "200")
    cpu_s = int(cpu_ticks) / float(clk_tck)

    def pct(q):
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, max(0, int(-(-q * len(latencies) // 1)) - 1))]

    load_cpu = [e for e in extra if e.startswith("h2load_cpu_s=")]
    extra = [e for e in extra if not e.startswith("h2load_cpu_s=")]
    fields = list(extra) + [
        "rps=%.1f" % rps, "p50_us=%.0f" % pct(0.50), "p99_us=%.0f" % pct(0.99),
        "calls=%d" % done, "errors=%d" % (max(errors, 0) + non200),
        # the server's CPU (all threads) per request, and the share of one core it used
        "cpu_us=%.1f" % (cpu_s * 1e6 / done if done else float("nan")),
        "server_core=%.2f" % (cpu_s / elapsed if elapsed else float("nan")),
    ]
    if load_cpu:  # the load generator's share of its core: near 1.0, h2load is the bound
        h2load_s = float(load_cpu[0].split("=", 1)[1])
        fields.append("h2load_core=%.2f" % (h2load_s / elapsed if elapsed else float("nan")))
    print("RESULT " + " ".join(fields))


def parse(raw_path):
    rows = []
    for line in open(raw_path, encoding="utf-8", errors="replace"):
        if not line.startswith("RESULT ") or " rep=profile " in line:
            continue
        row = {}
        for field in line.split()[1:]:
            if "=" in field:
                k, v = field.split("=", 1)
                row[k] = v
        rows.append(row)
    return rows


def median(rows, value, **match):
    values = []
    for row in rows:
        if all(row.get(k) == str(v) for k, v in match.items()) and value in row:
            try:
                values.append(float(row[value]))
            except ValueError:
                pass
    values = [v for v in values if v == v]
    return (statistics.median(values), len(values)) if values else (None, 0)


def fmt(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ")


RPC_TARGETS = []


def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**missed**")


def mib(kib):
    return None if kib is None else kib / 1024


def rpc_targets(h, h1, c, ratio):
    """Issue 5's and issue 8's RPC targets, as table rows (met / missed)."""
    lines = []

    def target(label, value, ok, unit="×", digits=2):
        shown = fmt(value, digits)
        lines.append(f"| {label} | {shown}{unit if value is not None else ''} | {verdict(None if value is None else ok(value))} |")

    def cpu_note(x, y):
        r = ratio(y["cpu"], x["cpu"])
        return f" (server CPU per call {fmt(r, 2)}× less)" if r else ""

    o, g, b, n = h["ours"], h["grpc"], h["bare"], h["nghttpd"]
    # Issue 8
    r = ratio(o["rps"], g["rps"])
    target("#8 ours ≥ 5× grpc calls/s, 64 in flight (h2load)" + cpu_note(o, g), r, lambda v: v >= 5)
    r = ratio(o["rps"], n["rps"])
    target("#8 ours ≥ 20 % of nghttpd calls/s, 64 in flight (h2load)", r * 100 if r else None, lambda v: v >= 20, " %", 0)
    r = ratio(h1["ours"]["p50"], h1["nghttpd"]["p50"])
    target("#8 ours p50 ≤ 2× nghttpd's, 1 call in flight (h2load)", r, lambda v: v <= 2)
    for key, what in (("ours-client", "NIO client"), ("ours-nghttp2-client", "nghttp2 client")):
        if c[(key, 64)]["n"]:
            r = ratio(c[(key, 64)]["rps"], c[("grpc-client", 64)]["rps"])
            target(f"#8 our client ≥ 3× grpc's, 64 in flight ({what}, own servers)", r, lambda v: v >= 3)
    # Issue 5 (and p99, which both issues ask to be no worse than grpc's)
    r = ratio(o["rps"], g["rps"])
    target("#5 ours ≥ 1.2× grpc calls/s, 64 in flight (h2load)", r, lambda v: v >= 1.2)
    for key, what in (("ours-client", "NIO client"), ("ours-nghttp2-client", "nghttp2 client")):
        if c[(key, 64)]["n"]:
            r = ratio(c[(key, 64)]["rps"], c[("grpc-client", 64)]["rps"])
            target(f"#5 ours ≥ 1.2× grpc calls/s, 64 in flight (own clients, {what})", r, lambda v: v >= 1.2)
    r = ratio(o["p99"], g["p99"])
    target("ours p99 ≤ grpc p99, 64 in flight (h2load)", r, lambda v: v <= 1.0)
    for key, what in (("ours-client", "NIO client"), ("ours-nghttp2-client", "nghttp2 client")):
        if c[(key, 64)]["n"]:
            r = ratio(c[(key, 64)]["p99"], c[("grpc-client", 64)]["p99"])
            target(f"ours p99 ≤ grpc p99, 64 in flight (own clients, {what})", r, lambda v: v <= 1.0)
    r = ratio(o["rps"], b["rps"])
    target("#5 ours ≥ 60 % of bare Hummingbird calls/s (h2load)", r * 100 if r else None, lambda v: v >= 60, " %", 0)
    # Issue 8: memory, the peak RSS (VmHWM) of the measured 64-stream h2load run
    ours, hb = mib(h["ours"]["hwm"]), mib(h["ours-hb"]["hwm"])
    if ours is not None and hb is not None:
        lines.append(f"| #8 ours RSS under 64-in-flight load < ours-hb's (peak RSS, h2load) | {fmt(ours, 1)} / {fmt(hb, 1)} MiB "
                     f"| {verdict(ours < hb)} |")
    return lines


def summary(raw_path, markdown_path=None):
    rows = parse(raw_path)
    out = []
    add = out.append

    def stats(**match):
        rps, n = median(rows, "rps", **match)
        return dict(rps=rps, n=n, p50=median(rows, "p50_us", **match)[0], p99=median(rows, "p99_us", **match)[0],
                    cpu=median(rows, "cpu_us", **match)[0], core=median(rows, "server_core", **match)[0],
                    lcore=median(rows, "h2load_core", **match)[0],
                    ccpu=median(rows, "client_cpu_us_per_call", **match)[0], ccore=median(rows, "client_core", **match)[0],
                    rss=median(rows, "server_rss_kib", **match)[0], hwm=median(rows, "server_hwm_kib", **match)[0])

    def ratio(a, b):
        return None if a is None or b in (None, 0) else a / b

    # Servers under h2load: ours = full ServiceRuntime on the nghttp2 engine (the default),
    # ours-hb = the same runtime on the Hummingbird engine.
    # Rows of ours carry the engine (raw files before it are the Hummingbird engine's history).
    engine = {"ours": dict(engine="nghttp2"), "ours-hb": dict(engine="hummingbird")}
    h = {k: stats(bench="h2load", server=k, concurrency=64, **engine.get(k, {})) for k in ("ours", "ours-hb", "grpc", "bare", "nghttpd")}
    h1 = {k: stats(bench="h2load", server=k, concurrency=1, **engine.get(k, {})) for k in ("ours", "ours-hb", "nghttpd")}
    # Our client's rows: ours-client (NIO, the default) and ours-nghttp2-client (--engine nghttp2).
    c = {(k, n): stats(bench=k, concurrency=n, **(engine["ours"] if k.startswith("ours") else {}))
         for k in ("ours-client", "ours-nghttp2-client", "grpc-client") for n in (1, 64)}

    # The load generator: h2load, or the client of the row (bench-rpc-client, its CPU per call too).
    add("| Benchmark | calls/s | p50 µs | p99 µs | server CPU µs/call | client CPU µs/call | server / load generator core busy | runs |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    table = [
        ("ours: our server (nghttp2 engine), our client (NIO), 1 call in flight", c[("ours-client", 1)]),
        ("ours: our server (nghttp2 engine), our client on the nghttp2 engine, 1 call in flight", c[("ours-nghttp2-client", 1)]),
        ("grpc: grpc-swift-2 server and client, 1 call in flight", c[("grpc-client", 1)]),
        ("ours: our server (nghttp2 engine), our client (NIO), 64 calls in flight", c[("ours-client", 64)]),
        ("ours: our server (nghttp2 engine), our client on the nghttp2 engine, 64 calls in flight", c[("ours-nghttp2-client", 64)]),
        ("grpc: grpc-swift-2 server and client, 64 calls in flight", c[("grpc-client", 64)]),
        ("ours: ServiceRuntime on the nghttp2 engine under h2load, 64 streams", h["ours"]),
        ("ours-hb: the same ServiceRuntime on the Hummingbird engine, h2load, 64 streams", h["ours-hb"]),
        ("grpc: grpc-swift-2 server under h2load (gRPC framing), 64 streams", h["grpc"]),
        ("bare: Hummingbird 2 route under h2load, 64 streams", h["bare"]),
        ("nghttpd: nghttp2's C server (--echo-upload) under h2load, 64 streams", h["nghttpd"]),
        ("ours: nghttp2 engine under h2load, 1 stream in flight", h1["ours"]),
        ("ours-hb: Hummingbird engine under h2load, 1 stream in flight", h1["ours-hb"]),
        ("nghttpd: under h2load, 1 stream in flight", h1["nghttpd"]),
        ("in process: our dispatcher, no HTTP/2, 64 tasks", stats(bench="inproc-dispatcher")),
        ("in process: JSON decode + encode only", stats(bench="inproc-json-codec")),
        ("in process: a trace id and a span id, as TraceContext made them before", stats(bench="trace-ids-current")),
        ("in process: a trace id and a span id, as TraceContext makes them now", stats(bench="trace-ids-proposed")),
    ]
    for label, st in table:
        if st["n"]:
            load = st["lcore"] if st["lcore"] is not None else st["ccore"]
            busy = "—" if st["core"] is None and load is None else f"{fmt(st['core'], 2)} / {fmt(load, 2)}"
            add(f"| {label} | {fmt(st['rps'])} | {fmt(st['p50'])} | {fmt(st['p99'])} | {fmt(st['cpu'], 1)} "
                f"| {fmt(st['ccpu'], 1)} | {busy} | {st['n']} |")

    pairs = [(f"{what}, {n} call{'s' if n > 1 else ''} in flight", c[(key, n)]) for n in (1, 64)
             for key, what in (("ours-client", "ours: our NIO client → our server (nghttp2 engine)"),
                               ("ours-nghttp2-client", "ours: our nghttp2-engine client → our server (nghttp2 engine)"),
                               ("grpc-client", "grpc: grpc-swift-2 client → its server"))]
    if any(st["ccpu"] is not None for _, st in pairs):
        add("")
        add("| Client and server, CPU per call over the same measured window | client µs/call | server µs/call | pair µs/call | client / server core busy | runs |")
        add("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, st in pairs:
            if st["n"]:
                both = None if st["ccpu"] is None or st["cpu"] is None else st["ccpu"] + st["cpu"]
                add(f"| {label} | {fmt(st['ccpu'], 1)} | {fmt(st['cpu'], 1)} | {fmt(both, 1)} "
                    f"| {fmt(st['ccore'], 2)} / {fmt(st['core'], 2)} | {st['n']} |")

    memory = [(k, h[k]) for k in ("ours", "ours-hb", "grpc", "bare", "nghttpd") if h[k]["hwm"] is not None]
    if memory:
        add("")
        add("| Server memory under h2load, 64 streams | peak RSS (VmHWM) MiB | RSS after the run (VmRSS) MiB | runs |")
        add("| --- | ---: | ---: | ---: |")
        for k, st in memory:
            add(f"| {k} | {fmt(mib(st['hwm']), 1)} | {fmt(mib(st['rss']), 1)} | {st['n']} |")

    json_rows = sorted({r["bench"] for r in rows if r.get("bench", "").startswith("json-")})
    if json_rows:
        add("")
        add("| JSON of the 146-byte message, one thread (Foundation coders) | µs per call | runs |")
        add("| --- | ---: | ---: |")
        for bench in json_rows:
            ns, n = median(rows, "ns_per_op", bench=bench)
            add(f"| {bench[5:]} | {fmt(ns / 1000 if ns is not None else None, 2)} | {n} |")

    add("")
    add("| Ratio | calls/s | p50 | p99 | server CPU per call | client CPU per call |")
    add("| --- | ---: | ---: | ---: | ---: | ---: |")
    ratios = [
        ("ours/grpc, own clients, 1 call in flight", c[("ours-client", 1)], c[("grpc-client", 1)]),
        ("ours/grpc, own clients, 64 calls in flight", c[("ours-client", 64)], c[("grpc-client", 64)]),
        ("ours (nghttp2 client)/grpc, own clients, 1 call in flight", c[("ours-nghttp2-client", 1)], c[("grpc-client", 1)]),
        ("ours (nghttp2 client)/grpc, own clients, 64 calls in flight", c[("ours-nghttp2-client", 64)], c[("grpc-client", 64)]),
        ("ours/grpc, h2load, 64 streams", h["ours"], h["grpc"]),
        ("ours/bare, h2load, 64 streams", h["ours"], h["bare"]),
        ("ours/nghttpd, h2load, 64 streams", h["ours"], h["nghttpd"]),
        ("ours/ours-hb (the engine's gain), h2load, 64 streams", h["ours"], h["ours-hb"]),
        ("ours-hb/grpc, h2load, 64 streams", h["ours-hb"], h["grpc"]),
        ("ours/nghttpd, h2load, 1 stream in flight", h1["ours"], h1["nghttpd"]),
        ("ours/ours-hb, h2load, 1 stream in flight", h1["ours"], h1["ours-hb"]),
    ]
    for label, x, y in ratios:
        if x["n"] and y["n"]:
            add(f"| {label} | {fmt(ratio(x['rps'], y['rps']), 2)} | {fmt(ratio(x['p50'], y['p50']), 2)} "
                f"| {fmt(ratio(x['p99'], y['p99']), 2)} | {fmt(ratio(x['cpu'], y['cpu']), 2)} | {fmt(ratio(x['ccpu'], y['ccpu']), 2)} |")
    RPC_TARGETS.clear()
    RPC_TARGETS.extend(rpc_targets(h, h1, c, ratio))

    add("")
    add("| Records | value | runs |")
    add("| --- | ---: | ---: |")
    for db in ("sqlite", "postgres"):
        for callers in ("64", "1"):
            v, n = median(rows, "rps", bench="records-appends", database=db, callers=callers)
            if n:
                p99, _ = median(rows, "p99_us", bench="records-appends", database=db, callers=callers)
                add(f"| appends/s, {db}, {callers} concurrent callers (p99 {fmt(p99 / 1000 if p99 else None, 1)} ms) | {fmt(v)} | {n} |")
        sizes = sorted({int(r["size"]) for r in rows if r.get("bench") == "records-inclusion" and r.get("database") == db})
        for size in sizes:
            for kind in ("inclusion", "consistency"):
                p50, n = median(rows, "p50_us", bench=f"records-{kind}", database=db, size=size)
                p99, _ = median(rows, "p99_us", bench=f"records-{kind}", database=db, size=size)
                add(f"| {kind} proof, {db}, {size} entries: p50 / p99 µs | {fmt(p50)} / {fmt(p99)} | {n} |")
            b, n = median(rows, "bytes_per_entry", bench="records-bytes", database=db, size=size)
            add(f"| database bytes per entry, {db}, {size} entries | {fmt(b)} | {n} |")
            s, n = median(rows, "appends_per_s", bench="records-build", database=db, size=size)
            add(f"| bulk build to {size} entries (library, batches of 8192), appends/s | {fmt(s)} | {n} |")

    add("")
    add("| Service | exec → /readyz 200 ms | idle RSS MiB | RSS under load MiB | idle / load RssAnon MiB | load calls/s | runs |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for service in ("records", "vault", "intake"):
        ready, n = median(rows, "ready_ms", bench="service", service=service)
        idle, _ = median(rows, "idle_rss_mib", bench="service", service=service)
        load, _ = median(rows, "load_rss_mib", bench="service", service=service)
        lrps, _ = median(rows, "load_rps", bench="service", service=service)
        ianon, _ = median(rows, "idle_anon_mib", bench="service", service=service)
        lanon, _ = median(rows, "load_anon_mib", bench="service", service=service)
        add(f"| tender-{service} | {fmt(ready)} | {fmt(idle, 1)} | {fmt(load, 1)} | {fmt(ianon, 1)} / {fmt(lanon, 1)} | {fmt(lrps)} | {n} |")

    ms, n = median(rows, "ms", bench="evaluation")
    if n:
        add("")
        add("| Evaluation | ms | runs |")
        add("| --- | ---: | ---: |")
        add(f"| rank 10 000 applications × 50 evaluators (scoring engine, with Kendall's W) | {fmt(ms)} | {n} |")

    add("")
    add("| Target | measured | |")
    add("| --- | --- | --- |")

    for line in RPC_TARGETS:
        add(line)
    v, _ = median(rows, "rps", bench="records-appends", database="sqlite", callers="64")
    add(f"| ≥ 5 000 appends/s on SQLite | {fmt(v)} | {verdict(None if v is None else v >= 5000)} |")
    sizes = sorted({int(r["size"]) for r in rows if r.get("bench") == "records-inclusion"})
    if sizes:
        top = sizes[-1]
        p50, _ = median(rows, "p50_us", bench="records-inclusion", database="sqlite", size=top)
        p99, _ = median(rows, "p99_us", bench="records-inclusion", database="sqlite", size=top)
        add(f"| inclusion proof < 1 ms at {top} entries (SQLite, p50 / p99) | {fmt(p50)} / {fmt(p99)} µs | {verdict(None if p50 is None else p50 < 1000)} |")
    for service in ("records", "vault", "intake"):
        idle, _ = median(rows, "idle_rss_mib", bench="service", service=service)
        ready, _ = median(rows, "ready_ms", bench="service", service=service)
        add(f"| tender-{service}: idle RSS < 40 MiB | {fmt(idle, 1)} MiB | {verdict(None if idle is None else idle < 40)} |")
        add(f"| tender-{service}: ready < 1 s after exec | {fmt(ready)} ms | {verdict(None if ready is None else ready < 1000)} |")

    text = "\n".join(out)
    print(text)
    if markdown_path:
        with open(markdown_path, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "h2load":
        h2load(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    elif sys.argv[1] == "summary":
        summary(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sys.exit(__doc__)
