"""JAX peer for `rlk bench --backend gpu`: CartPole-v1 env-steps per second, gymnax-style, written for RlKernels.

N CartPoles as float32 arrays of shape [N] (x, x_dot, theta, theta_dot, t), K steps per call in one jitted
jax.lax.scan, random actions drawn per step with jax.random, same-step auto-reset of the envs that ended
(to uniform(-0.05, 0.05), t = 0). Only the state is carried from step to step: no observation, reward or done
is written out per step (XLA would drop them unused), so this is the cheapest form of the loop for JAX.

    python3 bench/peers/jax_cartpole.py [--envs N ...] [--steps-per-call K] [--seconds S] [--repeats R] [--json]

Timing: compile and one call untimed, one more call to size a repeat, then R repeats of back-to-back calls,
block_until_ready before every clock read; the median env-steps/s per N is reported.
"""
import argparse
import json
import statistics
import sys
import time

# Gymnasium's CartPole-v1 (gymnasium/envs/classic_control/cartpole.py): constants, Euler integrator,
# termination bounds, and the TimeLimit of 500 steps from its registration.
GRAVITY = 9.8
MASSCART = 1.0
MASSPOLE = 0.1
TOTAL_MASS = MASSPOLE + MASSCART
LENGTH = 0.5  # half the pole's length
POLEMASS_LENGTH = MASSPOLE * LENGTH
FORCE_MAG = 10.0
TAU = 0.02
X_THRESHOLD = 2.4
THETA_THRESHOLD = 12 * 2 * 3.141592653589793 / 360
MAX_STEPS = 500.0
RESET_LOW, RESET_HIGH = -0.05, 0.05

DEFAULT_ENVS = [65536, 1048576, 16777216]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="JAX CartPole-v1 peer: env-steps/s of K-step jitted scans (RlKernels bench).")
    ap.add_argument("--envs", action="append", metavar="N",
                    help="env count; repeatable or a comma list (default %s)" % ",".join(map(str, DEFAULT_ENVS)))
    ap.add_argument("--steps-per-call", type=int, default=100, metavar="K", help="steps per jitted call (default 100)")
    ap.add_argument("--seconds", type=float, default=1.0, help="seconds per timed repeat (default 1.0)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats per env count (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prng", default="threefry2x32", choices=["threefry2x32", "rbg", "unsafe_rbg"],
                    help="jax_default_prng_impl (default threefry2x32, JAX's own default)")
    ap.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    args = ap.parse_args(argv)
    envs = []
    for item in args.envs or [",".join(map(str, DEFAULT_ENVS))]:
        envs += [int(s.replace("_", "")) for s in item.split(",") if s.strip()]
    if not envs or min(envs) < 1 or args.steps_per_call < 1 or args.repeats < 1 or args.seconds <= 0:
        ap.error("--envs, --steps-per-call, --repeats and --seconds must be positive")
    args.envs = envs
    return args


def make_rollout(jax, steps):
    """A jitted function (state, key) -> (state, key) that runs `steps` CartPole steps of every env."""
    jnp = jax.numpy

    def step(carry, _):
        (x, x_dot, theta, theta_dot, t), key = carry
        key, k_action, k_reset = jax.random.split(key, 3)
        n = x.shape[0]
        push_right = jax.random.bernoulli(k_action, 0.5, (n,))
        force = jnp.where(push_right, FORCE_MAG, -FORCE_MAG).astype(jnp.float32)
        cos = jnp.cos(theta)
        sin = jnp.sin(theta)
        temp = (force + POLEMASS_LENGTH * theta_dot * theta_dot * sin) / TOTAL_MASS
        theta_acc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - MASSPOLE * cos * cos / TOTAL_MASS))
        x_acc = temp - POLEMASS_LENGTH * theta_acc * cos / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * x_acc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * theta_acc
        t = t + 1.0
        terminated = (jnp.abs(x) > X_THRESHOLD) | (jnp.abs(theta) > THETA_THRESHOLD)
        done = terminated | (t >= MAX_STEPS)  # reward is 1 every step; done drives the auto-reset
        fresh = jax.random.uniform(k_reset, (4, n), jnp.float32, RESET_LOW, RESET_HIGH)
        state = (jnp.where(done, fresh[0], x), jnp.where(done, fresh[1], x_dot),
                 jnp.where(done, fresh[2], theta), jnp.where(done, fresh[3], theta_dot),
                 jnp.where(done, 0.0, t).astype(jnp.float32))
        return (state, key), None

    def rollout(state, key):
        (state, key), _ = jax.lax.scan(step, (state, key), None, length=steps)
        return state, key

    return jax.jit(rollout, donate_argnums=(0,))


def initial_state(jax, n, key):
    jnp = jax.numpy
    fresh = jax.random.uniform(key, (4, n), jnp.float32, RESET_LOW, RESET_HIGH)
    return (fresh[0], fresh[1], fresh[2], fresh[3], jnp.zeros((n,), jnp.float32))


def measure(jax, rollout, n, args):
    """Median, min and max env-steps/s over args.repeats timed repeats at n envs."""
    key = jax.random.PRNGKey(args.seed)
    key, k0 = jax.random.split(key)
    state = initial_state(jax, n, k0)
    state, key = rollout(state, key)  # compile + first run, untimed
    jax.block_until_ready(state)
    t0 = time.perf_counter()
    state, key = rollout(state, key)  # sizes a repeat
    jax.block_until_ready(state)
    per_call = max(time.perf_counter() - t0, 1e-6)
    calls = max(1, int(round(args.seconds / per_call)))
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            state, key = rollout(state, key)
        jax.block_until_ready(state)
        rates.append(calls * args.steps_per_call * n / (time.perf_counter() - t0))
    del state
    return statistics.median(rates), min(rates), max(rates), calls


def main(argv=None):
    args = parse_args(argv)
    import jax  # here, after parsing, so --help works without JAX

    jax.config.update("jax_default_prng_impl", args.prng)
    device = jax.devices()[0]
    rollout = make_rollout(jax, args.steps_per_call)
    common = {"steps_per_call": args.steps_per_call, "repeats": args.repeats,
              "device": str(device), "device_kind": getattr(device, "device_kind", ""),
              "jax": jax.__version__, "prng": args.prng}
    if not args.json:
        print("JAX %s CartPole-v1 peer on %s (%s), K = %d steps per call, %d x %.2g s, prng %s"
              % (jax.__version__, device, common["device_kind"], args.steps_per_call, args.repeats, args.seconds, args.prng))
        print("%12s %14s %14s %14s" % ("envs", "steps/s", "min", "max"))
    for n in args.envs:
        try:
            median, lo, hi, calls = measure(jax, rollout, n, args)
            row = dict(peer="jax-cartpole", envs=n, steps_per_second=median, min=lo, max=hi, **common,
                       calls_per_repeat=calls)
        except Exception as e:  # out of device memory and the like: report it and go on
            row = dict(peer="jax-cartpole", envs=n, **common, error="%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        if args.json:
            print(json.dumps(row), flush=True)
        elif "error" in row:
            print("%12d error: %s" % (n, row["error"][:200]), flush=True)
        else:
            print("%12d %14.4g %14.4g %14.4g" % (n, row["steps_per_second"], row["min"], row["max"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
