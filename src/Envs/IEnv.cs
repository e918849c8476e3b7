using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs;

/// <summary>
/// The env contract. An env is a struct of lane fields — its state, one field per state variable —
/// whose static methods are the dynamics, written once over any lane <typeparamref name="T"/> and
/// branch-free (conditions are masks and Select). It knows nothing of batching, time limits or
/// auto-reset: the runner owns those.
/// </summary>
/// <remarks>
/// The env's <see cref="EnvSpec"/> is not part of this contract: a spec holds strings and arrays, while
/// <typeparamref name="TParams"/> must stay passable by value to a GPU kernel, so a params struct cannot
/// always say which spec it belongs to (a tabular env's params are a table and its layout). Runners take
/// the spec next to the params: a lane env supplies it from its static <c>Spec(in TParams)</c>
/// (<see cref="IEnvSpec{TParams}"/>), an explicit model from its declaration (<c>IEnvSink.UseTabular</c>).
/// </remarks>
/// <typeparam name="TSelf">The env's state struct.</typeparam>
/// <typeparam name="T">The lane type.</typeparam>
/// <typeparam name="TParams">The env's constants (passed by value to GPU kernels).</typeparam>
public interface IEnv<TSelf, T, TParams>
    where TSelf : struct, IEnv<TSelf, T, TParams>
    where T : struct, ILane<T>
    where TParams : struct
{
    /// <summary>A fresh initial state, drawing from <paramref name="rng"/>.</summary>
    static abstract void Reset(out TSelf s, in TParams p, ref LaneRng<T> rng);

    /// <summary>
    /// One transition. <paramref name="action"/> is the discrete index (as a number) or the continuous
    /// value. Returns the reward and the terminated mask.
    /// </summary>
    static abstract void Step(ref TSelf s, in TParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated);

    /// <summary>Writes observation feature k for k in [0, ObsSize).</summary>
    static abstract void Observe<TWriter>(in TSelf s, in TParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T>;

    /// <summary>Reads state field k for k in [0, StateSize), in <see cref="EnvSpec.StateNames"/> order.</summary>
    static abstract void Load<TReader>(ref TReader src, out TSelf s) where TReader : struct, ILaneReader<T>;

    /// <summary>Writes state field k for k in [0, StateSize), in <see cref="EnvSpec.StateNames"/> order.</summary>
    static abstract void Store<TWriter>(in TSelf s, ref TWriter dst) where TWriter : struct, ILaneWriter<T>;

    /// <summary>
    /// True where every step's reward is <paramref name="reward"/>, +1 or −1 (CartPole, MountainCar): the runner then keeps no
    /// running return and gives an episode's return as <paramref name="reward"/> × its length, the same number the sum makes
    /// (adding ±1 is exact in float32 up to 2^24, where the length's float count stops too). Reading, adding and storing the
    /// return every step was 6% of CartPole's step (bench/README.md, stop 38). Default: false.
    /// </summary>
    static virtual bool ConstantReward(in TParams p, out double reward)
    {
        reward = 0;
        return false;
    }
}
