namespace AiProgress.AppHost.Hosting;

/// <summary>
/// <c>AppHost:Restart</c>: how a long-running resource that exits on its own is brought back, in the manner of
/// Docker's <c>on-failure</c> and Kubernetes' CrashLoopBackOff: at once the first time, then with a delay that
/// doubles up to a cap, reset once the resource has stayed up a while.
/// </summary>
public sealed class RestartPolicy
{
    public const string SectionName = "AppHost:Restart";

    public bool Enabled { get; set; } = true;
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Up this long, a resource's next crash counts as its first again.</summary>
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>This many crashes in a row without a stable run is a crash loop: said on the dashboard and in the log.</summary>
    public int CrashLoopAfter { get; set; } = 3;

    public TimeSpan DelayBefore(int restart) => restart <= 1
        ? InitialDelay
        : TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, InitialDelay.Ticks * (1L << Math.Min(restart - 1, 20))));
}

/// <summary>Marks a resource the <see cref="ResourceSupervisor"/> brings back when it exits on its own.</summary>
public sealed class SupervisedAnnotation : IResourceAnnotation;

public static class SupervisionExtensions
{
    /// <summary>
    /// Restarted (through Aspire's own start command) when it exits without being asked to; a container also gets
    /// the container runtime's restart policy.
    /// </summary>
    public static IResourceBuilder<T> WithRestartOnFailure<T>(this IResourceBuilder<T> builder) where T : IResource
    {
        if (builder.Resource is ContainerResource)
        {
            builder.ApplicationBuilder.CreateResourceBuilder((ContainerResource)(object)builder.Resource)
                .WithContainerRuntimeArgs("--restart", "unless-stopped");
        }

        return builder.WithAnnotation(new SupervisedAnnotation());
    }
}
