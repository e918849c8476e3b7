using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Tabular;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

internal sealed class CartPoleFamily : IEnvFamily<CartPoleParams>, ILaneEnvBinding<CartPoleParams>
{
    public static string Id => "CartPole-v1";
    public static CartPoleParams Parse(EnvArgs args) => new();
    public static TResult Accept<T, TSink, TResult>(TSink sink, CartPoleParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<CartPole<T>, T, CartPoleParams>(p);
    /// <summary>Observation features x_dot, theta_dot.</summary>
    public static uint VelocityFeatures => 0b1010;
}

internal sealed class ChainWalkFamily : IEnvFamily<ChainWalkParams>, ILaneEnvBinding<ChainWalkParams>
{
    public static string Id => "ChainWalk-v0";
    public static ChainWalkParams Parse(EnvArgs args) => new();
    public static TResult Accept<T, TSink, TResult>(TSink sink, ChainWalkParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<ChainWalk<T>, T, ChainWalkParams>(p);
    public static bool TryGetModel(in ChainWalkParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = ChainWalk.BuildModel(p);
        return true;
    }
}

internal sealed class RandomWalk1DFamily : IEnvFamily<RandomWalk1DParams>, ILaneEnvBinding<RandomWalk1DParams>
{
    public static string Id => "RandomWalk1D-v0";
    public static RandomWalk1DParams Parse(EnvArgs args) => new();
    public static TResult Accept<T, TSink, TResult>(TSink sink, RandomWalk1DParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<RandomWalk1D<T>, T, RandomWalk1DParams>(p);
}

internal sealed class PendulumFamily : IEnvFamily<PendulumParams>, ILaneEnvBinding<PendulumParams>
{
    public static string Id => "Pendulum-v1";
    public static PendulumParams Parse(EnvArgs args) => new(args.GetDouble("g", 10.0));
    public static TResult Accept<T, TSink, TResult>(TSink sink, PendulumParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<Pendulum<T>, T, PendulumParams>(p);
    /// <summary>Observation features theta_dot.</summary>
    public static uint VelocityFeatures => 0b100;
}

internal sealed class MountainCarFamily : IEnvFamily<MountainCarParams>, ILaneEnvBinding<MountainCarParams>
{
    public static string Id => "MountainCar-v0";
    public static MountainCarParams Parse(EnvArgs args) => new();
    public static TResult Accept<T, TSink, TResult>(TSink sink, MountainCarParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<MountainCar<T>, T, MountainCarParams>(p);
    /// <summary>Observation features velocity.</summary>
    public static uint VelocityFeatures => 0b10;
}

internal sealed class MountainCarContinuousFamily : IEnvFamily<MountainCarContinuousParams>, ILaneEnvBinding<MountainCarContinuousParams>
{
    public static string Id => "MountainCarContinuous-v0";
    public static MountainCarContinuousParams Parse(EnvArgs args) => new();
    public static TResult Accept<T, TSink, TResult>(TSink sink, MountainCarContinuousParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<MountainCarContinuous<T>, T, MountainCarContinuousParams>(p);
    /// <summary>Observation features velocity.</summary>
    public static uint VelocityFeatures => 0b10;
}

internal sealed class AcrobotFamily : IEnvFamily<AcrobotParams>, ILaneEnvBinding<AcrobotParams>
{
    public static string Id => "Acrobot-v1";
    public static AcrobotParams Parse(EnvArgs args) => new();
    public static TResult Accept<T, TSink, TResult>(TSink sink, AcrobotParams p) where T : struct, ILane<T> where TSink : IEnvSink<TResult> =>
        sink.Use<Acrobot<T>, T, AcrobotParams>(p);
    /// <summary>Observation features theta1_dot, theta2_dot.</summary>
    public static uint VelocityFeatures => 0b110000;
}
