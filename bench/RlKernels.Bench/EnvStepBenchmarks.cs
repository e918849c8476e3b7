using BenchmarkDotNet.Attributes;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Bench;

/// <summary>
/// Env-steps of <see cref="IVectorEnv.StepRandom"/> (random actions from the counter RNG, same-step
/// auto-reset) per backend; cpu-scalar is the naive baseline. Times are per env-step.
/// </summary>
[PassesRate("env-steps/s", nameof(EnvCount), EnvStepsPerInvoke)]
public class EnvStepBenchmarks
{
    /// <summary>Env-steps per invoke (approximately; see <see cref="StepsPerCall"/>).</summary>
    private const int EnvStepsPerInvoke = 1 << 20;

    /// <summary>65543 is prime: the last SIMD lane value is partly padding (the tail).</summary>
    [Params(1024, 65543)]
    public int EnvCount { get; set; }

    [ParamsSource(nameof(Backends))]
    public Backend Backend { get; set; }

    [ParamsSource(nameof(EnvIds))]
    public string Env { get; set; } = "CartPole-v1";

    public static IEnumerable<Backend> Backends => [Backend.Cpu, Backend.CpuScalar];

    public static IEnumerable<string> EnvIds => EnvRegistry.Ids;

    private IVectorEnv? _env;
    private int _stepsPerCall;

    /// <summary>
    /// Steps per invoke so that envCount · steps ≈ <see cref="EnvStepsPerInvoke"/>: exact for 1024,
    /// 0.01% over for 65543 (16 steps). The env-steps/s column uses the exact count.
    /// </summary>
    public static int StepsPerCall(int envCount) => PerItemRateColumn.Passes(envCount, EnvStepsPerInvoke);

    [GlobalSetup]
    public void Setup()
    {
        CheckCpuMatchesScalar(Env, EnvCount);
        _env = EnvRegistry.Make(Env, EnvCount, new VectorEnvOptions { Backend = Backend, Seed = 1 });
        _stepsPerCall = StepsPerCall(EnvCount);
    }

    /// <summary>
    /// The SIMD runner and the scalar baseline must produce the same trajectories (within float
    /// tolerance: Vector512.Sin differs from MathF.Sin in the last bits) before either is timed.
    /// </summary>
    private static void CheckCpuMatchesScalar(string id, int envCount)
    {
        const double atol = 1e-4, rtol = 1e-4;
        using var simd = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.Cpu, Seed = 7 });
        using var scalar = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.CpuScalar, Seed = 7 });
        for (int step = 0; step < 5; step++)
        {
            simd.StepRandom(1);
            scalar.StepRandom(1);
            var a = simd.Observations;
            var b = scalar.Observations;
            for (int i = 0; i < a.Length; i++)
                if (Math.Abs(a[i] - b[i]) > atol + rtol * Math.Abs(b[i]))
                    throw new InvalidOperationException(
                        $"{id}: cpu and cpu-scalar differ at step {step}, observation element {i}: {a[i]} vs {b[i]}.");
            if (!simd.Terminated.SequenceEqual(scalar.Terminated))
                throw new InvalidOperationException($"{id}: cpu and cpu-scalar terminate different envs at step {step}.");
        }
    }

    [Benchmark(OperationsPerInvoke = EnvStepsPerInvoke)]
    public void StepRandom() => _env!.StepRandom(_stepsPerCall);

    [GlobalCleanup]
    public void Cleanup() => _env?.Dispose();
}
