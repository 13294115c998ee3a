using System.Text.Json;
using System.Text.Json.Nodes;
using AiProgress.Testing;

namespace AiProgress.Benchmarks;

/// <summary>
/// docs/BENCHMARKS.md and docs/benchmarks.json: each benchmark rewrites its own section (between markers) and its
/// own key, so running one leaves the others' figures alone. The machine is said once, at the top.
/// </summary>
internal static class BenchmarkDocs
{
    private static string Docs => Path.Combine(RepositoryPaths.Root, "docs");

    public static async Task WriteSectionAsync(string key, string markdown, JsonNode json)
    {
        Directory.CreateDirectory(Docs);
        var mdPath = Path.Combine(Docs, "BENCHMARKS.md");
        var document = File.Exists(mdPath) ? await File.ReadAllTextAsync(mdPath) : Header();
        var (begin, end) = ($"<!-- {key}:begin -->", $"<!-- {key}:end -->");
        var block = $"{begin}\n{markdown.Trim()}\n{end}";
        var at = document.IndexOf(begin, StringComparison.Ordinal);
        document = at >= 0
            ? document[..at] + block + document[(document.IndexOf(end, at, StringComparison.Ordinal) + end.Length)..]
            : document.TrimEnd() + "\n\n" + block + "\n";
        await File.WriteAllTextAsync(mdPath, document);

        var jsonPath = Path.Combine(Docs, "benchmarks.json");
        var root = File.Exists(jsonPath) ? JsonNode.Parse(await File.ReadAllTextAsync(jsonPath))!.AsObject() : new JsonObject();
        root["machine"] = Machine();
        root[key] = json;
        await File.WriteAllTextAsync(jsonPath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Header() => $"""
        # Benchmarks

        Measured by `dotnet run -c Release --project AiProgress.Benchmarks -- <benchmark>` on real redis-server and
        MariaDB (private, in temporary folders) with the real API and worker; figures are from one run on the machine
        below, so ratios hold better than absolutes. Machine: {Machine()["summary"]}.

        """;

    private static JsonObject Machine() => new()
    {
        ["cores"] = Environment.ProcessorCount,
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["dotnet"] = Environment.Version.ToString(),
        ["summary"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
    };
}
