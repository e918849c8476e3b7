using System.Text.Json;
using RlKernels.Cli;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk train</c> bad input through the real command line: flags the algorithm does not use, counts out of
/// range, unusable <c>--out</c> folders. Each: exit 2, one line on stderr, no stack trace, nothing on disk.
/// </summary>
public class TrainInputTests() : TempDirectoryTests("rlk-train-input-")
{
    [Theory]
    [InlineData("--tables 2", "ppo", "q-learning, sarsa")]
    [InlineData("--epsilon 0.2", "a2c", null)]
    [InlineData("--exploration softmax", "reinforce", null)]
    [InlineData("--temperature 2", "ppo", null)]
    [InlineData("--known 3", "ppo", "rmax")]
    [InlineData("--known 3", "q-learning", "rmax")]
    [InlineData("--known 3", "sarsa", null)]
    [InlineData("--backend cpu", "q-learning", "ppo")]
    [InlineData("--threads 2", "sarsa", null)]
    [InlineData("--no-stop", "rmax", null)]
    [InlineData("--force", "q-learning", null)]
    [InlineData("--lr 0.5", "rmax", null)]
    [InlineData("--epsilon 0.5", "rmax", null)]
    [InlineData("--lambda 0.9", "dqn", "ppo, a2c, deep-sarsa, pqn")]
    [InlineData("--ent-coef 0.01", "pqn", "ppo, a2c")]
    [InlineData("--clip 0.2", "a2c", "ppo")]
    [InlineData("--clip 0.2", "q-learning", "ppo")]
    public void AFlagTheAlgorithmDoesNotUseIsRefused(string flag, string algo, string? usedBy)
    {
        // The message names the flag and the algorithm, then (where checked here) the algorithms that use the flag.
        string expected = $"{flag.Split(' ')[0]} does not apply to {algo}" + (usedBy is null ? "" : $"; it is used by {usedBy}");
        bool tabular = algo is "q-learning" or "sarsa" or "rmax";
        string[] args = ["train", tabular ? "FrozenLake-v1" : "CartPole-v1", "--algo", algo, .. flag.Split(' ')];
        // --out is itself deep-only: give it only to deep algorithms, so the flag under test is the one refused.
        if (!tabular) args = [.. args, "--out", Temp.File("run")];
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, expected, args);
    }

    [Fact]
    public void OutIsRefusedForATabularAlgorithm() =>
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "--out does not apply to q-learning", "train", "FrozenLake-v1", "--out", Temp.File("run"));

    [Fact]
    public void SeveralLearningRatesAreRefusedForADeepAlgorithm() =>
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "--lr takes one value for deep algorithms",
            "train", "CartPole-v1", "--lr", "0.001", "0.01", "--out", Temp.File("run"));

    [Fact]
    public void SeveralGammasAreRefusedForADeepAlgorithm() =>
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "--gamma takes one value for deep algorithms",
            "train", "CartPole-v1", "--gamma", "0.9", "0.99", "--out", Temp.File("run"));

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("-0.5")]
    [InlineData("NaN")]
    public void AGammaOutsideZeroToOneIsRefusedForADeepAlgorithm(string gamma) =>
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "--gamma must be in (0, 1]",
            "train", "CartPole-v1", "--algo", "a2c", "--gamma", gamma, "--out", Temp.File("run"));

    [Theory]
    [InlineData("--lambda", "1.5", "ppo", "--lambda must be in [0, 1]")]
    [InlineData("--lambda", "-0.1", "pqn", "--lambda must be in [0, 1]")]
    [InlineData("--lambda", "NaN", "a2c", "--lambda must be in [0, 1]")]
    [InlineData("--ent-coef", "-0.01", "ppo", "--ent-coef must be a finite number ≥ 0")]
    [InlineData("--ent-coef", "Infinity", "a2c", "--ent-coef must be a finite number ≥ 0")]
    [InlineData("--ent-coef", "NaN", "ppo", "--ent-coef must be a finite number ≥ 0")]
    [InlineData("--clip", "0", "ppo", "--clip must be a positive finite number")]
    [InlineData("--clip", "NaN", "ppo", "--clip must be a positive finite number")]
    [InlineData("--clip", "1e40", "ppo", "--clip must be a positive finite number")] // infinite as the float PPO takes
    public void APerMemberHyperparameterOutOfRangeIsRefused(string flag, string value, string algo, string expected) =>
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, expected, "train", "CartPole-v1", "--algo", algo, flag, value, "--out", Temp.File("run"));

    [Fact]
    public void SeveralLearningRatesStillTrainOneTablePerRateForQLearning()
    {
        var (code, output, error) = CliRun.InProcess("train", "FrozenLake-v1", "--tables", "2", "--envs", "4", "--lr", "0.1", "0.2", "--steps", "10", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(2, JsonDocument.Parse(output).RootElement.GetProperty("Q").GetArrayLength());
    }

    [Fact]
    public void AnEmptyOutIsRefused() =>
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess("train", "CartPole-v1", "--out", ""), "--out is empty");

    [Fact]
    public void AnOutThatIsAFileIsRefusedAndTheFileIsUntouched()
    {
        string file = Temp.File("notes.txt");
        File.WriteAllText(file, "keep me");
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "is an existing file, not a folder", "train", "CartPole-v1", "--out", file);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void AnOutUnderAFileCannotBeCreatedAndNothingIsLeft()
    {
        string file = Temp.File("plain");
        File.WriteAllText(file, "x");
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "cannot be created or written", "train", "CartPole-v1", "--out", Path.Combine(file, "a", "b"));
    }

    [Fact]
    public void AReadOnlyOutIsRefused()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix permissions.");
        else ReadOnlyOutIsRefused();
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void ReadOnlyOutIsRefused()
    {
        string root = Temp.Path;
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
