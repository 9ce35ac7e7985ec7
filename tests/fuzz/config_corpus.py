#!/usr/bin/python3
"""Regression corpus of bad TOML configurations of every kind (issue 13): device parameters,
hardware, networks, ADC cost models, schemes and calibration configs. Each kind holds the
issue's reproducers (must be refused: exit 1, a message naming file/key, no output left) and
seeded mutations of a shipped file (exit 0, or a clean exit 1 with nothing left behind;
never a crash, a signal, a timeout or a sanitizer report).

Usage: config_corpus.py RRAMSIM SOURCE_DIR WORK_DIR [KIND...]   (ctest: fuzz:config_corpus)
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzzlib import Corpus, MEMORY_MB, mutations, write  # noqa: E402

rramsim, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
kinds = sys.argv[4:] or ["device", "hardware", "network", "adc", "scheme", "calibration", "train"]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
data = os.path.join(src, "data")
c = Corpus("config_corpus")
SEED = 20261130


def text(rel):
    return open(os.path.join(data, rel)).read()


def replaced(base, old, new):
    assert old in base, old
    return base.replace(old, new, 1)


# ---- device parameters: rramsim device iv --params FILE ---------------------------------
def device():
    out = os.path.join(work, "iv.h5")
    iv = [rramsim, "device", "iv", "--samples", "101", "--out", out]
    for name, body, words in [
        ("tox_1e-300", 'base = "stanford-pku"\ntox_m = 1e-300\n', ["tox_m"]),
        ("tox_1e300", 'base = "stanford-pku"\ntox_m = 1e300\n', ["tox_m"]),
        ("vel0_1e300", 'base = "stanford-pku"\nvel0_m_per_s = 1e300\n', ["vel0_m_per_s"]),
        ("gamma0_1e300", 'base = "stanford-pku"\ngamma0 = 1e300\n', ["gamma0"]),
        ("tox_nan", 'base = "stanford-pku"\ntox_m = nan\n', ["tox_m"]),
        ("unknown_key", 'base = "stanford-pku"\nno_such_key = 1\n', ["no_such_key"]),
    ]:
        p = write(os.path.join(work, f"dev-{name}.toml"), body)
        c.refused(f"device/{name}", iv + ["--params", p], [out], words + [p])
    good = write(os.path.join(work, "dev-good.toml"), text("device/stanford-thin-oxide.toml"))
    c.refused("device/vmax_1e300", iv + ["--params", good, "--vmax", "1e300"], [out], ["vmax"])
    c.refused("device/period_1e300", iv + ["--params", good, "--period", "1e300"], [out], ["period"])
    c.refused("device/params_dir", iv + ["--params", work], [out], [work])
    fifo = os.path.join(work, "fifo.toml")
    os.mkfifo(fifo)
    c.refused("device/params_fifo", iv + ["--params", fifo], [out], ["FIFO"])
    before = open(good).read()
    c.refused("device/out_is_params", [rramsim, "device", "iv", "--params", good, "--out", good], [], ["refusing"])
    if open(good).read() != before:
        c.failures.append("device/out_is_params: the parameter file was changed")
    # A failing --plot (gnuplot exits 1) leaves neither the plot nor the HDF5 file.
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    write(os.path.join(bindir, "gnuplot"), "#!/bin/sh\ncat >/dev/null\nexit 1\n")
    os.chmod(os.path.join(bindir, "gnuplot"), 0o755)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    png = os.path.join(work, "plot.png")
    c.refused("device/iv_plot_fails", iv + ["--plot", png], [out, png], ["gnuplot"], env=env)
    c.refused("device/program_plot_fails", [rramsim, "device", "program", "--devices", "20", "--out", out,
                                            "--plot", png], [out, png], ["gnuplot"], env=env)
    xb = os.path.join(work, "xb.h5")
    c.refused("crossbar/solve_plot_fails", [rramsim, "crossbar", "solve", "--rows", "8", "--cols", "8", "--out", xb,
                                            "--plot", png], [xb, png], ["gnuplot"], env=env)
    c.refused("crossbar/solve_plot_ideal", [rramsim, "crossbar", "solve", "--rows", "8", "--cols", "8", "--engine",
                                            "ideal", "--out", xb, "--plot", png], [xb, png], ["--plot"])
    base = text("device/stanford-thin-oxide.toml") + "read_volt = 0.1\n"
    for label, t in mutations(base, 20, SEED + 1):
        p = write(os.path.join(work, "dev-mut.toml"), t)
        c.survives(f"device/{label}", iv + ["--params", p], [out])


# ---- hardware: rramsim evaluate --arch FILE ---------------------------------------------
def hardware():
    out = os.path.join(work, "hw.txt")
    ev = [rramsim, "evaluate", "--network", "lenet5", "-o", out]
    isaac = text("hardware/isaac.toml")
    crossbar = 'event = "crossbar_read"\nlevel = "ima"\ncount = 8\n'
    for name, body, words in [
        ("hierarchy_overflow", replaced(replaced(isaac, "imas_per_tile = 12", "imas_per_tile = 65536"),
                                        "tiles_per_chip = 168", "tiles_per_chip = 1048576"), ["crossbars per chip"]),
        ("crossbar_count_1e9", replaced(isaac, crossbar, crossbar.replace("count = 8", "count = 1e9")), ["count"]),
        ("crossbar_count_1e300", replaced(isaac, crossbar, crossbar.replace("count = 8", "count = 1e300")),
         ["count", "1e+300"]),
        ("power_1e308", replaced(isaac, "power_mw = 0.3", "power_mw = 1e308"), ["power_mw"]),
        ("clock_inf", replaced(isaac, "clock_hz = 1.2e9", "clock_hz = inf"), ["clock_hz"]),
    ]:
        p = write(os.path.join(work, f"hw-{name}.toml"), body)
        c.refused(f"hardware/{name}", ev + ["--arch", p], [out], words + [p])
    for label, t in mutations(isaac, 25, SEED + 2):
        p = write(os.path.join(work, "hw-mut.toml"), t)
        c.survives(f"hardware/{label}", ev + ["--arch", p], [out])


# ---- networks: rramsim evaluate --network FILE -------------------------------------------
def network():
    out = os.path.join(work, "net.txt")
    ev = [rramsim, "evaluate", "--arch", "isaac", "-o", out]
    lenet = text("networks/lenet5.toml")
    fc = '[[layer]]\nname = "big"\ntype = "fc"\nout_features = {}\n'
    for name, body, words in [
        ("input_2_60", replaced(replaced(replaced(lenet, "channels = 1", "channels = 1048576"), "height = 28",
                                         "height = 1048576"), "width = 28", "width = 1048576"), ["input"]),
        ("fc_16777216", lenet + fc.format(16777216), ["out_features"]),
        ("fc_16777215", lenet + fc.format(16777215), ["crossbars", "max_chips"]),
        ("kernel_0", replaced(lenet, "kernel = 5", "kernel = 0"), ["kernel"]),
        ("kernel_pair_0", replaced(lenet, "kernel = 5", "kernel = [5, 0]"), ["kernel"]),
    ]:
        p = write(os.path.join(work, f"net-{name}.toml"), body)
        c.refused(f"network/{name}", ev + ["--network", p], [out], words + ([p] if name != "fc_16777215" else []))
    good = write(os.path.join(work, "net-good.toml"), lenet)
    c.refused("network/out_is_network", [rramsim, "evaluate", "--arch", "isaac", "--network", good, "-o", good], [],
              ["refusing"])
    if open(good).read() != lenet:
        c.failures.append("network/out_is_network: the network file was changed")
    for label, t in mutations(lenet, 25, SEED + 3):
        p = write(os.path.join(work, "net-mut.toml"), t)
        c.survives(f"network/{label}", ev + ["--network", p], [out])


# ---- ADC cost models: rramsim evaluate --adc-model FILE ----------------------------------
def adc():
    out = os.path.join(work, "adc.txt")
    ev = [rramsim, "evaluate", "--arch", "isaac", "--network", "lenet5", "-o", out]
    survey = text("adc/isaac-survey.toml")
    p = write(os.path.join(work, "adc-neg.toml"), replaced(survey, "anchor_energy_pj = 1.67", "anchor_energy_pj = -1"))
    c.refused("adc/negative_energy", ev + ["--adc-model", p], [out], ["anchor_energy_pj", p])
    for label, t in mutations(survey, 20, SEED + 4):
        p = write(os.path.join(work, "adc-mut.toml"), t)
        c.survives(f"adc/{label}", ev + ["--adc-model", p], [out])


# ---- schemes: rramsim evaluate --scheme FILE (small synthetic run) -----------------------
def scheme():
    out = os.path.join(work, "scheme.txt")
    ev = [rramsim, "evaluate", "--arch", "isaac", "--network", "lenet5", "--synthetic", "--images", "2",
          "--calibration-images", "2", "--iso-bits", "16", "-q", "-o", out]
    full = text("schemes/full.toml")
    p = write(os.path.join(work, "scheme-window.toml"), replaced(full, "window_bits = 10", "window_bits = 1e300"))
    c.refused("scheme/window_1e300", ev + ["--scheme", p], [out], ["window_bits"])
    for label, t in mutations(full, 8, SEED + 5):
        p = write(os.path.join(work, "scheme-mut.toml"), t)
        c.survives(f"scheme/{label}", ev + ["--scheme", p], [out])


# ---- calibration configs: rramsim calibrate FILE -----------------------------------------
def calibration():
    out = os.path.join(work, "cal.h5")
    cal = [rramsim, "calibrate", "-q", "--threads", "2", "-o", out]
    smoke = text("calibration/smoke.toml")
    for name, body, words in [
        ("min_target_0.5", "[device]\nmin_target_siemens = 0.5\n", ["device.min_target_siemens"]),
        ("rows_2_30", replaced(smoke, "rows = 32", "rows = 1073741824"), ["crossbar.rows"]),
        ("bits_per_cell_40", replaced(smoke, "bits_per_cell = 2", "bits_per_cell = 40"), ["bits_per_cell"]),
    ]:
        p = write(os.path.join(work, f"cal-{name}.toml"), body)
        c.refused(f"calibration/{name}", cal + [p], [out, out + ".work"], words + [p])
    c.refused("calibration/config_dir", cal + [work], [out, out + ".work"], [work])
    good = write(os.path.join(work, "cal-good.toml"), smoke)
    c.refused("calibration/out_is_config", [rramsim, "calibrate", good, "-o", good], [], ["refusing"])
    if open(good).read() != smoke:
        c.failures.append("calibration/out_is_config: the configuration was changed")
    # A valid mutation runs a whole (smoke) calibration: few of them, on a smaller array.
    small = replaced(replaced(smoke, "devices = 64", "devices = 16"), "inputs_per_count = 8", "inputs_per_count = 2")
    for label, t in mutations(small, 8, SEED + 6):
        p = write(os.path.join(work, "cal-mut.toml"), t)
        c.survives(f"calibration/{label}", cal + [p], [out, out + ".work"])
        shutil.rmtree(out + ".work", ignore_errors=True)


# ---- train: options and networks that must be refused before any training --------------
def train():
    out = os.path.join(work, "w.h5")
    tr = [rramsim, "train", "--quiet", "--epochs", "1", "--limit", "64", "--out", out]
    c.refused("train/lr_inf", tr + ["--lr", "inf"], [out], ["--lr"])
    c.refused("train/lr_nan", tr + ["--lr", "nan"], [out], ["--lr"])
    lenet = text("networks/lenet5.toml")
    big = write(os.path.join(work, "train-big.toml"),
                lenet + '[[layer]]\nname = "big"\ntype = "fc"\nout_features = 16777216\n')
    c.refused("train/fc_16777216", tr + ["--network", big], [out], ["out_features", big])
    huge = write(os.path.join(work, "train-huge.toml"), lenet +  # about 435 M weights: over 10 GB to train
                 '[[layer]]\nname = "wide1"\ntype = "fc"\nout_features = 16777215\n'
                 '[[layer]]\nname = "wide2"\ntype = "fc"\nout_features = 16\n')
    if MEMORY_MB:  # under the memory bound the estimate refuses it up front, with the figure
        c.refused("train/memory_estimate", tr + ["--network", huge], [out], ["GB of memory"])
        c.refused("train/batch_20000", [rramsim, "train", "--quiet", "--epochs", "1", "--batch", "20000", "--limit",
                                        "20000", "--out", out], [out], ["memory"])
    net = write(os.path.join(work, "train-net.toml"), lenet)
    c.refused("train/out_is_network", [rramsim, "train", "--network", net, "--out", net], [], ["refusing"])
    if open(net).read() != lenet:
        c.failures.append("train/out_is_network: the network file was changed")


for k in kinds:
    globals()[k]()
sys.exit(c.finish())
