using System.Globalization;
using RlKernels.Envs.Registry;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// Settings of running observation normalization (Gymnasium's NormalizeObservation, gymnasium/wrappers/
/// stateful_observation.py and vector/stateful_observation.py): obs ← clip((obs − mean) / sqrt(var + ε), ±clip).
/// </summary>
/// <remarks>
/// Env arguments: <c>normalize_obs=true</c>, <c>normalize_obs_epsilon=E</c> (default 1e-8, as Gymnasium),
/// <c>normalize_obs_clip=C</c> (default none, as Gymnasium; Stable-Baselines3's VecNormalize uses 10).
/// </remarks>
public sealed record ObservationNormalization
{
    /// <summary>Added to the variance under the square root (&gt; 0).</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Normalized values are clipped to [−Clip, Clip]; +∞ = no clip.</summary>
    public double Clip { get; init; } = double.PositiveInfinity;

    /// <summary>Throws where a setting is out of range.</summary>
    public void Validate()
    {
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "normalize_obs_epsilon must be a finite number > 0.");
        if (!(Clip > 0))
            throw new ArgumentOutOfRangeException(nameof(Clip), Clip, "normalize_obs_clip must be > 0.");
    }

    /// <summary>The normalization the env arguments ask for, or null where <c>normalize_obs</c> is off.</summary>
    public static ObservationNormalization? Parse(EnvArgs args)
    {
        bool on = args.GetBool("normalize_obs", false);
        string? epsilon = args.GetString("normalize_obs_epsilon");
        string? clip = args.GetString("normalize_obs_clip");
        if (!on)
        {
            if (epsilon is not null || clip is not null)
                throw new ArgumentException("Env arguments normalize_obs_epsilon and normalize_obs_clip need normalize_obs=true.");
            return null;
        }
        var settings = new ObservationNormalization
        {
            Epsilon = epsilon is null ? 1e-8 : Number("normalize_obs_epsilon", epsilon),
            Clip = clip is null ? double.PositiveInfinity : Number("normalize_obs_clip", clip),
        };
        settings.Validate();
        return settings;
    }

    private static double Number(string key, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new ArgumentException($"Env argument {key}='{text}' is not a number.");
}
