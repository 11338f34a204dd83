#!/usr/bin/env python3
"""Does an RFC 7592 read tell an unknown client_id from a known one with a wrong token?

Starts `registrar serve` (in-process store, or Redis with --redis-url), registers one
client, then sends N interleaved GET /oidc/register/<id> pairs over one keep-alive
connection each: a well-formed client_id that does not exist, and the real one with a
wrong token. Both answer 401. Prints the median time of each and their difference.

Usage: bench/unknown_client_timing.py [--binary target/release/registrar] [-n 3000]
       [--redis-url redis://127.0.0.1:6379]
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/registrar")
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("--redis-url")
    args = ap.parse_args()

    port = free_port()
    cmd = [args.binary, "serve", "--listen", f"127.0.0.1:{port}", "--workers", "1"]
    if args.redis_url:
        cmd += ["--redis-url", args.redis_url]
    env = dict(os.environ, RUST_LOG="error")
    server = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        body = json.dumps({"redirect_uris": ["https://rp.example/cb"]})
        conn.request("POST", "/oidc/register", body, {"Content-Type": "application/json"})
        client = json.loads(conn.getresponse().read())
        known = client["client_id"]
        unknown = "A" * len(known)
        wrong = "Bearer " + "w" * 43
        timings = {"unknown": [], "known": []}

        def get(client_id):
            start = time.perf_counter_ns()
            conn.request("GET", f"/oidc/register/{client_id}", headers={"Authorization": wrong})
            reply = conn.getresponse()
            reply.read()
            elapsed = time.perf_counter_ns() - start
            assert reply.status == 401, reply.status
            return elapsed

        for _ in range(200):  # warm-up
            get(unknown), get(known)
        for i in range(args.n):
            pair = [("unknown", unknown), ("known", known)]
            if i % 2:
                pair.reverse()
            for name, client_id in pair:
                timings[name].append(get(client_id))
        med = {k: statistics.median(v) / 1000 for k, v in timings.items()}
        store = "redis" if args.redis_url else "memory"
        print(
            f"BENCH store={store} n={args.n} median_unknown_us={med['unknown']:.1f} "
            f"median_known_wrong_token_us={med['known']:.1f} "
            f"difference_us={med['known'] - med['unknown']:.1f}"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
