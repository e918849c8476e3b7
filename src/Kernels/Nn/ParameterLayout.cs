namespace RlKernels.Kernels.Nn;

/// <summary>
/// Where each parameter tensor of a population lives in one flat buffer. Tensor t holds
/// [P, MemberSize(t)] floats starting at Offset(t), so member p's slice of tensor t is
/// [Offset(t) + p·MemberSize(t), + MemberSize(t)). Optimizers and clipping walk this layout
/// member by member, which is how each member gets its own hyperparameters.
/// </summary>
public sealed class ParameterLayout
{
    private readonly int[] _sizes;
    private readonly int[] _offsets;
    private readonly string[] _names;

    /// <summary>Population size P.</summary>
    public int Population { get; }
    /// <summary>Parameters of one member, all tensors together.</summary>
    public int MemberCount { get; }
    /// <summary>Parameters of the whole population: P · MemberCount.</summary>
    public int TotalCount { get; }
    /// <summary>Number of tensors.</summary>
    public int TensorCount => _sizes.Length;

    /// <summary>A layout of <paramref name="population"/> members, each holding the tensors named by <paramref name="names"/> with <paramref name="memberSizes"/> floats each, in that order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="population"/> or a member size is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="names"/> and <paramref name="memberSizes"/> differ in length.</exception>
    public ParameterLayout(int population, ReadOnlySpan<int> memberSizes, ReadOnlySpan<string> names)
    {
        Shapes.Positive(population, nameof(population));
        if (names.Length != memberSizes.Length) throw new ArgumentException("names must have one entry per tensor.", nameof(names));
        Population = population;
        _sizes = memberSizes.ToArray();
        _names = names.ToArray();
        _offsets = new int[_sizes.Length];
        long offset = 0;
        for (int t = 0; t < _sizes.Length; t++)
        {
            Shapes.Positive(_sizes[t], nameof(memberSizes));
            _offsets[t] = checked((int)offset);
            offset += (long)population * _sizes[t];
            MemberCount += _sizes[t];
        }
        TotalCount = checked((int)offset);
    }

    /// <summary>Elements of tensor t per member.</summary>
    public int MemberSize(int tensor) => _sizes[tensor];
    /// <summary>Start of tensor t (member 0) in the flat buffer.</summary>
    public int Offset(int tensor) => _offsets[tensor];
    /// <summary>Name of tensor t, e.g. "layers.0.weight".</summary>
    public string Name(int tensor) => _names[tensor];
    /// <summary>Start of member p's slice of tensor t.</summary>
    public int MemberOffset(int tensor, int member) => _offsets[tensor] + member * _sizes[tensor];

    internal void RequireBuffer(int length, string name) => Shapes.Require(length, TotalCount, name, "[layout.TotalCount]");
    internal void RequirePerMember(int length, string name) => Shapes.Require(length, Population, name, "[P]");

    /// <summary>The checks of an optimizer step, in the order it reports them: the parameters and gradients are whole
    /// buffers of this layout, then each hyperparameter array holds one value per member.</summary>
    internal void RequireStep(int parametersLength, int gradientsLength, params ReadOnlySpan<(float[] Values, string Name)> hyperparameters)
    {
        RequireBuffer(parametersLength, "parameters");
        RequireBuffer(gradientsLength, "gradients");
        foreach (var (values, name) in hyperparameters) RequirePerMember(values.Length, name);
    }
}
