using BenchmarkDotNet.Attributes;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Bench;

/// <summary>
/// Philox4x32-10 blocks per second: the scalar <see cref="Philox4x32.Block"/> loop (the naive
/// baseline) against the lane forms (<see cref="F4"/>, <see cref="F8"/>, <see cref="F16"/>), which compute one block
/// per element. Block i has counter (i, 0, 0, 0); all four output words are stored.
/// </summary>
[PassesRate("blocks/s", nameof(Count), BlocksPerInvoke)]
public class PhiloxBenchmarks
{
    /// <summary>Blocks per invoke (approximately; see <see cref="PassesPerInvoke"/>).</summary>
    private const int BlocksPerInvoke = 1 << 20;
    private const uint Key0 = 0x01234567u, Key1 = 0x89ABCDEFu;

    /// <summary>65543 is prime: the last lane value is partly padding (the tail).</summary>
    [Params(1024, 65543)]
    public int Count { get; set; }

    [ParamsSource(nameof(Kinds))]
    public string Kind { get; set; } = "scalar";

    /// <summary>The lane forms this machine accelerates, plus the scalar baseline.</summary>
    public static IEnumerable<string> Kinds
    {
        get
        {
            yield return "scalar";
            if (LaneSelection.IsAccelerated(4)) yield return "F4";
            if (LaneSelection.IsAccelerated(8)) yield return "F8";
            if (LaneSelection.IsAccelerated(16)) yield return "F16";
        }
    }

    /// <summary>Passes over the buffer per invoke so that passes · Count ≈ <see cref="BlocksPerInvoke"/>.</summary>
    public static int PassesPerInvoke(int count) => PerItemRateColumn.Passes(count, BlocksPerInvoke);

    // [Count] each: output word w of block i.
    private float[] _r0 = [], _r1 = [], _r2 = [], _r3 = [];
    private int _passes;

    [GlobalSetup]
    public void Setup()
    {
        _r0 = new float[Count]; _r1 = new float[Count]; _r2 = new float[Count]; _r3 = new float[Count];
        _passes = PassesPerInvoke(Count);
        // CHECK: the timed kind reproduces the scalar block for every element, tail included.
        Run(1);
        for (int i = 0; i < Count; i++)
        {
            Philox4x32.Block((uint)i, 0, 0, 0, Key0, Key1, out uint w0, out uint w1, out uint w2, out uint w3);
            if (Bits(_r0[i]) != w0 || Bits(_r1[i]) != w1 || Bits(_r2[i]) != w2 || Bits(_r3[i]) != w3)
                throw new InvalidOperationException($"{Kind}: Philox block {i} differs from Philox4x32.Block.");
        }
    }

    private static uint Bits(float x) => BitConverter.SingleToUInt32Bits(x);

    [Benchmark(OperationsPerInvoke = BlocksPerInvoke)]
    public void Blocks() => Run(_passes);

    private void Run(int passes)
    {
        for (int pass = 0; pass < passes; pass++)
        {
            switch (Kind)
            {
                case "F4": LaneBlocks<F4>(); break;
                case "F8": LaneBlocks<F8>(); break;
                case "F16": LaneBlocks<F16>(); break;
                default: ScalarBlocks(); break;
            }
        }
    }

    /// <summary>The naive baseline: one block per loop iteration.</summary>
    private void ScalarBlocks()
    {
        for (int i = 0; i < Count; i++)
        {
            Philox4x32.Block((uint)i, 0, 0, 0, Key0, Key1, out uint w0, out uint w1, out uint w2, out uint w3);
            _r0[i] = BitConverter.UInt32BitsToSingle(w0);
            _r1[i] = BitConverter.UInt32BitsToSingle(w1);
            _r2[i] = BitConverter.UInt32BitsToSingle(w2);
            _r3[i] = BitConverter.UInt32BitsToSingle(w3);
        }
    }

    /// <summary>T.Count blocks per iteration; the last iteration stores only the elements that exist.</summary>
    private void LaneBlocks<T>() where T : struct, ILane<T>
    {
        T zero = T.BitsSplat(0);
        for (int i = 0; i < Count; i += T.Count)
        {
            int count = Math.Min(T.Count, Count - i);
            T.Philox(T.BitsIota((uint)i), zero, 0, 0, Key0, Key1, out T w0, out T w1, out T w2, out T w3);
            T.Store(w0, _r0, i, 1, count);
            T.Store(w1, _r1, i, 1, count);
            T.Store(w2, _r2, i, 1, count);
            T.Store(w3, _r3, i, 1, count);
        }
    }
}
