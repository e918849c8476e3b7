namespace RlKernels.Cli.Commands;

/// <summary>Exception messages as a person should read them on stderr.</summary>
internal static class CliErrors
{
    /// <summary>The message without .NET's " (Parameter 'x')" suffix, which names a C# parameter, not a flag.</summary>
    public static string Message(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.IndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, suffix.Length);
        }
        return message;
    }
}
