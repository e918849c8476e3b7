using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Tabular;

// Tabular Q-learning on a batched env (see TabularLearning.cs for E, P, S, A and the random streams).
// Per env transition (s, a, r, s'):  target = r + γ · max_a' Q(s', a')   (no gradient through it)
// with no bootstrap when terminated, and the bootstrap from the FINAL observation when the episode was
// truncated (same-step auto-reset already shows the next episode's first state). Update: one SGD step
// on ½ (Q(s,a) − target)², i.e. Q(s,a) ← Q(s,a) − lr · (Q(s,a) − target). Envs update their member's
// table in env order, so a shared table sees every env's transition, deterministically.

/// <summary>Tabular Q-learning: a population of tables learned from batched env transitions.</summary>
public static class QLearning
{
    /// <exception cref="ArgumentException">An env without a model, bad counts or hyperparameters.</exception>
    public static TabularLearnResult Train(TabularTdConfig config, ulong seed)
    {
        using var run = new TabularTdRun(config, seed);
        IVectorEnv env = run.Env;
        var actions = new int[run.EnvCount];         // [E]

        for (long step = 0; step < config.Steps; step++)
        {
            // COLLECT: each env acts from its member's table, then the batch steps.
            int[] states = run.ReadStates();
            for (int e = 0; e < run.EnvCount; e++) actions[e] = run.Act(e, states[e], step, 0);
            env.Step(actions);

            double decay = run.Decay(step);
            for (int e = 0; e < run.EnvCount; e++)
            {
                // COMPUTE TARGETS: r + γ max Q(s′,·); terminated: r; truncated: bootstrap from the final observation.
                double target = env.Rewards[e];
                if (!env.Terminated[e]) target += run.GammaOf(e) * run.MaxQ(e, run.BootstrapState(e));
                run.Update(e, states[e], actions[e], target, decay);
            }
        }
        return run.Result("q-learning");
    }
}
