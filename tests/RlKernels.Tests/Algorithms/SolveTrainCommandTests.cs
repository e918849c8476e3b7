using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Tests.Tabular;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Algorithms;

public class SolveTrainCommandTests
{
    [Fact]
    public void Solve_ChainWalk_Json_IsTheLecturesQStar()
    {
        var (code, text, _) = CliRun.Solve(new SolveSettings { Env = "ChainWalk-v0", Gamma = 1, Json = true });
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(["env", "gamma", "algo", "iterations", "residual", "V", "Q", "policy"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal([-13.0, -12, -11, -1, 0], root.GetProperty("V").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([-14.0, -14, -13, -12, 0], root.GetProperty("Q").EnumerateArray().Select(e => e[0].GetDouble()));
        Assert.Equal([-13.0, -12, -11, -1, 0], root.GetProperty("Q").EnumerateArray().Select(e => e[1].GetDouble()));
    }

    [Fact]
    public void Solve_ChainWalk_Text_ShowsTheTableAndArrows()
    {
        var (code, text, _) = CliRun.Solve(new SolveSettings { Env = "ChainWalk-v0", Gamma = 1 });
        Assert.Equal(0, code);
        Assert.Contains("    0  -14  -13  -13       R", text);
        Assert.Contains("    3  -12   -1   -1       R", text);
        Assert.Contains("→→→→T", text);
        var (_, uniform, _) = CliRun.Solve(new SolveSettings { Env = "ChainWalk-v0", Gamma = 0.9, Policy = "uniform" });
        Assert.Contains("uniform policy", uniform);
    }

    [Fact]
    public void Solve_ModelFile_EqualsEnv_AndFloatAgrees()
    {
        var fromFile = CliRun.Solve(new SolveSettings { Model = Path.Combine(TabularTestData.Dir, "FrozenLake-v1.4x4.slippery.csv"), Gamma = 0.99, Json = true });
        var fromEnv = CliRun.Solve(new SolveSettings { Env = "FrozenLake-v1", Gamma = 0.99, Json = true, Algo = "value-iteration" });
        var asFloat = CliRun.Solve(new SolveSettings { Env = "FrozenLake-v1", Gamma = 0.99, Json = true, Precision = "float" });
        double[] V(string json) => JsonDocument.Parse(json).RootElement.GetProperty("V").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var v = V(fromFile.Out);
        Kernels.KernelAssert.AllClose("V env", v, V(fromEnv.Out), 1e-9, 1e-9);
        Kernels.KernelAssert.AllClose("V float", v, V(asFloat.Out), 1e-4, 1e-4);
    }

    [Theory]
    [InlineData("--gamma")]
    [InlineData("--algo")]
    [InlineData("--precision")]
    [InlineData("--env")]
    [InlineData("both")]
    [InlineData("--env-arg")]
    public void Solve_BadInput_ExitsWith2(string what)
    {
        var settings = what switch
        {
            "--gamma" => new SolveSettings { Env = "FrozenLake-v1", Gamma = 1.5 },
            "--algo" => new SolveSettings { Env = "FrozenLake-v1", Algo = "sarsa" },
            "--precision" => new SolveSettings { Env = "FrozenLake-v1", Precision = "half" },
            "--env" => new SolveSettings { Env = "CartPole-v1" },
            "both" => new SolveSettings { Env = "FrozenLake-v1", Model = "x.csv" },
            _ => new SolveSettings { Env = "FrozenLake-v1", EnvArgs = ["map_name=9x9"] },
        };
        var (code, text, err) = CliRun.Solve(settings);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", text);
        Assert.StartsWith("rlk solve: ", err);
    }

    [Fact]
    public void Solve_BadProbabilities_InModelFile_ExitsWith2()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string csv = Path.Combine(dir, "bad.csv");
            File.WriteAllText(csv, "state,action,prob,next_state,reward,terminated\n0,0,0.5,0,1,0\n");
            var (code, _, err) = CliRun.Solve(new SolveSettings { Model = csv });
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("sum to 0.5", err);
            File.WriteAllText(csv, "state,action,prob,next_state,reward,terminated\n0,0,1.0,0,nan,0\n");
            Assert.Equal(ExitCodes.BadInput, CliRun.Solve(new SolveSettings { Model = csv }).Code);
            File.WriteAllText(csv, "state,action,prob,next_state,reward,terminated\n0,0,-1.0,0,0,0\n0,0,2.0,0,0,0\n");
            Assert.Equal(ExitCodes.BadInput, CliRun.Solve(new SolveSettings { Model = csv }).Code);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Train_ChainWalk_PrintsTheTable_AndBadAlgoExitsWith2()
    {
        var output = new StringWriter();
        int code = TrainCommand.Run(new TrainSettings { Env = "ChainWalk-v0", Algo = "rmax", Gammas = [1.0], KnownThreshold = 1, Envs = 4, Steps = 100 }, output, TextWriter.Null);
        Assert.Equal(0, code);
        Assert.Contains("-13.000", output.ToString());
        var error = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, TrainCommand.Run(new TrainSettings { Env = "ChainWalk-v0", Algo = "rainbow" }, TextWriter.Null, error));
        Assert.Contains("Unknown --algo", error.ToString());
    }
}
