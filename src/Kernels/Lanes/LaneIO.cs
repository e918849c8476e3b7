namespace RlKernels.Kernels.Lanes;

/// <summary>Reads lane values by field index (state columns, parameters).</summary>
public interface ILaneReader<T> where T : struct, ILane<T>
{
    /// <summary>The lane value of field <paramref name="index"/>.</summary>
    T Read(int index);
}

/// <summary>Writes lane values by field index (state columns, observation features).</summary>
public interface ILaneWriter<T> where T : struct, ILane<T>
{
    /// <summary>Sets field <paramref name="index"/> to <paramref name="value"/>.</summary>
    void Write(int index, T value);
}
