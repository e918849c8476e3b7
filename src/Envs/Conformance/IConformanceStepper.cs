namespace RlKernels.Envs.Conformance;

/// <summary>
/// Runs single transitions of one env on one lane type, from states given as doubles, with no runner
/// around it (no time limit, no auto-reset): the conformance checker's way into an env's static
/// Load/Step/Observe/Store. Rows are packed <see cref="Width"/> to a lane value.
/// </summary>
public interface IConformanceStepper
{
    /// <summary>The env's spec (state names, observation size, time limit).</summary>
    EnvSpec Spec { get; }

    /// <summary>The lane type computed with.</summary>
    StepperLane Lane { get; }

    /// <summary>Rows per lane value.</summary>
    int Width { get; }

    /// <summary>
    /// One step for each of <paramref name="rows"/> independent rows. States are rounded to the lane's
    /// element type on load; outputs are the lane's values widened to double.
    /// </summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="states">[rows, StateSize] row-major, in <see cref="EnvSpec.StateNames"/> order.</param>
    /// <param name="actions">[rows]: discrete index as a number, or the continuous value.</param>
    /// <param name="nextObs">[rows, ObsSize] row-major: the observation after the step.</param>
    /// <param name="nextStates">[rows, StateSize] row-major: the state after the step.</param>
    /// <param name="rewards">[rows].</param>
    /// <param name="terminated">[rows].</param>
    void Step(int rows, ReadOnlySpan<double> states, ReadOnlySpan<double> actions,
        Span<double> nextObs, Span<double> nextStates, Span<double> rewards, Span<bool> terminated);
}
