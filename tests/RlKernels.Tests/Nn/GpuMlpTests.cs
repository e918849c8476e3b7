using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

/// <summary>The GPU MLP kernels on ILGPU's CPU accelerator against the float64 reference, and compiled to PTX.</summary>
public sealed class GpuMlpTests : NnTest, IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly GpuMlpKernels _kernels;

    public GpuMlpTests()
    {
        // The default CPU device runs 16-thread groups, so the tiled kernel runs with 4 × 4 tiles here.
        _context = Context.Create(b => b.CPU(CPUDevice.Default).EnableAlgorithms());
        _accelerator = _context.CreateCPUAccelerator(0);
        _kernels = new GpuMlpKernels(_accelerator);
    }

    public void Dispose()
    {
        _kernels.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    private MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] data) => _accelerator.Allocate1D(data);

    [Theory]
    [InlineData(2, 37, 19, 67, Activation.Tanh, true, Traits = [TestCategory.Name, TestCategory.Slow])]
    [InlineData(1, 5, 4, 2, Activation.Relu, true)]
    [InlineData(3, 17, 33, 16, Activation.Identity, true)]
    [InlineData(2, 37, 19, 67, Activation.Tanh, false)]
    [InlineData(1, 5, 4, 2, Activation.Relu, false)]
    public void TiledAndDirectLinearMatchReference(int P, int B, int I, int O, Activation activation, bool tiled)
    {
        using var kernels = new GpuMlpKernels(_accelerator, tiled);
        var (x, xD) = _data.Pair(P * B * I);
        var (w, wD) = _data.Pair(P * O * I);
        var (b, bD) = _data.Pair(P * O);
        var (dY, dYD) = _data.Pair(P * B * O);
        using var xb = Upload(x);
        using var wb = Upload(w);
        using var bb = Upload(b);
        using var yb = Upload(NnTestData.Poisoned(P * B * O));
        kernels.LinearForward(xb.View, wb.View, bb.View, P, B, I, O, activation, yb.View);
        kernels.Synchronize();
        _data.Close(ActivationReference.Forward(activation, LinearReference.Forward(xD, wD, bD, P, B, I, O)), yb.GetAsArray1D(), "y");

        var (dX, dX0) = _data.Pair(P * B * I);
        var (dW, dW0) = _data.Pair(P * O * I);
        var (dB, dB0) = _data.Pair(P * O);
        using var dyb = Upload(dY);
        using var dxb = Upload(dX);
        using var dwb = Upload(dW);
        using var dbb = Upload(dB);
        kernels.LinearBackward(xb.View, wb.View, dyb.View, P, B, I, O, dxb.View, dwb.View, dbb.View);
        kernels.Synchronize();
        var (rX, rW, rB) = LinearReference.Backward(xD, wD, dYD, P, B, I, O);
        _data.Close(LinearTests.Add(dX0, rX), dxb.GetAsArray1D(), "dX");
        _data.Close(LinearTests.Add(dW0, rW), dwb.GetAsArray1D(), "dW");
        _data.Close(LinearTests.Add(dB0, rB), dbb.GetAsArray1D(), "dB");
    }

    [Fact]
    public void ActivationGradMatchesReference()
    {
        var (h, hD) = _data.Pair(41);
        var (d, dD) = _data.Pair(41);
        using var hb = Upload(Array.ConvertAll(h, MathF.Tanh));
        using var db = Upload(d);
        _kernels.ActivationGrad(hb.View, Activation.Tanh, db.View);
        _kernels.Synchronize();
        double[] y = NnTestData.ToDouble(Array.ConvertAll(h, MathF.Tanh));
        _data.Close(ActivationReference.Backward(Activation.Tanh, y, dD), db.GetAsArray1D(), "d");
    }

    [Theory]
    [InlineData("5,19,33,3", 3, 29, Activation.Tanh, Activation.Identity)]
    [InlineData("4,64,64,2", 2, 11, Activation.Relu, Activation.Tanh)]
    public void FusedForwardMatchesReference(string sizeList, int P, int B, Activation hidden, Activation output)
    {
        int[] sizes = sizeList.Split(',').Select(int.Parse).ToArray();
        Activation[] acts = MlpReference.Activations(sizes, hidden, output);
        var net = new Mlp(sizes, hidden, output, P);
        var (theta, thetaD) = _data.Pair(net.Layout.TotalCount, 0.5);
        var (x, xD) = _data.Pair(P * B * sizes[0]);
        using var tb = Upload(theta);
        using var xb = Upload(x);
        using var mb = _accelerator.Allocate1D(MlpFusedForwardKernel.Meta(net));
        using var yb = Upload(NnTestData.Poisoned(P * B * sizes[^1]));
        _kernels.FusedForward(xb.View, tb.View, mb.View, net.LayerCount, P, B, yb.View);
        _kernels.Synchronize();
        _data.Close(MlpReference.Forward(thetaD, net.Layout, sizes, acts, xD, P, B)[^1], yb.GetAsArray1D(), "y");
    }

    [Fact]
    public void GpuMlpTrainStepMatchesReferenceAndCpuAdam()
    {
        int[] sizes = [5, 19, 33, 3];
        Activation[] acts = MlpReference.Activations(sizes, Activation.Tanh, Activation.Identity);
        const int P = 2, B = 13;
        var net = new Mlp(sizes, Activation.Tanh, Activation.Identity, P);
        var (theta, thetaD) = _data.Pair(net.Layout.TotalCount, 0.5);
        theta.CopyTo(net.Parameters, 0);
        var (x, xD) = _data.Pair(P * B * sizes[0]);
        var (dY, dYD) = _data.Pair(P * B * sizes[^1]);
        using var gpu = new GpuMlp(_accelerator, net, B);
        gpu.Input.CopyFromCPU(x);
        gpu.Forward();
        double[][] h = MlpReference.Forward(thetaD, net.Layout, sizes, acts, xD, P, B);
        _data.Close(h[^1], gpu.Output.GetAsArray1D(), "y");

        using var dyb = Upload(dY);
        gpu.ZeroGradients();
        gpu.Backward(dyb.View);
        float[] grads = gpu.Gradients.GetAsArray1D();
        _data.Close(MlpReference.Backward(thetaD, net.Layout, sizes, acts, h, dYD, P, B).dParams, grads, "gradients");

        var adam = new Adam(net.Layout);
        adam.LearningRate[1] = 0.05f;
        adam.WeightDecay[1] = 0.1f;
        float[] expected = (float[])theta.Clone();
        adam.Step(expected, grads);
        gpu.AdamStep(adam);
        gpu.DownloadParameters();
        _data.Close(NnTestData.ToDouble(expected), net.Parameters, "parameters after Adam", 1e-5, 1e-6);
    }

    public static TheoryData<string> Kernels => ["fused", "tiled", "direct", "activation-grad", "column-sums", "mse-grad", "adam"];

    [Theory]
    [MemberData(nameof(Kernels))]
    public void KernelCompilesToPtx(string name)
    {
        (MethodInfo method, bool grouped) = name switch
        {
            "fused" => (typeof(MlpFusedForwardKernel).GetMethod(nameof(MlpFusedForwardKernel.Kernel))!, false),
            "tiled" => (typeof(TiledMatMulKernel).GetMethod(nameof(TiledMatMulKernel.Kernel))!, true),
            "direct" => (typeof(DirectMatMulKernel).GetMethod(nameof(DirectMatMulKernel.Kernel))!, false),
            "activation-grad" => (typeof(MlpElementwiseKernels).GetMethod(nameof(MlpElementwiseKernels.ActivationGrad))!, false),
            "column-sums" => (typeof(MlpElementwiseKernels).GetMethod(nameof(MlpElementwiseKernels.ColumnSums))!, false),
            "mse-grad" => (typeof(MlpElementwiseKernels).GetMethod(nameof(MlpElementwiseKernels.MseGrad))!, false),
            _ => (typeof(AdamKernel).GetMethod(nameof(AdamKernel.Kernel))!, false),
        };
        // A fresh context per compile: a failed compile can poison a context.
        using var context = Context.Create(b => b.EnableAlgorithms());
        using var backend = new PTXBackend(context, CudaArchitecture.SM_70, CudaInstructionSet.ISA_70, nvvmAPI: null!);
        var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        string ptx = ((PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
        Assert.Contains(".entry", ptx);
        // Dynamic shared memory is declared ".extern .shared" in PTX and resolved at launch; any other
        // .extern (a function the module does not define) would only fail when the driver links it.
        string[] unresolved = ptx.Split('\n').Select(line => line.Trim())
            .Where(line => line.StartsWith(".extern", StringComparison.Ordinal) && !line.StartsWith(".extern .shared", StringComparison.Ordinal)).ToArray();
        Assert.True(unresolved.Length == 0, string.Join("\n", unresolved));
    }
}
