using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Tabular;

// Tabular SARSA(0) on a batched env (see TabularLearning.cs for E, P, S, A and the random streams).
// Per env transition (s, a, r, s', a'), a' being the action the env takes next (drawn from the
// behaviour policy before the update):  target = r + γ · Q(s', a')  (no gradient through it);
// terminated: target = r; truncated: a' is drawn for the FINAL observation (and not executed: the env
// has already reset). Update: Q(s,a) ← Q(s,a) − lr · (Q(s,a) − target), the SGD step on ½ (Q − target)².
// SARSA learns Q^π of its behaviour policy (ε-greedy or softmax on its own table).

/// <summary>Tabular SARSA: a population of tables learned on-policy from batched env transitions.</summary>
public static class TabularSarsa
{
    /// <exception cref="ArgumentException">An env without a model, bad counts or hyperparameters.</exception>
    public static TabularLearnResult Train(TabularTdConfig config, ulong seed)
    {
        using var run = new TabularTdRun(config, seed);
        IVectorEnv env = run.Env;
        var actions = new int[run.EnvCount];         // [E] the actions to take this step
        var nextActions = new int[run.EnvCount];     // [E] a′: the actions of the next step
        var first = env.Observations;
        for (int e = 0; e < run.EnvCount; e++) actions[e] = run.Act(e, (int)first[e], 0, 0);

        for (long step = 0; step < config.Steps; step++)
        {
            // COLLECT: step with the chosen actions, then draw a′ in the state each env now shows.
            int[] states = run.ReadStates();
            env.Step(actions);
            var next = env.Observations;
            for (int e = 0; e < run.EnvCount; e++) nextActions[e] = run.Act(e, (int)next[e], step + 1, 0);

            double decay = run.Decay(step);
            for (int e = 0; e < run.EnvCount; e++)
            {
                // COMPUTE TARGETS: r + γ Q(s′, a′); terminated: r; truncated: a′ drawn at the final observation.
                double target = env.Rewards[e];
                if (!env.Terminated[e])
                {
                    int s2 = run.BootstrapState(e);
                    target += run.GammaOf(e) * run.QOf(e, s2, env.Truncated[e] ? run.Act(e, s2, step + 1, 1) : nextActions[e]);
                }
                run.Update(e, states[e], actions[e], target, decay);
            }
            (actions, nextActions) = (nextActions, actions);
        }
        return run.Result("sarsa");
    }
}
