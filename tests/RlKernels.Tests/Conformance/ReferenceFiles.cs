using System.Globalization;

namespace RlKernels.Tests.Conformance;

/// <summary>The Gymnasium reference files and edited copies of them.</summary>
internal static class ReferenceFiles
{
    public static string Directory => TestPaths.GymnasiumReferenceDir;

    public static string Get(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// Copies reference file <paramref name="name"/> into <paramref name="target"/> with the value in
    /// column <paramref name="column"/> of data row <paramref name="row"/> replaced by edit(old value).
    /// Returns the copy's path.
    /// </summary>
    public static string CopyWithEdit(string name, TempDirectory target, int row, string column, Func<double, double> edit)
    {
        string[] lines = File.ReadAllLines(Get(name));
        int c = Array.IndexOf(lines[0].Split(','), column);
        if (c < 0) throw new ArgumentException($"{name} has no column {column}.");
        string[] fields = lines[row + 1].Split(',');
        double old = double.Parse(fields[c], CultureInfo.InvariantCulture);
        fields[c] = edit(old).ToString("R", CultureInfo.InvariantCulture);
        lines[row + 1] = string.Join(',', fields);
        string path = target.File(name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
