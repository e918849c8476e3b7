namespace RlKernels.Kernels.Lanes;

/// <summary>
/// A lane is a small fixed-width vector of numbers that env and kernel math is written over once.
/// <see cref="F1"/> is one float (GPU threads, scalar baseline), <see cref="F4"/>/<see cref="F8"/>/<see cref="F16"/>
/// wrap Vector128/Vector256/Vector512 (CPU SIMD), <see cref="D1"/> is one double (reference precision).
/// </summary>
/// <remarks>
/// Masks are values of the lane type itself, produced by the comparison methods and consumed by
/// <see cref="Select"/>, <see cref="And"/>, <see cref="Or"/>, <see cref="AndNot"/> and <see cref="AnyTrue"/>.
/// Their representation is private to each lane (all-ones bits for SIMD lanes, 1/0 for scalar
/// lanes), so env code must never do arithmetic on a mask; use <see cref="MaskToOne"/> for 1/0.
/// "Bits" values (used by the RNG) hold a uint per element: the raw bits for float lanes,
/// an exact integer for <see cref="D1"/>.
/// </remarks>
public interface ILane<TSelf> where TSelf : struct, ILane<TSelf>
{
    /// <summary>Number of elements (envs) in one lane value.</summary>
    static abstract int Count { get; }

    /// <summary>True for lanes that compute in double (reference precision).</summary>
    static abstract bool IsDouble { get; }

    /// <summary>Every element set to <paramref name="value"/>, rounded to the element type.</summary>
    static abstract TSelf Splat(double value);

    /// <summary>Every element set to <paramref name="value"/>: the same as <c>Splat(value.Value)</c>, without converting a
    /// double at each use on float lanes (see <see cref="LaneConstant"/>).</summary>
    static abstract TSelf Splat(in LaneConstant value);

    /// <summary>Element-wise sum.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);
    /// <summary>Element-wise difference.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);
    /// <summary>Element-wise product.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
    /// <summary>Element-wise IEEE quotient (x/0 gives ±infinity or NaN, never throws).</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);
    /// <summary>Element-wise negation.</summary>
    static abstract TSelf operator -(TSelf a);

    /// <summary>Sine of each element (radians); see <see cref="SinCos"/>.</summary>
    static abstract TSelf Sin(TSelf x);
    /// <summary>Cosine of each element (radians); see <see cref="SinCos"/>.</summary>
    static abstract TSelf Cos(TSelf x);
    /// <summary>Both sin(x) and cos(x); cheaper than two calls on float lanes (one shared reduction).</summary>
    static abstract void SinCos(TSelf x, out TSelf sin, out TSelf cos);
    /// <summary>
    /// <see cref="SinCos"/> where it needs no out-of-line call: true with the same sin(x) and cos(x) when every element
    /// lies within the float lanes' shared polynomial (|x| ≤ <see cref="LaneTrig.ReductionLimit"/>); false otherwise,
    /// with <paramref name="sin"/> and <paramref name="cos"/> unspecified, and the caller must use <see cref="SinCos"/>.
    /// </summary>
    /// <remarks>
    /// Why it exists: a call in a hot step, even one that never runs, makes the JIT keep every vector that is live
    /// across it in stack memory for the whole step (no vector register survives a call in the x64 calling
    /// conventions). A step that takes the rare far path through a separate, out-of-line copy of itself (CartPole's
    /// <c>Step</c>) keeps its hot path free of calls.
    /// </remarks>
    static abstract bool SinCosIfNear(TSelf x, out TSelf sin, out TSelf cos);
    /// <summary>Square root of each element (NaN for negative elements).</summary>
    static abstract TSelf Sqrt(TSelf x);
    /// <summary>Natural logarithm of each element (-infinity at 0, NaN below).</summary>
    static abstract TSelf Log(TSelf x);
    /// <summary>Absolute value of each element.</summary>
    static abstract TSelf Abs(TSelf x);
    /// <summary>Element-wise minimum: a &lt; b ? a : b (so b where either is NaN or both are zeros), on every lane.</summary>
    static abstract TSelf Min(TSelf a, TSelf b);
    /// <summary>Element-wise maximum: a &gt; b ? a : b (so b where either is NaN or both are zeros), on every lane.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
    /// <summary>Round toward negative infinity.</summary>
    static abstract TSelf Floor(TSelf x);
    /// <summary>
    /// Floored modulo: the remainder of <paramref name="y"/> / <paramref name="m"/> with the sign of the
    /// divisor. <see cref="D1"/> computes it exactly as Python's and NumPy's float <c>%</c> (fmod, then add m
    /// where the signs differ; a zero result takes the divisor's sign); the float lanes all use
    /// <c>y - m·Floor(y/m)</c> in float32, which can differ from it at the last bit but agrees across them.
    /// </summary>
    static abstract TSelf FlooredMod(TSelf y, TSelf m);
    /// <summary>
    /// x², as Python's <c>x**2</c> computes it: C <c>pow(x, 2.0)</c> on <see cref="D1"/> (glibc's pow is not
    /// always correctly rounded, so it can differ from x·x in the last bit), x·x on float lanes.
    /// </summary>
    static abstract TSelf Square(TSelf x);
    /// <summary>Rounds each element to the nearest float32 (identity on float lanes), as NumPy's <c>astype(np.float32)</c>.</summary>
    static abstract TSelf RoundToFloat(TSelf x);

    // MASKS
    /// <summary>Mask of a &lt; b per element.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    /// <summary>Mask of a &lt;= b per element.</summary>
    static abstract TSelf LessOrEqual(TSelf a, TSelf b);
    /// <summary>Mask of a &gt; b per element.</summary>
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    /// <summary>Mask of a &gt;= b per element.</summary>
    static abstract TSelf GreaterOrEqual(TSelf a, TSelf b);
    /// <summary>Mask of a == b per element (false where either is NaN).</summary>
    static abstract TSelf Equal(TSelf a, TSelf b);
    /// <summary>Element-wise logical and of two masks.</summary>
    static abstract TSelf And(TSelf maskA, TSelf maskB);
    /// <summary>Element-wise logical or of two masks.</summary>
    static abstract TSelf Or(TSelf maskA, TSelf maskB);
    /// <summary>maskA and not maskB.</summary>
    static abstract TSelf AndNot(TSelf maskA, TSelf maskB);
    /// <summary>A mask with every element false.</summary>
    static abstract TSelf FalseMask { get; }
    /// <summary>A mask with every element true.</summary>
    static abstract TSelf TrueMask { get; }
    /// <summary>Per element: mask ? ifTrue : ifFalse.</summary>
    static abstract TSelf Select(TSelf mask, TSelf ifTrue, TSelf ifFalse);
    /// <summary>1 where the mask is true, 0 elsewhere.</summary>
    static abstract TSelf MaskToOne(TSelf mask);
    /// <summary>True where <paramref name="value"/> != 0 (for 0/1 values such as actions).</summary>
    static abstract TSelf NonZero(TSelf value);
    /// <summary>True if any element of the mask is true.</summary>
    static abstract bool AnyTrue(TSelf mask);
    /// <summary>Bit j set where element j of the mask is true (CPU runner only).</summary>
    static abstract ulong MaskBits(TSelf mask);

    // BITS (random number generation)
    /// <summary>Bits value with element j = first + j.</summary>
    static abstract TSelf BitsIota(uint first);
    /// <summary>Bits value with every element = <paramref name="value"/>.</summary>
    static abstract TSelf BitsSplat(uint value);
    /// <summary>Adds <paramref name="increment"/> (mod 2^32) to each bits element where the mask is true.</summary>
    static abstract TSelf BitsAdd(TSelf bits, uint increment, TSelf mask);
    /// <summary>
    /// One Philox4x32-10 block per element with counter (c0, c1, c2, c3) and key (k0, k1);
    /// c0 and c1 are bits values. Outputs are bits values.
    /// </summary>
    static abstract void Philox(TSelf c0, TSelf c1, uint c2, uint c3, uint k0, uint k1,
        out TSelf r0, out TSelf r1, out TSelf r2, out TSelf r3);
    /// <summary>Uniform in [0, 1): (bits >> 8) · 2^-24, exactly the same value on every lane.</summary>
    static abstract TSelf BitsToUnit(TSelf bits);
    /// <summary>
    /// Uniform in (0, 1): ((bits >> 9) + 0.5) · 2^-23 (23 bits, so the + 0.5 is exact in float), never 0 or 1,
    /// safe for a logarithm; exactly the same value on every lane.
    /// </summary>
    static abstract TSelf BitsToOpenUnit(TSelf bits);
    /// <summary>
    /// The bit field (bits >> <paramref name="shift"/>) &amp; <paramref name="mask"/> of every element, as a number
    /// (<paramref name="mask"/> &lt; 2^24, so the value is exact in float). Random actions take several from one word.
    /// </summary>
    static abstract TSelf BitField(TSelf bits, int shift, uint mask);
    /// <summary>Element j of a bits value (CPU runner and tests only).</summary>
    static abstract uint BitsElement(TSelf bits, int j);

    // MEMORY (CPU runner only; never called from a GPU kernel)
    /// <summary>Element j as a double.</summary>
    static abstract double Element(TSelf value, int j);
    /// <summary>Loads src[start .. start+count) (count ≤ Count); missing elements are 0.</summary>
    static abstract TSelf Load(ReadOnlySpan<float> src, int start, int count);
    /// <summary>Loads src[start .. start+count) (count ≤ Count); missing elements are 0.</summary>
    static abstract TSelf Load(ReadOnlySpan<double> src, int start, int count);
    /// <summary>Stores element j to dst[start + j·stride] for j &lt; count, rounded to float.</summary>
    static abstract void Store(TSelf value, Span<float> dst, int start, int stride, int count);
    /// <summary>Stores element j to dst[start + j] for j &lt; count.</summary>
    static abstract void Store(TSelf value, Span<double> dst, int start, int count);
    /// <summary>
    /// Per element: table[(int)index] (a gather). Indices hold whole numbers; out-of-range ones are
    /// clamped to [0, table.Length), so a bad index reads a wrong entry but never outside the table.
    /// <paramref name="table"/> must not be empty.
    /// </summary>
    static abstract TSelf Gather(ReadOnlySpan<float> table, TSelf index);
    /// <summary>Stores 1/0 bytes for mask element j to dst[start + j] for j &lt; count.</summary>
    static abstract void StoreMask(TSelf mask, Span<byte> dst, int start, int count);
}
