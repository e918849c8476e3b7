using RlKernels.Cli;
using RlKernels.Kernels.Gpu;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// A kernel the device's compiler rejects is a device error (exit 3): one line on stderr naming ILGPU's exception,
/// no stack trace, and nothing written under --out. No kernel of this repository fails to compile, so a thread-local
/// hook makes the GPU runner's and the device rollout's kernel loading throw ILGPU's own compiler exception.
/// </summary>
public sealed class GpuCompileFailureTests() : TempDirectoryTests("rlk-compile-failure-")
{
    private const string Message = "injected: this kernel does not compile";

    [Theory]
    [InlineData("a2c")]   // envs on the device (GpuVectorEnv), networks on the CPU
    [InlineData("ppo")]   // the whole loop on the device (DeviceRollout)
    public void Rlk_train_reports_it_in_one_line_and_writes_nothing(string algo)
    {
        var before = CliRun.Snapshot(Temp.Path);
        var result = WithCompileFailure(() => CliRun.InProcess(
            "train", "CartPole-v1", "--algo", algo, "--backend", "gpu-cpu", "--envs", "8", "--steps", "256", "--out", Temp.File("run")));
        CliRun.AssertOneLineError(ExitCodes.RuntimeFailure, result, $"rlk: device error: InternalCompilerException: {Message}");
        Assert.Equal(before, CliRun.Snapshot(Temp.Path));
    }

    [Fact]
    public void Rlk_bench_reports_it_in_one_line()
    {
        var result = WithCompileFailure(() => CliRun.InProcess(
            "bench", "--env", "CartPole-v1", "--backend", "gpu-cpu", "--envs", "64", "--seconds", "0.01", "--repeats", "1", "--no-ceilings"));
        CliRun.AssertOneLineError(ExitCodes.RuntimeFailure, result, $"rlk: device error: InternalCompilerException: {Message}");
    }

    [Fact]
    public void Rlk_bench_rollout_reports_it_in_one_line()
    {
        var result = WithCompileFailure(() => CliRun.InProcess(
            "bench", "rollout", "--backend", "gpu-cpu", "--envs", "64", "--steps", "2", "--seconds", "0.01", "--repeats", "1"));
        CliRun.AssertOneLineError(ExitCodes.RuntimeFailure, result, $"rlk: device error: InternalCompilerException: {Message}");
    }

    [Fact]
    public void Without_the_hook_the_same_bench_runs()
    {
        var result = CliRun.InProcess(
            "bench", "--env", "CartPole-v1", "--backend", "gpu-cpu", "--envs", "64", "--seconds", "0.01", "--repeats", "1", "--no-ceilings");
        Assert.True(result.Code == ExitCodes.Ok, $"exit {result.Code}: {result.Err}");
    }

    private static (int Code, string Out, string Err) WithCompileFailure(Func<(int, string, string)> run)
    {
        GpuDevice.t_compileFailureForTests = Message;
        try { return run(); }
        finally { GpuDevice.t_compileFailureForTests = null; }
    }
}
