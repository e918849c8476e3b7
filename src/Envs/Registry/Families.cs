using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

internal sealed class CartPoleFamily : IEnvFamily<CartPoleParams>
{
    public static string Id => "CartPole-v1";
    public static CartPoleParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in CartPoleParams p) => CartPole<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(CartPoleParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<CartPole<T>, T, CartPoleParams>(p, envCount, options, backend);
    public static IVectorEnv CreateGpu(CartPoleParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<CartPole<F1>, CartPoleParams>(p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(CartPoleParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<CartPole<T>, T, CartPoleParams>(p);
}

internal sealed class ChainWalkFamily : IEnvFamily<ChainWalkParams>
{
    public static string Id => "ChainWalk-v0";
    public static ChainWalkParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in ChainWalkParams p) => ChainWalk<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(ChainWalkParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<ChainWalk<T>, T, ChainWalkParams>(p, envCount, options, backend);
    public static IVectorEnv CreateGpu(ChainWalkParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<ChainWalk<F1>, ChainWalkParams>(p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(ChainWalkParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<ChainWalk<T>, T, ChainWalkParams>(p);
}

internal sealed class RandomWalk1DFamily : IEnvFamily<RandomWalk1DParams>
{
    public static string Id => "RandomWalk1D-v0";
    public static RandomWalk1DParams Parse(EnvArgs args) => new();
    public static EnvSpec Spec(in RandomWalk1DParams p) => RandomWalk1D<F1>.Spec(p);
    public static IVectorEnv CreateCpu<T>(RandomWalk1DParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        new CpuVectorEnv<RandomWalk1D<T>, T, RandomWalk1DParams>(p, envCount, options, backend);
    public static IVectorEnv CreateGpu(RandomWalk1DParams p, int envCount, VectorEnvOptions options) =>
        new GpuVectorEnv<RandomWalk1D<F1>, RandomWalk1DParams>(p, envCount, options);
    public static IConformanceStepper CreateStepper<T>(RandomWalk1DParams p) where T : struct, ILane<T> =>
        new EnvTransitionStepper<RandomWalk1D<T>, T, RandomWalk1DParams>(p);
}
