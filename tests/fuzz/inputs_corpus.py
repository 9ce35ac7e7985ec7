#!/usr/bin/python3
"""Regression corpus of bad input-vector files for `rramsim crossbar solve --inputs FILE`
(issue 13): refused with exit 1, a message naming the file (and line), and no output left;
seeded mutations of a good file give exit 0 or such a clean refusal. Never a crash, a
signal, a hang or a sanitizer report. The output must never replace the input file.

Usage: inputs_corpus.py RRAMSIM SOURCE_DIR WORK_DIR   (ctest: fuzz:inputs_corpus)"""
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzzlib import Corpus  # noqa: E402

rramsim, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
out = os.path.join(work, "out.h5")
ROWS = 8
c = Corpus("inputs_corpus")


def solve(p):
    return [rramsim, "crossbar", "solve", "--rows", str(ROWS), "--cols", "8", "--inputs", p, "--out", out]


def write(name, text):
    p = os.path.join(work, name)
    with open(p, "w", encoding="latin-1") as f:
        f.write(text)
    return p


good_text = "# two input vectors\n" + "0.1 0 0.1 0 0.1 0 0.1 0\n" + "0,0.1,0,0.1,0,0.1,0,0.1\n"
good = write("good.txt", good_text)
c.survives("inputs/good", solve(good), [out])

for name, text, words in [
    ("empty", "", ["no input vector"]),
    ("comments_only", "# nothing\n\n", ["no input vector"]),
    ("short_row", "0.1 0.1\n", [":1:"]),
    ("long_row", " ".join(["0.1"] * (ROWS * 1000)) + "\n", [":1:"]),
    ("nan", "0.1 nan 0 0 0 0 0 0\n", ["nan"]),
    ("inf", "0.1 inf 0 0 0 0 0 0\n", ["inf"]),
    ("huge", "0.1 1e300 0 0 0 0 0 0\n", ["1e300"]),
    ("word", "0.1 volt 0 0 0 0 0 0\n", ["volt"]),
    ("hex_garbage", "\x00\xff\x01 0x1p3 \n", [":1:"]),
    ("trailing_junk", "0.1 0.1x 0 0 0 0 0 0\n", ["0.1x"]),
]:
    p = write(name + ".txt", text)
    c.refused(f"inputs/{name}", solve(p), [out], words + [p])
c.refused("inputs/directory", solve(work), [out], [work])
fifo = os.path.join(work, "fifo.txt")
os.mkfifo(fifo)
c.refused("inputs/fifo", solve(fifo), [out], ["FIFO"])
c.refused("inputs/missing", solve(os.path.join(work, "none.txt")), [out], ["none.txt"])
c.refused("inputs/out_is_inputs", [rramsim, "crossbar", "solve", "--rows", "8", "--cols", "8", "--inputs", good,
                                   "--out", good], [], ["refusing"])
if open(good, encoding="latin-1").read() != good_text:
    c.failures.append("inputs/out_is_inputs: the inputs file was changed")

rng = random.Random(20261132)
tokens = ["0", "-0.1", "1e-300", "100", "101", "-1e300", "nan", "inf", "0x10", "1e", ".", "--1", "1,2", ";", "#",
          "\t", "\x00", "9" * 400]
for k in range(30):
    lines = good_text.splitlines()
    i = rng.randrange(1, len(lines))
    vals = lines[i].replace(",", " ").split()
    kind = rng.choice(["token", "token", "drop", "dup", "truncate"])
    if kind == "token":
        vals[rng.randrange(len(vals))] = rng.choice(tokens)
    elif kind == "drop":
        del vals[rng.randrange(len(vals))]
    elif kind == "dup":
        vals.insert(0, vals[0])
    lines[i] = " ".join(vals)
    text = "\n".join(lines) + "\n"
    if kind == "truncate":
        text = text[:rng.randrange(len(text))]
    p = write("mut.txt", text)
    c.survives(f"inputs/m{k:02d}-{kind}", solve(p), [out])
sys.exit(c.finish())
