#!/usr/bin/env python3
"""Edit-to-served latency of `saishi serve`: edits one entry file again and again and times how
long until the server returns the entry's page with the new text (median of the runs).

    python3 bench/serve_latency.py --saishi target/release/saishi --root SITE [--runs 15]

The entry edited is the first file under SITE/content/entries; its `project` line is rewritten.
"""
import argparse, os, re, statistics, subprocess, sys, time, urllib.request

def first_entry(root):
    for dirpath, dirs, files in sorted(os.walk(os.path.join(root, "content", "entries"))):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".yaml"):
                return os.path.join(dirpath, f)
    sys.exit("no entry file")

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--saishi", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    path = first_entry(a.root)
    original = open(path, encoding="utf-8").read()
    entry_id = os.path.splitext(os.path.basename(path))[0]
    server = subprocess.Popen([a.saishi, "serve", "--root", a.root, "--port", "0", "--quiet"],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        page = url + "entries/%s/" % entry_id
        times = []
        for n in range(a.runs):
            marker = "延迟测试%d-%d" % (os.getpid(), n)
            text = re.sub(r"^project: .*$", "project: " + marker, original, count=1, flags=re.M)
            start = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            while marker not in get(page):
                if time.perf_counter() - start > 10:
                    sys.exit("no update after 10 s")
                time.sleep(0.002)
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(0.3)
        print("edit -> served page: median %.0f ms, min %.0f, max %.0f over %d edits"
              % (statistics.median(times), min(times), max(times), len(times)))
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        server.terminate()
        server.wait()

if __name__ == "__main__":
    main()
