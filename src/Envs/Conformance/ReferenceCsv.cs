using System.Globalization;

namespace RlKernels.Envs.Conformance;

/// <summary>
/// One Gymnasium reference file (format: data/reference/gymnasium/README.md): a header line of column
/// names, then one transition per line, every field a number written by Python's repr(). Numbers are
/// parsed as double with the invariant culture, which round-trips repr() exactly.
/// </summary>
public sealed class ReferenceCsv
{
    private readonly string[] _columns;
    private readonly Dictionary<string, int> _columnIndex;
    private readonly double[] _values; // [RowCount, ColumnCount] row-major

    private ReferenceCsv(string file, string[] columns, Dictionary<string, int> columnIndex, double[] values)
    {
        File = file;
        _columns = columns;
        _columnIndex = columnIndex;
        _values = values;
        RowCount = columns.Length == 0 ? 0 : values.Length / columns.Length;
    }

    /// <summary>The file name used in messages.</summary>
    public string File { get; }

    /// <summary>Column names in header order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Data rows (the header is not counted).</summary>
    public int RowCount { get; }

    /// <summary>The value in data row <paramref name="row"/> (0-based), column <paramref name="column"/> (header order).</summary>
    public double this[int row, int column] => _values[row * _columns.Length + column];

    /// <summary>The 1-based file line of data row <paramref name="row"/>.</summary>
    public static int LineOf(int row) => row + 2;

    /// <summary>True and the column's index if the header has <paramref name="name"/>.</summary>
    public bool TryGetColumn(string name, out int index) => _columnIndex.TryGetValue(name, out index);

    /// <summary>The column's index; a missing column is an error that names the file and lists the header.</summary>
    public int GetColumn(string name) =>
        _columnIndex.TryGetValue(name, out int index)
            ? index
            : throw new ReferenceCsvException(File, 1, name, $"required column is missing; the header has: {string.Join(", ", _columns)}.");

    /// <summary>
    /// The env id a reference file is for: its name up to the first dot, so "CartPole-v1.csv" and
    /// "CartPole-v1.heuristic.csv" are both "CartPole-v1" (Gymnasium ids contain no dots).
    /// </summary>
    public static string EnvIdFromFileName(string path)
    {
        string name = Path.GetFileName(path);
        int dot = name.IndexOf('.');
        return dot < 0 ? name : name[..dot];
    }

    /// <summary>Reads and parses <paramref name="path"/>.</summary>
    public static ReferenceCsv Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, Path.GetFileName(path));
    }

    /// <summary>Parses CSV text; <paramref name="file"/> names the source in error messages.</summary>
    public static ReferenceCsv Parse(TextReader reader, string file)
    {
        string? header = reader.ReadLine();
        if (header is null || header.Trim().Length == 0)
            throw new ReferenceCsvException(file, 1, null, "the file is empty; expected a header line of column names.");

        string[] columns = header.Split(',');
        var columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < columns.Length; c++)
        {
            string name = columns[c].Trim();
            if (name.Length == 0)
                throw new ReferenceCsvException(file, 1, null, $"header field {c + 1} is empty.");
            if (!columnIndex.TryAdd(name, c))
                throw new ReferenceCsvException(file, 1, name, "the column name appears twice in the header.");
            columns[c] = name;
        }

        var values = new List<double>();
        int line = 1;
        bool sawBlank = false;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0 || (text.Length == 1 && text[0] == '\r'))
            {
                sawBlank = true; // only trailing blank lines are allowed
                continue;
            }
            if (sawBlank)
                throw new ReferenceCsvException(file, line - 1, null, "blank line inside the data.");

            // Split by hand: one pass, no per-field allocations beyond the spans.
            ReadOnlySpan<char> rest = text.AsSpan().TrimEnd('\r');
            for (int c = 0; c < columns.Length; c++)
            {
                int comma = rest.IndexOf(',');
                bool last = c == columns.Length - 1;
                if (last && comma >= 0)
                    throw new ReferenceCsvException(file, line, null, $"more than the header's {columns.Length} fields.");
                if (!last && comma < 0)
                    throw new ReferenceCsvException(file, line, columns[c + 1], $"only {c + 1} of the header's {columns.Length} fields.");
                ReadOnlySpan<char> field = last ? rest : rest[..comma];
                values.Add(ParseNumber(field, file, line, columns[c]));
                if (!last) rest = rest[(comma + 1)..];
            }
        }
        return new ReferenceCsv(file, columns, columnIndex, values.ToArray());
    }

    private static double ParseNumber(ReadOnlySpan<char> field, string file, int line, string column)
    {
        ReadOnlySpan<char> text = field.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            return value;
        // Python's repr() spells the non-finite values inf, -inf and nan.
        if (text.Equals("inf", StringComparison.Ordinal)) return double.PositiveInfinity;
        if (text.Equals("-inf", StringComparison.Ordinal)) return double.NegativeInfinity;
        if (text.Equals("nan", StringComparison.Ordinal)) return double.NaN;
        string shown = text.Length == 0 ? "an empty field" : $"'{text.ToString()}'";
        throw new ReferenceCsvException(file, line, column, $"{shown} is not a number.");
    }
}
