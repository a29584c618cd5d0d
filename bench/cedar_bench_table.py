#!/usr/bin/env python3
"""Prints the Haven vs cedar-wasm table from one run of run_cedar_bench.sh.

    python3 bench/cedar_bench_table.py OUT_DIR

Reads OUT_DIR/haven.json and OUT_DIR/haven_mt.json (Google Benchmark JSON
from cedar_bench), OUT_DIR/wasm.json (cedar_wasm_bench.mjs) and each
workload's haven.decisions and wasm.decisions; prints Markdown.
Requests/s are per core, from CPU time (1e9 / cpu_ns), on both sides.
"""

import json
import os
import sys

WORKLOADS = ["welcoming-city", "large"]


def us(ns):
    return "%.2f µs" % (ns / 1e3) if ns < 1e5 else "%.0f µs" % (ns / 1e3)


def rate(r):
    return "{:,.0f}".format(r)


def main():
    out = sys.argv[1]
    haven = json.load(open(os.path.join(out, "haven.json")))
    haven_mt = json.load(open(os.path.join(out, "haven_mt.json")))
    wasm = json.load(open(os.path.join(out, "wasm.json")))

    def hb(kind, w, runs=haven):
        for b in runs["benchmarks"]:
            if b["name"].startswith(kind + "/" + w + "/"):
                return b
        raise KeyError(kind + "/" + w)

    print("### Agreement (same requests, both sides)\n")
    print("| Workload | Policies | Entities | Requests | Haven allow / deny "
          "| cedar-wasm allow / deny | Identical answers (decision, reasons, errors) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    all_agree = True
    for w in WORKLOADS:
        hd = open(os.path.join(out, w, "haven.decisions")).read().splitlines()
        wd = open(os.path.join(out, w, "wasm.decisions")).read().splitlines()
        same = sum(1 for a, b in zip(hd, wd) if a == b)
        all_agree &= same == len(hd) == len(wd)
        ha = sum(1 for l in hd if l.startswith("allow"))
        wa = sum(1 for l in wd if l.startswith("allow"))
        npol = open(os.path.join(out, w, "policies.cedar")).read().count("@id(")
        print("| %s | %d | %s | %d | %d / %d | %d / %d | %d / %d |" % (
            w, npol, rate(wasm["workloads"][w]["entities"]), len(hd), ha,
            len(hd) - ha, wa, len(wd) - wa, same, len(hd)))
    print()

    print("### Speed, one core\n")
    print("| Workload | Mode | Haven p50 | Haven p99 | Haven req/s "
          "| cedar-wasm p50 | cedar-wasm p99 | cedar-wasm req/s "
          "| Haven/wasm req/s | wasm/Haven p50 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    goals = {}
    for w in WORKLOADS:
        ww = wasm["workloads"][w]
        for mode, hkind, wkey in [("resident", "ResidentLatency", "resident"),
                                  ("per-request JSON", "PerRequestJson", "json")]:
            h = hb(hkind, w)
            h_rps = 1e9 / (hb("Resident", w)["cpu_ns"] if mode == "resident"
                           else h["cpu_ns"])
            x = ww[wkey]
            w_rps = 1e9 / x["cpu_ns"]
            ratio = h_rps / w_rps
            goals[(w, mode)] = (h["p50_ns"], ratio)
            print("| %s | %s | %s | %s | %s | %s | %s | %s | **%.0f×** | %.0f× |" % (
                w, mode, us(h["p50_ns"]), us(h["p99_ns"]), rate(h_rps),
                us(x["p50_ns"]), us(x["p99_ns"]), rate(w_rps), ratio,
                x["p50_ns"] / h["p50_ns"]))
    print()

    print("### Haven on two threads (resident)\n")
    print("| Workload | 1 thread: CPU/decision | 2 threads: CPU/decision per thread "
          "| 2 threads: req/s (wall, both threads) | 1 thread: req/s (wall) |")
    print("|---|---:|---:|---:|---:|")
    for w in WORKLOADS:
        one = hb("Resident", w)
        two = hb("Resident", w, haven_mt)
        print("| %s | %.0f ns | %.0f ns | %s | %s |" % (
            w, one["cpu_ns"], two["cpu_ns"], rate(two["items_per_second"]),
            rate(one["items_per_second"])))
    print()

    print("### cedar-wasm: the whole entity store, or none, in each call\n")
    print("| Workload | Entities | whole store: p50 per call | Same answers "
          "| no entities: p50 per call |")
    print("|---|---:|---:|---:|---:|")
    for w in WORKLOADS:
        f = wasm["workloads"][w]["full_store"]
        z = wasm["workloads"][w]["no_entities"]
        print("| %s | %s | %s ms | %s | %s |" % (
            w, rate(wasm["workloads"][w]["entities"]), rate(f["p50_ns"] / 1e6),
            f["agree"], us(z["p50_ns"])))
    print()

    print("### Goals (issue 2)\n")
    worst_p50 = max(goals[(w, "resident")][0] for w in WORKLOADS)
    worst_res = min(goals[(w, "resident")][1] for w in WORKLOADS)
    worst_json = min(goals[(w, "per-request JSON")][1] for w in WORKLOADS)
    mark = lambda ok: "met" if ok else "NOT met"
    print("- median decision ≤ 1 µs, resident, one core: worst workload %s — %s"
          % (us(worst_p50), mark(worst_p50 <= 1000)))
    print("- ≥ 300× cedar-wasm req/s, resident: worst workload %.0f× — %s"
          % (worst_res, mark(worst_res >= 300)))
    print("- ≥ 20× cedar-wasm req/s, per-request JSON: worst workload %.0f× — %s"
          % (worst_json, mark(worst_json >= 20)))
    print("- both sides agree on every answer: %s" % ("yes" if all_agree else "NO"))
    load = haven.get("context", {}).get("load_avg")
    if load:
        print("\nLoad average when Haven's run started: %s (nproc %s)." % (
            ", ".join("%.1f" % x for x in load), haven["context"]["num_cpus"]))
    return 0 if all_agree else 1


if __name__ == "__main__":
    sys.exit(main())
