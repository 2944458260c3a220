#!/usr/bin/env python3
"""Prints the byte-frequency table of src/CodeRed.Rules/Matching/ByteFrequency.cs (parts per million, at least 1)
from log files given on the command line. The committed table came from the 16 loghub *_2k.log samples
(https://github.com/logpai/loghub at dd61d09):  python3 byte-frequency.py loghub/*/*_2k.log"""
import sys
counts = [0] * 256
for name in sys.argv[1:]:
    with open(name, 'rb') as f:
        for b in f.read():
            counts[b] += 1
total = sum(counts)
ppm = [max(1, round(c * 1_000_000 / total)) for c in counts]
for row in range(0, 256, 16):
    print('        ' + ', '.join(str(x) for x in ppm[row:row + 16]) + f', // 0x{row:02X}')
