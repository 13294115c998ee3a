using AiProgress.Testing;
using MySqlConnector;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// Figure 2c: how many short jobs per second one worker finishes, with several jobs at once and with one. The jobs
/// are queued through the API while no worker runs; then a worker starts and drains them.
/// </summary>
internal static class ThroughputBenchmark
{
    public static async Task RunAsync(LiveSystem system, ScriptedOllama ollama, string database, int jobs, int runs)
    {
        ollama.DefaultScript = OllamaScript.Timestamped(1000);
        int[] concurrency = [4, 1];
        var rates = concurrency.ToDictionary(k => k, _ => new List<double>());
        var completed = concurrency.ToDictionary(k => k, _ => 0);
        var others = new List<string>();
        for (var run = 0; run < runs; run++)
        {
            foreach (var k in run % 2 == 0 ? concurrency : Enumerable.Reverse(concurrency))
            {
                var (rate, statuses) = await DrainAsync(system, database, k, jobs, $"throughput k={k} run={run}");
                rates[k].Add(rate);
                completed[k] += statuses.GetValueOrDefault("completed");
                others.AddRange(statuses.Where(s => s.Key != "completed").Select(s => $"{s.Value} {s.Key} (MaxConcurrentJobs {k}, run {run})"));
            }
        }

        // A job's entry is deleted just after its row is completed: give the last ones a moment.
        var queue = await system.QueueStateAsync();
        for (var wait = 0; wait < 40 && queue.Length > 0; wait++)
        {
            await Task.Delay(50);
            queue = await system.QueueStateAsync();
        }

        await system.StopWorkerAsync();
        await system.StartWorkerAsync(4);

        Console.WriteLine();
        Console.WriteLine($"### 2c. Jobs per second: {jobs} jobs of 10 tokens at 1000 tok/s, queued first, then drained by one worker");
        Console.WriteLine();
        Console.WriteLine("| Worker:MaxConcurrentJobs | completed | jobs/s (median) | runs |");
        Console.WriteLine("|-------------------------:|----------:|----------------:|------|");
        foreach (var k in concurrency)
        {
            Console.WriteLine($"| {k} | {completed[k]}/{jobs * runs} | {Stats.F(Stats.Median(rates[k]))} | {string.Join(", ", rates[k].Select(r => Stats.F(r)))} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Ratio 4 / 1: {Stats.F(Stats.Median(rates[4].Zip(rates[1], (a, b) => a / b)), "F2")} (median of per-run ratios). " +
                          "jobs/s = jobs / (last completed_at − first started_at), from the rows.");
        Console.WriteLine($"Queue stream after the last drain: {queue.Length} entries, {queue.Pending} pending (every finished job's entry is deleted).");
        foreach (var other in others)
        {
            Console.WriteLine($"NOT COMPLETED: {other}");
        }
    }

    private static async Task<(double Rate, Dictionary<string, int> Statuses)> DrainAsync(
        LiveSystem system, string database, int maxConcurrentJobs, int jobs, string prompt)
    {
        await system.StopWorkerAsync();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= jobs)
            {
                await system.CreateJobAsync(prompt, 10);
            }
        }));

        await system.StartWorkerAsync(maxConcurrentJobs);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        await using var connection = new MySqlConnection(database);
        await connection.OpenAsync();
        while (true)
        {
            var (statuses, first, last) = await ReadAsync(connection, prompt);
            var ended = statuses.Where(s => s.Key is "completed" or "failed" or "cancelled").Sum(s => s.Value);
            if (ended == jobs || DateTime.UtcNow > deadline)
            {
                return ((last - first).TotalSeconds is > 0 and var seconds ? statuses.GetValueOrDefault("completed") / seconds : double.NaN, statuses);
            }

            await Task.Delay(50);
        }
    }

    private static async Task<(Dictionary<string, int> Statuses, DateTime First, DateTime Last)> ReadAsync(MySqlConnection connection, string prompt)
    {
        await using var command = new MySqlCommand(
            "SELECT status, COUNT(*), MIN(started_at), MAX(completed_at) FROM ai_generation_jobs WHERE prompt = @prompt GROUP BY status", connection);
        command.Parameters.AddWithValue("@prompt", prompt);
        var statuses = new Dictionary<string, int>();
        DateTime first = DateTime.MaxValue, last = DateTime.MinValue;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statuses[reader.GetString(0)] = reader.GetInt32(1);
            if (!reader.IsDBNull(2) && reader.GetDateTime(2) < first) first = reader.GetDateTime(2);
            if (!reader.IsDBNull(3) && reader.GetDateTime(3) > last) last = reader.GetDateTime(3);
        }

        return (statuses, first, last);
    }
}
