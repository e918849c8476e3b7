namespace RlKernels.Kernels.Lanes;

/// <summary>Reads lane values by field index (state columns, parameters).</summary>
public interface ILaneReader<T> where T : struct, ILane<T>
{
    T Read(int index);
}

/// <summary>Writes lane values by field index (state columns, observation features).</summary>
public interface ILaneWriter<T> where T : struct, ILane<T>
{
    void Write(int index, T value);
}
