#!/usr/bin/python3
"""metrics_check.py - scrape smtp2's metrics endpoints for t_metrics.sh.

  metrics_check.py sum URL REGEX       sum of the samples whose line matches
  metrics_check.py agree BASE          BASE/metrics.json parses and holds the
                                       very samples of BASE/metrics
  metrics_check.py load N PAR URL...   N GETs from PAR clients, round robin;
                                       one summary line, exit 1 unless all 200
Loopback only; every request has a timeout.
"""
import concurrent.futures
import json
import re
import sys
import time
import urllib.request

TIMEOUT = 5


def get(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read().decode()


def samples(text):
    """{series: value} of a Prometheus text exposition"""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        out[series] = float(value)
    return out


def cmd_sum(url, regex):
    pat = re.compile(regex)
    total = sum(v for s, v in samples(get(url)[2]).items() if pat.search(s))
    print(int(total) if total == int(total) else total)
    return 0


def cmd_agree(base):
    _, ctype, text = get(base + "/metrics")
    if not ctype.startswith("text/plain; version=0.0.4"):
        print("text content type: " + ctype)
        return 1
    _, ctype, body = get(base + "/metrics.json")
    if ctype != "application/json":
        print("json content type: " + ctype)
        return 1
    snap = json.loads(body)
    from_json = {}
    for fam, f in snap.items():
        if f["type"] not in ("counter", "histogram"):
            print("%s: bad type %s" % (fam, f["type"]))
            return 1
        for s in f["samples"]:
            labels = ",".join('%s="%s"' % kv for kv in s["labels"].items())
            key = s["name"] + ("{%s}" % labels if labels else "")
            from_json[key] = float(s["value"])
    from_text = samples(text)
    if from_json != from_text:
        diff = set(from_json.items()) ^ set(from_text.items())
        print("json and text differ: %s" % sorted(diff)[:5])
        return 1
    print("%d samples agree" % len(from_text))
    return 0


def one(url):
    t0 = time.monotonic()
    try:
        status = get(url)[0]
    except Exception as e:  # a refused or timed-out request is a failure
        status = str(e)
    return status, (time.monotonic() - t0) * 1000


def cmd_load(n, par, urls):
    todo = [urls[i % len(urls)] for i in range(int(n))]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(int(par)) as ex:
        res = list(ex.map(one, todo))
    wall = time.monotonic() - t0
    ok = sum(1 for s, _ in res if s == 200)
    ms = sorted(m for _, m in res)
    bad = [s for s, _ in res if s != 200][:3]
    print("requests=%d ok=%d wall=%.2fs rate=%.0f/s p50=%.1fms p95=%.1fms "
          "max=%.1fms%s" % (len(res), ok, wall, len(res) / wall,
                            ms[len(ms) // 2], ms[int(len(ms) * 0.95)], ms[-1],
                            (" errors=%s" % bad) if bad else ""))
    return 0 if ok == len(res) else 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "sum":
        return cmd_sum(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "agree":
        return cmd_agree(argv[1])
    if len(argv) >= 4 and argv[0] == "load":
        return cmd_load(argv[1], argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
