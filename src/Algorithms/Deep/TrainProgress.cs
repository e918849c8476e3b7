namespace RlKernels.Algorithms.Deep;

/// <summary>Where a run stands, after each update.</summary>
/// <param name="EnvSteps">Env steps per member so far.</param>
/// <param name="Seconds">Seconds since training started.</param>
/// <param name="RecentMeanReturn">Member 0's mean return over its last completed episodes (NaN before the first).</param>
/// <param name="Episodes">Episodes member 0 completed.</param>
/// <param name="Loss">Member 0's last policy (or value) loss.</param>
public sealed record TrainProgress(long EnvSteps, double Seconds, double RecentMeanReturn, long Episodes, float Loss);

/// <summary>One row of the learning curve.</summary>
public readonly record struct CurvePoint(long EnvSteps, double Seconds, int Member, double RecentMeanReturn, long Episodes);
