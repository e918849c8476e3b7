using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

internal sealed class CartPoleFamily : IEnvFamily<CartPoleParams>, IEnvBinding<CartPoleParams>
{
    public static string Id => "CartPole-v1";
    public static CartPoleParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in CartPoleParams p) => CartPole<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(CartPoleParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<CartPole<T>, T, CartPoleParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(CartPoleParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<CartPole<F1>, CartPoleParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(CartPoleParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<CartPole<T>, T, CartPoleParams>(Spec(p), p);
}

internal sealed class ChainWalkFamily : IEnvFamily<ChainWalkParams>, IEnvBinding<ChainWalkParams>
{
    public static string Id => "ChainWalk-v0";
    public static ChainWalkParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in ChainWalkParams p) => ChainWalk<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(ChainWalkParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<ChainWalk<T>, T, ChainWalkParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(ChainWalkParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<ChainWalk<F1>, ChainWalkParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(ChainWalkParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<ChainWalk<T>, T, ChainWalkParams>(Spec(p), p);
    public static bool TryGetModel(in ChainWalkParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = ChainWalk.BuildModel(p);
        return true;
    }
}

internal sealed class RandomWalk1DFamily : IEnvFamily<RandomWalk1DParams>, IEnvBinding<RandomWalk1DParams>
{
    public static string Id => "RandomWalk1D-v0";
    public static RandomWalk1DParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in RandomWalk1DParams p) => RandomWalk1D<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(RandomWalk1DParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<RandomWalk1D<T>, T, RandomWalk1DParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(RandomWalk1DParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<RandomWalk1D<F1>, RandomWalk1DParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(RandomWalk1DParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<RandomWalk1D<T>, T, RandomWalk1DParams>(Spec(p), p);
}

internal sealed class PendulumFamily : IEnvFamily<PendulumParams>, IEnvBinding<PendulumParams>
{
    public static string Id => "Pendulum-v1";
    public static PendulumParams Parse(EnvArgs args) => new(args.GetDouble("g", 10.0));
    public static EnvSpec Spec(in PendulumParams p) => Pendulum<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(PendulumParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<Pendulum<T>, T, PendulumParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(PendulumParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<Pendulum<F1>, PendulumParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(PendulumParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<Pendulum<T>, T, PendulumParams>(Spec(p), p);
}

internal sealed class MountainCarFamily : IEnvFamily<MountainCarParams>, IEnvBinding<MountainCarParams>
{
    public static string Id => "MountainCar-v0";
    public static MountainCarParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in MountainCarParams p) => MountainCar<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(MountainCarParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<MountainCar<T>, T, MountainCarParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(MountainCarParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<MountainCar<F1>, MountainCarParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(MountainCarParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<MountainCar<T>, T, MountainCarParams>(Spec(p), p);
}

internal sealed class MountainCarContinuousFamily : IEnvFamily<MountainCarContinuousParams>, IEnvBinding<MountainCarContinuousParams>
{
    public static string Id => "MountainCarContinuous-v0";
    public static MountainCarContinuousParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in MountainCarContinuousParams p) => MountainCarContinuous<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(MountainCarContinuousParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<MountainCarContinuous<T>, T, MountainCarContinuousParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(MountainCarContinuousParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<MountainCarContinuous<F1>, MountainCarContinuousParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(MountainCarContinuousParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<MountainCarContinuous<T>, T, MountainCarContinuousParams>(Spec(p), p);
}

internal sealed class AcrobotFamily : IEnvFamily<AcrobotParams>, IEnvBinding<AcrobotParams>
{
    public static string Id => "Acrobot-v1";
    public static AcrobotParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in AcrobotParams p) => Acrobot<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(AcrobotParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<Acrobot<T>, T, AcrobotParams>(Spec(p), p, envCount, options, backend);
    public static IVectorEnv CreateGpu(AcrobotParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<Acrobot<F1>, AcrobotParams>(Spec(p), p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(AcrobotParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<Acrobot<T>, T, AcrobotParams>(Spec(p), p);
}
