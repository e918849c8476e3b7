using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Conformance;

/// <summary>
/// <see cref="IConformanceStepper"/> for env <typeparamref name="TEnv"/> on lane <typeparamref name="T"/>:
/// Load from doubles, Step, Observe and Store, then widen back to doubles. Envs whose Step draws random
/// numbers get a fixed stream (seed 0, row index as env index); reference transitions cannot reproduce
/// Gymnasium's RNG anyway.
/// </summary>
public sealed class EnvTransitionStepper<TEnv, T, TParams> : IConformanceStepper
    where TEnv : struct, IEnv<TEnv, T, TParams>
    where T : struct, ILane<T>
    where TParams : struct
{
    private readonly TParams _params;

    /// <param name="spec">The env's spec for <paramref name="p"/>.</param>
    /// <param name="p">Env constants.</param>
    public EnvTransitionStepper(EnvSpec spec, TParams p)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _params = p;
        Spec = spec;
    }

    /// <inheritdoc/>
    public EnvSpec Spec { get; }

    /// <inheritdoc/>
    public StepperLane Lane => T.IsDouble ? StepperLane.D1 : T.Count switch
    {
        1 => StepperLane.F1,
        4 => StepperLane.F4,
        8 => StepperLane.F8,
        16 => StepperLane.F16,
        _ => throw new NotSupportedException($"No stepper lane of width {T.Count}."),
    };

    /// <inheritdoc/>
    public int Width => T.Count;

    /// <inheritdoc/>
    public void Step(int rows, ReadOnlySpan<double> states, ReadOnlySpan<double> actions,
        Span<double> nextObs, Span<double> nextStates, Span<double> rewards, Span<bool> terminated)
    {
        int stateSize = Spec.StateSize, obsSize = Spec.ObsSize, width = T.Count;
        if (states.Length < rows * stateSize || actions.Length < rows || nextObs.Length < rows * obsSize
            || nextStates.Length < rows * stateSize || rewards.Length < rows || terminated.Length < rows)
            throw new ArgumentException($"Buffers too small for {rows} rows of {Spec.Id}.");

        var stateIn = new T[stateSize];   // [StateSize] lane values, the chunk's states
        var stateOut = new T[stateSize];  // [StateSize]
        var obsOut = new T[obsSize];      // [ObsSize]
        var column = new double[width];   // [width] one field across the chunk's rows

        for (int first = 0; first < rows; first += width)
        {
            int count = Math.Min(width, rows - first);
            // Pad a short last chunk with copies of its last row, so every element computes on real values.
            for (int k = 0; k < stateSize; k++)
            {
                for (int j = 0; j < width; j++) column[j] = states[(first + Math.Min(j, count - 1)) * stateSize + k];
                stateIn[k] = T.Load(column, 0, width);
            }
            for (int j = 0; j < width; j++) column[j] = actions[first + Math.Min(j, count - 1)];
            T action = T.Load(column, 0, width);

            var reader = new LaneArray<T>(stateIn);
            TEnv.Load(ref reader, out TEnv s);
            var rng = new LaneRng<T>(T.BitsSplat(0), T.BitsIota((uint)first), 0, 0, LaneRng<T>.EnvPurpose);
            TEnv.Step(ref s, _params, action, ref rng, out T reward, out T done);
            var obsWriter = new LaneArray<T>(obsOut);
            TEnv.Observe(s, _params, ref obsWriter);
            var stateWriter = new LaneArray<T>(stateOut);
            TEnv.Store(s, ref stateWriter);

            ulong doneBits = T.MaskBits(done);
            for (int j = 0; j < count; j++)
            {
                int row = first + j;
                for (int k = 0; k < obsSize; k++) nextObs[row * obsSize + k] = T.Element(obsOut[k], j);
                for (int k = 0; k < stateSize; k++) nextStates[row * stateSize + k] = T.Element(stateOut[k], j);
                rewards[row] = T.Element(reward, j);
                terminated[row] = ((doneBits >> j) & 1) != 0;
            }
        }
    }
}
