using System.Text.Json;
using RlKernels.Cli;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk train</c> bad input through the real command line: flags the algorithm does not use, counts out of
/// range, unusable <c>--out</c> folders. Each: exit 2, one line on stderr, no stack trace, nothing on disk.
/// </summary>
public class TrainInputTests
{
    [Theory]
    [InlineData("--tables 2", "ppo", "--tables does not apply to ppo; it is used by q-learning, sarsa")]
    [InlineData("--gamma 0.9", "ppo", "--gamma does not apply to ppo; it is used by q-learning, sarsa, rmax")]
    [InlineData("--epsilon 0.2", "a2c", "--epsilon does not apply to a2c")]
    [InlineData("--exploration softmax", "reinforce", "--exploration does not apply to reinforce")]
    [InlineData("--temperature 2", "ppo", "--temperature does not apply to ppo")]
    [InlineData("--known 3", "ppo", "--known does not apply to ppo; it is used by rmax")]
    [InlineData("--known 3", "q-learning", "--known does not apply to q-learning; it is used by rmax")]
    [InlineData("--known 3", "sarsa", "--known does not apply to sarsa")]
    [InlineData("--backend cpu", "q-learning", "--backend does not apply to q-learning; it is used by ppo")]
    [InlineData("--threads 2", "sarsa", "--threads does not apply to sarsa")]
    [InlineData("--no-stop", "rmax", "--no-stop does not apply to rmax")]
    [InlineData("--force", "q-learning", "--force does not apply to q-learning")]
    [InlineData("--lr 0.5", "rmax", "--lr does not apply to rmax")]
    [InlineData("--epsilon 0.5", "rmax", "--epsilon does not apply to rmax")]
    public void AFlagTheAlgorithmDoesNotUseIsRefused(string flag, string algo, string expected)
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        string env = algo is "q-learning" or "sarsa" or "rmax" ? "FrozenLake-v1" : "CartPole-v1";
        string outDir = Path.Combine(root, "run");
        string[] args = ["train", env, "--algo", algo, .. flag.Split(' ')];
        // --out is itself deep-only: give it only to deep algorithms, so the flag under test is the one refused.
        if (algo is not ("q-learning" or "sarsa" or "rmax")) args = [.. args, "--out", outDir];
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess(args), expected);
        Assert.Empty(CliRun.Snapshot(root));
    }

    [Fact]
    public void OutIsRefusedForATabularAlgorithm()
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        CliRun.AssertOneLineError(ExitCodes.BadInput,
            CliRun.InProcess("train", "FrozenLake-v1", "--out", Path.Combine(root, "run")), "--out does not apply to q-learning");
        Assert.Empty(CliRun.Snapshot(root));
    }

    [Fact]
    public void SeveralLearningRatesAreRefusedForADeepAlgorithm()
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        CliRun.AssertOneLineError(ExitCodes.BadInput,
            CliRun.InProcess("train", "CartPole-v1", "--lr", "0.001", "0.01", "--out", Path.Combine(root, "run")),
            "--lr takes one value for deep algorithms");
        Assert.Empty(CliRun.Snapshot(root));
    }

    [Fact]
    public void SeveralLearningRatesStillTrainOneTablePerRateForQLearning()
    {
        var (code, output, error) = CliRun.InProcess("train", "FrozenLake-v1", "--tables", "2", "--envs", "4", "--lr", "0.1", "0.2", "--steps", "10", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(2, JsonDocument.Parse(output).RootElement.GetProperty("Q").GetArrayLength());
    }

    [Theory]
    [InlineData("CartPole-v1", "--threads 1000000", "--threads must be between 0 (all cores) and")]
    [InlineData("CartPole-v1", "--threads -1", "--threads must be between 0 (all cores) and")]
    [InlineData("CartPole-v1", "--envs 2000000000", "--envs must be between 1 and")]
    [InlineData("CartPole-v1", "--envs 0", "--envs must be between 1 and")]
    [InlineData("CartPole-v1", "--envs -5", "--envs must be between 1 and")]
    [InlineData("CartPole-v1", "--steps 0", "--steps must be between 1 and")]
    [InlineData("CartPole-v1", "--steps 9000000000000000000", "--steps must be between 1 and")]
    [InlineData("Pendulum-v1 --algo reparam-ac", "--envs 2147483647", "--envs must be between 1 and")]
    [InlineData("FrozenLake-v1", "--tables -4", "--tables must be between 1 and --envs (256), got -4")]
    [InlineData("FrozenLake-v1", "--tables 0", "--tables must be between 1 and --envs")]
    [InlineData("FrozenLake-v1", "--tables 512", "--tables must be between 1 and --envs (256), got 512")]
    [InlineData("FrozenLake-v1", "--envs 2000000000", "--envs must be between 1 and")]
    [InlineData("FrozenLake-v1", "--envs -1", "--envs must be between 1 and")]
    [InlineData("FrozenLake-v1", "--steps 0", "--steps must be between 1 and 2147483647")]
    [InlineData("FrozenLake-v1", "--steps 3000000000", "--steps must be between 1 and 2147483647")]
    [InlineData("FrozenLake-v1 --algo rmax", "--known 0", "--known must be at least 1")]
    public void ACountOutOfRangeIsRefusedBeforeAnyWork(string env, string flag, string expected)
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        string[] args = ["train", .. env.Split(' '), .. flag.Split(' ')];
        if (!env.StartsWith("FrozenLake", StringComparison.Ordinal)) args = [.. args, "--out", Path.Combine(root, "run")];
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess(args), expected);
        Assert.Empty(CliRun.Snapshot(root));
    }

    [Fact]
    public void AnEmptyOutIsRefused() =>
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess("train", "CartPole-v1", "--out", ""), "--out is empty");

    [Fact]
    public void AnOutThatIsAFileIsRefusedAndTheFileIsUntouched()
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        string file = Path.Combine(root, "notes.txt");
        File.WriteAllText(file, "keep me");
        var before = CliRun.Snapshot(root);
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess("train", "CartPole-v1", "--out", file), "is an existing file, not a folder");
        Assert.Equal(before, CliRun.Snapshot(root));
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void AnOutUnderAFileCannotBeCreatedAndNothingIsLeft()
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        string file = Path.Combine(root, "plain");
        File.WriteAllText(file, "x");
        var before = CliRun.Snapshot(root);
        CliRun.AssertOneLineError(ExitCodes.BadInput,
            CliRun.InProcess("train", "CartPole-v1", "--out", Path.Combine(file, "a", "b")), "cannot be created or written");
        Assert.Equal(before, CliRun.Snapshot(root));
    }

    [Fact]
    public void AReadOnlyOutIsRefused()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix permissions.");
        else ReadOnlyOutIsRefused();
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void ReadOnlyOutIsRefused()
    {
        using var temp = new TempDirectory("rlk-train-input-");
        string root = temp.Path;
        string folder = Path.Combine(root, "locked");
        Directory.CreateDirectory(folder);
        try
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            // root ignores permissions: probe whether this user can write there at all.
            bool canWrite;
            try { File.WriteAllText(Path.Combine(folder, "probe"), ""); File.Delete(Path.Combine(folder, "probe")); canWrite = true; }
            catch (UnauthorizedAccessException) { canWrite = false; }
            if (canWrite)
            {
                // root ignores permission bits. procfs takes no new files from anyone: a folder that exists and
                // cannot be written, whoever runs the tests (CI runs as root).
                Assert.SkipUnless(OperatingSystem.IsLinux() && Directory.Exists("/proc/self"), "root, and no procfs to stand in for a read-only folder.");
                folder = "/proc/self";
            }
            CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess("train", "CartPole-v1", "--out", folder), "cannot be created or written");
            if (!canWrite) Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            // Writable again, so that the folder can be deleted.
            File.SetUnixFileMode(Path.Combine(root, "locked"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
