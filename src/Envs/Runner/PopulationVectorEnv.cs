using RlKernels.Envs.Registry;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The env copies of a population trained together: P members of N copies each, seen as one vector env of
/// P·N rows (member p's copies at rows [p·N, (p+1)·N)). Each member is its own vector env made with the
/// member's seed, so member p's copies step exactly — bit for bit — as N copies made alone with that seed.
/// That is what lets a sweep train many configurations in one population and still give each the learning
/// curve a run of its own would give (one vector env of P·N rows would number the copies p·N + i and draw
/// from one seed's streams instead).
/// </summary>
/// <remarks>
/// Members are stepped one after another on one thread each, in parallel over members when more than one
/// thread is allowed: members are independent, so the result does not depend on the thread count. Outputs
/// are copied into P·N-row buffers after each call (a few floats per env; training costs far more).
/// Not for benchmarks: use one vector env of P·N copies there.
/// </remarks>
public sealed class PopulationVectorEnv : IVectorEnv
{
    private readonly IVectorEnv[] _members;
    private readonly int _perMember;
    private readonly VectorEnvOutputs _out; // [P·N] rows, member p's at [p·N, (p+1)·N)
    private readonly float[] _floatActions;
    private readonly int[] _intActions;
    private readonly bool[] _mask;
    private readonly ParallelOptions _parallel;
    private readonly SingleCallerGuard _guard;

    /// <summary>
    /// Makes one vector env of <paramref name="perMember"/> copies of <paramref name="id"/> per entry of
    /// <paramref name="seeds"/> ([P]), member p seeded with <c>seeds[p]</c> (<see cref="VectorEnvOptions.Seed"/> is
    /// ignored). <see cref="VectorEnvOptions.Threads"/> bounds how many members step at once; each member uses one.
    /// </summary>
    /// <exception cref="ArgumentException">No seeds, a count out of range, or bad options or env arguments (nothing is kept).</exception>
    public PopulationVectorEnv(string id, int perMember, IReadOnlyList<ulong> seeds, VectorEnvOptions? options = null,
        IReadOnlyDictionary<string, string>? envArgs = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        _guard = new SingleCallerGuard(this);
        if (seeds.Count == 0) throw new ArgumentException("A population needs at least one member seed.", nameof(seeds));
        options ??= new VectorEnvOptions();
        options.Validate();
        if (perMember < 1 || (long)perMember * seeds.Count > int.MaxValue)
            throw new ArgumentException($"envs per member must be at least 1 and P·N at most {int.MaxValue}, got {perMember} × {seeds.Count}.", nameof(perMember));
        _members = new IVectorEnv[seeds.Count];
        try
        {
            for (int p = 0; p < seeds.Count; p++)
                _members[p] = EnvRegistry.Make(id, perMember, options with { Seed = seeds[p], Threads = 1 }, envArgs);
        }
        catch
        {
            foreach (var m in _members) m?.Dispose();
            throw;
        }
        _perMember = perMember;
        int rows = perMember * seeds.Count;
        _out = new VectorEnvOutputs(rows, _members[0].Spec.ObsSize, pinned: false);
        // The caller's actions and reset masks, copied once checked: the members step from these (one action per env).
        _floatActions = new float[rows];
        _intActions = new int[rows];
        _mask = new bool[rows];
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        ThreadCount = Math.Min(threads, _members.Length);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = ThreadCount };
        Gather();
    }

    /// <summary>Population size P.</summary>
    public int Population => _members.Length;
    /// <inheritdoc/>
    public EnvSpec Spec => _members[0].Spec;
    /// <inheritdoc/>
    public int EnvCount => _perMember * _members.Length;
    /// <inheritdoc/>
    public Backend Backend => _members[0].Backend;
    /// <inheritdoc/>
    public AutoResetMode AutoReset => _members[0].AutoReset;
    /// <inheritdoc/>
    public int ThreadCount { get; }
    /// <inheritdoc/>
    public int LaneWidth => _members[0].LaneWidth;
    /// <inheritdoc/>
    public long BytesPerEnv => _members[0].BytesPerEnv;

    /// <summary>Every member starts new episodes, member p with seed <paramref name="seed"/> + p.</summary>
    public void Reset(ulong seed)
    {
        using var call = _guard.Enter(nameof(Reset));
        StepMembers(p => _members[p].Reset(unchecked(seed + (ulong)p)));
    }

    /// <summary>Every member starts new episodes, member p's env j from seed <paramref name="seeds"/>[p · perMember + j] (see <see cref="PerEnvSeeds"/>: index j within the member).</summary>
    public void Reset(ReadOnlySpan<ulong> seeds)
    {
        using var call = _guard.Enter(nameof(Reset));
        PerEnvSeeds.CheckLength(seeds, EnvCount);
        ulong[] copy = seeds.ToArray();
        StepMembers(p => _members[p].Reset(copy.AsSpan(p * _perMember, _perMember)));
    }

    /// <inheritdoc/>
    public void Reset(ReadOnlySpan<bool> mask)
    {
        using var call = _guard.Enter(nameof(Reset));
        if (mask.Length != EnvCount) throw new ArgumentException($"reset mask has {mask.Length} entries; the env has {EnvCount} copies.", nameof(mask));
        mask.CopyTo(_mask);
        StepMembers(p => _members[p].Reset(_mask.AsSpan(p * _perMember, _perMember)));
    }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<int> actions)
    {
        using var call = _guard.Enter(nameof(Step));
        // Checked whole before any member steps, so a bad action changes nothing in any member.
        ActionValidation.CheckDiscrete(Spec, actions, EnvCount);
        actions.CopyTo(_intActions);
        StepMembers(p => _members[p].Step(_intActions.AsSpan(p * _perMember, _perMember)));
    }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<float> actions)
    {
        using var call = _guard.Enter(nameof(Step));
        ActionValidation.CheckContinuous(Spec, actions, EnvCount);
        actions.CopyTo(_floatActions);
        StepMembers(p => _members[p].Step(_floatActions.AsSpan(p * _perMember, _perMember)));
    }

    /// <inheritdoc/>
    public void StepRandom(int stepCount)
    {
        using var call = _guard.Enter(nameof(StepRandom));
        ActionValidation.CheckStepCount(stepCount, AutoReset);
        StepMembers(p => _members[p].StepRandom(stepCount));
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
        using (_guard.Enter(nameof(Synchronize)))
            foreach (var m in _members) m.Synchronize();
    }

    /// <inheritdoc/>
    public ReadOnlySpan<float> Observations => _out.Obs;
    /// <inheritdoc/>
    public ReadOnlySpan<float> FinalObservations => _out.FinalObs;
    /// <inheritdoc/>
    public ReadOnlySpan<float> Rewards => _out.Rewards;
    /// <inheritdoc/>
    public ReadOnlySpan<bool> Terminated => _out.Terminated;
    /// <inheritdoc/>
    public ReadOnlySpan<bool> Truncated => _out.Truncated;
    /// <inheritdoc/>
    public ReadOnlySpan<float> EpisodeReturns => _out.CompletedReturn;
    /// <inheritdoc/>
    public ReadOnlySpan<int> EpisodeLengths => _out.CompletedLength;

    /// <summary>Runs <paramref name="body"/> for every member (in parallel over members when allowed), then gathers
    /// the outputs. Called inside the single-caller guard: the scratch buffers belong to this one call.</summary>
    private void StepMembers(Action<int> body)
    {
        if (ThreadCount == 1) for (int p = 0; p < _members.Length; p++) body(p);
        else Parallel.For(0, _members.Length, _parallel, body);
        Gather();
    }

    private void Gather()
    {
        for (int p = 0; p < _members.Length; p++) _out.CopyFrom(_members[p], p * _perMember);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_guard.TryBeginDispose()) return;
        foreach (var m in _members) m.Dispose();
    }
}
