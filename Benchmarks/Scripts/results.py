#!/usr/bin/env python3
"""Helpers of Benchmarks/run.

  results.py h2load STDOUT LOGFILE WARMUP_S KEY=VALUE...   one RESULT line from an h2load run
  results.py summary RAWFILE [MARKDOWN]           medians, ratios and targets as one table
"""
import re
import statistics
import sys


def h2load(stdout_path, log_path, warmup, extra):
    text = open(stdout_path, encoding="utf-8", errors="replace").read()
    latencies, statuses = [], {}
    rows = []
    for line in open(log_path, encoding="utf-8", errors="replace"):
        parts = line.split("\t")
        if len(parts) >= 3:
            rows.append((int(parts[0]), parts[1], int(parts[2])))
    # The log also has the warm-up's requests; h2load's own req/s does not count them.
    first = min((r[0] for r in rows), default=0)
    for start, status, elapsed in rows:
        if start < first + float(warmup) * 1e6:
            continue
        statuses[status] = statuses.get(status, 0) + 1
        if status == "200":
            latencies.append(elapsed)
    latencies.sort()
    m = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", text)
    rps = float(m.group(3)) if m else 0.0
    m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
    errors = (int(m.group(3)) + int(m.group(4))) if m else -1
    non200 = sum(v for k, v in statuses.items() if k != "200")

    def pct(q):
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, max(0, int(-(-q * len(latencies) // 1)) - 1))]

    fields = list(extra) + [
        "rps=%.1f" % rps, "p50_us=%.0f" % pct(0.50), "p99_us=%.0f" % pct(0.99),
        "calls=%d" % len(latencies), "errors=%d" % (max(errors, 0) + non200),
    ]
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


def summary(raw_path, markdown_path=None):
    rows = parse(raw_path)
    out = []
    add = out.append
    add("| Benchmark | calls/s | p50 µs | p99 µs | runs |")
    add("| --- | ---: | ---: | ---: | ---: |")
    rpc = [
        ("ours: our server, our client, 1 call in flight", dict(bench="ours-client", concurrency=1)),
        ("grpc: grpc-swift-2 server and client, 1 call in flight", dict(bench="grpc-client", concurrency=1)),
        ("ours: our server, our client, 64 calls in flight", dict(bench="ours-client", concurrency=64)),
        ("grpc: grpc-swift-2 server and client, 64 calls in flight", dict(bench="grpc-client", concurrency=64)),
        ("ours: our server under h2load (Connect body), 64 streams", dict(bench="h2load", server="ours")),
        ("grpc: grpc-swift-2 server under h2load (gRPC framing), 64 streams", dict(bench="h2load", server="grpc")),
        ("bare: Hummingbird 2 route under h2load, 64 streams", dict(bench="h2load", server="bare")),
        ("in process: our dispatcher, no HTTP/2, 64 tasks", dict(bench="inproc-dispatcher")),
        ("in process: JSON decode + encode only", dict(bench="inproc-json-codec")),
        ("in process: a trace id and a span id, as TraceContext makes them", dict(bench="trace-ids-current")),
        ("in process: a trace id and a span id, as proposed", dict(bench="trace-ids-proposed")),
    ]
    med = {}
    for label, match in rpc:
        rps, n = median(rows, "rps", **match)
        p50, _ = median(rows, "p50_us", **match)
        p99, _ = median(rows, "p99_us", **match)
        med[label.split(":")[0] + str(match)] = (rps, p50, p99)
        add(f"| {label} | {fmt(rps)} | {fmt(p50)} | {fmt(p99)} | {n} |")

    def get(bench, **m):
        return (median(rows, "rps", bench=bench, **m)[0], median(rows, "p99_us", bench=bench, **m)[0])

    def ratio(a, b):
        return None if a is None or b in (None, 0) else a / b

    o1, g1 = get("ours-client", concurrency=1), get("grpc-client", concurrency=1)
    o64, g64 = get("ours-client", concurrency=64), get("grpc-client", concurrency=64)
    oh, gh, bh = get("h2load", server="ours"), get("h2load", server="grpc"), get("h2load", server="bare")
    add("")
    add("| Ratio | throughput | p99 |")
    add("| --- | ---: | ---: |")
    for label, a, b in [
        ("ours/grpc, own clients, 1 call in flight", o1, g1),
        ("ours/grpc, own clients, 64 calls in flight", o64, g64),
        ("ours/grpc, h2load, 64 streams", oh, gh),
        ("ours/bare, h2load, 64 streams", oh, bh),
    ]:
        add(f"| {label} | {fmt(ratio(a[0], b[0]), 2)} | {fmt(ratio(a[1], b[1]), 2)} |")

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

    def verdict(ok):
        return "—" if ok is None else ("met" if ok else "**missed**")

    r = ratio(o64[0], g64[0])
    add(f"| ours ≥ 1.2× grpc throughput, 64 in flight (own clients) | {fmt(r, 2)}× | {verdict(None if r is None else r >= 1.2)} |")
    r = ratio(oh[0], gh[0])
    add(f"| ours ≥ 1.2× grpc throughput, 64 streams (h2load) | {fmt(r, 2)}× | {verdict(None if r is None else r >= 1.2)} |")
    r = ratio(o64[1], g64[1])
    add(f"| ours p99 ≤ grpc p99, 64 in flight (own clients) | {fmt(r, 2)}× | {verdict(None if r is None else r <= 1.0)} |")
    r = ratio(oh[1], gh[1])
    add(f"| ours p99 ≤ grpc p99, 64 streams (h2load) | {fmt(r, 2)}× | {verdict(None if r is None else r <= 1.0)} |")
    r = ratio(oh[0], bh[0])
    add(f"| ours ≥ 60% of bare Hummingbird (h2load) | {fmt(r * 100 if r else None)}% | {verdict(None if r is None else r >= 0.6)} |")
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
        h2load(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif sys.argv[1] == "summary":
        summary(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sys.exit(__doc__)
