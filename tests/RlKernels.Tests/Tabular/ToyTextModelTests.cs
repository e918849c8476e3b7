using RlKernels.Envs;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Tabular;

/// <summary>Our toy-text models equal Gymnasium's P tables (data/reference/gymnasium-toytext) entry for entry.</summary>
public class ToyTextModelTests
{
    private static readonly string[] Files =
    [
        "FrozenLake-v1.4x4.slippery.csv", "FrozenLake-v1.4x4.nonslippery.csv",
        "FrozenLake-v1.8x8.slippery.csv", "FrozenLake-v1.8x8.nonslippery.csv",
        "CliffWalking-v1.csv", "CliffWalkingSlippery-v1.csv", "Taxi-v4.csv", "Taxi-v4.rainy.csv",
    ];

    public static TheoryData<string> ReferenceFiles() => new(Files);

    /// <summary>The model this project builds for a reference file's env and make kwargs.</summary>
    internal static TabularMdp OurModel(string file) => file switch
    {
        "FrozenLake-v1.4x4.slippery.csv" => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "4x4", ["is_slippery"] = "true" }),
        "FrozenLake-v1.4x4.nonslippery.csv" => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "4x4", ["is_slippery"] = "false" }),
        "FrozenLake-v1.8x8.slippery.csv" => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8" }),
        "FrozenLake-v1.8x8.nonslippery.csv" => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8", ["is_slippery"] = "false" }),
        "CliffWalking-v1.csv" => CliffWalking.BuildModel(),
        "CliffWalkingSlippery-v1.csv" => CliffWalking.BuildModel(defaultSlippery: true),
        "Taxi-v4.csv" => Taxi.BuildModel(),
        "Taxi-v4.rainy.csv" => Taxi.BuildModel(new Dictionary<string, string> { ["is_rainy"] = "true" }),
        _ => throw new ArgumentException(file),
    };

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void ModelEqualsGymnasiumTableExactly(string file)
    {
        var reference = TabularMdp.LoadCsv(Path.Combine(TabularTestData.Dir, file));
        TabularTestData.AssertExactlyEqual(reference, OurModel(file));
    }

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void SavedCsvIsByteIdenticalToGymnasiumFile(string file)
    {
        var writer = new StringWriter();
        OurModel(file).WriteCsv(writer);
        string expected = File.ReadAllText(Path.Combine(TabularTestData.Dir, file));
        Assert.True(expected == writer.ToString(), $"{file}: written CSV differs from the reference file.");
    }

    [Fact]
    public void EveryReferenceCsvIsCovered()
    {
        var covered = Files.Append("chain5.csv").ToHashSet();
        foreach (string path in Directory.GetFiles(TabularTestData.Dir, "*.csv"))
            Assert.Contains(Path.GetFileName(path), covered);
    }

    [Fact]
    public void FrozenLake8x8AliasHasTheSameModel()
    {
        TabularTestData.AssertExactlyEqual(
            FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8" }),
            FrozenLake.BuildModel(null, defaultMapName: "8x8"));
        var spec8 = RlKernels.Envs.Registry.EnvRegistry.Get("FrozenLake8x8-v1").Spec(RlKernels.Envs.Registry.EnvArgs.Empty);
        var spec4 = RlKernels.Envs.Registry.EnvRegistry.Get("FrozenLake-v1").Spec(
            new RlKernels.Envs.Registry.EnvArgs(new Dictionary<string, string> { ["map_name"] = "8x8" }));
        Assert.Equal(200, spec8.MaxEpisodeSteps);
        Assert.Equal(100, spec4.MaxEpisodeSteps);
        Assert.Equal((4, 63f), (spec8.Action.Count, spec8.ObsHigh[0]));
    }

    [Fact]
    public void FrozenLakeDescOptionEqualsNamedMap()
    {
        TabularTestData.AssertExactlyEqual(
            FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "4x4" }),
            FrozenLake.BuildModel(new Dictionary<string, string> { ["desc"] = "SFFF,FHFH,FFFH,HFFG" }));
    }

    [Fact]
    public void FrozenLakeUserMapWithTwoStartsHasUniformStart()
    {
        var model = FrozenLake.BuildModel(new Dictionary<string, string> { ["desc"] = "SFS,FHG", ["is_slippery"] = "false" });
        Assert.Equal(6, model.StateCount);
        Assert.Equal([0.5, 0, 0.5, 0, 0, 0], model.InitialDistribution.ToArray());
        // RIGHT from 1 reaches the start tile 2: frozen reward 0, not terminated; DOWN from 2 reaches the goal.
        var (start, _) = model.Outcomes(2, FrozenLake.ActionDown);
        Assert.Equal((5, 1.0, true), (model.NextState[start], model.Reward[start], model.Terminated[start]));
    }

    [Theory]
    [InlineData("SFFF,FXFH,FFFH,HFFG", "tile (1, 1) is 'X'")]
    [InlineData("FFFF,FHFH,FFFH,HFFG", "start tile 'S'")]
    [InlineData("SFFF,FHFH,FFFH,HFFF", "goal tile 'G'")]
    [InlineData("SFFF,FHF,FFFH,HFFG", "row 1")]
    public void FrozenLakeBadMapsAreClearErrors(string desc, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => FrozenLake.BuildModel(new Dictionary<string, string> { ["desc"] = desc }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnknownOptionsAndMapNamesAreClearErrors()
    {
        Assert.Contains("16x16", Assert.Throws<ArgumentException>(() =>
            FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "16x16" })).Message);
        Assert.Contains("fickle_passenger", Assert.Throws<ArgumentException>(() =>
            Taxi.BuildModel(new Dictionary<string, string> { ["fickle_passenger"] = "true" })).Message);
        Assert.Contains("is_rainy", Assert.Throws<ArgumentException>(() =>
            CliffWalking.BuildModel(new Dictionary<string, string> { ["is_rainy"] = "true" })).Message);
    }

    /// <summary>
    /// chain5 is the lecture's chain, the model of our ChainWalk-v0 env: stepping the env from each
    /// acting state reproduces the table; state 5 (index 4) ends every episode, so the env never acts
    /// there and the table lists it as an absorbing terminated self-loop.
    /// </summary>
    [Fact]
    public void Chain5EqualsChainWalkDynamics()
    {
        var table = TabularMdp.LoadCsv(Path.Combine(TabularTestData.Dir, "chain5.csv"));
        Assert.Equal((5, 2), (table.StateCount, table.ActionCount));
        var p = new ChainWalkParams();
        var rng = new LaneRng<D1>(D1.BitsSplat(0), D1.BitsSplat(0), 1, 2, LaneRng<D1>.EnvPurpose);
        ChainWalk<D1>.Reset(out var first, p, ref rng);
        Assert.Equal(1.0, table.InitialDistribution[(int)first.Position.V]);
        for (int s = 0; s < 5; s++)
            for (int a = 0; a < 2; a++)
            {
                var (start, count) = table.Outcomes(s, a);
                Assert.Equal(1, count);
                Assert.Equal(1.0, table.Probability[start]);
                if (s == 4)
                {
                    Assert.Equal((4, 0.0, true), (table.NextState[start], table.Reward[start], table.Terminated[start]));
                    continue;
                }
                var state = new ChainWalk<D1> { Position = new D1(s) };
                ChainWalk<D1>.Step(ref state, p, new D1(a), ref rng, out var reward, out var terminated);
                Assert.Equal((table.NextState[start], table.Reward[start], table.Terminated[start]),
                    ((int)state.Position.V, reward.V, terminated.V != 0));
            }
    }
}
