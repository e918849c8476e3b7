using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Deep;

/// <summary>Runs a policy greedily on fresh episodes (on a device backend, on the device: <see cref="Device.DeviceEvaluation"/>).</summary>
public static class Evaluation
{
    /// <summary>
    /// The mean return per member over <paramref name="episodes"/> fresh episodes: P·episodes env copies each
    /// run their first episode to the end (later episodes are ignored).
    /// </summary>
    public static double[] MeanReturns(PolicyNet policy, int episodes, ulong seed, Backend backend = Backend.Cpu,
        IReadOnlyDictionary<string, string>? envArgs = null, int threads = 0)
        => Returns(policy, episodes, seed, backend, envArgs, threads).Mean;

    /// <summary>
    /// The mean and the population standard deviation (divided by the episode count) of the return per member over
    /// <paramref name="episodes"/> fresh episodes, from the same episodes as <see cref="MeanReturns"/>.
    /// </summary>
    public static (double[] Mean, double[] Std) Returns(PolicyNet policy, int episodes, ulong seed, Backend backend = Backend.Cpu,
        IReadOnlyDictionary<string, string>? envArgs = null, int threads = 0)
    {
        using IVectorEnv env = EnvRegistry.Make(policy.Spec.Id, policy.Net.Population * episodes,
            new VectorEnvOptions { Backend = backend, Seed = seed, Threads = threads }, envArgs);
        // On a device backend the whole evaluation runs there when it can (one launch; only the returns come back).
        if (Device.DeviceActorCritic.RunsOn(backend) && Device.DeviceEvaluation.TryRun(policy, episodes, env) is { } onDevice) return onDevice;
        return RunOnHost(policy, episodes, env);
    }

    /// <summary>
    /// As <see cref="Returns(PolicyNet, int, ulong, Backend, IReadOnlyDictionary{string, string}?, int)"/>, with member p's
    /// episodes seeded by <paramref name="memberSeeds"/>[p]: member p's figures are those a one-member policy with
    /// the same weights gets from the single-seed overload with that seed (a sweep's member equals its run alone).
    /// </summary>
    public static (double[] Mean, double[] Std) Returns(PolicyNet policy, int episodes, IReadOnlyList<ulong> memberSeeds,
        Backend backend = Backend.Cpu, IReadOnlyDictionary<string, string>? envArgs = null, int threads = 0)
    {
        if (memberSeeds.Count != policy.Net.Population)
            throw new ArgumentException($"{memberSeeds.Count} evaluation seeds for a population of {policy.Net.Population}.", nameof(memberSeeds));
        using IVectorEnv env = new PopulationVectorEnv(policy.Spec.Id, episodes, memberSeeds,
            new VectorEnvOptions { Backend = backend, Threads = threads }, envArgs);
        return RunOnHost(policy, episodes, env);
    }

    /// <summary>The host loop: the policy acts on the host on each step's observations of <paramref name="env"/> (P·episodes fresh envs).</summary>
    internal static (double[] Mean, double[] Std) RunOnHost(PolicyNet policy, int episodes, IVectorEnv env)
    {
        int pop = policy.Net.Population;
        int w = policy.ActionWidth;
        var output = new float[pop * episodes * w];
        var discrete = new int[pop * episodes];
        var continuous = new float[pop * episodes * w];
        var done = new bool[pop * episodes];
        var sums = new double[pop];
        var squares = new double[pop];
        int remaining = done.Length;
        while (remaining > 0)
        {
            policy.Act(env.Observations, episodes, output, discrete, continuous);
            if (policy.IsDiscrete) env.Step(discrete); else env.Step(continuous);
            for (int i = 0; i < done.Length; i++)
                if (!done[i] && (env.Terminated[i] || env.Truncated[i]))
                {
                    done[i] = true;
                    double r = env.EpisodeReturns[i];
                    sums[i / episodes] += r;
                    squares[i / episodes] += r * r;
                    remaining--;
                }
        }
        return Summarize(sums, squares, episodes);
    }

    /// <summary>Per member, the mean and the population standard deviation of its <paramref name="episodes"/> returns from their sum and sum of squares.</summary>
    internal static (double[] Mean, double[] Std) Summarize(double[] sums, double[] squares, int episodes)
    {
        double[] mean = sums.Select(s => s / episodes).ToArray();
        // Clamped at 0: rounding can make E[r²] − E[r]² slightly negative when every return is equal.
        double[] std = mean.Select((m, k) => Math.Sqrt(Math.Max(0, squares[k] / episodes - m * m))).ToArray();
        return (mean, std);
    }
}
