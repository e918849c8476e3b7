namespace RlKernels.Cli.Commands;

/// <summary>Exception messages as a person should read them on stderr.</summary>
internal static class CliErrors
{
    /// <summary>
    /// The message on one line, without .NET's " (Parameter 'x')" suffix (it names a C# parameter, not a flag)
    /// and without the "Actual value was …" line of an <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static string Message(Exception e)
    {
        string message = e is ArgumentOutOfRangeException { ActualValue: not null } range
            ? range.Message.Split(Environment.NewLine)[0]
            : e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.IndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, suffix.Length);
        }
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>
    /// The exception from ILGPU in <paramref name="e"/> or its inner exceptions, if any: a kernel the device's
    /// compiler rejects, or a driver or launch failure. The README's exit-code table files these under device
    /// errors (exit 3), not bad input, even where they surface while a command checks its arguments.
    /// </summary>
    public static Exception? DeviceError(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x.GetType().Namespace is { } ns && (ns == "ILGPU" || ns.StartsWith("ILGPU.", StringComparison.Ordinal))) return x;
        return null;
    }
}
