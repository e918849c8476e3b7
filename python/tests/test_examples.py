"""The examples run: random CartPole episodes last about 22 steps on average."""
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "..", "examples", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_random_agent():
    episodes, mean = load("random_agent").main("CartPole-v1", 64, 300)
    assert 300 <= episodes <= 2000
    assert 12 <= mean <= 35


def test_ppo_torch_solves_cartpole():
    """python/examples/ppo_torch.py: PPO in PyTorch over rlkernels' CartPole reaches a greedy mean return of 475
    over 100 evaluation episodes (about a minute and a half on two cores); skipped where torch is not installed."""
    import pytest
    pytest.importorskip("torch")
    assert load("ppo_torch").main(seed=2) >= 475
