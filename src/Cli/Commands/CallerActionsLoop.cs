using System.Diagnostics;
using RlKernels.Envs.Runner;

namespace RlKernels.Cli.Commands;

/// <summary>
/// <c>rlk bench --caller-actions</c>'s row: one-step <see cref="IVectorEnv.Step(ReadOnlySpan{int})"/> calls with random
/// actions drawn before timing (seeded: repeatable) into <see cref="ActionSets"/> arrays used in turn. One fixed array
/// would give each env the same action every step: CartPole episodes would then end in about 9 steps instead of about
/// 22 under StepRandom's fresh draws, and the row would time resets more than steps.
/// </summary>
internal sealed class CallerActionsLoop : ITimedLoop
{
    /// <summary>Preallocated action arrays stepped with in turn.</summary>
    public const int ActionSets = 16;

    private readonly IVectorEnv _env;
    private readonly double _warmupSeconds;
    private readonly int[][] _discrete;     // [ActionSets][EnvCount] for discrete action spaces, else empty
    private readonly float[][] _continuous; // [ActionSets][EnvCount] for Box(1) action spaces, else empty
    private int _next;

    public CallerActionsLoop(IVectorEnv env, double warmupSeconds, int seed)
    {
        _env = env;
        _warmupSeconds = warmupSeconds;
        var rng = new Random(seed);
        var a = env.Spec.Action;
        _discrete = new int[a.IsDiscrete ? ActionSets : 0][];
        _continuous = new float[a.IsDiscrete ? 0 : ActionSets][];
        for (int k = 0; k < _discrete.Length; k++)
            _discrete[k] = Enumerable.Range(0, env.EnvCount).Select(_ => rng.Next(a.Count)).ToArray();
        for (int k = 0; k < _continuous.Length; k++)
            _continuous[k] = Enumerable.Range(0, env.EnvCount).Select(_ => a.Low + (a.High - a.Low) * rng.NextSingle()).ToArray();
    }

    private void Step()
    {
        if (_discrete.Length > 0) _env.Step(_discrete[_next]); else _env.Step(_continuous[_next]);
        _next = (_next + 1) % ActionSets;
        _env.Synchronize();
    }

    public void WarmUp()
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 64 || clock.Elapsed.TotalSeconds < _warmupSeconds; i++) Step();
    }

    public RepeatRate TimeRepeat(double seconds) => InterleavedTiming.TimeCalls(seconds, _env.EnvCount, Step);
}
