using System.Globalization;

namespace RlKernels.Envs.Conformance;

/// <summary>
/// One difference between our tabular model and a reference P table. <see cref="Field"/> is one of
/// <c>prob</c>, <c>next_state</c>, <c>reward</c>, <c>terminated</c> (of outcome <see cref="Outcome"/> of
/// (<see cref="State"/>, <see cref="Action"/>)), <c>outcomes</c> (the length of the (s, a) list),
/// <c>initial</c> (the initial distribution at <see cref="State"/>), or <c>n_states</c>/<c>n_actions</c>.
/// </summary>
/// <param name="State">s, or −1 for a whole-model field.</param>
/// <param name="Action">a, or −1 where no action applies.</param>
/// <param name="Outcome">0-based index in the (s, a) outcome list, or −1 where none applies.</param>
/// <param name="Field">Which value differs.</param>
/// <param name="Ours">Our value (doubles as round-trip text).</param>
/// <param name="Theirs">The reference value.</param>
/// <param name="Line">1-based line of the reference row, where there is one.</param>
public sealed record TabularMismatch(int State, int Action, int Outcome, string Field, string Ours, string Theirs, int? Line)
{
    /// <summary>One line: where (state, action, outcome, field), our value vs theirs, and the reference line.</summary>
    public override string ToString()
    {
        string where = (Field, Outcome) switch
        {
            ("initial", _) => $"initial distribution at s={State}",
            ("n_states" or "n_actions", _) => Field,
            (_, < 0) => $"(s={State}, a={Action}) {Field}",
            _ => $"(s={State}, a={Action}, outcome {Outcome}) {Field}",
        };
        string line = Line is { } l ? $" (line {l.ToString(CultureInfo.InvariantCulture)})" : "";
        return $"{where}: ours {Ours} vs theirs {Theirs}{line}";
    }
}

/// <summary>
/// The check of one reference P-table file (data/reference/gymnasium-toytext) against the tabular
/// model our registry builds for the sidecar's env id and make_kwargs. Comparison is exact.
/// </summary>
/// <param name="File">Reference CSV file name.</param>
/// <param name="EnvId">The registered env compared with (from the sidecar's env_id), or the sidecar's model name when none.</param>
/// <param name="EnvArgs">The env arguments built from make_kwargs, as KEY=VALUE, comma separated ("" for none).</param>
/// <param name="Status">Pass, Fail (a mismatch), Skipped (no such env here) or Error (unusable file or kwargs).</param>
/// <param name="States">Reference state count (0 when not read).</param>
/// <param name="Actions">Reference action count (0 when not read).</param>
/// <param name="Entries">Outcome entries compared (per (s, a), the common prefix of both lists).</param>
/// <param name="MismatchCount">All differences found (entry fields, list lengths, initial distribution, sizes).</param>
/// <param name="Mismatches">The first few of them, in (s, a, outcome) order, the initial distribution last.</param>
/// <param name="InitialDistributionCompared">False when the sidecar gives no initial distribution (or nothing ran).</param>
/// <param name="Message">Why it failed, was skipped or could not be checked; for a pass, a note or null.</param>
public sealed record TabularConformanceResult(
    string File,
    string EnvId,
    string EnvArgs,
    ConformanceStatus Status,
    int States,
    int Actions,
    int Entries,
    int MismatchCount,
    IReadOnlyList<TabularMismatch> Mismatches,
    bool InitialDistributionCompared,
    string? Message)
{
    /// <summary>A result for a file that was not compared.</summary>
    public static TabularConformanceResult NotRun(string file, string envId, string envArgs, ConformanceStatus status, string message) =>
        new(file, envId, envArgs, status, 0, 0, 0, 0, [], false, message);

    /// <summary>True for statuses that make the whole check fail.</summary>
    public bool IsFailure => Status is ConformanceStatus.Fail or ConformanceStatus.Error;
}
