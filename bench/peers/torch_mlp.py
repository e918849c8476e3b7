"""PyTorch peer for `rlk bench mlp --backend gpu`: MLP training steps per second, written for RlKernels.

One step is forward, mean-squared error against a fixed random target, backward and torch.optim.Adam (lr 1e-3),
in float32 with TF32 off, eager mode (no torch.compile, no CUDA graphs). Two modes in one run:

  single  one network of nn.Linear layers at batch B (--batch, default 4096,65536);
  bmm     a population of P networks at B rows each (--population PxB, default 64x256,1024x256): weights
          [P, in, out] and biases [P, 1, out] through torch.baddbmm, one Adam over the stacked parameters.

    python3 bench/peers/torch_mlp.py [--batch B ...] [--population PxB ...] [--sizes 4,64,64,2] [--json]

Timing: warm-up steps, one more timed batch of steps to size a repeat, then R repeats of back-to-back steps,
torch.cuda.synchronize before every clock read; samples/s = P*B*steps/seconds, median over the repeats.
"""
import argparse
import json
import math
import statistics
import sys
import time


def flops_per_sample(sizes):
    """rlk's count (src/Cli/Commands/MlpBenchCommand.cs, FlopsPerSample, the flops_per_sample field):
    2*in*out per Linear forward and twice that backward, so 6 * sum(in*out); bias, activations, loss and
    Adam are not counted. 26,880 for 4,64,64,2."""
    return 6 * sum(a * b for a, b in zip(sizes, sizes[1:]))


def int_list(items, default):
    out = []
    for item in items or [default]:
        out += [int(s.replace("_", "")) for s in item.split(",") if s.strip()]
    return out


def shape_list(items, default):
    out = []
    for item in items or [default]:
        for s in item.split(","):
            if s.strip():
                p, b = s.lower().replace("\u00d7", "x").split("x")
                out.append((int(p), int(b)))
    return out


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="PyTorch MLP training-step peer (forward+backward+Adam) for RlKernels' bench mlp.")
    ap.add_argument("--batch", action="append", metavar="B", help="one network at batch B; repeatable or a comma list (default 4096,65536)")
    ap.add_argument("--population", action="append", metavar="PxB", help="P networks x B rows via bmm; repeatable or a comma list (default 64x256,1024x256)")
    ap.add_argument("--sizes", default="4,64,64,2", help="layer sizes, input to output; tanh hidden layers, linear output (default 4,64,64,2)")
    ap.add_argument("--device", default=None, help="torch device (default cuda if available, else cpu)")
    ap.add_argument("--seconds", type=float, default=0.5, help="seconds per timed repeat (default 0.5)")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats per shape (default 5)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    args = ap.parse_args(argv)
    try:
        args.batch = int_list(args.batch, "4096,65536")
        args.population = shape_list(args.population, "64x256,1024x256")
        args.sizes = int_list([args.sizes], "")
    except ValueError:
        ap.error("--batch takes integers, --population PxB (e.g. 64x256), --sizes a comma list (e.g. 4,64,64,2)")
    if len(args.sizes) < 2 or min(args.sizes) < 1 or min(args.batch + [p * b for p, b in args.population] + [1]) < 1 \
            or args.seconds <= 0 or args.repeats < 1:
        ap.error("sizes, batches, populations, --seconds and --repeats must be positive (and at least two sizes)")
    return args


def single_step(torch, sizes, batch, device):
    """A function that runs one training step of one nn.Linear network on a fixed [batch, in] input."""
    layers = []
    for l, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if l + 2 < len(sizes):
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers).to(device)
    x = torch.randn(batch, sizes[0], device=device)
    y = torch.randn(batch, sizes[-1], device=device)
    opt = make_adam(torch, net.parameters(), device)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(net(x), y)
        loss.backward()
        opt.step()
    return step, opt


def bmm_step(torch, sizes, population, batch, device):
    """A function that runs one training step of `population` networks, each on its own [batch, in] rows."""
    params = []
    for a, b in zip(sizes, sizes[1:]):
        bound = 1.0 / math.sqrt(a)  # nn.Linear's default initialisation range
        w = torch.empty(population, a, b, device=device).uniform_(-bound, bound).requires_grad_()
        c = torch.empty(population, 1, b, device=device).uniform_(-bound, bound).requires_grad_()
        params += [w, c]
    x = torch.randn(population, batch, sizes[0], device=device)
    y = torch.randn(population, batch, sizes[-1], device=device)
    opt = make_adam(torch, params, device)
    last = len(params) // 2 - 1

    def step():
        opt.zero_grad(set_to_none=True)
        h = x
        for l in range(last + 1):
            h = torch.baddbmm(params[2 * l + 1], h, params[2 * l])
            if l < last:
                h = torch.tanh(h)
        # each member's own mean squared error, summed over the population (members do not interact)
        loss = (h - y).pow(2).mean(dim=(1, 2)).sum()
        loss.backward()
        opt.step()
    return step, opt


def make_adam(torch, params, device):
    """torch.optim.Adam, lr 1e-3; the fused CUDA kernel where this PyTorch has it, else its default."""
    params = list(params)
    if str(device).startswith("cuda"):
        try:
            return torch.optim.Adam(params, lr=1e-3, fused=True)
        except (TypeError, RuntimeError, ValueError):
            pass
    return torch.optim.Adam(params, lr=1e-3)


def adam_kind(opt):
    d = opt.defaults
    return "fused" if d.get("fused") else "foreach" if d.get("foreach") else "default"


def measure(torch, step, device, args):
    """Median, min and max steps/s over args.repeats timed repeats."""
    cuda = str(device).startswith("cuda")

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    for _ in range(5):  # warm-up: allocator, kernels, Adam state
        step()
    sync()
    n, t0 = 3, time.perf_counter()
    for _ in range(n):
        step()
    sync()
    per_step = max((time.perf_counter() - t0) / n, 1e-7)
    steps = max(1, int(round(args.seconds / per_step)))
    rates = []
    for _ in range(args.repeats):
        sync()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        rates.append(steps / (time.perf_counter() - t0))
    return statistics.median(rates), min(rates), max(rates), steps


def main(argv=None):
    args = parse_args(argv)
    import torch  # here, after parsing, so --help works without PyTorch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.manual_seed(args.seed)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    sizes_text = ",".join(map(str, args.sizes))
    fps = flops_per_sample(args.sizes)
    cells = [("single", 1, b) for b in args.batch] + [("bmm", p, b) for p, b in args.population]
    if not args.json:
        print("PyTorch %s MLP peer on %s, sizes %s, %d flops/sample (rlk's count), TF32 off, %d x %.2g s"
              % (torch.__version__, name, sizes_text, fps, args.repeats, args.seconds))
        print("%-7s %6s %7s %14s %10s %12s %7s" % ("mode", "P", "B", "samples/s", "GFLOP/s", "steps/repeat", "adam"))
    for mode, p, b in cells:
        row = {"peer": "torch-mlp", "mode": mode, "population": p, "batch": b, "sizes": sizes_text}
        try:
            step, opt = single_step(torch, args.sizes, b, device) if mode == "single" else bmm_step(torch, args.sizes, p, b, device)
            median, lo, hi, steps = measure(torch, step, device, args)
            samples = p * b
            row.update(samples_per_second=median * samples, gflops=median * samples * fps / 1e9,
                       min=lo * samples, max=hi * samples, repeats=args.repeats, steps_per_repeat=steps,
                       flops_per_sample=fps, adam=adam_kind(opt))
            del step, opt
        except Exception as e:  # out of memory and the like: report it and go on
            row["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        row.update(device=name, torch=torch.__version__,
                   tf32=bool(torch.backends.cuda.matmul.allow_tf32 or torch.backends.cudnn.allow_tf32))
        if device.type == "cuda":
            torch.cuda.empty_cache()
        if args.json:
            print(json.dumps(row), flush=True)
        elif "error" in row:
            print("%-7s %6d %7d error: %s" % (mode, p, b, row["error"][:200]), flush=True)
        else:
            print("%-7s %6d %7d %14.4g %10.1f %12d %7s" % (mode, p, b, row["samples_per_second"], row["gflops"],
                                                         row["steps_per_repeat"], row["adam"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
