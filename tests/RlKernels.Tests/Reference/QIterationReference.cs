using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Reference;

/// <summary>
/// Q-iteration written as plainly as possible, in float64, as the oracle of the tabular solvers:
/// it walks the model's rows (state, action, prob, next_state, reward, terminated) one at a time.
/// </summary>
internal static class QIterationReference
{
    /// <summary>
    /// Q*(s, a) (policy = null) or Q^π (policy [S, A]) by synchronous sweeps from Q = 0 until the
    /// largest change is below <paramref name="tolerance"/>; returns Q [S, A] and the sweep count,
    /// or throws if <paramref name="maxSweeps"/> is reached.
    /// </summary>
    public static (double[] Q, int Sweeps) Solve(TabularMdp model, double gamma, double[]? policy = null,
        double tolerance = 1e-12, int maxSweeps = 1_000_000)
    {
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        var rows = model.Transitions().ToArray();
        var q = new double[stateCount * actionCount];
        for (int sweep = 1; sweep <= maxSweeps; sweep++)
        {
            // Step 1: the value of every state under the current Q (max, or the policy's average).
            var v = new double[stateCount];
            for (int s = 0; s < stateCount; s++)
            {
                if (policy is null)
                {
                    v[s] = double.NegativeInfinity;
                    for (int a = 0; a < actionCount; a++) v[s] = Math.Max(v[s], q[s * actionCount + a]);
                }
                else
                {
                    v[s] = 0;
                    for (int a = 0; a < actionCount; a++) v[s] += policy[s * actionCount + a] * q[s * actionCount + a];
                }
            }
            // Step 2: back up every row: p · (r + γ · V(s')), and no continuation after termination.
            var qNew = new double[stateCount * actionCount];
            foreach (var row in rows)
            {
                double continuation = row.Terminated ? 0.0 : gamma * v[row.NextState];
                qNew[row.State * actionCount + row.Action] += row.Probability * (row.Reward + continuation);
            }
            // Step 3: stop when nothing moved by more than the tolerance.
            double change = 0;
            for (int i = 0; i < q.Length; i++) change = Math.Max(change, Math.Abs(qNew[i] - q[i]));
            q = qNew;
            if (change < tolerance) return (q, sweep);
        }
        throw new InvalidOperationException($"The reference Q-iteration did not converge in {maxSweeps} sweeps.");
    }

    /// <summary>V(s) = max_a Q(s, a).</summary>
    public static double[] MaxValue(double[] q, int actionCount)
    {
        var v = new double[q.Length / actionCount];
        for (int s = 0; s < v.Length; s++)
        {
            v[s] = double.NegativeInfinity;
            for (int a = 0; a < actionCount; a++) v[s] = Math.Max(v[s], q[s * actionCount + a]);
        }
        return v;
    }
}
