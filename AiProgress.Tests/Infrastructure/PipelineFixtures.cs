namespace AiProgress.Tests.Infrastructure;

/// <summary>The pipeline without an in-process worker: tests start their own (in process, or as processes to kill).</summary>
public class ApiOnlyFixture : PipelineFixture
{
    protected override bool StartWorker => false;
}

/// <summary>Without a worker; the API also accepts the real local model, which a test's own LLM server process serves.</summary>
public class SelfHealingFixture : ApiOnlyFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ollama.AlsoListed.Add("stories260K");
    }
}

/// <summary>Without a worker, and with a MariaDB of its own, so that tests may stop and restart the database.</summary>
public class WorkerlessFixture : ApiOnlyFixture
{
    protected override bool PrivateDatabaseServer => true;
}

/// <summary>Streams re-read the row every second instead of every five, so a lost event shows quickly.</summary>
public class FastRowCheckFixture : PipelineFixture
{
    protected override TimeSpan? DatabaseCheckInterval => TimeSpan.FromSeconds(1);
}

/// <summary>One worker that takes hundreds of jobs at once, on a MariaDB of its own so its connections crowd no other test.</summary>
public class ManyJobsFixture : PipelineFixture
{
    public const int MaxConcurrentJobs = 500;

    protected override bool PrivateDatabaseServer => true;

    protected override Dictionary<string, string?> WorkerSettings()
    {
        var settings = base.WorkerSettings();
        settings["Worker:MaxConcurrentJobs"] = MaxConcurrentJobs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Hundreds of streams start within a second on two cores: the first token may wait a moment.
        settings["Worker:FirstTokenTimeout"] = "00:00:30";
        settings["Worker:TokenTimeout"] = "00:00:10";
        return settings;
    }
}

/// <summary>Without a worker (jobs stay queued), on a MariaDB of its own whose counters only these tests move.</summary>
public class QuickRowCheckWorkerlessFixture : WorkerlessFixture
{
    protected override TimeSpan? DatabaseCheckInterval => TimeSpan.FromMilliseconds(250);
}

/// <summary>With a worker, on a MariaDB of its own, and streams that would re-read the row four times a second.</summary>
public class QuickRowCheckFixture : PipelineFixture
{
    protected override bool PrivateDatabaseServer => true;

    protected override TimeSpan? DatabaseCheckInterval => TimeSpan.FromMilliseconds(250);
}
