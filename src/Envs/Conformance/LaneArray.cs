using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Conformance;

/// <summary>Reads and writes lane values by field index in a plain array (one lane value per field).</summary>
internal readonly struct LaneArray<T>(T[] fields) : ILaneReader<T>, ILaneWriter<T> where T : struct, ILane<T>
{
    public T Read(int index) => fields[index];
    public bool Observed => true;
    public void Write(int index, T value) => fields[index] = value;
}
