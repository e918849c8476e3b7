using System.CommandLine;
using System.Globalization;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>
/// <c>rlk check --backend gpu [--env ID]… [--steps N]</c>: steps every env on a backend and on
/// <c>cpu-scalar</c> with the same seed (random actions from the counter RNG, so both take the same
/// actions) and compares observations, rewards and flags. It is the hardware check of a GPU (or of any
/// backend) where the test suite cannot run: on a lent GPU machine there is no .NET, only this program.
/// </summary>
/// <remarks>
/// A short horizon (default 20 steps) keeps chaotic envs (Acrobot) within float32 tolerance: GPU
/// arithmetic may contract multiply-adds differently from the CPU, and differences grow along a trajectory.
/// Exit code 0 when every env agrees, 1 when one does not, 2 on bad input (see <see cref="ExitCodes"/>).
/// </remarks>
public static class CheckCommand
{
    /// <summary>Per-element tolerance |a − b| ≤ Tolerance·(1 + |b|) for observations and rewards.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>Steps compared: beyond a few thousand, chaotic envs drift past any tolerance anyway.</summary>
    public const int MaxSteps = 100_000;

    public static Command Create()
    {
        var backend = new Option<string>("--backend") { Description = $"Backend to check against cpu-scalar: {BackendNames.List}.", DefaultValueFactory = _ => "gpu" };
        var envIds = new Option<string[]>("--env") { Description = "Env id, repeatable (default: every registered id)." };
        var envs = new Option<int>("--envs") { Description = "Env copies.", DefaultValueFactory = _ => 1000 };
        var steps = new Option<int>("--steps") { Description = "Steps compared, one at a time.", DefaultValueFactory = _ => 20 };
        var command = new Command("check", "Check a backend against cpu-scalar: same seed, same random actions, same results.")
        {
            backend, envIds, envs, steps,
        };
        command.SetAction(parse => Run(parse.GetValue(backend)!, parse.GetValue(envIds) ?? [], parse.GetValue(envs), parse.GetValue(steps),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Compares and prints a table; returns the exit code.</summary>
    public static int Run(string backendName, IReadOnlyList<string> envIds, int envCount, int stepCount, TextWriter output, TextWriter error)
    {
        Backend backend;
        try
        {
            backend = BackendNames.Parse(backendName);
            if (stepCount < 1 || stepCount > MaxSteps) throw new ArgumentException($"--steps must be between 1 and {MaxSteps}, got {stepCount}.");
            foreach (string id in envIds) EnvRegistry.Get(id);
            // Two env copies per id (the backend's and cpu-scalar's) must fit in memory.
            foreach (string id in envIds.Count > 0 ? envIds : EnvRegistry.Ids)
            {
                int max = EnvRegistry.MaxEnvCount(id) / 2;
                if (envCount < 1 || envCount > max) throw new ArgumentException($"--envs must be between 1 and {max} for {id} (two copies must fit in memory), got {envCount}.");
            }
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"rlk check: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        var table = new Table().AddColumns("env", "backend", "steps", "max |Δobs|", "max |Δreward|", "flag mismatches", "result");
        bool allPass = true;
        foreach (string id in envIds.Count > 0 ? envIds : EnvRegistry.Ids)
        {
            IVectorEnv? checkedEnv = null;
            try
            {
                checkedEnv = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = backend, Seed = 7 });
                using var reference = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.CpuScalar, Seed = 7 });
                var (obsError, rewardError, flagMismatches) = Compare(checkedEnv, reference, stepCount);
                bool pass = obsError <= Tolerance && rewardError <= Tolerance && flagMismatches == 0;
                allPass &= pass;
                table.AddRow(id, backendName, stepCount.ToString(CultureInfo.InvariantCulture),
                    obsError.ToString("G3", CultureInfo.InvariantCulture), rewardError.ToString("G3", CultureInfo.InvariantCulture),
                    flagMismatches.ToString(CultureInfo.InvariantCulture), pass ? "PASS" : "FAIL");
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                error.WriteLine($"rlk check: {CliErrors.Message(e)}");
                return ExitCodes.BadInput;
            }
            finally
            {
                checkedEnv?.Dispose();
            }
        }
        CliConsole.For(output).Write(table);
        output.WriteLine(allPass
            ? $"{backendName} agrees with cpu-scalar (tolerance {Tolerance}·(1+|x|), flags exact)."
            : $"{backendName} DISAGREES with cpu-scalar on at least one env.");
        return allPass ? ExitCodes.Ok : ExitCodes.Mismatch;
    }

    /// <summary>Largest relative observation and reward differences and the flag mismatches over the steps.</summary>
    private static (double Obs, double Reward, int Flags) Compare(IVectorEnv env, IVectorEnv reference, int stepCount)
    {
        double obsError = MaxRelative(env.Observations, reference.Observations), rewardError = 0;
        int flags = 0;
        for (int t = 0; t < stepCount; t++)
        {
            env.StepRandom(1);
            reference.StepRandom(1);
            obsError = Math.Max(obsError, MaxRelative(env.Observations, reference.Observations));
            rewardError = Math.Max(rewardError, MaxRelative(env.Rewards, reference.Rewards));
            for (int i = 0; i < env.EnvCount; i++)
                if (env.Terminated[i] != reference.Terminated[i] || env.Truncated[i] != reference.Truncated[i]) flags++;
        }
        return (obsError, rewardError, flags);
    }

    private static double MaxRelative(ReadOnlySpan<float> values, ReadOnlySpan<float> reference)
    {
        double max = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double d = Math.Abs((double)values[i] - reference[i]) / (1 + Math.Abs((double)reference[i]));
            if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
        }
        return max;
    }
}
