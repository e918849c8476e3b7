"""PPO in PyTorch over rlkernels' batched CartPole: the simulator is rlkernels, the learner is torch.

    PYTHONPATH=python python3 python/examples/ppo_torch.py            # trains, then evaluates 100 episodes

A short single-file PPO (clipped surrogate, GAE, value loss, entropy bonus, Adam with a linearly decaying
learning rate, global gradient-norm clipping), written for this example. Same-step auto-reset: the observation
returned after an episode ends is the next episode's first, and the ended episode's last observation is in
infos["final_obs"]; a truncated episode (the 500-step time limit) bootstraps from the value of that final
observation, a terminated one does not. Prints one line per 20 updates and the evaluation at the end.
"""
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rlkernels  # noqa: E402

ENV_ID = "CartPole-v1"
NUM_ENVS = 8
ROLLOUT = 64  # steps per env per update (8 x 64 = 512 per update, 4 minibatches of 128)
TOTAL_STEPS = 500_000
EPOCHS, MINIBATCHES = 4, 4
GAMMA, LAMBDA = 0.99, 0.95
CLIP, ENTROPY_COEF, VALUE_COEF, MAX_GRAD_NORM = 0.2, 0.01, 0.5, 0.5
LEARNING_RATE = 2.5e-4


def layer(n_in, n_out, gain):
    linear = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(linear.weight, gain)
    nn.init.zeros_(linear.bias)
    return linear


class ActorCritic(nn.Module):
    """Separate 64-64 tanh networks for the policy logits and the value."""

    def __init__(self, obs_size, actions):
        super().__init__()
        self.actor = nn.Sequential(layer(obs_size, 64, 2 ** 0.5), nn.Tanh(), layer(64, 64, 2 ** 0.5), nn.Tanh(), layer(64, actions, 0.01))
        self.critic = nn.Sequential(layer(obs_size, 64, 2 ** 0.5), nn.Tanh(), layer(64, 64, 2 ** 0.5), nn.Tanh(), layer(64, 1, 1.0))

    def value(self, obs):
        return self.critic(obs).squeeze(-1)

    def distribution(self, obs):
        return torch.distributions.Categorical(logits=self.actor(obs))


def train(total_steps=TOTAL_STEPS, seed=1, log=print):
    torch.manual_seed(seed)
    envs = rlkernels.make_vec(ENV_ID, NUM_ENVS, seed=seed, autoreset_mode="same_step")
    obs_size = envs.single_observation_space.shape[0]
    net = ActorCritic(obs_size, envs.single_action_space.n)
    optimizer = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE, eps=1e-5)

    obs_buf = torch.zeros(ROLLOUT, NUM_ENVS, obs_size)
    act_buf = torch.zeros(ROLLOUT, NUM_ENVS, dtype=torch.long)
    logp_buf, rew_buf, done_buf, val_buf = (torch.zeros(ROLLOUT, NUM_ENVS) for _ in range(4))
    obs_np, _ = envs.reset(seed=seed)
    obs = torch.tensor(obs_np)  # copied: the view is overwritten by the next step
    updates = total_steps // (ROLLOUT * NUM_ENVS)
    recent, start = [], time.perf_counter()
    for update in range(updates):
        for group in optimizer.param_groups:
            group["lr"] = LEARNING_RATE * (1 - update / updates)
        for t in range(ROLLOUT):
            with torch.no_grad():
                dist = net.distribution(obs)
                action = dist.sample()
                obs_buf[t], act_buf[t], logp_buf[t], val_buf[t] = obs, action, dist.log_prob(action), net.value(obs)
            next_np, rewards, terminated, truncated, infos = envs.step(action.numpy().astype(np.int32))
            reward = torch.tensor(rewards, dtype=torch.float32)
            if truncated.any():
                # Bootstrap a time-limit end from the value of the episode's last observation.
                final = torch.tensor(infos["final_obs"][truncated])
                with torch.no_grad():
                    reward[torch.tensor(truncated)] += GAMMA * net.value(final)
            rew_buf[t] = reward
            done_buf[t] = torch.tensor(terminated | truncated, dtype=torch.float32)
            ended = terminated | truncated
            if ended.any():
                returns, _ = envs.episode_statistics()
                recent.extend(returns[ended].tolist())
            obs = torch.tensor(next_np)

        # Generalized advantage estimation, backwards over the rollout.
        with torch.no_grad():
            next_value = net.value(obs)
        advantages = torch.zeros(ROLLOUT, NUM_ENVS)
        gae = torch.zeros(NUM_ENVS)
        for t in reversed(range(ROLLOUT)):
            not_done = 1.0 - done_buf[t]
            following = next_value if t == ROLLOUT - 1 else val_buf[t + 1]
            delta = rew_buf[t] + GAMMA * following * not_done - val_buf[t]
            gae = delta + GAMMA * LAMBDA * not_done * gae
            advantages[t] = gae
        targets = advantages + val_buf

        b_obs, b_act, b_logp = obs_buf.reshape(-1, obs_size), act_buf.reshape(-1), logp_buf.reshape(-1)
        b_adv, b_target = advantages.reshape(-1), targets.reshape(-1)
        batch = ROLLOUT * NUM_ENVS
        size = batch // MINIBATCHES
        for _ in range(EPOCHS):
            order = torch.randperm(batch)
            for i in range(0, batch, size):
                mb = order[i:i + size]
                dist = net.distribution(b_obs[mb])
                ratio = (dist.log_prob(b_act[mb]) - b_logp[mb]).exp()
                adv = (b_adv[mb] - b_adv[mb].mean()) / (b_adv[mb].std() + 1e-8)
                policy_loss = -torch.min(ratio * adv, ratio.clamp(1 - CLIP, 1 + CLIP) * adv).mean()
                value_loss = 0.5 * (net.value(b_obs[mb]) - b_target[mb]).pow(2).mean()
                loss = policy_loss + VALUE_COEF * value_loss - ENTROPY_COEF * dist.entropy().mean()
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), MAX_GRAD_NORM)
                optimizer.step()
        recent = recent[-100:]
        if log and (update % 20 == 0 or update == updates - 1) and recent:
            steps = (update + 1) * batch
            log(f"update {update + 1}/{updates}  env steps {steps}  mean return (last 100) {np.mean(recent):.1f}  "
                f"{steps / (time.perf_counter() - start):.0f} steps/s")
    envs.close()
    return net


def evaluate(net, episodes=100, seed=12345):
    """Greedy policy, one episode in each of `episodes` fresh envs; returns the mean and std of their returns."""
    envs = rlkernels.make_vec(ENV_ID, episodes, seed=seed, autoreset_mode="same_step")
    obs, _ = envs.reset(seed=seed)
    result = np.full(episodes, np.nan)
    while np.isnan(result).any():
        with torch.no_grad():
            action = net.distribution(torch.tensor(obs)).probs.argmax(-1)
        obs, _, terminated, truncated, _ = envs.step(action.numpy().astype(np.int32))
        ended = (terminated | truncated) & np.isnan(result)
        if ended.any():
            returns, _ = envs.episode_statistics()
            result[ended] = returns[ended]
    envs.close()
    return float(result.mean()), float(result.std())


def main(total_steps=TOTAL_STEPS, seed=1):
    net = train(total_steps, seed)
    mean, std = evaluate(net)
    print(f"{ENV_ID}: evaluation over 100 episodes: mean return {mean:.1f} +- {std:.1f}")
    return mean


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]) if a else TOTAL_STEPS, int(a[1]) if len(a) > 1 else 1)
