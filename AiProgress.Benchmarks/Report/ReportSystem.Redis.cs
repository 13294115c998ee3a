namespace AiProgress.Benchmarks.Report;

/// <summary>What the report asks of its Redis: commands and script time (INFO), and its log kept out of the windows.</summary>
internal sealed partial class ReportSystem
{
    public async Task<long> RedisCommandsAsync()
    {
        var info = await Admin.GetServers()[0].InfoAsync("stats");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Calls of the append script (EVALSHA and EVAL) and the microseconds Redis spent in them (INFO commandstats).</summary>
    public async Task<(long Calls, long Micros)> RedisScriptTimeAsync()
    {
        var stats = (await Admin.GetServers()[0].InfoAsync("commandstats")).SelectMany(g => g)
            .Where(p => p.Key is "cmdstat_evalsha" or "cmdstat_eval")
            .Select(p => p.Value.Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]));
        long calls = 0, micros = 0;
        foreach (var stat in stats)
        {
            calls += long.Parse(stat["calls"], System.Globalization.CultureInfo.InvariantCulture);
            micros += long.Parse(stat["usec"], System.Globalization.CultureInfo.InvariantCulture);
        }

        return (calls, micros);
    }

    /// <summary>
    /// Redis rewrites its append-only log on its own once it has doubled (forking a child that rewrites every key),
    /// which lands wherever the growth happens to cross the line. Rewritten here, between cases, and written back to
    /// disk, it does not land in a measured window; <see cref="RedisLogRewritesAsync"/> tells whether one did anyway.
    /// </summary>
    private async Task CompactRedisLogAsync()
    {
        var server = Admin.GetServers()[0];
        while (await RedisPersistenceAsync("aof_rewrite_in_progress") != "0") await Task.Delay(100);
        await server.ExecuteAsync("BGREWRITEAOF");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline &&
               (await RedisPersistenceAsync("aof_rewrite_in_progress") != "0" || await RedisPersistenceAsync("aof_rewrite_scheduled") != "0"))
        {
            await Task.Delay(100);
        }

        // The rewrite leaves hundreds of MB for the kernel to write back: flushed now, not during the case's fsyncs.
        using var sync = System.Diagnostics.Process.Start("sync");
        await sync.WaitForExitAsync();
    }

    /// <summary>How many times Redis has rewritten its append-only log since it started.</summary>
    public async Task<long> RedisLogRewritesAsync() =>
        long.Parse(await RedisPersistenceAsync("aof_rewrites"), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> RedisPersistenceAsync(string field) =>
        (await Admin.GetServers()[0].InfoAsync("persistence")).SelectMany(g => g).First(p => p.Key == field).Value;
}
