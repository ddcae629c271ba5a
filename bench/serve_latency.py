#!/usr/bin/env python3
"""Edit-to-served latency of `saishi serve`, as an open page sees it: the time from writing an
entry file to having the reloaded page (the `reload` event on /__saishi/events, then a GET of
the entry's page holding the new text). Median of the runs.

    python3 bench/serve_latency.py --saishi target/release/saishi --root SITE [--runs 15]

The entry edited is the first file under SITE/content/entries; its `project` line is rewritten.
"""
import argparse, http.client, os, re, statistics, subprocess, sys, threading, time, queue

def first_entry(root):
    for dirpath, dirs, files in sorted(os.walk(os.path.join(root, "content", "entries"))):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".yaml"):
                return os.path.join(dirpath, f)
    sys.exit("no entry file")

def listen(host, port, events):
    conn = http.client.HTTPConnection(host, port)
    conn.request("GET", "/__saishi/events")
    resp = conn.getresponse()
    while True:
        line = resp.fp.readline()
        if not line:
            return
        if line.startswith(b"event: "):
            events.put((line[7:].strip().decode(), time.perf_counter()))

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
        url = re.search(r"http://(\S+?):(\d+)/", server.stdout.readline())
        host, port = url.group(1), int(url.group(2))
        events = queue.Queue()
        threading.Thread(target=listen, args=(host, port, events), daemon=True).start()
        time.sleep(0.5)
        times = []
        for n in range(a.runs):
            marker = "延迟测试%d-%d" % (os.getpid(), n)
            text = re.sub(r"^project: .*$", "project: " + marker, original, count=1, flags=re.M)
            start = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            kind, _ = events.get(timeout=10)
            if kind != "reload":
                sys.exit("got %s instead of reload" % kind)
            conn = http.client.HTTPConnection(host, port)
            conn.request("GET", "/entries/%s/" % entry_id)
            body = conn.getresponse().read().decode("utf-8")
            if marker not in body:
                sys.exit("the page after the reload event lacks the edit")
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(0.3)
        print("edit -> reloaded page: median %.0f ms, min %.0f, max %.0f over %d edits"
              % (statistics.median(times), min(times), max(times), len(times)))
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        server.terminate()
        server.wait()

if __name__ == "__main__":
    main()
