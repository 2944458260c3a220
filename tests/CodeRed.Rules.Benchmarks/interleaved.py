#!/usr/bin/env python3
"""Before/after on a loaded machine: runs each command N times, interleaved (A B C A B C ...), so that the load other
processes put on the machine falls on every build alike; prints the least and median elapsed time, the least, median
and mean CPU time (user + system from rusage, microsecond resolution, where GNU time rounds to 10 ms) and peak RSS.
Each command's standard output goes to /tmp/interleaved-NAME.out (compare them with cmp).

  tests/CodeRed.Rules.Benchmarks/interleaved.py N NAME 'COMMAND' [NAME 'COMMAND' ...]
"""
import os, shlex, statistics as st, subprocess, sys, time

n = int(sys.argv[1])
pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
runs = {name: [] for name, _ in pairs}
with open(os.devnull, 'wb') as null:
    for _ in range(n):
        for name, command in pairs:
            with open('/tmp/interleaved-%s.out' % name, 'wb') as out:
                start = time.perf_counter()
                process = subprocess.Popen(shlex.split(command), stdout=out, stderr=null)
                _, _, usage = os.wait4(process.pid, 0)
                runs[name].append((time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
for name, _ in pairs:
    elapsed = [r[0] * 1000 for r in runs[name]]
    cpu = [r[1] * 1000 for r in runs[name]]
    print('%-12s elapsed min %7.1f med %7.1f ms | CPU min %7.1f med %7.1f mean %7.1f ms | peak RSS %.1f MB (%d runs)'
          % (name, min(elapsed), st.median(elapsed), min(cpu), st.median(cpu), st.mean(cpu), max(r[2] for r in runs[name]), len(elapsed)))
