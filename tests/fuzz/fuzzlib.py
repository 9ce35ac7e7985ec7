"""Shared by the fuzz corpora (tests/fuzz/*_corpus.py): run rramsim on one bad input and judge it.

The promise (docs/reliability.md): bad input gives exit 1 with a one-line "rramsim: error:"
message naming the file, key or dataset, and leaves no output behind. Never a signal, an
abort, a timeout, exit 2 (an unexpected exception) or a sanitizer report.

Memory bound: with RRAMSIM_FUZZ_MEMORY_MB set (ctest sets it in the normal tree, not in the
ASan tree, whose shadow memory needs terabytes of address space), every run gets that
address-space limit (ulimit -v), so an unbounded allocation fails the case, not the machine.
"""
import os
import random
import re
import resource
import subprocess

TIMEOUT_S = float(os.environ.get("RRAMSIM_FUZZ_TIMEOUT_S", "120"))
MEMORY_MB = int(os.environ.get("RRAMSIM_FUZZ_MEMORY_MB", "0"))
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


def _limit():
    if MEMORY_MB > 0:
        b = MEMORY_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (b, b))


def run(argv, cwd=None, env=None):
    """(returncode or None on timeout, stdout, stderr)."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=TIMEOUT_S,
                           preexec_fn=_limit, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        return None, "", f"timeout after {TIMEOUT_S:g} s"
    return r.returncode, r.stdout, r.stderr


class Corpus:
    """Collects verdicts; `refused` for reproducers (must be exit 1 naming `words`), `survives`
    for mutations (exit 0 or a clean exit 1)."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.counts = {"refused": 0, "accepted": 0}

    def _bad(self, case, rc, err, why):
        self.failures.append(f"{case}: {why}: exit {rc}: {err.strip()[-600:]}")

    def _common(self, case, rc, err, outputs):
        if rc is None or rc < 0 or rc >= 2:
            self._bad(case, rc, err, "crash, signal, timeout or unexpected exception")
            return False
        if SANITIZER.search(err):
            self._bad(case, rc, err, "sanitizer report")
            return False
        if rc == 1:
            left = [o for o in outputs if os.path.exists(o) or any(
                f.startswith(os.path.basename(o) + ".part") for f in os.listdir(os.path.dirname(o) or "."))]
            if left:
                self._bad(case, rc, err, f"output left behind: {left}")
                return False
            if "rramsim: error: " not in err:
                self._bad(case, rc, err, "no 'rramsim: error:' message")
                return False
        return True

    def refused(self, case, argv, outputs, words=(), cwd=None, env=None):
        clean(outputs)
        rc, _, err = run(argv, cwd, env)
        if not self._common(case, rc, err, outputs):
            return
        if rc != 1:
            self._bad(case, rc, err, "accepted, should be refused")
            return
        missing = [w for w in words if w not in err]
        if missing:
            self._bad(case, rc, err, f"message lacks {missing}")
            return
        self.counts["refused"] += 1

    def survives(self, case, argv, outputs, cwd=None):
        clean(outputs)
        rc, _, err = run(argv, cwd)
        if self._common(case, rc, err, outputs):
            self.counts["refused" if rc == 1 else "accepted"] += 1
        clean(outputs)

    def finish(self):
        print(f"{self.name}: {self.counts['refused']} refused cleanly, {self.counts['accepted']} accepted, "
              f"{len(self.failures)} failures")
        for f in self.failures:
            print("FAIL", f)
        return 1 if self.failures else 0


def clean(paths):
    for p in paths:
        if os.path.isdir(p):
            continue
        if os.path.exists(p):
            os.remove(p)


# Values that have broken readers before: zero, negatives, huge, tiny, non-finite, wrong types.
NASTY = ["0", "-1", "1e300", "-1e300", "1e-300", "nan", "inf", "-inf", "2147483648", "9223372036854775807",
         "40", "1048576", "16777216", "0.5", '"x"', "[1, 2]", "[]", "true", "{}", "1e9", "-0.0"]


def mutations(text, count, seed):
    """`count` deterministic mutations of a TOML text: a value replaced by a nasty one, a line
    deleted or duplicated, the text truncated, or bytes garbled."""
    rng = random.Random(seed)
    lines = text.splitlines()
    value_lines = [i for i, l in enumerate(lines) if re.match(r"^\s*[A-Za-z_][\w.]*\s*=", l)]
    out = []
    for k in range(count):
        kind = rng.choice(["value", "value", "value", "value", "delete", "duplicate", "truncate", "garble"])
        m = list(lines)
        if kind == "value" and value_lines:
            i = rng.choice(value_lines)
            key = m[i].split("=", 1)[0]
            m[i] = key + "= " + rng.choice(NASTY)
            label = f"{kind}:{m[i].strip()}"
        elif kind == "delete" and value_lines:
            i = rng.choice(value_lines)
            label = f"delete:{m[i].strip()[:40]}"
            del m[i]
        elif kind == "duplicate" and value_lines:
            i = rng.choice(value_lines)
            m.insert(i, m[i])
            label = f"duplicate:{m[i].strip()[:40]}"
        elif kind == "truncate":
            cut = rng.randrange(len(text))
            out.append((f"m{k:02d}-truncate@{cut}", text[:cut]))
            continue
        else:
            b = bytearray(text.encode())
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.choice(b"\x00\xff[]=\"'\n#{}.,\\")
            out.append((f"m{k:02d}-garble", b.decode("latin-1")))
            continue
        out.append((f"m{k:02d}-{label}", "\n".join(m) + "\n"))
    return out


def write(path, text):
    with open(path, "w", encoding="latin-1", errors="replace") as f:
        f.write(text)
    return path
