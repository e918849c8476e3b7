using ILGPU;
using ILGPU.Runtime;
using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using RlKernels.Tests.Tabular;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// Device memory behind env parameters: uploads round-trip, are owned by the runner that built them,
/// and a failing params factory leaves nothing behind.
/// </summary>
public class GpuParamsMemoryTests
{
    [Fact]
    public void UploadsRoundTripAndAreCounted()
    {
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        using var memory = new GpuParamsMemory(device.Accelerator);
        float[] data = [1f, 2.5f, -3f];
        ArrayView<float> view = memory.Upload<float>(data);
        data[0] = 99f; // the upload is a copy
        var back = new float[3];
        view.CopyToCPU(back.AsSpan());
        Assert.Equal([1f, 2.5f, -3f], back);
        memory.Upload<int>([7]);
        Assert.Equal(3 * 4 + 4, memory.Bytes);

        Assert.Throws<ArgumentException>(() => memory.Upload<float>(ReadOnlySpan<float>.Empty));
        memory.Dispose();
        memory.Dispose();
        Assert.Throws<ObjectDisposedException>(() => memory.Upload<float>(data));
    }

    [Fact]
    public void TabularParamsOnTheDeviceHoldTheCpuTable()
    {
        var model = Taxi.BuildModel(isRainy: true);
        float[] expected = TabularTable.Build(model, out TabularLayout layout);
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        using var memory = new GpuParamsMemory(device.Accelerator);
        TabularParams<ViewLaneTable> p = TabularTable.GpuParams(model, memory);
        Assert.Equal(layout.InitialOffset, p.Layout.InitialOffset);
        Assert.Equal(layout.InitialSearchSize, p.Layout.InitialSearchSize);
        var back = new float[expected.Length];
        p.Table.Data.CopyToCPU(back.AsSpan());
        Assert.Equal(expected, back);
    }

    [Fact]
    public void AFailingParamsFactoryPropagatesAndTheRunnerIsNotBuilt()
    {
        var model = TabularMdp.LoadCsv(Path.Combine(TabularTestData.Dir, "chain5.csv"));
        EnvSpec spec = TabularTable.MakeSpec("chain5", model, 0, "test");
        var e = Assert.Throws<InvalidOperationException>(() =>
            new GpuVectorEnv<TabularEnv<F1, ViewLaneTable>, TabularParams<ViewLaneTable>>(
                spec, _ => throw new InvalidOperationException("no table"), 3,
                new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator }));
        Assert.Equal("no table", e.Message);
    }
}
