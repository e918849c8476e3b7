using System.Diagnostics;
using System.Text.Json;

namespace RlKernels.Cli.Commands;

/// <summary>What one peer measurement gave: a rate, or why there is none.</summary>
/// <param name="Available">True when the peer ran.</param>
/// <param name="Median">Median env-steps per second (NaN when not available).</param>
/// <param name="Min">Slowest repeat.</param>
/// <param name="Max">Fastest repeat.</param>
/// <param name="Repeats">Timed repeats behind the median.</param>
/// <param name="Note">Versions when available; the reason otherwise.</param>
public sealed record PeerResult(bool Available, double Median, double Min, double Max, int Repeats, string Note)
{
    /// <summary>A peer that could not be measured, and why.</summary>
    public static PeerResult NotAvailable(string reason) => new(false, double.NaN, double.NaN, double.NaN, 0, reason);
}

/// <summary>
/// <c>rlk bench --peers</c>: Gymnasium's NumPy <c>CartPoleVectorEnv</c> stepped by a Python subprocess on
/// the same machine in the same run, so the comparison is same-minute. The script measures as
/// <c>rlk bench</c> does (warm-up, timed repeats of back-to-back steps with random actions, the median) and
/// prints one JSON line; no NumPy or Gymnasium, or no python3, gives a "not available" result rather than an error.
/// </summary>
public static class GymnasiumPeer
{
    /// <summary>The script: argv = envs, seconds per repeat, repeats. Actions are drawn before timing (64 sets, reused).</summary>
    internal const string Script = """
        import json, sys, time
        try:
            import numpy as np
            import gymnasium
            from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
        except Exception as e:
            print(json.dumps({"available": False, "reason": f"{type(e).__name__}: {e}"}))
            sys.exit(0)
        n, seconds, repeats = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
        env = CartPoleVectorEnv(num_envs=n)
        env.reset(seed=20240611)
        actions = np.random.default_rng(0).integers(0, 2, size=(64, n))
        t0 = time.perf_counter()
        i = 0
        while i < 16 or time.perf_counter() - t0 < 0.3:
            env.step(actions[i % 64]); i += 1
        rates = []
        for _ in range(repeats):
            steps = 0
            start = time.perf_counter()
            while True:
                env.step(actions[steps % 64]); steps += 1
                elapsed = time.perf_counter() - start
                if elapsed >= seconds:
                    break
            rates.append(n * steps / elapsed)
        print(json.dumps({"available": True, "rates": rates,
                          "versions": f"gymnasium {gymnasium.__version__}, numpy {np.__version__}"}))
        """;

    /// <summary>
    /// Runs the script with <paramref name="python"/> for <paramref name="envCount"/> envs. Never throws
    /// for a missing or failing interpreter: that is a "not available" result with the reason.
    /// </summary>
    public static PeerResult Measure(string python, int envCount, double seconds, int repeats)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(envCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(repeats.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e)
        {
            return PeerResult.NotAvailable($"cannot start {python}: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Warm-up, repeats and interpreter start-up, with a generous margin.
            var limit = TimeSpan.FromSeconds(60 + seconds * repeats * 2);
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                return PeerResult.NotAvailable($"{python} did not finish within {limit.TotalSeconds:0} s");
            }
            process.WaitForExit();
            return Parse(stdout.Result, process.ExitCode, stderr.Result);
        }
    }

    /// <summary>The result the script's output stands for: its last non-empty stdout line, a JSON object.</summary>
    public static PeerResult Parse(string stdout, int exitCode, string stderr)
    {
        string? last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (exitCode != 0 || last is null)
        {
            string why = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
            return PeerResult.NotAvailable($"python exited with code {exitCode}: {why}");
        }
        try
        {
            using var doc = JsonDocument.Parse(last);
            var root = doc.RootElement;
            if (!root.GetProperty("available").GetBoolean())
                return PeerResult.NotAvailable(root.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "" : "not available");
            var rates = root.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).Order().ToArray();
            if (rates.Length == 0 || rates.Any(r => !(r > 0) || !double.IsFinite(r)))
                return PeerResult.NotAvailable($"unexpected rates in the peer's output: {last}");
            int mid = rates.Length / 2;
            double median = rates.Length % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
            string versions = root.TryGetProperty("versions", out var v) ? v.GetString() ?? "" : "";
            return new PeerResult(true, median, rates[0], rates[^1], rates.Length, versions);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return PeerResult.NotAvailable($"unexpected output from the peer script: {Truncate(last)}");
        }
    }

    private static string Truncate(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
