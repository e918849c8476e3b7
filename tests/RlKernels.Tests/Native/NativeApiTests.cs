using System.Runtime.InteropServices;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Native;

namespace RlKernels.Tests.Native;

/// <summary>
/// The C ABI's entry points called as C calls them (unmanaged function pointers to the
/// [UnmanagedCallersOnly] methods): status codes, messages, buffers, and the env still usable after an error.
/// </summary>
public sealed unsafe class NativeApiTests
{
    private static readonly delegate* unmanaged<byte*, byte**, int, int, ulong, byte*, byte*, byte*, int, long*, int> CreateFn = &NativeApi.Create;
    private static readonly delegate* unmanaged<long, int*, long, int> StepDiscreteFn = &NativeApi.StepDiscrete;
    private static readonly delegate* unmanaged<long, float*, long, int> StepContinuousFn = &NativeApi.StepContinuous;
    private static readonly delegate* unmanaged<long, NativeBuffers*, int> BuffersFn = &NativeApi.GetBuffers;
    private static readonly delegate* unmanaged<long, NativeBuffers*, long, long, int> SetBuffersFn = &NativeApi.SetBuffers;
    private static readonly delegate* unmanaged<long, NativeSpaces*, int> SpacesFn = &NativeApi.GetSpaces;
    private static readonly delegate* unmanaged<long, byte*, long, int> ResetMaskFn = &NativeApi.ResetMask;
    private static readonly delegate* unmanaged<long, ulong*, long, int> ResetSeedsFn = &NativeApi.ResetSeeds;
    private static readonly delegate* unmanaged<long, int> CloseFn = &NativeApi.Close;
    private static readonly delegate* unmanaged<long, byte*> ErrorFn = &NativeApi.LastError;
    private static readonly delegate* unmanaged<byte**, int, int> ListFn = &NativeApi.ListEnvs;

    private static (NativeStatus Status, long Handle) Create(string? id, int n, ulong seed = 1, string mode = "next_step",
        string precision = "float32", string backend = "cpu", params string[] args)
    {
        nint idp = id is null ? 0 : Marshal.StringToCoTaskMemUTF8(id);
        nint bp = Marshal.StringToCoTaskMemUTF8(backend), mp = Marshal.StringToCoTaskMemUTF8(mode), pp = Marshal.StringToCoTaskMemUTF8(precision);
        nint[] argp = args.Select(Marshal.StringToCoTaskMemUTF8).Append(0).ToArray();
        try
        {
            long h;
            fixed (nint* a = argp)
            {
                int s = CreateFn((byte*)idp, (byte**)a, args.Length, n, seed, (byte*)bp, (byte*)mp, (byte*)pp, 1, &h);
                return ((NativeStatus)s, h);
            }
        }
        finally
        {
            foreach (nint p in argp.Append(idp).Append(bp).Append(mp).Append(pp)) Marshal.FreeCoTaskMem(p);
        }
    }

    private static string Error(long handle) => Marshal.PtrToStringUTF8((nint)ErrorFn(handle))!;

    private static NativeStatus Step(long h, params int[] actions)
    {
        fixed (int* a = actions) return (NativeStatus)StepDiscreteFn(h, a, actions.Length);
    }

    [Fact]
    public void Create_step_and_buffers_match_the_vector_env()
    {
        var (status, h) = Create("CartPole-v1", 3, seed: 9);
        Assert.Equal(NativeStatus.Ok, status);
        NativeSpaces sp;
        Assert.Equal(0, SpacesFn(h, &sp));
        Assert.Equal((3, 4, 1, 2), (sp.NumEnvs, sp.ObsSize, sp.ActionDiscrete, sp.ActionN));
        NativeBuffers b;
        Assert.Equal(0, BuffersFn(h, &b));

        using IVectorEnv reference = EnvRegistry.Make("CartPole-v1", 3, new VectorEnvOptions { Seed = 9, AutoReset = AutoResetMode.NextStep, Threads = 1 });
        reference.Reset(9);
        int[] actions = [1, 0, 1];
        for (int t = 0; t < 30; t++)
        {
            Assert.Equal(NativeStatus.Ok, Step(h, actions));
            reference.Step(actions);
            Assert.Equal(reference.Observations.ToArray(), new ReadOnlySpan<float>(b.Observations, 12).ToArray());
            Assert.Equal(reference.Rewards.ToArray(), new ReadOnlySpan<float>(b.Rewards, 3).ToArray());
            for (int i = 0; i < 3; i++)
                Assert.Equal(reference.Terminated[i], b.Terminated[i] != 0);
        }
        Assert.Equal(0, CloseFn(h));
    }

    /// <summary>Caller-owned buffers of one env: every output, filled with a marker so that a copy shows.</summary>
    private sealed class CallerBuffers : IDisposable
    {
        public readonly float[] Obs, FinalObs, Rewards, Returns;
        public readonly byte[] FinalMask, Terminated, Truncated;
        public readonly int[] Lengths;
        private readonly List<GCHandle> _pins = [];

        public CallerBuffers(int n, int obsSize)
        {
            Obs = Marked(new float[n * obsSize]); FinalObs = Marked(new float[n * obsSize]);
            Rewards = Marked(new float[n]); Returns = Marked(new float[n]);
            FinalMask = Enumerable.Repeat((byte)7, n).ToArray(); Terminated = Enumerable.Repeat((byte)7, n).ToArray();
            Truncated = Enumerable.Repeat((byte)7, n).ToArray(); Lengths = Enumerable.Repeat(-7, n).ToArray();
        }

        private static float[] Marked(float[] a) { Array.Fill(a, -777f); return a; }

        private T* Pin<T>(T[] a) where T : unmanaged
        {
            var h = GCHandle.Alloc(a, GCHandleType.Pinned);
            _pins.Add(h);
            return (T*)h.AddrOfPinnedObject();
        }

        public NativeBuffers Pointers() => new()
        {
            Observations = Pin(Obs), FinalObservations = Pin(FinalObs), FinalMask = Pin(FinalMask), Rewards = Pin(Rewards),
            Terminated = Pin(Terminated), Truncated = Pin(Truncated), EpisodeReturns = Pin(Returns), EpisodeLengths = Pin(Lengths),
        };

        public void Dispose() { foreach (var h in _pins) h.Free(); }
    }

    [Fact]
    public void Reset_seeds_matches_the_vector_env_and_refuses_bad_lengths()
    {
        var (_, h) = Create("CartPole-v1", 6, seed: 2);
        NativeBuffers b;
        Assert.Equal(0, BuffersFn(h, &b));
        ulong[] seeds = [11, 22, 33, 44, 55, 66];
        fixed (ulong* p = seeds) Assert.Equal(0, ResetSeedsFn(h, p, 6));
        using IVectorEnv reference = EnvRegistry.Make("CartPole-v1", 6, new VectorEnvOptions { Seed = 8, AutoReset = AutoResetMode.NextStep, Threads = 1 });
        reference.Reset(seeds);
        Assert.Equal(reference.Observations.ToArray(), new ReadOnlySpan<float>(b.Observations, 24).ToArray());

        float[] before = new ReadOnlySpan<float>(b.Observations, 24).ToArray();
        fixed (ulong* p = seeds) Assert.Equal((int)NativeStatus.BufferSize, ResetSeedsFn(h, p, 5));
        Assert.Contains("seeds has length 5; this env needs 6", Error(h));
        Assert.Equal((int)NativeStatus.InvalidArgument, ResetSeedsFn(h, null, 6));
        Assert.Contains("seeds is NULL", Error(h));
        Assert.Equal(before, new ReadOnlySpan<float>(b.Observations, 24).ToArray());
        Assert.Equal(NativeStatus.Ok, Step(h, 1, 0, 1, 0, 1, 0));
        Assert.Equal(0, CloseFn(h));
        fixed (ulong* p = seeds) Assert.Equal((int)NativeStatus.InvalidHandle, ResetSeedsFn(h, p, 6));
    }

    [Theory]
    [InlineData("next_step")]
    [InlineData("same_step")]
    public void Caller_owned_buffers_receive_every_output_after_each_call(string mode)
    {
        var (status, h) = Create("CartPole-v1", 5, seed: 4, mode: mode);
        Assert.Equal(NativeStatus.Ok, status);
        NativeBuffers ours;
        Assert.Equal(0, BuffersFn(h, &ours));
        using var mine = new CallerBuffers(5, 4);
        NativeBuffers p = mine.Pointers();
        Assert.Equal(0, SetBuffersFn(h, &p, 5, 4));
        // Filled at once with the state after creation's reset.
        Assert.Equal(new ReadOnlySpan<float>(ours.Observations, 20).ToArray(), mine.Obs);
        int[] actions = [1, 1, 0, 1, 0];
        bool sawEnd = false;
        for (int t = 0; t < 40; t++)
        {
            Assert.Equal(NativeStatus.Ok, Step(h, actions));
            Assert.Equal(new ReadOnlySpan<float>(ours.Observations, 20).ToArray(), mine.Obs);
            Assert.Equal(new ReadOnlySpan<float>(ours.FinalObservations, 20).ToArray(), mine.FinalObs);
            Assert.Equal(new ReadOnlySpan<float>(ours.Rewards, 5).ToArray(), mine.Rewards);
            Assert.Equal(new ReadOnlySpan<byte>(ours.FinalMask, 5).ToArray(), mine.FinalMask);
            Assert.Equal(new ReadOnlySpan<byte>(ours.Terminated, 5).ToArray(), mine.Terminated);
            Assert.Equal(new ReadOnlySpan<byte>(ours.Truncated, 5).ToArray(), mine.Truncated);
            Assert.Equal(new ReadOnlySpan<float>(ours.EpisodeReturns, 5).ToArray(), mine.Returns);
            Assert.Equal(new ReadOnlySpan<int>(ours.EpisodeLengths, 5).ToArray(), mine.Lengths);
            sawEnd |= mine.Terminated.Any(b => b != 0);
        }
        Assert.True(sawEnd, "no episode ended in 40 steps: the flags were never checked non-zero");

        // NULL stops the copies: the caller's memory keeps the last values.
        float[] before = mine.Obs.ToArray();
        Assert.Equal(0, SetBuffersFn(h, null, 0, 0));
        Assert.Equal(NativeStatus.Ok, Step(h, actions));
        Assert.Equal(before, mine.Obs);
        Assert.NotEqual(new ReadOnlySpan<float>(ours.Observations, 20).ToArray(), mine.Obs);
        Assert.Equal(0, CloseFn(h));
    }

    [Theory]
    [InlineData(4, 4, "num_envs of the caller's buffers has length 4; this env needs 5")]
    [InlineData(5, 3, "obs_size of the caller's buffers has length 3; this env needs 4")]
    public void Caller_buffers_of_the_wrong_size_are_refused_and_change_nothing(long numEnvs, long obsSize, string message)
    {
        var (_, h) = Create("CartPole-v1", 5, seed: 4);
        using var mine = new CallerBuffers(5, 4);
        NativeBuffers p = mine.Pointers();
        Assert.Equal((int)NativeStatus.BufferSize, SetBuffersFn(h, &p, numEnvs, obsSize));
        Assert.Contains(message, Error(h));
        // Nothing was registered: steps leave the caller's memory alone, and the env is still usable.
        Assert.Equal(NativeStatus.Ok, Step(h, 1, 0, 1, 0, 1));
        Assert.All(mine.Obs, x => Assert.Equal(-777f, x));
        Assert.Equal((int)NativeStatus.InvalidHandle, SetBuffersFn(987654, &p, 5, 4));
        Assert.Equal(0, CloseFn(h));
        Assert.Equal((int)NativeStatus.InvalidHandle, SetBuffersFn(h, &p, 5, 4));
    }

    [Fact]
    public void Bad_calls_return_codes_with_messages_and_leave_the_env_usable()
    {
        var (status, h) = Create("CartPole-v1", 2);
        Assert.Equal(NativeStatus.Ok, status);
        NativeBuffers b;
        BuffersFn(h, &b);
        float before = b.Observations[0];

        Assert.Equal(NativeStatus.InvalidAction, Step(h, 0, 2));
        Assert.Contains("[0, 2)", Error(h));
        Assert.DoesNotContain("\n", Error(h));
        Assert.Equal(before, b.Observations[0]);
        Assert.Equal(NativeStatus.BufferSize, Step(h, 0, 1, 0));
        Assert.Contains("length 3", Error(h));
        Assert.Equal(NativeStatus.InvalidArgument, (NativeStatus)StepDiscreteFn(h, null, 2));
        float[] cont = [0.5f, 0.5f];
        fixed (float* c = cont) Assert.Equal(NativeStatus.InvalidAction, (NativeStatus)StepContinuousFn(h, c, 2));
        byte[] mask = [1, 1, 1];
        fixed (byte* m = mask) Assert.Equal(NativeStatus.BufferSize, (NativeStatus)ResetMaskFn(h, m, 3));

        Assert.Equal(NativeStatus.Ok, Step(h, 0, 1)); // still usable
        Assert.Equal(string.Empty, Error(h));        // a successful call clears the message
        Assert.Equal(0, CloseFn(h));
        Assert.Equal(NativeStatus.InvalidHandle, Step(h, 0, 1));
        Assert.Contains("closed", Error(h));
        Assert.Equal(NativeStatus.InvalidHandle, (NativeStatus)CloseFn(h));
        Assert.Equal(NativeStatus.InvalidHandle, Step(0, 0, 1));
        NativeSpaces sp;
        Assert.Equal((int)NativeStatus.InvalidHandle, SpacesFn(-5, &sp));
    }

    [Fact]
    public void Nan_action_is_rejected()
    {
        var (_, h) = Create("Pendulum-v1", 2);
        float[] a = [0f, float.NaN];
        fixed (float* p = a) Assert.Equal(NativeStatus.InvalidAction, (NativeStatus)StepContinuousFn(h, p, 2));
        Assert.Contains("finite", Error(h));
        a[1] = 1f;
        fixed (float* p = a) Assert.Equal(NativeStatus.Ok, (NativeStatus)StepContinuousFn(h, p, 2));
        CloseFn(h);
    }

    [Theory]
    [InlineData("NoSuch-v0", NativeStatus.UnknownEnv, "CartPole-v1")]
    [InlineData(null, NativeStatus.InvalidArgument, "NULL")]
    public void Create_rejects_bad_ids(string? id, NativeStatus expected, string inMessage)
    {
        var (status, h) = Create(id, 2);
        Assert.Equal(expected, status);
        Assert.Equal(0, h);
        Assert.Contains(inMessage, Error(0));
    }

    [Fact]
    public void Create_rejects_bad_options()
    {
        Assert.Equal(NativeStatus.InvalidArgument, Create("CartPole-v1", 2, mode: "sometimes").Status);
        Assert.Contains("next_step", Error(0));
        Assert.Equal(NativeStatus.InvalidArgument, Create("CartPole-v1", 2, precision: "float16").Status);
        Assert.Equal(NativeStatus.InvalidArgument, Create("CartPole-v1", 2, precision: "float64", backend: "gpu-cpu").Status);
        Assert.Equal(NativeStatus.InvalidArgument, Create("CartPole-v1", 0).Status);
        Assert.Equal(NativeStatus.InvalidArgument, Create("FrozenLake-v1", 2, args: "map_name=13x13").Status);
        Assert.Equal(NativeStatus.InvalidArgument, Create("CartPole-v1", 2, args: "noequals").Status);
    }

    [Fact]
    public void Float64_precision_matches_the_double_backend()
    {
        var (_, h) = Create("Acrobot-v1", 2, seed: 4, precision: "float64");
        NativeBuffers b;
        BuffersFn(h, &b);
        using IVectorEnv reference = EnvRegistry.Make("Acrobot-v1", 2, new VectorEnvOptions { Backend = Backend.CpuDouble, Seed = 4, AutoReset = AutoResetMode.NextStep });
        reference.Reset(4);
        for (int t = 0; t < 10; t++)
        {
            Step(h, t % 3, 2);
            reference.Step([t % 3, 2]);
        }
        Assert.Equal(reference.Observations.ToArray(), new ReadOnlySpan<float>(b.Observations, 12).ToArray());
        CloseFn(h);
    }

    /// <summary>Envs without pinned outputs (the GPU runner, wrappers) go through the copying path.</summary>
    [Theory]
    [InlineData("gpu-cpu", Backend.GpuCpuAccelerator, null)]
    [InlineData("cpu", Backend.Cpu, "normalize_obs=true")]
    public void Copying_path_matches_the_vector_env(string backendName, Backend backend, string? envArg)
    {
        string[] args = envArg is null ? [] : [envArg];
        var (status, h) = Create("CartPole-v1", 3, seed: 5, mode: "same_step", backend: backendName, args: args);
        Assert.True(status == NativeStatus.Ok, Error(0));
        NativeSpaces sp;
        SpacesFn(h, &sp);
        NativeBuffers b;
        BuffersFn(h, &b);
        var envArgs = envArg is null ? null : new Dictionary<string, string> { [envArg.Split('=')[0]] = envArg.Split('=')[1] };
        using IVectorEnv reference = EnvRegistry.Make("CartPole-v1", 3, new VectorEnvOptions { Backend = backend, Seed = 5, AutoReset = AutoResetMode.SameStep, Threads = 1 }, envArgs);
        reference.Reset(5);
        Assert.Equal(reference.Spec.ObsSize, sp.ObsSize);
        int ended = 0;
        for (int t = 0; t < 40; t++)
        {
            Assert.Equal(NativeStatus.Ok, Step(h, 1, 1, 0));
            reference.Step([1, 1, 0]);
            Assert.Equal(reference.Observations.ToArray(), new ReadOnlySpan<float>(b.Observations, 3 * sp.ObsSize).ToArray());
            for (int i = 0; i < 3; i++)
            {
                bool end = reference.Terminated[i] || reference.Truncated[i];
                Assert.Equal(end, b.FinalMask[i] != 0);
                if (!end) continue;
                ended++;
                Assert.Equal(reference.FinalObservations.Slice(i * sp.ObsSize, sp.ObsSize).ToArray(), new ReadOnlySpan<float>(b.FinalObservations + i * sp.ObsSize, sp.ObsSize).ToArray());
            }
        }
        Assert.True(ended > 0, "no episode ended: the final-observation path was not exercised");
        CloseFn(h);
    }

    [Fact]
    public void List_envs_returns_every_registered_id()
    {
        int n = ListFn(null, 0);
        var ids = new nint[n];
        fixed (nint* p = ids) Assert.Equal(n, ListFn((byte**)p, n));
        Assert.Equal(EnvRegistry.Ids, ids.Select(i => Marshal.PtrToStringUTF8(i)!).ToList());
    }
}
