#!/usr/bin/env python3
"""Record Gymnasium reference data for rlk's conformance checks (data/reference), or verify it.

Needs Python 3, NumPy and Gymnasium (pip install gymnasium numpy). It imports Gymnasium and copies
nothing from it. The formats are described in data/reference/gymnasium/README.md (classic-control
transitions) and data/reference/gymnasium-toytext/README.md (toy-text P tables); usage in
data/reference/README.md.

  classic  record transitions of classic-control envs (default: the five in data/reference/gymnasium).
           Uniform files ENV.csv: seeds 0..4, 400 steps per seed, actions from
           numpy.random.default_rng([seed, 0x5EED]) (Discrete: integers(n); Box: uniform(low, high) cast
           to float32), env.reset() without a seed after an episode ends. Heuristic files
           ENV.heuristic.csv: seed 0, 1000 steps, this script's goal-directed rule mixed with uniform
           actions at the probabilities below. --env ID records any registered env whose unwrapped env
           has a `state` attribute.
  toytext  write the P tables (MODEL.csv) and their JSON sidecars (MODEL.json) of the toy-text models,
           or of --env ID [--make-kwargs JSON] for any env whose unwrapped env has `P`.
  verify   re-read CSV files (a folder or files) and replay them through Gymnasium: transition files
           row by row from the recorded state, P tables entry by entry against env.unwrapped.P.

Every output file is written to a temporary name in its folder and renamed, so an interrupted run
leaves no half-written file under a final name.
"""

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile

FORMAT_VERSION = 1
GENERATOR = "tools/reference/record_gymnasium.py (imports Gymnasium; copies nothing from it)"
ACTION_SEED_SALT = 0x5EED

# The classic-control envs of data/reference/gymnasium: column names of the observation and of
# env.unwrapped.state (they must equal the state names of rlk's EnvSpec for `rlk conform`).
CLASSIC_ENVS = {
    "CartPole-v1": (["x", "x_dot", "theta", "theta_dot"], ["x", "x_dot", "theta", "theta_dot"]),
    "MountainCar-v0": (["position", "velocity"], ["position", "velocity"]),
    "MountainCarContinuous-v0": (["position", "velocity"], ["position", "velocity"]),
    "Acrobot-v1": (["cos_theta1", "sin_theta1", "cos_theta2", "sin_theta2", "theta1_dot", "theta2_dot"],
                   ["theta1", "theta2", "theta1_dot", "theta2_dot"]),
    "Pendulum-v1": (["cos_theta", "sin_theta", "theta_dot"], ["theta", "theta_dot"]),
}

UNIFORM_SEEDS = [0, 1, 2, 3, 4]
UNIFORM_STEPS = 400
HEURISTIC_SEEDS = [0]
HEURISTIC_STEPS = 1000

# Probability of a uniform random action instead of the goal-directed rule, per env.
HEURISTIC_EPS = {
    "CartPole-v1": 0.4,
    "MountainCar-v0": 0.2,
    "MountainCarContinuous-v0": 0.2,
    "Acrobot-v1": 0.1,
    "Pendulum-v1": 0.2,
}

# The toy-text models of data/reference/gymnasium-toytext: file stem, Gymnasium id, make kwargs.
TOYTEXT_MODELS = [
    ("FrozenLake-v1.4x4.slippery", "FrozenLake-v1", {"map_name": "4x4", "is_slippery": True}),
    ("FrozenLake-v1.4x4.nonslippery", "FrozenLake-v1", {"map_name": "4x4", "is_slippery": False}),
    ("FrozenLake-v1.8x8.slippery", "FrozenLake-v1", {"map_name": "8x8", "is_slippery": True}),
    ("FrozenLake-v1.8x8.nonslippery", "FrozenLake-v1", {"map_name": "8x8", "is_slippery": False}),
    ("CliffWalking-v1", "CliffWalking-v1", {}),
    ("CliffWalkingSlippery-v1", "CliffWalkingSlippery-v1", {}),
    ("Taxi-v4", "Taxi-v4", {}),
    ("Taxi-v4.rainy", "Taxi-v4", {"is_rainy": True}),
]

ACTION_NAMES = {
    "FrozenLakeEnv": ["LEFT", "DOWN", "RIGHT", "UP"],
    "CliffWalkingEnv": ["UP", "RIGHT", "DOWN", "LEFT"],
    "TaxiEnv": ["SOUTH", "NORTH", "EAST", "WEST", "PICKUP", "DROPOFF"],
}

P_TABLE_HEADER = "state,action,prob,next_state,reward,terminated"


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------

def fail(message):
    """One line on stderr and exit code 2 (bad input), as rlk does."""
    print(f"record_gymnasium: {message}", file=sys.stderr)
    sys.exit(2)


def import_gymnasium():
    try:
        import numpy as np  # noqa: F401
        import gymnasium as gym
    except ImportError as e:
        fail(f"{e}; install NumPy and Gymnasium first (pip install gymnasium numpy).")
    return gym


def num(x):
    """Python repr() of the exact double: round-trips, 17 significant digits at most."""
    return repr(float(x))


def write_atomic(path, data):
    """Writes bytes to a unique temporary file in the same folder, flushes it to disk, renames it."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def json_bytes(obj):
    # Python's json writes unbounded spaces as Infinity (not strict JSON; readers must allow it).
    return (json.dumps(obj, indent=1) + "\n").encode()


def to_jsonable(value):
    """NumPy scalars and arrays, tuples and bytes as plain JSON values."""
    import numpy as np
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str):
        return value
    return repr(value)


def gymnasium_info(gym):
    """Version, and the git commit when Gymnasium is installed from a git checkout."""
    info = {"version": gym.__version__, "commit": None, "describe": None, "commit_date": None}
    source = os.path.dirname(os.path.abspath(gym.__file__))
    for key, args in (("commit", ["rev-parse", "HEAD"]), ("describe", ["describe", "--tags"]),
                      ("commit_date", ["log", "-1", "--format=%cI"])):
        try:
            out = subprocess.run(["git", "-C", source] + args, capture_output=True, text=True, timeout=10)
            if out.returncode == 0:
                info[key] = out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return info


def run_info(gym):
    import numpy as np
    return {
        "format_version": FORMAT_VERSION,
        "generator": GENERATOR,
        "gymnasium": gymnasium_info(gym),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def wrapper_stack(env):
    stack = []
    e = env
    while True:
        stack.append(type(e).__name__)
        inner = getattr(e, "env", None)
        if inner is None or inner is e:
            return stack
        e = inner


def space_info(space):
    import numpy as np
    from gymnasium import spaces
    if isinstance(space, spaces.Discrete):
        info = {"type": "Discrete", "dtype": str(space.dtype), "n": int(space.n)}
        if int(space.start) != 0:
            info["start"] = int(space.start)
        return info
    if isinstance(space, spaces.Box):
        return {"type": "Box", "dtype": str(space.dtype), "shape": list(space.shape),
                "low": [float(v) for v in np.asarray(space.low).ravel()],
                "high": [float(v) for v in np.asarray(space.high).ravel()]}
    return {"type": type(space).__name__, "repr": repr(space)}


def parse_csv(path):
    """Header list and rows of string fields; line ends are \\n, no quoting."""
    with open(path, newline="") as f:
        lines = [line.rstrip("\r\n") for line in f]
    while lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ValueError(f"{path}: empty file")
    header = lines[0].split(",")
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        if len(fields) != len(header):
            raise ValueError(f"{path} line {i}: {len(fields)} fields, the header has {len(header)}")
        rows.append(fields)
    return header, rows


# ----------------------------------------------------------------------------------------------
# Classic control: transitions
# ----------------------------------------------------------------------------------------------

def flat_state(env):
    """A float64 copy of env.unwrapped.state (float32 and tuple states widen exactly)."""
    import numpy as np
    return np.array(env.unwrapped.state, dtype=np.float64, copy=True).ravel()


def state_dtype(env):
    state = env.unwrapped.state
    dtype = getattr(state, "dtype", None)
    return str(dtype) if dtype is not None else type(state).__name__


def uniform_action(space, rng):
    """Discrete: integers(n) (+ start); Box: uniform(low, high) cast to float32."""
    import numpy as np
    from gymnasium import spaces
    if isinstance(space, spaces.Discrete):
        return int(space.start) + int(rng.integers(int(space.n)))
    if isinstance(space, spaces.Box):
        return rng.uniform(space.low, space.high).astype(np.float32)
    raise ValueError(f"only Discrete and Box action spaces are supported, not {type(space).__name__}")


def action_text(action):
    import numpy as np
    if isinstance(action, np.ndarray):
        if action.size != 1:
            raise ValueError(f"only scalar (shape (1,)) continuous actions fit the CSV format, not shape {action.shape}")
        return num(action.ravel()[0])
    return str(int(action))


# Goal-directed rules (the heuristic files): each gets the float64 state and returns an action.
# They are this script's own rules, chosen to reach branches uniform actions (almost) never reach.

def cartpole_rule(s):
    # Push the cart under the pole: lean and angular velocity, with a little cart centring, so that
    # episodes survive to the 500-step truncation.
    x, x_dot, theta, theta_dot = s
    return 1 if theta + 0.5 * theta_dot + 0.01 * x + 0.05 * x_dot > 0 else 0


def mountaincar_rule(s):
    # Pump energy: accelerate in the direction of motion; reaches the goal and hits the left wall.
    return 2 if s[1] >= 0 else 0


def mountaincar_continuous_rule(s):
    import numpy as np
    return np.array([1.0 if s[1] >= 0 else -1.0], dtype=np.float32)


def acrobot_rule(s):
    # Pump energy: torque in the direction of the second joint's swing; reaches the goal height.
    return 2 if s[3] >= 0 else 0


def pendulum_rule(s):
    import numpy as np
    # Full torque in the direction of motion: spins up to the max_speed clip and winds theta far
    # outside [-pi, pi].
    return np.array([2.0 if s[1] >= 0 else -2.0], dtype=np.float32)


HEURISTIC_RULES = {
    "CartPole-v1": cartpole_rule,
    "MountainCar-v0": mountaincar_rule,
    "MountainCarContinuous-v0": mountaincar_continuous_rule,
    "Acrobot-v1": acrobot_rule,
    "Pendulum-v1": pendulum_rule,
}


def make_classic(gym, env_id):
    try:
        env = gym.make(env_id)
    except Exception as e:  # gymnasium raises its own error types for unknown or deprecated ids
        fail(f"gymnasium.make('{env_id}') failed: {e}")
    # Some envs create `state` in reset() only. A seeded reset here changes nothing later: every run
    # starts with its own reset(seed=...), which reseeds the env.
    env.reset(seed=0)
    if getattr(env.unwrapped, "state", None) is None:
        env.close()
        fail(f"{env_id}: env.unwrapped has no `state` attribute after reset(), so its internal state cannot be recorded.")
    return env


def record_transitions(gym, env_id, seeds, steps, rule, eps, obs_names, state_names):
    """Rows of one transition file and its statistics (see the gymnasium README for the protocol)."""
    import numpy as np
    env = make_classic(gym, env_id)
    rows = []
    stats = {"episodes_started": 0, "terminated": 0, "truncated": 0, "terminated_and_truncated": 0}
    dtypes = {"t0": set(), "t>0": set()}
    try:
        for seed in seeds:
            rng = np.random.default_rng([seed, ACTION_SEED_SALT])
            obs, _ = env.reset(seed=seed)
            episode, t = 0, 0
            stats["episodes_started"] += 1
            for _ in range(steps):
                dtypes["t0" if t == 0 else "t>0"].add(state_dtype(env))
                state = flat_state(env)
                obs_flat = np.asarray(obs).ravel()
                if rule is not None and rng.random() >= eps:
                    action = rule(state)
                else:
                    action = uniform_action(env.action_space, rng)
                next_obs, reward, terminated, truncated, _ = env.step(action)
                next_state = flat_state(env)
                if len(obs_flat) != len(obs_names) or len(state) != len(state_names):
                    raise ValueError(f"{env_id}: observation has {len(obs_flat)} values and state {len(state)}, "
                                     f"but {len(obs_names)} and {len(state_names)} names were given")
                rows.append([str(seed), str(episode), str(t)]
                            + [num(v) for v in obs_flat] + [num(v) for v in state]
                            + [action_text(action), num(reward), str(int(bool(terminated))), str(int(bool(truncated)))]
                            + [num(v) for v in np.asarray(next_obs).ravel()] + [num(v) for v in next_state])
                stats["terminated"] += int(bool(terminated))
                stats["truncated"] += int(bool(truncated))
                stats["terminated_and_truncated"] += int(bool(terminated) and bool(truncated))
                if terminated or truncated:
                    obs, _ = env.reset()  # no seed: continues Gymnasium's own RNG stream
                    episode, t = episode + 1, 0
                    stats["episodes_started"] += 1
                else:
                    obs, t = next_obs, t + 1
        info = {
            "env_class": type(env.unwrapped).__name__,
            "wrapper_stack": wrapper_stack(env),
            "max_episode_steps": env.spec.max_episode_steps if env.spec else None,
            "reward_threshold": env.spec.reward_threshold if env.spec else None,
            "observation_space": space_info(env.observation_space),
            "action_space": space_info(env.action_space),
            "constants": env_constants(env),
        }
    finally:
        env.close()
    stats["state_dtypes"] = [f"{k}:{d}" for k in ("t0", "t>0") for d in sorted(dtypes[k])]
    return rows, stats, info


def env_constants(env):
    """Scalar and short-list attributes of the unwrapped env (the physical constants)."""
    import numpy as np
    skip = {"state", "render_mode", "screen", "clock", "isopen", "steps_beyond_terminated", "viewer",
            "last_u", "spec", "metadata"}
    out = {}
    for key, value in vars(env.unwrapped).items():
        if key in skip or key.startswith("_np_random") or key.startswith("screen"):
            continue
        if isinstance(value, (bool, int, float, str, np.bool_, np.integer, np.floating)):
            out[key] = to_jsonable(value)
        elif isinstance(value, (list, tuple, np.ndarray)) and len(value) <= 16 and \
                all(isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)) for v in np.asarray(value).ravel()):
            out[key] = to_jsonable(value)
    return out


def coverage(env_id, header, rows):
    """Counts of the branches the heuristic files are for (how often each was reached)."""
    import numpy as np
    col = {name: i for i, name in enumerate(header)}
    f = lambda row, name: float(row[col[name]])  # noqa: E731
    left_wall = (-1.2, float(np.float32(-1.2)))  # MountainCarContinuous stores its state as float32
    counts = {}

    def add(key, hit):
        if hit:
            counts[key] = counts.get(key, 0) + 1

    for row in rows:
        if env_id in ("MountainCar-v0", "MountainCarContinuous-v0"):
            add("hit_left_wall", f(row, "next_state_position") in left_wall and f(row, "state_velocity") < 0)
            add("reached_goal", row[col["terminated"]] == "1")
        elif env_id == "Acrobot-v1":
            add("theta1_wrapped", abs(f(row, "next_state_theta1") - f(row, "state_theta1")) > math.pi)
            add("theta2_wrapped", abs(f(row, "next_state_theta2") - f(row, "state_theta2")) > math.pi)
            add("vel1_clipped", abs(f(row, "next_state_theta1_dot")) == 4 * math.pi)
            add("vel2_clipped", abs(f(row, "next_state_theta2_dot")) == 9 * math.pi)
            add("reached_goal", row[col["terminated"]] == "1")
        elif env_id == "Pendulum-v1":
            add("abs_theta_gt_pi", abs(f(row, "state_theta")) > math.pi)
            add("speed_clipped", abs(f(row, "next_state_theta_dot")) == 8.0)
        elif env_id == "CartPole-v1":
            add("truncated", row[col["truncated"]] == "1")
    return counts


def column_names(obs_names, state_names):
    return (["seed", "episode", "t"] + ["obs_" + n for n in obs_names] + ["state_" + n for n in state_names]
            + ["action", "reward", "terminated", "truncated"]
            + ["next_obs_" + n for n in obs_names] + ["next_state_" + n for n in state_names])


def names_for(gym, env_id, obs_names_arg, state_names_arg):
    """Column names: the known ones, or --obs-names/--state-names, or obs_0.. and state_0.."""
    known = CLASSIC_ENVS.get(env_id)
    if obs_names_arg or state_names_arg or known is None:
        import numpy as np
        env = make_classic(gym, env_id)
        try:
            obs, _ = env.reset(seed=0)
            n_obs = int(np.asarray(obs).size)
            n_state = len(flat_state(env))
        finally:
            env.close()
        obs_names = obs_names_arg.split(",") if obs_names_arg else (known[0] if known else [str(i) for i in range(n_obs)])
        state_names = state_names_arg.split(",") if state_names_arg else (known[1] if known else [str(i) for i in range(n_state)])
        if len(obs_names) != n_obs:
            fail(f"--obs-names has {len(obs_names)} names but {env_id} observes {n_obs} values.")
        if len(state_names) != n_state:
            fail(f"--state-names has {len(state_names)} names but {env_id}'s state has {n_state} values.")
        return obs_names, state_names
    return known


def manifest_files(manifest_path):
    """The "files" entries of an existing manifest (none when there is no manifest yet); an unreadable one is fatal."""
    if not os.path.exists(manifest_path):
        return {}
    try:
        with open(manifest_path) as f:
            return json.load(f).get("files", {})
    except (OSError, ValueError) as e:
        fail(f"{manifest_path} cannot be read ({e}); move it away or pick another --out.")


def command_classic(args):
    gym = import_gymnasium()
    env_ids = args.env or list(CLASSIC_ENVS)
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = run_info(gym)
    # Recording a new env into an existing folder keeps the other files' manifest entries.
    previous = manifest_files(manifest_path)
    manifest["runs"] = {"uniform": {"seeds": args.seeds, "steps_per_seed": args.steps},
                        "heuristic": {"seeds": HEURISTIC_SEEDS, "steps_per_seed": args.heuristic_steps}}
    manifest["action_rng"] = ("numpy.random.default_rng([seed, 0x5EED]); Discrete: integers(n); "
                              "Box: uniform(low, high) cast to float32")
    manifest["heuristic_eps"] = {k: v for k, v in HEURISTIC_EPS.items() if k in env_ids}
    manifest["heuristic_rule"] = ("per step: u = rng.random(); u < eps: uniform action from the same rng, "
                                  "else the script's goal-directed rule on env.unwrapped.state")
    files = dict(previous)
    for env_id in env_ids:
        obs_names, state_names = names_for(gym, env_id, args.obs_names, args.state_names)
        header = column_names(obs_names, state_names)
        runs = [("uniform", env_id + ".csv", args.seeds, args.steps, None, 1.0)]
        if env_id in HEURISTIC_RULES and not args.no_heuristic:
            runs.append(("heuristic", env_id + ".heuristic.csv", HEURISTIC_SEEDS, args.heuristic_steps,
                         HEURISTIC_RULES[env_id], HEURISTIC_EPS[env_id]))
        elif env_id not in HEURISTIC_RULES:
            print(f"{env_id}: no goal-directed rule in this script, so only the uniform file is recorded.")
        for policy, name, seeds, steps, rule, eps in runs:
            rows, stats, info = record_transitions(gym, env_id, seeds, steps, rule, eps, obs_names, state_names)
            data = ("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n").encode()
            write_atomic(os.path.join(args.out, name), data)
            entry = {"env_id": env_id, "policy": policy, "seeds": seeds, "steps_per_seed": steps, "columns": header,
                     "bytes": len(data), "sha256": sha256(data), "rows": len(rows)}
            entry.update(stats)
            entry["coverage"] = coverage(env_id, header, rows) if policy == "heuristic" else {}
            entry.update(info)
            files[name] = entry
            print(f"{name}: {len(rows)} rows, {stats['episodes_started']} episodes started, "
                  f"{stats['terminated']} terminated, {stats['truncated']} truncated, sha256 {entry['sha256']}")
    manifest["files"] = files
    write_atomic(manifest_path, json_bytes(manifest))
    print(f"{manifest_path}: {len(files)} files")


def like(template, values):
    """values (floats) in the container type and dtype of template."""
    import numpy as np
    if isinstance(template, tuple):
        return tuple(values)
    if isinstance(template, list):
        return list(values)
    template = np.asarray(template)
    return np.array(values, dtype=template.dtype).reshape(template.shape)


def verify_transitions(gym, path, header, rows):
    """Replays each row from its recorded state; every next_obs, reward, flag and next_state must be equal."""
    import numpy as np
    env_id = os.path.basename(path).split(".")[0]
    env = make_classic(gym, env_id)
    col = {name: i for i, name in enumerate(header)}
    state_cols = [i for i, n in enumerate(header) if n.startswith("state_")]
    next_obs_cols = [i for i, n in enumerate(header) if n.startswith("next_obs_")]
    next_state_cols = [i for i, n in enumerate(header) if n.startswith("next_state_")]
    discrete = not hasattr(env.action_space, "low")
    # The state container after reset and after a step (type and dtype can differ: Acrobot resets to
    # float32, MountainCarContinuous steps to float32, MountainCar steps to a tuple). Each row's state is
    # put back in the container the env would hold at that point (t == 0: after reset).
    env.reset(seed=0)
    after_reset = env.unwrapped.state
    env.unwrapped.step(env.action_space.sample())
    after_step = env.unwrapped.state
    mismatches = 0
    try:
        for i, row in enumerate(rows):
            line = i + 2
            values = [float(row[c]) for c in state_cols]
            env.unwrapped.state = like(after_reset if int(row[col["t"]]) == 0 else after_step, values)
            if hasattr(env.unwrapped, "steps_beyond_terminated"):
                env.unwrapped.steps_beyond_terminated = None
            action = int(row[col["action"]]) if discrete else np.array([float(row[col["action"]])], dtype=np.float32)
            next_obs, reward, terminated, _, _ = env.unwrapped.step(action)
            got = [num(v) for v in np.asarray(next_obs).ravel()] + [num(reward), str(int(bool(terminated)))] \
                + [num(v) for v in flat_state(env)]
            want = [row[c] for c in next_obs_cols] + [row[col["reward"]], row[col["terminated"]]] \
                + [row[c] for c in next_state_cols]
            truncated_expected = env.spec is not None and env.spec.max_episode_steps is not None and \
                int(row[col["t"]]) + 1 >= env.spec.max_episode_steps
            if got != want or (row[col["truncated"]] == "1") != truncated_expected:
                mismatches += 1
                if mismatches <= 5:
                    print(f"{path} line {line}: replay gives {got} (truncated {int(truncated_expected)}), "
                          f"the file has {want} (truncated {row[col['truncated']]})")
    finally:
        env.close()
    return mismatches


# ----------------------------------------------------------------------------------------------
# Toy text: P tables
# ----------------------------------------------------------------------------------------------

def reward_text(r):
    import numpy as np
    if isinstance(r, (int, np.integer)) and not isinstance(r, (bool, np.bool_)):
        return str(int(r))
    return num(r)


def p_table_rows(P, n_states, n_actions):
    rows = []
    for s in range(n_states):
        for a in range(n_actions):
            entries = P[s][a]
            if not entries:
                raise ValueError(f"P[{s}][{a}] is empty")
            for prob, next_state, reward, terminated in entries:
                rows.append((s, a, float(prob), int(next_state), reward, bool(terminated)))
    return rows


def p_facts(P, n_states, n_actions, initial):
    """The P_facts of the toy-text README (computed from P and the initial distribution)."""
    import numpy as np
    entries = [(s, a, e) for s in range(n_states) for a in range(n_actions) for e in P[s][a]]
    per_sa = {}
    dup = dup_diff = not_one = 0
    max_dev = 0.0
    for s in range(n_states):
        for a in range(n_actions):
            lst = P[s][a]
            per_sa[str(len(lst))] = per_sa.get(str(len(lst)), 0) + 1
            nexts = [int(e[1]) for e in lst]
            if len(set(nexts)) < len(nexts):
                dup += 1
                by_next = {}
                for e in lst:
                    by_next.setdefault(int(e[1]), set()).add(float(e[2]))
                if any(len(v) > 1 for v in by_next.values()):
                    dup_diff += 1
            total = 0.0
            for e in lst:
                total += float(e[0])  # list order, as reset()/step() see it
            if total != 1.0:
                not_one += 1
            max_dev = max(max_dev, abs(total - 1.0))
    terminated_entries = [e for _, _, e in entries if bool(e[3])]
    terminal_targets = sorted({int(e[1]) for e in terminated_entries})
    absorbing = [s for s in range(n_states)
                 if all(len(P[s][a]) == 1 and int(P[s][a][0][1]) == s and bool(P[s][a][0][3])
                        and float(P[s][a][0][0]) == 1.0 for a in range(n_actions))]
    # States acted in: reachable from the initial support along non-terminated entries.
    support = [s for s in range(n_states) if initial is not None and initial[s] > 0]
    acting, frontier = set(support), list(support)
    while frontier:
        s = frontier.pop()
        for a in range(n_actions):
            for prob, ns, _, term in P[s][a]:
                if prob > 0 and not term and int(ns) not in acting:
                    acting.add(int(ns))
                    frontier.append(int(ns))
    observed = set(acting) | {int(e[1]) for e in terminated_entries if int(e[1]) not in acting}
    facts = {
        "entries": len(entries),
        "entries_per_state_action": dict(sorted(per_sa.items(), key=lambda kv: int(kv[0]))),
        "distinct_probabilities": sorted({float(e[0]) for _, _, e in entries}),
        "distinct_rewards": sorted({float(e[2]) for _, _, e in entries}),
        "reward_python_types": sorted({"int" if isinstance(e[2], (int, np.integer)) else "float" for _, _, e in entries}),
        "state_actions_with_duplicate_next_state": dup,
        "state_actions_with_duplicate_next_state_and_different_rewards": dup_diff,
        "state_actions_whose_prob_sum_is_not_1.0": not_one,
        "max_abs_prob_sum_minus_1": max_dev,
        "terminated_entries": len(terminated_entries),
        "next_states_of_terminated_entries": terminal_targets,
        "absorbing_terminal_states": absorbing,
    }
    if initial is not None:
        facts.update({
            "acting_states": sorted(acting),
            "n_acting_states": len(acting),
            "n_observable_states": len(observed),
            "observable_only_states": sorted(observed - acting),
            "never_observed_states_count": n_states - len(observed),
        })
    return facts


def env_facts(unwrapped, kwargs):
    """Map, encoding and special states of the known toy-text classes (kwargs: the merged make kwargs)."""
    import numpy as np
    name = type(unwrapped).__name__
    if name == "FrozenLakeEnv":
        desc = [b"".join(row).decode() for row in unwrapped.desc]
        flat = "".join(desc)
        return {"map": desc, "nrow": int(unwrapped.nrow), "ncol": int(unwrapped.ncol),
                "state_encoding": "state = row * ncol + col (row 0 = top line of the map)",
                "hole_states": [i for i, c in enumerate(flat) if c == "H"],
                "goal_states": [i for i, c in enumerate(flat) if c == "G"],
                "start_states": [i for i, c in enumerate(flat) if c == "S"]}
    if name == "CliffWalkingEnv":
        shape = [int(v) for v in unwrapped.shape]
        cliff = np.asarray(unwrapped._cliff) if hasattr(unwrapped, "_cliff") else None
        facts = {"shape": shape,
                 "state_encoding": f"state = row * {shape[1]} + col ({shape[0]} x {shape[1]} grid, row {shape[0] - 1} = bottom)",
                 "is_slippery": bool(kwargs.get("is_slippery", getattr(unwrapped, "is_slippery", False))),
                 "start_state": int(np.ravel_multi_index((shape[0] - 1, 0), shape)),
                 "goal_state": int(np.ravel_multi_index((shape[0] - 1, shape[1] - 1), shape))}
        if cliff is not None:
            facts["cliff_states"] = [int(i) for i in np.flatnonzero(cliff.ravel())]
        return facts
    if name == "TaxiEnv":
        return {"map": [b"".join(row).decode() for row in unwrapped.desc],
                "locs": [list(map(int, loc)) for loc in unwrapped.locs],
                "state_encoding": "state = ((taxi_row * 5 + taxi_col) * 5 + passenger_location) * 4 + destination; "
                                  "passenger_location 0..3 = R,G,Y,B, 4 = in taxi",
                "is_rainy": bool(kwargs.get("is_rainy", False)),
                "rainy_probability": to_jsonable(getattr(unwrapped, "rainy_probability", None)),
                "rainy_lateral_probability": to_jsonable(getattr(unwrapped, "_rainy_lateral_probability", None)),
                "fickle_passenger": bool(kwargs.get("fickle_passenger", False))}
    return {}


def frozenlake8x8_alias(gym, P, make_kwargs):
    """FrozenLake8x8-v1: the same P as FrozenLake-v1 with map_name="8x8", but its own time limit and threshold."""
    kwargs = {k: v for k, v in make_kwargs.items() if k != "map_name"}
    alias = gym.make("FrozenLake8x8-v1", **kwargs)
    try:
        same = all(list(map(tuple, alias.unwrapped.P[s][a])) == list(map(tuple, P[s][a])) for s in P for a in P[s])
        return {"env_id": "FrozenLake8x8-v1", "max_episode_steps": alias.spec.max_episode_steps,
                "reward_threshold": alias.spec.reward_threshold, "P_identical": same,
                "note": "gym.make('FrozenLake-v1', map_name='8x8') keeps FrozenLake-v1's TimeLimit; the registered "
                        "FrozenLake8x8-v1 has its own limit and threshold"}
    finally:
        alias.close()


def chain5_P():
    """The 5-state chain of the lecture "Scaling up RL" (not a Gymnasium env), as a P dict."""
    P = {}
    for s in range(5):
        if s == 4:
            P[s] = {0: [(1.0, 4, 0, True)], 1: [(1.0, 4, 0, True)]}
            continue
        left = max(s - 1, 0)
        right = s + 1
        P[s] = {0: [(1.0, left, -1, False)],
                1: [(1.0, right, -10 if s == 2 else -1, right == 4)]}
    return P


def p_table_bytes(P, n_states, n_actions):
    lines = [P_TABLE_HEADER]
    for s, a, prob, ns, reward, term in p_table_rows(P, n_states, n_actions):
        lines.append(f"{s},{a},{num(prob)},{ns},{reward_text(reward)},{int(term)}")
    return ("\n".join(lines) + "\n").encode(), len(lines) - 1


def record_model(gym, out, model, env_id, make_kwargs, info):
    if env_id is None:  # chain5
        P, n_states, n_actions, initial = chain5_P(), 5, 2, None
        sidecar = {"model": model, "env_id": None,
                   "note": "5-state chain of the lecture \"Scaling up RL\", not a Gymnasium env. Lecture states 1..5 = "
                           "indices 0..4; actions 0 = L, 1 = R. L from state 1 stays at 1. Reward -10 for R in state 3, "
                           "-1 for every other action in states 1-4. State 5 is terminal: the step into it is terminated, "
                           "and its entries are terminated zero-reward self-loops.",
                   "n_states": 5, "n_actions": 2, "action_names": ["L", "R"], "initial_state_distribution": None,
                   "max_episode_steps": None, "reward_threshold": None,
                   "expected_Q_star_gamma_1": {"L": [-14.0, -14.0, -13.0, -12.0, 0.0], "R": [-13.0, -12.0, -11.0, -1.0, 0.0]}}
    else:
        try:
            env = gym.make(env_id, **make_kwargs)
        except Exception as e:
            fail(f"gymnasium.make('{env_id}', **{make_kwargs}) failed: {e}")
        u = env.unwrapped
        if not hasattr(u, "P"):
            env.close()
            fail(f"{env_id}: env.unwrapped has no `P` (a transition table), so it cannot be exported.")
        n_states, n_actions = int(env.observation_space.n), int(env.action_space.n)
        P = u.P
        initial = [float(v) for v in u.initial_state_distrib] if hasattr(u, "initial_state_distrib") else None
        sidecar = {"model": model, "env_id": env_id, "make_kwargs": make_kwargs,
                   "registered_kwargs": {k: to_jsonable(v) for k, v in (env.spec.kwargs if env.spec else {}).items()
                                         if k != "render_mode"},
                   "env_class": type(u).__name__, "wrapper_stack": wrapper_stack(env),
                   "n_states": n_states, "n_actions": n_actions,
                   "action_names": ACTION_NAMES.get(type(u).__name__, [str(a) for a in range(n_actions)]),
                   "initial_state_distribution": initial,
                   "initial_state_support": [s for s in range(n_states) if initial and initial[s] > 0],
                   "initial_state_distribution_source": "env.unwrapped.initial_state_distrib (reset() draws from it)",
                   "max_episode_steps": env.spec.max_episode_steps if env.spec else None,
                   "reward_threshold": env.spec.reward_threshold if env.spec else None}
        facts = env_facts(u, dict(sidecar["registered_kwargs"], **make_kwargs))
        if env_id == "FrozenLake-v1" and facts.get("nrow") == 8:
            facts["registered_alias"] = frozenlake8x8_alias(gym, u.P, make_kwargs)
        env.close()
    data, rows = p_table_bytes(P, n_states, n_actions)
    write_atomic(os.path.join(out, model + ".csv"), data)
    sidecar.update({"gymnasium": info["gymnasium"], "csv": model + ".csv", "rows": rows, "bytes": len(data),
                    "sha256": sha256(data), "P_facts": p_facts(P, n_states, n_actions, initial)})
    if env_id is not None:
        sidecar.update(facts)
    write_atomic(os.path.join(out, model + ".json"), json_bytes(to_jsonable(sidecar)))
    print(f"{model}.csv: {rows} rows, {n_states} states x {n_actions} actions, sha256 {sha256(data)}")
    entry = {"model": model, "env_id": env_id, "make_kwargs": make_kwargs, "n_states": n_states,
             "n_actions": n_actions, "rows": rows, "bytes": len(data), "sha256": sha256(data)}
    if env_id is None:
        del entry["make_kwargs"]
    return entry


def command_toytext(args):
    gym = import_gymnasium()
    info = run_info(gym)
    if args.env:
        try:
            kwargs = json.loads(args.make_kwargs) if args.make_kwargs else {}
        except ValueError as e:
            fail(f"--make-kwargs is not JSON: {e}")
        if not isinstance(kwargs, dict):
            fail("--make-kwargs must be a JSON object, e.g. '{\"is_slippery\": true}'.")
        models = [(args.name or args.env, args.env, kwargs)]
    else:
        models = TOYTEXT_MODELS + [("chain5", None, {})]
    manifest_path = os.path.join(args.out, "manifest.json")
    # Recording into an existing folder keeps the other files' manifest entries.
    files = manifest_files(manifest_path)
    for model, env_id, kwargs in models:
        files[model + ".csv"] = record_model(gym, args.out, model, env_id, kwargs, info)
    manifest = dict(info)
    manifest["csv_columns"] = P_TABLE_HEADER.split(",")
    manifest["files"] = files
    write_atomic(manifest_path, json_bytes(manifest))
    print(f"{manifest_path}: {len(files)} files")


def verify_p_table(gym, path, header, rows):
    """Compares the file with env.unwrapped.P of the env its JSON sidecar names, entry by entry."""
    sidecar_path = path[:-len(".csv")] + ".json"
    try:
        with open(sidecar_path) as f:
            sidecar = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{path}: its sidecar {sidecar_path} cannot be read ({e})")
        return 1
    env_id = sidecar.get("env_id")
    if env_id is None:
        if sidecar.get("model") != "chain5":
            print(f"{path}: no env_id in the sidecar and not a model this script knows; skipped")
            return 0
        P, n_states, n_actions, env = chain5_P(), 5, 2, None
    else:
        env = gym.make(env_id, **sidecar.get("make_kwargs", {}))
        P, n_states, n_actions = env.unwrapped.P, int(env.observation_space.n), int(env.action_space.n)
    expected, _ = p_table_bytes(P, n_states, n_actions)
    with open(path, "rb") as f:
        actual = f.read()
    mismatches = 0
    if expected != actual:
        exp_lines, act_lines = expected.decode().split("\n"), actual.decode().split("\n")
        for i in range(max(len(exp_lines), len(act_lines))):
            e = exp_lines[i] if i < len(exp_lines) else "(none)"
            a = act_lines[i] if i < len(act_lines) else "(none)"
            if e != a:
                mismatches += 1
                if mismatches <= 5:
                    print(f"{path} line {i + 1}: Gymnasium gives '{e}', the file has '{a}'")
    if env is not None and mismatches == 0:
        # step() must return one of the listed entries (20 tries per (s, a) where P is stochastic).
        u = env.unwrapped
        env.reset(seed=0)
        for s in range(n_states):
            for a in range(n_actions):
                listed = {(int(ns), float(r), bool(t)) for _, ns, r, t in P[s][a]}
                for _ in range(20 if len(P[s][a]) > 1 else 1):
                    u.s = s
                    ns, r, t, _, _ = u.step(a)
                    if (int(ns), float(r), bool(t)) not in listed:
                        mismatches += 1
                        if mismatches <= 5:
                            print(f"{path}: step({s}, {a}) gave {(int(ns), float(r), bool(t))}, not a listed entry")
        env.close()
    return mismatches


def command_verify(args):
    gym = import_gymnasium()
    paths = []
    for target in args.paths:
        if os.path.isdir(target):
            paths += sorted(os.path.join(target, n) for n in os.listdir(target) if n.endswith(".csv"))
        elif os.path.isfile(target):
            paths.append(target)
        else:
            fail(f"'{target}' is neither a CSV file nor a folder.")
    if not paths:
        fail(f"no *.csv files in {', '.join(args.paths)}.")
    failed = 0
    for path in paths:
        try:
            header, rows = parse_csv(path)
        except (OSError, ValueError) as e:
            print(f"{path}: {e}")
            failed += 1
            continue
        if ",".join(header) == P_TABLE_HEADER:
            mismatches = verify_p_table(gym, path, header, rows)
        else:
            mismatches = verify_transitions(gym, path, header, rows)
        print(f"{path}: {len(rows)} rows, {'PASS' if mismatches == 0 else f'FAIL ({mismatches} mismatches)'}")
        failed += int(mismatches > 0)
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


# ----------------------------------------------------------------------------------------------

def seed_list(text):
    try:
        seeds = [int(v) for v in text.split(",") if v.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of integers")
    if not seeds or any(s < 0 for s in seeds):
        raise argparse.ArgumentTypeError("seeds must be non-negative integers")
    return seeds


def positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer")
    if not 1 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError(f"{value} is outside 1..10000000")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="record_gymnasium.py", description=__doc__.split("\n\n")[0],
        epilog="Examples:\n"
               "  python3 tools/reference/record_gymnasium.py classic --out data/reference/gymnasium\n"
               "  python3 tools/reference/record_gymnasium.py classic --env MyEnv-v0 --state-names x,v --out my-reference\n"
               "  python3 tools/reference/record_gymnasium.py toytext --out data/reference/gymnasium-toytext\n"
               "  python3 tools/reference/record_gymnasium.py verify data/reference/gymnasium data/reference/gymnasium-toytext\n"
               "Formats: data/reference/gymnasium/README.md, data/reference/gymnasium-toytext/README.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser("classic", help="record classic-control transitions (ENV.csv, ENV.heuristic.csv, manifest.json)")
    c.add_argument("--env", action="append", metavar="ID",
                   help="Gymnasium id to record (repeatable; default: the five classic-control envs). "
                        "Any registered env whose unwrapped env has a `state` attribute.")
    c.add_argument("--out", default=os.path.join("data", "reference", "gymnasium"), help="output folder (default: %(default)s)")
    c.add_argument("--seeds", type=seed_list, default=UNIFORM_SEEDS, help="uniform-run seeds, comma-separated (default: 0,1,2,3,4)")
    c.add_argument("--steps", type=positive, default=UNIFORM_STEPS, help="steps per seed of the uniform runs (default: %(default)s)")
    c.add_argument("--heuristic-steps", type=positive, default=HEURISTIC_STEPS, help="steps of the heuristic run, seed 0 (default: %(default)s)")
    c.add_argument("--no-heuristic", action="store_true", help="record only the uniform files")
    c.add_argument("--obs-names", help="observation column names, comma-separated (default: the known names, else 0,1,...)")
    c.add_argument("--state-names", help="state column names, comma-separated; they must equal the state names of "
                                         "the rlk env (default: the known names, else 0,1,...)")
    c.set_defaults(func=command_classic)

    t = sub.add_parser("toytext", help="write toy-text P tables (MODEL.csv) with JSON sidecars and manifest.json")
    t.add_argument("--env", metavar="ID", help="one env with env.unwrapped.P instead of the built-in list")
    t.add_argument("--make-kwargs", metavar="JSON", help="keyword arguments of gymnasium.make for --env, as a JSON object")
    t.add_argument("--name", help="file stem for --env (default: the id)")
    t.add_argument("--out", default=os.path.join("data", "reference", "gymnasium-toytext"), help="output folder (default: %(default)s)")
    t.set_defaults(func=command_toytext)

    v = sub.add_parser("verify", help="replay CSV files (or every *.csv of folders) through Gymnasium")
    v.add_argument("paths", nargs="+", metavar="PATH", help="a reference CSV file or a folder of them")
    v.set_defaults(func=command_verify)

    args = parser.parse_args(argv)
    if args.command == "classic" and (args.obs_names or args.state_names) and len(args.env or []) != 1:
        parser.error("--obs-names and --state-names need exactly one --env")
    if args.command == "toytext" and (args.make_kwargs or args.name) and not args.env:
        parser.error("--make-kwargs and --name need --env")
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
