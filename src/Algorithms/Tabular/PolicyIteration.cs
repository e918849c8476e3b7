using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Policy iteration, float64, one MDP. Start from InitialPolicy (default: uniform, which terminates
// with probability 1 in every toy-text model, so it can be evaluated at γ = 1), then repeat:
// evaluate π (PolicyEvaluation with its defaults: a direct solve for S ≤ 1,024, else sweeps warm-started
// from the previous V), improve π ← greedy(Q^π). Ties: an
// improvement keeps π(s) whenever π(s) is within TieTolerance of the best action, so the policy only
// changes on a strict improvement and a policy that reaches the goal keeps reaching it (FrozenLake at
// γ = 1: bumping into a wall ties with the best move). The first improvement, from the stochastic
// initial policy, breaks ties toward termination. Stops when π is stable, or after MaxImprovements.

/// <summary>Settings of <see cref="PolicyIteration"/>.</summary>
public sealed record PolicyIterationConfig
{
    /// <summary>Discount γ in [0, 1]. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;
    /// <summary>Tolerance of each policy evaluation (max-norm change of V). Default 1e-10.</summary>
    public double Tolerance { get; init; } = 1e-10;
    /// <summary>Sweep cap of each policy evaluation that iterates (not a direct solve). Default 100,000.</summary>
    public int MaxEvaluationIterations { get; init; } = 100_000;
    /// <summary>Cap on improvement steps. Default 1,000.</summary>
    public int MaxImprovements { get; init; } = 1_000;
    /// <summary>Relative closeness under which an action ties with the best. Default 1e-9.</summary>
    public double TieTolerance { get; init; } = GreedyPolicy.DefaultTieTolerance;
    /// <summary>[S, A] stochastic starting policy. Default null: uniform.</summary>
    public double[]? InitialPolicy { get; init; }
}

/// <summary>Policy iteration on one <see cref="TabularMdp"/>, in float64.</summary>
public static class PolicyIteration
{
    /// <exception cref="ArgumentException">γ outside [0, 1], a bad tolerance, cap or initial policy.</exception>
    public static TabularSolution Solve(TabularMdp model, PolicyIterationConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        Bellman.CheckGamma(config.Gamma, nameof(config.Gamma));
        if (config.MaxImprovements < 1) throw new ArgumentException($"MaxImprovements must be ≥ 1, got {config.MaxImprovements}.", nameof(config));
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        var evaluation = new PolicyEvaluationConfig
        {
            Gamma = config.Gamma, Tolerance = config.Tolerance, MaxIterations = config.MaxEvaluationIterations,
        };
        double[] pi = config.InitialPolicy ?? Bellman.UniformPolicy(stateCount, actionCount);  // [S, A]
        // EVALUATE the initial policy, then IMPROVE with ties broken toward termination.
        var solution = PolicyEvaluation.Evaluate(model, pi, evaluation);
        int[] policy = GreedyPolicy.TowardTermination(model, solution.Q, config.TieTolerance);  // [S]
        int improvements = 1;
        bool stable = false;
        while (solution.Converged && improvements < config.MaxImprovements)
        {
            // EVALUATE π (an iterative evaluation warm-starts from the previous V).
            solution = PolicyEvaluation.Evaluate(model, Bellman.OneHotPolicy(policy, actionCount), evaluation, solution.V);
            if (!solution.Converged) break;
            // IMPROVE: switch only where another action is strictly better than the current one.
            stable = true;
            for (int s = 0; s < stateCount; s++)
            {
                if (GreedyPolicy.IsOptimal(solution.Q, actionCount, s, policy[s], config.TieTolerance)) continue;
                int best = 0;
                for (int a = 1; a < actionCount; a++)
                    if (solution.Q[s * actionCount + a] > solution.Q[s * actionCount + best]) best = a;
                policy[s] = best;
                stable = false;
            }
            improvements++;
            if (stable) break;
        }
        return solution with
        {
            Algorithm = "policy-iteration",
            Policy = policy,
            Iterations = improvements,
            Converged = solution.Converged && stable,
        };
    }
}
