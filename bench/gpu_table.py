"""One table of issue 15's GPU targets from the JSON files that bench/gpu.sh writes into one folder.

    python3 bench/gpu_table.py DIR

Reads (each may be missing, empty or broken: its lines then say "missing" and the rest still print):
  bench-cartpole-16m.json  rlk bench --json (env rows, ceiling rows such as device-copy, device-fma-peak)
  jax-cartpole.jsonl       bench/peers/jax_cartpole.py --json
  rollout.json             rlk bench rollout --json (fused env+policy rollout, info only)
  mlp-gpu.json             rlk bench mlp --json
  torch-mlp.jsonl          bench/peers/torch_mlp.py --json
  qiter-gpu.json           rlk bench qiter --json
  train-gpu.json, train-cpu.json   rlk train --json (PPO CartPole-v1)
Prints a Markdown table (target, rlk, peer or reference, ratio, goal, result: met / not met / missing / info).
Standard library only; always exits 0 once DIR is given.
"""
import json
import math
import os
import sys

CARTPOLE_ENVS = 16777216
SIZES = "4,64,64,2"
MISSING, MET, NOT_MET, INFO = "missing", "met", "not met", "info"


# ---------------------------------------------------------------- reading

def load(folder, name):
    """(rows, problem): the file's JSON objects as a list of dicts, or None and a short reason."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        return None, "%s: no file" % name
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        return None, "%s: unreadable (%s)" % (name, e.strerror or e)
    if not text.strip():
        return None, "%s: empty file" % name
    values = []
    try:
        values = [json.loads(text)]
    except ValueError:
        # JSON lines, or whole JSON documents among lines of log text: every document that starts at the
        # beginning of a line. A cut-off document is dropped whole (its indented inner rows are not read).
        decoder, pos = json.JSONDecoder(), 0
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end + 1
            if text[pos] in "[{":
                try:
                    value, stop = decoder.raw_decode(text, pos)
                    values.append(value)
                    end = max(end, stop)
                except ValueError:
                    pass
            pos = end
    if not values:
        return None, "%s: not JSON (cut off, or an error message)" % name
    rows = []
    for v in values:
        if isinstance(v, dict) and isinstance(v.get("rows"), list):
            v = v["rows"]
        rows += [r for r in (v if isinstance(v, list) else [v]) if isinstance(r, dict)]
    if not rows:
        return None, "%s: no JSON rows" % name
    return rows, None


def num(v):
    """A finite float from a JSON number (or numeric string); None otherwise."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def same_sizes(row):
    """True when the row's layer sizes are the issue's 4-64-64-2 (or the row does not say)."""
    s = row.get("sizes")
    if s is None:
        return True
    digits = "".join(c if c.isdigit() else " " for c in str(s)).split()
    return ",".join(digits) == SIZES


def best(rows, key):
    """The row with the largest numeric `key`, or None."""
    rows = [r for r in rows if num(r.get(key)) is not None]
    return max(rows, key=lambda r: num(r[key])) if rows else None


def first_error(rows):
    for r in rows:
        if r.get("error"):
            return str(r["error"]).splitlines()[0][:80]
    return None


# ---------------------------------------------------------------- formatting

def si(x, unit=""):
    """3 significant digits with k/M/G/T: 2.36e10 -> '23.6 G'."""
    if x is None:
        return "?"
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return "%s %s%s" % (sig3(x / scale), prefix, unit)
    return "%s %s" % (sig3(x), unit) if unit else sig3(x)


def sig3(x):
    if x == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    return "%.*f" % (digits, x)


def ratio_text(r):
    return "?" if r is None else "%s×" % sig3(r)


# ---------------------------------------------------------------- the lines

class Table:
    def __init__(self):
        self.lines = []

    def add(self, target, rlk, peer, ratio, goal, result):
        self.lines.append((target, rlk, peer, ratio, goal, result))

    def compare(self, target, rlk_value, rlk_text, peer_value, peer_text, goal, need):
        """rlk/peer against `need`; missing when either side is."""
        if rlk_value is None or peer_value is None or peer_value <= 0:
            self.add(target, rlk_text, peer_text, "", goal, MISSING)
            return
        r = rlk_value / peer_value
        self.add(target, rlk_text, peer_text, ratio_text(r), goal, MET if r >= need else NOT_MET)

    def render(self):
        head = ("target", "rlk", "peer / reference", "ratio", "goal", "result")
        rows = [head, tuple("---" for _ in head)] + [tuple(c.replace("|", "/") for c in line) for line in self.lines]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        out = []
        for r in rows:
            cells = [("-" * widths[i]) if r[i] == "---" else r[i].ljust(widths[i]) for i in range(len(head))]
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out)


def cartpole_lines(table, folder):
    bench, bench_problem = load(folder, "bench-cartpole-16m.json")
    jax, jax_problem = load(folder, "jax-cartpole.jsonl")
    jax = [r for r in (jax or []) if r.get("peer", "jax-cartpole") == "jax-cartpole"]

    def rlk_at(n):
        if bench is None:
            return None, bench_problem
        rows = [r for r in bench if r.get("kind", "env") == "env" and r.get("env") == "CartPole-v1"
                and r.get("backend") == "gpu" and num(r.get("envs")) == n]
        row = best(rows, "steps_per_second")
        if row is None:
            return None, "no CartPole-v1 gpu row at %s envs" % format(n, ",")
        return num(row["steps_per_second"]), "%s steps/s" % si(num(row["steps_per_second"]))

    def jax_at(n):
        if not jax:
            return None, jax_problem or "jax-cartpole.jsonl: no jax-cartpole rows"
        rows = [r for r in jax if num(r.get("envs")) == n]
        row = best(rows, "steps_per_second")
        if row is None:
            err = first_error(rows)
            return None, ("JAX error: %s" % err) if err else "no JAX row at %s envs" % format(n, ",")
        return num(row["steps_per_second"]), "JAX %s steps/s" % si(num(row["steps_per_second"]))

    v, t = rlk_at(CARTPOLE_ENVS)
    pv, pt = jax_at(CARTPOLE_ENVS)
    table.compare("a. CartPole-v1 env-steps/s, 16,777,216 envs, gpu vs JAX", v, t, pv, pt, "≥ 2× JAX", 2.0)
    return bench, jax, rlk_at, jax_at


def mlp_lines(table, folder):
    mlp, mlp_problem = load(folder, "mlp-gpu.json")
    torch, torch_problem = load(folder, "torch-mlp.jsonl")
    torch = [r for r in (torch or []) if r.get("peer", "torch-mlp") == "torch-mlp"]
    for label, p, b, mode, need in (("b. MLP training, one network, B = 65,536", 1, 65536, "single", 1.0),
                                    ("c. MLP training, population 1024 × 256", 1024, 256, "bmm", 2.0)):
        if mlp is None:
            v, t = None, mlp_problem
        else:
            row = best([r for r in mlp if r.get("backend") == "gpu" and num(r.get("population")) == p
                        and num(r.get("batch")) == b and same_sizes(r)], "samples_per_second")
            v = num(row["samples_per_second"]) if row else None
            t = ("%s samples/s (%s GFLOP/s)" % (si(v), sig3(num(row.get("gflops")) or 0))) if row \
                else "no gpu row at %dx%d" % (p, b)
        if not torch:
            pv, pt = None, torch_problem or "torch-mlp.jsonl: no torch-mlp rows"
        else:
            rows = [r for r in torch if r.get("mode", mode) == mode and num(r.get("population")) == p
                    and num(r.get("batch")) == b and same_sizes(r)]
            row = best(rows, "samples_per_second")
            pv = num(row["samples_per_second"]) if row else None
            if row:
                pt = "PyTorch %s %s samples/s (%s GFLOP/s)" % (mode, si(pv), sig3(num(row.get("gflops")) or 0))
            else:
                err = first_error(rows)
                pt = ("PyTorch error: %s" % err) if err else "no PyTorch %s row at %dx%d" % (mode, p, b)
        table.compare(label, v, t, pv, pt, "≥ %s× PyTorch" % sig3(need).rstrip("0").rstrip("."), need)
    return torch


def qiter_line(table, folder):
    rows, problem = load(folder, "qiter-gpu.json")
    label, goal = "d. Q-iteration sweep, largest S, gpu", "≥ 0.60 of device copy"
    if rows is None:
        table.add(label, problem, "", "", goal, MISSING)
        return
    row = best([r for r in rows if r.get("kind", "sweep") == "sweep" and r.get("backend") == "gpu"], "states")
    frac = num(row.get("bandwidth_fraction")) if row else None
    if row is None or frac is None:
        table.add(label, "no gpu sweep row" if row is None else "no bandwidth_fraction", "", "", goal, MISSING)
        return
    table.add(label, "S = %s: %s GB/s" % (format(int(num(row["states"])), ","), sig3(num(row.get("gb_per_second")) or 0)),
              "device copy %s GB/s" % sig3(num(row.get("bandwidth_gb_per_second")) or 0),
              "%.2f" % frac, goal, MET if frac >= 0.60 else NOT_MET)


def train_lines(table, folder):
    def run(name):
        rows, problem = load(folder, name)
        if rows is None:
            return None, problem
        with_steps = [r for r in rows if "env_steps" in r or "solved_at_seconds" in r]
        return (with_steps or rows)[-1], None

    gpu, gpu_problem = run("train-gpu.json")
    cpu, cpu_problem = run("train-cpu.json")
    label, goal = "e. PPO CartPole-v1 solve time, gpu vs cpu", "gpu < cpu"

    def solved_text(r, problem, backend):
        if r is None:
            return problem
        s = num(r.get("solved_at_seconds"))
        return "%s: not solved" % backend if s is None else "%s solved at %s s" % (backend, sig3(s))

    gs = num(gpu.get("solved_at_seconds")) if gpu else None
    cs = num(cpu.get("solved_at_seconds")) if cpu else None
    if gpu is None or cpu is None:
        table.add(label, solved_text(gpu, gpu_problem, "gpu"), solved_text(cpu, cpu_problem, "cpu"), "", goal, MISSING)
    elif gs is None or cs is None:
        table.add(label, solved_text(gpu, None, "gpu"), solved_text(cpu, None, "cpu"), "", goal, NOT_MET)
    else:
        table.add(label, solved_text(gpu, None, "gpu"), solved_text(cpu, None, "cpu"),
                  "%s× faster" % sig3(cs / gs) if gs > 0 else "?", goal, MET if gs < cs else NOT_MET)

    label, goal = "e. PPO CartPole-v1 training env-steps/s, gpu", "≥ 50 M/s"
    steps = num(gpu.get("env_steps")) if gpu else None
    secs = num(gpu.get("train_seconds")) if gpu else None
    if steps is None or not secs:
        table.add(label, gpu_problem or "no env_steps / train_seconds", "", "", goal, MISSING)
    else:
        rate = steps / secs
        table.add(label, "%s steps/s (%s steps in %s s)" % (si(rate), format(int(steps), ","), sig3(secs)),
                  "50 M steps/s", ratio_text(rate / 50e6), goal, MET if rate >= 50e6 else NOT_MET)


def info_lines(table, folder, bench, jax, rlk_at, jax_at):
    # CartPole-v1 at the other env counts both sides measured: context, no target
    counts = sorted({int(num(r["envs"])) for r in (jax or []) if num(r.get("envs"))} - {CARTPOLE_ENVS})
    for n in counts:
        v, t = rlk_at(n)
        pv, pt = jax_at(n)
        if v is not None and pv:
            table.add("f. CartPole-v1 env-steps/s, %s envs, gpu vs JAX" % format(n, ","), t, pt, ratio_text(v / pv), "", INFO)
    rows, problem = load(folder, "rollout.json")
    if rows is None:
        table.add("f. fused rollout (rlk bench rollout)", problem, "", "", "", MISSING)
    for r in rows or []:
        v = num(r.get("steps_per_second"))
        if v is None:
            continue
        what = "%s, %s envs" % (r.get("env", "?"), format(int(num(r.get("envs")) or 0), ","))
        extra = ", ".join(s for s in ("backend %s" % r["backend"] if r.get("backend") else "",
                                      "sizes %s" % r["sizes"] if r.get("sizes") else "") if s)
        table.add("f. fused rollout: %s%s" % (what, " (%s)" % extra if extra else ""), "%s env-steps/s" % si(v), "", "", "", INFO)
    for r in bench or []:
        if r.get("kind") == "ceiling" and str(r.get("env", "")).startswith("device-") and num(r.get("value")) is not None:
            table.add("f. ceiling %s%s" % (r["env"], " (%s)" % r["backend"] if r.get("backend") else ""), "%s %s" % (sig3(num(r["value"])), r.get("unit", "")), "", "", "", INFO)


def devices(folder):
    names = []
    for name, key in (("jax-cartpole.jsonl", "device_kind"), ("jax-cartpole.jsonl", "device"), ("torch-mlp.jsonl", "device")):
        rows, _ = load(folder, name)
        for r in rows or []:
            if r.get(key) and str(r[key]) not in names:
                names.append(str(r[key]))
                break
    return names


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print("usage: python3 bench/gpu_table.py DIR   (DIR: the JSON outputs of bench/gpu.sh run)", file=sys.stderr)
        return 0 if len(argv) == 2 else 2
    folder = argv[1]
    table = Table()
    bench, jax, rlk_at, jax_at = cartpole_lines(table, folder)
    mlp_lines(table, folder)
    qiter_line(table, folder)
    train_lines(table, folder)
    info_lines(table, folder, bench, jax, rlk_at, jax_at)
    where = ", ".join(devices(folder)) or "device not recorded"
    print("Issue 15 GPU targets, measured in one run (%s; files in %s):" % (where, folder))
    print()
    print(table.render())
    targets = [line for line in table.lines if not line[0].startswith("f.")]
    counts = {k: sum(1 for line in targets if line[5] == k) for k in (MET, NOT_MET, MISSING)}
    print()
    print("targets a-e: %d met, %d not met, %d missing" % (counts[MET], counts[NOT_MET], counts[MISSING]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
